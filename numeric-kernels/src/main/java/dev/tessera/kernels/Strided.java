package dev.tessera.kernels;

import dev.tessera.shm.ArrayView;
import dev.tessera.shm.DType;
import dev.tessera.shm.SharedArray;
import java.lang.foreign.MemorySegment;

/**
 * A run of {@code count} elements of one dtype in a memory segment: element {@code i} starts at byte
 * {@code start + i * stride} (a negative stride walks backwards, as {@code mv[::-1]} does). Checked once, when made:
 * every element lies inside the segment; the kernels then need no check per element (FFM still guards each access,
 * and the JIT lifts those guards out of the loops).
 */
public record Strided(MemorySegment segment, DType dtype, long start, long count, long stride) {

    public Strided {
        if (count < 0) {
            throw new IllegalArgumentException("negative element count " + count);
        }
        if (count > 0) {
            long first = start;
            long last = start + (count - 1) * stride;
            long lo = Math.min(first, last);
            long hi = Math.max(first, last) + dtype.itemSize();
            if (lo < 0 || hi > segment.byteSize()) {
                throw new IndexOutOfBoundsException(count + " elements of " + dtype.typeName() + " from byte " + start + " with stride "
                        + stride + " do not fit in " + segment.byteSize() + " bytes");
            }
        }
    }

    /** Every element of a contiguous segment. */
    public static Strided of(MemorySegment segment, DType dtype) {
        if (segment.byteSize() % dtype.itemSize() != 0) {
            throw new IllegalArgumentException(segment.byteSize() + " bytes are not a whole number of " + dtype.typeName() + " elements");
        }
        return new Strided(segment, dtype, 0, segment.byteSize() / dtype.itemSize(), dtype.itemSize());
    }

    /** The elements of a view (its rows, flattened in C order). Fails if the view was released. */
    public static Strided of(ArrayView view) {
        return of(view.segment(), view.dtype());
    }

    /** The elements of an array, flattened in C order. Fails if the array was closed. */
    public static Strided of(SharedArray array) {
        return of(array.segment(), array.dtype());
    }

    public boolean isContiguous() {
        return stride == dtype.itemSize();
    }

    public boolean isWritable() {
        return !segment.isReadOnly();
    }

    /** Byte offset of element {@code i}. */
    public long offset(long i) {
        return start + i * stride;
    }

    /** The contiguous bytes of this run (only when {@link #isContiguous()}). */
    MemorySegment bytes() {
        return segment.asSlice(start, count * dtype.itemSize());
    }

    void requireWritable(String what) {
        if (segment.isReadOnly()) {
            throw new ReadOnlyException(what + ": the destination is read-only memory");
        }
    }

    /** A write into read-only memory: Python sees TypeError("cannot modify read-only memory"). */
    public static final class ReadOnlyException extends UnsupportedOperationException {
        public ReadOnlyException(String message) {
            super(message);
        }
    }
}
