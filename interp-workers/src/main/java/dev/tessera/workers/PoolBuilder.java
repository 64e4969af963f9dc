package dev.tessera.workers;

import dev.tessera.buffer.PythonRuntime;
import dev.tessera.buffer.values.Shareables;
import dev.tessera.buffer.values.Tuple;
import dev.tessera.shm.ArrayStore;
import java.io.OutputStream;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/** Configures an {@link InterpreterPool}: {@code InterpreterPool.builder().workers(2).sysPath(dir).build()}. */
public final class PoolBuilder {
    PythonRuntime runtime;
    ArrayStore store;
    int workers = Runtime.getRuntime().availableProcessors();
    int spares = 1;
    final List<Path> sysPath = new ArrayList<>();
    final List<String> preload = new ArrayList<>();
    final List<Path> readable = new ArrayList<>();
    TaskTarget initializer;
    Tuple initArgs = Tuple.EMPTY;
    Duration taskDeadline;
    double heapLimit = 0.85;
    OutputStream out;
    OutputStream err;

    /** Where workers' sys.stdout and sys.stderr go (default: the JVM's System.out and System.err). */
    public PoolBuilder output(OutputStream out, OutputStream err) {
        this.out = out;
        this.err = err;
        return this;
    }

    /** The shared engine to run on (default: the pool starts and owns its own). */
    public PoolBuilder runtime(PythonRuntime runtime) {
        this.runtime = runtime;
        return this;
    }

    /** The store that workers' own allocations ({@code tessera.zeros} in a worker) go to. */
    public PoolBuilder store(ArrayStore store) {
        this.store = store;
        return this;
    }

    /** Number of worker interpreters (default: the number of cores). */
    public PoolBuilder workers(int n) {
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
    public PoolBuilder spareWorkers(int n) {
        if (n < 0 || n > 1) {
            throw new IllegalArgumentException("spare workers must be 0 or 1, got " + n);
        }
        this.spares = n;
        return this;
    }

    /** Directories put first on every worker's sys.path (and readable by workers). */
    public PoolBuilder sysPath(Path... dirs) {
        sysPath.addAll(List.of(dirs));
        return this;
    }

    /** Modules imported by every worker at start, so that tasks do not pay the import. */
    public PoolBuilder preload(String... modules) {
        preload.addAll(List.of(modules));
        return this;
    }

    /** Python source run once in every worker at start (after preloads). */
    public PoolBuilder initializerSource(String source) {
        this.initializer = TaskTarget.source(source, "");
        return this;
    }

    /** {@code module.function(*args)} run once in every worker at start. */
    public PoolBuilder initializer(String module, String function, Object... args) {
        return initializer(TaskTarget.function(module, function), args);
    }

    /** {@code target(*args)} run once in every worker at start (a function of the main script, source...). */
    public PoolBuilder initializer(TaskTarget target, Object... args) {
        this.initializer = target;
        this.initArgs = (Tuple) Shareables.fromJava(args, "initargs");
        return this;
    }

    /** Grants workers read access below these directories (nothing else of the file system is visible). */
    public PoolBuilder allowRead(Path... dirs) {
        readable.addAll(List.of(dirs));
        return this;
    }

    /** Every task's deadline unless it sets its own; past it the task fails and its worker is replaced. */
    public PoolBuilder taskDeadline(Duration deadline) {
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
    public PoolBuilder heapLimit(double fraction) {
        if (!(fraction > 0 && fraction <= 1)) {
            throw new IllegalArgumentException("heap limit must be a fraction in (0, 1], got " + fraction);
        }
        this.heapLimit = fraction;
        return this;
    }

    /** Starts the pool; its workers start in the background ({@link InterpreterPool#awaitReady} waits for them). */
    public InterpreterPool build() {
        return new InterpreterPool(this);
    }
}
