package dev.tessera.stress;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Runs the JCStress proofs of this module (lease table, array close racing readers and writers, the bounded queue)
 * in a child JVM and fails on any forbidden outcome or error. The mode comes from {@code tessera.jcstress.mode}:
 * {@code ci} in {@code ./tessera test} (JCStress's quick preset cut to 2 iterations of 100 ms and without split
 * per-actor compilation, about 1.5 minutes on 2 cores), or a JCStress preset ({@code quick}, {@code default}, {@code tough}, {@code stress}) for a long run:
 * {@code ./tessera test -pl stress -am -Dtessera.jcstress.mode=tough}. On 2 CPUs JCStress runs tests of at most two
 * actors, so every proof here has two.
 */
class ConcurrencyProofsTest {
    static final List<String> PROOFS = List.of("LeaseOverlapStress", "LeaseReleaseStress", "CloseWhileAccessingStress",
            "BoundedQueueStress");

    @Test
    @Timeout(value = 20, unit = TimeUnit.MINUTES) // the JCStress run itself is given 15
    void noForbiddenOutcomeUnderRaces(@TempDir Path dir) throws Exception {
        String mode = System.getProperty("tessera.jcstress.mode", "ci");
        Path java = Path.of(System.getProperty("java.home"), "bin", "java");
        // Agrona's queues read jdk.internal.misc.Unsafe, as in every Tessera JVM
        String flags = "--enable-native-access=ALL-UNNAMED --add-exports=java.base/jdk.internal.misc=ALL-UNNAMED";
        List<String> cmd = new ArrayList<>(List.of(java.toString(), "--enable-native-access=ALL-UNNAMED",
                "--add-exports=java.base/jdk.internal.misc=ALL-UNNAMED",
                "-cp", existingClassPath(), "org.openjdk.jcstress.Main",
                "-t", "dev\\.tessera\\.stress\\..*", "-r", dir.resolve("results").toString(),
                "-jvmArgsPrepend", flags));
        // ci: each proof under the normal and the C2-stress JVM configuration, both actors compiled alike (about 1.5
        // minutes: each of JCStress's forks costs ~5 s here, and split per-actor compilation multiplies them 3.5x)
        cmd.addAll(mode.equals("ci") ? List.of("-m", "quick", "-iters", "2", "-time", "100", "-sc", "false")
                : List.of("-m", mode));
        Path log = dir.resolve("jcstress.txt");
        Process p = new ProcessBuilder(cmd).directory(dir.toFile()).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        assertTrue(p.waitFor(15, TimeUnit.MINUTES), "JCStress did not finish in 15 minutes");
        String out = Files.readString(log);
        assertEquals(0, p.exitValue(), out);
        String summary = summary(out);
        assertTrue(summary.contains("Failed tests: No matches."), "forbidden outcomes:\n" + summary);
        assertTrue(summary.contains("Error tests: No matches."), "tests that errored:\n" + summary);
        assertTrue(summary.contains("All remaining tests: " + PROOFS.size() + " matching test results"),
                "not every proof ran (JCStress skips tests with more actors than CPUs):\n" + summary);
        System.out.println(summary);
    }

    /** This JVM's class path without entries that do not exist (JCStress's class scan fails on a missing directory). */
    private static String existingClassPath() {
        return java.util.Arrays.stream(System.getProperty("java.class.path").split(java.io.File.pathSeparator))
                .filter(e -> Files.exists(Path.of(e)))
                .collect(java.util.stream.Collectors.joining(java.io.File.pathSeparator));
    }

    /** The part after "RUN RESULTS:", or the whole output when there is none. */
    private static String summary(String out) throws IOException {
        int at = out.lastIndexOf("RUN RESULTS:");
        return at < 0 ? out : out.substring(at);
    }
}
