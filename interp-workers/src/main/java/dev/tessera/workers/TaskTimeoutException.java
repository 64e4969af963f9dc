package dev.tessera.workers;

/** A task ran past its deadline: its worker was interrupted and replaced. */
public final class TaskTimeoutException extends RuntimeException {
    public TaskTimeoutException(String message) {
        super(message, null, false, false);
    }
}
