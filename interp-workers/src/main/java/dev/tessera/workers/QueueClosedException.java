package dev.tessera.workers;

/** A put into a closed queue, or a get from a closed queue that is drained. Python sees tessera.QueueClosed. */
public final class QueueClosedException extends IllegalStateException {
    public QueueClosedException(String message) {
        super(message);
    }
}
