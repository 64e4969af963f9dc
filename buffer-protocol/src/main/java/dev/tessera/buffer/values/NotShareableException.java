package dev.tessera.buffer.values;

/**
 * A value that cannot cross between interpreters; the message names its type and what is shareable. Python code
 * sees it as {@code tessera.NotShareableError} (a ValueError).
 */
public final class NotShareableException extends IllegalArgumentException {
    public static final String SHAREABLE = "None, bool, int, float, str, bytes, tuples of these, array views and queues";

    public NotShareableException(String what, String typeName) {
        this(what, typeName, "");
    }

    private NotShareableException(String message) {
        super(message);
    }

    /** A value that is neither shareable nor copyable and could not be pickled either; {@code why} says why. */
    public static NotShareableException unpicklable(String what, String typeName, String why) {
        return new NotShareableException(what + ": cannot share a " + typeName + " with another interpreter: it is not "
                + "shareable and could not be pickled (" + why + ")");
    }

    /** A pickle that could not be loaded by the receiving interpreter (its class or module is missing there). */
    public static NotShareableException unloadable(String what, String why) {
        return new NotShareableException(what + " not shareable: they could not be unpickled in the receiving interpreter (" + why + ")");
    }

    /** {@code hint} is appended to the message, e.g. " (pass a view: array.readonly())". */
    public NotShareableException(String what, String typeName, String hint) {
        super(what + ": cannot share a " + typeName + " with another interpreter; shareable values are " + SHAREABLE + hint);
    }
}
