package dev.tessera.bench;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * What a user's short script sees (bench/python/first_seconds.py): a pool of 2 from nothing, then rounds of 2,000
 * short tasks one after another, the same beside a long task, and 2,000 trivial tasks in bulk, timed from the
 * script's start. Tessera cold (a fresh JVM, as {@code tessera run}) and through a warm service (the second script a
 * service runs, as {@code tessera run} with a running {@code tessera serve}), beside ProcessPoolExecutor(2) and
 * ThreadPoolExecutor(2) running the same file in the same bench run. Each figure is over the whole run (every round):
 * the median of the rounds' medians, the worst round's p99, the median bulk rate.
 */
final class FirstSecondsScenario implements Scenario {
    @Override
    public String name() {
        return "first-seconds";
    }

    @Override
    public String description() {
        return "a short script's first seconds, cold and through a warm service, vs ProcessPoolExecutor(2) and ThreadPoolExecutor";
    }

    /** Seconds each script runs (its rounds repeat until then). */
    static double seconds(Mode mode) {
        return switch (mode) {
            case TINY -> 0.5;
            case QUICK -> 10;
            case FULL -> 30;
        };
    }

    static int tasks(Mode mode) {
        return mode == Mode.TINY ? 100 : 2000;
    }

    @Override
    public List<Row> run(BenchContext c) throws Exception {
        double seconds = seconds(c.mode());
        List<String> flags = List.of("--seconds", String.valueOf(seconds), "--tasks", String.valueOf(tasks(c.mode())));
        Path script = c.scripts().resolve("first_seconds.py");
        JsonObject cold = cold(c, script, flags);
        JsonObject warm = warm(c, script, flags);
        JsonObject process = c.peers() ? peer(c, script, flags, "process") : null;
        JsonObject thread = c.peers() ? peer(c, script, flags, "thread") : null;
        String run = String.format("%s s run", seconds == Math.rint(seconds) ? String.valueOf((long) seconds) : String.valueOf(seconds));
        List<Row> rows = new ArrayList<>();
        for (Map.Entry<String, JsonObject> e : List.of(Map.entry("cold", cold), Map.entry("warm", warm))) {
            String how = e.getKey();
            JsonObject t = e.getValue();
            String where = how.equals("cold") ? "cold `tessera run`" : "through a warm service (2nd script)";
            rows.add(lowerRow(how + "-short-p50", "short task (fib(10)) p50, " + where + ", " + run, "us",
                    median(t, "short_p50_us"), process == null ? null : median(process, "short_p50_us"), "ProcessPoolExecutor(2)"));
            rows.add(lowerRow(how + "-short-p99", "short task p99 (worst round), " + where + ", " + run, "us",
                    worst(t, "short_p99_us"), process == null ? null : worst(process, "short_p99_us"), "ProcessPoolExecutor(2)"));
            rows.add(lowerRow(how + "-beside-long-p99", "short task p99 beside a long fib(27) (worst round), " + where + ", " + run, "us",
                    worst(t, "beside_long_p99_us"), process == null ? null : worst(process, "beside_long_p99_us"), "ProcessPoolExecutor(2)"));
            double bulk = median(t, "bulk_tasks_per_s");
            Double threads = thread == null ? null : median(thread, "bulk_tasks_per_s");
            rows.add(new Row(name(), how + "-bulk", "trivial tasks in bulk (median round), " + where + ", " + run, "tasks/s", bulk,
                    threads, "ThreadPoolExecutor(2)", ">= 0.6x ThreadPoolExecutor's", threads == null ? null : bulk >= 0.6 * threads, true));
            double first = t.get("first_result_ms").getAsDouble();
            double goal = how.equals("cold") ? 300 : 5;
            Double peerFirst = process == null ? null : process.get("first_result_ms").getAsDouble();
            rows.add(new Row(name(), how + "-first-result", "a new pool of 2 to its first result, " + where, "ms", first, peerFirst,
                    "ProcessPoolExecutor(2)", String.format("< %.0f ms", goal), first < goal, false));
        }
        return rows;
    }

    private Row lowerRow(String key, String label, String unit, double tessera, Double peer, String peerName) {
        return new Row(name(), key, label, unit, tessera, peer, peerName, "<= ProcessPoolExecutor(2)'s",
                peer == null ? null : tessera <= peer, false);
    }

    /** Cold: a fresh JVM runs the script as {@code tessera run} does. */
    private static JsonObject cold(BenchContext c, Path script, List<String> flags) throws Exception {
        Path json = c.scratch("first-seconds-cold.json");
        Files.deleteIfExists(json);
        List<String> args = new ArrayList<>(List.of(script.toString()));
        args.addAll(flags);
        args.addAll(List.of("--json", json.toString()));
        Path log = c.logs().resolve("first-seconds-cold.txt");
        int status = ChildJvm.run(RunScript.class.getName(), args, c.root(), log, c.timeoutSeconds());
        if (status != 0 || !Files.exists(json)) {
            throw new IOException("first_seconds.py cold failed (exit " + status + "): " + ScriptScenario.lastLine(log));
        }
        return JsonParser.parseString(Files.readString(json)).getAsJsonObject();
    }

    /** Warm: a service in its own JVM; the script runs twice through it (the client as `tessera run` uses it); the second counts. */
    private static JsonObject warm(BenchContext c, Path script, List<String> flags) throws Exception {
        Path json = c.scratch("first-seconds-warm.json");
        try (WarmService service = WarmService.start(c, "first-seconds-service.txt")) {
            service.runAsNextScript(script, flags, json, "first-seconds-warm");
        }
        return JsonParser.parseString(Files.readString(json)).getAsJsonObject();
    }

    /** A CPython peer: the same file with --backend process or thread. */
    private static JsonObject peer(BenchContext c, Path script, List<String> flags, String backend) throws Exception {
        Path json = c.scratch("first-seconds-" + backend + ".json");
        Files.deleteIfExists(json);
        List<String> cmd = new ArrayList<>(List.of(Machine.python(), script.toString(), "--backend", backend));
        cmd.addAll(flags);
        cmd.addAll(List.of("--json", json.toString()));
        Path log = c.logs().resolve("first-seconds-" + backend + ".txt");
        Process p = new ProcessBuilder(cmd).directory(c.root().toFile()).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        if (!p.waitFor(c.timeoutSeconds(), TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new IOException("first_seconds.py --backend " + backend + " ran past " + c.timeoutSeconds() + " s");
        }
        if (p.exitValue() != 0 || !Files.exists(json)) {
            throw new IOException("first_seconds.py --backend " + backend + " failed (exit " + p.exitValue() + "): " + ScriptScenario.lastLine(log));
        }
        return JsonParser.parseString(Files.readString(json)).getAsJsonObject();
    }

    private static double[] values(JsonObject run, String field) {
        JsonArray rounds = run.getAsJsonArray("rounds");
        double[] v = new double[rounds.size()];
        int i = 0;
        for (JsonElement r : rounds) {
            v[i++] = r.getAsJsonObject().get(field).getAsDouble();
        }
        return v;
    }

    static double median(JsonObject run, String field) {
        double[] v = values(run, field);
        Arrays.sort(v);
        return v.length == 0 ? 0 : v[v.length / 2];
    }

    static double worst(JsonObject run, String field) {
        return Arrays.stream(values(run, field)).max().orElse(0);
    }
}
