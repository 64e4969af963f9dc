package dev.tessera.kernels;

import dev.tessera.shm.DType;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * One element of any dtype, read and written as a long (integers, bool) or a double (floats): what the kernels
 * that are not specialised per dtype use. Native byte order; unaligned-safe (a view cast to bytes may be sliced
 * anywhere).
 */
final class Elements {
    static final ValueLayout.OfShort I16 = ValueLayout.JAVA_SHORT_UNALIGNED;
    static final ValueLayout.OfInt I32 = ValueLayout.JAVA_INT_UNALIGNED;
    static final ValueLayout.OfLong I64 = ValueLayout.JAVA_LONG_UNALIGNED;
    static final ValueLayout.OfFloat F32 = ValueLayout.JAVA_FLOAT_UNALIGNED;
    static final ValueLayout.OfDouble F64 = ValueLayout.JAVA_DOUBLE_UNALIGNED;

    private Elements() {
    }

    static boolean isFloat(DType t) {
        return t == DType.FLOAT32 || t == DType.FLOAT64;
    }

    /** An integer element (bool as 0/1, unsigned widened; uint64 as its bits). */
    static long getLong(MemorySegment s, DType t, long off) {
        return switch (t) {
            case INT8 -> s.get(ValueLayout.JAVA_BYTE, off);
            case UINT8 -> Byte.toUnsignedLong(s.get(ValueLayout.JAVA_BYTE, off));
            case BOOL -> s.get(ValueLayout.JAVA_BYTE, off) != 0 ? 1 : 0;
            case INT16 -> s.get(I16, off);
            case UINT16 -> Short.toUnsignedLong(s.get(I16, off));
            case INT32 -> s.get(I32, off);
            case UINT32 -> Integer.toUnsignedLong(s.get(I32, off));
            case INT64, UINT64 -> s.get(I64, off);
            case FLOAT32 -> (long) s.get(F32, off);
            case FLOAT64 -> (long) s.get(F64, off);
        };
    }

    /** Any element as a double (uint64 above 2^63 as its unsigned value). */
    static double getDouble(MemorySegment s, DType t, long off) {
        return switch (t) {
            case FLOAT32 -> s.get(F32, off);
            case FLOAT64 -> s.get(F64, off);
            case UINT64 -> unsignedToDouble(s.get(I64, off));
            default -> getLong(s, t, off);
        };
    }

    static double unsignedToDouble(long v) {
        return v >= 0 ? v : ((v >>> 1) | (v & 1)) * 2.0;
    }

    /** Stores an integer, wrapping to the dtype's width (as C and numpy's unsafe casts do); bool: nonzero is 1. */
    static void setLong(MemorySegment s, DType t, long off, long v) {
        switch (t) {
            case INT8, UINT8 -> s.set(ValueLayout.JAVA_BYTE, off, (byte) v);
            case BOOL -> s.set(ValueLayout.JAVA_BYTE, off, (byte) (v != 0 ? 1 : 0));
            case INT16, UINT16 -> s.set(I16, off, (short) v);
            case INT32, UINT32 -> s.set(I32, off, (int) v);
            case INT64, UINT64 -> s.set(I64, off, v);
            case FLOAT32 -> s.set(F32, off, (float) v);
            case FLOAT64 -> s.set(F64, off, (double) v);
        }
    }

    /** Stores a double; into an integer dtype it truncates toward zero (NaN as 0, out of range saturating to 64 bits,
     * then wrapping to the dtype's width). Bool: nonzero (and NaN) is 1. */
    static void setDouble(MemorySegment s, DType t, long off, double v) {
        switch (t) {
            case FLOAT32 -> s.set(F32, off, (float) v);
            case FLOAT64 -> s.set(F64, off, v);
            case BOOL -> s.set(ValueLayout.JAVA_BYTE, off, (byte) (v != 0 ? 1 : 0));
            default -> setLong(s, t, off, (long) v);
        }
    }
}
