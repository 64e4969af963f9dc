package dev.tessera.kernels;

import java.lang.foreign.MemorySegment;

/**
 * Fill loops by element width (the bit pattern of any dtype of that width; one-byte patterns and uniform ones are a
 * memset instead). A method per width, so that a float64 fill and an int32 fill never share compiled code.
 */
final class Fills {
    private Fills() {
    }

    static void fill8(MemorySegment s, long n, long bits) {
        for (long i = 0; i < n; i++) {
            s.setAtIndex(Loops.I64, i, bits);
        }
    }

    static void fill4(MemorySegment s, long n, int bits) {
        for (long i = 0; i < n; i++) {
            s.setAtIndex(Loops.I32, i, bits);
        }
    }

    static void fill2(MemorySegment s, long n, short bits) {
        for (long i = 0; i < n; i++) {
            s.setAtIndex(Loops.I16, i, bits);
        }
    }
}
