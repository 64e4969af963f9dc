package dev.tessera.kernels;

import dev.tessera.shm.DType;
import java.lang.foreign.MemorySegment;

/**
 * The loops over int16 and uint16 (see {@link Loops}): each reads {@code key = x - bias} as a signed short (bias 32768 for
 * uint16, i.e. the top bit flipped), so both dtypes run the same instructions on different constants.
 */
final class Int16Loops extends Loops {
    private final long flip; // the loops' key is (x & flip) - offset: x itself (signed), or x - bias read unsigned
    private final long offset;
    // (in 64-bit arithmetic: C2 vectorizes these loops then, not with int keys of a narrow load)
    private final long bias;

    Int16Loops(DType t) {
        bias = Bounds.bias(t);
        flip = bias == 0 ? -1 : (1 << 16) - 1;
        offset = bias;
    }

    private static long key(MemorySegment s, long i, long mask, long offset) {
        return (s.getAtIndex(I16, i) & mask) - offset;
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

    /** Block by block, a call per block (see {@link Int64Loops#minInt}). */
    @Override
    long minInt(MemorySegment s, long n) {
        long f = flip;
        long o = offset;
        long m = Short.MAX_VALUE;
        for (long at = 0; at < n; at += WHERE_BLOCK) {
            m = leastKey(s, at, (int) Math.min(WHERE_BLOCK, n - at), f, o, m);
        }
        return m + bias;
    }

    @Override
    long maxInt(MemorySegment s, long n) {
        long f = flip;
        long o = offset;
        long m = Short.MIN_VALUE;
        for (long at = 0; at < n; at += WHERE_BLOCK) {
            m = greatestKey(s, at, (int) Math.min(WHERE_BLOCK, n - at), f, o, m);
        }
        return m + bias;
    }

    private static long leastKey(MemorySegment s, long at, int count, long f, long o, long m) {
        for (int i = 0; i < count; i++) {
            m = Math.min(m, key(s, at + i, f, o));
        }
        return m;
    }

    private static long greatestKey(MemorySegment s, long at, int count, long f, long o, long m) {
        for (int i = 0; i < count; i++) {
            m = Math.max(m, key(s, at + i, f, o));
        }
        return m;
    }

    /** Four elements a step, as {@link Int8Loops#count} does eight: unsigned lane keys against both bounds. */
    @Override
    long count(MemorySegment s, long n, Bounds b) {
        long lo = b.lo();
        long hi = b.hi(); // lo <= hi: Kernels answers an empty range itself
        long words = n >>> 2;
        long count = 0;
        long whole = (n * 2) & ~7L;
        for (long at = 0; at < whole; at += 16 * WHERE_BLOCK) { // a call per 64 KiB (see Int64Loops#minInt)
            count += countWords(s, at, Math.min(16 * WHERE_BLOCK, whole - at), bias == 0 ? H16 : 0, lo + 32768, hi + 32768);
        }
        long f = flip;
        long o = offset;
        long span = hi - lo;
        for (long i = words * 4; i < n; i++) {
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
        long ulo = lo * 0x0001000100010001L;
        long uhi = hi * 0x0001000100010001L;
        long count = 0;
        long end = from + (bytes & ~7L);
        for (long i = from; i < end; i += 8) {
            long u = s.get(I64, i) ^ toUnsigned;
            count += Long.bitCount(geShorts(u, ulo) & geShorts(uhi, u));
        }
        return count;
    }

    /**
     * Four elements a step in one 64-bit word, as {@link Int8Loops#where} does eight: unsigned 16-bit keys
     * ({@code x ^ 0x8000} for int16, x for uint16) compared per lane ({@link #geShorts}), the four results packed
     * into four bytes and stored at once.
     */
    @Override
    long where(MemorySegment mask, MemorySegment s, long n, Bounds b) {
        long f = flip;
        long o = offset;
        long lo = b.lo();
        long hi = b.hi();
        long x = b.flip();
        long toUnsigned = bias == 0 ? H16 : 0;
        long count = 0;
        long words = n >>> 2;
        long[] in = new long[(int) Math.min(words, WHERE_BLOCK / 4)];
        int[] out = new int[in.length];
        for (long at = 0; at < words; at += in.length) { // through heap arrays, as Int8Loops.where does
            int m = (int) Math.min(in.length, words - at);
            MemorySegment.copy(s, I64, at * 8, in, 0, m);
            compareWords(out, in, m, toUnsigned, lo + 32768, hi + 32768, x); // lo <= hi: see Kernels
            MemorySegment.copy(out, 0, mask, I32, at * 4, m);
            for (int k = 0; k < m; k++) {
                count += Integer.bitCount(out[k]);
            }
        }
        long i = words * 4;
        long span = hi - lo;
        for (; i < n; i++) {
            long hit = inRange64(key(s, i, f, o) - lo, span) ^ x;
            mask.set(I8, i, (byte) hit);
            count += hit;
        }
        return count;
    }

    /** Four keys per word: byte k of out[j] is 1 where lane k of in[j] (made unsigned) lies in [lo, hi], xor x. */
    private static void compareWords(int[] out, long[] in, int m, long toUnsigned, long lo, long hi, long x) {
        long ulo = lo * 0x0001000100010001L; // spread here (see Int8Loops.compareWords)
        long uhi = hi * 0x0001000100010001L;
        int ux = (int) (x * 0x01010101L);
        for (int k = 0; k < m; k++) {
            long u = in[k] ^ toUnsigned;
            long r = (geShorts(u, ulo) & geShorts(uhi, u)) >>> 15; // lane k's answer in bit 16k
            r = (r | (r >>> 8)) & 0x0000FFFF0000FFFFL;              // bits 0, 8, 32, 40
            out[k] = (int) (r | (r >>> 16)) ^ ux;                   // bits 0, 8, 16, 24: byte k is element 4j + k
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
            long x = s.getAtIndex(I16, i) & f;
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
            sums[k] += (double) (values.getAtIndex(I16, i) & f);
        }
        return -1;
    }
}
