package dev.tessera.buffer.graalpy;

import java.nio.ByteOrder;
import java.lang.foreign.ValueLayout;

/**
 * The memory layouts {@link ViewBuffer} reads and writes with: unaligned (a memoryview may be cast and sliced to any
 * offset), in native order, which every Python format without a prefix uses, or swapped, for {@code '<'} and
 * {@code '>'} views. Static finals, so that compiled code folds them.
 */
final class BufferLayouts {
    static final ByteOrder NATIVE = ByteOrder.nativeOrder();
    static final ValueLayout.OfShort I16 = ValueLayout.JAVA_SHORT_UNALIGNED;
    static final ValueLayout.OfShort I16_SWAPPED = I16.withOrder(swapped());
    static final ValueLayout.OfInt I32 = ValueLayout.JAVA_INT_UNALIGNED;
    static final ValueLayout.OfInt I32_SWAPPED = I32.withOrder(swapped());
    static final ValueLayout.OfLong I64 = ValueLayout.JAVA_LONG_UNALIGNED;
    static final ValueLayout.OfLong I64_SWAPPED = I64.withOrder(swapped());
    static final ValueLayout.OfFloat F32 = ValueLayout.JAVA_FLOAT_UNALIGNED;
    static final ValueLayout.OfFloat F32_SWAPPED = F32.withOrder(swapped());
    static final ValueLayout.OfDouble F64 = ValueLayout.JAVA_DOUBLE_UNALIGNED;
    static final ValueLayout.OfDouble F64_SWAPPED = F64.withOrder(swapped());

    private BufferLayouts() {
    }

    private static ByteOrder swapped() {
        return NATIVE == ByteOrder.LITTLE_ENDIAN ? ByteOrder.BIG_ENDIAN : ByteOrder.LITTLE_ENDIAN;
    }
}
