package dev.tessera.workers;

import static org.junit.jupiter.api.Assertions.*;

import dev.tessera.buffer.values.NotShareableException;
import dev.tessera.shm.ArrayStore;
import dev.tessera.shm.DType;
import dev.tessera.shm.SharedArray;
import java.math.BigInteger;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CancellationException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The Java API of the pool; one two-worker pool shared by the tests that leave it healthy. */
class InterpreterPoolTest {
    static InterpreterPool pool;
    static ArrayStore store;

    @BeforeAll
    static void start() {
        store = new ArrayStore();
        pool = PoolFixture.pool(2).store(store).preload("json").build();
    }

    @AfterAll
    static void stop() {
        pool.close();
        store.close();
    }

    static Object get(TaskFuture f) throws Exception {
        return f.get(120, TimeUnit.SECONDS);
    }

    @Test
    void resultsComeBackInHostForm() throws Exception {
        assertEquals(5L, get(pool.submit("tasks", "add", 2, 3)));
        assertEquals("ab", get(pool.submit("tasks", "add", "a", "b")));
        assertEquals(BigInteger.valueOf(Long.MAX_VALUE).add(new BigInteger("18446744073709551617")),
                get(pool.submit("tasks", "add", Long.MAX_VALUE, new BigInteger("18446744073709551617"))));
        assertEquals(List.of(List.of(1L, 2.5, "x", List.of(true)), List.of(List.of("k", "v"))),
                get(pool.submit(TaskSpec.call("tasks", "echo", 1, 2.5, "x", List.of(true)).withKwargs(Map.of("k", "v")))));
        assertArrayEquals(new byte[] {1, 2, 3}, (byte[]) get(pool.submit("tasks", "add", new byte[] {1}, new byte[] {2, 3})));
        assertNull(get(pool.submitSource("def f(x):\n    return None\n", "f", 1)));
        assertEquals(49L, get(pool.submitSource("def sq(x):\n    return x * x\n", "sq", 7)));
    }

    @Test
    void pythonExceptionsCarryTypeMessageAndTracebackAndTheWorkerStaysUsable() throws Exception {
        for (int i = 0; i < 3; i++) { // more failures than workers: each worker survives its own
            ExecutionException e = assertThrows(ExecutionException.class, () -> get(pool.submit("tasks", "boom", 0)));
            WorkerException w = assertInstanceOf(WorkerException.class, e.getCause());
            assertEquals("ZeroDivisionError", w.pythonType());
            assertEquals("division by zero", w.pythonMessage());
            assertTrue(w.traceback().contains("tasks.py") && w.traceback().contains("in boom"), w.traceback());
        }
        assertEquals(4L, get(pool.submit("tasks", "add", 2, 2)));
        var missing = assertThrows(ExecutionException.class, () -> get(pool.submit("no_such_module", "f")));
        assertEquals("ModuleNotFoundError", ((WorkerException) missing.getCause()).pythonType());
        assertEquals(List.of(1L, 2L), get(pool.submit("tasks", "unshareable_result")), "a list comes back copied");
        var result = assertThrows(ExecutionException.class, () -> get(pool.submit("tasks", "unpicklable_result")));
        WorkerException r = (WorkerException) result.getCause();
        assertEquals("tessera.NotShareableError", r.pythonType());
        assertTrue(r.pythonMessage().contains("generator") && r.pythonMessage().contains("pickle"), r.pythonMessage());
    }

    @Test
    void unshareableArgumentsAreRefusedBeforeSending() {
        var e = assertThrows(NotShareableException.class, () -> pool.submit("tasks", "echo", new ArrayList<>(List.of(Map.of()))));
        assertTrue(e.getMessage().contains("java.util.ImmutableCollections"), e.getMessage());
        assertThrows(NotShareableException.class, () -> pool.submit("tasks", "echo", new Object()));
        assertThrows(NotShareableException.class, () -> pool.submit("tasks", "echo", Path.of("/")));
    }

    @Test
    void workersFillDisjointSlicesInParallelAndTheirLeasesEndWithTheTask() throws Exception {
        SharedArray a = store.allocate(DType.FLOAT64, 100_000);
        int parts = 4;
        long step = a.length() / parts;
        List<TaskFuture> fs = new ArrayList<>();
        for (int p = 0; p < parts; p++) {
            fs.add(pool.submit("tasks", "fill", a.slice(p * step, (p + 1) * step), p * step));
        }
        for (TaskFuture f : fs) {
            assertEquals(step, get(f));
        }
        for (long i = 0; i < a.length(); i++) {
            assertEquals(i * 0.5, a.getDouble(i));
        }
        assertEquals(0, a.leaseCount(), "each task released the view it borrowed");
        a.close();
    }

