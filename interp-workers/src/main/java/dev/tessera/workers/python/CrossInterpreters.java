package dev.tessera.workers.python;

import dev.tessera.workers.InterpreterPool;
import dev.tessera.workers.Worker;
import dev.tessera.workers.Queue;
import dev.tessera.buffer.values.Copies;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.WeakHashMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * What CPython 3.14's {@code concurrent.interpreters} keeps process-wide, for one main interpreter and its workers:
 * the interpreters by id (the main one is 0; {@code interpreters.create()} makes a dedicated worker, a pool of one,
 * that keeps its {@code __main__} between calls) and the queues by id. Every interpreter of the main reaches the
 * same registry (a worker through its pool), so an id passed as an int names the same interpreter or queue
 * everywhere. Interpreters are never destroyed by reference counting here (GraalPy has none): {@code close()} does.
 */
final class CrossInterpreters {
    // CPython's _interpreters.WHENCE_* values
    static final int WHENCE_UNKNOWN = 0;
    static final int WHENCE_RUNTIME = 1;
    static final int WHENCE_STDLIB = 5;
    // CPython's unbound-item operations (concurrent.interpreters._crossinterp)
    static final int UNBOUND_REMOVE = 1;
    static final int UNBOUND_ERROR = 2;
    static final int UNBOUND_REPLACE = 3;

    /** Which registry a worker belongs to: the one of the main interpreter that made its pool. */
    private static final Map<InterpreterPool, CrossInterpreters> BY_POOL = Collections.synchronizedMap(new WeakHashMap<>());

    /** One interpreter made by {@code interpreters.create()}: a dedicated pool of one worker. */
    static final class Interp {
        final long id;
        final int whence;
        final PoolObject pool;
        final AtomicInteger running = new AtomicInteger(); // calls in flight, counted by the main interpreter

        Interp(long id, int whence, PoolObject pool) {
            this.id = id;
            this.whence = whence;
            this.pool = pool;
        }
    }

    /** A queue known by id; {@code refs} counts binds ({@code _interpqueues.bind/release}). */
    static final class QueueEntry {
        final long id;
        final Queue queue;
        final int unboundOp;
        final AtomicInteger refs = new AtomicInteger();

        QueueEntry(long id, Queue queue, int unboundOp) {
            this.id = id;
            this.queue = queue;
            this.unboundOp = unboundOp;
        }
    }

    /** An item put by an interpreter other than the main one: what get() does once that interpreter is closed. */
    record BoundItem(Object item, long interpreter, int unboundOp) implements Copies.Wrapped {
    }

    private final AtomicLong nextInterpreter = new AtomicLong(1);
    private final AtomicLong nextQueue = new AtomicLong(1);
    private final ConcurrentSkipListMap<Long, Interp> interpreters = new ConcurrentSkipListMap<>();
    private final Map<InterpreterPool, Interp> dedicated = Collections.synchronizedMap(new WeakHashMap<>());
    private final Map<Worker, Long> otherWorkers = Collections.synchronizedMap(new WeakHashMap<>());
    private final Set<Long> closed = ConcurrentHashMap.newKeySet();
    private final ConcurrentSkipListMap<Long, QueueEntry> queues = new ConcurrentSkipListMap<>();
    private final Map<Queue, QueueEntry> queueEntries = Collections.synchronizedMap(new WeakHashMap<>());

    /** The registry of {@code pool}'s workers; every pool of a main interpreter is adopted when it is made. */
    void adopt(InterpreterPool pool) {
        BY_POOL.put(pool, this);
    }

    /** The registry a worker belongs to (a pool adopted by no main interpreter gets one of its own). */
    static CrossInterpreters of(Worker worker) {
        return BY_POOL.computeIfAbsent(worker.pool(), p -> new CrossInterpreters());
    }

    // ---- interpreters ------------------------------------------------------------------------------------------

    /** Registers a dedicated pool as a new interpreter; its id. */
    long register(PoolObject pool) {
        Interp i = new Interp(nextInterpreter.getAndIncrement(), WHENCE_STDLIB, pool);
        interpreters.put(i.id, i);
        dedicated.put(pool.pool, i);
        return i.id;
    }

    /** The interpreter is gone: its id is no longer found, and the items it put become unbound. */
    Interp remove(long id) {
        Interp i = interpreters.remove(id);
        if (i != null) {
            closed.add(id);
            dedicated.remove(i.pool.pool);
        }
        return i;
    }

    Interp interpreter(long id) {
        return interpreters.get(id);
    }

    /** (id, whence) of a worker: its dedicated interpreter's, or an id of its own for a worker of a Tessera pool. */
    long[] idOf(Worker worker) {
        Interp i = dedicated.get(worker.pool());
        if (i != null) {
            return new long[] {i.id, i.whence};
        }
        return new long[] {otherWorkers.computeIfAbsent(worker, w -> nextInterpreter.getAndIncrement()), WHENCE_UNKNOWN};
    }

    /** Whence of an interpreter id, or -1 if there is none (any worker's own id counts as found). */
    int whence(long id) {
        if (id == 0) {
            return WHENCE_RUNTIME;
        }
        Interp i = interpreters.get(id);
        if (i != null) {
            return i.whence;
        }
        return otherWorkers.containsValue(id) ? WHENCE_UNKNOWN : -1;
    }

    /** The interpreters made by {@code create()}, in id order (the main one comes first, added by the caller). */
    List<Interp> interpreters() {
        return new ArrayList<>(interpreters.values());
    }

    boolean isClosed(long id) {
        return closed.contains(id);
    }

    // ---- queues ------------------------------------------------------------------------------------------------

    QueueEntry createQueue(int maxsize, int unboundOp) {
        QueueEntry e = new QueueEntry(nextQueue.getAndIncrement(), new Queue(maxsize), unboundOp);
        queues.put(e.id, e);
        queueEntries.put(e.queue, e);
        return e;
    }

    /** The entry of a queue made by {@code tessera.create_queue()} (given an id the first time it is asked). */
    QueueEntry entryOf(Queue q) {
        synchronized (queueEntries) {
            QueueEntry e = queueEntries.get(q);
            if (e == null) {
                e = new QueueEntry(nextQueue.getAndIncrement(), q, UNBOUND_REPLACE);
                queueEntries.put(q, e);
                queues.put(e.id, e);
            }
            return e;
        }
    }

    QueueEntry queue(long id) {
        return queues.get(id);
    }

    QueueEntry removeQueue(long id) {
        QueueEntry e = queues.remove(id);
        if (e != null) {
            queueEntries.remove(e.queue);
        }
        return e;
    }

    List<QueueEntry> queues() {
        return new ArrayList<>(queues.values());
    }
}
