package dev.tessera.workers;

import dev.tessera.buffer.PythonRuntime;
import dev.tessera.buffer.values.Shareables;
import dev.tessera.buffer.values.Tuple;
import dev.tessera.shm.ArrayStore;
import com.oracle.truffle.api.TruffleSafepoint;
import com.oracle.truffle.api.nodes.Node;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import org.graalvm.polyglot.Context;
import org.graalvm.polyglot.EnvironmentAccess;
import org.graalvm.polyglot.PolyglotAccess;
import org.graalvm.polyglot.io.IOAccess;

/**
 * A pool of worker interpreters: N GraalPy contexts, each owned by one platform thread, sharing one engine (so
 * compiled code is shared) and nothing else. Tasks name a module-level function (or source and an entry point)
 * and carry shareable arguments; results come back as {@link TaskFuture}s.
 *
 * <p>Idle workers wait on the task queue by spinning briefly, then parking until a submit wakes them. Workers
 * start in the background: {@link #awaitReady()} waits for them. A worker whose task is stopped (deadline,
 * cancel) is replaced by a spare worker that is already running ({@link Builder#spareWorkers}), so the pool
 * serves at full width at once; a new spare starts in the background. If a worker cannot start (its initializer
 * raised), the pool is broken: its tasks fail with {@link BrokenPoolException}, as CPython's executors do.
 *
 * <p>Workers are sandboxed: no host class access, no native access, no threads or processes, no environment,
 * no network, and a read-only file system limited to the granted directories.
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
    private final Worker[] slots;
    private final List<Worker> everyWorker = new CopyOnWriteArrayList<>();
    private volatile Worker spare;
    private final ConcurrentLinkedQueue<Task> queue = new ConcurrentLinkedQueue<>();
    private final WaitSet idleWorkers = new WaitSet();
    private final Map<TaskTarget, Integer> targetIds = new ConcurrentHashMap<>();
    private final List<TaskTarget> targets = new CopyOnWriteArrayList<>();
    private final ScheduledExecutorService watchdog;
    private final AtomicLong nextId = new AtomicLong(1);
    private final AtomicLong submitted = new AtomicLong();
    private final AtomicLong completed = new AtomicLong();
    private final AtomicLong failed = new AtomicLong();
    private final AtomicLong cancelled = new AtomicLong();
    private final AtomicLong replaced = new AtomicLong();
    private final CountDownLatch started;
    private final long createdNanos = System.nanoTime();
    private volatile long readyNanos;
    private volatile BrokenPoolException broken;
    private volatile boolean shutdown;
    private final java.io.OutputStream out;
    private final java.io.OutputStream err;
    private final double heapLimit;

    private InterpreterPool(Builder b) {
        this.ownsRuntime = b.runtime == null;
        this.runtime = ownsRuntime ? PythonRuntime.start() : b.runtime;
        this.store = b.store != null ? b.store : new ArrayStore();
        this.out = b.out;
        this.err = b.err;
        this.heapLimit = b.heapLimit;
        this.config = new WorkerConfig(b.workers, b.spares, List.copyOf(b.sysPath), List.copyOf(b.preload), b.initializer,
                b.initArgs, List.copyOf(b.readable), b.taskDeadline);
        ScheduledThreadPoolExecutor wd = new ScheduledThreadPoolExecutor(1, r -> Thread.ofPlatform()
                .name("tessera-pool-watchdog").daemon(true).unstarted(r));
        wd.setRemoveOnCancelPolicy(true);
        this.watchdog = wd;
        this.started = new CountDownLatch(b.workers);
        this.slots = new Worker[b.workers];
        for (int i = 0; i < b.workers; i++) {
            slots[i] = newWorker(i);
        }
        for (Worker w : slots) {
            w.thread.start(); // all interpreters start in parallel, in the background
        }
        MemoryGuard.watch(this);
    }

    public static Builder builder() {
        return new Builder();
    }

    private Worker newWorker(int slot) {
        Worker w = new Worker(this, slot);
        everyWorker.add(w);
        return w;
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
        if (error instanceof java.util.concurrent.CancellationException) {
            future.markCancelled();
        } else if (error != null) {
            future.completeExceptionally(error);
        } else {
            future.complete(Shareables.toJava(task.result()));
        }
    }

    /** Queues a task; {@code onEnd} runs once when it ends, on whichever thread ends it. */
    Task submitTask(TaskSpec spec, Consumer<Task> onEnd, Object attachment) {
        checkAccepting();
        Task task = new Task(nextId.getAndIncrement(), spec, targetId(spec.target()), t -> {
            countEnd(t);
            onEnd.accept(t);
        }, attachment);
        submitted.incrementAndGet();
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

    private void countEnd(Task t) {
        Throwable e = t.error();
        (e == null ? completed : e instanceof java.util.concurrent.CancellationException ? cancelled : failed).incrementAndGet();
    }

    /** Runs one task per element of {@code argLists}; the futures in order. */
    public List<TaskFuture> map(String module, String function, List<List<Object>> argLists) {
        List<TaskFuture> out = new ArrayList<>();
        for (List<Object> args : argLists) {
            out.add(submit(module, function, args.toArray()));
        }
        return out;
    }

    /** A small number naming {@code target} in this pool; workers resolve each target once. */
    int targetId(TaskTarget target) {
        Integer id = targetIds.get(target);
        if (id != null) {
            return id;
        }
        synchronized (targets) {
            return targetIds.computeIfAbsent(target, t -> {
                targets.add(t);
                return targets.size() - 1;
            });
        }
    }

    TaskTarget target(int id) {
        return targets.get(id);
    }

    int targetCount() {
        return targets.size();
    }

    // ---- state --------------------------------------------------------------------------------------------------

    public int workerCount() {
        return config.workers();
    }

    /** Waits until every worker has started (or one failed, breaking the pool); false after the timeout. */
    public boolean awaitReady(Duration timeout) throws InterruptedException {
        return started.await(timeout.toNanos(), TimeUnit.NANOSECONDS);
    }

    /** Waits until every worker has started; the time from the pool's creation to the last one being ready. */
    public Duration startupTime() {
        try {
            started.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return Duration.ofNanos(Math.max(0, readyNanos - createdNanos));
    }

    public long completedTasks() {
        return completed.get();
    }

    public long failedTasks() {
        return failed.get();
    }

    /** Workers whose interpreter was replaced after a deadline, a cancel or an internal failure. */
    public long replacedWorkers() {
        return replaced.get();
    }

    public int queuedTasks() {
        return queue.size();
    }

    public boolean isShutdown() {
        return shutdown;
    }

    /** Shut down, nothing queued, nothing running: no task of this pool will end any more. */
    boolean isDrained() {
        if (!shutdown || !queue.isEmpty()) {
            return false;
        }
        for (Worker w : everyWorker) {
            if (w.currentTask() != null) {
                return false;
            }
        }
        return true;
    }

    /** Why the pool cannot run tasks, or null while it can. */
    public BrokenPoolException brokenReason() {
        return broken;
    }

    public ArrayStore store() {
        return store;
    }

    /** What the pool is doing: counts, and per worker its tasks and the bytes its thread has allocated. */
    public PoolStats stats() {
        List<PoolStats.WorkerStats> ws = new ArrayList<>();
        for (Worker w : slots) {
            if (w != null) {
                Task t = w.currentTask();
                ws.add(new PoolStats.WorkerStats(w.slot(), w.isReady(), t != null, w.tasksRun(),
                        w.allocatedBytes()));
            }
        }
        int running = (int) ws.stream().filter(PoolStats.WorkerStats::busy).count();
        Worker s = spare;
        return new PoolStats(config.workers(), s != null && s.isWarm() ? 1 : 0, submitted.get(), completed.get(), failed.get(),
                cancelled.get(), replaced.get(), queue.size(), running, shutdown, broken != null, List.copyOf(ws),
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
    void shutdown(boolean wait, boolean cancelFutures, Node node) {
        shutdown = true;
        if (cancelFutures) {
            for (Task t; (t = queue.poll()) != null; ) {
                t.cancelQueued();
            }
        }
        idleWorkers.signalAll();
        Worker s = spare;
        if (s != null) {
            java.util.concurrent.locks.LockSupport.unpark(s.thread);
        }
        if (wait) {
            awaitWorkers(node);
            watchdog.shutdownNow();
            if (ownsRuntime) {
                runtime.close();
            }
        }
    }

    private void awaitWorkers(Node node) {
        while (true) {
            Worker alive = null;
            for (Worker w : everyWorker) {
                if (w.thread.isAlive()) {
                    alive = w;
                    break;
                }
            }
            if (alive == null) {
                return;
            }
            try {
                alive.thread.join(20);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
            if (node != null) {
                TruffleSafepoint.poll(node);
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
        for (Worker w : everyWorker) {
            Task running = w.currentTask();
            if (running != null) {
                w.stop(running, Worker.cancelled(running));
            }
        }
        shutdown(true, false);
    }

    // ---- used by workers and futures ----------------------------------------------------------------------------

    WorkerConfig config() {
        return config;
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

    boolean cancel(Task task, boolean interruptIfRunning) {
        if (task.cancelQueued()) { // also wins against a worker that took the task but has not started it
            queue.remove(task);
            return true;
        }
        if (interruptIfRunning && task.isRunning()) {
            for (Worker w : everyWorker) {
                if (w.stop(task, Worker.cancelled(task))) {
                    return true;
                }
            }
        }
        return false;
    }

    ScheduledFuture<?> scheduleDeadline(Worker worker, Task task) {
        Duration d = task.spec.deadline() != null ? task.spec.deadline() : config.taskDeadline();
        if (d == null) {
            return null;
        }
        long ms = Worker.millis(d);
        return watchdog.schedule(() -> worker.stop(task, Worker.timedOut(task, ms)), d.toNanos(), TimeUnit.NANOSECONDS);
    }

    Context newWorkerContext(Worker worker) {
        long t0 = System.nanoTime();
        List<Path> roots = config.readRoots();
        // GraalPy's own standard library is an internal resource: readable through the decorators, nothing else is.
        org.graalvm.polyglot.io.FileSystem fs = org.graalvm.polyglot.io.FileSystem.allowInternalResourceAccess(
                org.graalvm.polyglot.io.FileSystem.allowLanguageHomeAccess(new SandboxFileSystem(roots)));
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
            Interpreters.installWorker(context, store, this, worker);
            if (Boolean.getBoolean("tessera.traceStartup")) {
                System.err.printf("tessera: %s context built %.1f ms, python initialized %.1f ms, tessera installed %.1f ms%n",
                        worker.thread.getName(), (t1 - t0) / 1e6, (t2 - t1) / 1e6, (System.nanoTime() - t2) / 1e6);
            }
            return context;
        } catch (RuntimeException e) {
            context.close(true);
            throw e;
        }
    }

    void workerReady(Worker w) {
        if (w.slot() >= 0 && started.getCount() > 0) {
            readyNanos = System.nanoTime();
            started.countDown();
            if (started.getCount() == 0 && config.spares() > 0) {
                startSpare(); // after the pool's own workers, so that it does not slow their start
            }
        }
    }

    void workerFailedToStart(Worker w, RuntimeException e) {
        if (Boolean.getBoolean("tessera.debug")) {
            e.printStackTrace();
        }
        if (w.slot() < 0) { // a spare: the pool still serves; replacements will start their own workers
            if (spare == w) {
                spare = null;
            }
            return;
        }
        String why = e instanceof WorkerException we
                ? "a worker's initializer or preload raised " + we.getMessage() + "; the pool cannot run tasks\n" + we.traceback()
                : "a worker interpreter failed to start: " + e.getMessage() + "; the pool cannot run tasks";
        breakPool(new BrokenPoolException(why, e));
        if (started.getCount() > 0) {
            readyNanos = System.nanoTime();
            started.countDown();
        }
    }

    private synchronized void breakPool(BrokenPoolException reason) {
        if (broken != null) {
            return;
        }
        broken = reason;
        for (Task t; (t = queue.poll()) != null; ) {
            if (t.start()) {
                t.finish(null, reason);
            }
        }
        idleWorkers.signalAll();
    }

    /**
     * A worker's thread is ending (its interpreter closed): the pool forgets it, so that a pool replacing workers
     * for days does not keep every stopped worker (and what its interpreter reached) alive.
     */
    void workerEnded(Worker w) {
        everyWorker.remove(w);
        if (shutdown && everyWorker.isEmpty()) {
            MemoryGuard.forget(this);
        }
    }

    /** Every worker the pool refers to (slots, spare, stopped ones still ending), for the memory guard. */
    List<Worker> workers() {
        return everyWorker;
    }

    /** Past this fraction of the maximum heap in use after a full collection, a running task is stopped. */
    double heapLimit() {
        return heapLimit;
    }

    /** Workers the pool still refers to: its slots and spare, plus stopped ones whose threads are still ending. */
    int knownWorkers() {
        return everyWorker.size();
    }

    /** A worker's interpreter was stopped: its slot goes to the spare (or a new worker), and a new spare starts. */
    synchronized void replace(Worker old) {
        replaced.incrementAndGet();
        int slot = old.slot();
        if (shutdown || slot < 0) {
            return;
        }
        Worker s = spare;
        if (s != null && s.isReady()) {
            spare = null;
            slots[slot] = s;
            s.promote(slot);
        } else {
            Worker w = newWorker(slot);
            slots[slot] = w;
            w.thread.start();
        }
        startSpare();
    }

    private synchronized void startSpare() {
        if (config.spares() > 0 && spare == null && !shutdown && broken == null) {
            Worker s = newWorker(-1);
            spare = s;
            s.thread.start();
        }
    }

    void taskEnded(Task task) {
        // counted by the task's own end hook; kept as the place for per-worker accounting
    }

    @Override
    public String toString() {
        return "InterpreterPool[" + config.workers() + " workers, " + queue.size() + " queued" + (shutdown ? ", shut down" : "") + "]";
    }

    /** Configures a pool. */
    public static final class Builder {
        private PythonRuntime runtime;
        private ArrayStore store;
        private int workers = Runtime.getRuntime().availableProcessors();
        private int spares = 1;
        private final List<Path> sysPath = new ArrayList<>();
        private final List<String> preload = new ArrayList<>();
        private final List<Path> readable = new ArrayList<>();
        private TaskTarget initializer;
        private Tuple initArgs = Tuple.EMPTY;
        private Duration taskDeadline;
        private double heapLimit = 0.85;
        private java.io.OutputStream out;
        private java.io.OutputStream err;

        /** Where workers' sys.stdout and sys.stderr go (default: the JVM's System.out and System.err). */
        public Builder output(java.io.OutputStream out, java.io.OutputStream err) {
            this.out = out;
            this.err = err;
            return this;
        }

        /** The shared engine to run on (default: the pool starts and owns its own). */
        public Builder runtime(PythonRuntime runtime) {
            this.runtime = runtime;
            return this;
        }

        /** The store that workers' own allocations ({@code tessera.zeros} in a worker) go to. */
        public Builder store(ArrayStore store) {
            this.store = store;
            return this;
        }

        /** Number of worker interpreters (default: the number of cores). */
        public Builder workers(int n) {
            if (n < 1) {
                throw new IllegalArgumentException("a pool needs at least one worker, got " + n);
            }
            this.workers = n;
            return this;
        }

        /**
         * Workers kept started and idle, to replace a stopped worker at once (default 1; 0 saves its memory, and a
         * replacement then starts a new interpreter, which takes a few hundred milliseconds).
         */
        public Builder spareWorkers(int n) {
            if (n < 0 || n > 1) {
                throw new IllegalArgumentException("spare workers must be 0 or 1, got " + n);
            }
            this.spares = n;
            return this;
        }

        /** Directories put first on every worker's sys.path (and readable by workers). */
        public Builder sysPath(Path... dirs) {
            sysPath.addAll(List.of(dirs));
            return this;
        }

        /** Modules imported by every worker at start, so that tasks do not pay the import. */
        public Builder preload(String... modules) {
            preload.addAll(List.of(modules));
            return this;
        }

        /** Python source run once in every worker at start (after preloads). */
        public Builder initializerSource(String source) {
            this.initializer = TaskTarget.source(source, "");
            return this;
        }

        /** {@code module.function(*args)} run once in every worker at start. */
        public Builder initializer(String module, String function, Object... args) {
            return initializer(new TaskTarget(module, function, null, null, null), args);
        }

        Builder initializer(TaskTarget target, Object... args) {
            this.initializer = target;
            this.initArgs = (Tuple) Shareables.fromJava(args, "initargs");
            return this;
        }

        /** Grants workers read access below these directories (nothing else of the file system is visible). */
        public Builder allowRead(Path... dirs) {
            readable.addAll(List.of(dirs));
            return this;
        }

        /** Every task's deadline unless it sets its own; past it the task fails and its worker is replaced. */
        public Builder taskDeadline(Duration deadline) {
            if (deadline != null && (deadline.isNegative() || deadline.isZero())) {
                throw new IllegalArgumentException("deadline must be positive, got " + deadline);
            }
            this.taskDeadline = deadline;
            return this;
        }

        /**
         * When more than this fraction of the JVM's maximum heap is still in use after a full collection, the running
         * task that has allocated the most since it began is stopped ({@link TaskMemoryException}) and its worker
         * replaced, before an OutOfMemoryError can strike another thread (default 0.85; 1 turns the guard off).
         */
        public Builder heapLimit(double fraction) {
            if (!(fraction > 0 && fraction <= 1)) {
                throw new IllegalArgumentException("heap limit must be a fraction in (0, 1], got " + fraction);
            }
            this.heapLimit = fraction;
            return this;
        }

        /** Starts the pool; its workers start in the background ({@link #awaitReady} waits for them). */
        public InterpreterPool build() {
            return new InterpreterPool(this);
        }
    }
}