    @Test
    void aViewKeptPastItsTaskCannotWrite() throws Exception {
        SharedArray a = store.allocate(DType.FLOAT64, 10);
        // A one-worker pool so that both tasks run in the same interpreter.
        try (InterpreterPool one = PoolFixture.pool(1).store(store).build()) {
            assertEquals(10L, get(one.submit("tasks", "keep_view", a.slice(0, 10))));
            var e = assertThrows(ExecutionException.class, () -> get(one.submit("tasks", "write_kept")));
            WorkerException w = (WorkerException) e.getCause();
            assertEquals("ValueError", w.pythonType());
            assertTrue(w.pythonMessage().contains("released"), w.pythonMessage());
        }
        assertEquals(0.0, a.getDouble(0));
        a.close();
    }

    @Test
    void cpuBoundTasksOnTwoWorkersOverlapInTime() throws Exception {
        get(pool.submit("tasks", "spin", 1000)); // both workers have imported tasks
        TaskFuture f1 = pool.submit("tasks", "spin", 30_000_000);
        TaskFuture f2 = pool.submit("tasks", "spin", 30_000_000);
        List<?> r1 = (List<?>) get(f1);
        List<?> r2 = (List<?>) get(f2);
        long start1 = (Long) r1.get(0), end1 = (Long) r1.get(1), start2 = (Long) r2.get(0), end2 = (Long) r2.get(1);
        assertTrue(start1 < end2 && start2 < end1,
                "the two runs overlap: [" + start1 + ", " + end1 + "] and [" + start2 + ", " + end2 + "]");
    }

    @Test
    void twoTasksSubmittedTogetherRunTogetherAlsoRightAfterAWorkerWasReplaced() throws Exception {
        try (InterpreterPool p = PoolFixture.pool(2).build()) {
            for (int i = 0; i < 2; i++) {
                get(p.submit("tasks", "spin", 1000));
            }
            while (p.stats().spares() == 0) { // the spare starts in the background once the workers are up
                Thread.sleep(10);
            }
            TaskFuture stuck = p.submit("tasks", "forever");
            while (!stuck.isRunning()) {
                Thread.sleep(1);
            }
            assertTrue(stuck.cancel(true));
            assertEquals(1, p.replacedWorkers());
            TaskFuture f1 = p.submit("tasks", "spin", 20_000_000);
            TaskFuture f2 = p.submit("tasks", "spin", 20_000_000);
            List<?> r1 = (List<?>) get(f1);
            List<?> r2 = (List<?>) get(f2);
            long start1 = (Long) r1.get(0), end1 = (Long) r1.get(1), start2 = (Long) r2.get(0), end2 = (Long) r2.get(1);
            assertTrue(start1 < end2 && start2 < end1, "the spare took the stopped worker's place at once: the two runs overlap: ["
                    + start1 + ", " + end1 + "] and [" + start2 + ", " + end2 + "]");
        }
    }

    @Test
    void aSpareCountsAsReadyOnlyOnceItHasImportedWhatThePoolsTasksNeed() throws Exception {
        try (InterpreterPool p = PoolFixture.pool(1).build()) {
            get(p.submit("slow_import", "imported_at")); // the pool now runs slow_import's functions: spares import it
            for (int round = 0; round < 3; round++) { // from the second round on, the spare started at a replacement
                while (p.stats().spares() == 0) {
                    Thread.sleep(10);
                }
                TaskFuture stuck = p.submit("tasks", "forever");
                while (!stuck.isRunning()) {
                    Thread.sleep(1);
                }
                assertTrue(stuck.cancel(true));
                long submitted = System.nanoTime();
                long importedAt = (Long) get(p.submit("slow_import", "imported_at"));
                assertTrue(importedAt < submitted, "round " + round + ": the spare that took over imported slow_import "
                        + (importedAt - submitted) / 1_000_000 + " ms after the task was submitted, though it counted as ready");
            }
        }
    }

    @Test
    void sandboxRefusesHostClassesAndFilesOutsideTheGrants() throws Exception {
        var java = assertThrows(ExecutionException.class, () -> get(pool.submit("tasks", "try_java")));
        WorkerException j = (WorkerException) java.getCause();
        assertEquals("ImportError", j.pythonType());
        assertTrue(j.pythonMessage().contains("sandboxed"), j.pythonMessage());
        var file = assertThrows(ExecutionException.class, () -> get(pool.submit("tasks", "try_open", "/etc/passwd")));
        WorkerException f = (WorkerException) file.getCause();
        assertEquals("PermissionError", f.pythonType(), f.pythonMessage());
        assertTrue(f.pythonMessage().contains("Permission denied") && f.pythonMessage().contains("/etc/passwd"), f.pythonMessage());
        // reading inside a granted directory (the tasks' own directory is on sys.path) works
        String own = PoolFixture.modules().resolve("tasks.py").toString();
        assertEquals("\"\"\"Task fu", get(pool.submit("tasks", "try_open", own))); // read(10)
        var write = assertThrows(ExecutionException.class,
                () -> get(pool.submitSource("def w(p):\n    open(p, 'w').write('x')\n", "w", PoolFixture.modules().resolve("new.txt").toString())));
        assertEquals("PermissionError", ((WorkerException) write.getCause()).pythonType());
        var sock = assertThrows(ExecutionException.class,
                () -> get(pool.submitSource("import socket\ndef s():\n    socket.create_connection(('127.0.0.1', 9))\n", "s")));
        assertNotNull(((WorkerException) sock.getCause()).pythonType());
    }

