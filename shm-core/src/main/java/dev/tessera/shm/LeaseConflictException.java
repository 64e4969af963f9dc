package dev.tessera.shm;

/** A writable lease was asked for on a range that overlaps a writable lease already held. */
public final class LeaseConflictException extends IllegalStateException {
    public LeaseConflictException(String message) {
        super(message);
    }
}
