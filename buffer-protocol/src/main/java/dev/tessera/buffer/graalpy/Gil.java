package dev.tessera.buffer.graalpy;

import com.oracle.graal.python.runtime.GilNode;
import com.oracle.graal.python.runtime.PythonContext;
import com.oracle.truffle.api.nodes.Node;

/**
 * The GIL of an interpreter thread that keeps it across Tessera's host calls.
 *
 * <p>GraalPy releases and retakes the GIL around every foreign call, in case another thread of the interpreter
 * needs it meanwhile: about 22 ns of each call (a queue put in a worker: 67 ns with it, 45 ns without). The
 * threads that run a script or a worker's tasks turn that off
 * ({@code polyglot.__set_gil_locked_during_foreign_calls__}, per thread); their interpreters have no host access, so
 * Tessera's own host functions are the only foreign calls they make. Those that may wait or run long give the GIL
 * up themselves, through here: a waiting thread never holds it, and a kernel in one thread of the main interpreter
 * runs beside Python in another, as before.
 */
public final class Gil {
    /** GraalPy's one uncached release (a singleton): what takes a released GIL back. Set by the first release. */
    private static GilNode.UncachedRelease release;

    private Gil() {
    }

    /**
     * Releases the calling thread's GIL if it holds it (it does not when GraalPy released it around the call, its
     * default); true if it did: then {@link #retake} must follow.
     */
    public static boolean releaseIfHeld(Node node) {
        if (PythonContext.get(node).ownsGil()) {
            release = GilNode.uncachedRelease();
            return true;
        }
        return false;
    }

    /** Takes back a GIL that {@link #releaseIfHeld} released; waits (interruptibly, at safepoints) for it. */
    public static void retake(boolean released) {
        if (released) {
            release.close();
        }
    }
}
