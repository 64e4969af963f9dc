package dev.tessera.kernels;

import java.lang.foreign.MemorySegment;

/** The loops over bool (see {@link Loops}): any nonzero byte reads as 1. */
final class BoolLoops extends Loops {
    private static int key(MemorySegment s, long i) {
        return s.get(I8, i) != 0 ? 1 : 0;
    }

    @Override
    long sumInt(MemorySegment s, long n) {
        long sum = 0;
        for (long i = 0; i < n; i++) {
            sum += key(s, i);
        }
        return sum;
    }

    /**
     * 1 when every byte is nonzero. Block by block (a call per {@link #WHERE_BLOCK} bytes), each word's bytes made
     * 0x80-or-more where nonzero and ANDed together (vectorized); the first block holding a zero byte answers, as
     * numpy stops at the first False.
     */
    @Override
    long minInt(MemorySegment s, long n) {
        long words = n & ~7L;
        for (long at = 0; at < words; at += WHERE_BLOCK) {
            if ((allNonzero(s, at, Math.min(at + WHERE_BLOCK, words)) & H8) != H8) {
                return 0;
            }
        }
        int m = 1;
        for (long i = words; i < n; i++) {
            m &= key(s, i);
        }
        return m;
    }

    /** 1 when any byte is nonzero: block by block, the words ORed together; the first block with a true byte answers. */
    @Override
    long maxInt(MemorySegment s, long n) {
        long words = n & ~7L;
        for (long at = 0; at < words; at += WHERE_BLOCK) {
            if (anyBits(s, at, Math.min(at + WHERE_BLOCK, words)) != 0) {
                return 1;
            }
        }
        int m = 0;
        for (long i = words; i < n; i++) {
            m |= key(s, i);
        }
        return m;
    }

    /** The AND of the words in [from, end), each byte made 0x80-or-more where nonzero. */
    private static long allNonzero(MemorySegment s, long from, long end) {
        long all = -1;
        for (long i = from; i < end; i += 8) {
            long w = s.get(I64, i);
            all &= ((w & L8) + L8) | w;
        }
        return all;
    }

    /** The OR of the words in [from, end). */
    private static long anyBits(MemorySegment s, long from, long end) {
        long any = 0;
        for (long i = from; i < end; i += 8) {
            any |= s.get(I64, i);
        }
        return any;
    }

    /**
     * The keys are 0 and 1, so the answer is how many are true, false, or both: the nonzero bytes counted eight a
     * step (each made 0x80 or more where nonzero, its top bit counted) instead of a comparison per element.
     */
    @Override
    long count(MemorySegment s, long n, Bounds b) {
        long ones = trueBytes(s, n);
        long count = (b.lo() <= 1 && 1 <= b.hi() ? ones : 0) + (b.lo() <= 0 && 0 <= b.hi() ? n - ones : 0);
        return b.invert() ? n - count : count;
    }

    /** How many bytes in [from, end) (whole words) are nonzero. */
    private static long trueWords(MemorySegment s, long from, long end) {
        long ones = 0;
        for (long i = from; i < end; i += 8) {
            long w = s.get(I64, i);
            ones += Long.bitCount((((w & L8) + L8) | w) & H8);
        }
        return ones;
    }

    /** How many bytes are nonzero. */
    private static long trueBytes(MemorySegment s, long n) {
        long ones = 0;
        long whole = n & ~7L;
        for (long at = 0; at < whole; at += 16 * WHERE_BLOCK) { // a call per 64 KiB (see Int64Loops#minInt)
            ones += trueWords(s, at, at + Math.min(16 * WHERE_BLOCK, whole - at));
        }
        for (long i = whole; i < n; i++) {
            ones += key(s, i);
        }
        return ones;
    }

    /** Eight elements a step: each byte's key (nonzero: 1) compared with both bounds per byte ({@link #geBytes}). */
    @Override
    long where(MemorySegment mask, MemorySegment s, long n, Bounds b) {
        long lo = b.lo();
        long hi = b.hi();
        long x = b.flip();
        long count = 0;
        long words = n >>> 3;
        long[] in = new long[(int) Math.min(words, WHERE_BLOCK / 8)];
        long[] out = new long[in.length];
        for (long at = 0; at < words; at += in.length) { // through heap arrays, as Int8Loops.where does
            int m = (int) Math.min(in.length, words - at);
            MemorySegment.copy(s, I64, at * 8, in, 0, m);
            compareWords(out, in, m, lo, hi, x); // lo <= hi: see Kernels
            MemorySegment.copy(out, 0, mask, I64, at * 8, m);
            count += bitCounts(out, m);
        }
        long i = words * 8;
        int ilo = (int) lo;
        int span = (int) (hi - lo);
        for (; i < n; i++) {
            int hit = inRange32(key(s, i) - ilo, span) ^ (int) x;
            mask.set(I8, i, (byte) hit);
            count += hit;
        }
        return count;
    }

    /** Eight keys per word: byte k of out[j] is 1 where byte k of in[j] (nonzero: 1) lies in [lo, hi], xor x. */
    private static void compareWords(long[] out, long[] in, int m, long lo, long hi, long x) {
        long ulo = lo * ONES8; // spread here (see Int8Loops.compareWords)
        long uhi = hi * ONES8;
        long ux = x * ONES8;
        for (int k = 0; k < m; k++) {
            long w = in[k];
            long key = ((((w & L8) + L8) | w) & H8) >>> 7; // 1 in each nonzero byte
            out[k] = ((geBytes(key, ulo) & geBytes(uhi, key)) >>> 7) ^ ux;
        }
    }

    @Override
    void histogram(MemorySegment s, long n, long[] counts, double lo, double hi, double scale) {
        int bins = counts.length;
        int k0 = bin(0, lo, hi, scale, bins);
        int k1 = bin(1, lo, hi, scale, bins);
        long ones = sumInt(s, n);
        if (k0 >= 0) {
            counts[k0] += n - ones;
        }
        if (k1 >= 0) {
            counts[k1] += ones;
        }
    }

    @Override
    void toFloat64(MemorySegment dst, MemorySegment s, long n) {
        for (long i = 0; i < n; i++) {
            dst.setAtIndex(F64, i, key(s, i));
        }
    }

    @Override
    long bincount(MemorySegment s, long n, long[] counts) {
        long m = counts.length;
        for (long i = 0; i < n; i++) {
            long x = key(s, i);
            if (Long.compareUnsigned(x, m) >= 0) {
                return i;
            }
            counts[(int) x]++;
        }
        return -1;
    }

    @Override
    long groupSumInt32Keys(MemorySegment keys, MemorySegment values, long n, double[] sums) {
        int m = sums.length;
        for (long i = 0; i < n; i++) {
            int k = keys.getAtIndex(I32, i);
            if (Integer.compareUnsigned(k, m) >= 0) {
                return i;
            }
            sums[k] += key(values, i);
        }
        return -1;
    }
}
