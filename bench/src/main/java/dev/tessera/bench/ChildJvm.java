package dev.tessera.bench;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Runs a main class in a fresh JVM started like this one (same java, JVM flags and class path): each scenario gets a
 * process of its own, so that one's JIT state, heap and threads do not colour the next one's figures.
 */
final class ChildJvm {
    private ChildJvm() {
    }

    /** The command for {@code mainClass args} in a JVM like this one. */
    static List<String> command(String mainClass, List<String> args) {
        List<String> cmd = new ArrayList<>();
        cmd.add(ProcessHandle.current().info().command().orElse(Path.of(System.getProperty("java.home"), "bin", "java").toString()));
        for (String a : ManagementFactory.getRuntimeMXBean().getInputArguments()) {
            if (!a.startsWith("-agentlib") && !a.startsWith("-XX:StartFlightRecording") && !a.startsWith("-javaagent")) {
                cmd.add(a);
            }
        }
        cmd.add("-cp");
        cmd.add(System.getProperty("java.class.path"));
        cmd.add(mainClass);
        cmd.addAll(args);
        return cmd;
    }

    /** Runs it with its output to {@code log}; the exit status, or an exception when it overran {@code timeout}. */
    static int run(String mainClass, List<String> args, Path workDir, Path log, long timeoutSeconds)
            throws IOException, InterruptedException {
        Files.createDirectories(log.getParent());
        Process p = new ProcessBuilder(command(mainClass, args)).directory(workDir.toFile()).redirectErrorStream(true)
                .redirectOutput(log.toFile()).start();
        if (!p.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
            p.descendants().forEach(ProcessHandle::destroyForcibly);
            p.destroyForcibly();
            throw new IOException(mainClass + " " + args + " ran past " + timeoutSeconds + " s (see " + log + ")");
        }
        return p.exitValue();
    }
}
