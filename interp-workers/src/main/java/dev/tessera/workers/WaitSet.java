package dev.tessera.workers;

import com.oracle.truffle.api.TruffleSafepoint;
import com.oracle.truffle.api.nodes.Node;
import dev.tessera.buffer.graalpy.Gil;
import java.lang.invoke.VarHandle;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;

/**
 * Threads waiting for something that other threads provide (an item in a queue, a task, a finished task): a
 * waiter spins briefly, yields, then parks until a provider signals. A provider pays one fence and one volatile
 * read when nobody is parked.
 *
 * <p>No wake-up is lost: a waiter arms itself (a volatile write, then a full fence) before its last check, and a
 * provider fences after making its item visible and before it looks for armed waiters; so either the waiter sees
 * the item or the provider sees the waiter. A signal disarms the waiter it wakes, so that a stream of items costs
 * one unpark per wake-up, not one per item while the woken thread gets going.
 *
 * <p>{@link #signalOne()} wakes a single waiter, for things that one waiter consumes (a task, a queue item): on a
 * machine with few cores, waking every idle worker for each task only to have all but one park again costs the
 * one that works. Nothing is left waiting: a consumer that takes a thing and sees more wakes the next waiter (so a
 * waiter woken for one thing that took an earlier one hands the wake-up on), and a woken waiter that leaves
 * empty-handed (its time was up) passes its wake-up on. {@link #signalAll()} is for changes every waiter must see
 * (a close, a shutdown, a task's end).
 *
 * <p>Spinning pays only on a core that no running thread needs: a thread that spins while the thread it just woke
 * waits for a core (the other one busy with a long task) makes that thread wait a scheduler slice, milliseconds
 * (measured: a quarter of short tasks beside a long one took 3-4 ms). So a waiter spins only while fewer threads
 * run than there are cores ({@link #RUNNING}: workers inside a task and main interpreters, less those waiting
 * here, plus threads woken here that have not run yet); otherwise it parks at once and leaves its core free.
 *
 * <p>A waiter inside an interpreter parks through {@link TruffleSafepoint#setBlockedThreadInterruptible}, so that
 * a cancel or a context close reaches it while it waits; a plain Java thread parks and honours interrupts.
 */
public final class WaitSet {
    /** What an attempt returns when there is nothing yet. */
    public static final Object NOTHING = new Object() {
        @Override
        public String toString() {
            return "NOTHING";
        }
    };

    /** Waits with no deadline. */
    public static final long FOREVER = -1;

    // How long a waiter spins and then yields before it parks. Spinning keeps hand-offs between running
    // interpreters in the microseconds; on a machine with few cores a waiter soon yields its core to the provider.
    static final long SPIN_NANOS = Long.getLong("tessera.spinNanos", 20_000);
    static final long YIELD_NANOS = Long.getLong("tessera.yieldNanos", 50_000);
    /** The longest single park: a safety net, not a poll (signals wake waiters at once). */
    private static final long MAX_PARK_NANOS = 50_000_000;

    private static final int CORES = Runtime.getRuntime().availableProcessors();

    /**
     * Threads running Python now: a worker from the start of a task to its end, a main interpreter while it runs a
     * script or evaluates code (not while it waits, made ahead, for a script); each less while it waits here. Approximate (a main interpreter's own threads are not counted), and only
     * used to decide whether to spin.
     */
    static final AtomicInteger RUNNING = new AtomicInteger();

    private static final int ARMED = 1;
    private static final int DISARMED = 0;
    private static final int WOKEN = 2; // disarmed by a signal

    /** One try at what the waiter waits for: the thing, or {@link #NOTHING}. */
    @FunctionalInterface
    public interface Attempt {
        Object tryNow();
    }

    /** A parked (or about to park) waiter. */
    private static final class Waiter {
        final Thread thread = Thread.currentThread();
        final AtomicInteger state = new AtomicInteger(DISARMED);
    }

    private final AtomicInteger parkedCount = new AtomicInteger();
    private final ConcurrentLinkedQueue<Waiter> parked = new ConcurrentLinkedQueue<>();

    /** Wakes one armed waiter; call after making one thing that a waiter consumes visible. */
    public void signalOne() {
        wake(false);
    }

    /** Wakes every armed waiter; call after a change that every waiter must see. */
    public void signalAll() {
        wake(true);
    }

    private void wake(boolean all) {
        VarHandle.fullFence();
        if (parkedCount.get() != 0) {
            for (Waiter w : parked) {
                if (w.state.get() == ARMED && w.state.compareAndSet(ARMED, WOKEN)) {
                    RUNNING.incrementAndGet(); // it will run: a credit the waiter settles (see await)
                    LockSupport.unpark(w.thread);
                    if (!all) {
                        return;
                    }
                }
            }
        }
    }

