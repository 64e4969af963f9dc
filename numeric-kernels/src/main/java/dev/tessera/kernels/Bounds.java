package dev.tessera.kernels;

import dev.tessera.shm.DType;

/**
 * A comparison {@code element op value} turned into data: the elements that satisfy it form one interval of the
 * dtype's ordered values (every conversion the comparison makes, int to double included, keeps the order), so each
 * operator is a pair of bounds {@code [lo, hi]} plus {@code invert} (for {@code !=}), found once per call by binary
 * search with the comparison itself as the predicate. The loops then test {@code lo <= key(x) <= hi} with no operator
 * and no branch inside: one loop serves all six operators, and its profile cannot depend on which ran before.
 *
 * <p>Keys: for integers {@code x - bias} (bias 0 for signed dtypes, 2^(width-1) for unsigned ones, so that the loops
 * compare signed numbers of the element's own width); for floats the IEEE bits made sortable ({@link #floatKey},
 * {@link #doubleKey}), where every NaN lies outside {@code [key(-inf), key(+inf)]} and so never satisfies a range
 * (it satisfies {@code !=}, through {@code invert}, as Python's NaN does).
 */
record Bounds(long lo, long hi, boolean invert) {
    /** No element satisfies it (lo > hi). */
    static final Bounds NONE = new Bounds(0, -1, false);

    /** 1 when this bounds' answer is to be flipped, for the loops' xor. */
    int flip() {
        return invert ? 1 : 0;
    }

    /** The bounds of {@code element op value} over dtype {@code t}; {@code exact}: compare integers as integers. */
    static Bounds of(DType t, Compare op, double value, long exactValue, boolean exact) {
        return switch (t) {
            case FLOAT64 -> search(doubleKey(Double.NEGATIVE_INFINITY), doubleKey(Double.POSITIVE_INFINITY), op, Bounds::fromDoubleKey, value);
            case FLOAT32 -> search(floatKey(Float.NEGATIVE_INFINITY), floatKey(Float.POSITIVE_INFINITY), op, k -> fromFloatKey((int) k), value);
            case BOOL -> exact ? searchExact(0, 1, 0, op, exactValue) : search(0, 1, op, k -> k, value);
            case UINT64 -> search(Long.MIN_VALUE, Long.MAX_VALUE, op, k -> Elements.unsignedToDouble(k ^ Long.MIN_VALUE), value);
            default -> {
                int bits = 8 * t.itemSize();
                long kmin = -(1L << (bits - 1));
                long kmax = (1L << (bits - 1)) - 1;
                long bias = bias(t);
                yield exact ? searchExact(kmin, kmax, bias, op, exactValue)
                        : search(kmin, kmax, op, k -> (double) (k + bias), value);
            }
        };
    }

    /** What the loops subtract from an unsigned element to get its key (0 for signed dtypes). */
    static long bias(DType t) {
        return switch (t) {
            case UINT8 -> 1L << 7;
            case UINT16 -> 1L << 15;
            case UINT32 -> 1L << 31;
            case UINT64 -> Long.MIN_VALUE;
            default -> 0;
        };
    }

    /** Sortable bits of a double: the order of the keys is the order of the values, -0.0 just below +0.0. */
    static long doubleKey(double x) {
        long b = Double.doubleToRawLongBits(x);
        return b ^ ((b >> 63) >>> 1);
    }

    static double fromDoubleKey(long k) {
        return Double.longBitsToDouble(k ^ ((k >> 63) >>> 1));
    }

    static int floatKey(float x) {
        int b = Float.floatToRawIntBits(x);
        return b ^ ((b >> 31) >>> 1);
    }

    static double fromFloatKey(int k) {
        return Float.intBitsToFloat(k ^ ((k >> 31) >>> 1));
    }

    @FunctionalInterface
    private interface KeyValue {
        double of(long key);
    }

    /** Float semantics: the key of each element in [kmin, kmax] (no NaN) becomes a double compared with {@code v}. */
    private static Bounds search(long kmin, long kmax, Compare op, KeyValue value, double v) {
        return switch (op) {
            case GT, GE -> range(first(kmin, kmax, k -> op.test(value.of(k), v)), kmax, false);
            case LT, LE -> range(kmin, last(kmin, kmax, k -> op.test(value.of(k), v)), false);
            case EQ, NE -> range(first(kmin, kmax, k -> value.of(k) >= v), last(kmin, kmax, k -> value.of(k) <= v), op == Compare.NE);
        };
    }

    /** Integer semantics: element {@code key + bias} compared with {@code v} as 64-bit integers. */
    private static Bounds searchExact(long kmin, long kmax, long bias, Compare op, long v) {
        return switch (op) {
            case GT, GE -> range(first(kmin, kmax, k -> op.test(k + bias, v)), kmax, false);
            case LT, LE -> range(kmin, last(kmin, kmax, k -> op.test(k + bias, v)), false);
            case EQ, NE -> range(first(kmin, kmax, k -> k + bias >= v), last(kmin, kmax, k -> k + bias <= v), op == Compare.NE);
        };
    }

    /** A range whose missing end (no key satisfied the search) makes it empty. */
    private static Bounds range(Long lo, Long hi, boolean invert) {
        if (lo == null || hi == null || lo > hi) {
            return invert ? new Bounds(0, -1, true) : NONE;
        }
        return new Bounds(lo, hi, invert);
    }

    @FunctionalInterface
    private interface KeyTest {
        boolean test(long key);
    }

    /** The first key in [a, b] where a monotone (false..true) test holds, or null. */
    private static Long first(long a, long b, KeyTest t) {
        if (!t.test(b)) {
            return null;
        }
        while (a < b) {
            long mid = (a & b) + ((a ^ b) >> 1); // floor of the mean, without overflow
            if (t.test(mid)) {
                b = mid;
            } else {
                a = mid + 1;
            }
        }
        return a;
    }

    /** The last key in [a, b] where a monotone (true..false) test holds, or null. */
    private static Long last(long a, long b, KeyTest t) {
        if (!t.test(a)) {
            return null;
        }
        while (a < b) {
            long mid = (a & b) + ((a ^ b) >> 1) + ((a ^ b) & 1); // ceiling of the mean
            if (t.test(mid)) {
                a = mid;
            } else {
                b = mid - 1;
            }
        }
        return a;
    }
}
