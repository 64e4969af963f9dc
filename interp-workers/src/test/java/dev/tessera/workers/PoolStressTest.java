package dev.tessera.workers;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.tessera.shm.ArrayStore;
import dev.tessera.shm.ArrayView;
import dev.tessera.shm.DType;
import dev.tessera.shm.LeaseConflictException;
import dev.tessera.shm.SharedArray;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CancellationException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * Randomised stress of a pool: leases taken and released by the host, fill tasks on leased slices (some failing,
 * some cancelled while running), queue streams between workers and the host (some producers cancelled midway),
 * arrays closed and made again. A model of the leases the host holds is checked
 * after every step: overlapping requests refused exactly when the model says so, the store's lease count equal to
 * the model's once the step's tasks are done, every filled range holding what its task wrote, byte accounting back
 * to zero at the end. The seed is printed; replay with {@code -Dtessera.stress.seed=N}; longer with
 * {@code -Dtessera.stress.steps=N}.
 */
class PoolStressTest {
    private static final int ROWS = 4096;

    private record Held(SharedArray array, ArrayView view) {
    }

    @Test
    void randomLeasesTasksFailuresAndCancelsKeepTheInvariants() throws Exception {
        long seed = Long.getLong("tessera.stress.seed", System.nanoTime());
        int steps = Integer.getInteger("tessera.stress.steps", 400);
        System.out.printf("pool stress: %d steps, seed %d (-Dtessera.stress.seed to replay)%n", steps, seed);
        Random rnd = new Random(seed);
        ArrayStore store = new ArrayStore();
        List<SharedArray> arrays = new ArrayList<>();
        List<Held> held = new ArrayList<>();
        int[] counts = new int[8];
        try (InterpreterPool pool = PoolFixture.pool(2).store(store).build()) {
            for (int k = 0; k < 3; k++) {
                arrays.add(store.allocate(DType.FLOAT64, ROWS));
            }
            for (int step = 0; step < steps; step++) {
                int op = rnd.nextInt(100);
                String where = "seed " + seed + ", step " + step;
                SharedArray a = arrays.get(rnd.nextInt(arrays.size()));
                long lo = rnd.nextInt(ROWS);
                long hi = lo + 1 + rnd.nextInt((int) Math.min(512, ROWS - lo));
                boolean overlaps = overlapsHeld(held, a, lo, hi);
                if (op < 30) { // the host takes a lease
                    counts[0]++;
                    try {
                        ArrayView v = a.slice(lo, hi);
                        if (overlaps) {
                            fail(where + ": an overlapping lease [" + lo + ", " + hi + ") was granted");
                        }
                        held.add(new Held(a, v));
                    } catch (LeaseConflictException e) {
                        assertTrue(overlaps, where + ": [" + lo + ", " + hi + ") was refused with nothing overlapping: " + e.getMessage());
                    }
                } else if (op < 50 && !held.isEmpty()) { // the host releases one
                    counts[1]++;
                    held.remove(rnd.nextInt(held.size())).view().release();
                } else if (op < 90 && !overlaps) { // a task fills a leased slice; some fail
                    boolean failing = rnd.nextInt(5) == 0;
                    counts[failing ? 3 : 2]++;
                    TaskFuture f = pool.submit("tasks", failing ? "fill_then_fail" : "fill", a.slice(lo, hi), lo);
                    try {
                        Object r = f.get(120, TimeUnit.SECONDS);
                        assertTrue(!failing, where + ": a failing task returned " + r);
                        assertEquals(hi - lo, ((Number) r).longValue(), where);
                        for (long i : new long[] {lo, hi - 1, lo + rnd.nextInt((int) (hi - lo))}) {
                            assertEquals((double) i * 0.5, a.getDouble(i), where + ": row " + i);
                        }
                    } catch (ExecutionException e) {
                        assertTrue(failing, where + ": a fill failed: " + e.getCause());
                        assertTrue(e.getCause() instanceof WorkerException w && w.getMessage().contains("injected"), where + ": " + e.getCause());
                        assertEquals(lo * 0.5, a.getDouble(lo), where + ": the writes before the failure stay");
                    }
                } else if (op < 93 && !overlaps) { // a running task holding a lease is cancelled: its worker is replaced
                    counts[4]++;
                    TaskFuture f = pool.submit("tasks", "hold", a.slice(lo, hi));
                    while (!f.isRunning() && !f.isDone()) {
                        Thread.sleep(1);
                    }
                    f.cancel(true);
                    try {
                        f.get(120, TimeUnit.SECONDS);
                        fail(where + ": a cancelled task completed");
                    } catch (CancellationException expected) {
                        // its lease must be gone: checked below
                    }
                } else if (op >= 93 && op < 98) { // queue traffic between workers and the host, some producers cancelled
                    queueStep(pool, rnd, where, counts);
                } else if (op >= 98) { // an array is closed (ending the host's leases on it) and a new one made
                    counts[5]++;
                    held.removeIf(h -> h.array() == a);
                    a.close();
                    arrays.set(arrays.indexOf(a), store.allocate(DType.FLOAT64, ROWS));
                }
                // every task of this step is done: only the host's own leases remain
                assertEquals(held.size(), store.leaseCount(), where + ": leases in the store against the host's " + held);
            }
            for (Held h : held) {
                h.view().release();
            }
            assertEquals(0, store.leaseCount());
            assertEquals(arrays.size() * (long) ROWS * 8, store.bytesInUse());
            for (SharedArray a : arrays) {
                a.close();
            }
            assertEquals(0, store.bytesInUse());
            assertEquals(3L, pool.submit("tasks", "add", 1, 2).get(120, TimeUnit.SECONDS), "the pool serves on");
        }
        System.out.printf("pool stress: %d leases asked, %d released, %d fills, %d failing tasks, %d cancels, %d arrays remade, "
                + "%d queue streams (%d with a producer cancelled)%n", counts[0], counts[1], counts[2], counts[3], counts[4],
                counts[5], counts[6], counts[7]);
    }

