package dev.tessera.workers;

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
 * outcome wins.
 */
final class Task {
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
    private final AtomicInteger awaiting = new AtomicInteger();
    private volatile long startedNanos;

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
        if (state.compareAndSet(QUEUED, RUNNING)) {
            startedNanos = System.nanoTime();
            return true;
        }
        return false;
    }

    boolean isQueued() {
        return state.get() == QUEUED;
    }

    boolean isRunning() {
        return state.get() == RUNNING;
    }

    boolean isEnded() {
        return state.get() == ENDED;
    }

    /** When a worker started it (System.nanoTime), or 0. */
    long startedNanos() {
        return startedNanos;
    }

    /** Queued to ended (a cancel before it started). */
    boolean cancelQueued() {
        if (state.compareAndSet(QUEUED, ENDED)) {
            end(null, new CancellationException("task " + id + " (" + spec.describe() + ") was cancelled"));
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
        endedNanos = System.nanoTime();
        endSeen = true;
        onEnd.accept(this);
        waiters.signalAll();
    }

    private volatile boolean endSeen; // set after result and error: readers check this, then read them
    private volatile long endedNanos;

    /** When the task ended (System.nanoTime); meaningful once {@link #hasOutcome()}. */
    long endedNanos() {
        return endedNanos;
    }

    boolean hasOutcome() {
        return endSeen;
    }

    /** The result (host form); meaningful once {@link #hasOutcome()}. */
    Object result() {
        return result;
    }

    /** The failure (WorkerException, TaskTimeoutException, CancellationException, ...), or null. */
    Throwable error() {
        return error;
    }

    // ---- one delivery of the outcome to Python (by the pool's completer thread or by a waiting result()) -----

    private final AtomicInteger delivery = new AtomicInteger();

    /** True for exactly one caller: the one that delivers the outcome to the Python future. */
    boolean claimDelivery() {
        return delivery.compareAndSet(0, 1);
    }

    boolean isDeliveryClaimed() {
        return delivery.get() != 0;
    }

    private static final int NOT_WANTED = 0;
    private static final int WANTED = 1;
    private static final int SETTLED = 2;
    private final AtomicInteger wanted = new AtomicInteger(NOT_WANTED);

    /** Someone waits for the outcome without result() (a callback, a waiter): the completer must deliver it. */
    boolean markWanted() {
        return wanted.compareAndSet(NOT_WANTED, WANTED);
    }

    boolean isWanted() {
        return wanted.get() != NOT_WANTED;
    }

    /** A wanted task whose outcome was claimed; true once. */
    boolean settleWanted() {
        return wanted.compareAndSet(WANTED, SETTLED);
    }

    /** True while a thread waits in {@link #awaitEnd}: it will deliver the outcome itself. */
    boolean isAwaited() {
        return awaiting.get() > 0;
    }

    /** Waits up to {@code timeoutNanos} for the task to end; true if it has. */
    boolean awaitEnd(long timeoutNanos, com.oracle.truffle.api.nodes.Node node) throws InterruptedException {
        if (endSeen) {
            return true;
        }
        awaiting.incrementAndGet();
        try {
            return waiters.await(() -> endSeen ? this : WaitSet.NOTHING, timeoutNanos, node, node != null) != WaitSet.NOTHING;
        } finally {
            awaiting.decrementAndGet();
        }
    }
}
