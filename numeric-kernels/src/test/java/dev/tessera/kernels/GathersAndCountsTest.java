package dev.tessera.kernels;

import static org.junit.jupiter.api.Assertions.*;

import dev.tessera.shm.DType;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.math.BigInteger;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * take, compress, bincount and group_sum over contiguous runs (their per-width and per-dtype loops: {@link Gathers},
 * {@link Loops#bincount}, {@link Loops#groupSumInt32Keys}) against a plain reference written here, and against the
 * same kernel over a strided run of the same elements (the element-by-element path): every dtype, lengths around the
 * word width (8) and the bulk-copy run (16), runs starting at an odd byte, NaN and signed zeros, keys and indices
 * just outside their ranges.
 */
class GathersAndCountsTest {
    private static final int[] LENGTHS = {0, 1, 7, 8, 9, 15, 16, 17, 31, 33, 100, 1001};
    private final Random rnd = new Random(2626);

    /** n random elements of t at byte {@code skew} of a heap segment (the bits, NaN and -0.0 among the floats). */
    private MemorySegment elements(DType t, int n, int skew) {
        int w = t.itemSize();
        byte[] raw = new byte[n * w + skew];
        rnd.nextBytes(raw);
        MemorySegment s = MemorySegment.ofArray(raw).asSlice(skew, (long) n * w);
        for (int i = 0; i < n; i++) {
            if (t == DType.FLOAT64 && rnd.nextInt(4) == 0) {
                s.setAtIndex(ValueLayout.JAVA_DOUBLE_UNALIGNED, i, new double[] {Double.NaN, -0.0, 0.0, Double.NEGATIVE_INFINITY}[rnd.nextInt(4)]);
            } else if (t == DType.FLOAT32 && rnd.nextInt(4) == 0) {
                s.setAtIndex(ValueLayout.JAVA_FLOAT_UNALIGNED, i, new float[] {Float.NaN, -0.0f, 0.0f, Float.POSITIVE_INFINITY}[rnd.nextInt(4)]);
            } else if (t == DType.BOOL) {
                s.set(ValueLayout.JAVA_BYTE, i, (byte) rnd.nextInt(3)); // 2: any nonzero byte is true
            }
        }
        return s;
    }

    /** The same elements every {@code step}-th of a larger heap segment: a strided run (the element-by-element path). */
    private static Strided strided(MemorySegment contiguous, DType t, int step) {
        int w = t.itemSize();
        long n = contiguous.byteSize() / w;
        MemorySegment big = MemorySegment.ofArray(new byte[(int) Math.max(1, n * w * step)]);
        for (long i = 0; i < n; i++) {
            MemorySegment.copy(contiguous, i * w, big, i * w * step, w);
        }
        return new Strided(big, t, 0, n, (long) w * step);
    }

    private static ByteBuffer buffer(MemorySegment s) {
        return s.asByteBuffer().order(ByteOrder.nativeOrder());
    }

    /** Element i as a double, as numpy converts it. */
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

    /** Element i as an integer (uint64: its bits; bool: 0 or 1). */
    private static long integer(ByteBuffer b, DType t, int i) {
        return t == DType.INT64 || t == DType.UINT64 ? b.getLong(i * 8) : (long) value(b, t, i);
    }

    private static byte[] bytes(MemorySegment s) {
        return s.toArray(ValueLayout.JAVA_BYTE);
    }

    @Test
    void takeOfEveryWidthWithInt64AndInt32IndicesMatchesAGatherByHand() {
        for (DType t : DType.values()) {
            int w = t.itemSize();
            for (int n : LENGTHS) {
                int len = n + 3;
                MemorySegment src = elements(t, len, n % 3 + 1);
                for (DType it : new DType[] {DType.INT64, DType.INT32}) {
                    MemorySegment idx = MemorySegment.ofArray(new byte[n * it.itemSize()]);
                    long[] ks = new long[n];
                    for (int i = 0; i < n; i++) {
                        ks[i] = rnd.nextInt(2 * len) - len; // negative ones count from the end
                        if (it == DType.INT64) {
                            idx.setAtIndex(ValueLayout.JAVA_LONG_UNALIGNED, i, ks[i]);
                        } else {
                            idx.setAtIndex(ValueLayout.JAVA_INT_UNALIGNED, i, (int) ks[i]);
                        }
                    }
                    byte[] expected = new byte[n * w + 1];
                    for (int i = 0; i < n; i++) {
                        MemorySegment.copy(src, (ks[i] < 0 ? ks[i] + len : ks[i]) * w, MemorySegment.ofArray(expected), (long) i * w, w);
                    }
                    byte[] out = new byte[n * w + 1]; // one byte more: it stays 0
                    Kernels.take(Strided.of(MemorySegment.ofArray(out).asSlice(0, (long) n * w), t), Strided.of(src, t), Strided.of(idx, it));
                    assertArrayEquals(expected, out, t + " by " + it + " n=" + n);
                    byte[] viaStrided = new byte[n * w];
                    Kernels.take(Strided.of(MemorySegment.ofArray(viaStrided), t), strided(src, t, 3), Strided.of(idx, it));
                    assertArrayEquals(Arrays.copyOf(expected, n * w), viaStrided, t + " strided source n=" + n);
                }
            }
        }
    }

    @Test
    void takeRefusesTheFirstIndexOutsideBeforeWritingAnything() {
        double[] src = {1, 2, 3, 4};
        for (long bad : new long[] {4, -5, Long.MAX_VALUE, Long.MIN_VALUE, Integer.MIN_VALUE}) {
            long[] idx = {0, 3, -4, bad, 99};
            double[] out = {7, 7, 7, 7, 7};
            IndexOutOfBoundsException e = assertThrows(IndexOutOfBoundsException.class, () -> Kernels.take(
                    Strided.of(MemorySegment.ofArray(out), DType.FLOAT64), Strided.of(MemorySegment.ofArray(src), DType.FLOAT64),
                    Strided.of(MemorySegment.ofArray(idx), DType.INT64)));
            assertTrue(e.getMessage().contains("index " + bad + " "), e.getMessage());
            assertArrayEquals(new double[] {7, 7, 7, 7, 7}, out, "nothing written");
        }
        int[] idx32 = {1, -4, 4};
        double[] out = {7, 7, 7};
        IndexOutOfBoundsException e = assertThrows(IndexOutOfBoundsException.class, () -> Kernels.take(
                Strided.of(MemorySegment.ofArray(out), DType.FLOAT64), Strided.of(MemorySegment.ofArray(src), DType.FLOAT64),
                Strided.of(MemorySegment.ofArray(idx32), DType.INT32)));
        assertTrue(e.getMessage().contains("index 4 "), e.getMessage());
        assertArrayEquals(new double[] {7, 7, 7}, out);
    }

    @Test
    void compressOfEveryWidthKeepsExactlyTheMaskedElementsInOrder() {
        for (DType t : DType.values()) {
            int w = t.itemSize();
            for (int n : LENGTHS) {
                for (int pattern = 0; pattern < 5; pattern++) {
                    MemorySegment src = elements(t, n, 1 + pattern % 2);
                    byte[] mask = new byte[n];
                    for (int i = 0; i < n; i++) {
                        mask[i] = (byte) switch (pattern) {
                            case 0 -> rnd.nextInt(2) * (1 + rnd.nextInt(200)); // random, any nonzero byte keeps
                            case 1 -> (i / 20) % 2;                              // runs of 20: bulk copies
                            case 2 -> 1;
                            case 3 -> 0;
                            default -> i % 9 == 4 ? 0 : 255;                     // long kept runs cut by single drops
                        };
                    }
                    ByteBuffer b = buffer(src);
                    byte[] expected = new byte[n * w + 8];
                    int kept = 0;
                    for (int i = 0; i < n; i++) {
                        if (mask[i] != 0) {
                            for (int k = 0; k < w; k++) {
                                expected[kept * w + k] = b.get(i * w + k);
                            }
                            kept++;
                        }
                    }
                    byte[] out = new byte[n * w + 8]; // room past the end: it stays 0
                    long got = Kernels.compress(Strided.of(MemorySegment.ofArray(out), t), Strided.of(src, t),
                            Strided.of(MemorySegment.ofArray(mask), DType.BOOL));
                    String where = t + " n=" + n + " pattern " + pattern;
                    assertEquals(kept, got, where);
                    assertArrayEquals(expected, out, where);
                    byte[] viaStrided = new byte[n * w + 8];
                    assertEquals(kept, Kernels.compress(Strided.of(MemorySegment.ofArray(viaStrided), t), strided(src, t, 2),
                            Strided.of(MemorySegment.ofArray(mask), DType.BOOL)), where);
                    assertArrayEquals(expected, viaStrided, where + " strided source");
                    if (kept > 0) { // a destination one element short is refused before anything is written
                        byte[] small = new byte[(kept - 1) * w];
                        assertThrows(IndexOutOfBoundsException.class, () -> Kernels.compress(Strided.of(MemorySegment.ofArray(small), t),
                                Strided.of(src, t), Strided.of(MemorySegment.ofArray(mask), DType.BOOL)), where);
                        assertArrayEquals(new byte[small.length], small, where);
                    }
                }
            }
        }
    }

    @Test
    void bincountOfEveryIntegerDtypeAgreesWithCountingByHand() {
        for (DType t : DType.values()) {
            if (t.isFloating()) {
                continue;
            }
            for (int n : LENGTHS) {
                int bins = t == DType.BOOL ? 2 + rnd.nextInt(3) : 1 + rnd.nextInt(100);
                MemorySegment keys = MemorySegment.ofArray(new byte[n * t.itemSize() + 1]).asSlice(1, (long) n * t.itemSize());
                long[] expected = new long[bins];
                for (int i = 0; i < n; i++) {
                    int k = rnd.nextInt(t == DType.BOOL ? 2 : bins);
                    Elements.setLong(keys, t, (long) i * t.itemSize(), k);
                    expected[k]++;
                }
                String where = t + " n=" + n;
                assertArrayEquals(expected, Kernels.bincount(Strided.of(keys, t), bins), where);
                assertArrayEquals(expected, Kernels.bincount(strided(keys, t, 3), bins), where + " strided");
            }
        }
    }

    @Test
    void bincountRefusesAKeyOutsideNamingItAndWhereItIs() {
        for (DType t : new DType[] {DType.INT8, DType.UINT8, DType.INT16, DType.UINT16, DType.INT32, DType.UINT32, DType.INT64, DType.UINT64}) {
            long[] bads = t == DType.INT8 ? new long[] {10, -1, -128} : new long[] {10, -1, t == DType.UINT8 ? 255 : 1000};
            for (long bad : bads) {
                MemorySegment keys = MemorySegment.ofArray(new byte[9 * t.itemSize()]);
                Elements.setLong(keys, t, 5L * t.itemSize(), bad);
                IndexOutOfBoundsException e = assertThrows(IndexOutOfBoundsException.class, () -> Kernels.bincount(Strided.of(keys, t), 10));
                long shown = Elements.getLong(keys, t, 5L * t.itemSize());
                assertEquals("bincount: key " + shown + " at 5 is outside [0, 10)", e.getMessage(), t + " " + bad);
            }
        }
    }

    @Test
    void groupSumWithInt32KeysOverEveryValueDtypeAddsInRowOrder() {
        for (DType t : DType.values()) {
            for (int n : LENGTHS) {
                int groups = 1 + rnd.nextInt(20);
                int[] keys = new int[n];
                for (int i = 0; i < n; i++) {
                    keys[i] = rnd.nextInt(groups);
                }
                MemorySegment values = elements(t, n, n % 5 + 1);
                ByteBuffer b = buffer(values);
                double[] expected = new double[groups];
                for (int i = 0; i < n; i++) {
                    expected[keys[i]] += value(b, t, i);
                }
                String where = t + " n=" + n;
                double[] got = Kernels.groupSum(Strided.of(MemorySegment.ofArray(keys), DType.INT32), Strided.of(values, t), groups);
                double[] viaStrided = Kernels.groupSum(Strided.of(MemorySegment.ofArray(keys), DType.INT32), strided(values, t, 2), groups);
                for (int g = 0; g < groups; g++) { // bit for bit: NaN stays NaN, -0.0 + -0.0 stays -0.0
                    assertEquals(Double.doubleToLongBits(expected[g]), Double.doubleToLongBits(got[g]), where + " group " + g);
                    assertEquals(Double.doubleToLongBits(expected[g]), Double.doubleToLongBits(viaStrided[g]), where + " strided, group " + g);
                }
            }
        }
    }

    @Test
    void groupSumRefusesAKeyOutsideForEveryValueDtype() {
        for (DType t : DType.values()) {
            for (int bad : new int[] {3, -1, Integer.MIN_VALUE}) {
                int[] keys = {0, 1, 2, bad, 0};
                MemorySegment values = elements(t, 5, 1);
                IndexOutOfBoundsException e = assertThrows(IndexOutOfBoundsException.class, () -> Kernels.groupSum(
                        Strided.of(MemorySegment.ofArray(keys), DType.INT32), Strided.of(values, t), 3));
                assertEquals("group_sum: key " + bad + " at 3 is outside [0, 3)", e.getMessage(), t.toString());
            }
        }
    }

    @Test
    void integerKeysWiderThanTheirValuesAreReadAsTheDtypeSays() {
        // uint8 255 and int8 -1 share their bits: one is a key of 256 bins, the other is outside
        byte[] raw = {(byte) 255, 0, 1};
        assertEquals(1, Kernels.bincount(Strided.of(MemorySegment.ofArray(raw), DType.UINT8), 256)[255]);
        assertThrows(IndexOutOfBoundsException.class, () -> Kernels.bincount(Strided.of(MemorySegment.ofArray(raw), DType.INT8), 256));
        assertEquals(255.0, Kernels.groupSum(Strided.of(MemorySegment.ofArray(new int[] {0, 1, 1}), DType.INT32),
                Strided.of(MemorySegment.ofArray(raw), DType.UINT8), 2)[0]);
        assertEquals(-1.0, Kernels.groupSum(Strided.of(MemorySegment.ofArray(new int[] {0, 1, 1}), DType.INT32),
                Strided.of(MemorySegment.ofArray(raw), DType.INT8), 2)[0]);
        long[] big = {-1L}; // uint64 2^64 - 1
        assertEquals(18446744073709551615.0, Kernels.groupSum(Strided.of(MemorySegment.ofArray(new int[] {0}), DType.INT32),
                Strided.of(MemorySegment.ofArray(big), DType.UINT64), 1)[0]);
    }

    @Test
    void whereOverSeveralBlocksAndWordsMatchesTheElementByElementPathAndTouchesNothingElse() {
        for (DType t : DType.values()) {
            for (int n : new int[] {2 * Loops.WHERE_BLOCK + 13, Loops.WHERE_BLOCK, 12, 3}) {
                MemorySegment s = elements(t, n, 1 + n % 3);
                ByteBuffer b = buffer(s);
                for (Compare op : Compare.values()) {
                    for (double th : new double[] {0, value(b, t, n / 3), value(b, t, n - 1), -1, 1e30, Double.NaN}) {
                        byte[] mask = new byte[n + 2];
                        Arrays.fill(mask, (byte) 7); // the bytes before and after stay 7
                        byte[] reference = new byte[n];
                        String where = t + " n=" + n + " x " + op.symbol() + " " + th;
                        long count = Kernels.where(Strided.of(MemorySegment.ofArray(mask).asSlice(1, n), DType.BOOL), Strided.of(s, t), op, th, false);
                        long refCount = Kernels.where(Strided.of(MemorySegment.ofArray(reference), DType.BOOL), strided(s, t, 2), op, th, false);
                        assertEquals(refCount, count, where);
                        assertEquals(count, Kernels.countWhere(Strided.of(s, t), op, th), where + " (count_where)");
                        assertArrayEquals(reference, Arrays.copyOfRange(mask, 1, n + 1), where);
                        assertEquals(7, mask[0], where + ": the byte before");
                        assertEquals(7, mask[n + 1], where + ": the byte after");
                    }
                }
            }
        }
    }

    @Test
    void boolMinAndMaxSeeEveryByteWhateverItsNonzeroValue() {
        for (int n : LENGTHS) {
            if (n == 0) {
                continue;
            }
            byte[] all = new byte[n + 1];
            for (int i = 0; i < all.length; i++) {
                all[i] = (byte) (1 + rnd.nextInt(255)); // nonzero, 0x80 and above included
            }
            MemorySegment s = MemorySegment.ofArray(all).asSlice(1, n);
            assertEquals(1, Kernels.minLong(Strided.of(s, DType.BOOL)), "all true, n=" + n);
            assertEquals(1, Kernels.maxLong(Strided.of(s, DType.BOOL)), "all true, n=" + n);
            for (int z = 0; z < n; z++) { // one false byte anywhere makes min 0
                byte keep = all[z + 1];
                all[z + 1] = 0;
                assertEquals(0, Kernels.minLong(Strided.of(s, DType.BOOL)), "false at " + z + ", n=" + n);
                all[z + 1] = keep;
            }
            byte[] none = new byte[n];
            assertEquals(0, Kernels.maxLong(Strided.of(MemorySegment.ofArray(none), DType.BOOL)), "all false, n=" + n);
            for (int z = 0; z < n; z++) { // one true byte anywhere makes max 1
                none[z] = (byte) 0x80;
                assertEquals(1, Kernels.maxLong(Strided.of(MemorySegment.ofArray(none), DType.BOOL)), "true at " + z + ", n=" + n);
                none[z] = 0;
            }
        }
    }

    /** min/max of bool stop at the first block that answers: the answer is right wherever in the run it lies. */
    @Test
    void boolMinAndMaxAnswerFromAnyBlock() {
        int n = 3 * 4096 + 13;
        for (int z : new int[]{0, 7, 4095, 4096, 4103, 8191, 8192, 3 * 4096 - 1, 3 * 4096, n - 1}) {
            byte[] all = new byte[n];
            Arrays.fill(all, (byte) 1);
            all[z] = 0;
            assertEquals(0, Kernels.minLong(Strided.of(MemorySegment.ofArray(all), DType.BOOL)), "false at " + z);
            byte[] none = new byte[n];
            none[z] = 2;
            assertEquals(1, Kernels.maxLong(Strided.of(MemorySegment.ofArray(none), DType.BOOL)), "true at " + z);
        }
        byte[] all = new byte[n];
        Arrays.fill(all, (byte) 1);
        assertEquals(1, Kernels.minLong(Strided.of(MemorySegment.ofArray(all), DType.BOOL)));
        assertEquals(0, Kernels.maxLong(Strided.of(MemorySegment.ofArray(new byte[n]), DType.BOOL)));
    }

    @Test
    void floatMinAndMaxKeepNumpysNanAndSignedZeroAnswers() {
        double[][] cases = {{0.0, -0.0}, {-0.0, 0.0}, {1, Double.NaN, -5}, {-Double.MAX_VALUE, Double.NEGATIVE_INFINITY},
                {Double.POSITIVE_INFINITY, Double.MIN_VALUE}, {-Double.MIN_VALUE, Double.MIN_VALUE}, {Double.NaN}};
        for (double[] c : cases) {
            for (int pad = 0; pad < 17; pad += 8) { // the same values after 0, 8 and 16 copies of 3.0
                double[] d = new double[c.length + pad];
                Arrays.fill(d, 3.0);
                System.arraycopy(c, 0, d, pad, c.length);
                float[] f = new float[d.length];
                double min = d[0];
                double max = d[0];
                for (int i = 0; i < d.length; i++) {
                    f[i] = (float) d[i];
                    min = Math.min(min, d[i]);
                    max = Math.max(max, d[i]);
                }
                float fmin = f[0];
                float fmax = f[0];
                for (float x : f) {
                    fmin = Math.min(fmin, x);
                    fmax = Math.max(fmax, x);
                }
                String where = Arrays.toString(d);
                assertEquals(Double.doubleToLongBits(min), Double.doubleToLongBits(Kernels.min(Strided.of(MemorySegment.ofArray(d), DType.FLOAT64))), where);
                assertEquals(Double.doubleToLongBits(max), Double.doubleToLongBits(Kernels.max(Strided.of(MemorySegment.ofArray(d), DType.FLOAT64))), where);
                assertEquals(Double.doubleToLongBits(fmin), Double.doubleToLongBits(Kernels.min(Strided.of(MemorySegment.ofArray(f), DType.FLOAT32))), where);
                assertEquals(Double.doubleToLongBits(fmax), Double.doubleToLongBits(Kernels.max(Strided.of(MemorySegment.ofArray(f), DType.FLOAT32))), where);
            }
        }
    }
}