    /**
     * Runs {@code attempt} until it gives something other than {@link #NOTHING} or {@code timeoutNanos} pass
     * ({@link #FOREVER}: no limit; 0: one try); returns its result, or NOTHING after the timeout.
     *
     * @param node the interpreter's node when called from Python (safepoints are honoured), else null
     * @throws InterruptedException a plain Java thread was interrupted
     */
    public Object await(Attempt attempt, long timeoutNanos, Node node) throws InterruptedException {
        return await(attempt, timeoutNanos, node, false);
    }

    /**
     * As {@link #await(Attempt, long, Node)}; {@code running}: the caller is counted in {@link #RUNNING} (a worker
     * inside a task, a main interpreter's thread), and is not while it waits.
     */
    public Object await(Attempt attempt, long timeoutNanos, Node node, boolean running) throws InterruptedException {
        Object got = attempt.tryNow();
        if (got != NOTHING || timeoutNanos == 0) {
            return got;
        }
        // A thread that keeps its GIL across host calls (see Gil) gives it up while it waits.
        boolean gil = node != null && Gil.releaseIfHeld(node);
        try {
            return awaitSlowly(attempt, timeoutNanos, node, running);
        } finally {
            Gil.retake(gil);
        }
    }

    private Object awaitSlowly(Attempt attempt, long timeoutNanos, Node node, boolean running) throws InterruptedException {
        Object got = NOTHING;
        if (running) {
            RUNNING.decrementAndGet();
        }
        long start = System.nanoTime();
        long deadline = timeoutNanos < 0 ? Long.MAX_VALUE : start + timeoutNanos;
        // Phase 1: spin, then yield, while the provider is likely to be moments away and a core is free for it.
        long busyUntil = Math.min(deadline, start + SPIN_NANOS + YIELD_NANOS);
        for (long now = start; now - busyUntil < 0 && RUNNING.get() < CORES; now = System.nanoTime()) {
            if (now - start < SPIN_NANOS) {
                for (int i = 0; i < 32; i++) {
                    Thread.onSpinWait();
                }
            } else {
                Thread.yield();
            }
            got = attempt.tryNow();
            if (got != NOTHING) {
                if (running) {
                    RUNNING.incrementAndGet();
                }
                return got;
            }
        }
        // Phase 2: park until signalled.
        Waiter me = new Waiter();
        parkedCount.incrementAndGet();
        parked.add(me);
        boolean woken = false;
        int credit = 0; // a waker's count of this thread in RUNNING, not yet settled
        try {
            while (true) {
                if (credit != 0) { // woken, but going back to wait: not running after all
                    RUNNING.decrementAndGet();
                    credit = 0;
                }
                me.state.set(ARMED); // then the check: a provider that misses it sees the armed waiter
                got = attempt.tryNow();
                if (got != NOTHING) {
                    return got;
                }
                long left = timeoutNanos < 0 ? MAX_PARK_NANOS : deadline - System.nanoTime();
                if (left <= 0) {
                    return NOTHING;
                }
                park(node, Math.min(left, MAX_PARK_NANOS));
                if (me.state.compareAndSet(WOKEN, DISARMED)) {
                    credit = 1;
                    woken = true;
                }
            }
        } finally {
            if (me.state.getAndSet(DISARMED) == WOKEN) { // woken after its last look
                credit++;
                woken = true;
            }
            parked.remove(me);
            parkedCount.decrementAndGet();
            // Leaving: a running thread runs again (a waker's credit already counts it); another gives it back.
            if (running && credit == 0) {
                RUNNING.incrementAndGet();
            } else if (!running && credit != 0) {
                RUNNING.decrementAndGet();
            }
            if (woken && got == NOTHING) { // woken for a thing this waiter leaves without: another may take it
                signalOne();
            }
        }
    }

    private static void park(Node node, long nanos) throws InterruptedException {
        if (node != null) {
            TruffleSafepoint.setBlockedThreadInterruptible(node, WaitSet::parkInterruptibly, nanos);
        } else {
            parkInterruptibly(nanos);
        }
    }

    private static void parkInterruptibly(Long nanos) throws InterruptedException {
        LockSupport.parkNanos(nanos);
        if (Thread.interrupted()) {
            throw new InterruptedException();
        }
    }

    /** A main interpreter's thread starts ({@code +1}) or stops ({@code -1}) running Python (see {@link #RUNNING}). */
    public static void countRunning(int delta) {
        RUNNING.addAndGet(delta);
    }

    /** Waiters parked now (for tests and stats). */
    int parkedCount() {
        return parkedCount.get();
    }
}
