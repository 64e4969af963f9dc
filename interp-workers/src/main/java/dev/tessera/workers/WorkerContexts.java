package dev.tessera.workers;

import dev.tessera.buffer.PythonRuntime;
import dev.tessera.shm.ArrayStore;
import java.io.OutputStream;
import java.nio.file.Path;
import java.util.List;
import org.graalvm.polyglot.Context;
import org.graalvm.polyglot.EnvironmentAccess;
import org.graalvm.polyglot.PolyglotAccess;
import org.graalvm.polyglot.io.FileSystem;
import org.graalvm.polyglot.io.IOAccess;

/**
 * Makes the interpreters of workers: a context on the shared engine, sandboxed (no host classes, no native access,
 * no threads or processes, no environment, no network, and a read-only file system below the granted directories),
 * with the {@code tessera} package installed. What a pool gives its workers (the directories they may read, where
 * they print, the store their allocations go to) is not built into the context but set when the pool takes the
 * worker ({@link #bind}), so that a worker can be made before its pool exists ({@link WorkerReserve}).
 */
final class WorkerContexts {
    private static final boolean TRACE_STARTUP = Boolean.getBoolean("tessera.traceStartup");

    /** A worker's interpreter and the settings its pool gives it. */
    static final class Interpreter {
        final Context context;
        private final SandboxFileSystem files;
        private final OutputRedirect out;
        private final OutputRedirect err;

        private Interpreter(Context context, SandboxFileSystem files, OutputRedirect out, OutputRedirect err) {
            this.context = context;
            this.files = files;
            this.out = out;
            this.err = err;
        }
    }

    private final ArrayStore store;
    private final List<Path> readRoots;
    private final OutputStream out;
    private final OutputStream err;

    /** One pool's settings: workers read below {@code readRoots} and print to {@code out} and {@code err} (null: the JVM's own streams). */
    WorkerContexts(ArrayStore store, List<Path> readRoots, OutputStream out, OutputStream err) {
        this.store = store;
        this.readRoots = List.copyOf(readRoots);
        this.out = out;
        this.err = err;
    }

    ArrayStore store() {
        return store;
    }

    /** Gives {@code interpreter} this pool's settings (once, before it runs anything of the pool's). */
    void bind(Interpreter interpreter) {
        interpreter.files.grant(readRoots);
        interpreter.out.to(out != null ? out : System.out);
        interpreter.err.to(err != null ? err : System.err);
    }

    /**
     * A new, initialized interpreter for {@code worker}, on the calling thread (the worker's own), with no pool's
     * settings yet: it reads nothing but GraalPy's own library and prints nowhere until {@link #bind}.
     */
    static Interpreter create(PythonRuntime runtime, Worker worker) {
        long t0 = System.nanoTime();
        SandboxFileSystem files = new SandboxFileSystem(List.of());
        // GraalPy's own standard library is an internal resource: readable through the decorators, nothing else is.
        FileSystem fs = FileSystem.allowInternalResourceAccess(FileSystem.allowLanguageHomeAccess(files));
        IOAccess io = IOAccess.newBuilder().fileSystem(fs).allowHostSocketAccess(false).build();
        OutputRedirect out = new OutputRedirect();
        OutputRedirect err = new OutputRedirect();
        Context context = runtime.contextBuilder()
                .out(out)
                .err(err)
                .allowNativeAccess(false)
                .allowCreateThread(false)
                .allowCreateProcess(false)
                .allowPolyglotAccess(PolyglotAccess.NONE)
                .allowEnvironmentAccess(EnvironmentAccess.NONE)
                .allowIO(io)
                .build();
        worker.opened(context);
        try {
            long t1 = System.nanoTime();
            context.initialize("python");
            long t2 = System.nanoTime();
            PythonFaces.get().installWorker(context, worker);
            if (TRACE_STARTUP) {
                System.err.printf("tessera: %s context built %.1f ms, python initialized %.1f ms, tessera installed %.1f ms%n",
                        worker.thread.getName(), (t1 - t0) / 1e6, (t2 - t1) / 1e6, (System.nanoTime() - t2) / 1e6);
            }
            return new Interpreter(context, files, out, err);
        } catch (RuntimeException e) {
            context.close(true);
            throw e;
        }
    }
}
