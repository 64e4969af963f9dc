package dev.tessera.service;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tessera.buffer.PythonRuntime;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** A service's start-up warm-up: its runs, its report, users first, isolation from users' scripts, its failure. */
@Timeout(value = 5, unit = TimeUnit.MINUTES)
class WarmUpTest {
    private static PythonRuntime runtime;

    @BeforeAll
    static void start() {
        runtime = PythonRuntime.start();
    }

    @AfterAll
    static void stop() {
        runtime.close();
    }

    /** A user's script run to its end: its status and what it printed. */
    private record Ran(int status, String out, String err) {
    }

    private static CompletableFuture<Ran> run(ScriptRunner runner, String script) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        CompletableFuture<Integer> status = new CompletableFuture<>();
        Path file = ArrayServiceTest.resource("scripts/" + script);
        runner.start(file, List.of(), file.getParent(), new ScriptRunner.Collected(out, err, status));
        return status.thenApply(code -> new Ran(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8)));
    }

    @Test
    void theWarmUpRunsInInterpretersOfItsOwnReportsItsEndAndLeavesNothingToUsers() throws Exception {
        List<String> lines = new CopyOnWriteArrayList<>();
        try (ScriptRunner runner = new ScriptRunner(runtime, null)) {
            WarmUp w = runner.startWarmUp(new WarmUp.Plan(2, 2, 0.2, "warm_up.py"), lines::add);
            String summary = w.await(TimeUnit.MINUTES.toMillis(4));
            assertNotNull(summary, "the warm-up did not end");
            assertTrue(summary.startsWith("warm after 2 runs in "), summary);
            assertEquals(List.of(summary), lines, "one report line, when it ends");
            assertTrue(w.isDone());
            assertEquals(2, w.runs());
            assertEquals(0, runner.scriptsStarted(), "warm-up runs are not users' scripts");
            Ran ran = run(runner, "after_warm_up.py").get(2, TimeUnit.MINUTES);
            assertEquals(0, ran.status(), ran.err());
            assertEquals("main ['-'] worker ['+']\n", ran.out(), "a user's interpreters see nothing of the warm-up's");
        }
    }

    @Test
    void eachWarmUpRunHasAScriptOfItsOwnShapeAndLeavesNoFile() throws Exception {
        String script = "import sys\nprint(sorted(k for k in globals() if k.startswith('_warm_up_global_')))\n";
        Path a = WarmUp.variant(script, 0);
        Path b = WarmUp.variant(script, 5);
        try {
            assertNotEquals(a.getParent(), b.getParent());
            assertEquals("d0", b.getParent().getFileName().toString(), "run 5 lies one directory deeper: " + b);
            String first = Files.readString(a);
            String second = Files.readString(b);
            assertTrue(first.endsWith(script) && second.endsWith(script), "the script follows its globals");
            assertEquals(1, first.lines().filter(l -> l.startsWith("_warm_up_global_")).count());
            assertEquals(6, second.lines().filter(l -> l.startsWith("_warm_up_global_")).count());
        } finally {
            WarmUp.deleteVariant(a);
            WarmUp.deleteVariant(b);
        }
        assertFalse(Files.exists(a) || Files.exists(a.getParent()), "run 0's script and directory are gone");
        assertFalse(Files.exists(b) || Files.exists(b.getParent()) || Files.exists(b.getParent().getParent()),
                "run 5's script and its directories are gone");
    }

    @Test
    void aUsersScriptDuringTheWarmUpRunsAtOnceAndTheWarmUpGoesOnAfterIt() throws Exception {
        try (ScriptRunner runner = new ScriptRunner(runtime, null)) {
            WarmUp w = runner.startWarmUp(new WarmUp.Plan(2, 2, 30, "warm_up.py"), line -> { });
            while (!w.inRun()) { // its first run is under way (it would take 30 s)
                Thread.sleep(20);
            }
            Ran ran = run(runner, "hello_user.py").get(2, TimeUnit.MINUTES);
            assertEquals(0, ran.status(), ran.err());
            assertEquals("hello from a user\n", ran.out());
            while (w.cancelledRuns() == 0 && w.runs() == 0) { // the run ends: cancelled, or after its 30 s
                Thread.sleep(20);
            }
            assertEquals(1, w.cancelledRuns(), "the run under way was cancelled for the user's script");
            assertEquals(0, w.runs(), "a cancelled run does not count");
            assertTrue(!w.isDone(), "the warm-up goes on after the user's script");
            w.close();
            assertTrue(w.isDone());
        }
    }

    @Test
    void aFailingWarmUpIsReportedWithItsErrorAndScriptsStillRun() throws Exception {
        List<String> lines = new CopyOnWriteArrayList<>();
        try (ScriptRunner runner = new ScriptRunner(runtime, null)) {
            WarmUp w = runner.startWarmUp(new WarmUp.Plan(1, 1, 0.2, "failing_warm_up.py"), lines::add);
            String summary = w.await(TimeUnit.MINUTES.toMillis(2));
            assertNotNull(summary);
            assertEquals("warm-up failed, serving without it: run 1 exited 3: the warm-up's own error", summary);
            assertEquals(List.of(summary), lines);
            Ran ran = run(runner, "hello_user.py").get(2, TimeUnit.MINUTES);
            assertEquals(0, ran.status(), ran.err());
            assertEquals("hello from a user\n", ran.out());
        }
    }
}
