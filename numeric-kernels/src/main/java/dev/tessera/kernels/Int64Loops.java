package dev.tessera.kernels;

import dev.tessera.shm.DType;
import java.lang.foreign.MemorySegment;

/**
 * The loops over int64 and uint64 (see {@link Loops}): keys are the bits with the top bit flipped for uint64, so
 * that signed comparisons of keys order unsigned values.
 */
final class Int64Loops extends Loops {
    private final long flip;
    private final boolean unsigned;

    Int64Loops(DType t) {
        flip = Bounds.bias(t);
        unsigned = t == DType.UINT64;
    }

    private static long at(MemorySegment s, long i) {
        return s.getAtIndex(I64, i);
    }

    @Override
    long sumInt(MemorySegment s, long n) {
        long sum = 0;
        for (long i = 0; i < n; i++) {
            sum += at(s, i);
        }
        return sum;
    }

    @Override
    double sumFloat(MemorySegment s, long n) {
        return unsigned ? sumUnsignedAsDouble(s, n) : sumSignedAsDouble(s, n);
    }

    private static double sumSignedAsDouble(MemorySegment s, long n) {
        double[] p = new double[16];
        for (long i = 0; i < n; i++) {
            p[(int) (i & 15)] += at(s, i);
        }
        return pairwise(p[0], p[1], p[2], p[3], p[4], p[5], p[6], p[7], p[8], p[9], p[10], p[11], p[12], p[13], p[14], p[15]);
    }

    private static double sumUnsignedAsDouble(MemorySegment s, long n) {
        double[] p = new double[16];
        for (long i = 0; i < n; i++) {
            p[(int) (i & 15)] += Elements.unsignedToDouble(at(s, i));
        }
        return pairwise(p[0], p[1], p[2], p[3], p[4], p[5], p[6], p[7], p[8], p[9], p[10], p[11], p[12], p[13], p[14], p[15]);
    }

    /**
     * min and max block by block, a call per block of {@link #WHERE_BLOCK} elements: a loop that runs once per call
     * over the whole run is first compiled on stack in the middle of its first call, with its exit never seen, and
     * that code is thrown away when the loop ends (in a GraalPy process the recompilation then waited 1.7 s in C2's
     * queue, the kernel running at 0.3 GB/s meanwhile); a block's loop has exited thousands of times before C2 sees it.
     */
    @Override
    long minInt(MemorySegment s, long n) {
        long f = flip;
        long m = Long.MAX_VALUE;
        for (long at = 0; at < n; at += WHERE_BLOCK) {
            m = leastKey(s, at, (int) Math.min(WHERE_BLOCK, n - at), f, m);
        }
        return m ^ f;
    }

    @Override
    long maxInt(MemorySegment s, long n) {
        long f = flip;
        long m = Long.MIN_VALUE;
        for (long at = 0; at < n; at += WHERE_BLOCK) {
            m = greatestKey(s, at, (int) Math.min(WHERE_BLOCK, n - at), f, m);
        }
        return m ^ f;
    }

    private static long leastKey(MemorySegment s, long at, int count, long f, long m) {
        for (int i = 0; i < count; i++) {
            m = Math.min(m, at(s, at + i) ^ f);
        }
        return m;
    }

    private static long greatestKey(MemorySegment s, long at, int count, long f, long m) {
        for (int i = 0; i < count; i++) {
            m = Math.max(m, at(s, at + i) ^ f);
        }
        return m;
    }

    @Override
    long count(MemorySegment s, long n, Bounds b) {
        long f = flip;
        long count = 0;
        for (long at = 0; at < n; at += WHERE_BLOCK) { // a call per block, as minInt does
            count += countBlock(s, at, (int) Math.min(WHERE_BLOCK, n - at), f, b.lo(), b.hi());
        }
        return b.invert() ? n - count : count;
    }

    private static long countBlock(MemorySegment s, long at, int m, long f, long lo, long hi) {
        long span = hi - lo;
        long count = 0;
        for (int i = 0; i < m; i++) {
            count += inRange64((at(s, at + i) ^ f) - lo, span);
        }
        return count;
    }

