package dev.tessera.workers;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The modules a main script imports at its top level ({@code import a.b, c as d} and {@code from a.b import x} at
 * column 0): what every worker of its pools imports when it loads the script to find a task's function. A cold
 * {@code tessera run}'s reserve imports them ahead while the script starts (see {@link WorkerReserve}), so that a
 * pool's first task does not pay them. Read from the text, not run: a line that only looks like an import (inside a
 * string) names a module the worker may import for nothing, which is why the worker imports standard-library
 * modules and Tessera only, never the user's own (their bodies could do anything).
 */
final class ScriptImports {
    private static final Pattern IMPORT = Pattern.compile("^import\\s+([\\w.]+(?:\\s+as\\s+\\w+)?(?:\\s*,\\s*[\\w.]+(?:\\s+as\\s+\\w+)?)*)");
    private static final Pattern FROM = Pattern.compile("^from\\s+([\\w.]+)\\s+import\\b");
    private static final int MAX_BYTES = 1 << 20;

    private ScriptImports() {
    }

    /**
     * What {@code script} imports at its top level, in order, without the modules a file or package in the script's
     * own directory shadows (the worker would import that one, not the standard library's); and whether its text names
     * Tessera's pools or interpreters anywhere (its main interpreter will load them). Nothing for a script that cannot
     * be read or is over a MiB.
     */
    record Found(List<String> modules, boolean usesPools, boolean importsOwnModules) {
        /** The imports of a pool's first worker: tessera's pool part first when the script uses pools. */
        List<String> leadModules() {
            return usesPools ? List.of("tessera") : List.of();
        }

        /**
         * Whether the run may make interpreter pools: the script names them, or imports a module of its own
         * directory (which may). A script that does neither gets no workers made ahead: they would only take the
         * cores from its start (2 cores: a script importing {@code concurrent.futures} ran 5.4-5.8 s with three
         * workers starting beside it, 4.9 s without).
         */
        boolean mayUsePools() {
            return usesPools || importsOwnModules;
        }
    }

    /** What {@code script} imports ahead (see {@link Found}). */
    static Found of(Path script) {
        String text;
        try {
            if (Files.size(script) > MAX_BYTES) {
                return new Found(List.of(), false, false);
            }
            text = Files.readString(script);
        } catch (IOException | RuntimeException e) { // unreadable, or not UTF-8: nothing is imported ahead
            return new Found(List.of(), false, false);
        }
        Path dir = script.toAbsolutePath().getParent();
        Set<String> out = new LinkedHashSet<>();
        boolean own = false;
        for (String line : text.split("\n")) {
            for (String name : names(line)) {
                String top = name.split("\\.", 2)[0];
                if (top.equals("__future__")) {
                    continue;
                }
                if (dir != null && shadowed(dir, top)) {
                    own = true;
                } else {
                    out.add(name);
                }
            }
            own |= line.startsWith("from .");
        }
        return new Found(List.copyOf(out), text.contains("InterpreterPool") || text.contains("interpreters"), own);
    }

    /** The modules one line imports, if it is a top-level import statement. */
    static List<String> names(String line) {
        Matcher m = FROM.matcher(line);
        if (m.find()) {
            return m.group(1).startsWith(".") ? List.of() : List.of(m.group(1)); // a relative import: the user's package
        }
        m = IMPORT.matcher(line);
        if (!m.find()) {
            return List.of();
        }
        return java.util.Arrays.stream(m.group(1).split(",")).map(part -> part.trim().split("\\s+")[0]).toList();
    }

    private static boolean shadowed(Path dir, String top) {
        return Files.exists(dir.resolve(top + ".py")) || Files.isDirectory(dir.resolve(top));
    }
}
