package dev.tessera.kernels;

import dev.tessera.shm.DType;
import java.lang.foreign.MemorySegment;

/**
 * The loops over int32 and uint32 (see {@link Loops}): each reads {@code key = x - bias} as a signed int (bias 2^31 for
 * uint32, i.e. the top bit flipped), so both dtypes run the same instructions on different constants.
 */
final class Int32Loops extends Loops {
    private final int flip;
    private final long bias;

    Int32Loops(DType t) {
        bias = Bounds.bias(t);
        flip = (int) bias;
    }

    private static int key(MemorySegment s, long i, int flip) {
        return s.getAtIndex(I32, i) ^ flip;
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
    double sumFloat(MemorySegment s, long n) {
        int f = flip;
        double b = bias;
        double p0 = 0, p1 = 0, p2 = 0, p3 = 0, p4 = 0, p5 = 0, p6 = 0, p7 = 0;
        double p8 = 0, p9 = 0, p10 = 0, p11 = 0, p12 = 0, p13 = 0, p14 = 0, p15 = 0;
        long blocks = n & ~15L;
        for (long i = 0; i < blocks; i += 16) {
            p0 += key(s, i, f) + b;
            p1 += key(s, i + 1, f) + b;
            p2 += key(s, i + 2, f) + b;
            p3 += key(s, i + 3, f) + b;
            p4 += key(s, i + 4, f) + b;
            p5 += key(s, i + 5, f) + b;
            p6 += key(s, i + 6, f) + b;
            p7 += key(s, i + 7, f) + b;
            p8 += key(s, i + 8, f) + b;
            p9 += key(s, i + 9, f) + b;
            p10 += key(s, i + 10, f) + b;
            p11 += key(s, i + 11, f) + b;
            p12 += key(s, i + 12, f) + b;
            p13 += key(s, i + 13, f) + b;
            p14 += key(s, i + 14, f) + b;
            p15 += key(s, i + 15, f) + b;
        }
        double[] p = {p0, p1, p2, p3, p4, p5, p6, p7, p8, p9, p10, p11, p12, p13, p14, p15};
        for (long i = blocks; i < n; i++) {
            p[(int) (i - blocks)] += key(s, i, f) + b;
        }
        return pairwise(p[0], p[1], p[2], p[3], p[4], p[5], p[6], p[7], p[8], p[9], p[10], p[11], p[12], p[13], p[14], p[15]);
    }

    /** Block by block, a call per block (see {@link Int64Loops#minInt}). */
    @Override
    long minInt(MemorySegment s, long n) {
        int f = flip;
        int m = Integer.MAX_VALUE;
        for (long at = 0; at < n; at += WHERE_BLOCK) {
            m = leastKey(s, at, (int) Math.min(WHERE_BLOCK, n - at), f, m);
        }
        return m + bias;
    }

    @Override
    long maxInt(MemorySegment s, long n) {
        int f = flip;
        int m = Integer.MIN_VALUE;
        for (long at = 0; at < n; at += WHERE_BLOCK) {
            m = greatestKey(s, at, (int) Math.min(WHERE_BLOCK, n - at), f, m);
        }
        return m + bias;
    }

    private static int leastKey(MemorySegment s, long at, int count, int f, int m) {
        for (int i = 0; i < count; i++) {
            m = Math.min(m, key(s, at + i, f));
        }
        return m;
    }

    private static int greatestKey(MemorySegment s, long at, int count, int f, int m) {
        for (int i = 0; i < count; i++) {
            m = Math.max(m, key(s, at + i, f));
        }
        return m;
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
        long lo = b.lo();
        long span = b.hi() - lo;
        long x = b.flip();
        byte[] block = whereBlock(n);
        long count = 0;
        for (long at = 0; at < n; at += block.length) {
            int m = (int) Math.min(block.length, n - at);
            whereBlock(block, s, at, m, f, lo, span, x);
            count += emit(mask, at, block, m);
        }
        return count;
    }

    /** One block's 0/1 bytes (keys in 64 bits: C2 vectorizes this loop then, not one on int keys stored as bytes). */
    private static void whereBlock(byte[] block, MemorySegment s, long at, int m, int f, long lo, long span, long x) {
        for (int i = 0; i < m; i++) {
            block[i] = (byte) (inRange64((long) key(s, at + i, f) - lo, span) ^ x);
        }
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

    @Override
    long bincount(MemorySegment s, long n, long[] counts) {
        int f = flip;
        long b = bias;
        long m = counts.length;
        for (long i = 0; i < n; i++) {
            long x = (s.getAtIndex(I32, i) ^ f) + b;
            if (Long.compareUnsigned(x, m) >= 0) {
                return i;
            }
            counts[(int) x]++;
        }
        return -1;
    }

    @Override
    long groupSumInt32Keys(MemorySegment keys, MemorySegment values, long n, double[] sums) {
        int f = flip;
        long b = bias;
        int m = sums.length;
        for (long i = 0; i < n; i++) {
            int k = keys.getAtIndex(I32, i);
            if (Integer.compareUnsigned(k, m) >= 0) {
                return i;
            }
            sums[k] += (double) ((values.getAtIndex(I32, i) ^ f) + b);
        }
        return -1;
    }
}
