package dev.tessera.workers;

import dev.tessera.buffer.TesseraModule;
import dev.tessera.shm.ArrayStore;
import org.graalvm.polyglot.Context;
import org.graalvm.polyglot.Value;

/** The {@code tessera} module as each kind of interpreter gets it. */
final class WorkerModule {
    static final String QUEUE_PART = "/dev/tessera/python/_queue.py";
    static final String WORKER_PART = "/dev/tessera/python/_worker.py";
    static final String POOL_PART = "/dev/tessera/python/_pool.py";

    private WorkerModule() {
    }

    /** A worker's module: arrays, values, queues, and the task runner (entry points put in the globals). */
    static void install(Context context, ArrayStore store, WorkerHost host) {
        Value module = TesseraModule.withArrays(store)
                .host("_queue_host", QueueHost.INSTANCE).part(QUEUE_PART)
                .host("_worker_host", host).part(WORKER_PART)
                .install(context);
        Value globals = context.getBindings("python");
        globals.putMember("_tessera_worker_start", module.getMember("_worker_start"));
        globals.putMember("_tessera_worker_run", module.getMember("_worker_run"));
    }

    /** The main interpreter's module: arrays, values, queues, and InterpreterPool. */
    static TesseraModule forMain(ArrayStore store, PoolHost pools) {
        return TesseraModule.withArrays(store)
                .host("_queue_host", QueueHost.INSTANCE).part(QUEUE_PART)
                .host("_pool_host", pools).part(POOL_PART);
    }
}
