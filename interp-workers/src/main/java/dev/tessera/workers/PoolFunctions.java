package dev.tessera.workers;

import com.oracle.graal.python.PythonLanguage;
import com.oracle.graal.python.builtins.objects.PNone;
import com.oracle.graal.python.builtins.objects.tuple.PTuple;
import com.oracle.graal.python.runtime.object.PFactory;
import com.oracle.graal.python.runtime.sequence.storage.ObjectSequenceStorage;
import com.oracle.truffle.api.nodes.Node;
import dev.tessera.buffer.PythonRuntime;
import dev.tessera.buffer.graalpy.GuestArgs;
import dev.tessera.buffer.graalpy.GuestScope;
import dev.tessera.buffer.graalpy.GuestValues;
import dev.tessera.buffer.graalpy.HostFunction;
import dev.tessera.buffer.values.NotShareableException;
import dev.tessera.buffer.values.Shareables;
import dev.tessera.buffer.values.Tuple;
import dev.tessera.shm.ArrayStore;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.RejectedExecutionException;

/**
 * The host functions behind {@code tessera.InterpreterPool} in the main interpreter. Each Python call is one of
 * these: arguments are checked and converted once, outcomes come back as the Python value or the Python exception
 * object (ExecutionFailed, DeadlineExceeded, CancelledError...) ready to set on the future.
 */
final class PoolFunctions {
    /** How many finished tasks the completer takes per call. */
    private static final int BATCH = 256;

    private PoolFunctions() {
    }

    /** The pools of one main interpreter: made on its engine and store, shut down when it ends. */
    static final class Owner implements AutoCloseable {
        final PythonRuntime runtime;
        final ArrayStore store;
        final List<PoolObject> pools = new CopyOnWriteArrayList<>();
        final java.io.OutputStream out;
        final java.io.OutputStream err;
        /** Interpreters and queues by id, for concurrent.interpreters (every pool of this main is adopted). */
        final CrossInterpreters xi = new CrossInterpreters();

        /** Workers print where the main interpreter prints ({@code out}, {@code err}). */
        Owner(PythonRuntime runtime, ArrayStore store, java.io.OutputStream out, java.io.OutputStream err) {
            this.runtime = runtime;
            this.store = store;
            this.out = out;
            this.err = err;
        }

        List<InterpreterPool> livePools() {
            return pools.stream().map(p -> p.pool).filter(p -> !p.isShutdown()).toList();
        }

        /** Stops what is left (cancelling queued and running tasks). */
        @Override
        public void close() {
            for (PoolObject p : pools) {
                p.pool.shutdownNow();
            }
        }
    }

