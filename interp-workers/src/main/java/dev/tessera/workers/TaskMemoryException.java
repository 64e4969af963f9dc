package dev.tessera.workers;

/**
 * A task was stopped because the heap was nearly full and it had allocated the most of any running task (see
 * {@link MemoryGuard}): its worker was replaced, and what the task had built was freed with it.
 */
public final class TaskMemoryException extends RuntimeException {
    public TaskMemoryException(String message) {
        super(message, null, false, false);
    }
}
