package dev.tessera.workers;

import com.sun.management.GarbageCollectionNotificationInfo;
import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.lang.management.MemoryUsage;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;
import javax.management.NotificationEmitter;
import javax.management.openmbean.CompositeData;

/**
 * Stops the task that fills the heap before the JVM runs out of it.
 *
 * <p>This GraalPy edition gives a context no heap limit of its own, and an {@link OutOfMemoryError} lands on
 * whichever thread allocates next: the main interpreter, another worker, the pool's own threads. So after every
 * collection, and every 20 ms in between (large arrays go straight to the old generation and may fill the heap with
 * no young collection at all), the guard looks at how much of the heap is in use. Past a pool's limit it asks for a
 * full collection (what survives that is live, not garbage waiting for the old generation to be collected), and if
 * the heap is still past the limit it stops the running task that has allocated the most since it began: its context is closed, which
 * makes everything the task built unreachable, and its worker is replaced. Until that worker's thread has ended no
 * other task is stopped, so one hog costs one task.
 *
 * <p>What is relaxed: allocation is the JVM's per-thread count ({@code ThreadMXBean}), cumulative, so the task that
 * allocated the most, not necessarily the one holding the most, is the one stopped; memory held by an idle worker
 * (a module global that grows from task to task) or by the main interpreter is never reclaimed by the guard.
 */
