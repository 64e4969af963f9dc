package dev.tessera.bench;

import dev.tessera.buffer.PythonRuntime;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/** The facts a figure needs beside it: cores, CPU, JDK, GraalPy and its compiler, the CPython and numpy the peers ran on. */
final class Machine {
    private Machine() {
    }

    static Map<String, String> describe() {
        Map<String, String> m = new LinkedHashMap<>();
        m.put("cores", Integer.toString(Runtime.getRuntime().availableProcessors()));
        m.put("cpu", cpuModel());
        m.put("memory", memory());
        m.put("os", System.getProperty("os.name") + " " + System.getProperty("os.version") + " " + System.getProperty("os.arch"));
        m.put("jdk", System.getProperty("java.vm.name") + " " + Runtime.version());
        try (PythonRuntime runtime = PythonRuntime.start()) {
            m.put("graalpy", graalpyVersion(runtime.engine().getVersion()) + " (Python "
                    + runtime.engine().getLanguages().get("python").getVersion() + ")");
            m.put("optimizing runtime", runtime.implementationName());
        } catch (RuntimeException e) {
            m.put("graalpy", "did not start: " + e.getMessage());
        }
        m.put("python3", command(python(), "-c", "import sys; print(sys.version.split()[0])") + " (" + python() + ")");
        m.put("numpy", command(python(), "-c", "import numpy; print(numpy.__version__)"));
        m.put("h5py", h5py());
        return m;
    }

    /** The engine calls Maven Central's jars a "Development Build"; the polyglot jar's file name has the release. */
    private static String graalpyVersion(String reported) {
        try {
            String jar = Path.of(org.graalvm.polyglot.Engine.class.getProtectionDomain().getCodeSource().getLocation().toURI())
                    .getFileName().toString();
            if (jar.matches("polyglot-[0-9][0-9.]*\\.jar")) {
                return jar.substring("polyglot-".length(), jar.length() - ".jar".length());
            }
        } catch (RuntimeException | java.net.URISyntaxException e) {
            // not from a jar: keep what the engine says
        }
        return reported;
    }

    private static volatile String python;

    /**
     * The python3 on this process's PATH as an absolute path (its sys.executable), so that scripts running in a
     * Tessera interpreter, which has no environment, start the same CPython as a shell would; "python3" if unresolved.
     */
    static String python() {
        String p = python;
        if (p == null) {
            String exe = command("python3", "-c", "import sys; print(sys.executable)");
            p = exe.startsWith("/") ? exe : "python3";
            python = p;
        }
        return p;
    }

    /** The python3 that has h5py (the one on PATH, else Debian's), or null. */
    static String pythonWithH5py() {
        for (String python : List.of(python(), "/usr/bin/python3")) {
            if (!command(python, "-c", "import h5py; print(h5py.__version__)").startsWith("not available")) {
                return python;
            }
        }
        return null;
    }

    private static String h5py() {
        String python = pythonWithH5py();
        return python == null ? "not available" : command(python, "-c", "import h5py; print(h5py.__version__)") + " (" + python + ")";
    }

    private static String cpuModel() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/cpuinfo"))) {
                if (line.startsWith("model name")) {
                    return line.substring(line.indexOf(':') + 1).strip();
                }
            }
        } catch (IOException e) {
            // not Linux
        }
        return System.getProperty("os.arch");
    }

    private static String memory() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/meminfo"))) {
                if (line.startsWith("MemTotal:")) {
                    return String.format("%.1f GiB", Long.parseLong(line.replaceAll("[^0-9]", "")) / 1024.0 / 1024.0);
                }
            }
        } catch (IOException | NumberFormatException e) {
            // not Linux
        }
        return "unknown";
    }

    /** The first line a command prints, or "not available (why)". */
    static String command(String... cmd) {
        try {
            Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes()).strip();
            if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
                return "not available (" + (out.isEmpty() ? "exit " + p.exitValue() : out.lines().reduce((a, b) -> b).orElse("")) + ")";
            }
            return out.lines().findFirst().orElse("");
        } catch (IOException | InterruptedException e) {
            return "not available (" + e.getMessage() + ")";
        }
    }
}