    /**
     * A bounded queue of random size carries (producer, i) items: either worker to worker (one task produces, the
     * other consumes) or two producing workers to the host, which sometimes cancels one producer midway. Every
     * item arrives exactly once and in its producer's order; a finished producer's items all arrive; a cancelled
     * one's items are a prefix of what it would have sent (what it put before the stop is not lost).
     */
    private static void queueStep(InterpreterPool pool, Random rnd, String where, int[] counts) throws Exception {
        counts[6]++;
        Queue q = new Queue(1 + rnd.nextInt(64));
        long n1 = 1 + rnd.nextInt(2000);
        long n2 = 1 + rnd.nextInt(2000);
        if (rnd.nextBoolean()) { // worker to worker
            TaskFuture producer = pool.submit("tasks", "produce", q, 1L, n1);
            TaskFuture consumer = pool.submit("tasks", "consume", q, n1);
            assertEquals(n1, ((Number) producer.get(120, TimeUnit.SECONDS)).longValue(), where);
            List<?> got = (List<?>) consumer.get(120, TimeUnit.SECONDS);
            assertEquals(n1, got.size(), where + ": items received");
            for (int i = 0; i < got.size(); i++) {
                assertEquals(List.of(1L, (long) i), List.copyOf((List<?>) got.get(i)), where + ": item " + i);
            }
        } else { // two workers to the host
            TaskFuture p1 = pool.submit("tasks", "produce", q, 1L, n1);
            TaskFuture p2 = pool.submit("tasks", "produce", q, 2L, n2);
            long cancelAt = rnd.nextInt(3) == 0 ? rnd.nextLong(n1 + n2) : -1;
            if (cancelAt >= 0) {
                counts[7]++;
            }
            long[] next = new long[3];
            long received = 0;
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
            while (true) {
                if (received == cancelAt) {
                    p1.cancel(true);
                }
                Queue.Got g = q.poll(20, TimeUnit.MILLISECONDS);
                if (g.found()) {
                    List<?> item = (List<?>) g.value();
                    int producer = ((Number) item.get(0)).intValue();
                    assertEquals(next[producer], ((Number) item.get(1)).longValue(), where + ": producer " + producer + "'s order");
                    next[producer]++;
                    received++;
                } else if (p1.isDone() && p2.isDone() && q.isEmpty()) {
                    break;
                }
                assertTrue(System.nanoTime() < deadline, where + ": the queue stream did not end");
            }
            assertEquals(n2, next[2], where + ": every item of the producer that finished");
            if (p1.isCancelled()) {
                assertTrue(next[1] <= n1, where);
            } else {
                assertEquals(n1, ((Number) p1.get(1, TimeUnit.SECONDS)).longValue(), where);
                assertEquals(n1, next[1], where + ": every item of the producer that finished");
            }
        }
        q.close();
    }

    private static boolean overlapsHeld(List<Held> held, SharedArray a, long lo, long hi) {
        for (Held h : held) {
            if (h.array() == a && h.view().start() < hi && lo < h.view().stop()) {
                return true;
            }
        }
        return false;
    }
}
