package dev.tessera.kernels;

import static org.junit.jupiter.api.Assertions.*;

import dev.tessera.shm.ArrayStore;
import dev.tessera.shm.DType;
import dev.tessera.shm.SharedArray;
import java.lang.foreign.MemorySegment;
import java.math.BigInteger;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The per-dtype loops ({@link Loops}) against a plain reference written here (elements read through a ByteBuffer,
 * compared with Java's operators): every dtype, lengths around the unroll widths (8 and 16), runs that start at an odd
 * byte, each dtype's extremes, NaN and signed zeros, and every operator with thresholds inside, between and outside
 * the dtype's values.
 */
class LoopsPerDtypeTest {
    private final Random rnd = new Random(26);
    private static final int[] LENGTHS = {0, 1, 7, 8, 9, 15, 16, 17, 33, 1001};

    /** Element i as Python sees it: integers (uint64 as a BigInteger-exact double only when small), floats. */
    private static double value(ByteBuffer b, DType t, int i) {
        int at = i * t.itemSize();
        return switch (t) {
            case INT8 -> b.get(at);
            case UINT8 -> b.get(at) & 0xFF;
            case BOOL -> b.get(at) != 0 ? 1 : 0;
            case INT16 -> b.getShort(at);
            case UINT16 -> b.getShort(at) & 0xFFFF;
            case INT32 -> b.getInt(at);
            case UINT32 -> b.getInt(at) & 0xFFFFFFFFL;
            case INT64 -> b.getLong(at);
            case UINT64 -> new BigInteger(Long.toUnsignedString(b.getLong(at))).doubleValue();
            case FLOAT32 -> b.getFloat(at);
            case FLOAT64 -> b.getDouble(at);
        };
    }

    /** Integer elements exactly (uint64 as its bits). */
    private static long bits(ByteBuffer b, DType t, int i) {
        int at = i * t.itemSize();
        return switch (t) {
            case INT64, UINT64 -> b.getLong(at);
            default -> (long) value(b, t, i);
        };
    }

    private static boolean test(Compare op, double x, double v) {
        return switch (op) {
            case LT -> x < v;
            case LE -> x <= v;
            case EQ -> x == v;
            case NE -> x != v;
            case GE -> x >= v;
            case GT -> x > v;
        };
    }

    private static boolean test(Compare op, long x, long v) {
        return switch (op) {
            case LT -> x < v;
            case LE -> x <= v;
            case EQ -> x == v;
            case NE -> x != v;
            case GE -> x >= v;
            case GT -> x > v;
        };
    }

    /** n random elements of t at byte {@code skew} of a heap segment, with the dtype's extremes mixed in. */
    private MemorySegment elements(DType t, int n, int skew) {
        int w = t.itemSize();
        byte[] raw = new byte[n * w + skew];
        rnd.nextBytes(raw);
        ByteBuffer b = ByteBuffer.wrap(raw, skew, n * w).slice().order(ByteOrder.nativeOrder());
        for (int i = 0; i < n; i++) {
            int pick = rnd.nextInt(8);
            int at = i * w;
            switch (t) {
                case FLOAT64 -> b.putDouble(at, pick == 0 ? new double[] {Double.NaN, -0.0, 0.0, Double.POSITIVE_INFINITY,
                        Double.NEGATIVE_INFINITY, Double.MIN_VALUE, -Double.MAX_VALUE}[rnd.nextInt(7)] : rnd.nextInt(200) - 100 + rnd.nextInt(4) * 0.25);
                case FLOAT32 -> b.putFloat(at, pick == 0 ? new float[] {Float.NaN, -0.0f, 0.0f, Float.POSITIVE_INFINITY,
                        Float.NEGATIVE_INFINITY, Float.MIN_VALUE}[rnd.nextInt(6)] : rnd.nextInt(200) - 100 + rnd.nextInt(4) * 0.25f);
                case BOOL -> b.put(at, (byte) (pick < 3 ? 0 : pick == 3 ? 2 : 1)); // any nonzero byte is true
                default -> {
                    if (pick < 4) { // small values around the thresholds; the rest stay random bits (extremes included)
                        long v = rnd.nextInt(9) - 4;
                        switch (w) {
                            case 1 -> b.put(at, (byte) v);
                            case 2 -> b.putShort(at, (short) v);
                            case 4 -> b.putInt(at, (int) v);
                            default -> b.putLong(at, v);
                        }
                    }
                }
            }
        }
        return MemorySegment.ofArray(raw).asSlice(skew, (long) n * w);
    }

    private static ByteBuffer buffer(MemorySegment s) {
        return s.asByteBuffer().order(ByteOrder.nativeOrder());
    }

    @Test
    void reductionsOfEveryDtypeAgreeWithPlainJava() {
        for (DType t : DType.values()) {
            for (int n : LENGTHS) {
                MemorySegment s = elements(t, n, n % 3 + 1);
                ByteBuffer b = buffer(s);
                Strided v = Strided.of(s, t);
                String where = t + " n=" + n;
                if (t.isFloating()) {
                    double[] p = new double[16];
                    double min = Double.NaN;
                    double max = Double.NaN;
                    for (int i = 0; i < n; i++) {
                        double x = value(b, t, i);
                        p[i % 16] += x;
                        min = i == 0 ? x : Math.min(min, x);
                        max = i == 0 ? x : Math.max(max, x);
                    }
                    double sum = (((p[0] + p[1]) + (p[2] + p[3])) + ((p[4] + p[5]) + (p[6] + p[7])))
                            + (((p[8] + p[9]) + (p[10] + p[11])) + ((p[12] + p[13]) + (p[14] + p[15])));
                    assertEquals(sum, Kernels.sum(v), where + " sum (partial i % 16, pairwise)");
                    assertEquals(n == 0 ? Double.NaN : sum / n, Kernels.mean(v), where + " mean");
                    if (n > 0) {
                        assertEquals(Double.doubleToLongBits(min), Double.doubleToLongBits(Kernels.min(v)), where + " min");
                        assertEquals(Double.doubleToLongBits(max), Double.doubleToLongBits(Kernels.max(v)), where + " max");
                    }
                } else {
                    long sum = 0;
                    double[] p = new double[16];
                    long min = 0;
                    long max = 0;
                    for (int i = 0; i < n; i++) {
                        long x = bits(b, t, i);
                        sum += x;
                        p[i % 16] += value(b, t, i);
                        boolean u = t == DType.UINT64;
                        if (i == 0 || (u ? Long.compareUnsigned(x, min) < 0 : x < min)) {
                            min = x;
                        }
                        if (i == 0 || (u ? Long.compareUnsigned(x, max) > 0 : x > max)) {
                            max = x;
                        }
                    }
                    assertEquals(sum, Kernels.sumLong(v), where + " sum");
                    double meanSum = (((p[0] + p[1]) + (p[2] + p[3])) + ((p[4] + p[5]) + (p[6] + p[7])))
                            + (((p[8] + p[9]) + (p[10] + p[11])) + ((p[12] + p[13]) + (p[14] + p[15])));
                    assertEquals(n == 0 ? Double.NaN : meanSum / n, Kernels.mean(v), where + " mean");
                    if (n > 0) {
                        assertEquals(min, Kernels.minLong(v), where + " min");
                        assertEquals(max, Kernels.maxLong(v), where + " max");
                    } else {
                        assertThrows(IllegalArgumentException.class, () -> Kernels.minLong(v));
                    }
                }
            }
        }
    }

    @Test
    void everyOperatorOfEveryDtypeAgreesWithPlainComparisons() {
        for (DType t : DType.values()) {
            for (int n : new int[] {0, 7, 8, 9, 17, 257}) {
                MemorySegment s = elements(t, n, 3);
                ByteBuffer b = buffer(s);
                Strided v = Strided.of(s, t);
                double[] thresholds = {0, -0.0, 1, -1, 2.5, -3.5, 127, 128, 255, 256, -128, -129, 65535, 1e10, -1e10,
                        Math.pow(2, 63), Math.pow(2, 64), Double.NaN, Double.POSITIVE_INFINITY, Double.NEGATIVE_INFINITY,
                        n > 0 ? value(b, t, n / 2) : 0};
                for (Compare op : Compare.values()) {
                    for (double th : thresholds) {
                        byte[] mask = new byte[n + 1];
                        long expected = 0;
                        boolean[] hits = new boolean[n];
                        for (int i = 0; i < n; i++) {
                            hits[i] = test(op, value(b, t, i), th);
                            expected += hits[i] ? 1 : 0;
                        }
                        String where = t + " n=" + n + " x " + op.symbol() + " " + th;
                        assertEquals(expected, Kernels.countWhere(v, op, th), where);
                        // the mask starts at an odd byte too
                        long written = Kernels.where(Strided.of(MemorySegment.ofArray(mask).asSlice(1, n), DType.BOOL), v, op, th, false);
                        assertEquals(expected, written, where + " (where)");
                        for (int i = 0; i < n; i++) {
                            assertEquals(hits[i] ? 1 : 0, mask[i + 1], where + " at " + i + " (" + value(b, t, i) + ")");
                        }
                    }
                    if (t.isFloating() || t == DType.UINT64) {
                        continue;
                    }
                    for (long th : new long[] {0, 1, -1, 127, 128, -128, -129, 255, 256, 65535, 65536, Integer.MAX_VALUE,
                            Integer.MIN_VALUE, 0xFFFF_FFFFL, Long.MAX_VALUE, Long.MIN_VALUE, n > 0 ? bits(b, t, n / 2) : 0}) {
                        long expected = 0;
                        byte[] mask = new byte[n];
                        for (int i = 0; i < n; i++) {
                            expected += test(op, bits(b, t, i), th) ? 1 : 0;
                        }
                        StringBuilder all = new StringBuilder();
                        for (int i = 0; i < n; i++) {
                            all.append(' ').append(bits(b, t, i));
                        }
                        String where = t + " n=" + n + " x " + op.symbol() + " " + th + " (integers) of" + all;
                        assertEquals(expected, Kernels.countWhere(v, op, th), where);
                        assertEquals(expected, Kernels.where(Strided.of(MemorySegment.ofArray(mask), DType.BOOL), v, op, th), where);
                        for (int i = 0; i < n; i++) {
                            assertEquals(test(op, bits(b, t, i), th) ? 1 : 0, mask[i], where + " at " + i);
                        }
                    }
                }
            }
        }
    }

    /** Lengths around the blocks of the blocked loops (where, narrow min/max: 4096 elements) and their word tails. */
    private static final int[] BLOCK_EDGES = {Loops.WHERE_BLOCK - 1, Loops.WHERE_BLOCK, Loops.WHERE_BLOCK + 1,
            Loops.WHERE_BLOCK + 7, 2 * Loops.WHERE_BLOCK - 1, 2 * Loops.WHERE_BLOCK + 8, 3 * Loops.WHERE_BLOCK + 5};

    /**
     * Integer min/max across blocks: values in a narrow band with one extreme planted at a block's first or last
     * element, a word's last lane, or the tail (random bytes would put the dtype's extremes everywhere); each through
     * the contiguous loop and through a strided view of the same elements (every element at twice the stride).
     */
    @Test
    void integerMinAndMaxFindOneExtremeAnywhereAcrossBlocks() {
        for (DType t : DType.values()) {
            if (t.isFloating() || t == DType.BOOL) {
                continue;
            }
            int w = t.itemSize();
            boolean unsigned = Bounds.bias(t) != 0;
            long low = unsigned ? 0 : (w == 8 ? Long.MIN_VALUE : -(1L << (8 * w - 1)));
            long high = unsigned ? (w == 8 ? -1L : (1L << (8 * w)) - 1) : (w == 8 ? Long.MAX_VALUE : (1L << (8 * w - 1)) - 1);
            for (int n : BLOCK_EDGES) {
                for (int at : new int[] {0, 7, 8, Loops.WHERE_BLOCK - 1, Loops.WHERE_BLOCK, n - 1, n - 2, (n & ~7) - 1}) {
                    if (at >= n) {
                        continue;
                    }
                    for (boolean least : new boolean[] {true, false}) {
                        byte[] raw = new byte[2 * n * w];
                        ByteBuffer b = ByteBuffer.wrap(raw).order(ByteOrder.nativeOrder());
                        for (int i = 0; i < n; i++) {
                            long band = unsigned ? 100 + rnd.nextInt(50) : rnd.nextInt(50) - 25;
                            if (unsigned && w == 1) {
                                band = 128 + rnd.nextInt(50); // uint8 above the signed maximum
                            }
                            put(b, w, i, band);
                            put(b, w, n + i, 0);
                        }
                        long extreme = least ? low : high;
                        put(b, w, at, extreme);
                        MemorySegment s = MemorySegment.ofArray(raw).asSlice(0, (long) n * w);
                        String where = t + " n=" + n + " extreme at " + at + (least ? " min" : " max");
                        assertEquals(extreme, least ? Kernels.minLong(Strided.of(s, t)) : Kernels.maxLong(Strided.of(s, t)), where);
                        // the same elements every other slot: the strided path gives the same answer
                        byte[] spread = new byte[2 * n * w];
                        for (int i = 0; i < n; i++) {
                            System.arraycopy(raw, i * w, spread, 2 * i * w, w);
                        }
                        Strided strided = new Strided(MemorySegment.ofArray(spread), t, 0, n, 2L * w);
                        assertEquals(extreme, least ? Kernels.minLong(strided) : Kernels.maxLong(strided), where + " (strided)");
                    }
                }
            }
        }
    }

    private static void put(ByteBuffer b, int w, int i, long v) {
        switch (w) {
            case 1 -> b.put(i, (byte) v);
            case 2 -> b.putShort(2 * i, (short) v);
            case 4 -> b.putInt(4 * i, (int) v);
            default -> b.putLong(8 * i, v);
        }
    }

    /** count_where and where across blocks and word tails, every dtype and operator, against plain comparisons. */
    @Test
    void comparisonsAgreeWithPlainJavaAcrossBlocks() {
        for (DType t : DType.values()) {
            for (int n : BLOCK_EDGES) {
                MemorySegment s = elements(t, n, 1);
                ByteBuffer b = buffer(s);
                Strided v = Strided.of(s, t);
                for (Compare op : Compare.values()) {
                    for (double th : new double[] {0, 1, -1, 127, 128, 200, -3.5, 40000, Double.NaN}) {
                        byte[] mask = new byte[n + 2];
                        long expected = 0;
                        for (int i = 0; i < n; i++) {
                            expected += test(op, value(b, t, i), th) ? 1 : 0;
                        }
                        String where = t + " n=" + n + " x " + op.symbol() + " " + th;
                        assertEquals(expected, Kernels.countWhere(v, op, th), where);
                        assertEquals(expected, Kernels.where(Strided.of(MemorySegment.ofArray(mask).asSlice(1, n), DType.BOOL), v, op, th, false), where + " (where)");
                        assertEquals(0, mask[0], where + ": nothing written before the mask");
                        assertEquals(0, mask[n + 1], where + ": nothing written after the mask");
                        for (int i = 0; i < n; i++) {
                            assertEquals(test(op, value(b, t, i), th) ? 1 : 0, mask[i + 1], where + " at " + i);
                        }
                    }
                }
            }
        }
    }

    @Test
    void int64AgainstAFloatComparesAsFloat64AsNumpyDoes() {
        long big = (1L << 53) + 1; // (double) big == 2^53
        MemorySegment s = MemorySegment.ofArray(new long[] {big, big + 2, -big});
        Strided v = Strided.of(s, DType.INT64);
        assertEquals(1, Kernels.countWhere(v, Compare.GT, Math.pow(2, 53)), "2^53 + 1 > 2^53.0 is False in float64");
        assertEquals(2, Kernels.countWhere(v, Compare.GT, 1L << 53), "and True as integers");
        assertEquals(1, Kernels.countWhere(v, Compare.EQ, Math.pow(2, 53)));
    }

    @Test
    void histogramAndCastOfEveryDtypeAgreeWithPlainJava() {
        for (DType t : DType.values()) {
            for (int n : LENGTHS) {
                MemorySegment s = elements(t, n, 1);
                ByteBuffer b = buffer(s);
                Strided v = Strided.of(s, t);
                long[] expected = new long[10];
                double[] asDouble = new double[n];
                for (int i = 0; i < n; i++) {
                    double x = value(b, t, i);
                    asDouble[i] = t == DType.UINT64 ? Elements.unsignedToDouble(bits(b, t, i)) : x;
                    if (x >= -5 && x <= 5) {
                        expected[Math.min(9, (int) ((x + 5) * (10 / 10.0)))]++;
                    }
                }
                assertArrayEquals(expected, Kernels.histogram(v, 10, -5, 5), t + " n=" + n);
                double[] out = new double[n];
                Kernels.cast(Strided.of(MemorySegment.ofArray(out), DType.FLOAT64), v);
                for (int i = 0; i < n; i++) {
                    assertEquals(Double.doubleToLongBits(asDouble[i]), Double.doubleToLongBits(out[i]), t + " cast at " + i);
                }
            }
        }
    }

    @Test
    void fillOfEveryDtypeWritesEveryElementAndNothingElse() {
        for (DType t : DType.values()) {
            for (int n : LENGTHS) {
                int w = t.itemSize();
                byte[] raw = new byte[n * w + 2];
                MemorySegment s = MemorySegment.ofArray(raw).asSlice(1, (long) n * w);
                Kernels.fill(Strided.of(s, t), 3L);
                ByteBuffer b = buffer(s);
                for (int i = 0; i < n; i++) {
                    assertEquals(t == DType.BOOL ? 1 : 3, value(b, t, i), t + " at " + i);
                }
                assertEquals(0, raw[0], "the byte before is untouched");
                assertEquals(0, raw[raw.length - 1], "the byte after is untouched");
            }
        }
    }

    @Test
    void maskedGroupSumSkipsLeftOutRowsExactlyAndIgnoresTheirKeys() {
        int[] keys = {0, 1, 99, 1, -5, 0};
        double[] values = {-0.0, 2.5, Double.NaN, Double.POSITIVE_INFINITY, 7, -0.0};
        byte[] keep = {1, 1, 0, 0, 0, 1};
        double[] expected = new double[2]; // a loop that skips the rows left out
        for (int i = 0; i < keys.length; i++) {
            if (keep[i] != 0) {
                expected[keys[i]] += values[i];
            }
        }
        double[] sums = Kernels.groupSum(Strided.of(MemorySegment.ofArray(keys), DType.INT32), Strided.of(MemorySegment.ofArray(values),
                DType.FLOAT64), 2, Strided.of(MemorySegment.ofArray(keep), DType.BOOL));
        assertEquals(Double.doubleToLongBits(expected[0]), Double.doubleToLongBits(sums[0]), "bit for bit as the skipping loop");
        assertEquals(2.5, sums[1], "NaN and infinity of left-out rows are not added");
        keep[4] = 1;
        assertThrows(IndexOutOfBoundsException.class, () -> Kernels.groupSum(Strided.of(MemorySegment.ofArray(keys), DType.INT32),
                Strided.of(MemorySegment.ofArray(values), DType.FLOAT64), 2, Strided.of(MemorySegment.ofArray(keep), DType.BOOL)));
    }

    @Test
    void logicalAndTreatsAnyNonzeroByteAsTrue() {
        for (int n : LENGTHS) {
            byte[] a = new byte[n];
            byte[] b = new byte[n];
            rnd.nextBytes(a);
            rnd.nextBytes(b);
            for (int i = 0; i < n; i += 3) {
                a[i] = 0;
            }
            byte[] d = new byte[n];
            long expected = 0;
            for (int i = 0; i < n; i++) {
                expected += a[i] != 0 && b[i] != 0 ? 1 : 0;
            }
            assertEquals(expected, Kernels.logicalAnd(Strided.of(MemorySegment.ofArray(d), DType.BOOL),
                    Strided.of(MemorySegment.ofArray(a), DType.UINT8), Strided.of(MemorySegment.ofArray(b), DType.UINT8)));
            for (int i = 0; i < n; i++) {
                assertEquals(a[i] != 0 && b[i] != 0 ? 1 : 0, d[i], "at " + i);
            }
        }
    }

    @Test
    void readOnlyDestinationsAreRefusedBeforeAnyWrite() {
        double[] src = {1, 2, 3};
        byte[] ro = new byte[3];
        Strided readOnly = Strided.of(MemorySegment.ofArray(ro).asReadOnly(), DType.BOOL);
        assertThrows(Strided.ReadOnlyException.class, () -> Kernels.where(readOnly, Strided.of(MemorySegment.ofArray(src), DType.FLOAT64),
                Compare.GT, 0, false));
        assertThrows(Strided.ReadOnlyException.class, () -> Kernels.fill(readOnly, 1L));
        assertThrows(Strided.ReadOnlyException.class, () -> Kernels.cast(readOnly, Strided.of(MemorySegment.ofArray(src), DType.FLOAT64)));
        assertArrayEquals(new byte[3], ro);
    }

    @Test
    void everyKernelOnAClosedArrayFailsCleanly() {
        for (DType t : DType.values()) {
            ArrayStore store = new ArrayStore();
            SharedArray a = store.allocate(t, 100);
            SharedArray m = store.allocate(DType.BOOL, 100);
            Strided v = Strided.of(a);
            Strided mask = Strided.of(m);
            a.close();
            assertThrows(IllegalStateException.class, () -> Kernels.sum(v), t + " sum");
            assertThrows(IllegalStateException.class, () -> Kernels.mean(v), t + " mean");
            assertThrows(IllegalStateException.class, () -> Kernels.max(v), t + " max");
            assertThrows(IllegalStateException.class, () -> Kernels.countWhere(v, Compare.GT, 0.5), t + " count_where");
            assertThrows(IllegalStateException.class, () -> Kernels.where(mask, v, Compare.LE, 0.5, false), t + " where");
            assertThrows(IllegalStateException.class, () -> Kernels.histogram(v, 4, 0, 1), t + " histogram");
            assertThrows(IllegalStateException.class, () -> Kernels.fill(v, 1L), t + " fill");
            m.close();
            store.close();
        }
    }
}