    @Test
    void aQueuedTaskCanBeCancelled() throws Exception {
        try (InterpreterPool one = PoolFixture.pool(1).build()) {
            TaskFuture busy = one.submit("tasks", "sleep", 1.0);
            TaskFuture queued = one.submit("tasks", "add", 1, 1);
            assertTrue(queued.cancel(false));
            assertTrue(queued.isCancelled());
            assertThrows(CancellationException.class, queued::join);
            assertEquals(1.0, get(busy));
            assertFalse(busy.cancel(false), "a finished task cannot be cancelled");
        }
    }

    @Test
    void aHungWorkerIsInterruptedAtItsDeadlineAndReplaced() throws Exception {
        try (InterpreterPool p = PoolFixture.pool(2).taskDeadline(Duration.ofSeconds(3)).build()) {
            TaskFuture stuck = p.submit("tasks", "forever");
            TaskFuture fine = p.submit("tasks", "add", 20, 22);
            assertEquals(42L, get(fine), "the other worker keeps serving");
            var e = assertThrows(ExecutionException.class, () -> get(stuck));
            assertInstanceOf(TaskTimeoutException.class, e.getCause());
            assertTrue(e.getCause().getMessage().contains("deadline"), e.getCause().getMessage());
            for (int i = 0; i < 4; i++) { // both workers serve again, the replaced one included
                assertEquals((long) i, get(p.submit("tasks", "add", i, 0)));
            }
            assertEquals(1, p.replacedWorkers());
        }
    }

    @Test
    void aRunningTaskCanBeCancelledWithInterrupt() throws Exception {
        try (InterpreterPool p = PoolFixture.pool(1).build()) {
            TaskFuture stuck = p.submit("tasks", "forever");
            while (!stuck.isRunning()) {
                Thread.sleep(10);
            }
            assertTrue(stuck.cancel(true));
            assertThrows(CancellationException.class, stuck::join);
            assertEquals(3L, get(p.submit("tasks", "add", 1, 2)));
        }
    }

    @Test
    void shutdownLeavesNoLeasesAndRefusesNewTasks() throws Exception {
        ArrayStore own = new ArrayStore();
        SharedArray a = own.allocate(DType.FLOAT64, 1000);
        InterpreterPool p = PoolFixture.pool(2).store(own).build();
        List<TaskFuture> fs = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            fs.add(p.submit("tasks", "fill", a.slice(i * 100, (i + 1) * 100), i * 100L));
        }
        p.shutdown(true, true); // queued ones cancelled, running ones finish
        for (TaskFuture f : fs) {
            assertTrue(f.isDone());
        }
        assertEquals(0, own.leaseCount(), "no lease survives the pool's tasks");
        assertThrows(java.util.concurrent.RejectedExecutionException.class, () -> p.submit("tasks", "add", 1, 1));
        own.close();
    }

    @Test
    void aWorkerThatCannotStartBreaksThePoolWithThePythonError() throws Exception {
        try (InterpreterPool p = PoolFixture.pool(1).preload("no_such_module_xyz").build()) {
            p.awaitReady(Duration.ofSeconds(120));
            BrokenPoolException broken = p.brokenReason();
            assertNotNull(broken);
            WorkerException cause = assertInstanceOf(WorkerException.class, broken.getCause());
            assertEquals("ModuleNotFoundError", cause.pythonType());
            assertThrows(BrokenPoolException.class, () -> p.submit("tasks", "add", 1, 1));
        }
        try (InterpreterPool p = PoolFixture.pool(1).initializerSource("raise ValueError('bad init')").build()) {
            BrokenPoolException broken;
            try {
                TaskFuture queued = p.submit("tasks", "add", 1, 1); // usually queued before the worker fails to start
                var e = assertThrows(ExecutionException.class, () -> get(queued));
                broken = assertInstanceOf(BrokenPoolException.class, e.getCause());
            } catch (BrokenPoolException refused) {
                broken = refused;
            }
            assertEquals("bad init", ((WorkerException) broken.getCause()).pythonMessage());
        }
    }
}
