package dev.tessera.bench;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * A scenario measured by a script of bench/python run in a fresh main interpreter (its own JVM); the script runs
 * its CPython peer itself and writes its rows with --json (the format of bench/python/benchrows.py).
 */
class ScriptScenario implements Scenario {
    private final String name;
    private final String description;
    private final String script;

    ScriptScenario(String name, String description, String script) {
        this.name = name;
        this.description = description;
        this.script = script;
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public String description() {
        return description;
    }

    /** Arguments after the mode flags (e.g. a reference file). */
    List<String> extraArgs(BenchContext context) throws Exception {
        return List.of();
    }

    @Override
    public List<Row> run(BenchContext context) throws Exception {
        Path json = context.scratch(name + ".json");
        Files.deleteIfExists(json);
        List<String> args = new ArrayList<>();
        args.add(context.scripts().resolve(script).toString());
        args.addAll(context.scriptFlags());
        args.addAll(extraArgs(context));
        args.add("--json");
        args.add(json.toString());
        Path log = context.logs().resolve(name + ".txt");
        int status = ChildJvm.run(RunScript.class.getName(), args, context.root(), log, context.timeoutSeconds());
        if (status != 0 || !Files.exists(json)) {
            throw new IOException(script + " failed (exit " + status + "): " + lastLine(log));
        }
        return readRows(json, name);
    }

    static String lastLine(Path log) throws IOException {
        List<String> lines = Files.readAllLines(log);
        return lines.isEmpty() ? "no output" : lines.getLast();
    }

    /** Rows from a benchrows JSON file. */
    static List<Row> readRows(Path json, String scenario) throws IOException {
        JsonObject root = JsonParser.parseString(Files.readString(json)).getAsJsonObject();
        String peerError = root.has("peer_error") && !root.get("peer_error").isJsonNull() ? root.get("peer_error").getAsString() : null;
        List<Row> rows = new ArrayList<>();
        JsonArray array = root.getAsJsonArray("rows");
        for (JsonElement e : array) {
            rows.add(Row.fromJson(e.getAsJsonObject(), scenario, peerError));
        }
        return rows;
    }
}
