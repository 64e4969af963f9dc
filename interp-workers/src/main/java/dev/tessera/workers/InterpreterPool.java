package dev.tessera.workers;

import com.oracle.truffle.api.nodes.Node;
import dev.tessera.buffer.PythonRuntime;
import dev.tessera.buffer.values.Shareables;
import dev.tessera.shm.ArrayStore;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CancellationException;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;

/**
 * A pool of worker interpreters: N GraalPy contexts, each owned by one platform thread, sharing one engine (so
 * compiled code is shared) and nothing else. Tasks name a module-level function (or source and an entry point)
 * and carry shareable arguments; results come back as {@link TaskFuture}s.
 *
 * <p>This class is the executor: the task queue, submitting, cancelling and shutting down. Its parts: the workers
 * and their spare ({@link WorkerSlots}), their sandboxed interpreters ({@link WorkerContexts}), the targets tasks name
 * ({@link TaskTargets}), deadlines ({@link Deadlines}, each {@link Worker} schedules its own) and counts
 * ({@link PoolCounters}).
 *
 * <p>Idle workers wait on the task queue by spinning briefly, then parking until a submit wakes them
 * ({@link WaitSet}). Workers start in the background: {@link #awaitReady} waits for them. A worker whose task is
 * stopped (deadline, cancel) is replaced by a spare worker that is already running ({@link PoolBuilder#spareWorkers}),
 * so the pool serves at full width at once. If a worker cannot start (its initializer raised), the pool is broken:
 * its tasks fail with {@link BrokenPoolException}, as CPython's executors do.
 *
 * <pre>{@code
 * try (InterpreterPool pool = InterpreterPool.builder().workers(2).sysPath(Path.of("py")).build()) {
 *     Object sum = pool.submit("kernels", "fill", array.slice(0, n), 0L).get();
 * }
 * }</pre>
 */
public final class InterpreterPool implements AutoCloseable {
    private static final Object STOP = new Object();

    private final PythonRuntime runtime;
    private final boolean ownsRuntime;
    private final ArrayStore store;
    private final WorkerConfig config;
    private final double heapLimit;
    final WorkerSlots slots;
    final WorkerContexts contexts;
    final TaskTargets targets = new TaskTargets();
    final Deadlines deadlines = new Deadlines();
    final PoolCounters counters = new PoolCounters();
    private final ConcurrentLinkedQueue<Task> queue = new ConcurrentLinkedQueue<>();
    private final WaitSet idleWorkers = new WaitSet();
    private final AtomicLong nextId = new AtomicLong(1);
    private volatile BrokenPoolException broken;
    private volatile boolean shutdown;

    InterpreterPool(PoolBuilder b) {
        this.ownsRuntime = b.runtime == null;
        this.runtime = ownsRuntime ? PythonRuntime.start() : b.runtime;
        this.store = b.store != null ? b.store : new ArrayStore();
        this.heapLimit = b.heapLimit;
        this.config = new WorkerConfig(b.workers, b.spares, List.copyOf(b.sysPath), List.copyOf(b.preload), b.initializer,
                b.initArgs, List.copyOf(b.readable), b.taskDeadline);
        this.contexts = new WorkerContexts(runtime, store, config.readRoots(), b.out, b.err);
        this.slots = new WorkerSlots(this, b.workers, b.spares);
        slots.startAll(); // all interpreters start in parallel, in the background
        MemoryGuard.watch(this);
    }

    public static PoolBuilder builder() {
        return new PoolBuilder();
    }

    // ---- submitting ---------------------------------------------------------------------------------------------

    /** Runs {@code module.function(*args)} in a worker. Arguments must be shareable (see {@link Shareables}). */
    public TaskFuture submit(String module, String function, Object... args) {
        return submit(TaskSpec.call(module, function, args));
    }

    /** Runs {@code entry(*args)}, where {@code source} defines {@code entry} (compiled once per worker). */
    public TaskFuture submitSource(String source, String entry, Object... args) {
        return submit(TaskSpec.source(source, entry, args));
    }

