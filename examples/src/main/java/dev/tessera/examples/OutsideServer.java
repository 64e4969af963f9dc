package dev.tessera.examples;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;

/**
 * A server the serve example measures beside its own (a CPython peer): a shell command that prints {@code PORT n} as
 * its first line and serves {@code /fib?n=} on 127.0.0.1 until it is stopped.
 */
final class OutsideServer implements AutoCloseable {
    private final Process process;
    private final int port;
    private final String name;

    private OutsideServer(Process process, int port, String name) {
        this.process = process;
        this.port = port;
        this.name = name;
    }

    static OutsideServer start(String command) throws IOException {
        Process p = new ProcessBuilder("sh", "-c", command).redirectError(ProcessBuilder.Redirect.DISCARD).start();
        BufferedReader lines = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
        String first = lines.readLine();
        if (first == null || !first.startsWith("PORT ")) {
            p.destroyForcibly();
            throw new ExampleException("the outside server (" + command + ") did not print PORT <n> first"
                    + (first == null ? "; it exited with " + exitOf(p) : ", it printed: " + first));
        }
        String name = command.length() > 40 ? command.substring(0, 39) + "." : command;
        Thread.ofVirtual().start(() -> { // keep its output flowing
            try {
                String line = lines.readLine();
                while (line != null) {
                    line = lines.readLine();
                }
            } catch (IOException e) {
                // it stopped
            }
        });
        return new OutsideServer(p, Integer.parseInt(first.substring(5).strip()), name);
    }

    private static String exitOf(Process p) {
        try {
            return p.waitFor(5, TimeUnit.SECONDS) ? "status " + p.exitValue() : "(still running)";
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "(interrupted)";
        }
    }

    URI base() {
        return URI.create("http://127.0.0.1:" + port + "/fib?n=");
    }

    String name() {
        return name;
    }

    @Override
    public void close() {
        process.descendants().forEach(ProcessHandle::destroy);
        process.destroy();
        try {
            if (!process.waitFor(5, TimeUnit.SECONDS)) {
                process.destroyForcibly();
            }
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        }
    }
}
