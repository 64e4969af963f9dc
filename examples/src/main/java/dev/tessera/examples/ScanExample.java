package dev.tessera.examples;

import dev.tessera.buffer.PythonRuntime;
import dev.tessera.shm.ArrayStore;
import dev.tessera.workers.InterpreterPool;
import dev.tessera.workers.TaskFuture;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/**
 * {@code tessera example scan}: an Arrow IPC file's columns loaded into host arrays once; workers run the query
 * (a filter, then a sum per key, with {@code tessera.kernels}) over disjoint row ranges through read-only views; the
 * host adds up their partial sums. The same query in plain Java over the same columns must agree.
 */
@Command(name = "scan", mixinStandardHelpOptions = true,
        description = {"SELECT key, SUM(value) WHERE flag AND value > THRESHOLD GROUP BY key over an Arrow IPC file, "
                + "in worker interpreters over disjoint rows, checked against plain Java.",
                "Without --file it writes one of --rows rows (key int32, value float64, flag bool) to a temporary file."})
public final class ScanExample implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @picocli.CommandLine.ParentCommand
    Examples examples; // null when the example runs alone

    @Option(names = "--file", paramLabel = "ARROW", description = "an Arrow IPC file (default: write one)")
    Path file;

    @Option(names = "--rows", description = "rows of the file written when there is no --file (default: ${DEFAULT-VALUE})")
    long rows = 10_000_000;

    @Option(names = "--keys", description = "distinct keys in the written file (default: ${DEFAULT-VALUE})")
    int keys = 1000;

    @Option(names = "--threshold", description = "the query keeps rows with value > THRESHOLD (default: ${DEFAULT-VALUE})")
    double threshold = 50.0;

    @Option(names = "--key-column", defaultValue = "key", description = "int32 column to group by (default: ${DEFAULT-VALUE})")
    String keyColumn;

    @Option(names = "--value-column", defaultValue = "value", description = "float64 column to sum (default: ${DEFAULT-VALUE})")
    String valueColumn;

    @Option(names = "--flag-column", defaultValue = "flag", description = "bool column to filter on (default: ${DEFAULT-VALUE})")
    String flagColumn;

    @Option(names = {"-w", "--workers"}, description = "worker interpreters for the parallel run (default: cores)")
    int workers = Runtime.getRuntime().availableProcessors();

    @Option(names = "--rounds", description = "times each configuration runs the query; the first includes compilation "
            + "(default: ${DEFAULT-VALUE})")
    int rounds = 8;

    @Option(names = "--json", paramLabel = "FILE", description = "also write the figures as JSON (for tessera bench)")
    Path json;

    @Option(names = "--tasks-per-worker", description = "row ranges per worker, for balance (default: ${DEFAULT-VALUE})")
    int tasksPerWorker = 4;

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        if (workers < 1 || rounds < 1 || tasksPerWorker < 1) {
            throw new ExampleException("--workers, --rounds and --tasks-per-worker must be at least 1");
        }
        Path source = file;
        Path written = null;
        if (source == null) {
            if (rows < 1 || keys < 1) {
                throw new ExampleException("--rows and --keys must be at least 1");
            }
            written = Files.createTempFile("tessera-scan-", ".arrow");
            long t0 = System.nanoTime();
            ArrowColumns.write(written, rows, keys, 42);
            out.printf("wrote %,d rows (key int32 in [0, %d), value float64, flag bool) to %s (%s) in %.1f s%n", rows, keys,
                    written, ExampleSupport.mib(Files.size(written)), (System.nanoTime() - t0) / 1e9);
            source = written;
        } else if (!Files.isRegularFile(source)) {
            throw new ExampleException("no such file: " + source);
        }
        try (ArrayStore store = new ArrayStore()) {
            long t0 = System.nanoTime();
            ArrowColumns columns = ArrowColumns.read(source, store, keyColumn, valueColumn, flagColumn);
            out.printf("loaded %,d rows into host arrays (%s) in %.2f s; %d keys%s%n", columns.rows(),
                    ExampleSupport.mib(store.bytesInUse()), (System.nanoTime() - t0) / 1e9, columns.keyCount(),
                    columns.nullRows() > 0 ? String.format("; %,d rows with a null are left out", columns.nullRows()) : "");
            return scan(columns, store, out) ? 0 : 1;
        } finally {
            if (written != null) {
                deleteQuietly(written);
            }
        }
    }

    private boolean scan(ArrowColumns columns, ArrayStore store, PrintWriter out) throws Exception {
        Reference reference = Reference.compute(columns, threshold, rounds);
        out.printf("plain Java, one thread: %,.0f M rows/s (best of %d); %,d rows pass the filter%n",
                columns.rows() / reference.bestSeconds / 1e6, rounds, reference.passing);
        Path modules = ExampleSupport.pythonModules();
        boolean ok = true;
        java.util.Map<String, Object> figures = new java.util.LinkedHashMap<>();
        figures.put("rows", columns.rows());
        figures.put("rows_per_s_java", columns.rows() / reference.bestSeconds);
        List<String[]> table = ExampleSupport.rows();
        table.add(new String[]{"workers", "first round", "median", "best", "agrees with Java"});
        int tasks = workers * tasksPerWorker;
        try (PythonRuntime runtime = Examples.runtime(examples)) {
            List<Integer> configs = workers > 1 ? List.of(1, workers) : List.of(1);
            for (int n : configs) {
                double[] seconds = new double[rounds];
                String disagreement = null;
                try (InterpreterPool pool = ExampleSupport.pool(runtime, store, n, modules, "arrow_scan")) {
                    for (int r = 0; r < rounds; r++) {
                        long t0 = System.nanoTime();
                        double[] sums = runQuery(pool, columns, tasks);
                        seconds[r] = (System.nanoTime() - t0) / 1e9;
                        String d = reference.disagreement(sums);
                        if (d != null && disagreement == null) {
                            disagreement = "round " + r + ": " + d;
                        }
                    }
                }
                ok &= disagreement == null;
                double best = java.util.Arrays.stream(seconds).min().orElseThrow();
                figures.put("rows_per_s_first_" + n, columns.rows() / seconds[0]);
                figures.put("rows_per_s_best_" + n, columns.rows() / best);
                figures.put("rows_per_s_median_" + n, columns.rows() / ExampleSupport.median(seconds));
                table.add(new String[]{String.valueOf(n), rate(columns.rows(), seconds[0]),
                        rate(columns.rows(), ExampleSupport.median(seconds)), rate(columns.rows(), best),
                        disagreement == null ? "yes" : "NO: " + disagreement});
            }
        }
        out.printf("the query in workers (%d row ranges, tessera.kernels), M rows/s:%n", tasks);
        ExampleSupport.table(out, table);
        out.println(ok ? "OK: every round's sums agree with plain Java" : "FAILED: the workers' sums differ from plain Java");
        figures.put("workers", workers);
        figures.put("verified", ok);
        ExampleSupport.writeJson(json, figures);
        return ok;
    }

    /** One run of the query: a task per row range, partial sums added in range order. */
    private double[] runQuery(InterpreterPool pool, ArrowColumns c, int tasks) {
        long n = c.rows();
        List<TaskFuture> parts = new ArrayList<>();
        for (int t = 0; t < tasks; t++) {
            long start = n * t / tasks;
            long stop = n * (t + 1) / tasks;
            parts.add(pool.submit("arrow_scan", "scan", c.keys().readOnly(start, stop), c.values().readOnly(start, stop),
                    c.flags().readOnly(start, stop), (long) c.keyCount(), threshold));
        }
        double[] total = new double[c.keyCount()];
        for (TaskFuture part : parts) {
            double[] sums = ExampleSupport.doubles(ExampleSupport.result(part, "the scan"));
            if (sums.length != total.length) {
                throw new ExampleException("a worker returned " + sums.length + " sums for " + total.length + " keys");
            }
            for (int k = 0; k < total.length; k++) {
                total[k] += sums[k];
            }
        }
        return total;
    }

    private static String rate(long rows, double seconds) {
        return String.format("%,.0f", rows / seconds / 1e6);
    }

    /** The query in plain Java, one thread, in row order; and how far apart two float sums may be. */
    private record Reference(double[] sums, double[] magnitudes, long passing, double bestSeconds) {
        static Reference compute(ArrowColumns c, double threshold, int rounds) {
            Reference best = null;
            for (int r = 0; r < Math.max(1, rounds); r++) {
                long t0 = System.nanoTime();
                double[] sums = new double[c.keyCount()];
                double[] magnitudes = new double[c.keyCount()];
                long passing = 0;
                MemorySegment k = c.keys().segment();
                MemorySegment v = c.values().segment();
                MemorySegment f = c.flags().segment();
                for (long i = 0, n = c.rows(); i < n; i++) {
                    double value = v.getAtIndex(ValueLayout.JAVA_DOUBLE, i);
                    if (value > threshold && f.get(ValueLayout.JAVA_BYTE, i) != 0) {
                        int key = k.getAtIndex(ValueLayout.JAVA_INT, i);
                        sums[key] += value;
                        magnitudes[key] += Math.abs(value);
                        passing++;
                    }
                }
                double seconds = (System.nanoTime() - t0) / 1e9;
                if (best == null || seconds < best.bestSeconds) {
                    best = new Reference(sums, magnitudes, passing, seconds);
                }
            }
            return best;
        }

        /** Null if every key's sum agrees up to rounding (sums in another order differ by at most ~n ulps). */
        String disagreement(double[] other) {
            for (int key = 0; key < sums.length; key++) {
                double tolerance = 1e-9 * magnitudes[key] + 1e-12;
                if (!(Math.abs(other[key] - sums[key]) <= tolerance)) {
                    return "key " + key + ": " + other[key] + " vs " + sums[key];
                }
            }
            return null;
        }
    }

    private static void deleteQuietly(Path p) {
        try {
            Files.deleteIfExists(p);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
