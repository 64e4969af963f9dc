package dev.tessera.kernels;

import dev.tessera.shm.DType;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * The hot loops of the kernels, one small subclass per element width and kind ({@link Int8Loops} ... {@link
 * Float64Loops}), each loop a method of its own over a contiguous slice made once per call ({@code n} elements from
 * byte 0). Why so: a loop shared by several dtypes (or operators) is compiled once with the profile of whichever ran
 * first; a later dtype then takes a branch that compiled code never saw, the method is thrown away and recompiled
 * with both, and for seconds the work runs in the profiling tier (0.2-1.7 GB/s in a GraalPy process, where C2's queue
 * is long). Here a dtype's loops never contain another dtype's code, and {@link Kernels} reaches them through a
 * megamorphic virtual call, so no caller inlines two dtypes' loops into one compilation either.
 *
 * <p>Signed and unsigned integers of one width share a class: the loops read {@code key = x - bias} (see {@link
 * Bounds}), so the two differ only by a constant, never by a branch, and their profiles are the same. Comparisons
 * arrive as {@link Bounds}: no operator inside a loop.
 */
abstract class Loops {
    static final ValueLayout.OfByte I8 = ValueLayout.JAVA_BYTE;
    static final ValueLayout.OfShort I16 = ValueLayout.JAVA_SHORT_UNALIGNED;
    static final ValueLayout.OfInt I32 = ValueLayout.JAVA_INT_UNALIGNED;
    static final ValueLayout.OfLong I64 = ValueLayout.JAVA_LONG_UNALIGNED;
    static final ValueLayout.OfFloat F32 = ValueLayout.JAVA_FLOAT_UNALIGNED;
    static final ValueLayout.OfDouble F64 = ValueLayout.JAVA_DOUBLE_UNALIGNED;

    private static final Loops[] BY_DTYPE = new Loops[DType.values().length];

    static {
        for (DType t : DType.values()) {
            BY_DTYPE[t.ordinal()] = switch (t) {
                case INT8, UINT8 -> new Int8Loops(t);
                case BOOL -> new BoolLoops();
                case INT16, UINT16 -> new Int16Loops(t);
                case INT32, UINT32 -> new Int32Loops(t);
                case INT64, UINT64 -> new Int64Loops(t);
                case FLOAT32 -> new Float32Loops();
                case FLOAT64 -> new Float64Loops();
            };
        }
    }

    static Loops of(DType t) {
        return BY_DTYPE[t.ordinal()];
    }

    /** The sum of an integer run in 64 bits, wrapping (bool: how many are true). */
    long sumInt(MemorySegment s, long n) {
        throw new UnsupportedOperationException();
    }

    /** Element i into partial sum i % 16, in float64, then the partials pairwise (floats; for the mean of wide ints). */
    double sumFloat(MemorySegment s, long n) {
        throw new UnsupportedOperationException();
    }

    /** The least / greatest element of an integer run (n > 0), as its value (uint64: its bits). */
    long minInt(MemorySegment s, long n) {
        throw new UnsupportedOperationException();
    }

    long maxInt(MemorySegment s, long n) {
        throw new UnsupportedOperationException();
    }

    /** The least / greatest element of a float run (n > 0), NaN if any is NaN; -0.0 counts as less than 0.0. */
    double minFloat(MemorySegment s, long n) {
        throw new UnsupportedOperationException();
    }

    double maxFloat(MemorySegment s, long n) {
        throw new UnsupportedOperationException();
    }

    /** How many keys lie in the bounds (or outside, when inverted). */
    abstract long count(MemorySegment s, long n, Bounds b);

    /** {@code mask[i] = 1} where the key lies in the bounds (outside, when inverted), else 0; how many are 1. */
    abstract long where(MemorySegment mask, MemorySegment s, long n, Bounds b);

    /**
     * {@code counts[x]++} for every element x; returns the position of the first element outside
     * {@code [0, counts.length)}, or -1 (the counts are then partial: callers throw them away). Integers and bool.
     */
    long bincount(MemorySegment s, long n, long[] counts) {
        throw new UnsupportedOperationException();
    }

    /**
     * {@code sums[keys[i]] += (double) values[i]} over int32 keys and this dtype's values; returns the position of
     * the first key outside {@code [0, sums.length)}, or -1 (the sums are then partial: callers throw them away).
     */
    abstract long groupSumInt32Keys(MemorySegment keys, MemorySegment values, long n, double[] sums);

    /** Counts per bin of [lo, hi] (see {@link Kernels#histogram}). */
    abstract void histogram(MemorySegment s, long n, long[] counts, double lo, double hi, double scale);

