package dev.tessera.workers.python;

import com.oracle.truffle.api.nodes.Node;
import dev.tessera.buffer.HostErrors;
import dev.tessera.buffer.PythonRuntime;
import dev.tessera.buffer.graalpy.GuestArgs;
import dev.tessera.buffer.graalpy.GuestScope;
import dev.tessera.buffer.graalpy.GuestValues;
import dev.tessera.buffer.graalpy.HostFunction;
import dev.tessera.buffer.values.NotShareableException;
import dev.tessera.buffer.values.Shareables;
import dev.tessera.buffer.values.Tuple;
import dev.tessera.shm.ArrayStore;
import dev.tessera.shm.SharedArray;
import dev.tessera.workers.BrokenPoolException;
import dev.tessera.workers.InterpreterPool;
import dev.tessera.workers.PoolBuilder;
import dev.tessera.workers.PoolStats;
import dev.tessera.workers.ProcessMemory;
import dev.tessera.workers.RowMap;
import dev.tessera.workers.Task;
import dev.tessera.workers.TaskMemoryException;
import dev.tessera.workers.TaskSpec;
import dev.tessera.workers.TaskTarget;
import dev.tessera.workers.TaskTimeoutException;
import dev.tessera.workers.Timeouts;
import dev.tessera.workers.WaitSet;
import dev.tessera.workers.WorkerException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
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
                // target_function(module, qualname, main_file or None) -> a task target
                new HostFunction("target_function", 3, scope, (a, node) -> new TargetObject(TaskTarget.function(
                        GuestArgs.asString(a[0], "module"), GuestArgs.asString(a[1], "qualname"), GuestArgs.asOptString(a[2], "main_file")))).quick(),
                // target_source(code, entry) -> a task target
                new HostFunction("target_source", 2, scope, (a, node) -> new TargetObject(TaskTarget.source(
                        GuestArgs.asString(a[0], "code"), GuestArgs.asString(a[1], "entry")))).quick(),
                // pool_target(pool, target) -> the number tasks carry for it
                new HostFunction("pool_target", 2, scope, (a, node) -> (long) pool(a[0]).pool.targetId(TargetObject.of(a[1], "fn"))).quick(),
                // pool_submit(pool, future, target_id, args: tuple, kwargs: tuple of pairs or None) -> task handle
                new HostFunction("pool_submit", 5, scope, (a, node) -> {
                    PoolObject p = pool(a[0]);
                    TaskTarget target = p.pool.target(GuestArgs.asInt(a[2], "target"));
                    TaskSpec spec = new TaskSpec(target, (Tuple) GuestValues.toHostOrCopy(a[3], "argument", scope), GuestValues.kwargsToHost(a[4], scope), null);
                    try {
                        return p.submit(spec, a[1]);
                    } catch (RejectedExecutionException e) {
                        throw scope.raise(node, "RuntimeError", "cannot schedule new futures after shutdown");
                    } catch (BrokenPoolException e) {
                        throw scope.raise(node, "BrokenInterpreterPool", e.getMessage());
                    }
                }).quick(),
                // pool_completions(pool) -> ((future, value, exc), ...), or None once every outcome was delivered
                new HostFunction("pool_completions", 1, scope, (a, node) -> {
                    TaskRef[] batch = nextEnded(pool(a[0]), node);
                    if (batch.length == 0) {
                        return GuestValues.none();
                    }
                    Object[] out = new Object[batch.length];
                    for (int i = 0; i < batch.length; i++) {
                        Object[] o = outcome(batch[i].task(), scope, node);
                        out[i] = GuestValues.tuple(node, batch[i].future, o[0], o[1]);
                    }
                    return GuestValues.tuple(node, out);
                }).quick(),
                // pool_await(task, timeout) -> (value, exc) if this caller delivers the outcome, else None
                new HostFunction("pool_await", 2, scope, (a, node) -> {
                    TaskRef ref = task(a[0]);
                    long nanos = Timeouts.nanos(GuestArgs.asSeconds(a[1], "timeout", -1));
                    try {
                        ref.awaitEnd(nanos, node);
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                    return claimOutcome(ref, scope, node);
                }).quick(),
                // pool_cancel(task, interrupt) -> cancelled?
                new HostFunction("pool_cancel", 2, scope, (a, node) -> {
                    TaskRef ref = task(a[0]);
                    return ref.pool.pool.cancel(ref.task(), GuestArgs.truthy(a[1]));
                }),
                new HostFunction("pool_running", 1, scope, (a, node) -> task(a[0]).task().isRunning()).quick(),
                // pool_poll(task) -> (value, exc) if the task ended and this caller delivers its outcome, else None
                new HostFunction("pool_poll", 1, scope, (a, node) -> claimOutcome(task(a[0]), scope, node)).quick(),
                // pool_want(task): someone waits for the outcome without result(); the completer delivers it
                new HostFunction("pool_want", 1, scope, (a, node) -> {
                    TaskRef ref = task(a[0]);
                    ref.pool.want(ref);
                    return GuestValues.none();
                }).quick(),
                // pool_map_rows(pool, target_id, array, chunks, ranges or None, readonly, args, timeout) -> ((start, stop, value, exc), ...)
                new HostFunction("pool_map_rows", 8, scope, (a, node) -> mapRows(a, scope, node)),
                // pool_shutdown(pool, wait, cancel_futures)
                new HostFunction("pool_shutdown", 3, scope, (a, node) -> {
                    pool(a[0]).pool.shutdown(GuestArgs.truthy(a[1]), GuestArgs.truthy(a[2]), node);
                    return GuestValues.none();
                }),
                // pool_startup_seconds(pool): waits until the workers have started
                new HostFunction("pool_startup_seconds", 1, scope, (a, node) -> pool(a[0]).pool.startupTime().toNanos() / 1e9).quick(),
                new HostFunction("pool_workers", 1, scope, (a, node) -> (long) pool(a[0]).pool.workerCount()).quick(),
                // process_memory(collect) -> (heap bytes in use, RSS bytes, heap bytes committed, process CPU nanoseconds);
                // collect: after a full GC
                new HostFunction("process_memory", 1, scope, (a, node) -> {
                    ProcessMemory m = ProcessMemory.now(GuestArgs.truthy(a[0]));
                    return GuestValues.toGuest(Tuple.wrapLongs(new long[] {m.heapUsedBytes(), m.rssBytes(), m.heapCommittedBytes(), m.cpuNanos()}),
                            node, false);
                }),
                // pool_stats(pool) -> ((name, value), ...) with "workers" a tuple of such tuples
                new HostFunction("pool_stats", 1, scope, (a, node) -> GuestValues.toGuest(stats(pool(a[0]).pool.stats()),
                        node, false)));
    }

    /** A worker's pool functions: the same names as the main interpreter's, each a clear refusal to start pools. */
    static List<HostFunction> refusing(GuestScope scope) {
        List<HostFunction> out = new ArrayList<>();
        for (HostFunction f : of(null, scope)) {
            out.add(new HostFunction(f.name(), 0, 16, scope, (a, node) -> {
                throw scope.raise(node, "RuntimeError", "interpreter pools are started by the main interpreter; "
                        + "a worker cannot start workers (send work back through a queue instead; if this came from a worker "
                        + "importing your main script, put the script's pool under 'if __name__ == \"__main__\":')");
            }));
        }
        return out;
    }

    /**
     * {@code pool_map_rows}: the pool's {@link RowMap} over {@code array}'s rows, waited for; each range's (start, stop,
     * value, exception) in row order. Past {@code timeout} the ranges not yet ended are stopped and fail with
     * DeadlineExceeded.
     */
    private static Object mapRows(Object[] a, GuestScope scope, Node node) {
        PoolObject p = pool(a[0]);
        TaskTarget target = p.pool.target(GuestArgs.asInt(a[1], "target"));
        SharedArray array = GuestArgs.asArray(a[2], "array");
        Tuple args = (Tuple) GuestValues.toHostOrCopy(a[6], "argument", scope); // before any lease: an unshareable argument leases nothing
        double timeout = GuestArgs.asSeconds(a[7], "timeout", -1);
        List<RowMap.Rows> ranges = GuestArgs.isNone(a[4]) ? RowMap.split(array.length(), GuestArgs.asLong(a[3], "chunks"), "chunks") : rows(a[4]);
        RowMap map = RowMap.start(p.pool, target, array, ranges, GuestArgs.truthy(a[5]), args);
        boolean ended;
        try {
            ended = map.await(Timeouts.nanos(timeout), node);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            ended = false;
        }
        Object[] out = new Object[ranges.size()];
        for (int i = 0; i < out.length; i++) {
            RowMap.Rows r = ranges.get(i);
            Object[] o;
            RuntimeException late = ended ? null : new TaskTimeoutException(r + " did not finish within " + timeout + " s");
            if (late != null && map.stop(i, late)) {
                o = new Object[] {GuestValues.none(), exception(late, scope)}; // a running one ends with it moments later
            } else {
                awaitOutcome(map.task(i), node); // ended, or ending: its worker is finishing it
                o = outcome(map.task(i), scope, node);
            }
            out[i] = GuestValues.tuple(node, r.start(), r.stop(), o[0], o[1]);
        }
        return GuestValues.tuple(node, out);
    }

    private static void awaitOutcome(Task task, Node node) {
        try {
            task.awaitEnd(WaitSet.FOREVER, node);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Ranges as Python gives them: a tuple of (start, stop) pairs of ints. */
    private static List<RowMap.Rows> rows(Object pairs) {
        Tuple t = (Tuple) GuestValues.toHost(pairs, "ranges");
        List<RowMap.Rows> out = new ArrayList<>(t.size());
        for (Object pair : t) {
            if (!(pair instanceof Tuple p) || p.size() != 2 || !(p.get(0) instanceof Long lo) || !(p.get(1) instanceof Long hi)) {
                throw new ClassCastException("ranges must be (start, stop) pairs of ints");
            }
            out.add(new RowMap.Rows(lo, hi));
        }
        return out;
    }

    private static PoolObject create(Owner owner, Object[] a, GuestScope scope) {
        PoolBuilder b = InterpreterPool.builder().runtime(owner.runtime).store(owner.store).output(owner.out, owner.err);
        if (!GuestArgs.isNone(a[0])) {
            b.workers(GuestArgs.asInt(a[0], "max_workers"));
        }
        b.preload(GuestArgs.asStrings(a[1], "preload").toArray(String[]::new));
        if (!GuestArgs.isNone(a[2])) {
            b.initializer(TargetObject.of(a[2], "initializer"), ((Tuple) GuestValues.toHostOrCopy(a[3], "initargs", scope)).toArray());
        }
        b.sysPath(paths(a[4], "sys_path"));
        double timeout = GuestArgs.asSeconds(a[5], "task_timeout", -1);
        if (timeout == 0) {
            throw new IllegalArgumentException("task_timeout must be positive");
        }
        b.taskDeadline(Timeouts.duration(timeout)); // None: no deadline
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

    private static TaskRef[] nextEnded(PoolObject pool, Node node) {
        try {
            return pool.nextEnded(node, BATCH);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return new TaskRef[0];
        }
    }

    /** {value, exception}: the Python result, or the exception object to set on the future. */
    private static Object[] outcome(Task task, GuestScope scope, Node node) {
        Throwable e = task.error();
        if (e == null) {
            return new Object[] {GuestValues.toGuest(task.result(), node, false, scope), GuestValues.none()};
        }
        return new Object[] {GuestValues.none(), exception(e, scope)};
    }

    /** (value, exc) if the task has ended and this caller is the one to deliver its outcome, else None. */
    private static Object claimOutcome(TaskRef ref, GuestScope scope, Node node) {
        if (ref.task().hasOutcome() && ref.pool.claim(ref)) {
            return GuestValues.tuple(node, outcome(ref.task(), scope, node));
        }
        return GuestValues.none();
    }

    /** The Python exception object for a task's failure. */
    private static Object exception(Throwable e, GuestScope scope) {
        return switch (e) {
            // a result that could not be pickled, arguments that could not be unpickled: what was sent, not the task, failed
            case WorkerException w when w.pythonType().equals("tessera.NotShareableError") ->
                    scope.instantiate("NotShareableError", ts(w.pythonMessage()));
            case WorkerException w -> scope.instantiate("ExecutionFailed", ts(w.pythonType()), ts(w.pythonMessage()), ts(w.traceback()));
            case TaskTimeoutException t -> scope.instantiate("DeadlineExceeded", ts(t.getMessage()));
            case TaskMemoryException m -> scope.instantiate("MemoryLimitExceeded", ts(m.getMessage()));
            case CancellationException c -> scope.instantiate("CancelledError", ts(c.getMessage()));
            case BrokenPoolException b -> scope.instantiate("BrokenInterpreterPool", ts(b.getMessage()));
            case NotShareableException n -> scope.instantiate("NotShareableError", ts(n.getMessage()));
            case RuntimeException r -> scope.instantiate(HostErrors.pythonType(r), ts(String.valueOf(r.getMessage())));
            default -> scope.instantiate("RuntimeError", ts(e.toString()));
        };
    }

    private static Object ts(String s) {
        return GuestValues.str(s);
    }

    private static Path[] paths(Object tuple, String what) {
        return GuestArgs.asStrings(tuple, what).stream().map(Path::of).toArray(Path[]::new);
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
