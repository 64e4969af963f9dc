package dev.tessera.buffer;

import static org.junit.jupiter.api.Assertions.*;

import dev.tessera.buffer.graalpy.GuestScope;
import dev.tessera.shm.ArrayStore;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.graalvm.polyglot.Context;
import org.graalvm.polyglot.Source;
import org.graalvm.polyglot.io.IOAccess;
import org.junit.jupiter.api.Test;

/** Runs pytests/test_formats.py (tessera.hdf5 and tessera.zarr from Python) in an interpreter with file access. */
class FormatsPythonTest {
    private static final Pattern SUMMARY = Pattern.compile("SUITE: (\\d+) run, (\\d+) failures, (\\d+) errors, (\\d+) skipped");

    @Test
    void hdf5AndZarrFromPython() throws Exception {
        Path fixtures = Path.of("../formats/src/test/resources/dev/tessera/formats/fixtures").toAbsolutePath().normalize();
        Path suite = Path.of(FormatsPythonTest.class.getResource("/pytests/test_formats.py").toURI());
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (ArrayStore store = new ArrayStore();
             Context context = PythonFixture.runtime().contextBuilder().allowIO(IOAccess.ALL).out(out).err(out).build()) {
            TesseraPackage.withArrays(store, new GuestScope("main")).install(context);
            context.getBindings("python").putMember("FIXTURES", fixtures.toString());
            context.eval(Source.newBuilder("python", Files.readString(suite), "test_formats.py").build());
        }
        String text = out.toString(StandardCharsets.UTF_8);
        Matcher m = SUMMARY.matcher(text);
        assertTrue(m.find(), () -> "no summary:\n" + text);
        assertEquals("0", m.group(2), text);
        assertEquals("0", m.group(3), text);
        assertTrue(Integer.parseInt(m.group(1)) >= 6, text);
    }
}
