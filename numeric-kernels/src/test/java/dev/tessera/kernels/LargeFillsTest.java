package dev.tessera.kernels;

import static org.junit.jupiter.api.Assertions.*;

import dev.tessera.shm.DType;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import org.junit.jupiter.api.Test;

/**
 * fill and arange over runs large enough for the C library's paths ({@link Fills#NATIVE_FROM}: memset, a
 * block copied along) and the same runs on the heap, where Java's loops fill them: both against a plain loop, every
 * element, with odd lengths (runs of an odd address, not a whole number of blocks) and the bytes around untouched.
 */
class LargeFillsTest {
    /** Elements of each width: over NATIVE_FROM bytes, not a whole number of blocks, odd. */
    private static long count(DType t) {
        return (5 * Fills.NATIVE_FROM / 2 + 12_345) / t.itemSize() | 1; // arange copies a 1 MiB block along twice
    }

    /** A run of n elements with a guard byte (0x5A) on each side, in host memory or on the heap. */
    private static MemorySegment run(Arena arena, DType t, long n, boolean host) {
        long bytes = n * t.itemSize() + 2;
        MemorySegment all = host ? arena.allocate(bytes, 8) : MemorySegment.ofArray(new byte[(int) bytes]);
        all.fill((byte) 0x5A);
        return all;
    }

    private static MemorySegment inner(MemorySegment all, DType t, long n) {
        return all.asSlice(1, n * t.itemSize());
    }

    private static void assertGuards(MemorySegment all, String what) {
        assertEquals(0x5A, all.get(ValueLayout.JAVA_BYTE, 0), what + ": the byte before is untouched");
        assertEquals(0x5A, all.get(ValueLayout.JAVA_BYTE, all.byteSize() - 1), what + ": the byte after is untouched");
    }

    private static long bits(MemorySegment s, DType t, long i) {
        return switch (t.itemSize()) {
            case 1 -> s.get(ValueLayout.JAVA_BYTE, i) & 0xFFL;
            case 2 -> s.getAtIndex(ValueLayout.JAVA_SHORT_UNALIGNED, i) & 0xFFFFL;
            case 4 -> s.getAtIndex(ValueLayout.JAVA_INT_UNALIGNED, i) & 0xFFFF_FFFFL;
            default -> s.getAtIndex(ValueLayout.JAVA_LONG_UNALIGNED, i);
        };
    }

    @Test
    void largeFillsOfEveryDtypeInHostMemoryAndOnTheHeapWriteEveryElementAndNothingElse() {
        assertTrue(Fills.nativeFills(), "glibc's memset and memcpy are found on Linux");
        double[] values = {1.5, -3.0, 0.0, 7.0};
        try (Arena arena = Arena.ofConfined()) {
            for (DType t : DType.values()) {
                long n = count(t);
                for (boolean host : new boolean[] {true, false}) {
                    for (double v : values) {
                        if (!Elements.isFloat(t) && t != DType.BOOL && (v != Math.rint(v) || v < 0 && t.name().startsWith("U"))) {
                            continue;
                        }
                        MemorySegment all = run(arena, t, n, host);
                        MemorySegment s = inner(all, t, n);
                        Kernels.fill(Strided.of(s, t), v);
                        MemorySegment one = MemorySegment.ofArray(new byte[t.itemSize()]);
                        Elements.setDouble(one, t, 0, v);
                        long expected = bits(one, t, 0);
                        String what = t + " fill " + v + (host ? " (host)" : " (heap)");
                        for (long i = 0; i < n; i++) {
                            if (bits(s, t, i) != expected) {
                                fail(what + ": element " + i + " of " + n + " is " + Long.toHexString(bits(s, t, i)) + ", not "
                                        + Long.toHexString(expected));
                            }
                        }
                        assertGuards(all, what);
                    }
                }
            }
        }
    }

    @Test
    void largeArangesOfEveryIntegerWidthAndFloat32WrapAsTheElementWiseStoreDoes() {
        long[][] startsAndSteps = {{0, 1}, {-7, 3}, {100, -1}, {5, 257}, {Long.MAX_VALUE - 5, 1_000_003}};
        try (Arena arena = Arena.ofConfined()) {
            for (DType t : new DType[] {DType.INT8, DType.UINT8, DType.INT16, DType.UINT16, DType.INT32, DType.UINT32,
                    DType.INT64, DType.FLOAT32}) {
                long n = count(t);
                for (boolean host : new boolean[] {true, false}) {
                    for (long[] ss : startsAndSteps) {
                        MemorySegment all = run(arena, t, n, host);
                        MemorySegment s = inner(all, t, n);
                        Kernels.arange(Strided.of(s, t), ss[0], ss[1]);
                        MemorySegment one = MemorySegment.ofArray(new byte[8]);
                        String what = t + " arange(" + ss[0] + ", step " + ss[1] + ")" + (host ? " (host)" : " (heap)");
                        for (long i = 0; i < n; i++) {
                            if (t == DType.FLOAT32) {
                                Elements.setDouble(one, t, 0, (double) ss[0] + i * (double) ss[1]);
                            } else {
                                Elements.setLong(one, t, 0, ss[0] + i * ss[1]);
                            }
                            if (bits(s, t, i) != bits(one, t, 0)) {
                                fail(what + ": element " + i + " is " + Long.toHexString(bits(s, t, i)) + ", not " + Long.toHexString(bits(one, t, 0)));
                            }
                        }
                        assertGuards(all, what);
                    }
                }
            }
        }
    }

    @Test
    void anArangeShorterThanOnePeriodAndAnEmptyOneAreExact() {
        for (DType t : new DType[] {DType.INT8, DType.INT16, DType.INT32}) {
            for (int n : new int[] {0, 1, 255, 256, 257, 65_537}) {
                MemorySegment s = MemorySegment.ofArray(new byte[n * t.itemSize()]);
                Kernels.arange(Strided.of(s, t), 3, 5);
                MemorySegment one = MemorySegment.ofArray(new byte[8]);
                for (int i = 0; i < n; i++) {
                    Elements.setLong(one, t, 0, 3 + 5L * i);
                    assertEquals(bits(one, t, 0), bits(s, t, i), t + " n=" + n + " at " + i);
                }
            }
        }
    }
}
