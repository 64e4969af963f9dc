package dev.tessera.workers;

/** A value that cannot cross between interpreters; the message names its type and what is shareable. */
public final class NotShareableException extends IllegalArgumentException {
    public static final String SHAREABLE = "None, bool, int, float, str, bytes, tuples of these, array views and queues";

    public NotShareableException(String what, String typeName) {
        super(what + ": cannot share a " + typeName + " with another interpreter; shareable values are " + SHAREABLE);
    }
}
