package dev.tessera.shm;

import static org.junit.jupiter.api.Assertions.*;

import java.lang.foreign.ValueLayout;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class ViewsAndLeasesTest {

    @Test
    void overlappingWritableLeasesAreRefusedNamingBothRanges() {
        try (ArrayStore store = new ArrayStore()) {
            SharedArray a = store.allocate("t", DType.FLOAT64, 100);
            ArrayView first = a.slice(0, 20, "worker 1");
            var e = assertThrows(LeaseConflictException.class, () -> a.slice(10, 30));
            assertTrue(e.getMessage().contains("[10, 30)"), e.getMessage());
            assertTrue(e.getMessage().contains("[0, 20)"), e.getMessage());
            assertTrue(e.getMessage().contains("worker 1"), e.getMessage());
            ArrayView second = a.slice(20, 40); // adjacent, not overlapping
            assertEquals(2, a.leaseCount());
            first.release();
            ArrayView third = a.slice(10, 20); // range freed by the release
            assertEquals(2, a.leaseCount());
            second.close();
            third.close();
            assertEquals(0, store.leaseCount());
        }
    }

    @Test
    void readOnlyViewsCoexistWithEachOtherAndWithALease() {
        try (ArrayStore store = new ArrayStore()) {
            SharedArray a = store.allocate(DType.INT32, 10);
            ArrayView r1 = a.readOnly();
            ArrayView r2 = a.readOnly(2, 5);
            ArrayView w = a.slice(0, 10);
            w.segment().setAtIndex(ValueLayout.JAVA_INT, 3, 7);
            assertEquals(7, r1.segment().getAtIndex(ValueLayout.JAVA_INT, 3));
            assertEquals(7, r2.segment().getAtIndex(ValueLayout.JAVA_INT, 1));
            assertThrows(IllegalArgumentException.class, () -> r1.segment().setAtIndex(ValueLayout.JAVA_INT, 0, 1));
            assertFalse(r1.isWritable());
            assertTrue(w.isWritable());
        }
    }

    @Test
    void emptyAndOutOfRangeSlices() {
        try (ArrayStore store = new ArrayStore()) {
            SharedArray a = store.allocate(DType.UINT8, 10);
            ArrayView empty = a.slice(5, 5);
            assertEquals(0, empty.byteLength());
            a.slice(0, 10).release(); // an empty lease blocks nothing
            assertThrows(IndexOutOfBoundsException.class, () -> a.slice(-1, 2));
            assertThrows(IndexOutOfBoundsException.class, () -> a.slice(3, 2));
            var e = assertThrows(IndexOutOfBoundsException.class, () -> a.slice(0, 11));
            assertTrue(e.getMessage().contains("[0, 11)"), e.getMessage());
        }
    }

    @Test
    void releasedViewFailsAndListenersRunOnce() {
        try (ArrayStore store = new ArrayStore()) {
            SharedArray a = store.allocate(DType.INT64, 4);
            ArrayView v = a.slice(0, 4);
            int[] calls = {0};
            v.onRelease(() -> calls[0]++);
            v.release();
            v.release();
            assertEquals(1, calls[0]);
            var e = assertThrows(ArrayClosedException.class, v::segment);
            assertTrue(e.getMessage().contains("released"), e.getMessage());
            ArrayView w = a.slice(0, 4);
            a.close();
            assertTrue(w.isReleased());
            assertTrue(w.lease().isReleased());
        }
    }

    /** Random shapes, dtypes and slices: views cover exactly the rows asked for, leases never overlap. */
    @Test
    void propertyRandomShapesSlicesAndDtypes() {
        Random rnd = new Random(12345);
        DType[] types = DType.values();
        try (ArrayStore store = new ArrayStore()) {
            for (int trial = 0; trial < 300; trial++) {
                DType t = types[rnd.nextInt(types.length)];
                int ndim = 1 + rnd.nextInt(3);
                long[] shape = new long[ndim];
                for (int d = 0; d < ndim; d++) {
                    shape[d] = rnd.nextInt(6);
                }
                SharedArray a = store.allocate(t, shape);
                long rows = shape[0];
                long rowBytes = a.rowBytes();
                List<long[]> held = new ArrayList<>();
                for (int k = 0; k < 8; k++) {
                    long s = rows == 0 ? 0 : rnd.nextLong(rows + 1);
                    long e = s + (rows - s == 0 ? 0 : rnd.nextLong(rows - s + 1));
                    boolean overlaps = held.stream().anyMatch(h -> s < e && h[0] < h[1] && h[0] < e && s < h[1]);
                    if (overlaps) {
                        assertThrows(LeaseConflictException.class, () -> a.slice(s, e));
                    } else {
                        ArrayView v = a.slice(s, e);
                        held.add(new long[] {s, e});
                        assertEquals((e - s) * rowBytes, v.byteLength());
                        assertEquals(s * rowBytes, v.byteOffset());
                        assertEquals(e - s, v.shape()[0]);
                        if (v.byteLength() > 0) {
                            v.segment().set(ValueLayout.JAVA_BYTE, 0, (byte) 1);
                            assertEquals(1, a.segment().get(ValueLayout.JAVA_BYTE, v.byteOffset()));
                        }
                    }
                }
                assertEquals(held.size(), a.leaseCount());
                a.close();
            }
            assertEquals(0, store.bytesInUse());
        }
    }
}
