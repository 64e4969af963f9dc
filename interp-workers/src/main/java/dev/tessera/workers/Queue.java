package dev.tessera.workers;

import com.oracle.truffle.api.nodes.Node;
import dev.tessera.buffer.values.HostHandle;
import dev.tessera.buffer.values.Shareables;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.agrona.concurrent.ManyToManyConcurrentArrayQueue;

/**
 * A FIFO queue of shareable values (host form, see {@link Shareables}) that any number of interpreters and Java
 * threads put to and get from: nothing lost or duplicated, FIFO overall and so FIFO per producer. Unbounded
 * queues ({@code maxsize} 0) are a {@link ConcurrentLinkedQueue}; bounded ones an Agrona many-to-many array queue
 * whose exact bound is kept by a count of free places (Agrona's own size is loose under concurrency). The ring
 * holds twice the bound, so that a put with a reserved place rarely meets a slot still being released by a
 * getter (it then retries; it never drops the item). A waiting
 * put or get spins briefly, then parks until the other side wakes it ({@link WaitSet}).
 *
 * <p>After {@link #close()}, puts are refused; gets return what is still queued, then report the queue closed.
 * {@link #size()} is exact when the queue is quiet and a snapshot under concurrency.
 */
public final class Queue implements HostHandle {
    private static final Object NONE = new Object(); // the queues hold no nulls: None travels as this

    private final java.util.Queue<Object> items;
    private final int maxsize;
    private final AtomicInteger free; // places left in a bounded queue; null when unbounded
    private final WaitSet getters = new WaitSet();
    private final WaitSet putters = new WaitSet();
    private volatile boolean closed;

    public Queue(int maxsize) {
        if (maxsize < 0) {
            throw new IllegalArgumentException("maxsize must be >= 0 (0 means unbounded), got " + maxsize);
        }
        this.maxsize = maxsize;
        if (maxsize == 0) {
            this.items = new ConcurrentLinkedQueue<>();
            this.free = null;
        } else {
            this.items = new ManyToManyConcurrentArrayQueue<>(Math.max(2, 2 * maxsize));
            this.free = new AtomicInteger(maxsize);
        }
    }

    /** An unbounded queue. */
    public Queue() {
        this(0);
    }

    public int maxsize() {
        return maxsize;
    }

    public int size() {
        return free == null ? items.size() : Math.max(0, maxsize - free.get());
    }

    public boolean isEmpty() {
        return items.isEmpty();
    }

    public boolean isFull() {
        return free != null && free.get() <= 0;
    }

    public boolean isClosed() {
        return closed;
    }

    /** Refuses further puts and wakes every waiter: putters fail, getters drain what is left. Idempotent. */
    public void close() {
        closed = true;
        getters.signalAll();
        putters.signalAll();
    }

    // ---- non-blocking ----------------------------------------------------------------------------------------

    /**
     * Puts {@code value} (host form) unless the queue is full.
     *
     * @throws QueueClosedException if the queue is closed
     */
    public boolean offer(Object value) {
        Object r = tryPut(value == null ? NONE : value);
        if (r == CLOSED) {
            throw closedForPut();
        }
        return r != WaitSet.NOTHING;
    }

    private static final Object CLOSED = new Object();
    private static final Object DONE = new Object();

    private Object tryPut(Object item) {
        if (closed) {
            return CLOSED;
        }
        if (free != null && !takePlace()) {
            return WaitSet.NOTHING;
        }
        // A reserved place is a free slot once the getters that took the slot's earlier items have finished
        // releasing them (an Agrona slot is freed a few instructions after its item was taken): retry until then.
        while (!items.offer(item)) {
            Thread.onSpinWait();
        }
        getters.signalOne();
        return DONE;
    }

    private boolean takePlace() {
        for (int f = free.get(); f > 0; f = free.get()) {
            if (free.compareAndSet(f, f - 1)) {
                return true;
            }
        }
        return false;
    }

