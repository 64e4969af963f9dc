package dev.tessera.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A {@code tessera serve} in a JVM of its own, on a socket of its own, for scenarios that time a script as a user runs
 * it with a service up: each script goes through the pure-Python client ({@code tessera_client.py run}, what
 * {@code tessera run} uses when a service runs), after the service has made what it makes between scripts.
 */
final class WarmService implements AutoCloseable {
    private final BenchContext c;
    private final Process service;
    private final Path dir;
    private final Path socket;

    private WarmService(BenchContext c, Process service, Path dir, Path socket) {
        this.c = c;
        this.service = service;
        this.dir = dir;
        this.socket = socket;
    }

    /** Starts the service (its output in the run's log {@code logName}) and waits until it serves. */
    static WarmService start(BenchContext c, String logName) throws Exception {
        Path dir = Files.createTempDirectory("tessera-bench-serve");
        Files.setPosixFilePermissions(dir, java.nio.file.attribute.PosixFilePermissions.fromString("rwx------"));
        Path socket = dir.resolve("s.sock");
        Path log = c.logs().resolve(logName);
        Files.createDirectories(log.getParent());
        List<String> args = c.mode() == Mode.TINY ? List.of(socket.toString(), "1") : List.of(socket.toString());
        Process service = new ProcessBuilder(ChildJvm.command(ServeScripts.class.getName(), args))
                .directory(c.root().toFile()).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        WarmService s = new WarmService(c, service, dir, socket);
        try {
            long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(c.timeoutSeconds());
            while (!Files.readString(log).contains("ready")) {
                if (!service.isAlive() || System.nanoTime() > end) {
                    throw new IOException("the service did not start: " + ScriptScenario.lastLine(log));
                }
                Thread.sleep(50);
            }
            return s;
        } catch (Exception | Error e) {
            s.close();
            throw e;
        }
    }

    /**
     * Runs {@code script ARGS} through the service once it is warm (as a user's next script finds it), its output in
     * the run's log {@code logName}; fails unless it exits 0.
     */
    void run(Path script, List<String> args, String logName) throws Exception {
        awaitWarm();
        List<String> cmd = new ArrayList<>(List.of(client(), "-S", c.root().resolve("service/python/tessera_client.py").toString(),
                "run", script.toString()));
        cmd.addAll(args);
        Path runLog = c.logs().resolve(logName);
        ProcessBuilder pb = new ProcessBuilder(cmd).directory(c.root().toFile()).redirectErrorStream(true).redirectOutput(runLog.toFile());
        pb.environment().put("TESSERA_SOCKET", socket.toString());
        Process p = pb.start();
        if (!p.waitFor(c.timeoutSeconds(), TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new IOException(script.getFileName() + " through the service ran past " + c.timeoutSeconds() + " s");
        }
        if (p.exitValue() != 0) {
            throw new IOException(script.getFileName() + " through the service failed (exit " + p.exitValue() + "): "
                    + ScriptScenario.lastLine(runLog));
        }
    }

    /**
     * Runs {@code script ARGS --json JSON} twice through the service, as a user's first and next script (logs
     * {@code logPrefix-1.txt}, {@code -2.txt}); what the second wrote to {@code json} is what counts.
     */
    void runAsNextScript(Path script, List<String> args, Path json, String logPrefix) throws Exception {
        List<String> withJson = new ArrayList<>(args);
        withJson.addAll(List.of("--json", json.toString()));
        for (int i = 1; i <= 2; i++) {
            Files.deleteIfExists(json);
            run(script, withJson, logPrefix + "-" + i + ".txt");
        }
        if (!Files.exists(json)) {
            throw new IOException(script.getFileName() + " through the service wrote no " + json.getFileName());
        }
    }

    /**
     * Waits until the service has ended its start-up warm-up and has all its warm workers and
     * a main interpreter ready.
     */
    private void awaitWarm() throws Exception {
        String check = "import sys, time\n"
                + "sys.path.insert(0, sys.argv[1])\n"
                + "import os, tessera_client as tc\n"
                + "end = time.monotonic() + 300\n"
                + "while time.monotonic() < end:\n"
                + "    with tc.connect(sys.argv[2]) as s:\n"
                + "        m = s.metrics()\n"
                + "    if m['warm_up_done'] and m['warm_workers_ready'] >= m['warm_workers_kept'] and m['main_interpreter_ready']:\n"
                + "        sys.exit(0)\n"
                + "    time.sleep(0.1)\n"
                + "sys.exit('the service did not end its warm-up and make its warm workers in 300 s: ' + str(m))\n";
        Process p = new ProcessBuilder(client(), "-c", check, c.root().resolve("service/python").toString(), socket.toString())
                .redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        if (p.waitFor() != 0) {
            throw new IOException("waiting for the warm service: " + out.strip());
        }
    }

    /** The client's python: the system's (as the launcher prefers it), else python3. */
    private static String client() {
        return Files.isExecutable(Path.of("/usr/bin/python3")) ? "/usr/bin/python3" : Machine.python();
    }

    @Override
    public void close() throws Exception {
        service.destroy();
        if (!service.waitFor(30, TimeUnit.SECONDS)) {
            service.destroyForcibly();
        }
        Files.deleteIfExists(socket);
        Files.deleteIfExists(dir);
    }
}
