package dev.tessera.workers;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.management.ManagementFactory;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * A task that fills the heap is stopped before the JVM runs out of it, and only that task; a task that allocates
 * a lot of garbage is not. The limit is set low (30% of the test JVM's heap) so that the hog is caught after about
 * a gigabyte instead of filling the machine.
 */
class MemoryGuardTest {
    private static final String HOG = """
            def hog():
                kept = []
                while True:
                    kept.append(bytearray(10_000_000))
            """;
    /** Keeps the last 500 MB of 100 KB pieces: they live long enough to reach the old generation, then die there. */
    private static final String CHURN = """
            def churn(pieces):
                window = [None] * 5000
                total = 0
                for i in range(pieces):
                    window[i % 5000] = bytearray(100_000)
                    total += 100_000
                return total
            """;

    @Test
    void aTaskThatFillsTheHeapIsStoppedAloneAndItsMemoryFreed() throws Exception {
        try (InterpreterPool p = PoolFixture.pool(2).heapLimit(0.3).build()) {
            TaskFuture hog = p.submitSource(HOG, "hog");
            TaskFuture fine = p.submit("tasks", "add", 20, 22);
            assertEquals(42L, fine.get(120, TimeUnit.SECONDS), "the other worker keeps serving");
            var e = assertThrows(ExecutionException.class, () -> hog.get(120, TimeUnit.SECONDS));
            assertInstanceOf(TaskMemoryException.class, e.getCause());
            assertTrue(e.getCause().getMessage().contains("heap_limit of 30%"), e.getCause().getMessage());
            for (int i = 0; i < 4; i++) { // both workers serve again, the replaced one included
                assertEquals((long) i, p.submit("tasks", "add", i, 0).get(120, TimeUnit.SECONDS));
            }
            assertEquals(1, p.replacedWorkers());
            assertEquals(1, p.failedTasks());
            long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while (p.knownWorkers() > 3 && System.nanoTime() < until) { // the stopped worker's thread is still ending
                Thread.sleep(20);
            }
            long max = Runtime.getRuntime().maxMemory();
            System.gc();
            long used = ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
            assertTrue(used < 0.3 * max, "what the hog built is freed with its interpreter: " + (used >> 20) + " MB in use");
        }
    }

    @Test
    void aTaskThatOnlyMakesGarbageIsNotStopped() throws Exception {
        try (InterpreterPool p = PoolFixture.pool(1).heapLimit(0.3).build()) {
            // 4 GB allocated, 500 MB of it live at a time: the old generation fills with garbage past the limit
            // (1.2 GB) before G1 collects it, but what survives a full collection stays below it
            assertEquals(4_000_000_000L, p.submitSource(CHURN, "churn", 40_000).get(120, TimeUnit.SECONDS));
            assertEquals(0, p.replacedWorkers());
        }
    }

    @Test
    void aHeapLimitOutsideZeroToOneIsRefused() {
        for (double bad : new double[] {0, -0.5, 1.5, Double.NaN}) {
            assertThrows(IllegalArgumentException.class, () -> InterpreterPool.builder().heapLimit(bad));
        }
    }
}
