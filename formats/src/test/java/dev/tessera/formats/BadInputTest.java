package dev.tessera.formats;

import static org.junit.jupiter.api.Assertions.*;

import dev.tessera.codecs.Codecs;
import dev.tessera.shm.ArrayStore;
import dev.tessera.shm.DType;
import dev.tessera.shm.SharedArray;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import java.util.concurrent.CancellationException;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Corrupt, truncated and checksum-failing chunks, bad paths and names, wrong destinations and cancellation: each is
 * a clear error naming what is wrong; the array is untouched beyond the failing chunk; no file stays open and no
 * thread outlives the read.
 */
class BadInputTest {
    @TempDir
    Path tmp;

    private Path copyOfFixtures() throws IOException {
        Path h5 = tmp.resolve("fixtures.h5");
        Files.copy(Fixtures.committed().resolve("fixtures.h5"), h5, StandardCopyOption.REPLACE_EXISTING);
        return h5;
    }

    private static StoredChunk chunk(Path h5, String dataset, int index) {
        ChunkedLayout layout = Hdf5Layouts.read(h5, dataset, Codecs.pureJava());
        return layout.chunks().get(index);
    }

    private static void overwrite(Path file, long at, byte[] bytes) throws IOException {
        try (RandomAccessFile f = new RandomAccessFile(file.toFile(), "rw")) {
            f.seek(at);
            f.write(bytes);
        }
    }

    @Test
    void aCorruptChunkIsNamedAndTheChunksAfterItAreUntouched() throws Exception {
        Path h5 = copyOfFixtures();
        StoredChunk bad = chunk(h5, "/filters/gzip", 2);
        overwrite(h5, bad.address() + bad.size() / 2, new byte[] {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12});
        for (Codecs codecs : List.of(Codecs.defaults(), Codecs.pureJava())) {
            try (ArrayStore store = new ArrayStore()) {
                SharedArray out = store.allocate(DType.FLOAT64, 700);
                for (long i = 0; i < 700; i++) {
                    out.setDouble(i, -1.0); // sentinel
                }
                FormatException e = assertThrows(FormatException.class, () -> Hdf5.readInto(h5, "/filters/gzip", out,
                        ReadOptions.threads(1).withCodecs(codecs)));
                assertTrue(e.getMessage().contains("chunk [256]") && e.getMessage().contains("offset " + bad.address()), e.getMessage());
                for (long i = 0; i < 256; i++) {
                    assertNotEquals(-1.0, out.getDouble(i), "chunks before the bad one are filled");
                }
                for (long i = 384; i < 700; i++) {
                    assertEquals(-1.0, out.getDouble(i), "nothing after the bad chunk is written: element " + i);
                }
                assertEquals(0, store.leaseCount());
            }
        }
        assertNoOpenFile(h5);
    }

    @Test
    void aFailedChecksumIsNamed() throws Exception {
        Path h5 = copyOfFixtures();
        StoredChunk bad = chunk(h5, "/filters/fletcher32", 1);
        overwrite(h5, bad.address() + 40, new byte[] {0x55, 0x66});
        try (ArrayStore store = new ArrayStore()) {
            FormatException e = assertThrows(FormatException.class, () -> Hdf5.read(store, h5, "/filters/fletcher32", ReadOptions.threads(2)));
            assertTrue(e.getMessage().contains("Fletcher-32") && e.getMessage().contains("chunk [128]"), e.getMessage());
            assertEquals(0, store.liveArrays().size(), "the array the read made is freed");
        }
        assertNoOpenFile(h5);
    }

    @Test
    void aTruncatedFileIsNamed() throws Exception {
        Path h5 = copyOfFixtures();
        ChunkedLayout layout = Hdf5Layouts.read(h5, "/filters/gzip", Codecs.pureJava());
        StoredChunk last = layout.chunks().stream().max(java.util.Comparator.comparingLong(StoredChunk::address)).orElseThrow();
        // cut the file inside the chunk stored last: whether jhdf's metadata was after it or not, the error says so
        try (RandomAccessFile f = new RandomAccessFile(h5.toFile(), "rw")) {
            f.setLength(last.address() + last.size() / 2);
        }
        try (ArrayStore store = new ArrayStore()) {
            RuntimeException e = assertThrows(RuntimeException.class, () -> Hdf5.read(store, h5, "/filters/gzip", ReadOptions.threads(2)));
            assertTrue(e instanceof FormatException, e.toString());
            assertTrue(e.getMessage().contains("truncated"), e.getMessage());
            assertEquals(0, store.liveArrays().size());
        }
        assertNoOpenFile(h5);
    }

    @Test
    void aTruncatedZarrChunkIsNamed() throws Exception {
        Path z = tmp.resolve("zstd.zarr");
        copyTree(Fixtures.committed().resolve("zarr/zstd.zarr"), z);
        Path chunk = z.resolve("1");
        byte[] bytes = Files.readAllBytes(chunk);
        Files.write(chunk, java.util.Arrays.copyOf(bytes, bytes.length / 2));
        for (Codecs codecs : List.of(Codecs.defaults(), Codecs.pureJava())) {
            try (ArrayStore store = new ArrayStore()) {
                FormatException e = assertThrows(FormatException.class, () -> Zarr.read(store, z, ReadOptions.threads(2).withCodecs(codecs)));
                assertTrue(e.getMessage().contains("chunk [256] (1)"), e.getMessage());
                assertEquals(0, store.liveArrays().size());
            }
        }
    }

