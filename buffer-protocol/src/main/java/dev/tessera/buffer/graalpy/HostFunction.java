package dev.tessera.buffer.graalpy;

import static com.oracle.graal.python.builtins.PythonBuiltinClassType.TypeError;

import com.oracle.graal.python.runtime.exception.PException;
import com.oracle.truffle.api.CompilerDirectives.TruffleBoundary;
import com.oracle.truffle.api.dsl.Bind;
import com.oracle.truffle.api.interop.InteropLibrary;
import com.oracle.truffle.api.interop.TruffleObject;
import com.oracle.truffle.api.library.ExportLibrary;
import com.oracle.truffle.api.library.ExportMessage;
import com.oracle.truffle.api.nodes.Node;

/**
 * A host function that Python calls directly ({@code tessera._host.queue_put(q, item, block, timeout)}): the one
 * crossing of each of Tessera's hot paths. Python calls a foreign executable in one step (a foreign object's
 * method would first fail an attribute lookup, raising and catching an AttributeError, then invoke); arguments
 * arrive as GraalPy's own values and are checked here once; the result goes back as a Python value; failures
 * are raised as Python exceptions of the calling interpreter ({@link GuestScope}).
 *
 * <p>The body runs behind a {@link TruffleBoundary} as ordinary JIT-compiled Java, and without the GIL, so that it
 * may block or run long: GraalPy releases the GIL around foreign calls, and where a thread keeps it across calls
 * ({@link Gil}) the body gives it up itself. A {@link #quick()} function is the exception: it returns at once or
 * waits only in a {@code WaitSet} (which gives the GIL up while it waits), so it runs with the GIL of a thread that
 * keeps it, and its body must not block otherwise. Exceptions through the boundary do not
 * deoptimize the caller: a loop that meets QueueEmpty on every turn stays compiled.
 */
@ExportLibrary(InteropLibrary.class)
public final class HostFunction implements TruffleObject {
    /** What the function does; {@code node} locates raised exceptions and safepoints of blocking waits. */
    @FunctionalInterface
    public interface Body {
        Object call(Object[] args, Node node);
    }

    private final String name;
    private final int minArgs;
    private final int maxArgs;
    private final GuestScope scope;
    private final Body body;
    private final boolean quick;

    private HostFunction(String name, int minArgs, int maxArgs, GuestScope scope, Body body, boolean quick) {
        this.name = name;
        this.minArgs = minArgs;
        this.maxArgs = maxArgs;
        this.scope = scope;
        this.body = body;
        this.quick = quick;
    }

    public HostFunction(String name, int minArgs, int maxArgs, GuestScope scope, Body body) {
        this(name, minArgs, maxArgs, scope, body, false);
    }

    public HostFunction(String name, int args, GuestScope scope, Body body) {
        this(name, args, args, scope, body);
    }

    /**
     * The same function, marked as one that returns at once or waits only in a {@code WaitSet}: a thread that keeps
     * its GIL across host calls keeps it across this one (the hot crossings: queue puts and gets, a worker's take
     * and done, submit and result).
     */
    public HostFunction quick() {
        return new HostFunction(name, minArgs, maxArgs, scope, body, true);
    }

    public String name() {
        return name;
    }

    @ExportMessage
    boolean isExecutable() {
        return true;
    }

    @ExportMessage
    Object execute(Object[] args, @Bind("$node") Node node) {
        return run(args, node);
    }

    @TruffleBoundary(transferToInterpreterOnException = false)
    private Object run(Object[] args, Node node) {
        if (args.length < minArgs || args.length > maxArgs) {
            throw PythonErrors.raise(node, TypeError, name + "() takes " + (minArgs == maxArgs ? minArgs : minArgs + " to " + maxArgs)
                    + " arguments (" + args.length + " given)");
        }
        boolean gil = !quick && Gil.releaseIfHeld(node);
        try {
            return body.call(args, node);
        } catch (PException e) {
            throw e;
        } catch (RuntimeException e) {
            throw scope.fromHost(node, e);
        } finally {
            Gil.retake(gil);
        }
    }

    @ExportMessage
    @TruffleBoundary
    Object toDisplayString(@SuppressWarnings("unused") boolean allowSideEffects) {
        return "<tessera host function " + name + ">";
    }

    @Override
    public String toString() {
        return name;
    }
}
