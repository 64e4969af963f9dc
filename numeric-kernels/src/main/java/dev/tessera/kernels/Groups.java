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

    /**
     * {@code d[i] = a[i] != 0 && b[i] != 0} (1 or 0) over byte runs (d may be a or b); how many are 1. The runs go
     * through heap blocks, copied in and out whole, so that the word loop reads and writes only arrays: a mask is as
     * often a Python bytearray (a heap segment) as host memory, and a loop whose accesses had seen both kinds of
     * segment was compiled for both, 5x slower for either (2.3 ms against 0.4 for 2.5 M bytes). Runs all in host
     * memory keep a loop of their own straight over the segments (0.4 ms against 0.75 through blocks).
     */
    static long andBytes(MemorySegment d, MemorySegment a, MemorySegment b, long n) {
        long words = n & ~7L; // bytes in whole words
        long count = d.isNative() && a.isNative() && b.isNative() ? andNative(d, a, b, words) : andThroughBlocks(d, a, b, words);
        for (long i = words; i < n; i++) { // the last bytes, fewer than a word
            int hit = (a.get(Loops.I8, i) != 0 ? 1 : 0) & (b.get(Loops.I8, i) != 0 ? 1 : 0);
            d.set(Loops.I8, i, (byte) hit);
            count += hit;
        }
        return count;
    }

    /** The first {@code words} bytes (whole words) through heap blocks; how many are 1. */
    private static long andThroughBlocks(MemorySegment d, MemorySegment a, MemorySegment b, long words) {
        int block = (int) Math.min(words >>> 3, Loops.WHERE_BLOCK / 8);
        long[] x = new long[block];
        long[] y = new long[block];
        long count = 0;
        for (long i = 0; i < words; ) {
            int m = (int) Math.min(block, (words - i) >>> 3);
            MemorySegment.copy(a, Loops.I64, i, x, 0, m);
            MemorySegment.copy(b, Loops.I64, i, y, 0, m);
            count += andWords(x, y, m);
            MemorySegment.copy(x, 0, d, Loops.I64, i, m);
            i += 8L * m;
        }
        return count;
    }

    /** The first {@code words} bytes (whole words) straight over host memory; how many are 1. */
    private static long andNative(MemorySegment d, MemorySegment a, MemorySegment b, long words) {
        long count = 0;
        for (long i = 0; i < words; i += 8) {
            long w = ones(a.get(Loops.I64, i)) & ones(b.get(Loops.I64, i));
            d.set(Loops.I64, i, w);
            count += Long.bitCount(w);
        }
        return count;
    }

    /** {@code x[k] = ones(x[k]) & ones(y[k])} for k < m; the 1 bytes counted. */
    private static long andWords(long[] x, long[] y, int m) {
        long count = 0;
        for (int k = 0; k < m; k++) {
            long w = ones(x[k]) & ones(y[k]);
            x[k] = w;
            count += Long.bitCount(w);
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
     * The same over the rows whose mask byte is nonzero, without a branch on the mask: a row left out adds +0.0, which
     * leaves every sum exactly as it was (x + 0.0 == x for every x but -0.0, NaN and the infinities included, and a sum
     * that starts at 0.0 is never -0.0), so the sums are the ones a loop skipping those rows makes. A left-out row's
     * key is not used when it is outside the range.
     */
    static void sumInt32F64Where(MemorySegment keys, MemorySegment values, MemorySegment mask, long n, double[] sums) {
        byte[] keep = new byte[(int) Math.min(n, Loops.WHERE_BLOCK)]; // the mask read in blocks: see andBytes
        for (long at = 0; at < n; at += keep.length) {
            int m = (int) Math.min(keep.length, n - at);
            MemorySegment.copy(mask, Loops.I8, at, keep, 0, m);
            sumBlockWhere(keys, values, keep, at, m, sums);
        }
    }

    /**
     * The value added is chosen with bit operations, not {@code kept ? v : 0.0}: C2 compiles a select of doubles
     * to a branch on x86, and a mask that keeps a random quarter of the rows mispredicts it about every third row
     * (270 M rows/s against 830 with the bits, 625,000 rows, 1,000 keys, one thread here).
     */
    private static void sumBlockWhere(MemorySegment keys, MemorySegment values, byte[] keep, long at, int m, double[] sums) {
        int size = sums.length;
        for (int j = 0; j < m; j++) {
            long i = at + j;
            int k = keys.getAtIndex(Loops.I32, i);
            int b = keep[j];
            long all = -(long) ((b | -b) >>> 31); // every bit set for a kept row (any nonzero byte), none otherwise
            if (Integer.compareUnsigned(k, size) >= 0) {
                if (all != 0) {
                    throw Kernels.keyOutside("group_sum", k, i, size);
                }
                continue;
            }
            long v = Double.doubleToRawLongBits(values.getAtIndex(Loops.F64, i));
            sums[k] += Double.longBitsToDouble(v & all); // v, or 0.0 for a row left out
        }
    }
}
