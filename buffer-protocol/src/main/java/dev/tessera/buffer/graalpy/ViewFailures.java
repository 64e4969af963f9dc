package dev.tessera.buffer.graalpy;

import static com.oracle.graal.python.builtins.PythonBuiltinClassType.IndexError;
import static com.oracle.graal.python.builtins.PythonBuiltinClassType.TypeError;
import static com.oracle.graal.python.builtins.PythonBuiltinClassType.ValueError;

import com.oracle.graal.python.runtime.exception.PException;
import com.oracle.truffle.api.CompilerDirectives.TruffleBoundary;
import com.oracle.truffle.api.nodes.Node;
import dev.tessera.shm.ArrayView;

/**
 * The Python exceptions a {@link ViewBuffer} raises when an access cannot be done, with messages that name the view:
 * off the exports' fast paths, which only check and catch.
 */
final class ViewFailures {
    private ViewFailures() {
    }

    /** The view was revoked (its task ended, it was released, its array closed). */
    static PException released(Node node, ArrayView view) {
        return PythonErrors.raise(node, ValueError, releasedMessage(view));
    }

    @TruffleBoundary
    static String releasedMessage(ArrayView view) {
        if (view.array().isClosed()) {
            return "array '" + view.array().name() + "' was released: its memory is gone";
        }
        return view.describe() + " was released: take a new view";
    }

    /** An FFM access of a view of {@code length} bytes failed: an offset out of range, a read-only segment, or the arena closed under it. */
    static PException accessFailed(Node node, RuntimeException e, ArrayView view, int length) {
        if (e instanceof IndexOutOfBoundsException) {
            return PythonErrors.raise(node, IndexError, "offset out of range of " + length + "-byte " + describe(view));
        }
        if (e instanceof IllegalArgumentException) { // FFM: write to a read-only segment
            return PythonErrors.raise(node, TypeError, "cannot modify read-only memory");
        }
        return PythonErrors.raise(node, ValueError, releasedMessage(view));
    }

    /** A writable buffer was asked of a read-only view. */
    @TruffleBoundary
    static String readOnly(ArrayView view) {
        return view.describe() + " is read-only: take a writable lease with slice(start, stop)";
    }

    @TruffleBoundary
    private static String describe(ArrayView view) {
        return view.describe();
    }
}
