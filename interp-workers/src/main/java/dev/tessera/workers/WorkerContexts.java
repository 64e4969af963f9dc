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
 * Makes the interpreters of one pool's workers: a context on the shared engine, sandboxed (no host classes, no native
 * access, no threads or processes, no environment, no network, and a read-only file system below the granted
 * directories), with the {@code tessera} package installed.
 */
final class WorkerContexts {
    private static final boolean TRACE_STARTUP = Boolean.getBoolean("tessera.traceStartup");

    private final PythonRuntime runtime;
    private final ArrayStore store;
    private final List<Path> readRoots;
    private final OutputStream out;
    private final OutputStream err;

    /** Workers print to {@code out} and {@code err} (null: the JVM's own streams). */
    WorkerContexts(PythonRuntime runtime, ArrayStore store, List<Path> readRoots, OutputStream out, OutputStream err) {
        this.runtime = runtime;
        this.store = store;
        this.readRoots = List.copyOf(readRoots);
        this.out = out;
        this.err = err;
    }

    /** A new, initialized interpreter for {@code worker}, on the calling thread (the worker's own). */
    Context create(Worker worker) {
        long t0 = System.nanoTime();
        // GraalPy's own standard library is an internal resource: readable through the decorators, nothing else is.
        FileSystem fs = FileSystem.allowInternalResourceAccess(FileSystem.allowLanguageHomeAccess(new SandboxFileSystem(readRoots)));
        IOAccess io = IOAccess.newBuilder().fileSystem(fs).allowHostSocketAccess(false).build();
        Context.Builder builder = runtime.contextBuilder();
        if (out != null) {
            builder.out(out);
        }
        if (err != null) {
            builder.err(err);
        }
        Context context = builder
                .allowNativeAccess(false)
                .allowCreateThread(false)
                .allowCreateProcess(false)
                .allowPolyglotAccess(PolyglotAccess.NONE)
                .allowEnvironmentAccess(EnvironmentAccess.NONE)
                .allowIO(io)
                .build();
        try {
            long t1 = System.nanoTime();
            context.initialize("python");
            long t2 = System.nanoTime();
            PythonFaces.get().installWorker(context, store, worker);
            if (TRACE_STARTUP) {
                System.err.printf("tessera: %s context built %.1f ms, python initialized %.1f ms, tessera installed %.1f ms%n",
                        worker.thread.getName(), (t1 - t0) / 1e6, (t2 - t1) / 1e6, (System.nanoTime() - t2) / 1e6);
            }
            return context;
        } catch (RuntimeException e) {
            context.close(true);
            throw e;
        }
    }
}
