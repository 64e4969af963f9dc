package dev.tessera.kernels;

import dev.tessera.shm.DType;
import java.lang.foreign.MemorySegment;

/**
 * The loops over int8 and uint8 (see {@link Loops}): each reads {@code key = x - bias} as a signed byte (bias 128 for
 * uint8, i.e. the top bit flipped), so both dtypes run the same instructions on different constants.
 */
final class Int8Loops extends Loops {
    private final int flip;
    private final long bias;

    Int8Loops(DType t) {
        bias = Bounds.bias(t);
        flip = (int) bias;
    }

    private static int key(MemorySegment s, long i, int flip) {
        return (byte) (s.get(I8, i) ^ flip);
    }

    @Override
    long sumInt(MemorySegment s, long n) {
        int f = flip;
        long sum = 0;
        for (long i = 0; i < n; i++) {
            sum += key(s, i, f);
        }
        return sum + bias * n;
    }

    @Override
    long minInt(MemorySegment s, long n) {
        int f = flip;
        int m = Byte.MAX_VALUE;
        for (long i = 0; i < n; i++) {
            m = Math.min(m, key(s, i, f));
        }
        return m + bias;
    }

    @Override
    long maxInt(MemorySegment s, long n) {
        int f = flip;
        int m = Byte.MIN_VALUE;
        for (long i = 0; i < n; i++) {
            m = Math.max(m, key(s, i, f));
        }
        return m + bias;
    }

    @Override
    long count(MemorySegment s, long n, Bounds b) {
        int f = flip;
        int lo = (int) b.lo();
        int span = (int) (b.hi() - b.lo());
        long count = 0;
        for (long i = 0; i < n; i++) {
            count += inRange32(key(s, i, f) - lo, span);
        }
        return b.invert() ? n - count : count;
    }

    @Override
    long where(MemorySegment mask, MemorySegment s, long n, Bounds b) {
        int f = flip;
        int lo = (int) b.lo();
        int span = (int) (b.hi() - b.lo());
        int x = b.flip();
        long count = 0;
        long i = 0;
        for (long words = n & ~7L; i < words; i += 8) {
            count += storeWord(mask, i, pack(inRange32(key(s, i, f) - lo, span) ^ x, inRange32(key(s, i + 1, f) - lo, span) ^ x,
                    inRange32(key(s, i + 2, f) - lo, span) ^ x, inRange32(key(s, i + 3, f) - lo, span) ^ x,
                    inRange32(key(s, i + 4, f) - lo, span) ^ x, inRange32(key(s, i + 5, f) - lo, span) ^ x,
                    inRange32(key(s, i + 6, f) - lo, span) ^ x, inRange32(key(s, i + 7, f) - lo, span) ^ x));
        }
        for (; i < n; i++) {
            int hit = inRange32(key(s, i, f) - lo, span) ^ x;
            mask.set(I8, i, (byte) hit);
            count += hit;
        }
        return count;
    }

    @Override
    void histogram(MemorySegment s, long n, long[] counts, double lo, double hi, double scale) {
        int f = flip;
        int bins = counts.length;
        for (long i = 0; i < n; i++) {
            int k = bin(key(s, i, f) + bias, lo, hi, scale, bins);
            if (k >= 0) {
                counts[k]++;
            }
        }
    }

    @Override
    void toFloat64(MemorySegment dst, MemorySegment s, long n) {
        int f = flip;
        for (long i = 0; i < n; i++) {
            dst.setAtIndex(F64, i, key(s, i, f) + bias);
        }
    }
}