    public TaskFuture submit(TaskSpec spec) {
        TaskFuture future = new TaskFuture(this);
        future.bind(submitTask(spec, task -> complete(future, task), null));
        return future;
    }

    private static void complete(TaskFuture future, Task task) {
        Throwable error = task.error();
        if (error instanceof CancellationException) {
            future.markCancelled();
        } else if (error != null) {
            future.completeExceptionally(error);
        } else {
            future.complete(Shareables.toJava(task.result()));
        }
    }

    /** Runs one task per element of {@code argLists}; the futures in order. */
    public List<TaskFuture> map(String module, String function, List<List<Object>> argLists) {
        List<TaskFuture> out = new ArrayList<>();
        for (List<Object> args : argLists) {
            out.add(submit(module, function, args.toArray()));
        }
        return out;
    }

    /**
     * Queues a task; {@code onEnd} runs once when it ends, on whichever thread ends it. (The Python side submits this
     * way, with its handle as the attachment.)
     */
    public Task submitTask(TaskSpec spec, Consumer<Task> onEnd, Object attachment) {
        checkAccepting();
        Task task = new Task(nextId.getAndIncrement(), spec, targets.idOf(spec.target()), t -> {
            counters.ended(t);
            onEnd.accept(t);
        }, attachment);
        counters.submitted.incrementAndGet();
        queue.offer(task);
        idleWorkers.signalOne();
        if ((shutdown || broken != null) && queue.remove(task)) { // raced with shutdown: nobody would run it
            task.cancelQueued();
            checkAccepting();
        }
        return task;
    }

    private void checkAccepting() {
        BrokenPoolException b = broken;
        if (b != null) {
            throw new BrokenPoolException(b.getMessage(), b.getCause());
        }
        if (shutdown) {
            throw new RejectedExecutionException("cannot schedule new tasks after shutdown");
        }
    }

    /** The next task to run, waiting for one; null once the pool is shut down (or broken) and the queue is empty. */
    Task nextTask(Node node) {
        try {
            Object got = pollTask(); // first without the wait's method reference (one allocation per task)
            if (got == WaitSet.NOTHING) {
                got = idleWorkers.await(this::pollTask, WaitSet.FOREVER, node);
            }
            return got == STOP ? null : (Task) got;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return null;
        }
    }

    private Object pollTask() {
        for (Task t; (t = queue.poll()) != null; ) {
            if (t.start()) {
                if (!queue.isEmpty()) {
                    idleWorkers.signalOne(); // more work: wake the next idle worker
                }
                return t;
            }
        }
        return shutdown || broken != null ? STOP : WaitSet.NOTHING;
    }

    /** Cancels a queued task; with {@code interruptIfRunning} also stops it running (its worker is replaced). */
    public boolean cancel(Task task, boolean interruptIfRunning) {
        return stop(task, Worker.cancelled(task), interruptIfRunning);
    }

    /**
     * Ends a queued task with {@code reason}; with {@code interruptIfRunning} also a running one (its interpreter is
     * closed under it and its worker replaced). False if the task had ended, or runs and was not to be interrupted.
     */
    boolean stop(Task task, RuntimeException reason, boolean interruptIfRunning) {
        if (task.cancelQueued(reason)) { // also wins against a worker that took the task but has not started it
            queue.remove(task);
            return true;
        }
        if (interruptIfRunning && task.isRunning()) {
            for (Worker w : slots.all()) {
                if (w.stop(task, reason)) {
                    return true;
                }
            }
        }
        return false;
    }

    /** A slot's worker could not start: every task, queued or to come, fails with {@code reason}. */
    void breakPool(BrokenPoolException reason) {
        synchronized (slots) { // no spare starts in a pool that is breaking
            if (broken != null) {
                return;
            }
            broken = reason;
        }
        for (Task t; (t = queue.poll()) != null; ) {
            if (t.start()) {
                t.finish(null, reason);
            }
        }
        idleWorkers.signalAll();
    }

    // ---- state --------------------------------------------------------------------------------------------------

    public int workerCount() {
        return config.workers();
    }

