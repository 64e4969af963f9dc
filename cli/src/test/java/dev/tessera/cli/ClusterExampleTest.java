package dev.tessera.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tessera.examples.ClusterExample;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * {@code tessera example cluster} run small (two simulated nodes, each a tessera serve of this build and Dask worker
 * processes on its own loopback address), and the fault suite (cluster_faults.py). Both need Debian's /usr/bin/python3
 * with python3-distributed and python3-h5py; without them they are skipped, saying so.
 */
class ClusterExampleTest {
    private static final Path PYTHON = Path.of("/usr/bin/python3");

    @Test
    @Timeout(value = 10, unit = TimeUnit.MINUTES) // starts two JVM services and a Dask cluster: ~1 minute on 2 loaded cores
    void theClusterExampleVerifiesItselfOnTwoSmallNodes() throws Exception {
        assumeDask();
        // small: 2 blocks of 1 MiB per node, one GraalPy worker per service (the nodes' start-up is most of the time)
        String out = runDriver("cluster_example.py", "--nodes", "2", "--rows", String.valueOf(1 << 19), "--block-mb", "1",
                "--chunk-rows", String.valueOf(1 << 15), "--service-workers", "1", "--sweep", "2", "--rounds", "3");
        assertTrue(out.contains("every result verified"), out);
        assertTrue(out.contains("tasks on a block run on its node (goal 100%)"), out);
    }

    @Test
    @Timeout(value = 10, unit = TimeUnit.MINUTES) // its own two nodes, frozen and killed services: ~1.5 minutes loaded
    void faultsAndBadInputAreClearErrorsAndNothingHangs() throws Exception {
        assumeDask();
        String out = runDriver("cluster_faults.py");
        assertTrue(out.contains("CHECKS PASSED"), out);
    }

    @Test
    void withoutAPythonThatHasDaskTheExampleSaysWhatToInstall() {
        StringWriter err = new StringWriter();
        int status = Main.commandLine().setErr(new PrintWriter(err, true))
                .execute("example", "cluster", "--python", "/nonexistent/python3");
        assertEquals(2, status, err.toString());
        assertTrue(err.toString().startsWith("tessera: no CPython at /nonexistent/python3")
                && err.toString().contains("python3-distributed"), err.toString());
    }

    private static void assumeDask() throws Exception {
        String missing = ClusterExample.missingModules(PYTHON);
        Assumptions.assumeTrue(missing == null, "skipped: " + missing);
    }

    /** Runs a driver of examples/python with /usr/bin/python3 and this build as the nodes' service; returns its output. */
    private static String runDriver(String script, String... args) throws Exception {
        List<String> command = new ArrayList<>(List.of(PYTHON.toString(),
                ClusterExample.root().resolve("examples/python").resolve(script).toString()));
        command.addAll(List.of(args));
        command.addAll(List.of("--serve-command", ClusterExample.serveCommandJson()));
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(10, TimeUnit.MINUTES), script + " did not end");
        System.out.print(out);
        assertEquals(0, p.exitValue(), out);
        return out;
    }
}
