package dev.tessera.formats;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;

/** HDF5's Fletcher-32 (H5_checksum_fletcher32): sums of big-endian 16-bit words, folded every 360 words. */
final class Fletcher32 {
    private static final ValueLayout.OfShort BE_SHORT = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.BIG_ENDIAN);

    private Fletcher32() {
    }

    static int of(MemorySegment data) {
        long len = data.byteSize() / 2;
        long sum1 = 0;
        long sum2 = 0;
        long at = 0;
        while (len > 0) {
            long t = Math.min(len, 360);
            len -= t;
            for (long i = 0; i < t; i++) {
                sum1 += data.get(BE_SHORT, at) & 0xFFFF;
                at += 2;
                sum2 += sum1;
            }
            sum1 = (sum1 & 0xFFFF) + (sum1 >>> 16);
            sum2 = (sum2 & 0xFFFF) + (sum2 >>> 16);
        }
        if (data.byteSize() % 2 != 0) {
            sum1 += (data.get(ValueLayout.JAVA_BYTE, at) & 0xFF) << 8;
            sum2 += sum1;
            sum1 = (sum1 & 0xFFFF) + (sum1 >>> 16);
            sum2 = (sum2 & 0xFFFF) + (sum2 >>> 16);
        }
        sum1 = (sum1 & 0xFFFF) + (sum1 >>> 16);
        sum2 = (sum2 & 0xFFFF) + (sum2 >>> 16);
        return (int) ((sum2 << 16) | sum1);
    }
}
