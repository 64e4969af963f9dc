package dev.tessera.workers;

import dev.tessera.buffer.graalpy.ViewBuffer;
import java.util.concurrent.CancellationException;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import org.graalvm.polyglot.Context;
import org.graalvm.polyglot.PolyglotException;
import org.graalvm.polyglot.Value;

/**
 * One worker: a platform thread that owns one interpreter (a GraalPy context) and runs tasks from the pool's
 * queue, one at a time. Nothing of its interpreter is shared. When a task is stopped (deadline, cancel) the
 * context is closed from outside and this thread builds a fresh one before it takes the next task.
 */
final class Worker implements Runnable {
    private final InterpreterPool pool;
    final int index;
    final Thread thread;
    private final WorkerHost host = new WorkerHost();
    private volatile Context context;
    private volatile Task current;
    private volatile RuntimeException stopReason;
    private Value runner;

    Worker(InterpreterPool pool, int index) {
        this.pool = pool;
        this.index = index;
        this.thread = Thread.ofPlatform().name("tessera-worker-" + index).daemon(true).unstarted(this);
    }

    @Override
    public void run() {
        try {
            startInterpreter();
        } catch (RuntimeException e) {
            pool.workerFailedToStart(this, e);
            return;
        }
        pool.workerReady(this);
        try {
            for (Task task = pool.nextTask(); task != null; task = pool.nextTask()) {
                if (task.start()) {
                    runTask(task);
                }
            }
        } finally {
            closeInterpreter();
        }
    }

    private void startInterpreter() {
        context = pool.newWorkerContext(host);
        Value start = context.getBindings("python").getMember("_tessera_worker_start");
        WorkerConfig cfg = pool.config();
        start.execute(cfg.guestSysPath(), cfg.guestPreload(), cfg.guestInitializer());
        WorkerHost.Outcome failed = host.takeOutcome();
        if (failed != null && failed.error() != null) {
            closeInterpreter();
            throw failed.error();
        }
        runner = context.getBindings("python").getMember("_tessera_worker_run");
    }

    private void runTask(Task task) {
        current = task;
        stopReason = null;
        ScheduledFuture<?> deadline = pool.scheduleDeadline(this, task);
        Object result = null;
        RuntimeException error;
        try {
            TaskSpec s = task.spec;
            // Views are lent as buffer objects; the task's end releases the views and so revokes these objects.
            runner.execute(Shareables.toGuest(s.module()), Shareables.toGuest(s.qualname()),
                    Shareables.toGuest(s.mainFile()), Shareables.toGuest(s.source()), Shareables.toGuest(s.entry()),
                    Shareables.toGuest(s.args(), ViewBuffer::of), Shareables.kwargsToGuest(s.kwargs(), ViewBuffer::of));
            WorkerHost.Outcome outcome = host.takeOutcome();
            error = outcome == null ? new IllegalStateException("the task ended without reporting an outcome") : outcome.error();
            result = outcome == null ? null : outcome.result();
        } catch (PolyglotException e) {
            error = stopReason != null ? stopReason
                    : new WorkerException("InternalError", "the worker interpreter failed: " + e.getMessage(), "");
            replaceInterpreter(e);
        } catch (RuntimeException e) { // a view that could not be lent (released, closed array) and such
            error = e;
        } finally {
            if (deadline != null) {
                deadline.cancel(false);
            }
            current = null;
        }
        task.finish(result, error);
        pool.taskEnded(task, error);
    }

    Task currentTask() {
        return current;
    }

    /**
     * Stops the running task if it is still {@code task}: the interpreter is closed under it (Truffle cancels the
     * running code at its next safepoint) and this worker replaces it. Called from other threads.
     */
    boolean stop(Task task, RuntimeException reason) {
        if (current != task) {
            return false;
        }
        stopReason = reason;
        Context c = context;
        if (c != null && current == task) {
            try {
                c.close(true);
            } catch (RuntimeException ignored) {
                // closing a context that is being cancelled from its own thread can race; the worker replaces it anyway
            }
        }
        return true;
    }

    private void replaceInterpreter(PolyglotException cause) {
        closeInterpreter();
        if (pool.isShutdown()) {
            return;
        }
        try {
            startInterpreter();
            pool.workerReplaced(this);
        } catch (RuntimeException e) {
            e.addSuppressed(cause);
            pool.workerFailedToStart(this, e);
            throw e;
        }
    }

    private void closeInterpreter() {
        Context c = context;
        context = null;
        runner = null;
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

    static long millis(java.time.Duration d) {
        return TimeUnit.NANOSECONDS.toMillis(d.toNanos());
    }
}