    @Override
    long where(MemorySegment mask, MemorySegment s, long n, Bounds b) {
        long f = flip;
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
    private static void whereBlock(byte[] block, MemorySegment s, long at, int m, long f, long lo, long span, long x) {
        for (int i = 0; i < m; i++) {
            block[i] = (byte) (inRange64((at(s, at + i) ^ f) - lo, span) ^ x);
        }
    }

    /** Signed and unsigned in loops of their own (see {@link #toFloat64}). */
    @Override
    void histogram(MemorySegment s, long n, long[] counts, double lo, double hi, double scale) {
        if (unsigned) {
            histogramUnsigned(s, n, counts, lo, hi, scale);
        } else {
            histogramSigned(s, n, counts, lo, hi, scale);
        }
    }

    private static void histogramSigned(MemorySegment s, long n, long[] counts, double lo, double hi, double scale) {
        int bins = counts.length;
        for (long i = 0; i < n; i++) {
            int k = bin(at(s, i), lo, hi, scale, bins);
            if (k >= 0) {
                counts[k]++;
            }
        }
    }

    private static void histogramUnsigned(MemorySegment s, long n, long[] counts, double lo, double hi, double scale) {
        int bins = counts.length;
        for (long i = 0; i < n; i++) {
            int k = bin(Elements.unsignedToDouble(at(s, i)), lo, hi, scale, bins);
            if (k >= 0) {
                counts[k]++;
            }
        }
    }

    /**
     * Signed and unsigned in loops of their own: one method holding both loops was compiled with whichever ran first
     * and recompiled when the other came (cast int64 -> float64 ran at 2.0-2.6 GB/s in the shuffled bench against
     * numpy's 17.6, where the loop alone reaches 14-21).
     */
    @Override
    void toFloat64(MemorySegment dst, MemorySegment s, long n) {
        if (unsigned) {
            unsignedToFloat64(dst, s, n);
        } else {
            signedToFloat64(dst, s, n);
        }
    }

    private static void signedToFloat64(MemorySegment dst, MemorySegment s, long n) {
        for (long i = 0; i < n; i++) {
            dst.setAtIndex(F64, i, (double) at(s, i));
        }
    }

    private static void unsignedToFloat64(MemorySegment dst, MemorySegment s, long n) {
        for (long i = 0; i < n; i++) {
            dst.setAtIndex(F64, i, Elements.unsignedToDouble(at(s, i)));
        }
    }

    /** {@code dst[i] = start + i * step} (wrapping). */
    static void arange(MemorySegment s, long n, long start, long step) {
        for (long i = 0; i < n; i++) {
            s.setAtIndex(I64, i, start + i * step);
        }
    }

    @Override
    long bincount(MemorySegment s, long n, long[] counts) {
        // uint64: the bits, so a value of 2^63 or more reads negative and lies outside as an unsigned compare sees it
        long m = counts.length;
        for (long i = 0; i < n; i++) {
            long x = at(s, i);
            if (Long.compareUnsigned(x, m) >= 0) {
                return i;
            }
            counts[(int) x]++;
        }
        return -1;
    }

    @Override
    long groupSumInt32Keys(MemorySegment keys, MemorySegment values, long n, double[] sums) {
        return unsigned ? groupSumUnsigned(keys, values, n, sums) : groupSumSigned(keys, values, n, sums);
    }

    private static long groupSumSigned(MemorySegment keys, MemorySegment values, long n, double[] sums) {
        int m = sums.length;
        for (long i = 0; i < n; i++) {
            int k = keys.getAtIndex(I32, i);
            if (Integer.compareUnsigned(k, m) >= 0) {
                return i;
            }
            sums[k] += (double) at(values, i);
        }
        return -1;
    }

    private static long groupSumUnsigned(MemorySegment keys, MemorySegment values, long n, double[] sums) {
        int m = sums.length;
        for (long i = 0; i < n; i++) {
            int k = keys.getAtIndex(I32, i);
            if (Integer.compareUnsigned(k, m) >= 0) {
                return i;
            }
            sums[k] += Elements.unsignedToDouble(at(values, i));
        }
        return -1;
    }
}
