package dev.tessera.kernels;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * {@code where} and {@code count_where} over contiguous float64: eight elements a step, their results packed into
 * one long (a byte each) that is stored as eight mask bytes at once and counted with one bit count. A loop per
 * comparison keeps each one branch-free (about twice the element-at-a-time loop). {@code x < v} runs as
 * {@code -x > -v} and {@code x <= v} as {@code -x >= -v} (exact, NaN stays NaN); {@code !=} is {@code ==} inverted.
 */
final class DoubleScans {
    private static final ValueLayout.OfDouble F64 = ValueLayout.JAVA_DOUBLE_UNALIGNED;
    private static final ValueLayout.OfLong I64 = ValueLayout.JAVA_LONG_UNALIGNED;
    private static final long ONES = 0x0101010101010101L;

    private DoubleScans() {
    }

    /** How many elements of {@code s} satisfy {@code x op value}; with a {@code mask}, also writes 1 or 0 per element. */
    static long scan(MemorySegment mask, MemorySegment s, long n, Compare op, double value) {
        return switch (op) {
            case GT -> greater(mask, s, n, 1.0, value);
            case LT -> greater(mask, s, n, -1.0, -value);
            case GE -> greaterOrEqual(mask, s, n, 1.0, value);
            case LE -> greaterOrEqual(mask, s, n, -1.0, -value);
            case EQ -> equal(mask, s, n, value, false);
            case NE -> equal(mask, s, n, value, true);
        };
    }

    private static long b(boolean hit) {
        return hit ? 1L : 0L;
    }

    private static long greater(MemorySegment mask, MemorySegment s, long n, double sign, double v) {
        long count = 0;
        long i = 0;
        for (long blocks = n & ~7L; i < blocks; i += 8) {
            long w = b(sign * s.getAtIndex(F64, i) > v) | b(sign * s.getAtIndex(F64, i + 1) > v) << 8
                    | b(sign * s.getAtIndex(F64, i + 2) > v) << 16 | b(sign * s.getAtIndex(F64, i + 3) > v) << 24
                    | b(sign * s.getAtIndex(F64, i + 4) > v) << 32 | b(sign * s.getAtIndex(F64, i + 5) > v) << 40
                    | b(sign * s.getAtIndex(F64, i + 6) > v) << 48 | b(sign * s.getAtIndex(F64, i + 7) > v) << 56;
            count += storeWord(mask, i, w);
        }
        for (; i < n; i++) {
            count += storeByte(mask, i, b(sign * s.getAtIndex(F64, i) > v));
        }
        return count;
    }

    private static long greaterOrEqual(MemorySegment mask, MemorySegment s, long n, double sign, double v) {
        long count = 0;
        long i = 0;
        for (long blocks = n & ~7L; i < blocks; i += 8) {
            long w = b(sign * s.getAtIndex(F64, i) >= v) | b(sign * s.getAtIndex(F64, i + 1) >= v) << 8
                    | b(sign * s.getAtIndex(F64, i + 2) >= v) << 16 | b(sign * s.getAtIndex(F64, i + 3) >= v) << 24
                    | b(sign * s.getAtIndex(F64, i + 4) >= v) << 32 | b(sign * s.getAtIndex(F64, i + 5) >= v) << 40
                    | b(sign * s.getAtIndex(F64, i + 6) >= v) << 48 | b(sign * s.getAtIndex(F64, i + 7) >= v) << 56;
            count += storeWord(mask, i, w);
        }
        for (; i < n; i++) {
            count += storeByte(mask, i, b(sign * s.getAtIndex(F64, i) >= v));
        }
        return count;
    }

    private static long equal(MemorySegment mask, MemorySegment s, long n, double v, boolean invert) {
        long flip = invert ? ONES : 0;
        long count = 0;
        long i = 0;
        for (long blocks = n & ~7L; i < blocks; i += 8) {
            long w = b(s.getAtIndex(F64, i) == v) | b(s.getAtIndex(F64, i + 1) == v) << 8
                    | b(s.getAtIndex(F64, i + 2) == v) << 16 | b(s.getAtIndex(F64, i + 3) == v) << 24
                    | b(s.getAtIndex(F64, i + 4) == v) << 32 | b(s.getAtIndex(F64, i + 5) == v) << 40
                    | b(s.getAtIndex(F64, i + 6) == v) << 48 | b(s.getAtIndex(F64, i + 7) == v) << 56;
            count += storeWord(mask, i, w ^ flip);
        }
        for (; i < n; i++) {
            count += storeByte(mask, i, b(s.getAtIndex(F64, i) == v) ^ (flip & 1));
        }
        return count;
    }

    /** Writes eight mask bytes when there is a mask; returns how many are 1. */
    private static long storeWord(MemorySegment mask, long i, long word) {
        if (mask != null) {
            mask.set(I64, i, word);
        }
        return Long.bitCount(word);
    }

    private static long storeByte(MemorySegment mask, long i, long hit) {
        if (mask != null) {
            mask.set(ValueLayout.JAVA_BYTE, i, (byte) hit);
        }
        return hit;
    }
}
