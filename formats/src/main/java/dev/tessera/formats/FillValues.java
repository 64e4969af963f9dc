package dev.tessera.formats;

import dev.tessera.shm.DType;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/** A fill value as the bytes of one element, native byte order. */
final class FillValues {
    private FillValues() {
    }

    static byte[] bytes(Number v, DType dtype) {
        ByteBuffer b = ByteBuffer.allocate(dtype.itemSize()).order(ByteOrder.nativeOrder());
        if (v == null) {
            return b.array();
        }
        switch (dtype) {
            case FLOAT64 -> b.putDouble(v.doubleValue());
            case FLOAT32 -> b.putFloat(v.floatValue());
            case INT64, UINT64 -> b.putLong(v instanceof java.math.BigInteger big ? big.longValue() : v instanceof Double || v instanceof Float
                    ? (long) v.doubleValue() : v.longValue());
            case INT32, UINT32 -> b.putInt((int) v.longValue());
            case INT16, UINT16 -> b.putShort((short) v.longValue());
            default -> b.put((byte) v.longValue());
        }
        return b.array();
    }
}
