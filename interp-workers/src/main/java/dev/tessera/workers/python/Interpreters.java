package dev.tessera.workers.python;

import dev.tessera.buffer.TesseraPackage;
import dev.tessera.buffer.graalpy.FormatFunctions;
import dev.tessera.buffer.graalpy.GuestScope;
import dev.tessera.shm.ArrayStore;
import dev.tessera.workers.PythonFaces;
import dev.tessera.workers.Queue;
import dev.tessera.workers.Worker;
import org.graalvm.polyglot.Context;

/**
 * The {@code tessera} package as each kind of interpreter gets it. Main and workers have the same public names
 * (a worker imports the main script, whose top level may use any of them); only their host functions differ: a
 * worker's pool functions refuse to start pools, and only a worker has the task loop. The engine reaches this class
 * through {@link PythonFaces} (found with ServiceLoader), never by name.
 */
public final class Interpreters implements PythonFaces {
    static final TesseraPackage.Part QUEUES = TesseraPackage.Part.of("_queues");
    static final TesseraPackage.Part TASKS = TesseraPackage.Part.of("_tasks");
    // The pool API imports concurrent.futures (about a second in a fresh interpreter): loaded on first use.
    static final TesseraPackage.Part POOL = TesseraPackage.Part.lazy("_pool", "InterpreterPool", "Future",
            "BrokenInterpreterPool", "SlicesFailed", "wait", "as_completed", "FIRST_COMPLETED", "FIRST_EXCEPTION", "ALL_COMPLETED");
    static final TesseraPackage.Part WORKER = TesseraPackage.Part.of("_worker");
    // concurrent.interpreters, concurrent.futures.InterpreterPoolExecutor and their low-level modules
    static final TesseraPackage.Part OVERLAY = TesseraPackage.Part.of("_overlay");

    /** For ServiceLoader. */
    public Interpreters() {
    }

    /** A worker's package: arrays, queues, the pool API (which refuses to start pools here), the task loop. */
    @Override
    public void installWorker(Context context, ArrayStore store, Worker worker) {
        GuestScope scope = worker.scope();
        TesseraPackage.withArrays(store, scope).host(FormatFunctions.refusing(scope)) // no file reads in workers
                .host(QueueFunctions.of(scope)).host("queue_type", QueueObject.META).part(QUEUES)
                .part(TASKS).host(PoolFunctions.refusing(scope)).part(POOL)
                .host(WorkerFunctions.of(worker)).part(WORKER)
                .host(CrossInterpreterFunctions.forWorker(worker, scope)).host(StdlibOverlay.functions(scope))
                .host("overlay_modules", StdlibOverlay.names()).part(OVERLAY)
                .install(context);
    }

    @Override
    public Object queueObject(Queue queue) {
        return new QueueObject(queue);
    }

    /** The main interpreter's package: arrays, queues and pools. */
    static void installMain(Context context, ArrayStore store, PoolFunctions.Owner owner, GuestScope scope) {
        TesseraPackage.withArrays(store, scope)
                .host(QueueFunctions.of(scope)).host("queue_type", QueueObject.META).part(QUEUES)
                .part(TASKS).host(PoolFunctions.of(owner, scope)).part(POOL)
                .host(CrossInterpreterFunctions.forMain(owner.xi, scope)).host(StdlibOverlay.functions(scope))
                .host("overlay_modules", StdlibOverlay.names()).part(OVERLAY)
                .install(context);
    }
}
