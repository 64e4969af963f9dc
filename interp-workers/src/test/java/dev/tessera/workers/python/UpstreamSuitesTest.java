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
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.parallel.Execution;
import org.junit.jupiter.api.parallel.ExecutionMode;

/**
 * CPython's own tests of {@code concurrent.interpreters} (3.14's test_api and test_queues) and of the interpreter
 * pools (test_interpreter_pool, and the executor, wait, as_completed and initializer tests for InterpreterPoolExecutor
 * and tessera.InterpreterPool), unmodified, run by {@code cpython/run_upstream.py} in a main interpreter. Every test
 * that does not pass is listed in {@code cpython/skips.txt} with why: this checks that the skipped and the failing
 * tests are exactly those listed, and that at least 95% of the tests not skipped pass.
 */
@Execution(ExecutionMode.CONCURRENT) // the two groups run side by side (see junit-platform.properties)
class UpstreamSuitesTest {
    private static final Pattern RESULT = Pattern.compile("^RESULT (\\S+) (\\S+)", Pattern.MULTILINE);
    private static final Pattern MISMATCH = Pattern.compile(
            "^(UNLISTED-FAILURE|UNLISTED-SKIP|LISTED-NOT-RUN|LISTED-FAILURE-PASSES|LISTED-SKIP-RAN) .*$", Pattern.MULTILINE);

    private static Path resource(String name) {
        try {
            return Path.of(UpstreamSuitesTest.class.getResource("/cpython/" + name).toURI());
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    /** kind per test id, from skips.txt (kind TAB id TAB reason). */
    static Map<String, String> expectations() throws IOException {
        Map<String, String> out = new LinkedHashMap<>();
        for (String line : Files.readAllLines(resource("skips.txt"))) {
            if (line.isBlank() || line.startsWith("#")) {
                continue;
            }
            String[] parts = line.split("\t", 3);
            assertEquals(3, parts.length, () -> "skips.txt: a line needs kind, test id and reason: " + line);
            assertTrue(List.of("skip", "upstream-skip", "fail").contains(parts[0]), () -> "skips.txt: unknown kind in " + line);
            assertFalse(parts[2].isBlank(), () -> "skips.txt: no reason given for " + parts[1]);
            assertNull(out.put(parts[1], parts[0]), () -> "skips.txt lists " + parts[1] + " twice");
        }
        return out;
    }

    @Test
    @Timeout(value = 40, unit = TimeUnit.MINUTES)
    void cpythonsInterpreterTestsPassOrAreListedWithTheReason() throws IOException {
        checkGroup("interpreters", List.of("test_api.", "test_queues."), 100);
    }

    @Test
    @Timeout(value = 40, unit = TimeUnit.MINUTES)
    void cpythonsInterpreterPoolTestsPassOrAreListedWithTheReason() throws IOException {
        checkGroup("futures", List.of("test_interpreter_pool.", "test_wait.", "test_as_completed.", "test_init."), 60);
    }

    /** Runs one group of run_upstream.py in a main interpreter of its own and checks it against skips.txt. */
    private static void checkGroup(String group, List<String> modules, int atLeast) throws IOException {
        Map<String, String> expected = new LinkedHashMap<>();
        expectations().forEach((id, kind) -> {
            if (modules.stream().anyMatch(id::startsWith)) {
                expected.put(id, kind);
            }
        });
        Path script = resource("run_upstream.py");
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        int status;
        try (ArrayStore store = new ArrayStore();
             MainInterpreter main = new MainInterpreter(PoolFixture.runtime(), store, MainInterpreter.argv(script, List.of(group)),
                     System.in, out, out)) {
            status = main.runScript(script);
        }
        String text = out.toString(StandardCharsets.UTF_8);
        assertEquals(0, status, () -> "run_upstream.py failed:\n" + text);

        Map<String, String> outcomes = new LinkedHashMap<>();
        Matcher m = RESULT.matcher(text);
        while (m.find()) {
            outcomes.putIfAbsent(m.group(2), m.group(1));
        }
        List<String> mismatches = new ArrayList<>();
        Matcher mm = MISMATCH.matcher(text);
        while (mm.find()) {
            mismatches.add(mm.group());
        }
        assertTrue(mismatches.isEmpty(), () -> "outcomes differ from skips.txt:\n" + String.join("\n", mismatches) + "\n\n" + text);

        TreeSet<String> skipped = new TreeSet<>();
        TreeSet<String> failed = new TreeSet<>();
        int passed = 0;
        for (var e : outcomes.entrySet()) {
            switch (e.getValue()) {
                case "skip" -> skipped.add(e.getKey());
                case "fail", "error", "unexpected-success" -> failed.add(e.getKey());
                default -> passed++;
            }
        }
        TreeSet<String> listedSkips = new TreeSet<>();
        TreeSet<String> listedFailures = new TreeSet<>();
        expected.forEach((id, kind) -> (kind.equals("fail") ? listedFailures : listedSkips).add(id));
        assertEquals(listedSkips, skipped, "the skipped tests are exactly those skips.txt lists");
        assertEquals(listedFailures, failed, "the failing tests are exactly those skips.txt lists");
        int notSkipped = outcomes.size() - skipped.size();
        assertTrue(outcomes.size() >= atLeast, "ran " + outcomes.size() + " tests");
        assertTrue(passed >= 0.95 * notSkipped, passed + " of " + notSkipped + " tests not skipped passed (goal: 95%)");
        // the summary in the build log, for the record (run_upstream.py's own line: passed, failed, skipped, time)
        text.lines().filter(l -> l.startsWith("UPSTREAM:")).forEach(l -> System.out.println(group + ": " + l));
    }
}
