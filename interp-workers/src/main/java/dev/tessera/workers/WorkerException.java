package dev.tessera.workers;

/**
 * A task's Python exception, brought back to the caller: the Python type (qualified name), its message and
 * the worker-side traceback text. The worker that raised it stays usable.
 */
public final class WorkerException extends RuntimeException {
    private final String pythonType;
    private final String pythonMessage;
    private final String traceback;

    public WorkerException(String pythonType, String pythonMessage, String traceback) {
        super(pythonType + (pythonMessage.isEmpty() ? "" : ": " + pythonMessage), null, false, false);
        this.pythonType = pythonType;
        this.pythonMessage = pythonMessage;
        this.traceback = traceback;
    }

    /** e.g. {@code ZeroDivisionError} or {@code mypkg.errors.BadChunk}. */
    public String pythonType() {
        return pythonType;
    }

    public String pythonMessage() {
        return pythonMessage;
    }

    /** The traceback as Python formats it in the worker. */
    public String traceback() {
        return traceback;
    }
}
