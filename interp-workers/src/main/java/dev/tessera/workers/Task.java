package dev.tessera.workers;

import com.oracle.truffle.api.nodes.Node;
import dev.tessera.buffer.values.Shareables;
import dev.tessera.shm.ArrayView;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CancellationException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;

/**
 * One submitted task. It owns the views passed in its arguments: when it ends (result, error, cancel, deadline)
 * those views are released, and with them their leases, so that nothing it borrowed outlives it. Its state moves
 * once from queued to running to ended (or from queued straight to ended, when cancelled first); the first
 * outcome wins. The Python side reads it through the public methods (its futures keep their own delivery state).
 */
public final class Task {
    private static final int QUEUED = 0;
    private static final int RUNNING = 1;
    private static final int ENDED = 2;

    final long id;
    final TaskSpec spec;
    final int targetId;
    private final List<ArrayView> borrowed = new ArrayList<>();
    private final AtomicInteger state = new AtomicInteger(QUEUED);
    private final Consumer<Task> onEnd;
    /** What the submitter keeps with the task (the Python future of a task submitted from Python). */
    final Object attachment;
    private volatile Object result;
    private volatile Throwable error;
    private final WaitSet waiters = new WaitSet(); // threads waiting for this task's end

    Task(long id, TaskSpec spec, int targetId, Consumer<Task> onEnd, Object attachment) {
        this.id = id;
        this.spec = spec;
        this.targetId = targetId;
        this.onEnd = onEnd;
        this.attachment = attachment;
        Shareables.collectViews(spec.args(), borrowed);
        for (Object arg : spec.kwargs().values()) {
            Shareables.collectViews(arg, borrowed);
        }
    }

    /** Queued to running; false if it was cancelled first. */
    boolean start() {
        return state.compareAndSet(QUEUED, RUNNING);
    }

    public long id() {
        return id;
    }

    public TaskSpec spec() {
        return spec;
    }

    /** The number of the task's target in its pool (see {@link Worker#target}). */
    public int targetId() {
        return targetId;
    }

    /** What the submitter keeps with the task (the Python side's handle of a task submitted from Python). */
    public Object attachment() {
        return attachment;
    }

    public boolean isRunning() {
        return state.get() == RUNNING;
    }

    /** Queued to ended (a cancel before it started). */
    boolean cancelQueued() {
        return cancelQueued(new CancellationException("task " + id + " (" + spec.describe() + ") was cancelled"));
    }

    /** Queued to ended with {@code reason} (a stop before it started). */
    boolean cancelQueued(RuntimeException reason) {
        if (state.compareAndSet(QUEUED, ENDED)) {
            end(null, reason);
            return true;
        }
        return false;
    }

    /** Ends the task with a result or an error, unless it ended already. */
    void finish(Object value, Throwable failure) {
        if (state.getAndSet(ENDED) != ENDED) {
            end(value, failure);
        }
    }

    private void end(Object value, Throwable failure) {
        for (ArrayView view : borrowed) {
            view.release(); // before anyone learns of the end: a lease never outlives its task
        }
        result = value;
        error = failure;
        endSeen = true;
        onEnd.accept(this);
        waiters.signalAll();
    }

    private volatile boolean endSeen; // set after result and error: readers check this, then read them

    public boolean hasOutcome() {
        return endSeen;
    }

    /** The result (host form); meaningful once {@link #hasOutcome()}. */
    public Object result() {
        return result;
    }

    /** The failure (WorkerException, TaskTimeoutException, CancellationException, ...), or null. */
    public Throwable error() {
        return error;
    }

    /**
     * Waits up to {@code timeoutNanos} ({@link WaitSet#FOREVER}: no limit) for the task to end; true if it has. An
     * interpreter's {@code node} keeps its safepoints working while it waits.
     */
    public boolean awaitEnd(long timeoutNanos, Node node) throws InterruptedException {
        if (endSeen) {
            return true;
        }
        return waiters.await(() -> endSeen ? this : WaitSet.NOTHING, timeoutNanos, node, node != null) != WaitSet.NOTHING;
    }
}
