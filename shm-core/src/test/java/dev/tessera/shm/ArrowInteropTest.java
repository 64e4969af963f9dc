package dev.tessera.shm;

import static org.junit.jupiter.api.Assertions.*;

import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
import org.apache.arrow.vector.BigIntVector;
import org.apache.arrow.vector.BitVector;
import org.apache.arrow.vector.FieldVector;
import org.apache.arrow.vector.Float8Vector;
import org.apache.arrow.vector.IntVector;
import org.junit.jupiter.api.Test;

class ArrowInteropTest {

    @Test
    void exportSharesTheSameBytesWithoutCopying() {
        try (ArrayStore store = new ArrayStore(); BufferAllocator alloc = new RootAllocator()) {
            SharedArray a = store.allocate("col", DType.FLOAT64, 1000);
            for (int i = 0; i < 1000; i++) {
                a.setDouble(i, i * 0.5);
            }
            try (FieldVector v = ArrowInterop.export(a, alloc)) {
                Float8Vector f = assertInstanceOf(Float8Vector.class, v);
                assertEquals(1000, f.getValueCount());
                assertEquals(a.segment().address(), f.getDataBuffer().memoryAddress(), "same memory, no copy");
                assertEquals(499.5, f.get(999));
                a.setDouble(7, -1.0); // a later write on the host is visible through Arrow
                assertEquals(-1.0, f.get(7));
                var e = assertThrows(IllegalStateException.class, a::close);
                assertTrue(e.getMessage().contains("Arrow"), e.getMessage());
            }
            assertEquals(0, a.liveExportCount());
            a.close();
            assertTrue(a.isClosed());
        }
    }

    @Test
    void importCopiesValuesAndRefusesNulls() {
        try (ArrayStore store = new ArrayStore(); BufferAllocator alloc = new RootAllocator();
             BigIntVector v = new BigIntVector("ids", alloc); IntVector n = new IntVector("n", alloc);
             BitVector bits = new BitVector("flags", alloc)) {
            v.allocateNew(5);
            for (int i = 0; i < 5; i++) {
                v.set(i, 10L * i);
            }
            v.setValueCount(5);
            SharedArray a = ArrowInterop.importCopy(store, "ids", v);
            assertEquals(DType.INT64, a.dtype());
            assertEquals(40L, a.getLong(4));
            v.set(4, 1L);
            assertEquals(40L, a.getLong(4), "a copy, not a view");

            n.allocateNew(2);
            n.set(0, 1);
            n.setNull(1);
            n.setValueCount(2);
            var e = assertThrows(IllegalArgumentException.class, () -> ArrowInterop.importCopy(store, "n", n));
            assertTrue(e.getMessage().contains("null"), e.getMessage());

            bits.allocateNew(3);
            bits.set(0, 1);
            bits.set(1, 0);
            bits.set(2, 1);
            bits.setValueCount(3);
            SharedArray b = ArrowInterop.importCopy(store, "flags", bits);
            assertEquals(DType.BOOL, b.dtype());
            assertEquals(1, b.get(2).intValue());
            assertEquals(0, b.get(1).intValue());
        }
    }

    @Test
    void exportRefusesMultiDimensionalAndBool() {
        try (ArrayStore store = new ArrayStore(); BufferAllocator alloc = new RootAllocator()) {
            assertThrows(IllegalArgumentException.class, () -> ArrowInterop.export(store.allocate(DType.FLOAT64, 2, 2), alloc));
            assertThrows(IllegalArgumentException.class, () -> ArrowInterop.export(store.allocate(DType.BOOL, 2), alloc));
        }
    }
}
