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

    /**
     * The least byte per lane over eight lanes a word ({@link #leastBytes}), word by word into a block of
     * accumulators (no loop-carried reduction: C2 vectorizes it), the accumulators' bytes compared at the end:
     * 25.6 against 14.5 GB/s for a Math.min reduction over 64-bit keys (plain Java, 2^23 elements, thread CPU).
     */
    @Override
    long minInt(MemorySegment s, long n) {
        long toUnsigned = bias == 0 ? H8 : 0; // lanes compare unsigned: int8 with its top bit flipped
        long words = n >>> 3;
        long least = 0xFF;
        if (words > 0) {
            long[] in = new long[(int) Math.min(words, WHERE_BLOCK / 8)];
            long[] acc = new long[in.length];
            java.util.Arrays.fill(acc, -1L);
            for (long at = 0; at < words; at += in.length) {
                int m = (int) Math.min(in.length, words - at);
                MemorySegment.copy(s, I64, at * 8, in, 0, m);
                leastBytes(acc, in, m, toUnsigned);
            }
            for (long w : acc) {
                for (int k = 0; k < 64; k += 8) {
                    least = Math.min(least, (w >>> k) & 0xFF);
                }
            }
        }
        for (long i = words * 8; i < n; i++) {
            least = Math.min(least, (s.get(I8, i) ^ toUnsigned) & 0xFF);
        }
        return least - (toUnsigned & 0xFF);
    }

    /** The greatest byte per lane, as {@link #minInt} does the least. */
    @Override
    long maxInt(MemorySegment s, long n) {
        long toUnsigned = bias == 0 ? H8 : 0;
        long words = n >>> 3;
        long greatest = 0;
        if (words > 0) {
            long[] in = new long[(int) Math.min(words, WHERE_BLOCK / 8)];
            long[] acc = new long[in.length];
            for (long at = 0; at < words; at += in.length) {
                int m = (int) Math.min(in.length, words - at);
                MemorySegment.copy(s, I64, at * 8, in, 0, m);
                greatestBytes(acc, in, m, toUnsigned);
            }
            for (long w : acc) {
                for (int k = 0; k < 64; k += 8) {
                    greatest = Math.max(greatest, (w >>> k) & 0xFF);
                }
            }
        }
        for (long i = words * 8; i < n; i++) {
            greatest = Math.max(greatest, (s.get(I8, i) ^ toUnsigned) & 0xFF);
        }
        return greatest - (toUnsigned & 0xFF);
    }

    /** acc[k] = per byte the unsigned least of acc[k] and in[k] ^ toUnsigned. */
    private static void leastBytes(long[] acc, long[] in, int m, long toUnsigned) {
        for (int k = 0; k < m; k++) {
            long u = in[k] ^ toUnsigned;
            long a = acc[k];
            long keep = lanes(geBytes(u, a)); // 0xFF where u >= a: a stays
            acc[k] = (a & keep) | (u & ~keep);
        }
    }

    /** acc[k] = per byte the unsigned greatest of acc[k] and in[k] ^ toUnsigned. */
    private static void greatestBytes(long[] acc, long[] in, int m, long toUnsigned) {
        for (int k = 0; k < m; k++) {
            long u = in[k] ^ toUnsigned;
            long a = acc[k];
            long take = lanes(geBytes(u, a)); // 0xFF where u >= a: u replaces it
            acc[k] = (u & take) | (a & ~take);
        }
    }

    /**
     * Eight elements a step: each word's bytes made unsigned keys and compared with both bounds per byte ({@link
     * #geBytes}), the hits' top bits counted: 39 against 10 GB/s for one element a step (plain Java, 2^23 elements,
     * thread CPU).
     */
    @Override
    long count(MemorySegment s, long n, Bounds b) {
        long lo = b.lo();
        long hi = b.hi(); // lo <= hi: Kernels answers an empty range itself
        long words = n >>> 3;
        long count = 0;
        long whole = n & ~7L;
        for (long at = 0; at < whole; at += 16 * WHERE_BLOCK) { // a call per 64 KiB (see Int64Loops#minInt)
            count += countWords(s, at, Math.min(16 * WHERE_BLOCK, whole - at), bias == 0 ? H8 : 0, lo + 128, hi + 128);
        }
        long f = flip;
        long o = offset;
        long span = hi - lo;
        for (long i = words * 8; i < n; i++) {
            count += inRange64(key(s, i, f, o) - lo, span);
        }
        return b.invert() ? n - count : count;
    }

    /**
     * How many lanes of the words in {@code bytes & ~7} bytes from {@code from} lie in [lo, hi] (each bound one lane's value).
     * The bounds are spread over the lanes here: spread by the caller and passed in, C2 compiled this loop scalar
     * (7 against 43 GB/s, plain Java, 2^23 elements; why is not known, the shapes were measured side by side).
     */
    private static long countWords(MemorySegment s, long from, long bytes, long toUnsigned, long lo, long hi) {
        long ulo = lo * ONES8;
        long uhi = hi * ONES8;
        long count = 0;
        long end = from + (bytes & ~7L);
        for (long i = from; i < end; i += 8) {
            long u = s.get(I64, i) ^ toUnsigned;
            count += Long.bitCount(geBytes(u, ulo) & geBytes(uhi, u));
        }
        return count;
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
        long count = 0;
        long words = n >>> 3;
        long[] in = new long[(int) Math.min(words, WHERE_BLOCK / 8)];
        long[] out = new long[in.length];
        for (long at = 0; at < words; at += in.length) { // through heap arrays, where C2 vectorizes the word loop
            int m = (int) Math.min(in.length, words - at);
            MemorySegment.copy(s, I64, at * 8, in, 0, m);
            compareWords(out, in, m, toUnsigned, lo + 128, hi + 128, x); // lo <= hi: see Kernels
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

    /**
     * Eight keys per word: byte k of out[j] is 1 where byte k of in[j] (made unsigned) lies in [lo, hi], xor x. The
     * bounds are spread over the lanes here, not by the caller: passed in spread, C2 compiled such loops scalar (the
     * count loop: 7 against 43 GB/s).
     */
    private static void compareWords(long[] out, long[] in, int m, long toUnsigned, long lo, long hi, long x) {
        long ulo = lo * ONES8;
        long uhi = hi * ONES8;
        long ux = x * ONES8;
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
