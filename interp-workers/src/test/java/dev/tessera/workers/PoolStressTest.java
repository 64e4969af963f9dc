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
 * some cancelled while running), arrays closed and made again. A model of the leases the host holds is checked
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
        int[] counts = new int[6];
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
        System.out.printf("pool stress: %d leases asked, %d released, %d fills, %d failing tasks, %d cancels, %d arrays remade%n",
                counts[0], counts[1], counts[2], counts[3], counts[4], counts[5]);
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
