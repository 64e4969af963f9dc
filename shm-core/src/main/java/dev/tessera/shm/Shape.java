package dev.tessera.shm;

import java.util.Arrays;

/** Validation and arithmetic for n-d C-order shapes. Pure functions, no state. */
public final class Shape {
    private Shape() {
    }

    /** Checks a shape and returns its element count. At least one axis; no negative extents; no overflow. */
    public static long elementCount(long[] shape) {
        if (shape == null || shape.length == 0) {
            throw new IllegalArgumentException("shape must have at least one axis, got " + Arrays.toString(shape));
        }
        long n = 1;
        for (long extent : shape) {
            if (extent < 0) {
                throw new IllegalArgumentException("negative extent " + extent + " in shape " + Arrays.toString(shape));
            }
            n = Math.multiplyExact(n, extent);
        }
        return n;
    }

    /** Byte strides of a C-order (row-major) array. */
    public static long[] cStrides(long[] shape, int itemSize) {
        long[] strides = new long[shape.length];
        long stride = itemSize;
        for (int axis = shape.length - 1; axis >= 0; axis--) {
            strides[axis] = stride;
            stride *= Math.max(1, shape[axis]);
        }
        return strides;
    }

    public static String format(long[] shape) {
        StringBuilder sb = new StringBuilder("(");
        for (int i = 0; i < shape.length; i++) {
            sb.append(shape[i]);
            if (i < shape.length - 1 || shape.length == 1) {
                sb.append(shape.length == 1 ? "," : ", ");
            }
        }
        return sb.append(')').toString();
    }
}
