package dev.tessera.workers.python;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A script's sys.path is CPython's (its directory first, once; no working directory), and reaches its workers. */
class ScriptPathTest {
    @TempDir
    Path dir;

    @Test
    void aDirectoryTheScriptPutOnSysPathIsOnItsWorkersToo() throws Exception {
        Path script = dir.resolve("added_dir.py");
        try (InputStream in = ScriptPathTest.class.getResourceAsStream("/programs/script_path/added_dir.py")) {
            Files.copy(in, script);
        }
        ScriptExitTest.Ran ran = ScriptExitTest.runFile(System.getenv(), script);
        assertEquals(0, ran.status(), ran.err());
        assertEquals(List.of("True 1 False", "42", "True False"), ran.out().strip().lines().toList(), ran.err());
    }
}
