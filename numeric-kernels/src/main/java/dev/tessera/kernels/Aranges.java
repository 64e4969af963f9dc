package dev.tessera.kernels;

import java.lang.foreign.MemorySegment;

/**
 * {@code dst[i] = start + i * step} into a contiguous run, a method per width (as {@link Fills}), wrapping to the
 * width as numpy's casts do. An 8- or 16-bit run repeats itself: {@code start + i * step} modulo 2^8 (2^16) has a
 * period dividing 256 (65,536) elements, so one period is computed and then copied along ({@link Fills#repeat}), at
 * the speed of a fill instead of a store computed per element.
 */
final class Aranges {
    private Aranges() {
    }

    static void arange1(MemorySegment s, long n, long start, long step) {
        long head = Math.min(n, 256);
        for (int i = 0; i < head; i++) {
            s.set(Loops.I8, i, (byte) (start + i * step));
        }
        Fills.repeat(s, head);
    }

    static void arange2(MemorySegment s, long n, long start, long step) {
        long head = Math.min(n, 1 << 16);
        for (int i = 0; i < head; i++) {
            s.setAtIndex(Loops.I16, i, (short) (start + i * step));
        }
        Fills.repeat(s, head * 2);
    }

    /** In 32-bit arithmetic (the low 32 bits of the 64-bit answer are the same), an int counter per 2^30 elements. */
    static void arange4(MemorySegment s, long n, long start, long step) {
        int st = (int) step;
        for (long at = 0; at < n; at += 1 << 30) {
            int m = (int) Math.min(1 << 30, n - at);
            int first = (int) (start + at * step);
            MemorySegment run = s.asSlice(at * 4, m * 4L);
            for (int i = 0; i < m; i++) {
                run.setAtIndex(Loops.I32, i, first + i * st);
            }
        }
    }

    /** Computed in float64, then rounded to float32 (as the element-wise path did). */
    static void arangeFloat32(MemorySegment s, long n, double start, double step) {
        for (long i = 0; i < n; i++) {
            s.setAtIndex(Loops.F32, i, (float) (start + i * step));
        }
    }
}
