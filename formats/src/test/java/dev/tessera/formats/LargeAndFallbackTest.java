package dev.tessera.formats;

import static org.junit.jupiter.api.Assertions.*;

import dev.tessera.codecs.Codecs;
import dev.tessera.shm.ArrayStore;
import dev.tessera.shm.SharedArray;
import java.io.ByteArrayOutputStream;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.zip.Deflater;
import java.util.zip.DeflaterOutputStream;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Arrays larger than one memoryview (2 GiB - 1 bytes; arrays may be larger), made mostly of chunks never written so
 * that the files stay small; and a native library that is missing: the pure-Java decoder is used and said to be.
 */
class LargeAndFallbackTest {
    /** 300,000,001 float64: 2.4 GB, chunks of 4 M elements, the last one holding 1 element. */
    static final long N = 300_000_001L;
    static final long CHUNK = 4_000_000L;
    /** Written chunks: the first, the one across byte 2^31 (element 268,435,456), the edge chunk. */
    static final long[] WRITTEN = {0, 67, 75};
    static final double FILL = 1.5;

    @TempDir
    Path tmp;

    static double value(long i) {
        return i * 0.5;
    }

    @Test
    void aZarrArrayOfMoreThan2GiBIsReadWithFillValuesAndEdgeChunk() throws Exception {
        Path z = tmp.resolve("large.zarr");
        Files.createDirectories(z);
        Files.writeString(z.resolve(".zarray"), "{\"zarr_format\": 2, \"shape\": [" + N + "], \"chunks\": [" + CHUNK + "], \"dtype\": \"<f8\","
                + " \"compressor\": {\"id\": \"zlib\", \"level\": 1}, \"fill_value\": " + FILL + ", \"order\": \"C\", \"filters\": null}");
        for (long c : WRITTEN) {
            MemorySegment chunk = MemorySegment.ofArray(new double[(int) CHUNK]);
            for (long i = 0; i < CHUNK; i++) {
                chunk.setAtIndex(ValueLayout.JAVA_DOUBLE, i, c * CHUNK + i < N ? value(c * CHUNK + i) : 0.0);
            }
            ByteArrayOutputStream bytes = new ByteArrayOutputStream();
            try (DeflaterOutputStream out = new DeflaterOutputStream(bytes, new Deflater(1))) {
                out.write(chunk.toArray(ValueLayout.JAVA_BYTE));
            }
            Files.write(z.resolve(Long.toString(c)), bytes.toByteArray());
        }
        try (ArrayStore store = new ArrayStore()) {
            ReadStats[] stats = new ReadStats[1];
            SharedArray a = store.allocate(dev.tessera.shm.DType.FLOAT64, N);
            stats[0] = Zarr.readInto(z, a, ReadOptions.threads(2));
            assertTrue(a.byteSize() > Integer.MAX_VALUE);
            assertEquals(76, stats[0].chunks());
            assertEquals(73, stats[0].missingChunks());
            checkLarge(a);
        }
    }

    @Test
    void anHdf5DatasetOfMoreThan2GiBMadeByH5pyIsRead() throws Exception {
        Assumptions.assumeTrue(Files.isExecutable(Fixtures.PYTHON) && Fixtures.pythonHasH5pyAndZarr(), "no /usr/bin/python3 with h5py");
        Path h5 = tmp.resolve("large.h5");
        String script = "import h5py, numpy as np\n"
                + "with h5py.File('" + h5 + "', 'w') as f:\n"
                + "    d = f.create_dataset('/big', shape=(" + N + ",), dtype='f8', chunks=(" + CHUNK + ",), compression='gzip',"
                + " compression_opts=1, shuffle=True, fillvalue=" + FILL + ")\n"
                + "    for c in " + java.util.Arrays.toString(WRITTEN) + ":\n"
                + "        lo, hi = c * " + CHUNK + ", min((c + 1) * " + CHUNK + ", " + N + ")\n"
                + "        d[lo:hi] = np.arange(lo, hi, dtype='f8') * 0.5\n";
        Path py = Files.writeString(tmp.resolve("make.py"), script);
        assertEquals(0, Fixtures.run(List.of(Fixtures.PYTHON.toString(), py.toString()), 300), "h5py failed to write the file");
        assertTrue(Files.size(h5) < 64 << 20, "unwritten chunks take no space");
        try (ArrayStore store = new ArrayStore()) {
            SharedArray a = Hdf5.read(store, h5, "/big", ReadOptions.threads(2));
            checkLarge(a);
        }
    }

