package dev.tessera.shm;

/** Thrown by any access to an array, view or lease after its memory was given back. */
public final class ArrayClosedException extends IllegalStateException {
    public ArrayClosedException(String message) {
        super(message);
    }
}
