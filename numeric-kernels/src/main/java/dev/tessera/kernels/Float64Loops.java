package dev.tessera.kernels;

import java.lang.foreign.MemorySegment;

/** The loops over float64 (see {@link Loops}). Comparisons test the sortable key of the bits ({@link Bounds}). */
final class Float64Loops extends Loops {
    private static double at(MemorySegment s, long i) {
        return s.getAtIndex(F64, i);
    }

    private static long key(MemorySegment s, long i) {
        long b = s.getAtIndex(I64, i);
        return b ^ ((b >> 63) >>> 1);
    }

    @Override
    double sumFloat(MemorySegment s, long n) {
        double p0 = 0, p1 = 0, p2 = 0, p3 = 0, p4 = 0, p5 = 0, p6 = 0, p7 = 0;
        double p8 = 0, p9 = 0, p10 = 0, p11 = 0, p12 = 0, p13 = 0, p14 = 0, p15 = 0;
        long blocks = n & ~15L;
        for (long i = 0; i < blocks; i += 16) {
            p0 += at(s, i);
            p1 += at(s, i + 1);
            p2 += at(s, i + 2);
            p3 += at(s, i + 3);
            p4 += at(s, i + 4);
            p5 += at(s, i + 5);
            p6 += at(s, i + 6);
            p7 += at(s, i + 7);
            p8 += at(s, i + 8);
            p9 += at(s, i + 9);
            p10 += at(s, i + 10);
            p11 += at(s, i + 11);
            p12 += at(s, i + 12);
            p13 += at(s, i + 13);
            p14 += at(s, i + 14);
            p15 += at(s, i + 15);
        }
        double[] p = {p0, p1, p2, p3, p4, p5, p6, p7, p8, p9, p10, p11, p12, p13, p14, p15};
        for (long i = blocks; i < n; i++) {
            p[(int) (i - blocks)] += at(s, i);
        }
        return pairwise(p[0], p[1], p[2], p[3], p[4], p[5], p[6], p[7], p[8], p[9], p[10], p[11], p[12], p[13], p[14], p[15]);
    }

    // min/max stay Math.min/max reductions (vectorized for doubles): the integer-key form Float32Loops uses measured
    // slower here in the shuffled bench (10.7 against 14.8 GB/s for min; 15.0 against 22.2 for max, medians of 2 runs)
    @Override
    double minFloat(MemorySegment s, long n) {
        double m = at(s, 0);
        for (long i = 1; i < n; i++) {
            m = Math.min(m, at(s, i));
        }
        return m;
    }

    @Override
    double maxFloat(MemorySegment s, long n) {
        double m = at(s, 0);
        for (long i = 1; i < n; i++) {
            m = Math.max(m, at(s, i));
        }
        return m;
    }

    @Override
    long count(MemorySegment s, long n, Bounds b) {
        long lo = b.lo();
        long span = b.hi() - lo;
        long count = 0;
        for (long i = 0; i < n; i++) {
            count += inRange64(key(s, i) - lo, span);
        }
        return b.invert() ? n - count : count;
    }

    @Override
    long where(MemorySegment mask, MemorySegment s, long n, Bounds b) {
        long lo = b.lo();
        long span = b.hi() - lo;
        long x = b.flip();
        byte[] block = whereBlock(n);
        long count = 0;
        for (long at = 0; at < n; at += block.length) {
            int m = (int) Math.min(block.length, n - at);
            whereBlock(block, s, at, m, lo, span, x);
            count += emit(mask, at, block, m);
        }
        return count;
    }

    /** One block's 0/1 bytes (keys in 64 bits: C2 vectorizes this loop then, not one on int keys stored as bytes). */
    private static void whereBlock(byte[] block, MemorySegment s, long at, int m, long lo, long span, long x) {
        for (int i = 0; i < m; i++) {
            block[i] = (byte) (inRange64(key(s, at + i) - lo, span) ^ x);
        }
    }

    @Override
    void histogram(MemorySegment s, long n, long[] counts, double lo, double hi, double scale) {
        int bins = counts.length;
        for (long i = 0; i < n; i++) {
            int k = bin(at(s, i), lo, hi, scale, bins);
            if (k >= 0) {
                counts[k]++;
            }
        }
    }

    @Override
    void toFloat64(MemorySegment dst, MemorySegment s, long n) {
        MemorySegment.copy(s, 0, dst, 0, n * 8);
    }

    /** {@code dst[i] = (float) src[i]}. */
    static void toFloat32(MemorySegment dst, MemorySegment s, long n) {
        for (long i = 0; i < n; i++) {
            dst.setAtIndex(F32, i, (float) at(s, i));
        }
    }

    /** {@code dst[i] = start + i * step}. */
    static void arange(MemorySegment s, long n, double start, double step) {
        for (long i = 0; i < n; i++) {
            s.setAtIndex(F64, i, start + i * step);
        }
    }

    @Override
    long groupSumInt32Keys(MemorySegment keys, MemorySegment values, long n, double[] sums) {
        int m = sums.length;
        for (long i = 0; i < n; i++) {
            int k = keys.getAtIndex(I32, i);
            if (Integer.compareUnsigned(k, m) >= 0) {
                return i;
            }
            sums[k] += at(values, i);
        }
        return -1;
    }
}
