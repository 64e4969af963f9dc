package dev.tessera.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.InputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
import org.apache.arrow.vector.BitVector;
import org.apache.arrow.vector.FieldVector;
import org.apache.arrow.vector.Float8Vector;
import org.apache.arrow.vector.IntVector;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.ipc.ArrowFileWriter;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import picocli.CommandLine;

/** Every example on small data: it verifies itself (exit 0), and refuses what it cannot use in one clear line. */
class ExamplesTest {
    @TempDir
    static Path dir;

    static Path layouts;

    @BeforeAll
    static void copyFixture() throws Exception {
        layouts = dir.resolve("layouts.h5");
        try (InputStream in = ExamplesTest.class.getResourceAsStream("layouts.h5")) {
            Files.copy(in, layouts);
        }
    }

    /** What a run printed and returned, or the exception it failed with. */
    record Run(int status, String out, Throwable failure) {
        String failureMessage() {
            assertNotNull(failure, "expected a failure; output was:\n" + out);
            return failure.getMessage();
        }
    }

    static Run run(String... args) {
        StringWriter out = new StringWriter();
        AtomicReference<Throwable> failure = new AtomicReference<>();
        CommandLine cli = Examples.commandLine().setOut(new PrintWriter(out, true)).setErr(new PrintWriter(out, true))
                .setExecutionExceptionHandler((e, cmd, parsed) -> {
                    failure.set(e);
                    return 2;
                });
        int status = cli.execute(args);
        System.out.print(out);
        return new Run(status, out.toString(), failure.get());
    }

    @Test
    void fillDecompressesTheBundledDatasetInParallelAndMatchesJhdf() {
        Run r = run("fill", "--repeat", "2", "--rounds", "1", "-w", "2", "--no-progress");
        assertEquals(0, r.status(), r.out());
        assertTrue(r.out().contains("OK: every array equals jhdf's read"), r.out());
        assertTrue(r.out().contains("  1 ") && r.out().contains("  2 "), "one worker, then two:\n" + r.out());
    }

    @ParameterizedTest
    @ValueSource(strings = {"big_endian_int16", "uint32_shuffled", "rows_float32", "uncompressed_int64", "tiles_float64"})
    void fillReadsOtherLayoutsOfAUserFile(String dataset) {
        Run r = run("fill", "--file", layouts.toString(), "--dataset", dataset, "--rounds", "1", "-w", "2", "--no-single",
                "--no-progress");
        assertEquals(0, r.status(), r.out());
        assertTrue(r.out().contains("OK"), r.out());
    }

    @Test
    void fillRefusesWhatItCannotReadSayingWhy() {
        String f = layouts.toString();
        assertTrue(run("fill", "--file", f, "--dataset", "contiguous_float64").failureMessage().contains("not chunked"));
        assertTrue(run("fill", "--file", f, "--dataset", "lzf_float64").failureMessage().contains("filter"));
        assertTrue(run("fill", "--file", f, "--dataset", "nope").failureMessage().contains("no dataset nope"));
        assertTrue(run("fill", "--file", dir.resolve("missing.h5").toString()).failureMessage().contains("no such file"));
        assertTrue(run("fill", "--rounds", "0").failureMessage().contains("at least 1"));
    }

    @Test
    void aCorruptChunkIsReportedByNameAndNothingHangs() throws Exception {
        Path copy = dir.resolve("corrupt.h5");
        try (InputStream in = Examples.class.getResourceAsStream("detector.h5")) {
            Files.copy(in, copy);
        }
        dev.tessera.formats.DatasetInfo info = dev.tessera.formats.Hdf5.inspect(copy, "/detector/samples");
        assertEquals(64, info.storedChunks());
        // the chunks follow the metadata in h5py's file: garble bytes in the middle of the data
        long size = Files.size(copy);
        try (var f = new java.io.RandomAccessFile(copy.toFile(), "rw")) {
            f.seek(size / 2);
            f.write(new byte[64]);
        }
        Run r = run("fill", "--file", copy.toString(), "--dataset", "/detector/samples", "--rounds", "1", "-w", "2", "--no-single",
                "--no-progress");
        assertEquals(2, r.status(), r.out());
        assertInstanceOf(ExampleException.class, r.failure());
        assertTrue(r.failureMessage().contains("chunk [") && r.failureMessage().contains("file offset"), r.failureMessage());
    }

