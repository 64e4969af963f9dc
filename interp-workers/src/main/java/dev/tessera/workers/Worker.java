package dev.tessera.workers;

import com.oracle.truffle.api.nodes.Node;
import dev.tessera.buffer.SharedCode;
import dev.tessera.buffer.graalpy.GuestScope;
import dev.tessera.buffer.values.NotShareableException;
import dev.tessera.buffer.values.Shareables;
import dev.tessera.shm.ArrayView;
import java.lang.invoke.MethodHandles;
import java.lang.management.ManagementFactory;
import java.lang.invoke.VarHandle;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CancellationException;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import org.graalvm.polyglot.Context;
import org.graalvm.polyglot.PolyglotException;
import org.graalvm.polyglot.Value;

/**
 * One worker interpreter: a GraalPy context owned by one platform thread, which runs the pool's tasks one at a
 * time in a loop written in Python ({@code tessera._worker._run}): the loop asks the host for the next task and
 * reports its outcome through host functions (the Python side's {@code WorkerFunctions}, which call the public
 * methods below), so a task enters the interpreter without a polyglot call of its own. Nothing of the interpreter
 * is shared.
 *
 * <p>When a task is stopped (deadline, cancel) its context is closed from outside; the worker's thread then ends
 * and the pool hands its slot to a spare worker that is already running, or starts a new one.
 */
public final class Worker implements Runnable {
    private static final VarHandle CURRENT;

