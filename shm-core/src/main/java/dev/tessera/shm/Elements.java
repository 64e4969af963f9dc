package dev.tessera.shm;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/** Typed element access by flat index, shared by arrays and views. Native byte order, unaligned-safe. */
public final class Elements {
    private Elements() {
    }

    public static Number get(MemorySegment s, DType t, long i) {
        return switch (t) {
            case INT8 -> s.get(ValueLayout.JAVA_BYTE, i);
            case UINT8 -> Byte.toUnsignedInt(s.get(ValueLayout.JAVA_BYTE, i));
            case BOOL -> s.get(ValueLayout.JAVA_BYTE, i) != 0 ? 1 : 0;
            case INT16 -> s.getAtIndex(ValueLayout.JAVA_SHORT_UNALIGNED, i);
            case UINT16 -> Short.toUnsignedInt(s.getAtIndex(ValueLayout.JAVA_SHORT_UNALIGNED, i));
            case INT32 -> s.getAtIndex(ValueLayout.JAVA_INT_UNALIGNED, i);
            case UINT32 -> Integer.toUnsignedLong(s.getAtIndex(ValueLayout.JAVA_INT_UNALIGNED, i));
            case INT64, UINT64 -> s.getAtIndex(ValueLayout.JAVA_LONG_UNALIGNED, i);
            case FLOAT32 -> s.getAtIndex(ValueLayout.JAVA_FLOAT_UNALIGNED, i);
            case FLOAT64 -> s.getAtIndex(ValueLayout.JAVA_DOUBLE_UNALIGNED, i);
        };
    }

    public static void set(MemorySegment s, DType t, long i, Number v) {
        switch (t) {
            case INT8, UINT8 -> s.set(ValueLayout.JAVA_BYTE, i, v.byteValue());
            case BOOL -> s.set(ValueLayout.JAVA_BYTE, i, (byte) (v.longValue() != 0 ? 1 : 0));
            case INT16, UINT16 -> s.setAtIndex(ValueLayout.JAVA_SHORT_UNALIGNED, i, v.shortValue());
            case INT32, UINT32 -> s.setAtIndex(ValueLayout.JAVA_INT_UNALIGNED, i, v.intValue());
            case INT64, UINT64 -> s.setAtIndex(ValueLayout.JAVA_LONG_UNALIGNED, i, v.longValue());
            case FLOAT32 -> s.setAtIndex(ValueLayout.JAVA_FLOAT_UNALIGNED, i, v.floatValue());
            case FLOAT64 -> s.setAtIndex(ValueLayout.JAVA_DOUBLE_UNALIGNED, i, v.doubleValue());
        }
    }
}
