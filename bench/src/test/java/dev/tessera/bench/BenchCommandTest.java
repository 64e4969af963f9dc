package dev.tessera.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** `tessera bench --tiny`: every scenario runs end to end and the report has its shape (timings are not checked). */
class BenchCommandTest {
    @TempDir
    Path out;

    @Test
    @Timeout(value = 30, unit = TimeUnit.MINUTES) // every scenario in child JVMs: about 2 minutes on a quiet machine
    void aTinyRunWritesTheReportWithEveryScenarioAndItsFigures() throws Exception {
        StringWriter console = new StringWriter();
        int status = new CommandLine(new BenchCommand()).setOut(new PrintWriter(console, true))
                .execute("--tiny", "--out", out.toString(), "--root", BenchContext.findRoot(Path.of("")).toString());
        System.out.print(console);
        assertEquals(0, status, console.toString());

        JsonObject report = JsonParser.parseString(Files.readString(out.resolve("latest.json"))).getAsJsonObject();
        assertEquals("tiny", report.get("mode").getAsString());
        assertTrue(report.getAsJsonObject("machine").get("cores").getAsInt() > 0);
        assertTrue(report.getAsJsonObject("machine").get("optimizing runtime").getAsString().contains("GraalVM"));
        Set<String> scenarios = new HashSet<>();
        for (JsonElement s : report.getAsJsonArray("scenarios")) {
            JsonObject o = s.getAsJsonObject();
            scenarios.add(o.get("name").getAsString());
            assertTrue(o.get("error").isJsonNull(), o.toString());
        }
        assertEquals(Set.of("startup", "worker", "crossings", "kernels", "kernels-shuffled", "examples", "formats", "jmh"), scenarios);

        Set<String> withRows = new HashSet<>();
        Set<String> keys = new HashSet<>();
        for (JsonElement e : report.getAsJsonArray("rows")) {
            JsonObject r = e.getAsJsonObject();
            for (String field : List.of("scenario", "key", "label", "unit", "tessera", "peer", "peer_name", "ratio", "goal", "met",
                    "higher_is_better")) {
                assertTrue(r.has(field), field + " missing in " + r);
            }
            assertTrue(Double.isFinite(r.get("tessera").getAsDouble()), r.toString());
            assertFalse(r.get("label").getAsString().isBlank());
            assertTrue(keys.add(r.get("scenario").getAsString() + "/" + r.get("key").getAsString()), "duplicate " + r);
            withRows.add(r.get("scenario").getAsString());
        }
        assertEquals(scenarios, withRows, "every scenario has figures");
        for (String key : List.of("crossings/task_round_trip_median_us", "worker/one_worker_rate", "kernels/kernel_fill_float64_vs_java",
                "examples/fill_mb_per_s_2", "examples/scan_rows_per_s_2", "examples/scan_median_vs_duckdb_2",
                "kernels-shuffled/shuffled_fill_int32", "kernels-shuffled/shuffled_where_uint8", "examples/serve_pool_with_long_short_rps",
                "startup/startup_interpreters_seconds", "jmh/jmh_ViewBench_writableLease")) {
            assertTrue(keys.contains(key), key + " not among " + keys);
        }
        String md = Files.readString(out.resolve("latest.md"));
        assertTrue(md.startsWith("# Tessera bench"), md);
        assertTrue(md.contains("| scenario | figure | Tessera | peer |"), md);
        assertNotNull(report.get("date"));
        assertTrue(Files.size(out.resolve("scaling.png")) > 0);
    }

    @Test
    void unknownScenariosAreRefusedByName() {
        StringWriter err = new StringWriter();
        int status = new CommandLine(new BenchCommand()).setErr(new PrintWriter(err, true)).execute("--only", "nope");
        assertEquals(2, status);
        assertTrue(err.toString().contains("unknown scenario(s) [nope]"), err.toString());
    }

    @Test
    void bothChartsAreDrawnForFiguresAheadBehindAndWithoutAPeer(@TempDir Path dir) throws Exception {
        List<Row> rows = List.of(
                new Row("worker", "one_worker_rate", "one worker", "M/s", 200e6, 12e6, "CPython", "", null, true),
                new Row("worker", "two_workers_rate", "two workers", "M/s", 280e6, 15e6, "CPython", "", null, true),
                new Row("startup", "cold", "cold run", "s", 9.5, 0.07, "python3 -c", "< 2 s", false, false), // ratio 0.007
                new Row("kernels", "k", "no peer", "GB/s", 20e9, null, null, "", null, true));
        assertEquals(List.of("scaling.png", "vs_peers.png"), Charts.write(dir, rows));
        assertTrue(Files.size(dir.resolve("scaling.png")) > 0);
        assertTrue(Files.size(dir.resolve("vs_peers.png")) > 0);
    }

    @Test
    void ratiosPointTheWayOfBetter() {
        Row faster = new Row("s", "k", "l", "us", 10, 20.0, "p", "", null, false);
        Row higher = new Row("s", "k", "l", "M/s", 30, 10.0, "p", "", null, true);
        assertEquals(2.0, faster.ratio());
        assertEquals(3.0, higher.ratio());
        assertEquals(null, new Row("s", "k", "l", "M/s", 30, null, null, "", null, true).ratio());
        assertEquals("1.50 GB/s", Row.format(1.5e9, "GB/s"));
    }
}