    static {
        try {
            CURRENT = MethodHandles.lookup().findVarHandle(Worker.class, "current", Object.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    /**
     * Errors after which a worker's interpreter is not trusted and is replaced: MemoryError (it may have struck inside
     * the runtime, and the task's data may still be referenced) and SystemError (an internal error of the
     * interpreter; GraalPy's own Java exceptions arrive as one).
     */
    private static final Set<String> RETIRING_ERRORS = Set.of("MemoryError", "SystemError");

    /** What {@link #current} holds once a stop took the running task. */
    private static final Object STOPPED = new Object();

    /**
     * The task a reserve's worker runs through the task loop before any pool has it (the number of its target is
     * one no pool gives): take, argument conversion, resolving and calling a target, done.
     */
    private static final TaskSpec WARM_UP = TaskSpec.source("def warm_up(x, *rest):\n    return (x, rest)\n", "warm_up", 1L, 2.5, "s");
    private static final int WARM_UP_TARGET = -1;

    /** The pool this worker serves; null while it waits in a {@link WorkerReserve}, then set once. */
    private volatile InterpreterPool pool;
    /** The reserve that made this worker, or null for one its pool made. */
    private final WorkerReserve reserve;
    final Thread thread;
    private final GuestScope scope;
    private volatile int slot; // index among the pool's active workers; -1 while a spare (or in a reserve)
    private volatile Context context;
    private WorkerContexts.Interpreter interpreter; // set on the worker's thread before the reserve or pool sees it
    private volatile boolean discarded; // a reserve's worker that no pool will take: it ends
    private Task warmUp; // a reserve's worker's run of the task loop before any pool has it
    /**
     * On the worker's thread: it runs the reserve's warm-up loop. Not {@code pool == null}: a pool may adopt a worker
     * still warming up, and its loop must not then take the pool's tasks before the pool's settings are applied.
     */
    private boolean warmingUp;
    @SuppressWarnings("unused") // through CURRENT: the running Task, STOPPED, or null
    private volatile Object current;
    private volatile Task stoppedTask;
    private volatile RuntimeException stopReason;
    private volatile ScheduledFuture<?> deadline;
    private volatile RuntimeException startFailure;
    private volatile boolean ready;
    /** A spare has imported what every task function known to the pool needs (see {@link #isWarm}). */
    private volatile int warmedTargets = -1;
    private volatile long tasksRun;
    private volatile long allocatedAtBegin; // this thread's allocation count when the running task began
    private volatile boolean retired; // the loop ends at its next take(); the pool has replaced this worker already

    Worker(InterpreterPool pool, int slot) {
        this.pool = pool;
        this.reserve = null;
        this.slot = slot;
        this.scope = new GuestScope("worker");
        this.thread = Thread.ofPlatform().name(slot < 0 ? "tessera-spare-worker" : "tessera-worker-" + slot).daemon(true).unstarted(this);
    }

    /** A worker made ahead for {@code reserve}: it starts, runs the task loop once, and waits for a pool. */
    Worker(WorkerReserve reserve) {
        this.pool = null;
        this.reserve = reserve;
        this.slot = -1;
        this.scope = new GuestScope("worker");
        this.thread = Thread.ofPlatform().name("tessera-reserve-worker").daemon(true).unstarted(this);
    }

    /**
     * The reserve gives this (ready, waiting) worker to {@code pool} as the worker of {@code newSlot} (-1: its spare):
     * the pool's settings are applied, then the worker's thread runs the pool's start-up (sys.path, preloads,
     * initializer) and its tasks. Called once, by the pool, right after the reserve handed the worker over.
     */
    void adopt(InterpreterPool newPool, int newSlot) {
        slot = newSlot;
        thread.setName(newSlot < 0 ? "tessera-spare-worker" : "tessera-worker-" + newSlot);
        pool = newPool; // the worker's thread applies the pool's settings when it sees it
        LockSupport.unpark(thread);
    }

    /** A reserve's worker that no pool will take ends: its interpreter closes (cancelled if it is still starting). */
    void discard() {
        discarded = true;
        LockSupport.unpark(thread);
        Context c = context;
        if (c != null && !ready) {
            cancelStart(c); // still starting; a waiting one closes its own on its thread
        }
    }

    /** The context the worker's thread just built (so that a discard can cancel its start). */
    void opened(Context c) {
        context = c;
        if (discarded) {
            cancelStart(c);
        }
    }

    /** Cancels a discarded worker's start: its thread's start then fails and the worker ends. */
    private static void cancelStart(Context c) {
        try {
            c.close(true);
        } catch (RuntimeException ignored) {
            // a close from outside raced with the thread's own close
        }
    }

    /** The store the worker's own allocations go to: its pool's. */
    public dev.tessera.shm.ArrayStore store() {
        InterpreterPool p = pool;
        if (p == null) {
            throw new IllegalStateException("this worker has no pool yet");
        }
        return p.contexts.store();
    }

    int slot() {
        return slot;
    }

    /** The pool this worker serves (the Python faces key per-pool registries by it). */
    public InterpreterPool pool() {
        return pool;
    }

    /** Bytes this worker's thread has allocated (cumulative, not live); -1 once the thread ended. */
    long allocatedBytes() {
        return thread.isAlive() ? MemoryGuard.threadAllocated(thread) : -1;
    }

    /** Bytes this worker's thread allocated since its running task began (cumulative, not live). */
    long allocatedSinceTaskBegan() {
        return MemoryGuard.threadAllocated(thread) - allocatedAtBegin;
    }

    /**
     * After a task ended in a MemoryError or SystemError the interpreter's state is not trusted (the error may have
     * struck inside the runtime, and what the task built may still be referenced): the pool replaces this worker
     * now, and its loop ends at the next take, which closes the interpreter and frees everything in it.
     */
    private void retire() {
        if (pool != null && !pool.isShutdown()) { // at shutdown no replacement would start, and queued tasks still need a worker
            retired = true;
            pool.slots.replace(this);
        }
    }

    boolean isReady() {
        return ready;
    }

    /**
     * A spare that would run the pool's tasks without first importing their modules: its warm-up has covered
     * every task function the pool has seen. A spare that took over mid-warm-up finished importing first, so a
     * replacement right after a spare started took 0.1-1 s instead of milliseconds.
     */
    boolean isWarm() {
        return ready && warmedTargets >= pool.targets.count();
    }

    long tasksRun() {
        return tasksRun;
    }

    /** A spare becomes the worker of {@code slot}. */
    void promote(int newSlot) {
        slot = newSlot;
        thread.setName("tessera-worker-" + newSlot);
        LockSupport.unpark(thread);
    }

    @Override
    public void run() {
        Value module = null;
        RuntimeException failure = null;
        try {
            module = startInterpreter();
        } catch (RuntimeException e) {
            failure = e;
        }
        if (reserve != null) {
            if (failure == null) {
                failure = warmUpAndAwaitPool(module);
            }
            if (failure != null && (reserve.failed(this) || awaitAdoption() == null)) {
                closeInterpreter(); // nobody took it (or the reserve ended it)
                return;
            }
        }
        Value loop;
        try {
            if (failure != null) {
                throw failure;
            }
            pool.contexts.bind(interpreter); // the pool's settings, before anything of the pool's runs
            loop = configure(module);
        } catch (RuntimeException e) {
            closeInterpreter();
            pool.slots.failedToStart(this, e);
            pool.slots.ended(this);
            return;
        }
        ready = true;
        pool.slots.ready(this);
        try {
            int warmed = 0;
            while (slot < 0) { // a spare waits to be promoted, importing what tasks will need meanwhile
                if (pool.isShutdown()) {
                    return;
                }
                int known = pool.targets.count();
                if (known > warmed) {
                    warmTargets.execute(warmed, known);
                    warmed = known;
                }
                warmedTargets = warmed;
                LockSupport.parkNanos(50_000_000);
            }
            loop.execute(); // returns once the pool is shut down and its queue is empty
        } catch (PolyglotException e) {
            Object cur = CURRENT.getAndSet(this, (Object) null);
            if (cur != null) {
                WaitSet.RUNNING.decrementAndGet(); // the stopped or failed task's count
            }
            pool.slots.replace(this); // first: once the task's future fails, its worker is replaced already
            if (cur == STOPPED) {
                stoppedTask.finish(null, stopReason);
            } else if (cur instanceof Task t) {
                t.finish(null, new WorkerException("InternalError", "the worker interpreter failed: " + e.getMessage(), ""));
            }
        } finally {
            cancelDeadline();
            closeInterpreter();
            warmTargets = null; // a Value keeps its (closed) context's objects reachable
            pool.slots.ended(this);
        }
    }

    private static final boolean TRACE_STARTUP = Boolean.getBoolean("tessera.traceStartup");

    private Value warmTargets; // tessera._worker._warm_up(first, end): resolves targets ahead of their first task

    /** The interpreter, with {@code tessera._worker} imported; no pool's settings yet (see run). */
    private Value startInterpreter() {
        long t0 = System.nanoTime();
        interpreter = WorkerContexts.create(reserve != null ? reserve.runtime() : pool.runtime(), this);
        Value module = interpreter.context.eval("python", "import tessera._worker\ntessera._worker");
        if (TRACE_STARTUP) {
            System.err.printf("tessera: %s interpreter made in %.1f ms%n", thread.getName(), (System.nanoTime() - t0) / 1e6);
        }
        return module;
    }

    /**
     * A reserve's worker runs the task loop once, on a task of Tessera's own, is handed to the reserve (unless a pool
     * took it while it was starting), and waits until a pool adopts it. Null once adopted; the failure if the warm-up
     * failed, or the reserve ended the worker.
     */
    private RuntimeException warmUpAndAwaitPool(Value module) {
        try {
            // returns when take() has nothing more for the warm-up
            warmingUp = true;
            module.getMember("_warm").execute(reserve.warmImports(this));
            SharedCode.keep(interpreter.context); // what the warm-up imported, for the next worker
        } catch (RuntimeException e) {
            return e;
        } finally {
            warmingUp = false;
        }
        Task t = warmUp;
        if (t == null || t.error() != null) {
            return new IllegalStateException("the worker's warm-up task failed: " + (t == null ? "it did not run" : t.error()));
        }
        ready = true; // from here a discard leaves the close to this thread
        reserve.ready(this);
        InterpreterPool p = awaitAdoption();
        ready = false;
        return p != null ? null : new IllegalStateException("the worker reserve was closed");
    }

    /** Waits until a pool adopts this reserve's worker (its pool) or the reserve ends it (null). */
    private InterpreterPool awaitAdoption() {
        while (true) {
            InterpreterPool p = pool;
            if (p != null) {
                return p;
            }
            if (discarded) {
                return null;
            }
            LockSupport.park(this);
        }
    }

    /** The pool's start-up in this interpreter (sys.path, preloads, initializer); the task loop to run. */
    private Value configure(Value worker) {
        long t0 = System.nanoTime();
        long cpu0 = TRACE_STARTUP ? ManagementFactory.getThreadMXBean().getCurrentThreadCpuTime() : 0;
        boolean ok = worker.getMember("_start").execute().asBoolean();
        if (TRACE_STARTUP) {
            long cpu = ManagementFactory.getThreadMXBean().getCurrentThreadCpuTime() - cpu0;
            System.err.printf("tessera: %s: sys.path/preload/initializer in %.1f ms (%.1f ms on a core)%n",
                    thread.getName(), (System.nanoTime() - t0) / 1e6, cpu / 1e6);
        }
        if (!ok) {
            RuntimeException failed = startFailure;
            closeInterpreter();
            throw failed != null ? failed : new IllegalStateException("the worker failed to start");
        }
        warmTargets = worker.getMember("_warm_up");
        return worker.getMember("_run");
    }

    // ---- the task loop's side: tessera._worker calls these through its host functions, on this worker's thread ----

    /** This interpreter's own Python classes for Tessera's exceptions. */
    public GuestScope scope() {
        return scope;
    }

    /** How every worker of the pool starts: sys.path, preloads, initializer. */
    public WorkerConfig config() {
        return pool.config();
    }

    /** The target numbered {@code id} (tasks carry the number; the loop resolves each number once). */
    public TaskTarget target(int id) {
        return id == WARM_UP_TARGET ? WARM_UP.target() : pool.targets.get(id);
    }

    /** The loop reports a failed start (an initializer or preload that raised). */
    public void startFailed(WorkerException e) {
        startFailure = e;
    }

    /**
     * The next task, begun (a stop can reach it from now on), waiting for one; null once the loop is to end: the pool
     * is shut down and its queue empty, or this worker was retired (its replacement has its slot already).
     */
    public Task take(Node node) {
        if (warmingUp) { // a reserve's worker: the warm-up task once, then nothing until a pool adopts it
            if (warmUp != null) {
                return null;
            }
            Task t = new Task(0, WARM_UP, WARM_UP_TARGET, ended -> { }, null);
            t.start();
            warmUp = t;
            begin(t);
            return t;
        }
        if (retired) {
            return null;
        }
        Task task = pool.nextTask(node);
        if (task != null) {
            begin(task);
        }
        return task;
    }

    /**
     * Ends {@code task} with its result (host form) or its failure, unless a stop took it first (the interpreter is
     * then closing). A result may not hold a view: it would outlive the task that owned it. After a MemoryError or
     * SystemError this worker retires first (see {@link #retire}), so that once the task's future fails its worker is
     * replaced already.
     */
    public void finish(Task task, Object result, RuntimeException error) {
        if (error == null) {
            error = viewIn(result);
        }
        if (error instanceof WorkerException w && RETIRING_ERRORS.contains(w.pythonType())) {
            retire();
        }
        if (end(task)) {
            task.finish(error == null ? result : null, error);
        }
    }

    /** The task the loop runs, or null (none, or a stop took it). */
    public Task currentTask() {
        return CURRENT.getVolatile(this) instanceof Task t ? t : null;
    }

    private static RuntimeException viewIn(Object result) {
        List<ArrayView> views = new ArrayList<>();
        Shareables.collectViews(result, views);
        if (views.isEmpty()) {
            return null;
        }
        return new WorkerException("tessera.NotShareableError", new NotShareableException("the task's result",
                "tessera.View", " (return data, or send the view through a queue)").getMessage(), "");
    }

    /** The task the loop starts now (set before its arguments are built, so that a stop can reach it). */
    private void begin(Task task) {
        WaitSet.RUNNING.incrementAndGet();
        allocatedAtBegin = MemoryGuard.allocatedByCurrentThread();
        CURRENT.setVolatile(this, task);
        deadline = scheduleDeadline(task);
    }

    /** The task ended here; false if a stop took it first (the context is closing). */
    private boolean end(Task task) {
        if (!CURRENT.compareAndSet(this, (Object) task, (Object) null)) {
            return false;
        }
        WaitSet.RUNNING.decrementAndGet();
        cancelDeadline();
        if (task != warmUp) {
            tasksRun++;
        }
        return true;
    }

    /** Past the task's deadline (its own, else the pool's) the pool's timer stops it; null without one. */
    private ScheduledFuture<?> scheduleDeadline(Task task) {
        if (task == warmUp) {
            return null; // the reserve's warm-up
        }
        Duration d = task.spec.deadline() != null ? task.spec.deadline() : pool.config().taskDeadline();
        if (d == null) {
            return null;
        }
        long ms = TimeUnit.NANOSECONDS.toMillis(d.toNanos());
        return pool.deadlines.schedule(d, () -> stop(task, timedOut(task, ms)));
    }

    private void cancelDeadline() {
        ScheduledFuture<?> d = deadline;
        if (d != null) {
            d.cancel(false);
            deadline = null;
        }
    }

    // ---- called from other threads ----------------------------------------------------------------------------

    /**
     * Stops the running task if it is still {@code task}: the interpreter is closed under it (Truffle cancels the
     * running code at its next safepoint); the task ends with {@code reason} and the pool replaces this worker.
     */
    synchronized boolean stop(Task task, RuntimeException reason) {
        stoppedTask = task;
        stopReason = reason;
        if (!CURRENT.compareAndSet(this, (Object) task, STOPPED)) {
            return false;
        }
        Context c = context;
        if (c != null) {
            try {
                c.close(true);
            } catch (RuntimeException ignored) {
                // closing a context that is being cancelled from its own thread can race; the worker ends anyway
            }
        }
        return true;
    }

    private void closeInterpreter() {
        Context c = context;
        context = null;
        if (c != null) {
            try {
                c.close(true);
            } catch (RuntimeException ignored) {
                // already closed by a stop()
            }
        }
    }

    static CancellationException cancelled(Task task) {
        return new CancellationException("task " + task.id + " (" + task.spec.describe() + ") was cancelled");
    }

    static TaskTimeoutException timedOut(Task task, long millis) {
        return new TaskTimeoutException("task " + task.id + " (" + task.spec.describe() + ") ran past its deadline of "
                + millis + " ms; its worker was interrupted and replaced");
    }
}
