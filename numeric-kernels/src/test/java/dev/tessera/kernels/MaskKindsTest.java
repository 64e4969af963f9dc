package dev.tessera.kernels;

import static org.junit.jupiter.api.Assertions.*;

import dev.tessera.shm.DType;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * logical_and and group_sum's where over every mix of heap segments (a Python bytearray) and host memory, in place,
 * at byte offsets that are not word-aligned, and for lengths around the word (8) and the block these loops copy
 * masks through (4096 bytes), against a plain reference.
 */
class MaskKindsTest {
    private static final int[] LENGTHS = {0, 1, 7, 8, 9, 4095, 4096, 4097, 3 * 4096 + 13};
    private final Random rnd = new Random(27);

    /** A run of n bytes (0, 1 or another nonzero value, the sign bit's alone too) in the heap or in host memory, starting at byte skew. */
    private MemorySegment bytes(int n, boolean nativeMemory, int skew, Arena arena) {
        MemorySegment s = nativeMemory ? arena.allocate(n + skew + 1).asSlice(skew, n)
                : MemorySegment.ofArray(new byte[n + skew + 1]).asSlice(skew, n);
        for (int i = 0; i < n; i++) {
            s.set(ValueLayout.JAVA_BYTE, i, (byte) new int[] {0, 1, 0, 7, -1, 0, -128}[rnd.nextInt(7)]);
        }
        return s;
    }

    @Test
    void logicalAndOverEveryMixOfHeapAndHostMemory() {
        try (Arena arena = Arena.ofConfined()) {
            for (int n : LENGTHS) {
                for (int kinds = 0; kinds < 8; kinds++) {
                    for (boolean inPlace : new boolean[] {false, true}) {
                        MemorySegment a = bytes(n, (kinds & 1) != 0, kinds % 3, arena);
                        MemorySegment b = bytes(n, (kinds & 2) != 0, 1, arena);
                        MemorySegment d = inPlace ? a : bytes(n, (kinds & 4) != 0, 2, arena);
                        byte[] want = new byte[n];
                        long wantCount = 0;
                        for (int i = 0; i < n; i++) {
                            boolean hit = a.get(ValueLayout.JAVA_BYTE, i) != 0 && b.get(ValueLayout.JAVA_BYTE, i) != 0;
                            want[i] = (byte) (hit ? 1 : 0);
                            wantCount += hit ? 1 : 0;
                        }
                        long count = Kernels.logicalAnd(Strided.of(d, DType.BOOL), Strided.of(a, DType.BOOL), Strided.of(b, DType.BOOL));
                        String where = "n=" + n + " kinds=" + kinds + " inPlace=" + inPlace;
                        assertEquals(wantCount, count, where);
                        assertArrayEquals(want, d.toArray(ValueLayout.JAVA_BYTE), where);
                    }
                }
            }
        }
    }

    @Test
    void groupSumWhereOverAHeapOrHostMaskAddsTheKeptRowsOnly() {
        try (Arena arena = Arena.ofConfined()) {
            for (int n : LENGTHS) {
                for (boolean nativeMask : new boolean[] {false, true}) {
                    MemorySegment keys = arena.allocate(4L * n + 4, 4).asSlice(0, 4L * n);
                    MemorySegment values = arena.allocate(8L * n + 8, 8).asSlice(0, 8L * n);
                    MemorySegment mask = bytes(n, nativeMask, 3, arena);
                    double[] want = new double[10];
                    for (int i = 0; i < n; i++) {
                        boolean kept = mask.get(ValueLayout.JAVA_BYTE, i) != 0;
                        int key = kept ? rnd.nextInt(10) : rnd.nextInt(30) - 10; // a row left out may hold any key
                        double v = rnd.nextInt(1000) / 8.0;
                        keys.setAtIndex(ValueLayout.JAVA_INT, i, key);
                        values.setAtIndex(ValueLayout.JAVA_DOUBLE, i, v);
                        if (kept) {
                            want[key] += v;
                        }
                    }
                    double[] got = Kernels.groupSum(Strided.of(keys, DType.INT32), Strided.of(values, DType.FLOAT64), 10,
                            Strided.of(mask, DType.BOOL));
                    assertArrayEquals(want, got, "n=" + n + " nativeMask=" + nativeMask);
                }
            }
        }
    }

    @Test
    void groupSumWhereIsBitForBitTheLoopThatSkipsTheRowsLeftOut() {
        // NaN and the infinities in rows left out must not reach a sum (a row left out adds -0.0); kept ones do
        double[] special = {Double.NaN, Double.POSITIVE_INFINITY, Double.NEGATIVE_INFINITY, -0.0, 0.0, 1.5, -2.25};
        for (int n : LENGTHS) {
            int[] keys = new int[n];
            double[] values = new double[n];
            MemorySegment mask = bytes(n, false, 0, null);
            double[] want = new double[5]; // sums start at 0.0, as numpy.bincount's do
            for (int i = 0; i < n; i++) {
                keys[i] = rnd.nextInt(5);
                values[i] = special[rnd.nextInt(special.length)];
                if (mask.get(ValueLayout.JAVA_BYTE, i) != 0) {
                    want[keys[i]] += values[i];
                }
            }
            double[] got = Kernels.groupSum(Strided.of(MemorySegment.ofArray(keys), DType.INT32),
                    Strided.of(MemorySegment.ofArray(values), DType.FLOAT64), 5, Strided.of(mask, DType.BOOL));
            for (int g = 0; g < 5; g++) {
                assertEquals(Double.doubleToLongBits(want[g]), Double.doubleToLongBits(got[g]), "n=" + n + " key " + g
                        + ": " + got[g] + " vs " + want[g]);
            }
        }
    }

    @Test
    void groupSumWhereRefusesAKeptKeyOutsideEvenPastTheFirstBlock() {
        int n = 4096 + 100;
        MemorySegment keys = MemorySegment.ofArray(new int[n]);
        MemorySegment values = MemorySegment.ofArray(new double[n]);
        byte[] m = new byte[n];
        keys.setAtIndex(ValueLayout.JAVA_INT, 4096 + 50, 99);
        m[4096 + 50] = 1;
        IndexOutOfBoundsException e = assertThrows(IndexOutOfBoundsException.class, () -> Kernels.groupSum(
                Strided.of(keys, DType.INT32), Strided.of(values, DType.FLOAT64), 10, Strided.of(MemorySegment.ofArray(m), DType.BOOL)));
        assertTrue(e.getMessage().contains("key 99 at 4146"), e.getMessage());
    }
}
