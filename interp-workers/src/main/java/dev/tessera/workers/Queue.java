package dev.tessera.workers;

import java.util.concurrent.TimeUnit;
import org.agrona.concurrent.BackoffIdleStrategy;
import org.agrona.concurrent.IdleStrategy;
import org.agrona.concurrent.ManyToManyConcurrentArrayQueue;

/**
 * A queue of shareable values that any number of interpreters (and Java threads) put to and get from. Built on
 * Agrona's lock-free many-to-many array queue: FIFO overall (so FIFO per producer), nothing lost or duplicated.
 * Blocking calls wait with a back-off idle strategy (spin, yield, then park up to 1 ms).
 *
 * <p>{@code maxsize = 0} asks for an unbounded queue; the ring has a fixed capacity, so "unbounded" holds up to
 * {@link #UNBOUNDED_CAPACITY} items, after which {@code put} waits as on a full bounded queue.
 *
 * <p>After {@link #close()}, puts are refused; gets return what is still queued, then report the queue closed.
 */
public final class Queue {
    /** Capacity of a queue created with maxsize 0. */
    public static final int UNBOUNDED_CAPACITY = 1 << 16;

    private static final Object NONE = new Object(); // Agrona queues hold no nulls: None travels as this

    /** Outcome of a put. */
    public enum PutResult { OK, FULL, CLOSED }

    private final ManyToManyConcurrentArrayQueue<Object> items;
    private final int maxsize;
    private volatile boolean closed;

    public Queue(int maxsize) {
        if (maxsize < 0) {
            throw new IllegalArgumentException("maxsize must be >= 0 (0 means unbounded), got " + maxsize);
        }
        this.maxsize = maxsize;
        // Agrona rounds capacity up to a power of two; the maxsize check below keeps the bound exact.
        this.items = new ManyToManyConcurrentArrayQueue<>(Math.max(2, maxsize == 0 ? UNBOUNDED_CAPACITY : maxsize));
    }

    /** A queue with the default (unbounded) size. */
    public Queue() {
        this(0);
    }

    public int maxsize() {
        return maxsize;
    }

    public int size() {
        return items.size();
    }

    public boolean isEmpty() {
        return items.isEmpty();
    }

    public boolean isFull() {
        int capacity = maxsize == 0 ? UNBOUNDED_CAPACITY : maxsize;
        return items.size() >= capacity;
    }

    public boolean isClosed() {
        return closed;
    }

    /** Refuses further puts; wakes nobody (waiters notice within their back-off period). */
    public void close() {
        closed = true;
    }

    /** Puts without waiting. {@code value} must already be a host-form shareable (see {@link Shareables}). */
    public PutResult offer(Object value) {
        if (closed) {
            return PutResult.CLOSED;
        }
        if (maxsize > 0 && items.size() >= maxsize) {
            return PutResult.FULL;
        }
        return items.offer(value == null ? NONE : value) ? PutResult.OK : PutResult.FULL;
    }

    /**
     * Puts, waiting up to {@code timeoutNanos} for room (negative: forever). {@code whileWaiting} runs between
     * attempts (interpreters poll for cancellation there); it may throw to abandon the wait.
     */
    public PutResult put(Object value, long timeoutNanos, Runnable whileWaiting) {
        PutResult r = offer(value);
        if (r != PutResult.FULL || timeoutNanos == 0) {
            return r;
        }
        long deadline = System.nanoTime() + timeoutNanos;
        IdleStrategy idle = newIdle();
        while (true) {
            whileWaiting.run();
            idle.idle();
            r = offer(value);
            if (r != PutResult.FULL || (timeoutNanos > 0 && System.nanoTime() - deadline >= 0)) {
                return r;
            }
        }
    }

    /** What a get found. */
    public record Got(boolean found, boolean closed, Object value) {
        static final Got EMPTY = new Got(false, false, null);
        static final Got CLOSED = new Got(false, true, null);
    }

    /** Gets without waiting. */
    public Got poll() {
        Object v = items.poll();
        if (v != null) {
            return new Got(true, false, v == NONE ? null : v);
        }
        return closed && items.isEmpty() ? Got.CLOSED : Got.EMPTY;
    }

    /** Gets, waiting up to {@code timeoutNanos} (negative: forever); see {@link #put} for {@code whileWaiting}. */
    public Got get(long timeoutNanos, Runnable whileWaiting) {
        Got g = poll();
        if (g.found() || g.closed() || timeoutNanos == 0) {
            return g;
        }
        long deadline = System.nanoTime() + timeoutNanos;
        IdleStrategy idle = newIdle();
        while (true) {
            whileWaiting.run();
            idle.idle();
            g = poll();
            if (g.found() || g.closed() || (timeoutNanos > 0 && System.nanoTime() - deadline >= 0)) {
                return g;
            }
        }
    }

    /** Java convenience: blocks until an item arrives or the queue is closed and drained (then null with closed). */
    public Got take() {
        return get(-1, Queue::checkJavaInterrupt);
    }

    private static void checkJavaInterrupt() {
        if (Thread.currentThread().isInterrupted()) {
            throw new IllegalStateException("interrupted while waiting on a queue");
        }
    }

    /** How every blocking wait of Tessera's channels idles: spin, yield, then park up to 1 ms. */
    static IdleStrategy newIdle() {
        return new BackoffIdleStrategy(50, 20, TimeUnit.MICROSECONDS.toNanos(1), TimeUnit.MILLISECONDS.toNanos(1));
    }

    @Override
    public String toString() {
        return "Queue[size=" + size() + (maxsize > 0 ? ", maxsize=" + maxsize : "") + (closed ? ", closed" : "") + "]";
    }
}
