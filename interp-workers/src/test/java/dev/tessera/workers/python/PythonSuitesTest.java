package dev.tessera.workers.python;

import static org.junit.jupiter.api.Assertions.*;

import dev.tessera.shm.ArrayStore;
import dev.tessera.workers.PoolFixture;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/**
 * Every Python suite in {@code src/test/resources/pytests} ({@code test_*.py}, unittest modules ending in
 * {@code unittest.main()}), each a test of its own, run in a main interpreter as `tessera run` would. A suite passes
 * when it exits 0 having run exactly the tests its file defines ({@code def test_} methods, per unittest's summary)
 * and skipped exactly those it marks {@code @unittest.skip}: a suite that silently ran less, or a test shadowed by
 * another of the same name, fails too. A new suite file runs without being listed anywhere.
 */
class PythonSuitesTest {
    /** Per suite: the slowest took about 4 minutes on 2 cores shared with other builds. */
    private static final Duration BUDGET = Duration.ofMinutes(10);
    private static final Pattern RAN = Pattern.compile("(?m)^Ran (\\d+) tests? in ");
    private static final Pattern SKIPPED = Pattern.compile("(?m)^(OK|FAILED) \\(.*skipped=(\\d+)");
    private static final Pattern TEST = Pattern.compile("(?m)^\\s+def test_\\w+\\(");
    private static final Pattern SKIP = Pattern.compile("(?m)^\\s+@unittest\\.skip\\(");

    @TestFactory
    Stream<DynamicTest> everySuiteRunsEveryTestItDefines() throws IOException {
        Path dir = resource("/pytests");
        List<Path> suites;
        try (Stream<Path> files = Files.list(dir)) {
            suites = files.filter(f -> f.getFileName().toString().matches("test_\\w+\\.py")).sorted().toList();
        }
        assertFalse(suites.isEmpty(), "no suites in " + dir);
        return suites.stream().map(s -> DynamicTest.dynamicTest(s.getFileName().toString(), s.toUri(),
                () -> assertTimeoutPreemptively(BUDGET, () -> runSuite(s), () -> s.getFileName() + " ran past " + BUDGET)));
    }

    private static void runSuite(Path script) throws IOException {
        String source = Files.readString(script);
        int defined = count(TEST, source);
        int marked = count(SKIP, source);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        int status;
        try (ArrayStore store = new ArrayStore();
             MainInterpreter main = new MainInterpreter(PoolFixture.runtime(), store, MainInterpreter.argv(script, List.of()),
                     System.in, out, out)) {
            status = main.runScript(script);
        }
        String text = out.toString(StandardCharsets.UTF_8);
        String name = script.getFileName().toString();
        assertEquals(0, status, () -> name + " failed:\n" + text);
        Matcher ran = RAN.matcher(text);
        assertTrue(ran.find(), () -> name + " printed no unittest summary:\n" + text);
        assertEquals(defined, Integer.parseInt(ran.group(1)), () -> name + " defines " + defined + " tests:\n" + text);
        Matcher skipped = SKIPPED.matcher(text);
        int skips = skipped.find() ? Integer.parseInt(skipped.group(2)) : 0;
        assertEquals(marked, skips, () -> name + " marks " + marked + " tests skipped:\n" + text);
    }

    private static int count(Pattern p, String text) {
        return (int) p.matcher(text).results().count();
    }

    static Path resource(String name) {
        try {
            return Path.of(PythonSuitesTest.class.getResource(name).toURI());
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }
}
