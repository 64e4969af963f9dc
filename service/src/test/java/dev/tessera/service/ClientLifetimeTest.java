package dev.tessera.service;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.tessera.buffer.PythonRuntime;
import dev.tessera.shm.ArrayStore;
import dev.tessera.workers.InterpreterPool;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * How long a CPython client's mappings live (lifetime_suite.py, a unittest suite run to its exact count): a mapping goes with the last array over it, close()
 * unmaps what no array uses, and released arrays give the machine's shared memory back. Run with every CPython here
 * (the PATH one with numpy 2, Debian's with numpy 1.24 that Dask workers use).
 */
class ClientLifetimeTest {
    private static PythonRuntime runtime;
    private static ArrayStore store;
    private static InterpreterPool pool;

    @BeforeAll
    static void startPool() throws Exception {
        runtime = PythonRuntime.start();
        store = new ArrayStore();
        pool = InterpreterPool.builder().runtime(runtime).workers(1).store(store).build();
        pool.awaitReady(Duration.ofMinutes(2));
    }

    @AfterAll
    static void stopPool() {
        pool.shutdownNow();
        store.close();
        runtime.close();
    }

    @Test
    void aMappingGoesWithItsLastArrayAndCloseUnmapsTheRest(@TempDir Path dir) throws Exception {
        List<String> pythons = new ArrayList<>();
        for (String python : List.of("python3", "/usr/bin/python3")) {
            if (runs(python)) {
                pythons.add(python);
            }
        }
        Assumptions.assumeFalse(pythons.isEmpty(), "no CPython 3 here");
        Path socket = dir.resolve("run").resolve("t.sock");
        try (ArrayService service = ArrayService.start(socket, store, pool)) {
            for (String python : pythons) {
                System.out.println(python + ":");
                ArrayServiceTest.runSuiteWith(python, "lifetime_suite.py", socket.toString(), ArrayServiceTest.clientDir().toString());
                assertEquals(0, store.bytesInUse(), "released arrays leave nothing");
            }
        }
    }

    private static boolean runs(String python) {
        try {
            return new ProcessBuilder(python, "-c", "import numpy").start().waitFor() == 0;
        } catch (IOException | InterruptedException e) {
            return false;
        }
    }
}
