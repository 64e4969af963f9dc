package dev.tessera.workers;

import dev.tessera.shm.ArrayStore;
import java.util.ServiceLoader;
import org.graalvm.polyglot.Context;

/**
 * What the engine asks of the package that shows it to Python ({@code dev.tessera.workers.python}), without importing
 * it: the engine runs interpreters and moves tasks and values; that package decides what Python sees of them. Its one
 * implementation is found once with {@link ServiceLoader} (listed in {@code META-INF/services}), so that the arrows
 * between the two packages go one way: from the Python side down to the engine.
 */
public interface PythonFaces {
    /** Installs the {@code tessera} package, with the task loop's host functions, in a new worker's context. */
    void installWorker(Context context, ArrayStore store, Worker worker);

    /** A new object for {@code queue} in the interpreter running this thread (Python class {@code tessera.Queue}). */
    Object queueObject(Queue queue);

    /** The implementation on the class path. */
    static PythonFaces get() {
        return FoundFaces.FACES;
    }
}

/** The implementation, looked up on first use. */
final class FoundFaces {
    static final PythonFaces FACES = ServiceLoader.load(PythonFaces.class, PythonFaces.class.getClassLoader()).findFirst()
            .orElseThrow(() -> new IllegalStateException("no " + PythonFaces.class.getName() + " on the class path "
                    + "(interp-workers' META-INF/services names dev.tessera.workers.python.Interpreters)"));

    private FoundFaces() {
    }
}
