package dev.tessera.workers;

import static org.junit.jupiter.api.Assertions.*;

import dev.tessera.shm.ArrayStore;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CancellationException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.parallel.Isolated;

/**
 * Workers made ahead on the engine: a pool takes them and gives them its settings; nothing of one pool reaches the
 * next; a pool stopped abruptly leaves the reserve serving; the reserve refills, and its close ends what is left.
 */
@Isolated // the reserve is the engine's: pools of UpstreamSuitesTest, which runs beside other classes, took from it
class WorkerReserveTest {
    /** Sets a global of the module `tasks` in the worker that runs it; the worker's thread name with it. */
    static final String SET_MARK = "import tasks\ndef mark(v):\n    tasks.MARK = v\n    return v\n";
    /** What the worker that runs it has in that global (None if nothing set it in this interpreter). */
    static final String GET_MARK = "import tasks\ndef read():\n    return getattr(tasks, 'MARK', None)\n";

    WorkerReserve reserve;

    @BeforeEach
    void keep() throws InterruptedException {
        reserve = WorkerReserve.keep(PoolFixture.runtime(), 3, true);
        assertTrue(reserve.awaitFull(120_000), "the reserve fills");
    }

    @AfterEach
    void close() {
        reserve.close();
        assertNull(WorkerReserve.of(PoolFixture.runtime()), "a closed reserve is forgotten");
    }

    static Object get(TaskFuture f) throws Exception {
        return f.get(120, TimeUnit.SECONDS);
    }

