package dev.tessera.examples;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code tessera example cluster}: Tessera arrays on a Dask cluster, one {@code tessera serve} per node. The work is
 * CPython's (Dask runs there): this command runs the driver {@code examples/python/cluster_example.py} with Debian's
 * {@code /usr/bin/python3} and hands it the command that starts this very Tessera as a service, one per node.
 */
@Command(name = "cluster", mixinStandardHelpOptions = true,
        description = {"Simulated nodes on this machine (each a tessera serve + Dask worker processes on its own loopback "
                + "address 127.0.0.K) and a Dask scheduler: an HDF5 fill across nodes, a scan reduced across nodes and "
                + "numpy jobs over the nodes' shared blocks, each verified; prints placement, bytes moved, memory per "
                + "node, attach vs pickle and Tessera vs plain Dask chunks.",
                "Needs Dask, h5py and numpy for --python (Debian: apt-get install python3-distributed python3-h5py)."})
public final class ClusterExample implements Callable<Integer> {
    static final String SERVICE_MAIN = "dev.tessera.cli.Main";

    @Option(names = "--nodes", description = "simulated nodes (default: ${DEFAULT-VALUE})")
    int nodes = 2;

    @Option(names = "--rows", description = "rows of the events table (default: ${DEFAULT-VALUE}, 416 MiB)")
    long rows = 32L << 20;

    @Option(names = "--workers-per-node", description = "Dask worker processes per node (default: ${DEFAULT-VALUE})")
    int workersPerNode = 2;

    @Option(names = "--service-workers", description = "GraalPy workers of each node's service (default: ${DEFAULT-VALUE})")
    int serviceWorkers = 2;

    @Option(names = "--block-mb", description = "MiB of float64 per row block (default: ${DEFAULT-VALUE})")
    int blockMb = 64;

    @Option(names = "--chunk-rows", description = "rows per HDF5 chunk (default: ${DEFAULT-VALUE})")
    int chunkRows = 256 << 10;

    @Option(names = "--sweep", description = "thresholds in the sweep job (default: ${DEFAULT-VALUE})")
    int sweep = 8;

    @Option(names = "--python", description = "the CPython with Dask (default: ${DEFAULT-VALUE})")
    Path python = Path.of("/usr/bin/python3");

    @Option(names = "--json", paramLabel = "FILE", description = "also write the figures as JSON")
    Path json;

    @Override
    public Integer call() throws Exception {
        if (nodes < 1 || nodes > 200 || rows < 1 || workersPerNode < 1 || serviceWorkers < 1 || blockMb < 1 || chunkRows < 1) {
            throw new ExampleException("--nodes 1..200; --rows, --workers-per-node, --service-workers, --block-mb and "
                    + "--chunk-rows at least 1");
        }
        Path driver = root().resolve("examples/python/cluster_example.py");
        if (!Files.isRegularFile(driver)) {
            throw new ExampleException("the cluster example's driver is not here: " + driver + " (run it from a Tessera "
                    + "checkout: ./tessera example cluster)");
        }
        String missing = missingModules(python);
        if (missing != null) {
            throw new ExampleException(missing);
        }
        List<String> command = new ArrayList<>(List.of(python.toString(), driver.toString(), "--nodes", String.valueOf(nodes),
                "--rows", String.valueOf(rows), "--workers-per-node", String.valueOf(workersPerNode),
                "--service-workers", String.valueOf(serviceWorkers), "--block-mb", String.valueOf(blockMb),
                "--chunk-rows", String.valueOf(chunkRows), "--sweep", String.valueOf(sweep),
                "--serve-command", serveCommandJson()));
        if (json != null) {
            command.addAll(List.of("--json", json.toAbsolutePath().toString()));
        }
        Process p = new ProcessBuilder(command).inheritIO().start();
        try {
            return p.waitFor();
        } catch (InterruptedException e) {
            p.destroy(); // the driver stops its nodes on SIGTERM
            p.waitFor(60, TimeUnit.SECONDS);
            Thread.currentThread().interrupt();
            return 130;
        }
    }

    /** The checkout this Tessera runs from: the launcher passes it; else the first directory up from here with the driver. */
    public static Path root() {
        String given = System.getProperty("tessera.root");
        if (given != null) {
            return Path.of(given).toAbsolutePath().normalize();
        }
        for (Path d = Path.of("").toAbsolutePath(); d != null; d = d.getParent()) {
            if (Files.isRegularFile(d.resolve("examples/python/cluster_example.py"))) {
                return d;
            }
        }
        return Path.of("").toAbsolutePath();
    }

    /**
     * Why {@code python} cannot run the example (no such interpreter, or no Dask, h5py or numpy for it), or null.
     */
    public static String missingModules(Path python) throws IOException, InterruptedException {
        if (!Files.isExecutable(python)) {
            return "no CPython at " + python + " (the cluster example runs Dask there; Debian: apt-get install python3 "
                    + "python3-distributed python3-h5py)";
        }
        Process p = new ProcessBuilder(python.toString(), "-c", "import distributed, h5py, numpy")
                .redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8).strip();
        if (!p.waitFor(2, TimeUnit.MINUTES) || p.exitValue() != 0) {
            String last = out.lines().reduce((a, b) -> b).orElse("");
            return python + " lacks what the cluster example needs (" + last + "); Debian: apt-get install "
                    + "python3-distributed python3-h5py";
        }
        return null;
    }

    /**
     * The command that starts this same Tessera (its JVM, flags and class path) as {@code tessera ...}: each node's
     * service runs {@code <command> serve --socket ...}.
     */
    public static List<String> serveCommand() {
        try {
            Class.forName(SERVICE_MAIN, false, ClusterExample.class.getClassLoader());
        } catch (ClassNotFoundException e) {
            throw new ExampleException("the cluster example starts services with the tessera command line (" + SERVICE_MAIN
                    + "), which is not on this class path: run it as ./tessera example cluster");
        }
        String java = ProcessHandle.current().info().command()
                .orElse(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        List<String> command = new ArrayList<>(List.of(java));
        for (String arg : ManagementFactory.getRuntimeMXBean().getInputArguments()) {
            if (!(arg.startsWith("-agentlib") || arg.startsWith("-javaagent") || arg.startsWith("-Xrunjdwp")
                    || arg.startsWith("-XX:AOTCacheOutput") || arg.startsWith("-XX:+AOTRecordTraining")
                    || arg.startsWith("-XX:-AOTRecordTraining"))) {
                command.add(arg);
            }
        }
        if (System.getProperty("tessera.root") == null) {
            command.add("-Dtessera.root=" + root());
        }
        command.addAll(List.of("-cp", System.getProperty("java.class.path"), SERVICE_MAIN));
        return command;
    }

    /** {@link #serveCommand()} as a JSON list (what the Python drivers take as --serve-command). */
    public static String serveCommandJson() {
        return toJson(serveCommand());
    }

    private static String toJson(List<String> items) {
        StringBuilder b = new StringBuilder("[");
        for (String s : items) {
            if (b.length() > 1) {
                b.append(',');
            }
            b.append('"');
            for (char c : s.toCharArray()) {
                switch (c) {
                    case '"' -> b.append("\\\"");
                    case '\\' -> b.append("\\\\");
                    default -> {
                        if (c < 0x20) {
                            b.append(String.format("\\u%04x", (int) c));
                        } else {
                            b.append(c);
                        }
                    }
                }
            }
            b.append('"');
        }
        return b.append(']').toString();
    }
}
