package dev.tessera.workers.python;

import static org.junit.jupiter.api.Assertions.*;

import dev.tessera.shm.ArrayStore;
import dev.tessera.workers.PoolFixture;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
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

    /** Copies a program of this test into the test's directory; its path there. */
    Path copy(String program) throws IOException {
        Path to = dir.resolve(program + ".py");
        try (InputStream in = ScriptExitTest.class.getResourceAsStream("/programs/script_exit/" + program + ".py")) {
            if (in == null) {
                throw new IllegalStateException("no program " + program + ".py");
            }
            Files.copy(in, to, StandardCopyOption.REPLACE_EXISTING);
        }
        return to;
    }

    /** The exit status, stdout and stderr of a script run and closed as `tessera run` does. */
    record Ran(int status, String out, String err) {
    }

    /** Runs {@code src/test/resources/programs/script_exit/PROGRAM.py}, copied into its own directory. */
    Ran run(String program, String... args) throws Exception {
        return run(System.getenv(), program, args);
    }

    Ran run(Map<String, String> env, String program, String... args) throws Exception {
        return runFile(env, copy(program), args);
    }

    /** Runs the script file as `tessera run` does, in a main interpreter of its own. */
    static Ran runFile(Map<String, String> env, Path script, String... args) throws Exception {
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
    void aSyntaxErrorIsPrintedAsCPythonPrintsItWithoutTheRunnersFrame() throws Exception {
        Path script = Files.writeString(dir.resolve("bad_syntax.py"), "x = 1\ndef f(:\n    pass\n");
        Ran ran = runFile(System.getenv(), script);
        String printed = ran.err();
        assertEquals(1, ran.status(), printed);
        assertTrue(printed.contains("bad_syntax.py\", line 2") && printed.contains("SyntaxError"), printed);
        assertFalse(printed.contains("Traceback") || printed.contains("_tessera_run_main"), printed);
    }

    @Test
    void exitStatusIsTheScriptsAsUnderCPython() throws Exception {
        assertEquals(0, run("exit_status", "print").status());
        assertEquals(0, run("exit_status", "exit-0").status());
        assertEquals(0, run("exit_status", "exit-none").status());
        assertEquals(3, run("exit_status", "exit-3").status());
        assertEquals(0, run("exit_status", "exit-false").status(), "a bool is an int, as in CPython (unittest.main ends so)");
        assertEquals(1, run("exit_status", "exit-true").status());
        Ran message = run("exit_status", "exit-message");
        assertEquals(1, message.status());
        assertTrue(message.err().contains("bad input"), message.err());
        Ran raised = run("exit_status", "raise");
        assertEquals(1, raised.status());
        assertTrue(raised.err().contains("ValueError: nope") && raised.err().contains("in f"), raised.err());
        assertFalse(raised.err().contains("at org.graalvm") || raised.err().contains("dev.tessera"), "no host stack trace: " + raised.err());
        Ran argv = run("exit_status", "argv", "-v", "--x");
        assertTrue(argv.out().contains("['-v', '--x']"), argv.out());
    }

    @Test
    void osExitWithTasksRunningForeverEndsTheScriptAndStopsItsPool() throws Exception {
        Ran ran = run("os_exit_with_busy_pool"); // before: the interpreter's close waited for the tasks, forever
        assertEquals(7, ran.status(), ran.err());
        assertEquals("running True\n", ran.out());
    }

    @Test
    void theScriptsGlobalsAreCPythonsAndTimeSleepCanBeSentToWorkers() throws Exception {
        Ran ran = run("globals_and_time_sleep");
        assertEquals(0, ran.status(), ran.err());
        assertEquals(List.of("['tessera', 'time']", "None time sleep"), ran.out().strip().lines().toList());
    }

    @Test
    void importedModulesAreCachedAsBytecodeAsUnderCPythonAndWorkersReadTheCache() throws Exception {
        copy("helper_main");
        copy("helper_worker");
        Map<String, String> env = new HashMap<>(System.getenv());
        env.remove("PYTHONDONTWRITEBYTECODE"); // set on some machines (this project's among them)
        Ran ran = run(env, "bytecode_cache");
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
        Ran ran = run("environment");
        assertEquals(0, ran.status(), ran.err());
        assertEquals(List.of(path, path), ran.out().strip().lines().toList());
    }

    @Test
    void atexitHooksRunAndNonDaemonThreadsAreJoined() throws Exception {
        Ran ran = run("atexit_and_threads");
        assertEquals(0, ran.status(), ran.err());
        assertEquals(List.of("script ends", "thread finished", "atexit hook ran"), ran.out().strip().lines().toList());
    }

    // CPython's interpreter-shutdown tests (test_concurrent_futures/test_shutdown.py); their task comes from a module,
    // as upstream's comes from the test module.

    @Test
    void queuedTasksFinishWhenTheInterpreterShutsDown() throws Exception { // upstream test_interpreter_shutdown
        copy("shutdown_helpers");
        Ran ran = run("queued_tasks_finish");
        assertEquals("", ran.err());
        assertEquals("apple", ran.out().strip());
    }

    @Test
    void submitAfterInterpreterShutdownRaises() throws Exception { // upstream test_submit_after_interpreter_shutdown
        Ran ran = run("submit_after_shutdown");
        assertTrue(ran.err().contains("RuntimeError: cannot schedule new futures"), ran.err());
        assertEquals("runtime-error", ran.out().strip());
    }

    @Test
    void aTaskRunningAtShutdownWithoutWaitStillPrints() throws Exception { // upstream test_hang_gh83386
        copy("shutdown_helpers");
        Ran ran = run("running_task_without_wait");
        assertEquals("", ran.err());
        assertEquals("apple", ran.out().strip());
    }

    @Test
    void cancelFuturesWithoutWait() throws Exception { // upstream test_cancel_futures_wait_false
        copy("shutdown_helpers");
        Ran ran = run("cancel_futures_without_wait");
        assertEquals("", ran.err());
        assertTrue(List.of("apple", "").contains(ran.out().strip()), ran.out());
    }

    @Test
    void tesseraNamesAtTheTopLevelOfAScriptWorkWhenWorkersImportIt() throws Exception {
        Ran ran = run("tessera_at_top_level");
        assertEquals(0, ran.status(), ran.err());
        assertEquals(List.of("(3, True, 'source') 16", "RuntimeError True"), ran.out().strip().lines().toList());
    }
}
