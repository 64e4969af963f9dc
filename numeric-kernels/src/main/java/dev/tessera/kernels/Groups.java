package dev.tessera.kernels;

import java.lang.foreign.MemorySegment;

/** The loops of the scan use: masks combined eight bytes at a time, and sums per key (see {@link Kernels#groupSum}). */
final class Groups {
    private static final long LOW7 = 0x7F7F7F7F7F7F7F7FL;
    private static final long HIGH = 0x8080808080808080L;

    private Groups() {
    }

    /** Each byte of {@code w} that is nonzero as 1, each zero byte as 0. */
    private static long ones(long w) {
        return ((((w & LOW7) + LOW7) | w) & HIGH) >>> 7;
    }

    /** {@code d[i] = a[i] != 0 && b[i] != 0} (1 or 0) over byte runs (d may be a or b); how many are 1. */
    static long andBytes(MemorySegment d, MemorySegment a, MemorySegment b, long n) {
        long count = 0;
        long i = 0;
        for (long words = n & ~7L; i < words; i += 8) {
            long w = ones(a.get(Loops.I64, i)) & ones(b.get(Loops.I64, i));
            d.set(Loops.I64, i, w);
            count += Long.bitCount(w);
        }
        for (; i < n; i++) {
            int hit = (a.get(Loops.I8, i) != 0 ? 1 : 0) & (b.get(Loops.I8, i) != 0 ? 1 : 0);
            d.set(Loops.I8, i, (byte) hit);
            count += hit;
        }
        return count;
    }

    /** {@code sums[keys[i]] += values[i]}; a key outside [0, sums.length) is refused (sums is fresh: nothing leaks). */
    static void sumInt32F64(MemorySegment keys, MemorySegment values, long n, double[] sums) {
        int m = sums.length;
        for (long i = 0; i < n; i++) {
            int k = keys.getAtIndex(Loops.I32, i);
            if (Integer.compareUnsigned(k, m) >= 0) {
                throw Kernels.keyOutside("group_sum", k, i, m);
            }
            sums[k] += values.getAtIndex(Loops.F64, i);
        }
    }

    /**
     * The same over the rows whose mask byte is nonzero, without a branch on the mask: a row left out adds -0.0,
     * which leaves every sum exactly as it was (x + -0.0 == x for every x, -0.0 and NaN included), so the sums are the
     * ones a loop skipping those rows makes. A left-out row's key is not used when it is outside the range.
     */
    static void sumInt32F64Where(MemorySegment keys, MemorySegment values, MemorySegment mask, long n, double[] sums) {
        int m = sums.length;
        for (long i = 0; i < n; i++) {
            int k = keys.getAtIndex(Loops.I32, i);
            boolean keep = mask.get(Loops.I8, i) != 0;
            if (Integer.compareUnsigned(k, m) >= 0) {
                if (keep) {
                    throw Kernels.keyOutside("group_sum", k, i, m);
                }
                continue;
            }
            double v = values.getAtIndex(Loops.F64, i);
            sums[k] += keep ? v : -0.0;
        }
    }
}
