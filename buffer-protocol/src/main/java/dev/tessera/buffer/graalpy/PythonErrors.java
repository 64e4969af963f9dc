package dev.tessera.buffer.graalpy;

import com.oracle.graal.python.builtins.PythonBuiltinClassType;
import com.oracle.graal.python.nodes.PRaiseNode;
import com.oracle.graal.python.runtime.exception.PException;
import com.oracle.graal.python.util.PythonUtils;
import com.oracle.truffle.api.CompilerDirectives;
import com.oracle.truffle.api.CompilerDirectives.TruffleBoundary;
import com.oracle.truffle.api.nodes.Node;
import dev.tessera.shm.ArrayClosedException;
import dev.tessera.shm.LeaseConflictException;
import dev.tessera.shm.StoreLimitException;

/**
 * Turns host-side failures into Python exceptions raised in the calling interpreter, so that a Python mistake
 * never reaches the user as a Java stack trace. Tessera's own Python classes (NotShareableError, QueueEmpty...)
 * are raised through the interpreter's {@link GuestScope}; builtin types through here.
 */
public final class PythonErrors {
    private PythonErrors() {
    }

    public static PException raise(Node node, PythonBuiltinClassType type, String message) {
        CompilerDirectives.transferToInterpreter();
        throw raiseBoundary(node, type, message);
    }

    @TruffleBoundary
    private static PException raiseBoundary(Node node, PythonBuiltinClassType type, String message) {
        throw PRaiseNode.raiseStatic(node, type, PythonUtils.toTruffleStringUncached(message));
    }

    /** Maps a host exception to the builtin Python exception a Python user expects for it. */
    public static PException fromHost(Node node, RuntimeException e) {
        CompilerDirectives.transferToInterpreter();
        if (e instanceof PException p) {
            throw p;
        }
        throw raiseBoundary(node, pythonType(e), message(e));
    }

    @TruffleBoundary
    static String message(RuntimeException e) {
        return e.getMessage() != null ? e.getMessage() : e.getClass().getSimpleName();
    }

    /** The name of the builtin exception class {@link #fromHost} raises for {@code e} ("ValueError"). */
    public static String builtinTypeName(RuntimeException e) {
        return pythonType(e).name();
    }

    static PythonBuiltinClassType pythonType(RuntimeException e) {
        if (e instanceof ArrayClosedException) {
            return PythonBuiltinClassType.ValueError;
        } else if (e instanceof LeaseConflictException) {
            return PythonBuiltinClassType.BufferError;
        } else if (e instanceof StoreLimitException) {
            return PythonBuiltinClassType.MemoryError;
        } else if (e instanceof IndexOutOfBoundsException) {
            return PythonBuiltinClassType.IndexError;
        } else if (e instanceof ArithmeticException) {
            return PythonBuiltinClassType.OverflowError;
        } else if (e instanceof IllegalArgumentException) {
            return PythonBuiltinClassType.ValueError;
        } else if (e instanceof ClassCastException || e instanceof UnsupportedOperationException) {
            return PythonBuiltinClassType.TypeError;
        } else if (e instanceof IllegalStateException) {
            return PythonBuiltinClassType.ValueError;
        }
        return PythonBuiltinClassType.RuntimeError;
    }
}
