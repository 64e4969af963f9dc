package dev.tessera.bench;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Chunked datasets read into one array: a 20 M-row float64 HDF5 dataset (gzip 4 + shuffle, chunks of 65,536 rows)
 * and the same rows as Zarr v2 (zstd; blosc-lz4 with shuffle), all made by h5py and zarr-python in this run; Tessera
 * (tessera.hdf5/zarr's engine, 1 and 2 host threads) against h5py (one thread; multiprocessing + shared_memory with 1
 * and 2 processes) and zarr-python reading into numpy. Every figure is the median of the rounds (the best is in the
 * label), every peer measured in the same run; a row whose peer could not run still prints, saying why.
 */
final class FormatsScenario implements Scenario {
    @Override
    public String name() {
        return "formats";
    }

    @Override
    public String description() {
        return "HDF5 and Zarr chunks into one array vs h5py (+multiprocessing) and zarr-python";
    }

    @Override
    public List<Row> run(BenchContext c) throws Exception {
        long rows = switch (c.mode()) { case TINY -> 1_000_000; case QUICK, FULL -> 20_000_000; };
        int rounds = switch (c.mode()) { case TINY -> 2; case QUICK -> 5; case FULL -> 9; };
        Path dir = c.scratch("formats");
        Files.createDirectories(dir);
        String python = "/usr/bin/python3";
        String made = Machine.command(python, c.scripts().resolve("make_formats_fixture.py").toString(), Long.toString(rows), dir.toString());
        JsonObject fixture = made.startsWith("not available") ? null : JsonParser.parseString(made).getAsJsonObject();
        List<Row> out = new ArrayList<>();
        String h5Missing = fixture == null ? "no fixture: " + made : fixture.has("h5py_missing") ? "h5py missing: " + fixture.get("h5py_missing").getAsString() : null;
        if (h5Missing == null) {
            out.addAll(hdf5(c, dir.resolve("fill.h5"), rounds, python, rows));
            out.add(firstRead(c, "hdf5", dir.resolve("fill.h5"), python, String.format("HDF5 %,d rows float64 gzip+shuffle", rows)));
        } else {
            out.add(new Row(name(), "hdf5_missing", "HDF5 rows not measured: " + h5Missing, "MB/s", 0, null, h5Missing, "", null, true));
        }
        String zarrMissing = fixture == null ? "no fixture: " + made : fixture.has("zarr_missing") ? "zarr missing: " + fixture.get("zarr_missing").getAsString() : null;
        for (String codec : List.of("zstd", "blosc")) {
            if (zarrMissing == null) {
                out.addAll(zarr(c, dir.resolve("fill_" + codec + ".zarr"), codec, rounds, python, rows));
                if (codec.equals("blosc")) {
                    out.add(firstRead(c, "zarr", dir.resolve("fill_blosc.zarr"), python,
                            String.format("Zarr v2 %,d rows float64 blosc(lz4, shuffle)", rows)));
                }
            } else {
                out.add(new Row(name(), "zarr_" + codec + "_missing", "Zarr " + codec + " rows not measured: " + zarrMissing, "MB/s", 0, null,
                        zarrMissing, "", null, true));
            }
        }
        return out;
    }

    private JsonObject tessera(BenchContext c, String kind, Path path, String dataset, int rounds) throws Exception {
        Path json = c.scratch("formats-" + kind + "-" + path.getFileName() + ".json");
        Files.deleteIfExists(json);
        Path log = c.logs().resolve("formats-" + path.getFileName() + ".txt");
        int status = ChildJvm.run(FormatsRun.class.getName(), List.of(json.toString(), kind, path.toString(), dataset,
                Integer.toString(rounds), "1", "2"), c.root(), log, c.timeoutSeconds());
        if (status != 0 || !Files.exists(json)) {
            throw new IOException("FormatsRun " + path.getFileName() + " failed (exit " + status + "): " + ScriptScenario.lastLine(log));
        }
        return JsonParser.parseString(Files.readString(json)).getAsJsonObject();
    }

    /** A peer's figures, or null with the reason in {@code why[0]}. */
    private static JsonObject peer(BenchContext c, String[] why, String python, String... args) {
        if (!c.peers()) {
            why[0] = "peers off";
            return null;
        }
        List<String> cmd = new ArrayList<>(List.of(python, c.scripts().resolve("fill_peers.py").toString()));
        cmd.addAll(List.of(args));
        String out = Machine.command(cmd.toArray(new String[0]));
        if (out.startsWith("not available")) {
            why[0] = out;
            return null;
        }
        try {
            return JsonParser.parseString(out).getAsJsonObject();
        } catch (RuntimeException e) {
            why[0] = "peer printed " + out;
            return null;
        }
    }

