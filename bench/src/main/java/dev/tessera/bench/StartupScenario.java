package dev.tessera.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * bench/python/startup.py (100 threads, 100 interpreters, 100 processes, each computing 2 + 2) cold, in a JVM of its
 * own with its CPython peers, as {@link ScriptScenario} runs a script; then its interpreters again as a user's script
 * meets them through a warm {@code tessera serve} (the second run through the service counts), against the same
 * CPython subinterpreters.
 */
final class StartupScenario extends ScriptScenario {
    static final String INTERPRETERS = "startup_interpreters_seconds";

    StartupScenario() {
        super("startup", "100 threads vs 100 interpreters vs 100 processes, each computing 2 + 2; cold and through a warm service",
                "startup.py");
    }

    @Override
    public List<Row> run(BenchContext c) throws Exception {
        List<Row> rows = new ArrayList<>(super.run(c));
        Row cold = interpreters(rows, "startup.py");
        Path json = c.scratch("startup-warm.json");
        List<String> args = new ArrayList<>(c.scriptFlags());
        args.add("--no-peer");
        try (WarmService service = WarmService.start(c, "startup-service.txt")) {
            service.runAsNextScript(c.scripts().resolve("startup.py"), args, json, "startup-warm");
        }
        Row warm = interpreters(readRows(json, name()), "startup.py through the service");
        Double peer = cold.peer();
        rows.add(new Row(name(), INTERPRETERS + "_warm", warm.label() + ", through a warm service (2nd script)", "s",
                warm.tessera(), peer, cold.peerName(), "faster than CPython subinterpreters",
                peer == null ? null : warm.tessera() < peer, false));
        return rows;
    }

    /** The interpreters row of {@code rows}, which {@code what} wrote. */
    private static Row interpreters(List<Row> rows, String what) throws IOException {
        return rows.stream().filter(r -> r.key().equals(INTERPRETERS)).findFirst()
                .orElseThrow(() -> new IOException(what + " wrote no " + INTERPRETERS + " row"));
    }
}
