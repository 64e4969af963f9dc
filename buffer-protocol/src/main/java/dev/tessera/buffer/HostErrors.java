package dev.tessera.buffer;

import dev.tessera.shm.ArrayClosedException;
import dev.tessera.shm.LeaseConflictException;
import dev.tessera.shm.StoreLimitException;

/**
 * Which builtin Python exception a host failure is, by name: the one table, read by the interpreters (raised as that
 * class, see {@code graalpy.PythonErrors}) and by the service (sent as that name to CPython clients), so that a
 * closed array is a ValueError and an overlapping lease a BufferError wherever Python meets them. Knows nothing of
 * GraalPy.
 */
public final class HostErrors {
    private HostErrors() {
    }

    /** "ValueError", "IndexError"...: the builtin exception class Python code expects for {@code e}. */
    public static String pythonType(Throwable e) {
        if (e instanceof ArrayClosedException) {
            return "ValueError";
        } else if (e instanceof LeaseConflictException) {
            return "BufferError";
        } else if (e instanceof StoreLimitException) {
            return "MemoryError";
        } else if (e instanceof IndexOutOfBoundsException) {
            return "IndexError";
        } else if (e instanceof ArithmeticException) {
            return "OverflowError";
        } else if (e instanceof IllegalArgumentException) {
            return "ValueError";
        } else if (e instanceof ClassCastException || e instanceof UnsupportedOperationException) {
            return "TypeError";
        } else if (e instanceof IllegalStateException) {
            return "ValueError";
        }
        return "RuntimeError";
    }

    /** The message to raise with: the exception's own, else its class's simple name. */
    public static String message(Throwable e) {
        return e.getMessage() != null ? e.getMessage() : e.getClass().getSimpleName();
    }
}
