package dev.tessera.workers.python;

import static org.junit.jupiter.api.Assertions.*;

import dev.tessera.shm.ArrayStore;
import dev.tessera.workers.PoolFixture;
import java.io.ByteArrayOutputStream;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * Runs the Python test suites in {@code src/test/resources/pytests} (unittest modules) in a main interpreter, as
 * `tessera run` would, and fails with their output if any test fails. Each suite prints a summary line that says
 * how many tests ran, so that a suite that silently ran nothing fails too.
 */
class PythonSuitesTest {
    private static final Pattern SUMMARY = Pattern.compile("SUITE: (\\d+) run, (\\d+) failures, (\\d+) errors, (\\d+) skipped");

    static Path suite(String name) {
        try {
            return Path.of(PythonSuitesTest.class.getResource("/pytests/" + name).toURI());
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Runs a suite; returns {run, skipped}. */
    static int[] runSuite(String name) {
        Path script = suite(name);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        int status;
        try (ArrayStore store = new ArrayStore();
             MainInterpreter main = new MainInterpreter(PoolFixture.runtime(), store, MainInterpreter.argv(script, List.of()),
                     System.in, out, out)) {
            status = main.runScript(script);
        }
        String text = out.toString(StandardCharsets.UTF_8);
        assertEquals(0, status, () -> name + " failed:\n" + text);
        Matcher m = SUMMARY.matcher(text);
        assertTrue(m.find(), () -> name + " printed no summary:\n" + text);
        return new int[] {Integer.parseInt(m.group(1)), Integer.parseInt(m.group(4))};
    }

    /** Runs a suite and checks that it ran at least {@code atLeast} tests and skipped exactly {@code skipped}. */
    static void assertSuite(String name, int atLeast, int skipped, String skipReason) {
        int[] counts = runSuite(name);
        assertTrue(counts[0] >= atLeast, "the suite ran " + counts[0] + " tests");
        assertEquals(skipped, counts[1], skipReason);
    }

    @Test
    void cpythonExecutorTestsPassAgainstInterpreterPool() {
        assertSuite("test_executor_conformance.py", 30, 4, "skips are listed in the suite with their reasons");
    }

    @Test
    void hostileInputEndsInClearPythonErrors() {
        assertSuite("test_hostile_input.py", 16, 0, null);
    }

    @Test
    void mapSlicesReportsCompletedAndFailedRangesForARetry() {
        assertSuite("test_map_slices.py", 4, 0, null);
    }

    @Test
    void kernelsAgreeWithPlainPython() {
        assertSuite("test_kernels.py", 10, 0, null);
    }

    @Test
    void waitsGiveTheGilUpSoThatOtherThreadsRun() {
        assertSuite("test_gil_and_waits.py", 8, 0, null);
    }

    @Test
    void graalPysInternalErrorsArePythonExceptions() {
        assertSuite("test_internal_errors.py", 10, 0, null);
    }
}
