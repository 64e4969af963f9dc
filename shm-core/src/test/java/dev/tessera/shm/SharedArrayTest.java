package dev.tessera.shm;

import static org.junit.jupiter.api.Assertions.*;

import java.lang.foreign.ValueLayout;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SharedArrayTest {

    @Test
    void allocatesZeroedMemoryWithShapeAndStrides() {
        try (ArrayStore store = new ArrayStore()) {
            SharedArray a = store.allocate("m", DType.FLOAT32, 3, 4);
            assertArrayEquals(new long[] {3, 4}, a.shape());
            assertArrayEquals(new long[] {16, 4}, a.strides());
            assertEquals(48, a.byteSize());
            assertEquals(16, a.rowBytes());
            for (long i = 0; i < a.elementCount(); i++) {
                assertEquals(0.0f, a.get(i).floatValue());
            }
            assertEquals(48, store.bytesInUse());
            assertEquals(0, a.segment().address() % ArrayStore.ALIGNMENT);
        }
    }

    @Test
    void aLargeArrayIsZeroedMemoryOfItsOwnMappingGoneWhenItCloses() throws Exception {
        try (ArrayStore store = new ArrayStore()) {
            long n = (AnonymousPages.THRESHOLD << 2) / 8 + 3; // past the threshold, not a whole number of pages
            SharedArray a = store.allocate("big", DType.FLOAT64, n);
            assertEquals(n * 8, a.byteSize());
            assertEquals(n * 8, store.bytesInUse());
            assertEquals(0, a.segment().address() % ArrayStore.ALIGNMENT);
            for (long i = 0; i < n; i += 4099) {
                assertEquals(0.0, a.get(i).doubleValue());
            }
            assertEquals(0.0, a.get(n - 1).doubleValue());
            a.set(n - 1, 2.5);
            assertEquals(2.5, a.get(n - 1).doubleValue());
            long address = a.segment().address();
            assertTrue(mapped(address), "the array's pages are mapped while it lives");
            a.close();
            assertFalse(mapped(address), "closing the array unmaps its pages");
            assertEquals(0, store.bytesInUse());
            assertThrows(IllegalStateException.class, () -> a.segment().get(ValueLayout.JAVA_BYTE, 0));
        }
    }

    /** Whether {@code address} lies in a mapping of this process (Linux: /proc/self/maps). */
    private static boolean mapped(long address) throws java.io.IOException {
        for (String line : Files.readAllLines(Path.of("/proc/self/maps"))) {
            String[] range = line.substring(0, line.indexOf(' ')).split("-");
            if (Long.compareUnsigned(Long.parseUnsignedLong(range[0], 16), address) <= 0
                    && Long.compareUnsigned(address, Long.parseUnsignedLong(range[1], 16)) < 0) {
                return true;
            }
        }
        return false;
    }

    @Test
    void everyDtypeRoundTripsThroughGenericAccess() {
        try (ArrayStore store = new ArrayStore()) {
            for (DType t : DType.values()) {
                SharedArray a = store.allocate(t, 4);
                a.set(2, 1);
                assertEquals(1, a.get(2).intValue(), t.typeName());
                assertEquals(0, a.get(1).intValue(), t.typeName());
                assertEquals(t, DType.parse(t.formatString()));
                assertEquals(t, DType.parse(t.typeName()));
                a.close();
            }
        }
    }

    @Test
    void badShapesAndFormatsAreRefusedNamingTheValue() {
        try (ArrayStore store = new ArrayStore()) {
            var e = assertThrows(IllegalArgumentException.class, () -> store.allocate(DType.INT8, 3, -2));
            assertTrue(e.getMessage().contains("-2"), e.getMessage());
            assertThrows(IllegalArgumentException.class, () -> store.allocate(DType.INT8));
            assertThrows(IllegalArgumentException.class, () -> store.allocate(DType.INT64, Long.MAX_VALUE / 2, 4));
            var f = assertThrows(IllegalArgumentException.class, () -> DType.parse("Z"));
            assertTrue(f.getMessage().contains("'Z'"), f.getMessage());
            assertThrows(IllegalArgumentException.class, () -> DType.parse(">d"));
            store.allocate("x", DType.INT8, 1);
            assertThrows(IllegalArgumentException.class, () -> store.allocate("x", DType.INT8, 1));
        }
    }

    @Test
    void closeFreesAtOnceAndLaterAccessFailsClearly() {
        ArrayStore store = new ArrayStore();
        SharedArray a = store.allocate("gone", DType.FLOAT64, 1000);
        ArrayView view = a.readOnly();
        var segment = a.segment();
        a.close();
        a.close(); // idempotent
        assertEquals(0, store.bytesInUse());
        assertTrue(store.liveArrays().isEmpty());
        var e = assertThrows(ArrayClosedException.class, () -> a.getDouble(0));
        assertTrue(e.getMessage().contains("'gone'"), e.getMessage());
        assertThrows(ArrayClosedException.class, a::segment);
        assertThrows(ArrayClosedException.class, view::segment);
        assertTrue(view.isReleased());
        // A segment taken before the close is dead too: FFM refuses, nothing is read.
        assertThrows(IllegalStateException.class, () -> segment.get(ValueLayout.JAVA_DOUBLE, 0));
        store.close();
    }

    @Test
    void closeRacingAWriterThreadNeverCrashes() throws Exception {
        for (int round = 0; round < 20; round++) {
            ArrayStore store = new ArrayStore();
            SharedArray a = store.allocate(DType.FLOAT64, 1 << 16);
            ArrayView view = a.slice(0, a.length());
            var seg = view.segment();
            CountDownLatch running = new CountDownLatch(1);
            AtomicReference<Throwable> seen = new AtomicReference<>();
            Thread writer = new Thread(() -> {
                try {
                    for (long pass = 0; ; pass++) {
                        for (long i = 0; i < (1 << 16); i++) {
                            seg.setAtIndex(ValueLayout.JAVA_DOUBLE, i, pass);
                        }
                        running.countDown();
                    }
                } catch (Throwable t) {
                    seen.set(t);
                }
            });
            writer.start();
            running.await();
            a.close();
            writer.join(10_000);
            assertFalse(writer.isAlive());
            assertInstanceOf(IllegalStateException.class, seen.get());
            store.close();
        }
    }

    @Test
    void byteLimitRefusesWithAmountsInTheMessage() {
        try (ArrayStore store = new ArrayStore(1000)) {
            SharedArray a = store.allocate("a", DType.FLOAT64, 100);
            var e = assertThrows(StoreLimitException.class, () -> store.allocate("b", DType.FLOAT64, 50));
            assertTrue(e.getMessage().contains("in use: 800"), e.getMessage());
            assertTrue(e.getMessage().contains("400 bytes"), e.getMessage());
            assertTrue(e.getMessage().contains("limit of 1000"), e.getMessage());
            a.close();
            store.allocate("b", DType.FLOAT64, 50).close(); // room again, and the name "b" was not kept
            assertEquals(0, store.bytesInUse());
        }
    }

    @Test
    void storeCloseFreesEverything() {
        ArrayStore store = new ArrayStore();
        SharedArray a = store.allocate(DType.INT32, 10);
        SharedArray b = store.allocate(DType.INT32, 10);
        b.slice(0, 5);
        assertEquals(1, store.leaseCount());
        store.close();
        assertTrue(a.isClosed() && b.isClosed());
        assertEquals(0, store.bytesInUse());
        assertEquals(0, store.leaseCount());
        assertThrows(IllegalStateException.class, () -> store.allocate(DType.INT8, 1));
    }

    @Test
    void mappedFileArrayIsBackedByTheFile(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("data.bin");
        try (ArrayStore store = new ArrayStore()) {
            SharedArray a = store.map(file, true, DType.INT64, 1000);
            a.setLong(999, 42L);
            a.close();
            assertEquals(8000, Files.size(file));
            SharedArray b = store.map(file, false, DType.INT64, 1000);
            assertEquals(42L, b.getLong(999));
            assertTrue(b.isReadOnly());
            assertThrows(IllegalStateException.class, () -> b.slice(0, 1));
            assertThrows(IllegalArgumentException.class, () -> b.segment().set(ValueLayout.JAVA_LONG, 0, 1L));
            assertThrows(IllegalArgumentException.class, () -> store.map(file, false, DType.INT64, 1001));
        }
    }
}
