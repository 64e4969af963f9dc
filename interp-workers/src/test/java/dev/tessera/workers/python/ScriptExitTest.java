package dev.tessera.workers.python;

import static org.junit.jupiter.api.Assertions.*;

import dev.tessera.shm.ArrayStore;
import dev.tessera.workers.PoolFixture;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A script ends as it would under CPython: its exit status, atexit hooks, joined threads, and pools that finish
 * their tasks when the interpreter shuts down. The pool scripts are CPython's own interpreter-shutdown tests
 * (test_concurrent_futures/test_shutdown.py, which runs them in a child `python -c`), run here in a fresh main
 * interpreter each.
 */
class ScriptExitTest {
    @TempDir
    Path dir;

    /** The exit status, stdout and stderr of a script run and closed as `tessera run` does. */
    record Ran(int status, String out, String err) {
    }

    Ran run(String code, String... args) throws Exception {
        return run(System.getenv(), code, args);
    }

    Ran run(Map<String, String> env, String code, String... args) throws Exception {
        Path script = dir.resolve("script_" + System.nanoTime() + ".py");
        Files.writeString(script, code);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int status;
        try (ArrayStore store = new ArrayStore();
             MainInterpreter main = new MainInterpreter(PoolFixture.runtime(), store, MainInterpreter.argv(script, List.of(args)),
                     System.in, out, err, env)) {
            status = main.runScript(script);
        }
        return new Ran(status, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    @Test
    void exitStatusIsTheScriptsAsUnderCPython() throws Exception {
        assertEquals(0, run("print('fine')").status());
        assertEquals(0, run("import sys\nsys.exit(0)").status());
        assertEquals(0, run("import sys\nsys.exit()").status());
        assertEquals(3, run("import sys\nsys.exit(3)").status());
        Ran message = run("import sys\nsys.exit('bad input')");
        assertEquals(1, message.status());
        assertTrue(message.err().contains("bad input"), message.err());
        Ran raised = run("def f():\n    raise ValueError('nope')\nf()\n");
        assertEquals(1, raised.status());
        assertTrue(raised.err().contains("ValueError: nope") && raised.err().contains("in f"), raised.err());
        assertFalse(raised.err().contains("at org.graalvm") || raised.err().contains("dev.tessera"), "no host stack trace: " + raised.err());
        Ran argv = run("import sys\nprint(sys.argv[1:])", "-v", "--x");
        assertTrue(argv.out().contains("['-v', '--x']"), argv.out());
    }

    @Test
    void theScriptsGlobalsAreCPythonsAndTimeSleepCanBeSentToWorkers() throws Exception {
        Ran ran = run("""
                import time, tessera
                print(sorted(n for n in globals() if not n.startswith("__")))
                if __name__ == "__main__":
                    with tessera.InterpreterPool(1) as pool:
                        print(pool.submit(time.sleep, 0).result(60), time.sleep.__module__, time.sleep.__name__)
                """);
        assertEquals(0, ran.status(), ran.err());
        assertEquals(List.of("['tessera', 'time']", "None time sleep"), ran.out().strip().lines().toList());
    }

    @Test
    void importedModulesAreCachedAsBytecodeAsUnderCPythonAndWorkersReadTheCache() throws Exception {
        Files.writeString(dir.resolve("helper_main.py"), "def twice(x):\n    return 2 * x\n");
        Files.writeString(dir.resolve("helper_worker.py"), "def thrice(x):\n    return 3 * x\n");
        Map<String, String> env = new HashMap<>(System.getenv());
        env.remove("PYTHONDONTWRITEBYTECODE"); // set on some machines (this project's among them)
        Ran ran = run(env, """
                import os, sys, tessera, helper_main
                def work(x):
                    import helper_worker  # imported by the worker only: its sandbox cannot write the cache
                    return helper_main.twice(x), helper_worker.thrice(x)
                if __name__ == "__main__":
                    print(sys.dont_write_bytecode)
                    # The same size and time, other code: a worker that reads the cache still doubles.
                    st = os.stat(helper_main.__file__)
                    with open(helper_main.__file__, "w") as f:
                        f.write("def twice(x):\\n    return 5 * x\\n")
                    os.utime(helper_main.__file__, ns=(st.st_atime_ns, st.st_mtime_ns))
                    with tessera.InterpreterPool(1) as pool:
                        print(pool.submit(work, 7).result(60))
                """);
        assertEquals(0, ran.status(), ran.err());
        assertEquals(List.of("False", "(14, 21)"), ran.out().strip().lines().toList());
        List<String> cached;
        try (var files = Files.list(dir.resolve("__pycache__"))) {
            cached = files.map(f -> f.getFileName().toString()).toList();
        }
        assertTrue(cached.stream().anyMatch(n -> n.startsWith("helper_main.") && n.endsWith(".pyc")), cached.toString());
        assertFalse(cached.stream().anyMatch(n -> n.startsWith("helper_worker.")), "the worker wrote " + cached);
    }

    @Test
    void theBytecodeCacheFollowsCPythonsEnvironmentVariables() {
        assertEquals(Map.of("python.DontWriteBytecodeFlag", "false"), MainInterpreter.bytecodeCache(Map.of()));
        assertEquals(Map.of("python.DontWriteBytecodeFlag", "true"),
                MainInterpreter.bytecodeCache(Map.of("PYTHONDONTWRITEBYTECODE", "1")));
        assertEquals(Map.of("python.DontWriteBytecodeFlag", "false"),
                MainInterpreter.bytecodeCache(Map.of("PYTHONDONTWRITEBYTECODE", "")));
        assertEquals(Map.of("python.DontWriteBytecodeFlag", "false", "python.PyCachePrefix", "/tmp/pyc"),
                MainInterpreter.bytecodeCache(Map.of("PYTHONPYCACHEPREFIX", "/tmp/pyc")));
    }

    @Test
    void theScriptSeesTheProcessEnvironmentAsUnderCPython() throws Exception {
        String path = System.getenv("PATH");
        assertNotNull(path, "the test JVM has a PATH");
        Ran ran = run("import os, subprocess\nprint(os.environ.get('PATH'))\n"
                + "print(subprocess.run(['sh', '-c', 'echo $PATH'], capture_output=True, text=True).stdout.strip())");
        assertEquals(0, ran.status(), ran.err());
        assertEquals(List.of(path, path), ran.out().strip().lines().toList());
    }

    @Test
    void atexitHooksRunAndNonDaemonThreadsAreJoined() throws Exception {
        Ran ran = run("""
                import atexit, threading, time
                atexit.register(lambda: print("atexit hook ran"))
                def late():
                    time.sleep(0.3)
                    print("thread finished")
                threading.Thread(target=late).start()
                print("script ends")
                """);
        assertEquals(0, ran.status(), ran.err());
        assertEquals(List.of("script ends", "thread finished", "atexit hook ran"), ran.out().strip().lines().toList());
    }

    static final String SLEEP_AND_PRINT = """
            import sys, time
            import tessera

            def sleep_and_print(t, msg):
                time.sleep(t)
                print(msg)
                sys.stdout.flush()

            """;

    @Test
    void queuedTasksFinishWhenTheInterpreterShutsDown() throws Exception { // upstream test_interpreter_shutdown
        Ran ran = run(SLEEP_AND_PRINT + """
                if __name__ == "__main__":
                    t = tessera.InterpreterPool(5)
                    t.submit(sleep_and_print, 1.0, "apple")
                """);
        assertEquals("", ran.err());
        assertEquals("apple", ran.out().strip());
    }

    @Test
    void submitAfterInterpreterShutdownRaises() throws Exception { // upstream test_submit_after_interpreter_shutdown
        Ran ran = run("""
                import atexit
                import tessera

                @atexit.register
                def run_last():
                    try:
                        t.submit(id, None)
                    except RuntimeError:
                        print("runtime-error")
                        raise

                if __name__ == "__main__":
                    t = tessera.InterpreterPool(5)
                    t.submit(id, 42).result()
                """);
        assertTrue(ran.err().contains("RuntimeError: cannot schedule new futures"), ran.err());
        assertEquals("runtime-error", ran.out().strip());
    }

    @Test
    void aTaskRunningAtShutdownWithoutWaitStillPrints() throws Exception { // upstream test_hang_gh83386
        Ran ran = run(SLEEP_AND_PRINT + """
                if __name__ == "__main__":
                    t = tessera.InterpreterPool(max_workers=3)
                    t.submit(sleep_and_print, 1.0, "apple")
                    t.shutdown(wait=False)
                """);
        assertEquals("", ran.err());
        assertEquals("apple", ran.out().strip());
    }

    @Test
    void cancelFuturesWithoutWait() throws Exception { // upstream test_cancel_futures_wait_false
        Ran ran = run(SLEEP_AND_PRINT + """
                if __name__ == "__main__":
                    t = tessera.InterpreterPool()
                    t.submit(sleep_and_print, .1, "apple")
                    t.shutdown(wait=False, cancel_futures=True)
                """);
        assertEquals("", ran.err());
        assertTrue(List.of("apple", "").contains(ran.out().strip()), ran.out());
    }

    @Test
    void tesseraNamesAtTheTopLevelOfAScriptWorkWhenWorkersImportIt() throws Exception {
        Ran ran = run("""
                import tessera
                SQUARE = tessera.source("def sq(x):\\n    return x * x\\n", "sq")   # runs in workers too
                assert tessera.QueueEmpty and tessera.ExecutionFailed and tessera.NotShareableError

                def task(x):
                    return (x, tessera.is_shareable((1, "a")), type(SQUARE).__name__)

                if __name__ == "__main__":
                    with tessera.InterpreterPool(2) as pool:
                        print(pool.submit(task, 3).result(), pool.submit(SQUARE, 4).result())
                        try:
                            pool.submit(tessera.source("import tessera\\ndef f():\\n    tessera.InterpreterPool(1)\\n", "f")).result()
                        except tessera.ExecutionFailed as e:
                            print(e.excinfo.type, "main interpreter" in e.excinfo.msg)
                """);
        assertEquals(0, ran.status(), ran.err());
        assertEquals(List.of("(3, True, 'source') 16", "RuntimeError True"), ran.out().strip().lines().toList());
    }
}