    static List<HostFunction> of(Owner owner, GuestScope scope) {
        return List.of(
                // pool_create(max_workers, preload, initializer, initargs, sys_path, task_timeout, allow_read, spares, heap_limit)
                new HostFunction("pool_create", 9, scope, (a, node) -> create(owner, a, scope)),
                // pool_target(pool, module, qualname, main_file, source, entry) -> target id
                new HostFunction("pool_target", 6, scope, (a, node) -> (long) pool(a[0]).pool.targetId(new TaskTarget(
                        GuestArgs.asOptString(a[1], "module"), GuestArgs.asOptString(a[2], "qualname"),
                        GuestArgs.asOptString(a[3], "main_file"), GuestArgs.asOptString(a[4], "source"),
                        GuestArgs.asOptString(a[5], "entry")))).quick(),
                // pool_submit(pool, future, target_id, args: tuple, kwargs: tuple of pairs or None) -> task handle
                new HostFunction("pool_submit", 5, scope, (a, node) -> {
                    PoolObject p = pool(a[0]);
                    TaskTarget target = p.pool.target(GuestArgs.asInt(a[2], "target"));
                    TaskSpec spec = new TaskSpec(target, (Tuple) GuestValues.toHostOrCopy(a[3], "argument", scope), kwargs(a[4], scope), null);
                    try {
                        return new TaskRef(p, p.submit(spec, a[1]));
                    } catch (RejectedExecutionException e) {
                        throw scope.raise(node, "RuntimeError", "cannot schedule new futures after shutdown");
                    } catch (BrokenPoolException e) {
                        throw scope.raise(node, "BrokenInterpreterPool", e.getMessage());
                    }
                }).quick(),
                // pool_completions(pool) -> ((future, value, exc), ...), or None once every outcome was delivered
                new HostFunction("pool_completions", 1, scope, (a, node) -> {
                    Task[] batch = nextEnded(pool(a[0]), node);
                    if (batch.length == 0) {
                        return PNone.NONE;
                    }
                    PythonLanguage lang = PythonLanguage.get(node);
                    Object[] out = new Object[batch.length];
                    for (int i = 0; i < batch.length; i++) {
                        Object[] o = outcome(batch[i], scope, lang);
                        out[i] = PFactory.createTuple(lang, new Object[] {batch[i].attachment, o[0], o[1]});
                    }
                    return PFactory.createTuple(lang, out);
                }).quick(),
                // pool_await(task, timeout) -> (value, exc) if this caller delivers the outcome, else None
                new HostFunction("pool_await", 2, scope, (a, node) -> {
                    TaskRef ref = task(a[0]);
                    double s = GuestArgs.asSeconds(a[1], "timeout", -1);
                    long nanos = s < 0 ? WaitSet.FOREVER : (long) (s * 1e9);
                    try {
                        ref.task.awaitEnd(nanos, node);
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                    if (ref.task.hasOutcome() && ref.pool.claim(ref.task)) {
                        PythonLanguage lang = PythonLanguage.get(node);
                        return PFactory.createTuple(lang, outcome(ref.task, scope, lang));
                    }
                    return PNone.NONE;
                }).quick(),
                // pool_cancel(task, interrupt) -> cancelled?
                new HostFunction("pool_cancel", 2, scope, (a, node) -> {
                    TaskRef ref = task(a[0]);
                    return ref.pool.pool.cancel(ref.task, GuestArgs.truthy(a[1]));
                }),
                new HostFunction("pool_running", 1, scope, (a, node) -> task(a[0]).task.isRunning()).quick(),
                // pool_poll(task) -> (value, exc) if the task ended and this caller delivers its outcome, else None
                new HostFunction("pool_poll", 1, scope, (a, node) -> {
                    TaskRef ref = task(a[0]);
                    if (ref.task.hasOutcome() && ref.pool.claim(ref.task)) {
                        PythonLanguage lang = PythonLanguage.get(node);
                        return PFactory.createTuple(lang, outcome(ref.task, scope, lang));
                    }
                    return PNone.NONE;
                }).quick(),
                // pool_want(task): someone waits for the outcome without result(); the completer delivers it
                new HostFunction("pool_want", 1, scope, (a, node) -> {
                    TaskRef ref = task(a[0]);
                    ref.pool.want(ref.task);
                    return PNone.NONE;
                }).quick(),
                // pool_shutdown(pool, wait, cancel_futures)
                new HostFunction("pool_shutdown", 3, scope, (a, node) -> {
                    pool(a[0]).pool.shutdown(GuestArgs.truthy(a[1]), GuestArgs.truthy(a[2]), node);
                    return PNone.NONE;
                }),
                // pool_startup_seconds(pool): waits until the workers have started
                new HostFunction("pool_startup_seconds", 1, scope, (a, node) -> pool(a[0]).pool.startupTime().toNanos() / 1e9).quick(),
                new HostFunction("pool_workers", 1, scope, (a, node) -> (long) pool(a[0]).pool.workerCount()).quick(),
                // process_memory(collect) -> (heap bytes in use, RSS bytes, heap bytes committed, process CPU nanoseconds);
                // collect: after a full GC
                new HostFunction("process_memory", 1, scope, (a, node) -> {
                    ProcessMemory m = ProcessMemory.now(GuestArgs.truthy(a[0]));
                    return GuestValues.toGuest(Tuple.wrapLongs(new long[] {m.heapUsedBytes(), m.rssBytes(), m.heapCommittedBytes(), m.cpuNanos()}),
                            PythonLanguage.get(node), false);
                }),
                // pool_stats(pool) -> ((name, value), ...) with "workers" a tuple of such tuples
                new HostFunction("pool_stats", 1, scope, (a, node) -> GuestValues.toGuest(stats(pool(a[0]).pool.stats()),
                        PythonLanguage.get(node), false)));
    }

    /** A worker's pool functions: the same names, and a clear refusal to start pools. */
    static List<HostFunction> refusing(GuestScope scope) {
        List<HostFunction> out = new ArrayList<>();
        for (String name : List.of("pool_create", "pool_target", "pool_submit", "pool_completions", "pool_await", "pool_cancel",
                "pool_running", "pool_poll", "pool_want", "pool_shutdown", "pool_startup_seconds", "pool_workers", "pool_stats",
                "process_memory")) {
            out.add(new HostFunction(name, 0, 16, scope, (a, node) -> {
                throw scope.raise(node, "RuntimeError", "interpreter pools are started by the main interpreter; "
                        + "a worker cannot start workers (send work back through a queue instead; if this came from a worker "
                        + "importing your main script, put the script's pool under 'if __name__ == \"__main__\":')");
            }));
        }
        return out;
    }

    private static PoolObject create(Owner owner, Object[] a, GuestScope scope) {
        InterpreterPool.Builder b = InterpreterPool.builder().runtime(owner.runtime).store(owner.store).output(owner.out, owner.err);
        if (!GuestArgs.isNone(a[0])) {
            b.workers(GuestArgs.asInt(a[0], "max_workers"));
        }
        b.preload(GuestArgs.asStrings(a[1], "preload").toArray(String[]::new));
        if (!GuestArgs.isNone(a[2])) {
            Tuple init = (Tuple) GuestValues.toHost(a[2], "initializer");
            b.initializer(new TaskTarget(str(init.get(0)), str(init.get(1)), str(init.get(2)), str(init.get(3)), str(init.get(4))),
                    ((Tuple) GuestValues.toHostOrCopy(a[3], "initargs", scope)).toArray());
        }
        b.sysPath(paths(a[4], "sys_path"));
        double timeout = GuestArgs.asSeconds(a[5], "task_timeout", -1);
        if (timeout == 0) {
            throw new IllegalArgumentException("task_timeout must be positive");
        }
        if (timeout > 0) {
            b.taskDeadline(Duration.ofNanos((long) (timeout * 1e9)));
        }
        b.allowRead(paths(a[6], "allow_read"));
        b.spareWorkers(GuestArgs.asInt(a[7], "spare_workers"));
        if (!GuestArgs.isNone(a[8])) { // a non-negative number here; the builder checks the range and holds the default
            b.heapLimit(GuestArgs.asSeconds(a[8], "heap_limit", -1));
        }
        PoolObject pool = new PoolObject(b.build());
        owner.xi.adopt(pool.pool);
        owner.pools.add(pool);
        return pool;
    }

    private static Task[] nextEnded(PoolObject pool, Node node) {
        try {
            return pool.nextEnded(node, BATCH);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return new Task[0];
        }
    }

    /** {value, exception}: the Python result, or the exception object to set on the future. */
    private static Object[] outcome(Task task, GuestScope scope, PythonLanguage lang) {
        Throwable e = task.error();
        if (e == null) {
            return new Object[] {GuestValues.toGuest(task.result(), lang, false, scope), PNone.NONE};
        }
        Object exc = switch (e) {
            // a result that could not be pickled, arguments that could not be unpickled: what was sent, not the task, failed
            case WorkerException w when w.pythonType().equals("tessera.NotShareableError") ->
                    scope.instantiate("NotShareableError", ts(w.pythonMessage()));
            case WorkerException w -> scope.instantiate("ExecutionFailed", ts(w.pythonType()), ts(w.pythonMessage()), ts(w.traceback()));
            case TaskTimeoutException t -> scope.instantiate("DeadlineExceeded", ts(t.getMessage()));
            case TaskMemoryException m -> scope.instantiate("MemoryLimitExceeded", ts(m.getMessage()));
            case CancellationException c -> scope.instantiate("CancelledError", ts(c.getMessage()));
            case BrokenPoolException b -> scope.instantiate("BrokenInterpreterPool", ts(b.getMessage()));
            case NotShareableException n -> scope.instantiate("NotShareableError", ts(n.getMessage()));
            case RuntimeException r -> scope.instantiate(pythonTypeName(r), ts(String.valueOf(r.getMessage())));
            default -> scope.instantiate("RuntimeError", ts(e.toString()));
        };
        return new Object[] {PNone.NONE, exc};
    }

    private static String pythonTypeName(RuntimeException e) {
        return dev.tessera.buffer.graalpy.PythonErrors.builtinTypeName(e);
    }

    private static Object ts(String s) {
        return com.oracle.graal.python.util.PythonUtils.toTruffleStringUncached(s == null ? "" : s);
    }

    /** Keyword arguments, passed as a tuple of (name, value) pairs; each value checked under its own name. */
    private static Map<String, Object> kwargs(Object pairs, GuestScope scope) {
        if (GuestArgs.isNone(pairs)) {
            return Map.of();
        }
        if (!(pairs instanceof PTuple t) || !(t.getSequenceStorage() instanceof ObjectSequenceStorage items)) {
            throw new ClassCastException("keyword arguments must come as a tuple of (name, value) pairs");
        }
        Map<String, Object> out = new LinkedHashMap<>();
        Object[] array = items.getInternalObjectArray();
        for (int i = 0; i < items.length(); i++) {
            if (!(array[i] instanceof PTuple pair) || !(pair.getSequenceStorage() instanceof ObjectSequenceStorage kv) || kv.length() != 2) {
                throw new ClassCastException("keyword arguments must come as a tuple of (name, value) pairs");
            }
            String name = GuestArgs.asString(kv.getInternalObjectArray()[0], "keyword");
            out.put(name, GuestValues.toHostOrCopy(kv.getInternalObjectArray()[1], "argument '" + name + "'", scope));
        }
        return out;
    }

    private static Path[] paths(Object tuple, String what) {
        return GuestArgs.asStrings(tuple, what).stream().map(Path::of).toArray(Path[]::new);
    }

    private static String str(Object host) {
        return host == null ? null : Shareables.toJava(host).toString();
    }

    private static PoolObject pool(Object v) {
        if (v instanceof PoolObject p) {
            return p;
        }
        throw new ClassCastException("expected a pool handle, got " + GuestValues.typeName(v));
    }

    private static TaskRef task(Object v) {
        if (v instanceof TaskRef t) {
            return t;
        }
        throw new ClassCastException("expected a task handle, got " + GuestValues.typeName(v));
    }

    /** The stats as (name, value) pairs in host form; workers as a tuple of such tuples. */
    static Tuple stats(PoolStats s) {
        List<Object> workers = new ArrayList<>();
        for (PoolStats.WorkerStats w : s.workers()) {
            workers.add(pairs("slot", (long) w.slot(), "ready", w.ready(), "busy", w.busy(), "tasks_run", w.tasksRun(),
                    "allocated_bytes", w.allocatedBytes()));
        }
        return pairs("workers", (long) s.workerCount(), "spares", (long) s.spares(), "submitted", s.submitted(),
                "completed", s.completed(), "failed", s.failed(), "cancelled", s.cancelled(),
                "replaced_workers", s.replacedWorkers(), "queued", (long) s.queued(), "running", (long) s.running(),
                "shutdown", s.shutdown(), "broken", s.broken(), "heap_used_bytes", s.memory().heapUsedBytes(),
                "rss_bytes", s.memory().rssBytes(), "process_cpu_seconds", s.memory().cpuNanos() / 1e9, "per_worker", Tuple.copyOf(workers));
    }

    private static Tuple pairs(Object... kv) {
        Object[] out = new Object[kv.length / 2];
        for (int i = 0; i < out.length; i++) {
            out[i] = Tuple.wrap(new Object[] {kv[2 * i], kv[2 * i + 1]});
        }
        return Tuple.wrap(out);
    }
}
