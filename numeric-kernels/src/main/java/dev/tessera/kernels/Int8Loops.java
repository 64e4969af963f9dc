package dev.tessera.kernels;

import dev.tessera.shm.DType;
import java.lang.foreign.MemorySegment;

/**
 * The loops over int8 and uint8 (see {@link Loops}): each reads {@code key = x - bias} as a signed byte (bias 128 for
 * uint8, i.e. the top bit flipped), so both dtypes run the same instructions on different constants.
 */
final class Int8Loops extends Loops {
    private final long flip; // the loops' key is (x & flip) - offset: x itself (signed), or x - bias read unsigned
    private final long offset;
    // (in 64-bit arithmetic: C2 vectorizes these loops then, not with int keys of a narrow load)
    private final long bias;

    Int8Loops(DType t) {
        bias = Bounds.bias(t);
        flip = bias == 0 ? -1 : (1 << 8) - 1;
        offset = bias;
    }

    private static long key(MemorySegment s, long i, long mask, long offset) {
        return (s.get(I8, i) & mask) - offset;
    }

    @Override
    long sumInt(MemorySegment s, long n) {
        long f = flip;
        long o = offset;
        long sum = 0;
        for (long i = 0; i < n; i++) {
            sum += key(s, i, f, o);
        }
        return sum + bias * n;
    }

    @Override
    long minInt(MemorySegment s, long n) {
        long f = flip;
        long o = offset;
        long m = Byte.MAX_VALUE;
        for (long i = 0; i < n; i++) {
            m = Math.min(m, key(s, i, f, o));
        }
        return m + bias;
    }

    @Override
    long maxInt(MemorySegment s, long n) {
        long f = flip;
        long o = offset;
        long m = Byte.MIN_VALUE;
        for (long i = 0; i < n; i++) {
            m = Math.max(m, key(s, i, f, o));
        }
        return m + bias;
    }

    @Override
    long count(MemorySegment s, long n, Bounds b) {
        long f = flip;
        long o = offset;
        long lo = b.lo();
        long span = b.hi() - lo;
        long count = 0;
        for (long i = 0; i < n; i++) {
            count += inRange64(key(s, i, f, o) - lo, span);
        }
        return b.invert() ? n - count : count;
    }

    /**
     * Eight elements a step in one 64-bit word: each byte made an unsigned key ({@code x ^ 0x80} for int8, x for
     * uint8), compared with both bounds per byte without carries between bytes ({@link #geBytes}), eight 0/1 bytes
     * stored at once: C2 does not vectorize a byte loop that stores a computed byte mask (1.2 GB/s). The words go
     * through heap arrays (bulk copies in and out), where C2 vectorizes the word loop: 12-14 GB/s against 4.6-4.8
     * for the same loop between the two native segments (uint8, 2^22 elements, thread CPU).
     */
    @Override
    long where(MemorySegment mask, MemorySegment s, long n, Bounds b) {
        long f = flip;
        long o = offset;
        long lo = b.lo();
        long hi = b.hi();
        long x = b.flip();
        long toUnsigned = bias == 0 ? H8 : 0;
        long ulo = lo > hi ? -1 : (lo + 128) * ONES8; // an empty range: every byte's compare fails (ulo > uhi)
        long uhi = lo > hi ? 0 : (hi + 128) * ONES8;
        long ux = x * ONES8;
        long count = 0;
        long words = n >>> 3;
        long[] in = new long[(int) Math.min(words, WHERE_BLOCK / 8)];
        long[] out = new long[in.length];
        for (long at = 0; at < words; at += in.length) { // through heap arrays, where C2 vectorizes the word loop
            int m = (int) Math.min(in.length, words - at);
            MemorySegment.copy(s, I64, at * 8, in, 0, m);
            compareWords(out, in, m, toUnsigned, ulo, uhi, ux);
            MemorySegment.copy(out, 0, mask, I64, at * 8, m);
            count += bitCounts(out, m);
        }
        long i = words * 8;
        long span = hi - lo;
        for (; i < n; i++) {
            long hit = inRange64(key(s, i, f, o) - lo, span) ^ x;
            mask.set(I8, i, (byte) hit);
            count += hit;
        }
        return count;
    }

    /** Eight keys per word: byte k of out[j] is 1 where byte k of in[j] (made unsigned) lies in [ulo, uhi], xor ux. */
    private static void compareWords(long[] out, long[] in, int m, long toUnsigned, long ulo, long uhi, long ux) {
        for (int k = 0; k < m; k++) {
            long u = in[k] ^ toUnsigned;
            out[k] = ((geBytes(u, ulo) & geBytes(uhi, u)) >>> 7) ^ ux;
        }
    }

    @Override
    void histogram(MemorySegment s, long n, long[] counts, double lo, double hi, double scale) {
        long f = flip;
        long o = offset;
        int bins = counts.length;
        for (long i = 0; i < n; i++) {
            int k = bin(key(s, i, f, o) + bias, lo, hi, scale, bins);
            if (k >= 0) {
                counts[k]++;
            }
        }
    }

    @Override
    void toFloat64(MemorySegment dst, MemorySegment s, long n) {
        long f = flip;
        long o = offset;
        for (long i = 0; i < n; i++) {
            dst.setAtIndex(F64, i, key(s, i, f, o) + bias);
        }
    }

    @Override
    long bincount(MemorySegment s, long n, long[] counts) {
        long f = flip; // the element's value is its bits under this mask (sign-extended for signed dtypes)
        long m = counts.length;
        for (long i = 0; i < n; i++) {
            long x = s.get(I8, i) & f;
            if (Long.compareUnsigned(x, m) >= 0) {
                return i;
            }
            counts[(int) x]++;
        }
        return -1;
    }

    @Override
    long groupSumInt32Keys(MemorySegment keys, MemorySegment values, long n, double[] sums) {
        long f = flip;
        int m = sums.length;
        for (long i = 0; i < n; i++) {
            int k = keys.getAtIndex(I32, i);
            if (Integer.compareUnsigned(k, m) >= 0) {
                return i;
            }
            sums[k] += (double) (values.get(I8, i) & f);
        }
        return -1;
    }
}