    /** The next item (host form; null for None), or {@link WaitSet#NOTHING} when empty. */
    public Object pollHost() {
        Object item = items.poll();
        if (item == null) {
            return WaitSet.NOTHING;
        }
        if (free != null) {
            free.incrementAndGet();
            putters.signalOne();
        }
        if (!items.isEmpty()) {
            getters.signalOne(); // more for the next getter (see WaitSet: nothing is left waiting)
        }
        return item == NONE ? null : item;
    }

    private Object takeOrClosed() {
        Object got = pollHost();
        if (got == WaitSet.NOTHING && closed) {
            got = pollHost(); // an item put just before the close is still delivered
            if (got == WaitSet.NOTHING) {
                return CLOSED;
            }
        }
        return got;
    }

    // ---- host form, waiting: for the interpreters' host functions (they pass their node; Java callers null) ------

    /**
     * Puts, waiting up to {@code timeoutNanos} for room ({@link WaitSet#FOREVER}: no limit). False after the
     * timeout. A {@code node} says the caller is an interpreter running Python (see {@link WaitSet#RUNNING}).
     */
    public boolean putHost(Object value, long timeoutNanos, Node node) throws InterruptedException {
        Object item = value == null ? NONE : value;
        Object r = tryPut(item); // first without the wait's lambda: a stream of puts allocated one per item
        if (r == WaitSet.NOTHING && timeoutNanos != 0) {
            r = putters.await(() -> tryPut(item), timeoutNanos, node, node != null);
        }
        if (r == CLOSED) {
            throw closedForPut();
        }
        return r == DONE;
    }

    /**
     * The next item, waiting up to {@code timeoutNanos}; {@link WaitSet#NOTHING} after the timeout.
     *
     * @throws QueueClosedException once the queue is closed and drained
     */
    public Object getHost(long timeoutNanos, Node node) throws InterruptedException {
        Object r = takeOrClosed(); // first without the wait's method reference (one allocation per item)
        if (r == WaitSet.NOTHING && timeoutNanos != 0) {
            r = getters.await(this::takeOrClosed, timeoutNanos, node, node != null);
        }
        if (r == CLOSED) {
            throw new QueueClosedException("the queue is closed and drained");
        }
        return r;
    }

    private static QueueClosedException closedForPut() {
        return new QueueClosedException("the queue is closed");
    }

    // ---- Java API --------------------------------------------------------------------------------------------

    /** Puts a Java value (checked and converted, see {@link Shareables#fromJava}), waiting for room. */
    public void put(Object value) throws InterruptedException {
        putHost(Shareables.fromJava(value, "Queue.put()"), WaitSet.FOREVER, null);
    }

    /** Puts a Java value, waiting up to {@code timeout}; false if the queue stayed full. */
    public boolean put(Object value, long timeout, TimeUnit unit) throws InterruptedException {
        return putHost(Shareables.fromJava(value, "Queue.put()"), unit.toNanos(timeout), null);
    }

    /**
     * The next item as a Java value (null for None), waiting for one.
     *
     * @throws QueueClosedException once the queue is closed and drained
     */
    public Object take() throws InterruptedException {
        return Shareables.toJava(getHost(WaitSet.FOREVER, null));
    }

    /** What a poll found: an item (possibly null, for None), or nothing before the timeout. */
    public record Got(boolean found, Object value) {
        static final Got NOTHING = new Got(false, null);
    }

    /**
     * The next item within {@code timeout}.
     *
     * @throws QueueClosedException once the queue is closed and drained
     */
    public Got poll(long timeout, TimeUnit unit) throws InterruptedException {
        Object r = getHost(unit.toNanos(timeout), null);
        return r == WaitSet.NOTHING ? Got.NOTHING : new Got(true, Shareables.toJava(r));
    }

    /** A new object for this queue in the interpreter running this thread (Python class {@code tessera.Queue}). */
    @Override
    public Object toGuest() {
        return PythonFaces.get().queueObject(this);
    }

    @Override
    public String toString() {
        return "Queue[size=" + size() + (maxsize > 0 ? ", maxsize=" + maxsize : "") + (closed ? ", closed" : "") + "]";
    }
}
