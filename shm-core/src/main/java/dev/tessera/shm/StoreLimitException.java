package dev.tessera.shm;

/** An allocation would take an {@link ArrayStore} past its byte limit. */
public final class StoreLimitException extends IllegalStateException {
    public StoreLimitException(String message) {
        super(message);
    }
}