    /** {@code dst[i] = (double) src[i]} into a contiguous float64 slice. */
    abstract void toFloat64(MemorySegment dst, MemorySegment s, long n);

    /**
     * Elements per block of {@link #where}'s wide loops: each block's 0/1 bytes are computed into a heap array, then
     * copied into the mask. C2 vectorizes a loop from a native segment into a heap array (they cannot overlap) but not
     * one between two native segments (it cannot prove they do not overlap): 13-29 GB/s against 9 for float64.
     */
    static final int WHERE_BLOCK = 4096;
    static final long H8 = 0x8080808080808080L;
    static final long L8 = 0x7F7F7F7F7F7F7F7FL;
    static final long ONES8 = 0x0101010101010101L;
    static final long H16 = 0x8000800080008000L;
    static final long L16 = 0x7FFF7FFF7FFF7FFFL;

    /** The block buffer of a where over n elements. */
    static byte[] whereBlock(long n) {
        return new byte[(int) Math.min(n, WHERE_BLOCK)];
    }

    /**
     * The block's m 0/1 bytes copied into the mask at element {@code at}; how many are 1, counted as the 1 bits of
     * the block's 8-byte words (a byte-by-byte sum into a long is not vectorized by C2: it took about as long as
     * computing the block).
     */
    static long emit(MemorySegment mask, long at, byte[] block, int m) {
        MemorySegment.copy(block, 0, mask, I8, at, m);
        MemorySegment words = MemorySegment.ofArray(block);
        long count = 0;
        int whole = m & ~7;
        for (int i = 0; i < whole; i += 8) {
            count += Long.bitCount(words.get(I64, i));
        }
        for (int i = whole; i < m; i++) {
            count += block[i];
        }
        return count;
    }

    /** The 1 bits of {@code words[0..m)}: how many 0/1 bytes are 1. */
    static long bitCounts(long[] words, int m) {
        long count = 0;
        for (int k = 0; k < m; k++) {
            count += Long.bitCount(words[k]);
        }
        return count;
    }

    /** Per byte of x and y read as unsigned: the byte's top bit set where x >= y, every other bit 0 (no carries cross bytes). */
    static long geBytes(long x, long y) {
        long d = (x | H8) - (y & L8);
        return ((x & ~y) | (~(x ^ y) & d)) & H8;
    }

    /** Each byte whose top bit is set made 0xFF, every other byte 0 (from {@link #geBytes}'s answer). */
    static long lanes(long topBits) {
        return (topBits << 1) - (topBits >>> 7);
    }

    /** The same per 16-bit lane: the lane's top bit set where x >= y (unsigned). */
    static long geShorts(long x, long y) {
        long d = (x | H16) - (y & L16);
        return ((x & ~y) | (~(x ^ y) & d)) & H16;
    }

    /** Eight 0/1 bytes (lowest address first, native order) stored at once; how many are 1. */
    static long storeWord(MemorySegment mask, long i, long word) {
        mask.set(I64, i, word);
        return Long.bitCount(word);
    }

    /** Eight hits (0 or 1 each) packed one per byte, element i + k into byte k. */
    static long pack(long h0, long h1, long h2, long h3, long h4, long h5, long h6, long h7) {
        return h0 | h1 << 8 | h2 << 16 | h3 << 24 | h4 << 32 | h5 << 40 | h6 << 48 | h7 << 56;
    }

    /** 1 if {@code d = key - lo} lies in [0, span] as unsigned 32-bit numbers, else 0 (branch-free). */
    static int inRange32(int d, int span) {
        return (((~span & d) | (~(span ^ d) & (span - d))) >>> 31) ^ 1;
    }

    /** The same for 64-bit keys. */
    static long inRange64(long d, long span) {
        return (((~span & d) | (~(span ^ d) & (span - d))) >>> 63) ^ 1;
    }

    /** The 16 partial sums added pairwise ((p0+p1)+(p2+p3))+... */
    static double pairwise(double p0, double p1, double p2, double p3, double p4, double p5, double p6, double p7,
                           double p8, double p9, double p10, double p11, double p12, double p13, double p14, double p15) {
        return (((p0 + p1) + (p2 + p3)) + ((p4 + p5) + (p6 + p7))) + (((p8 + p9) + (p10 + p11)) + ((p12 + p13) + (p14 + p15)));
    }

    /** The bin of x, or -1 outside [lo, hi] and for NaN (the last bin includes hi). */
    static int bin(double x, double lo, double hi, double scale, int bins) {
        if (x >= lo && x <= hi) {
            int b = (int) ((x - lo) * scale);
            return b >= bins ? bins - 1 : b;
        }
        return -1;
    }
}
