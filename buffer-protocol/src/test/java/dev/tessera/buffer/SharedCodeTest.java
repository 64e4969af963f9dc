package dev.tessera.buffer;

import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tessera.buffer.graalpy.GuestScope;
import dev.tessera.shm.ArrayStore;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.graalvm.polyglot.Context;
import org.graalvm.polyglot.Source;
import org.graalvm.polyglot.io.IOAccess;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What one interpreter parsed of Tessera's parts and the standard library stays in the engine for the next one, even
 * after garbage collections: without SharedCode the engine drops such a parse at the first collection (GraalPy's
 * compile() keeps nothing of the source it parses), and every new interpreter parses and compiles the parts anew.
 */
class SharedCodeTest {
    @Test
    void thePartsParseOutlivesCollectionsAndItsInterpreter() throws InterruptedException {
        try (PythonFixture first = new PythonFixture()) {
            first.eval("import csv"); // a standard module Tessera does not import, parsed in this interpreter
        }
        gc();
        List<String> names = cachedNames();
        assertTrue(names.contains("<tessera>/_arrays.py"), "the parse of tessera._arrays was dropped: " + names);
        assertTrue(names.stream().anyMatch(n -> n.equals("csv.py") || n.endsWith("/csv.py")),
                "the parse of csv was dropped: " + names);
        assertTrue(SharedCode.keptCount() > 0);
    }

    /** A module of the user's (here from a file on the path) is kept as one of the recent files. */
    @Test
    void aUserModulesParseOutlivesCollectionsToo(@TempDir Path dir) throws IOException, InterruptedException {
        Files.writeString(dir.resolve("shared_code_probe.py"), "def twice(x):\n    return 2 * x\n");
        try (ArrayStore store = new ArrayStore();
             Context context = PythonFixture.runtime().contextBuilder().allowIO(IOAccess.ALL).build()) {
            TesseraPackage.withArrays(store, new GuestScope("test")).install(context);
            context.eval("python", "import sys; sys.path.insert(0, '" + dir + "'); import shared_code_probe");
        }
        gc();
        assertTrue(cachedNames().contains("shared_code_probe.py"), "the parse of a user module was dropped");
        assertTrue(SharedCode.recentCount() > 0);
    }

    private static List<String> cachedNames() {
        return PythonFixture.runtime().engine().getCachedSources().stream().map(Source::getName).toList();
    }

    private static void gc() throws InterruptedException {
        for (int i = 0; i < 3; i++) {
            System.gc();
            Thread.sleep(50);
        }
    }
}