    @Test
    void scanAgreesWithPlainJava() {
        Run r = run("scan", "--rows", "300000", "--keys", "37", "--rounds", "2", "-w", "2");
        assertEquals(0, r.status(), r.out());
        assertTrue(r.out().contains("OK: every round's sums agree with plain Java"), r.out());
    }

    @Test
    void scanLeavesOutRowsWithNullsAndNamesMissingColumns() throws Exception {
        Path file = dir.resolve("nulls.arrow");
        try (BufferAllocator allocator = new RootAllocator();
             IntVector key = new IntVector("k", allocator);
             Float8Vector value = new Float8Vector("v", allocator);
             BitVector flag = new BitVector("f", allocator);
             VectorSchemaRoot root = new VectorSchemaRoot(List.<FieldVector>of(key, value, flag));
             var channel = java.nio.channels.FileChannel.open(file, java.nio.file.StandardOpenOption.CREATE,
                     java.nio.file.StandardOpenOption.WRITE);
             ArrowFileWriter writer = new ArrowFileWriter(root, null, channel)) {
            writer.start();
            int n = 1000;
            key.allocateNew(n);
            value.allocateNew(n);
            flag.allocateNew(n);
            for (int i = 0; i < n; i++) {
                key.set(i, i % 5);
                if (i % 10 == 3) {
                    value.setNull(i);
                } else {
                    value.set(i, i * 0.5);
                }
                flag.set(i, i % 3 == 0 ? 0 : 1);
            }
            root.setRowCount(n);
            writer.writeBatch();
            writer.end();
        }
        Run r = run("scan", "--file", file.toString(), "--key-column", "k", "--value-column", "v", "--flag-column", "f",
                "--threshold", "100", "--rounds", "1", "-w", "2");
        assertEquals(0, r.status(), r.out());
        assertTrue(r.out().contains("100 rows with a null are left out"), r.out());
        String missing = run("scan", "--file", file.toString()).failureMessage();
        assertTrue(missing.contains("no column 'key'") && missing.contains("k: Int(32, true)"), missing);
        assertTrue(run("scan", "--file", file.toString(), "--key-column", "v").failureMessage().contains("not int32"));
    }

    @Test
    void serveKeepsAnsweringShortRequestsBesideALongOne() {
        Run r = run("serve", "--seconds", "0.5", "--clients", "2", "--long", "22", "-w", "2");
        assertEquals(0, r.status(), r.out());
        assertTrue(r.out().contains("OK: every response was right"), r.out());
        assertEquals(89, ServeExample.fib(11));
        assertEquals(12, ServeExample.parseN("n=12"));
        for (String bad : new String[] {null, "x=1", "n=-1", "n=36", "n=ten"}) {
            assertThrowsIllegalArgument(() -> ServeExample.parseN(bad));
        }
    }

    @Test
    void releaseGivesEachArraysMemoryBackAsItIsFreed() {
        Run r = run("release", "--sizes", "40,64,48", "-w", "2");
        assertEquals(0, r.status(), r.out());
        assertTrue(r.out().contains("OK: every array was filled right"), r.out());
        assertEquals(List.of(1, 3, 0, 2, 4), ReleaseExample.releaseOrder(5));
        assertTrue(run("release", "--sizes", "0").failureMessage().contains("between 1 and"));
    }

    private static void assertThrowsIllegalArgument(org.junit.jupiter.api.function.Executable e) {
        org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class, e);
    }
}