    /**
     * The first read in a new process, as a short script meets it (cold JVM: a main interpreter started as {@code
     * tessera run} starts it; the peer a new CPython), the median of three runs each, alternating.
     */
    private Row firstRead(BenchContext c, String kind, Path path, String python, String what) throws Exception {
        List<Double> ours = new ArrayList<>();
        List<Double> theirs = new ArrayList<>();
        String peerWhat = null;
        String why = c.peers() ? null : "peers off";
        Path script = c.scripts().resolve("first_read.py");
        for (int run = 0; run < 3; run++) {
            Path log = c.logs().resolve("formats-first-read-" + kind + "-" + run + ".txt");
            int status = ChildJvm.run(RunScript.class.getName(), List.of(script.toString(), kind, path.toString()), c.root(), log,
                    c.timeoutSeconds());
            String json = Files.readAllLines(log).reversed().stream().filter(l -> l.startsWith("{")).findFirst().orElse(null);
            if (status != 0 || json == null) {
                throw new IOException("first_read.py " + kind + " failed in Tessera (exit " + status + "): " + ScriptScenario.lastLine(log));
            }
            ours.add(JsonParser.parseString(json).getAsJsonObject().get("seconds").getAsDouble());
            if (c.peers()) {
                String got = Machine.command(python, script.toString(), kind, path.toString());
                if (got.startsWith("not available") || !got.startsWith("{")) {
                    why = got;
                } else {
                    JsonObject p = JsonParser.parseString(got).getAsJsonObject();
                    theirs.add(p.get("seconds").getAsDouble());
                    peerWhat = p.get("what").getAsString() + ", a new python3";
                }
            }
        }
        Double peer = theirs.isEmpty() ? null : FormatsRun.median(theirs) * 1e3;
        return new Row(name(), "first_read_" + kind, what + ": the first read in a new process (cold JVM, as `tessera run`; "
                + "median of 3)", "ms", FormatsRun.median(ours) * 1e3, peer, peer == null ? why : peerWhat, "", null, false);
    }

    private Row row(String key, String label, JsonObject tessera, JsonObject peer, String why, String goal, double factor) {
        double v = tessera.get("median").getAsDouble() * 1e6;
        Double p = peer == null ? null : peer.get("median").getAsDouble() * 1e6;
        String peerName = peer == null ? why : peer.get("what").getAsString() + String.format(" (best %,.0f MB/s)",
                peer.get("best").getAsDouble());
        Boolean met = goal.isEmpty() || p == null ? null : v >= factor * p;
        return new Row(name(), key, label + String.format(" (median; best %,.0f MB/s)", tessera.get("best").getAsDouble()),
                "MB/s", v / 1e6, p == null ? null : p / 1e6, peerName, goal, met, true);
    }

    private List<Row> hdf5(BenchContext c, Path h5, int rounds, String python, long rows) throws Exception {
        JsonObject t = tessera(c, "hdf5", h5, "/data", rounds);
        String[] why1 = {null};
        String[] whyMp1 = {null};
        String[] whyMp2 = {null};
        JsonObject one = peer(c, why1, python, "h5py", h5.toString(), "/data", Integer.toString(rounds));
        JsonObject mp1 = peer(c, whyMp1, python, "h5py-mp", h5.toString(), "/data", Integer.toString(rounds), "1");
        JsonObject mp2 = peer(c, whyMp2, python, "h5py-mp", h5.toString(), "/data", Integer.toString(rounds), "2");
        JsonObject t1 = t.getAsJsonObject("threads_1");
        JsonObject t2 = t.getAsJsonObject("threads_2");
        String what = String.format("HDF5 %,d rows float64 gzip+shuffle", rows);
        List<Row> out = new ArrayList<>();
        out.add(row("hdf5_1_vs_h5py", what + ", 1 thread", t1, one, why1[0], ">= 3x h5py one thread", 3));
        out.add(row("hdf5_1_vs_h5py_mp1", what + ", 1 thread", t1, mp1, whyMp1[0], "", 0));
        out.add(row("hdf5_2_vs_h5py_mp2", what + ", 2 threads", t2, mp2, whyMp2[0], ">= 3x h5py + multiprocessing(2)", 3));
        out.add(row("hdf5_2_vs_h5py", what + ", 2 threads", t2, one, why1[0], "", 0));
        System.out.println("formats: hdf5 stage ms (last round, summed over threads): 1 thread " + t1.get("stage_ms") + "; 2 threads "
                + t2.get("stage_ms") + "; process CPU ms per read: 1 thread " + t1.get("cpu_ms") + ", 2 threads " + t2.get("cpu_ms")
                + ", h5py " + (one == null ? "-" : one.get("cpu_ms")) + "; decoders " + t.get("decoders"));
        return out;
    }

    private List<Row> zarr(BenchContext c, Path z, String codec, int rounds, String python, long rows) throws Exception {
        JsonObject t = tessera(c, "zarr", z, "-", rounds);
        String[] why = {null};
        JsonObject p = peer(c, why, python, "zarr", z.toString(), Integer.toString(rounds));
        String what = String.format("Zarr v2 %,d rows float64 %s", rows, codec.equals("blosc") ? "blosc(lz4, shuffle)" : "zstd(3)");
        System.out.println("formats: zarr " + codec + " stage ms: 1 thread " + t.getAsJsonObject("threads_1").get("stage_ms")
                + "; 2 threads " + t.getAsJsonObject("threads_2").get("stage_ms") + "; process CPU ms per read: 1 thread "
                + t.getAsJsonObject("threads_1").get("cpu_ms") + ", 2 threads " + t.getAsJsonObject("threads_2").get("cpu_ms")
                + ", zarr-python " + (p == null ? "-" : p.get("cpu_ms")));
        return List.of(row("zarr_" + codec + "_1", what + ", 1 thread", t.getAsJsonObject("threads_1"), p, why[0], "", 0),
                row("zarr_" + codec + "_2", what + ", 2 threads", t.getAsJsonObject("threads_2"), p, why[0], ">= 1.5x zarr-python", 1.5));
    }
}
