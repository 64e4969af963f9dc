package dev.tessera.buffer.graalpy;

import com.oracle.graal.python.builtins.PythonBuiltinClassType;
import com.oracle.graal.python.nodes.PRaiseNode;
import com.oracle.graal.python.runtime.exception.PException;
import com.oracle.graal.python.util.PythonUtils;
import com.oracle.truffle.api.CompilerDirectives;
import com.oracle.truffle.api.CompilerDirectives.TruffleBoundary;
import com.oracle.truffle.api.nodes.Node;
import dev.tessera.buffer.HostErrors;

/**
 * Turns host-side failures into Python exceptions raised in the calling interpreter, so that a Python mistake
 * never reaches the user as a Java stack trace. Tessera's own Python classes (NotShareableError, QueueEmpty...)
 * are raised through the interpreter's {@link GuestScope}; builtin types through here, chosen by {@link HostErrors}.
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
        return HostErrors.message(e);
    }

    /** The builtin class {@link #fromHost} raises for {@code e}: {@link HostErrors}' table, as GraalPy's type. */
    @TruffleBoundary
    static PythonBuiltinClassType pythonType(RuntimeException e) {
        return PythonBuiltinClassType.valueOf(HostErrors.pythonType(e));
    }
}
