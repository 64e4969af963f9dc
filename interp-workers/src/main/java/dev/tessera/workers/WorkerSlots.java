package dev.tessera.workers;

import com.oracle.truffle.api.TruffleSafepoint;
import com.oracle.truffle.api.nodes.Node;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * A pool's workers: one per slot, at most one spare (started, idle, importing what tasks will need) that takes the
 * slot of a stopped worker at once, and every worker whose thread has not ended yet. The pool's own workers start
 * in parallel, in the background; the spare starts once they all have, so that it does not slow their start.
 */
final class WorkerSlots {
    private final InterpreterPool pool;
    private final Worker[] slots;
    private final int spares;
    /** Every worker not yet ended: slots, the spare, stopped ones still closing (for shutdown and the memory guard). */
    private final List<Worker> every = new CopyOnWriteArrayList<>();
    private volatile Worker spare;
    private final CountDownLatch started;
    private final long createdNanos = System.nanoTime();
    private volatile long readyNanos;

    WorkerSlots(InterpreterPool pool, int workers, int spares) {
        this.pool = pool;
        this.slots = new Worker[workers];
        this.spares = spares;
        this.started = new CountDownLatch(workers);
    }

    /** Starts a worker in every slot, all at once. */
    void startAll() {
        for (int i = 0; i < slots.length; i++) {
            slots[i] = newWorker(i);
        }
        for (Worker w : slots) {
            w.thread.start();
        }
    }

    private Worker newWorker(int slot) {
        Worker w = new Worker(pool, slot);
        every.add(w);
        return w;
    }

    // ---- start-up ---------------------------------------------------------------------------------------------

    void ready(Worker w) {
        if (w.slot() >= 0 && started.getCount() > 0) {
            countStarted();
            if (started.getCount() == 0) {
                startSpare();
            }
        }
    }

    /** A worker's interpreter failed to start: a spare is forgotten; a slot's worker breaks the pool. */
    void failedToStart(Worker w, RuntimeException e) {
        if (Boolean.getBoolean("tessera.debug")) {
            e.printStackTrace();
        }
        if (w.slot() < 0) { // the pool still serves; replacements will start their own workers
            if (spare == w) {
                spare = null;
            }
            return;
        }
        String why = e instanceof WorkerException we
                ? "a worker's initializer or preload raised " + we.getMessage() + "; the pool cannot run tasks\n" + we.traceback()
                : "a worker interpreter failed to start: " + e.getMessage() + "; the pool cannot run tasks";
        pool.breakPool(new BrokenPoolException(why, e));
        if (started.getCount() > 0) {
            countStarted();
        }
    }

    private void countStarted() {
        readyNanos = System.nanoTime();
        started.countDown();
    }

    /** Waits until every slot's worker has started (or one failed); false after the timeout. */
    boolean awaitStarted(Duration timeout) throws InterruptedException {
        return started.await(timeout.toNanos(), TimeUnit.NANOSECONDS);
    }

    /** Waits until every slot's worker has started; the time from the pool's creation to the last one being ready. */
    Duration startupTime() {
        try {
            started.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return Duration.ofNanos(Math.max(0, readyNanos - createdNanos));
    }

    // ---- replacing --------------------------------------------------------------------------------------------

    /** A worker's interpreter was stopped: its slot goes to the spare (or a new worker), and a new spare starts. */
    synchronized void replace(Worker old) {
        pool.counters.replaced.incrementAndGet();
        int slot = old.slot();
        if (pool.isShutdown() || slot < 0) {
            return;
        }
        Worker s = spare;
        if (s != null && s.isReady()) {
            spare = null;
            slots[slot] = s;
            s.promote(slot);
        } else {
            Worker w = newWorker(slot);
            slots[slot] = w;
            w.thread.start();
        }
        startSpare();
    }

    private synchronized void startSpare() {
        if (spares > 0 && spare == null && !pool.isShutdown() && pool.brokenReason() == null) {
            Worker s = newWorker(-1);
            spare = s;
            s.thread.start();
        }
    }

    /** Wakes the spare so that it sees the shutdown and ends. */
    void wakeSpare() {
        Worker s = spare;
        if (s != null) {
            LockSupport.unpark(s.thread);
        }
    }

    // ---- ending -----------------------------------------------------------------------------------------------

    /**
     * A worker's thread is ending (its interpreter closed): forgotten, so that a pool replacing workers for days
     * does not keep every stopped worker (and what its interpreter reached) alive.
     */
    void ended(Worker w) {
        every.remove(w);
        if (pool.isShutdown() && every.isEmpty()) {
            MemoryGuard.forget(pool);
        }
    }

    /** Waits until every worker's thread has ended; an interpreter's {@code node} keeps its safepoints working. */
    void awaitEnded(Node node) {
        while (true) {
            Worker alive = null;
            for (Worker w : every) {
                if (w.thread.isAlive()) {
                    alive = w;
                    break;
                }
            }
            if (alive == null) {
                return;
            }
            try {
                alive.thread.join(20);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
            if (node != null) {
                TruffleSafepoint.poll(node);
            }
        }
    }

    // ---- looking ----------------------------------------------------------------------------------------------

    /** Every worker not yet ended (slots, spare, stopped ones still closing). */
    List<Worker> all() {
        return every;
    }

    /** True while some worker runs a task. */
    boolean anyBusy() {
        for (Worker w : every) {
            if (w.currentTask() != null) {
                return true;
            }
        }
        return false;
    }

    int slotCount() {
        return slots.length;
    }

    /** Per slot: ready, busy, tasks run, bytes allocated. */
    List<PoolStats.WorkerStats> stats() {
        List<PoolStats.WorkerStats> out = new ArrayList<>();
        for (Worker w : slots) {
            if (w != null) {
                out.add(new PoolStats.WorkerStats(w.slot(), w.isReady(), w.currentTask() != null, w.tasksRun(), w.allocatedBytes()));
            }
        }
        return out;
    }

    /** Spares ready to take over with the pool's task modules imported: 0 or 1. */
    int warmSpares() {
        Worker s = spare;
        return s != null && s.isWarm() ? 1 : 0;
    }
}
