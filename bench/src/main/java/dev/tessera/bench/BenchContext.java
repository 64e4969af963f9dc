package dev.tessera.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** What every scenario needs: the mode, the repository (for bench/python), where logs and scratch files go. */
record BenchContext(Mode mode, Path root, Path out, boolean peers) {

    Path scripts() {
        return root.resolve("bench").resolve("python");
    }

    Path logs() {
        return out.resolve("logs");
    }

    Path scratch(String name) throws IOException {
        Files.createDirectories(out.resolve("tmp"));
        return out.resolve("tmp").resolve(name);
    }

    /** The flags a Python script gets for this run: the mode, the peers' python3, or --no-peer when peers are off. */
    List<String> scriptFlags() {
        List<String> flags = new ArrayList<>();
        if (mode.scriptFlag() != null) {
            flags.add(mode.scriptFlag());
        }
        if (!peers) {
            flags.add("--no-peer");
        } else {
            flags.add("--python");
            flags.add(Machine.python());
        }
        return flags;
    }

    /** Seconds a child process may run before it is stopped. */
    long timeoutSeconds() {
        return switch (mode) {
            case TINY -> 300;
            case QUICK -> 600;
            case FULL -> 1800;
        };
    }

    /** The repository root: the directory above this one (or this one) that holds bench/python. */
    static Path findRoot(Path start) {
        for (Path p = start.toAbsolutePath(); p != null; p = p.getParent()) {
            if (Files.isDirectory(p.resolve("bench").resolve("python"))) {
                return p;
            }
        }
        throw new IllegalArgumentException("cannot find the Tessera repository (a directory with bench/python) above " + start);
    }
}