    @Test
    void aPoolTakesReadyWorkersAndGivesThemItsDirectoriesOutputAndStore() throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (ArrayStore store = new ArrayStore();
             InterpreterPool pool = PoolFixture.pool(2).store(store).output(out, out).build()) {
            assertTrue(pool.awaitReady(Duration.ofMinutes(2)));
            assertTrue(reserve.counts().taken() >= 2, "both workers (and the spare) came from the reserve");
            assertEquals(5L, get(pool.submit("tasks", "add", 2, 3)), "the pool's sys.path is readable and importable");
            get(pool.submitSource("def hello():\n    print('hello from a reserve worker', flush=True)\n", "hello"));
            assertTrue(out.toString(StandardCharsets.UTF_8).contains("hello from a reserve worker"), out::toString);
            assertEquals(0, store.bytesInUse());
            get(pool.submitSource("import tessera\ndef alloc():\n    global a\n    a = tessera.zeros(100, 'd')\n", "alloc"));
            assertEquals(800, store.bytesInUse(), "a worker's allocation goes to its pool's store");
            ExecutionException e = assertThrows(ExecutionException.class,
                    () -> get(pool.submitSource("def peek():\n    return open('/etc/hostname').read()\n", "peek")));
            assertEquals("PermissionError", ((WorkerException) e.getCause()).pythonType(), "the sandbox holds");
        }
        assertTrue(reserve.awaitFull(120_000), "the reserve refills");
    }

    @Test
    void aPoolThatTakesWorkersStillStartingGetsThemReadyWithItsSettings() throws Exception {
        reserve.close();
        reserve = WorkerReserve.keep(PoolFixture.runtime(), 2, false); // taken at once: both still starting
        try (InterpreterPool pool = PoolFixture.pool(2).spareWorkers(0).build()) {
            assertEquals(2, reserve.counts().taken(), "the pool took the two workers the reserve was still making");
            assertTrue(pool.awaitReady(Duration.ofMinutes(2)), "workers adopted while warming up become the pool's ready workers");
            assertEquals(5L, get(pool.submit("tasks", "add", 2, 3)), "the pool's sys.path reached them before its first task");
        }
    }

    /** Which of json and tessera's pool part the worker that runs it has imported (without importing either). */
    static final String IMPORTED = "import sys\ndef imported():\n    return ['json' in sys.modules, 'tessera._pool' in sys.modules]\n";

    @Test
    void aColdReservesWorkersImportTheScriptsStandardModulesAheadAndOneOfThemThePoolPart() throws Exception {
        reserve.close();
        reserve = WorkerReserve.keep(PoolFixture.runtime(), 2, false);
        assertTrue(reserve.awaitFull(120_000));
        try (InterpreterPool plain = PoolFixture.pool(1).spareWorkers(0).build()) {
            assertEquals(List.of(false, false), get(plain.submitSource(IMPORTED, "imported")), "nothing ahead by default");
        }
        reserve.close();
        // a user's module (not in the standard library) and one that does not exist are not imported, and no error
        reserve = WorkerReserve.keep(PoolFixture.runtime(), 2, false, List.of("json", "tasks", "no_such_module"), List.of("tessera"));
        assertTrue(reserve.awaitFull(120_000));
        List<Object> seen = new java.util.ArrayList<>();
        for (int i = 0; i < 2; i++) {
            try (InterpreterPool one = PoolFixture.pool(1).spareWorkers(0).build()) {
                seen.add(get(one.submitSource(IMPORTED + "def user():\n    return 'tasks' in sys.modules\n", "imported")));
                assertEquals(false, get(one.submitSource(IMPORTED + "def user():\n    return 'tasks' in sys.modules\n", "user")),
                        "a user's module is never imported ahead");
            }
        }
        assertEquals(2, reserve.counts().taken());
        assertTrue(seen.contains(List.of(true, true)) && seen.contains(List.of(true, false)),
                "both imported json; the first worker made, and only it, tessera's pool part: " + seen);
    }

    @Test
    void aModuleGlobalSetInOnePoolsWorkersIsNotSeenByTheNextPools() throws Exception {
        // One worker each and no spare: the first pool's one worker surely holds the mark.
        try (InterpreterPool first = PoolFixture.pool(1).spareWorkers(0).build()) {
            assertEquals("set by the first pool", get(first.submitSource(SET_MARK, "mark", "set by the first pool")));
            assertEquals("set by the first pool", get(first.submitSource(GET_MARK, "read")));
        }
        assertTrue(reserve.awaitFull(120_000));
        try (InterpreterPool second = PoolFixture.pool(1).spareWorkers(0).build()) {
            Set<Object> seen = new HashSet<>();
            for (int i = 0; i < 20; i++) {
                seen.add(get(second.submitSource(GET_MARK, "read")));
            }
            assertEquals(Set.of(), withoutNull(seen), "the second pool's workers never ran the first pool's tasks");
        }
        assertEquals(2, reserve.counts().taken(), "each pool took its own worker from the reserve");
    }

    private static Set<Object> withoutNull(Set<Object> s) {
        Set<Object> out = new HashSet<>(s);
        out.remove(null);
        return out;
    }

    @Test
    void aPoolStoppedAbruptlyLeavesTheReserveServingTheNext() throws Exception {
        InterpreterPool rough = PoolFixture.pool(2).build();
        TaskFuture a = rough.submit("tasks", "forever");
        TaskFuture b = rough.submit("tasks", "forever");
        TaskFuture queued = rough.submit("tasks", "add", 1, 1);
        while (rough.stats().running() < 2) {
            Thread.sleep(5);
        }
        rough.shutdownNow();
        assertThrows(CancellationException.class, () -> a.get(60, TimeUnit.SECONDS));
        assertThrows(CancellationException.class, () -> b.get(60, TimeUnit.SECONDS));
        assertThrows(CancellationException.class, () -> queued.get(60, TimeUnit.SECONDS));
        assertTrue(reserve.awaitFull(120_000), "the reserve refills after the rough pool took from it");
        try (InterpreterPool next = PoolFixture.pool(2).build()) {
            assertEquals(7L, get(next.submit("tasks", "add", 3, 4)));
            assertEquals(0, next.replacedWorkers());
        }
    }

    @Test
    void aBrokenInitializerBreaksItsPoolOnlyAndClosingEndsTheWorkersLeft() throws Exception {
        try (InterpreterPool broken = PoolFixture.pool(2).initializer("tasks", "boom", 0).build()) {
            broken.awaitReady(Duration.ofMinutes(2));
            assertNotNull(broken.brokenReason());
            assertThrows(BrokenPoolException.class, () -> broken.submit("tasks", "add", 1, 2));
        }
        assertTrue(reserve.awaitFull(120_000));
        try (InterpreterPool fine = PoolFixture.pool(1).spareWorkers(0).build()) {
            assertEquals(3L, get(fine.submit("tasks", "add", 1, 2)));
        }
        assertTrue(reserve.awaitFull(120_000));
        List<Thread> waiting = Thread.getAllStackTraces().keySet().stream()
                .filter(t -> t.getName().equals("tessera-reserve-worker")).toList();
        assertFalse(waiting.isEmpty());
        reserve.close();
        for (Thread t : waiting) {
            t.join(30_000);
            assertFalse(t.isAlive(), "a closed reserve's workers end");
        }
        try (InterpreterPool after = PoolFixture.pool(1).spareWorkers(0).build()) {
            assertEquals(9L, get(after.submit("tasks", "add", 4, 5)), "without a reserve a pool makes its own");
        }
    }
}