    private static void checkLarge(SharedArray a) {
        assertEquals(N, a.elementCount());
        for (long c = 0; c < 76; c++) {
            long chunk = c;
            boolean written = java.util.Arrays.stream(WRITTEN).anyMatch(w -> w == chunk);
            for (long i : new long[] {c * CHUNK, Math.min(N - 1, c * CHUNK + CHUNK / 2), Math.min(N - 1, c * CHUNK + CHUNK - 1)}) {
                assertEquals(written ? value(i) : FILL, a.getDouble(i), "element " + i + " of chunk " + c);
            }
        }
        long past2GiB = (1L << 31) / 8;
        for (long i = past2GiB - 3; i < past2GiB + 3; i++) {
            assertEquals(value(i), a.getDouble(i), "element " + i + " across byte 2^31");
        }
        assertEquals(value(N - 1), a.getDouble(N - 1));
    }

    @Test
    void aMissingNativeLibraryLeavesThePureJavaDecoderInUseAndSaysSo() throws Exception {
        Codecs missing = Codecs.load(Map.of("deflate", "/nonexistent/libdeflate.so.0", "zstd", "/nonexistent/libzstd.so.1",
                "lz4", "/nonexistent/liblz4.so.1", "blosc", "/nonexistent/libblosc.so.1"), true);
        Map<String, String> d = missing.describe();
        assertTrue(d.get("inflate (zlib, deflate, gzip)").startsWith("JDK Inflater"), d.toString());
        assertTrue(d.get("inflate (zlib, deflate, gzip)").contains("/nonexistent/libdeflate.so.0 could not be loaded"), d.toString());
        assertTrue(d.get("zstd").startsWith("aircompressor"), d.toString());
        assertTrue(d.get("blosc").startsWith("pure-Java Blosc"), d.toString());
        assertFalse(missing.allNative());
        // and it reads what the native decoders read
        for (Fixtures.Entry e : Fixtures.entries(Fixtures.committed())) {
            if (e.expect().equals("data") && e.id().matches("h5_filters_(gzip|zstd|lz4|blosc)|zarr_(zstd|blosc_lz4_shuffle|gzip)")) {
                try (ArrayStore store = new ArrayStore()) {
                    SharedArray a = FixturesTest.read(store, e, ReadOptions.threads(2).withCodecs(missing));
                    assertEquals(-1, a.segment().mismatch(MemorySegment.ofArray(e.expected())), e.toString());
                }
            }
        }
        Codecs off = Codecs.load(Map.of("deflate", "libdeflate.so.0"), false);
        assertTrue(off.describe().get("inflate (zlib, deflate, gzip)").contains("native libraries off"), off.describe().toString());
    }

    @Test
    void thePropertyAndTheEnvironmentVariableTurnNativeLibrariesOff() {
        String before = System.getProperty(Codecs.NATIVE_PROPERTY);
        try {
            System.setProperty(Codecs.NATIVE_PROPERTY, "false");
            assertFalse(Codecs.nativeAllowed());
            System.setProperty(Codecs.NATIVE_PROPERTY, "true");
            assertTrue(Codecs.nativeAllowed());
        } finally {
            if (before == null) {
                System.clearProperty(Codecs.NATIVE_PROPERTY);
            } else {
                System.setProperty(Codecs.NATIVE_PROPERTY, before);
            }
        }
    }

    @Test
    void theNativeDecodersLoadWhereTheLibrariesAreInstalled() {
        Assumptions.assumeTrue(Codecs.nativeAllowed(), "native decoders turned off for this run");
        Map<String, String> d = Codecs.defaults().describe();
        boolean installed = Files.exists(Path.of("/usr/lib/x86_64-linux-gnu/libdeflate.so.0"));
        Assumptions.assumeTrue(installed, "libdeflate0 is not installed here (.ci/run installs it)");
        assertTrue(d.get("inflate (zlib, deflate, gzip)").startsWith("libdeflate (FFM"), d.toString());
        assertTrue(d.get("zstd").startsWith("libzstd (FFM"), d.toString());
        assertTrue(d.get("lz4").startsWith("liblz4 (FFM"), d.toString());
        assertTrue(d.get("blosc").startsWith("c-blosc (FFM"), d.toString());
    }
}
