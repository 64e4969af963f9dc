package dev.tessera.buffer.graalpy;

import com.oracle.graal.python.nodes.PRaiseNode;
import com.oracle.graal.python.nodes.call.CallNode;
import com.oracle.graal.python.runtime.GilNode;
import com.oracle.graal.python.runtime.exception.PException;
import com.oracle.graal.python.util.PythonUtils;
import com.oracle.truffle.api.CompilerDirectives.TruffleBoundary;
import com.oracle.truffle.api.nodes.Node;
import dev.tessera.buffer.values.NotShareableException;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The host side of one interpreter: the Python classes of Tessera's own exceptions (NotShareableError, QueueEmpty,
 * ExecutionFailed...) as that interpreter defined them. Python hands the host a lookup function once, at install
 * (as CPython's {@code _register_heap_types} does); each class is looked up on first use, so that a class whose
 * definition imports a slow module (queue.Full) costs nothing until it is raised.
 *
 * <p>A host function may be running with its thread's GIL or without it (a quick one keeps the GIL of a thread that
 * keeps it across host calls, the others give it up: see {@link Gil}); whatever here calls back into Python takes
 * the GIL first, which costs nothing when the thread holds it already.
 */
public final class GuestScope {
    private final String name;
    private volatile Object classLookup;
    private final ConcurrentHashMap<String, Object> classes = new ConcurrentHashMap<>();

    public GuestScope(String name) {
        this.name = name;
    }

    /** "main", "worker 2": for messages. */
    public String name() {
        return name;
    }

    /** Python's {@code lookup(name) -> class}, called by the package's {@code __init__}. */
    public void bindClasses(Object lookup) {
        this.classLookup = lookup;
    }

    /** The Python class Tessera calls {@code className} in this interpreter. */
    @TruffleBoundary
    public Object pythonClass(String className) {
        Object cls = classes.get(className);
        if (cls == null) {
            if (classLookup == null) {
                throw new IllegalStateException("tessera is not installed in " + name + ": no class " + className);
            }
            try (GilNode.UncachedAcquire gil = GilNode.uncachedAcquire()) {
                cls = CallNode.executeUncached(classLookup, PythonUtils.toTruffleStringUncached(className));
            }
            classes.put(className, cls);
        }
        return cls;
    }

    /** A new instance of one of Tessera's Python classes; {@code args} must be Python values. */
    @TruffleBoundary
    public Object instantiate(String className, Object... args) {
        Object cls = pythonClass(className);
        try (GilNode.UncachedAcquire gil = GilNode.uncachedAcquire()) {
            return CallNode.executeUncached(cls, args);
        }
    }

    /** Calls one of Tessera's Python functions ({@code _xi_dumps}...); {@code args} must be Python values. */
    @TruffleBoundary
    public Object call(String functionName, Object... args) {
        return instantiate(functionName, args);
    }

    /** Raises one of Tessera's Python exceptions with {@code message}. */
    @TruffleBoundary
    public PException raise(Node node, String className, String message) {
        Object exc = instantiate(className, PythonUtils.toTruffleStringUncached(message));
        throw PRaiseNode.raiseExceptionObjectStatic(node, exc);
    }

    /** A host failure as the Python exception this interpreter expects for it. */
    @TruffleBoundary
    public PException fromHost(Node node, RuntimeException e) {
        if (e instanceof PException p) {
            throw p;
        }
        if (e instanceof NotShareableException) {
            throw raise(node, "NotShareableError", e.getMessage());
        }
        throw PythonErrors.fromHost(node, e);
    }

    @Override
    public String toString() {
        return "GuestScope[" + name + "]";
    }
}
