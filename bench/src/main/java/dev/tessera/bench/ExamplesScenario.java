package dev.tessera.bench;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;

/**
 * The fill, scan and serve examples (each in a fresh JVM, with --json) against their CPython equivalents: h5py reading
 * the same HDF5 dataset, numpy running the same query, a threaded CPython HTTP server under the same client.
 */
final class ExamplesScenario implements Scenario {
    @Override
    public String name() {
        return "examples";
    }

    @Override
    public String description() {
        return "fill vs h5py, scan vs numpy, serve vs a threaded CPython server";
    }

    @Override
    public List<Row> run(BenchContext c) throws Exception {
        List<Row> rows = new ArrayList<>();
        List<String> failures = new ArrayList<>();
        try {
            rows.addAll(fill(c));
        } catch (IOException e) {
            failures.add(e.getMessage());
        }
        try {
            rows.addAll(scan(c));
        } catch (IOException e) {
            failures.add(e.getMessage());
        }
        try {
            rows.addAll(serve(c));
        } catch (IOException e) {
            failures.add(e.getMessage());
        }
        if (!failures.isEmpty()) {
            throw new IOException(String.join("; ", failures));
        }
        return rows;
    }

    private static JsonObject runExample(BenchContext c, String name, List<String> args) throws IOException, InterruptedException {
        Path json = c.scratch("example-" + name + ".json");
        Files.deleteIfExists(json);
        List<String> all = new ArrayList<>();
        all.add(name);
        all.addAll(args);
        all.add("--json");
        all.add(json.toString());
        Path log = c.logs().resolve("example-" + name + ".txt");
        int status = ChildJvm.run(RunExample.class.getName(), all, c.root(), log, c.timeoutSeconds());
        if (status != 0 || !Files.exists(json)) {
            throw new IOException("example " + name + " failed (exit " + status + "): " + ScriptScenario.lastLine(log));
        }
        return JsonParser.parseString(Files.readString(json)).getAsJsonObject();
    }

    /** A CPython peer's figure: [what, value] from its one JSON line, or null (with the reason in {@code why[0]}). */
    private static JsonArray peer(BenchContext c, String key, String[] why, String... command) {
        if (!c.peers()) {
            why[0] = "peers off";
            return null;
        }
        String out = Machine.command(command);
        if (out.startsWith("not available")) {
            why[0] = out;
            return null;
        }
        try {
            return JsonParser.parseString(out).getAsJsonObject().getAsJsonArray(key);
        } catch (RuntimeException e) {
            why[0] = "peer printed " + out;
            return null;
        }
    }

    private static int workers() {
        return Math.max(2, Runtime.getRuntime().availableProcessors());
    }

    private List<Row> fill(BenchContext c) throws Exception {
        Path h5 = c.scratch("detector.h5");
        try (InputStream in = dev.tessera.examples.Examples.class.getResourceAsStream("detector.h5")) {
            Files.copy(in, h5, StandardCopyOption.REPLACE_EXISTING);
        }
        String repeat = switch (c.mode()) { case TINY -> "1"; case QUICK -> "16"; case FULL -> "32"; };
        String rounds = switch (c.mode()) { case TINY -> "1"; case QUICK -> "3"; case FULL -> "5"; };
        int n = workers();
        JsonObject f = runExample(c, "fill", List.of("--file", h5.toString(), "--dataset", "/detector/samples", "--repeat", repeat,
                "--rounds", rounds, "-w", Integer.toString(n), "--no-progress"));
        String[] why = {null};
        String python = c.peers() ? Machine.pythonWithH5py() : null;
        JsonArray p = python == null ? null : peer(c, "mb_per_s", why, python, c.scripts().resolve("fill_h5py.py").toString(),
                h5.toString(), "/detector/samples", c.mode() == Mode.QUICK ? "1" : "2");
        String peerName = p != null ? p.get(0).getAsString() : python == null && c.peers() ? "h5py not installed" : why[0];
        Double peerValue = p != null ? p.get(1).getAsDouble() : null;
        List<Row> rows = new ArrayList<>();
        for (int w : new int[] {1, n}) {
            double v = f.get("mb_per_s_best_" + w).getAsDouble();
            rows.add(new Row("examples", "fill_mb_per_s_" + w, "fill: HDF5 deflate+shuffle chunks into one array, " + w
                    + " worker" + (w == 1 ? "" : "s") + " (best round)", "MB/s", v, peerValue, peerName,
                    w == 1 ? "" : "ahead of h5py", w == 1 || peerValue == null ? null : v > peerValue, true));
        }
        return rows;
    }

