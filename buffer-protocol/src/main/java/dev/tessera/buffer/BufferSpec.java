package dev.tessera.buffer;

import dev.tessera.shm.ArrayView;
import dev.tessera.shm.SharedArray;
import java.util.Arrays;

/**
 * The PEP 3118 description of a region of host memory: struct format, item size, shape, byte strides, byte
 * offset into its array, and whether it may be written.
 */
public record BufferSpec(String format, int itemSize, long[] shape, long[] strides, long offset, boolean readonly) {

    /** GraalPy 25.0.3 measures a buffer in an {@code int}: one memoryview covers at most this many bytes. */
    public static final long MAX_BUFFER_BYTES = Integer.MAX_VALUE;

    public BufferSpec {
        shape = shape.clone();
        strides = strides.clone();
    }

    public static BufferSpec of(ArrayView view) {
        return new BufferSpec(view.dtype().formatString(), view.dtype().itemSize(), view.shape(), view.strides(),
                view.byteOffset(), !view.isWritable());
    }

    public static BufferSpec of(SharedArray array) {
        return new BufferSpec(array.dtype().formatString(), array.dtype().itemSize(), array.shape(), array.strides(), 0,
                array.isReadOnly());
    }

    public int ndim() {
        return shape.length;
    }

    public long nbytes() {
        long n = itemSize;
        for (long extent : shape) {
            n *= extent;
        }
        return n;
    }

    /** Throws unless one GraalPy memoryview can cover this region. */
    public void checkFitsOneMemoryview(String what) {
        if (nbytes() > MAX_BUFFER_BYTES) {
            throw new IllegalArgumentException(what + " spans " + nbytes() + " bytes, more than the " + MAX_BUFFER_BYTES
                    + " bytes (2 GiB - 1) one memoryview can cover in GraalPy 25.0.3: take views of fewer rows");
        }
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof BufferSpec b && format.equals(b.format) && itemSize == b.itemSize && Arrays.equals(shape, b.shape)
                && Arrays.equals(strides, b.strides) && offset == b.offset && readonly == b.readonly;
    }

    @Override
    public int hashCode() {
        return format.hashCode() * 31 + Arrays.hashCode(shape);
    }

    @Override
    public String toString() {
        return "BufferSpec[format=" + format + ", itemsize=" + itemSize + ", shape=" + Arrays.toString(shape) + ", strides="
                + Arrays.toString(strides) + ", offset=" + offset + ", readonly=" + readonly + "]";
    }
}