final class MemoryGuard {
    private static final com.sun.management.ThreadMXBean THREADS =
            (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
    /** At most one forced collection in this time: a heap that stays full must not turn into back-to-back full GCs. */
    private static final long MIN_NANOS_BETWEEN_FORCED_GCS = 250_000_000L;
    /** A stopped worker whose thread has not ended after this long no longer holds the guard back. */
    private static final long STOP_GRACE_NANOS = 5_000_000_000L;
    private static final long POLL_NANOS = 20_000_000L;

    private static volatile MemoryGuard instance;

    private final Set<InterpreterPool> pools = ConcurrentHashMap.newKeySet();
    private final Set<String> heapPools = ConcurrentHashMap.newKeySet();
    private final long maxHeap = Runtime.getRuntime().maxMemory();

    /** Heap in use after a collection, and whether it was a full one. */
    private record Collection(long used, boolean full) {
    }

    /** The last collection not looked at yet (null if none): later ones replace it. */
    private final AtomicReference<Collection> pending = new AtomicReference<>();
    /** Decisions run on this thread, off the JVM's notification thread; events that arrive meanwhile coalesce. */
    private final Thread decider = Thread.ofPlatform().name("tessera-memory-guard").daemon(true).unstarted(this::watchLoop);
    private long lastForcedGc = System.nanoTime() - MIN_NANOS_BETWEEN_FORCED_GCS;
    private Worker lastStopped;
    private long lastStoppedAt;

    private MemoryGuard() {
        for (MemoryPoolMXBean p : ManagementFactory.getMemoryPoolMXBeans()) {
            if (p.getType() == MemoryType.HEAP) {
                heapPools.add(p.getName());
            }
        }
        for (GarbageCollectorMXBean gc : ManagementFactory.getGarbageCollectorMXBeans()) {
            if (gc instanceof NotificationEmitter emitter) {
                emitter.addNotificationListener((n, handback) -> {
                    if (GarbageCollectionNotificationInfo.GARBAGE_COLLECTION_NOTIFICATION.equals(n.getType())) {
                        afterCollection(GarbageCollectionNotificationInfo.from((CompositeData) n.getUserData()));
                    }
                }, null, null);
            }
        }
        decider.start();
    }

    private void watchLoop() {
        MemoryMXBean heap = ManagementFactory.getMemoryMXBean();
        while (true) {
            LockSupport.parkNanos(pools.isEmpty() ? 50 * POLL_NANOS : POLL_NANOS);
            if (pools.isEmpty()) {
                continue;
            }
            try {
                Collection c = pending.getAndSet(null);
                if (c != null) {
                    decide(c.used(), c.full());
                } else {
                    decide(heap.getHeapMemoryUsage().getUsed(), false);
                }
            } catch (RuntimeException | OutOfMemoryError e) {
                // the guard must outlive a failed look (an OutOfMemoryError here is what it exists to prevent)
            }
        }
    }

    static void watch(InterpreterPool pool) {
        if (pool.heapLimit() >= 1.0) {
            return;
        }
        MemoryGuard g = instance;
        if (g == null) {
            synchronized (MemoryGuard.class) {
                g = instance;
                if (g == null) {
                    instance = g = new MemoryGuard();
                }
            }
        }
        g.pools.add(pool);
    }

    static void forget(InterpreterPool pool) {
        MemoryGuard g = instance;
        if (g != null) {
            g.pools.remove(pool);
        }
    }

    static long threadAllocated(Thread t) {
        return THREADS.getThreadAllocatedBytes(t.threadId());
    }

    /** Bytes the calling thread has allocated so far (a worker records this when a task begins). */
    static long allocatedByCurrentThread() {
        return THREADS.getCurrentThreadAllocatedBytes();
    }

    private void afterCollection(GarbageCollectionNotificationInfo info) {
        if (pools.isEmpty()) {
            return;
        }
        long used = 0;
        for (Map.Entry<String, MemoryUsage> e : info.getGcInfo().getMemoryUsageAfterGc().entrySet()) {
            if (heapPools.contains(e.getKey())) {
                used += e.getValue().getUsed();
            }
        }
        pending.set(new Collection(used, info.getGcAction().contains("major")));
        LockSupport.unpark(decider);
    }

    private void decide(long used, boolean full) {
        double fraction = (double) used / maxHeap;
        double lowest = 1.0;
        for (InterpreterPool p : pools) {
            lowest = Math.min(lowest, p.heapLimit());
        }
        if (fraction <= lowest) {
            return;
        }
        Worker previous = lastStopped;
        if (previous != null && previous.thread.isAlive() && System.nanoTime() - lastStoppedAt < STOP_GRACE_NANOS) {
            return; // the last task stopped still holds its memory until its interpreter is gone
        }
        if (!full) {
            // Old-generation garbage counts as used until a mixed or full collection: confirm with a full one,
            // whose own notification decides.
            long now = System.nanoTime();
            if (now - lastForcedGc >= MIN_NANOS_BETWEEN_FORCED_GCS) {
                lastForcedGc = now;
                System.gc();
            }
            return;
        }
        Worker hog = null;
        Task hogTask = null;
        long most = -1;
        for (InterpreterPool p : pools) {
            if (fraction <= p.heapLimit()) {
                continue;
            }
            for (Worker w : p.slots.all()) {
                Task t = w.currentTask();
                long allocated = t == null ? -1 : w.allocatedSinceTaskBegan();
                if (allocated > most) {
                    most = allocated;
                    hog = w;
                    hogTask = t;
                }
            }
        }
        if (hog == null) {
            return;
        }
        TaskMemoryException reason = new TaskMemoryException(String.format(
                "task %d (%s) was stopped: %s of the %s heap (%.0f%%) was still in use after a full collection, past "
                        + "the pool's heap_limit of %.0f%%, and this task had allocated %s since it began, the most of "
                        + "any running task; its worker was replaced",
                hogTask.id, hogTask.spec.describe(), bytes(used), bytes(maxHeap), fraction * 100,
                hog.pool().heapLimit() * 100, bytes(most)));
        if (hog.stop(hogTask, reason)) {
            lastStopped = hog;
            lastStoppedAt = System.nanoTime();
        }
    }

    private static String bytes(long n) {
        return n >= 1L << 30 ? String.format("%.1f GB", n / (double) (1L << 30)) : String.format("%.0f MB", n / (double) (1L << 20));
    }
}