    private List<Row> scan(BenchContext c) throws Exception {
        String rowsArg = switch (c.mode()) { case TINY -> "20000"; case QUICK -> "5000000"; case FULL -> "10000000"; };
        String rounds = switch (c.mode()) { case TINY -> "1"; case QUICK -> "5"; case FULL -> "8"; };
        int n = workers();
        JsonObject s = runExample(c, "scan", List.of("--rows", rowsArg, "--keys", "1000", "--threshold", "50", "--rounds", rounds,
                "-w", Integer.toString(n)));
        String[] why = {null};
        JsonArray p = peer(c, "rows_per_s", why, Machine.python(), c.scripts().resolve("scan_numpy.py").toString(), rowsArg, "1000", "50", rounds);
        String peerName = p != null ? p.get(0).getAsString() : why[0];
        Double peerValue = p != null ? p.get(1).getAsDouble() : null;
        List<Row> rows = new ArrayList<>();
        for (int w : new int[] {1, n}) {
            double v = s.get("rows_per_s_best_" + w).getAsDouble();
            rows.add(new Row("examples", "scan_rows_per_s_" + w, "scan: filter + group-by-sum with tessera.kernels, " + w
                    + " worker" + (w == 1 ? "" : "s") + " (rows/s)", "M/s", v, peerValue, peerName,
                    w == 1 ? "" : "ahead of numpy", w == 1 || peerValue == null ? null : v > peerValue, true));
        }
        rows.add(new Row("examples", "scan_rows_per_s_java", "scan: the same query, plain Java, one thread (rows/s)", "M/s",
                s.get("rows_per_s_java").getAsDouble(), peerValue, peerName, "", null, true));
        rows.addAll(scanVsDuckDb(c, s, Long.parseLong(rowsArg), Integer.parseInt(rounds), n));
        return rows;
    }

    /** The scan's median round on 1 and n workers against DuckDB (in this JVM) on 1 and n threads, same query and shape. */
    private static List<Row> scanVsDuckDb(BenchContext c, JsonObject s, long rows, int rounds, int n) {
        java.util.Map<String, Object> duck = null;
        String why = "peers off";
        if (c.peers()) {
            try {
                duck = DuckDbScan.run(rows, 1000, 50, Math.max(3, rounds), 1, n);
            } catch (Exception | LinkageError e) { // no native library for this platform, or the driver failed
                why = "DuckDB not run: " + e;
            }
        }
        List<Row> out = new ArrayList<>();
        for (int w : new int[] {1, n}) {
            double v = s.get("rows_per_s_median_" + w).getAsDouble();
            Double p = duck == null ? null : (Double) duck.get(Integer.toString(w));
            String peerName = duck == null ? why : duck.get("version") + ", " + w + " thread" + (w == 1 ? "" : "s");
            out.add(new Row("examples", "scan_median_vs_duckdb_" + w, "scan: median round, " + w + " worker" + (w == 1 ? "" : "s")
                    + " vs DuckDB " + w + " thread" + (w == 1 ? "" : "s") + " (rows/s)", "M/s", v, p, peerName,
                    ">= DuckDB", p == null ? null : v >= p, true));
        }
        return out;
    }

    private List<Row> serve(BenchContext c) throws Exception {
        String seconds = switch (c.mode()) { case TINY -> "0.3"; case QUICK -> "2"; case FULL -> "3"; };
        List<String> args = new ArrayList<>(List.of("--seconds", seconds, "-w", Integer.toString(workers())));
        if (c.mode() == Mode.TINY) {
            args.addAll(List.of("--long", "18", "--clients", "2"));
        }
        boolean peer = c.peers() && !Machine.command(Machine.python(), "--version").startsWith("not available");
        if (peer) {
            args.addAll(List.of("--peer-command", Machine.python() + " " + c.scripts().resolve("serve_cpython.py")));
        }
        JsonObject s = runExample(c, "serve", args);
        String peerName = peer ? "CPython ThreadingHTTPServer (one interpreter, GIL)" : c.peers() ? "python3 not found" : "peers off";
        List<Row> rows = new ArrayList<>();
        rows.add(serveRow(s, peer, peerName, "short_rps", false, "serve: short requests/s, no long request", "req/s", "", true));
        rows.add(serveRow(s, peer, peerName, "short_rps", true, "serve: short requests/s beside a long fib(30)", "req/s",
                "ahead of the CPython server", true));
        rows.add(serveRow(s, peer, peerName, "short_p99_ms", true, "serve: short-request p99 beside a long fib(30)", "ms",
                "below the CPython server's", false));
        rows.add(new Row("examples", "serve_single_with_long_short_rps", "serve: one shared interpreter, short requests/s beside a long one",
                "req/s", s.get("single_with_long_short_rps").getAsDouble(), null, null, "", null, true));
        return rows;
    }

    private static Row serveRow(JsonObject s, boolean peer, String peerName, String figure, boolean withLong, String label,
                                String unit, String goal, boolean higherIsBetter) {
        String suffix = (withLong ? "_with_long_" : "_") + figure;
        double v = s.get("pool" + suffix).getAsDouble();
        Double p = peer && s.has("peer" + suffix) ? s.get("peer" + suffix).getAsDouble() : null;
        Boolean met = goal.isEmpty() || p == null ? null : higherIsBetter ? v > p : v < p;
        return new Row("examples", "serve_pool" + suffix, label, unit, v, p, peerName, goal, met, higherIsBetter);
    }
}
