package dev.tessera.examples;

import dev.tessera.buffer.PythonRuntime;
import dev.tessera.buffer.values.Tuple;
import dev.tessera.shm.ArrayStore;
import dev.tessera.workers.InterpreterPool;
import dev.tessera.workers.WorkerException;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;

/** What the examples share: their Python modules on disk, pools that can import them, figures, progress bars. */
final class ExampleSupport {
    /** The worker-side modules of the examples, shipped as resources and written out for workers to import. */
    private static final List<String> PYTHON_MODULES = List.of("arrow_scan.py", "fib_server.py", "fill_value.py");

    private ExampleSupport() {
    }

    /** A fresh directory holding the examples' Python modules; deleted when the JVM exits. */
    static Path pythonModules() {
        try {
            Path dir = Files.createTempDirectory("tessera-examples-");
            for (String name : PYTHON_MODULES) {
                try (InputStream in = ExampleSupport.class.getResourceAsStream("python/" + name)) {
                    if (in == null) {
                        throw new IllegalStateException("example module " + name + " is missing from the build");
                    }
                    Files.write(dir.resolve(name), in.readAllBytes());
                }
            }
            deleteOnExit(dir);
            return dir;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the examples' Python modules: " + e.getMessage(), e);
        }
    }

    /** A pool whose workers import the examples' modules and may read {@code readable} (data files). */
    static InterpreterPool pool(PythonRuntime runtime, ArrayStore store, int workers, Path modules, String preload,
                                Path... readable) {
        InterpreterPool pool = InterpreterPool.builder().runtime(runtime).store(store).workers(workers)
                .spareWorkers(0).sysPath(modules).preload(preload).allowRead(readable).build();
        try {
            pool.awaitReady(java.time.Duration.ofMinutes(2));
        } catch (InterruptedException e) {
            pool.shutdownNow();
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while the workers started");
        }
        return pool;
    }

    /** The value of a finished task; a Python failure becomes an {@link ExampleException} naming what failed. */
    static Object result(Future<Object> future, String what) {
        try {
            return future.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ExampleException(what + ": interrupted");
        } catch (ExecutionException e) {
            throw new ExampleException(what + " failed in a worker: " + describe(e.getCause()), e.getCause());
        }
    }

    static String describe(Throwable t) {
        return t instanceof WorkerException w ? w.getMessage() : t.getClass().getSimpleName() + ": " + t.getMessage();
    }

    /** A tuple of floats a task returned, as a double array. */
    static double[] doubles(Object tuple) {
        if (tuple instanceof Tuple.OfDoubles d) {
            return d.values().clone();
        }
        if (tuple instanceof List<?> list) {
            double[] out = new double[list.size()];
            for (int i = 0; i < out.length; i++) {
                out[i] = ((Number) list.get(i)).doubleValue();
            }
            return out;
        }
        throw new ExampleException("expected a tuple of floats from the worker, got " + tuple);
    }

    /** Resident set size of this process in bytes (Linux), or -1. */
    static long rss() {
        return dev.tessera.workers.ProcessMemory.now(false).rssBytes();
    }

    /** A byte count for people: MiB, or KiB below one MiB. */
    static String mib(long bytes) {
        return bytes >= 1 << 20 ? String.format("%,.0f MiB", bytes / (1024.0 * 1024.0)) : String.format("%,.1f KiB", bytes / 1024.0);
    }

    static double median(double[] values) {
        double[] sorted = values.clone();
        Arrays.sort(sorted);
        int n = sorted.length;
        return n == 0 ? Double.NaN : n % 2 == 1 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
    }

    /** The q-quantile (0..1) by the nearest-rank method. */
    static double quantile(double[] sorted, double q) {
        if (sorted.length == 0) {
            return Double.NaN;
        }
        int rank = (int) Math.ceil(q * sorted.length);
        return sorted[Math.max(0, Math.min(sorted.length - 1, rank - 1))];
    }

    /** A progress bar on a terminal; on anything else (logs, tests) nothing, so output stays one line per fact. */
    static Progress progress(String task, long max, String unit, boolean wanted) {
        var console = System.console();
        if (!wanted || console == null || !console.isTerminal()) {
            return Progress.NONE;
        }
        ProgressBar bar = new ProgressBarBuilder().setTaskName(task).setInitialMax(max).setUnit(unit, 1)
                .setStyle(ProgressBarStyle.ASCII).showSpeed().setUpdateIntervalMillis(100).continuousUpdate().build();
        return new Progress(bar);
    }

    /** A progress bar, or nothing. */
    static final class Progress implements AutoCloseable {
        static final Progress NONE = new Progress(null);
        private final ProgressBar bar;

        private Progress(ProgressBar bar) {
            this.bar = bar;
        }

        void step(String extra) {
            if (bar != null) {
                bar.step();
                bar.setExtraMessage(extra);
            }
        }

        /** Moves the bar to {@code done} (progress reported by a callback rather than one step per item). */
        void stepTo(long done, String extra) {
            if (bar != null) {
                bar.stepTo(done);
                bar.setExtraMessage(extra);
            }
        }

        @Override
        public void close() {
            if (bar != null) {
                bar.close();
            }
        }
    }

    /** Prints aligned rows of a small table. */
    static void table(PrintWriter out, List<String[]> rows) {
        int columns = rows.stream().mapToInt(r -> r.length).max().orElse(0);
        int[] width = new int[columns];
        for (String[] row : rows) {
            for (int c = 0; c < row.length; c++) {
                width[c] = Math.max(width[c], row[c].length());
            }
        }
        for (String[] row : rows) {
            StringBuilder line = new StringBuilder("  ");
            for (int c = 0; c < row.length; c++) {
                String cell = row[c];
                line.append(c == 0 ? String.format("%-" + width[c] + "s", cell) : String.format("  %" + width[c] + "s", cell));
            }
            out.println(line.toString().stripTrailing());
        }
    }

    static List<String[]> rows() {
        return new ArrayList<>();
    }

    /** Writes flat figures (numbers, strings, booleans) as one JSON object, for {@code tessera bench}; nothing without a file. */
    static void writeJson(Path file, java.util.Map<String, Object> figures) {
        if (file == null) {
            return;
        }
        StringBuilder json = new StringBuilder("{");
        for (var e : figures.entrySet()) {
            if (json.length() > 1) {
                json.append(", ");
            }
            json.append('"').append(e.getKey()).append("\": ");
            Object v = e.getValue();
            if (v instanceof Number n && !(v instanceof Double d && !Double.isFinite(d))) {
                json.append(v instanceof Double || v instanceof Float ? String.format(java.util.Locale.ROOT, "%.6g", n.doubleValue()) : n.toString());
            } else if (v instanceof Boolean || v == null) {
                json.append(v);
            } else {
                json.append('"').append(String.valueOf(v).replace("\\", "\\\\").replace("\"", "\\\"")).append('"');
            }
        }
        try {
            Files.writeString(file, json.append("}\n").toString());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + file + ": " + e.getMessage(), e);
        }
    }

    private static void deleteOnExit(Path dir) {
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            try (var files = Files.list(dir)) {
                for (Path f : (Iterable<Path>) files::iterator) {
                    Files.deleteIfExists(f);
                }
                Files.deleteIfExists(dir);
            } catch (IOException e) {
                // a temp directory left behind is harmless
            }
        }));
    }
}
