package dev.tessera.workers;

import dev.tessera.buffer.PythonRuntime;
import dev.tessera.buffer.TesseraModule;
import dev.tessera.shm.ArrayStore;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingDeque;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.graalvm.polyglot.Context;
import org.graalvm.polyglot.EnvironmentAccess;
import org.graalvm.polyglot.PolyglotAccess;
import org.graalvm.polyglot.io.IOAccess;

/**
 * A pool of worker interpreters: N GraalPy contexts, each owned by one platform thread, sharing one engine (so
 * compiled code is shared) and nothing else. Tasks name a module-level function (or source and an entry point)
 * and carry shareable arguments; results come back as {@link TaskFuture}s.
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
    private static final Task NO_MORE_TASKS = null; // what nextTask() returns once the pool is shut down and drained

    private final PythonRuntime runtime;
    private final boolean ownsRuntime;
    private final ArrayStore store;
    private final WorkerConfig config;
    private final List<Worker> workers = new ArrayList<>();
    private final LinkedBlockingDeque<Task> queue = new LinkedBlockingDeque<>();
    private final ScheduledExecutorService watchdog;
    private final AtomicLong nextId = new AtomicLong(1);
    private final AtomicLong completed = new AtomicLong();
    private final AtomicLong failed = new AtomicLong();
    private final AtomicLong replaced = new AtomicLong();
    private final CountDownLatch started;
    private final List<RuntimeException> startFailures = new ArrayList<>();
    private final Duration startupTime;
    private volatile boolean shutdown;

    private InterpreterPool(Builder b) {
        this.ownsRuntime = b.runtime == null;
        this.runtime = ownsRuntime ? PythonRuntime.start() : b.runtime;
        this.store = b.store != null ? b.store : new ArrayStore();
        this.config = new WorkerConfig(b.workers, List.copyOf(b.sysPath), List.copyOf(b.preload), b.initModule,
                b.initQualname, b.initMainFile, b.initSource, b.initArgs, List.copyOf(b.readable), b.taskDeadline);
        ScheduledThreadPoolExecutor wd = new ScheduledThreadPoolExecutor(1, r -> Thread.ofPlatform()
                .name("tessera-pool-watchdog").daemon(true).unstarted(r));
        wd.setRemoveOnCancelPolicy(true);
        this.watchdog = wd;
        this.started = new CountDownLatch(b.workers);
        long t0 = System.nanoTime();
        for (int i = 0; i < b.workers; i++) {
            workers.add(new Worker(this, i));
        }
        workers.forEach(w -> w.thread.start()); // all interpreters start in parallel
        try {
            started.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            shutdownNow();
            throw new IllegalStateException("interrupted while the pool's workers were starting", e);
        }
        this.startupTime = Duration.ofNanos(System.nanoTime() - t0);
        synchronized (startFailures) {
            if (!startFailures.isEmpty()) {
                RuntimeException first = startFailures.getFirst();
                shutdownNow();
                throw first instanceof WorkerException ? first
                        : new IllegalStateException("a worker interpreter failed to start: " + first.getMessage(), first);
            }
        }
    }

    public static Builder builder() {
        return new Builder();
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
        if (shutdown) {
            throw new RejectedExecutionException("cannot schedule new tasks after shutdown");
        }
        Task task = new Task(nextId.getAndIncrement(), this, spec);
        queue.addLast(task);
        if (shutdown && queue.remove(task)) { // raced with shutdown: nobody would run it
            task.cancelQueued();
            throw new RejectedExecutionException("cannot schedule new tasks after shutdown");
        }
        return task.future;
    }

    /** Runs one task per element of {@code argLists}; the futures in order. */
    public List<TaskFuture> map(String module, String function, List<List<Object>> argLists) {
        List<TaskFuture> out = new ArrayList<>();
        for (List<Object> args : argLists) {
            out.add(submit(module, function, args.toArray()));
        }
        return out;
    }

    // ---- state --------------------------------------------------------------------------------------------------

    public int workerCount() {
        return config.workers();
    }

    /** Time from the start of the first worker to the last one being ready (they start in parallel). */
    public Duration startupTime() {
        return startupTime;
    }

    public long completedTasks() {
        return completed.get();
    }

    public long failedTasks() {
        return failed.get();
    }

    /** Workers whose interpreter was replaced after a deadline or an interrupt. */
    public long replacedWorkers() {
        return replaced.get();
    }

    public int queuedTasks() {
        return queue.size();
    }

    public boolean isShutdown() {
        return shutdown;
    }

    public ArrayStore store() {
        return store;
    }

    // ---- stopping ----------------------------------------------------------------------------------------------

    /**
     * Stops accepting tasks. With {@code cancelFutures}, queued tasks are cancelled; otherwise they still run.
     * With {@code wait}, returns when every worker has ended and closed its interpreter. Tasks end by releasing
     * the views they borrowed, so once this returns with {@code wait} no lease of the pool's tasks remains.
     */
    public void shutdown(boolean wait, boolean cancelFutures) {
        shutdown = true;
        if (cancelFutures) {
            for (Task t; (t = queue.pollFirst()) != null; ) {
                t.cancelQueued();
            }
        }
        // Idle workers notice within one poll of the queue; busy ones when their task ends. (No Thread.interrupt:
        // it would reach the Python code a worker is running.)
        if (wait) {
            for (Worker w : workers) {
                try {
                    w.thread.join();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    break;
                }
            }
            watchdog.shutdownNow();
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
        for (Task t; (t = queue.pollFirst()) != null; ) {
            t.cancelQueued();
        }
        for (Worker w : workers) {
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

    /** The next task, or null once the pool is shut down and the queue is empty. */
    Task nextTask() {
        while (true) {
            Task t = queue.pollFirst();
            if (t != null) {
                return t;
            }
            if (shutdown) {
                return NO_MORE_TASKS;
            }
            try {
                t = queue.pollFirst(50, TimeUnit.MILLISECONDS);
                if (t != null) {
                    return t;
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return NO_MORE_TASKS;
            }
        }
    }

    boolean cancel(Task task, boolean interruptIfRunning) {
        queue.remove(task);
        if (task.cancelQueued()) { // also wins against a worker that took the task but has not started it
            return true;
        }
        if (interruptIfRunning && task.isRunning()) {
            for (Worker w : workers) {
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

    Context newWorkerContext(WorkerHost host) {
        List<Path> roots = config.readRoots();
        // GraalPy's own standard library is an internal resource: readable through the decorators, nothing else is.
        org.graalvm.polyglot.io.FileSystem fs = org.graalvm.polyglot.io.FileSystem.allowInternalResourceAccess(
                org.graalvm.polyglot.io.FileSystem.allowLanguageHomeAccess(new SandboxFileSystem(roots)));
        IOAccess io = IOAccess.newBuilder().fileSystem(fs).allowHostSocketAccess(false).build();
        Context context = runtime.contextBuilder()
                .allowNativeAccess(false)
                .allowCreateThread(false)
                .allowCreateProcess(false)
                .allowPolyglotAccess(PolyglotAccess.NONE)
                .allowEnvironmentAccess(EnvironmentAccess.NONE)
                .allowIO(io)
                .build();
        try {
            WorkerModule.install(context, store, host);
            return context;
        } catch (RuntimeException e) {
            context.close(true);
            throw e;
        }
    }

    void workerReady(Worker w) {
        started.countDown();
    }

    void workerFailedToStart(Worker w, RuntimeException e) {
        if (Boolean.getBoolean("tessera.debug")) {
            e.printStackTrace();
        }
        synchronized (startFailures) {
            startFailures.add(e);
        }
        started.countDown();
    }

    void workerReplaced(Worker w) {
        replaced.incrementAndGet();
    }

    void taskEnded(Task task, Throwable error) {
        (error == null ? completed : failed).incrementAndGet();
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
        private final List<Path> sysPath = new ArrayList<>();
        private final List<String> preload = new ArrayList<>();
        private final List<Path> readable = new ArrayList<>();
        private String initModule;
        private String initQualname;
        private String initMainFile;
        private String initSource;
        private List<Object> initArgs = List.of();
        private Duration taskDeadline;

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
            this.initSource = source;
            return this;
        }

        /** {@code module.function(*args)} run once in every worker at start. */
        public Builder initializer(String module, String function, Object... args) {
            return initializer(module, function, null, args);
        }

        Builder initializer(String module, String function, String mainFile, Object... args) {
            this.initModule = module;
            this.initQualname = function;
            this.initMainFile = mainFile;
            @SuppressWarnings("unchecked")
            List<Object> a = (List<Object>) Shareables.fromJava(args, "initargs");
            this.initArgs = a;
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

        public InterpreterPool build() {
            return new InterpreterPool(this);
        }
    }
}
