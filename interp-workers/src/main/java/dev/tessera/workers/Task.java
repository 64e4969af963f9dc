package dev.tessera.workers;

import dev.tessera.shm.ArrayView;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * One submitted task. It owns the views passed in its arguments: when it ends (result, error, cancel, deadline)
 * those views are released, and with them their leases, so that nothing it borrowed outlives it.
 */
final class Task {
    static final int QUEUED = 0;
    static final int RUNNING = 1;
    static final int ENDED = 2;

    final long id;
    final InterpreterPool pool;
    final TaskSpec spec;
    final TaskFuture future;
    private final List<ArrayView> borrowed = new ArrayList<>();
    private final AtomicInteger state = new AtomicInteger(QUEUED);

    Task(long id, InterpreterPool pool, TaskSpec spec) {
        this.id = id;
        this.pool = pool;
        this.spec = spec;
        this.future = new TaskFuture(this);
        for (Object arg : spec.args()) {
            Shareables.collectViews(arg, borrowed);
        }
        for (Object arg : spec.kwargs().values()) {
            Shareables.collectViews(arg, borrowed);
        }
    }

    /** Queued to running; false if it was cancelled first. */
    boolean start() {
        return state.compareAndSet(QUEUED, RUNNING);
    }

    /** Queued to ended (a cancel before it started). */
    boolean cancelQueued() {
        if (state.compareAndSet(QUEUED, ENDED)) {
            releaseBorrowed();
            future.markCancelled();
            return true;
        }
        return false;
    }

    boolean isRunning() {
        return state.get() == RUNNING;
    }

    boolean isEnded() {
        return state.get() == ENDED;
    }

    /** Ends the task; the first outcome wins. Borrowed views are released before the future completes. */
    void finish(Object result, Throwable error) {
        if (state.getAndSet(ENDED) == ENDED) {
            return;
        }
        releaseBorrowed();
        if (error instanceof java.util.concurrent.CancellationException) {
            future.markCancelled();
        } else if (error != null) {
            future.completeExceptionally(error);
        } else {
            future.complete(result);
        }
    }

    private void releaseBorrowed() {
        for (ArrayView view : borrowed) {
            view.release();
        }
    }
}
