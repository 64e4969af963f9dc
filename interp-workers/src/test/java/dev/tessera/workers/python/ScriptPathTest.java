package dev.tessera.workers.python;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.tessera.shm.ArrayStore;
import dev.tessera.workers.PoolFixture;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
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
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int status;
        try (ArrayStore store = new ArrayStore();
             MainInterpreter main = new MainInterpreter(PoolFixture.runtime(), store, MainInterpreter.argv(script, List.of()),
                     System.in, out, err, System.getenv())) {
            status = main.runScript(script);
        }
        String stderr = err.toString(StandardCharsets.UTF_8);
        assertEquals(0, status, stderr);
        assertEquals(List.of("True 1 False", "42", "True False"), out.toString(StandardCharsets.UTF_8).strip().lines().toList(), stderr);
    }
}
