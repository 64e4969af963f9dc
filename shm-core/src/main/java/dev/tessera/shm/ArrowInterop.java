package dev.tessera.shm;

import java.lang.foreign.MemorySegment;
import java.util.List;
import org.apache.arrow.memory.ArrowBuf;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.ForeignAllocation;
import org.apache.arrow.vector.BaseFixedWidthVector;
import org.apache.arrow.vector.BigIntVector;
import org.apache.arrow.vector.BitVector;
import org.apache.arrow.vector.FieldVector;
import org.apache.arrow.vector.Float4Vector;
import org.apache.arrow.vector.Float8Vector;
import org.apache.arrow.vector.IntVector;
import org.apache.arrow.vector.SmallIntVector;
import org.apache.arrow.vector.TinyIntVector;
import org.apache.arrow.vector.UInt1Vector;
import org.apache.arrow.vector.UInt2Vector;
import org.apache.arrow.vector.UInt4Vector;
import org.apache.arrow.vector.UInt8Vector;
import org.apache.arrow.vector.ipc.message.ArrowFieldNode;

/**
 * Apache Arrow interop. Export wraps a 1-d array's memory as an Arrow vector without copying (a foreign
 * allocation); import copies a vector into a new array.
 *
 * <p>Arrow reads its buffers without FFM's liveness checks, so an export pins the array: {@link SharedArray#close()}
 * is refused until every exported vector is closed.
 */
public final class ArrowInterop {
    private ArrowInterop() {
    }

    /** Exports a 1-d numeric array as the matching Arrow vector, sharing its memory. Close the vector when done. */
    public static FieldVector export(SharedArray array, BufferAllocator allocator) {
        if (array.ndim() != 1) {
            throw new IllegalArgumentException("only 1-d arrays export to an Arrow vector; '" + array.name() + "' has shape "
                    + Shape.format(array.shape()));
        }
        if (array.dtype() == DType.BOOL) {
            throw new IllegalArgumentException("bool arrays hold a byte per value and Arrow's BitVector a bit per value: "
                    + "export '" + array.name() + "' as uint8, or copy it");
        }
        BaseFixedWidthVector vector = newVector(array.dtype(), array.name(), allocator);
        MemorySegment segment = array.segment();
        array.retainExport();
        ArrowBuf data;
        try {
            data = allocator.wrapForeignAllocation(new ForeignAllocation(segment.byteSize(), segment.address()) {
                @Override
                protected void release0() {
                    array.releaseExport();
                }
            });
        } catch (RuntimeException e) {
            array.releaseExport();
            vector.close();
            throw e;
        }
        try (ArrowBuf validity = allocator.getEmpty()) {
            // nullCount 0: Arrow allocates an all-valid bitmap of its own; the values stay ours.
            vector.loadFieldBuffers(new ArrowFieldNode(array.length(), 0), List.of(validity, data));
        } finally {
            data.getReferenceManager().release(); // the vector holds its own reference now
        }
        return vector;
    }

    /** Copies a fixed-width numeric (or bit) Arrow vector without nulls into a new array of {@code store}. */
    public static SharedArray importCopy(ArrayStore store, String name, FieldVector vector) {
        DType dtype = dtypeOf(vector);
        if (vector.getNullCount() > 0) {
            throw new IllegalArgumentException("vector '" + vector.getName() + "' has " + vector.getNullCount()
                    + " null(s); Tessera arrays have no validity mask");
        }
        int n = vector.getValueCount();
        SharedArray array = store.allocate(name, dtype, n);
        MemorySegment dest = array.segment();
        if (vector instanceof BitVector bits) {
            for (int i = 0; i < n; i++) {
                dest.set(java.lang.foreign.ValueLayout.JAVA_BYTE, i, (byte) bits.get(i));
            }
        } else {
            ArrowBuf src = vector.getDataBuffer();
            MemorySegment from = MemorySegment.ofAddress(src.memoryAddress()).reinterpret((long) n * dtype.itemSize());
            MemorySegment.copy(from, 0, dest, 0, from.byteSize());
        }
        return array;
    }

    static DType dtypeOf(FieldVector v) {
        if (v instanceof TinyIntVector) return DType.INT8;
        if (v instanceof SmallIntVector) return DType.INT16;
        if (v instanceof IntVector) return DType.INT32;
        if (v instanceof BigIntVector) return DType.INT64;
        if (v instanceof UInt1Vector) return DType.UINT8;
        if (v instanceof UInt2Vector) return DType.UINT16;
        if (v instanceof UInt4Vector) return DType.UINT32;
        if (v instanceof UInt8Vector) return DType.UINT64;
        if (v instanceof Float4Vector) return DType.FLOAT32;
        if (v instanceof Float8Vector) return DType.FLOAT64;
        if (v instanceof BitVector) return DType.BOOL;
        throw new IllegalArgumentException("cannot import Arrow vector '" + v.getName() + "' of type " + v.getField().getType()
                + ": only fixed-width integer, floating-point and bit vectors are supported");
    }

    private static BaseFixedWidthVector newVector(DType t, String name, BufferAllocator a) {
        return switch (t) {
            case INT8 -> new TinyIntVector(name, a);
            case INT16 -> new SmallIntVector(name, a);
            case INT32 -> new IntVector(name, a);
            case INT64 -> new BigIntVector(name, a);
            case UINT8 -> new UInt1Vector(name, a);
            case UINT16 -> new UInt2Vector(name, a);
            case UINT32 -> new UInt4Vector(name, a);
            case UINT64 -> new UInt8Vector(name, a);
            case FLOAT32 -> new Float4Vector(name, a);
            case FLOAT64 -> new Float8Vector(name, a);
            case BOOL -> throw new IllegalArgumentException("bool");
        };
    }
}