    /** Waits until every worker has started (or one failed, breaking the pool); false after the timeout. */
    public boolean awaitReady(Duration timeout) throws InterruptedException {
        return slots.awaitStarted(timeout);
    }

    /** Waits until every worker has started; the time from the pool's creation to the last one being ready. */
    public Duration startupTime() {
        return slots.startupTime();
    }

    public long completedTasks() {
        return counters.completed.get();
    }

    public long failedTasks() {
        return counters.failed.get();
    }

    /** Workers whose interpreter was replaced after a deadline, a cancel or an internal failure. */
    public long replacedWorkers() {
        return counters.replaced.get();
    }

    public int queuedTasks() {
        return queue.size();
    }

    public boolean isShutdown() {
        return shutdown;
    }

    /** Shut down, nothing queued, nothing running: no task of this pool will end any more. */
    public boolean isDrained() {
        return shutdown && queue.isEmpty() && !slots.anyBusy();
    }

    /** Why the pool cannot run tasks, or null while it can. */
    public BrokenPoolException brokenReason() {
        return broken;
    }

    public ArrayStore store() {
        return store;
    }

    WorkerConfig config() {
        return config;
    }

    /** The number tasks carry for {@code target} (given on first sight). */
    public int targetId(TaskTarget target) {
        return targets.idOf(target);
    }

    public TaskTarget target(int id) {
        return targets.get(id);
    }

    /** Workers the pool still refers to: its slots and spare, plus stopped ones whose threads are still ending. */
    int knownWorkers() {
        return slots.all().size();
    }

    /** Past this fraction of the maximum heap in use after a full collection, a running task is stopped. */
    double heapLimit() {
        return heapLimit;
    }

    /** What the pool is doing: counts, and per worker its tasks and the bytes its thread has allocated. */
    public PoolStats stats() {
        List<PoolStats.WorkerStats> ws = slots.stats();
        int running = (int) ws.stream().filter(PoolStats.WorkerStats::busy).count();
        PoolCounters c = counters;
        return new PoolStats(config.workers(), slots.warmSpares(), c.submitted.get(), c.completed.get(), c.failed.get(),
                c.cancelled.get(), c.replaced.get(), queue.size(), running, shutdown, broken != null, List.copyOf(ws),
                ProcessMemory.now(false));
    }

    // ---- stopping ----------------------------------------------------------------------------------------------

    /**
     * Stops accepting tasks. With {@code cancelFutures}, queued tasks are cancelled; otherwise they still run.
     * With {@code wait}, returns when every worker has ended and closed its interpreter. Tasks end by releasing
     * the views they borrowed, so once this returns with {@code wait} no lease of the pool's tasks remains.
     */
    public void shutdown(boolean wait, boolean cancelFutures) {
        shutdown(wait, cancelFutures, null);
    }

    /** As {@link #shutdown(boolean, boolean)}; an interpreter's {@code node} keeps its safepoints working while it waits. */
    public void shutdown(boolean wait, boolean cancelFutures, Node node) {
        shutdown = true;
        if (cancelFutures) {
            for (Task t; (t = queue.poll()) != null; ) {
                t.cancelQueued();
            }
        }
        idleWorkers.signalAll();
        slots.wakeSpare();
        if (wait) {
            slots.awaitEnded(node);
            deadlines.close();
            if (ownsRuntime) {
                runtime.close();
            }
        }
    }

    /** Shuts down, waiting for queued and running tasks. */
    @Override
    public void close() {
        shutdown(true, false);
    }

    /** Cancels queued tasks, stops running ones, and waits for the workers to end. */
    public void shutdownNow() {
        shutdown = true;
        for (Task t; (t = queue.poll()) != null; ) {
            t.cancelQueued();
        }
        for (Worker w : slots.all()) {
            Task running = w.currentTask();
            if (running != null) {
                w.stop(running, Worker.cancelled(running));
            }
        }
        shutdown(true, false);
    }

    @Override
    public String toString() {
        return "InterpreterPool[" + config.workers() + " workers, " + queue.size() + " queued" + (shutdown ? ", shut down" : "") + "]";
    }
}