    @Test
    void badPathsAndNamesSayWhatIsMissing() throws Exception {
        Path h5 = Fixtures.committed().resolve("fixtures.h5");
        DatasetNotFoundException noFile = assertThrows(DatasetNotFoundException.class, () -> Hdf5.inspect(tmp.resolve("nope.h5"), "/x"));
        assertTrue(noFile.fileMissing() && noFile.getMessage().contains("nope.h5"));
        DatasetNotFoundException noSet = assertThrows(DatasetNotFoundException.class, () -> Hdf5.inspect(h5, "/no/such"));
        assertFalse(noSet.fileMissing());
        assertTrue(noSet.getMessage().contains("/no/such"), noSet.getMessage());
        DatasetNotFoundException group = assertThrows(DatasetNotFoundException.class, () -> Hdf5.inspect(h5, "/dtypes"));
        assertTrue(group.getMessage().contains("group"), group.getMessage());
        Path notHdf5 = Files.writeString(tmp.resolve("text.h5"), "not an HDF5 file at all");
        assertThrows(FormatException.class, () -> Hdf5.inspect(notHdf5, "/x"));
        assertThrows(DatasetNotFoundException.class, () -> Zarr.inspect(tmp.resolve("none.zarr")));
        Files.createDirectories(tmp.resolve("empty.zarr"));
        DatasetNotFoundException noMeta = assertThrows(DatasetNotFoundException.class, () -> Zarr.inspect(tmp.resolve("empty.zarr")));
        assertTrue(noMeta.getMessage().contains(".zarray"), noMeta.getMessage());
        Files.createDirectories(tmp.resolve("bad.zarr"));
        Files.writeString(tmp.resolve("bad.zarr/.zarray"), "{\"zarr_format\": 2, \"shape\": [10]");
        assertThrows(FormatException.class, () -> Zarr.inspect(tmp.resolve("bad.zarr")));
    }

    @Test
    void aWrongDestinationIsRefusedBeforeAnythingIsRead() {
        Path h5 = Fixtures.committed().resolve("fixtures.h5");
        try (ArrayStore store = new ArrayStore()) {
            SharedArray wrongType = store.allocate(DType.FLOAT32, 700);
            assertThrows(IllegalArgumentException.class, () -> Hdf5.readInto(h5, "/filters/gzip", wrongType, ReadOptions.threads(1)));
            SharedArray wrongSize = store.allocate(DType.FLOAT64, 699);
            assertThrows(IllegalArgumentException.class, () -> Hdf5.readInto(h5, "/filters/gzip", wrongSize, ReadOptions.threads(1)));
            SharedArray closed = store.allocate(DType.FLOAT64, 700);
            closed.close();
            assertThrows(RuntimeException.class, () -> Hdf5.readInto(h5, "/filters/gzip", closed, ReadOptions.threads(1)));
        }
    }

    @Test
    void cancellingStopsEveryThreadAndAProgressCallbackSeesTheEnd() throws Exception {
        Path h5 = Fixtures.committed().resolve("fixtures.h5");
        AtomicInteger calls = new AtomicInteger();
        long[] last = new long[2];
        try (ArrayStore store = new ArrayStore()) {
            SharedArray a = Hdf5.read(store, h5, "/missing/f8", ReadOptions.threads(2).withProgress((done, total, bytes) -> {
                calls.incrementAndGet();
                last[0] = done;
                last[1] = total;
            }));
            assertTrue(calls.get() >= 1);
            assertEquals(10, last[0]);
            assertEquals(10, last[1]);
            assertEquals(7.5, a.getDouble(999)); // a chunk never written: the fill value
            assertThrows(CancellationException.class, () -> Hdf5.read(store, h5, "/filters/gzip",
                    ReadOptions.threads(2).withCancel(() -> true)));
            assertEquals(1, store.liveArrays().size(), "the cancelled read freed its array");
        }
        Thread.sleep(50);
        assertTrue(Thread.getAllStackTraces().keySet().stream().noneMatch(t -> t.getName().startsWith("tessera-read-")),
                "no reading thread is left");
    }

    static void assertNoOpenFile(Path file) throws IOException {
        try (var fds = Files.list(Path.of("/proc/self/fd"))) {
            for (Path fd : fds.toList()) {
                try {
                    assertNotEquals(file.toRealPath(), Files.readSymbolicLink(fd), "the file is still open");
                } catch (IOException gone) {
                    // the listing's own descriptor, closed by now
                }
            }
        }
    }

    private static void copyTree(Path from, Path to) throws IOException {
        try (var files = Files.walk(from)) {
            for (Path p : files.toList()) {
                Path t = to.resolve(from.relativize(p).toString());
                if (Files.isDirectory(p)) {
                    Files.createDirectories(t);
                } else {
                    Files.copy(p, t);
                }
            }
        }
    }
}
