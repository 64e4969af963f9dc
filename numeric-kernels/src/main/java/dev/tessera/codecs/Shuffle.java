package dev.tessera.codecs;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;

/**
 * HDF5's and Blosc's byte shuffle undone: the input holds byte 0 of every element, then byte 1 of every element,
 * and so on; {@code out[i * width + b] = in[b * count + i]}, trailing bytes ({@code bytes % width}) copied as they
 * are. For widths 2, 4 and 8 eight elements are done at once: one 8-byte word read from each byte plane, the
 * 8 x width byte block transposed in registers (swaps of 4-, 2- and 1-byte lanes), whole words stored: word
 * reads and writes instead of one byte access per byte.
 */
public final class Shuffle {
    private static final ValueLayout.OfLong LONG = ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfInt INT = ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

    private Shuffle() {
    }

    public static void unshuffle(MemorySegment in, MemorySegment out, long bytes, int width) {
        if (bytes > in.byteSize() || bytes > out.byteSize()) {
            throw new IndexOutOfBoundsException("unshuffle of " + bytes + " bytes between segments of " + in.byteSize() + " and "
                    + out.byteSize());
        }
        long count = bytes / width;
        long done = 0; // elements unshuffled by the fast loops
        if (width == 8) {
            done = unshuffle8(in, out, count);
        } else if (width == 4) {
            done = unshuffle4(in, out, count);
        } else if (width == 2) {
            done = unshuffle2(in, out, count);
        } else if (width == 1) {
            done = count;
            MemorySegment.copy(in, 0, out, 0, count);
        }
        for (int b = 0; b < width && done < count; b++) { // the rest, byte by byte
            long base = b * count;
            for (long i = done; i < count; i++) {
                out.set(ValueLayout.JAVA_BYTE, i * width + b, in.get(ValueLayout.JAVA_BYTE, base + i));
            }
        }
        long whole = count * width;
        MemorySegment.copy(in, whole, out, whole, bytes - whole);
    }

    /**
     * Elements per call of the word loops (a multiple of 8). A loop that runs once over a whole chunk is compiled on
     * stack inside its first call, and that code is dropped when the loop exits; a method called per block is
     * compiled as a method, after a number of calls that the launcher's flags lower for this class
     * ({@code CompileThresholdScaling}, see the parent pom): in a new JVM the first 160 MB HDF5 gzip+shuffle read
     * then took 299 ms (median of 8) instead of 720, its unshuffle running interpreted for a chunk or so, not ten.
     */
    private static final long BLOCK = 1024;

    private static long unshuffle8(MemorySegment in, MemorySegment out, long count) {
        long n = count & ~7L;
        for (long at = 0; at < n; at += BLOCK) {
            unshuffle8(in, out, count, at, Math.min(n, at + BLOCK));
        }
        return n;
    }

    private static void unshuffle8(MemorySegment in, MemorySegment out, long count, long from, long to) {
        long c = count;
        for (long i = from; i < to; i += 8) {
            long r0 = in.get(LONG, i);
            long r1 = in.get(LONG, c + i);
            long r2 = in.get(LONG, 2 * c + i);
            long r3 = in.get(LONG, 3 * c + i);
            long r4 = in.get(LONG, 4 * c + i);
            long r5 = in.get(LONG, 5 * c + i);
            long r6 = in.get(LONG, 6 * c + i);
            long r7 = in.get(LONG, 7 * c + i);
            // rows r_b hold byte b of elements i..i+7 (element i+k in byte k); transpose the 8x8 byte matrix
            long t;
            t = ((r0 >>> 32) ^ r4) & 0xFFFFFFFFL; r0 ^= t << 32; r4 ^= t;
            t = ((r1 >>> 32) ^ r5) & 0xFFFFFFFFL; r1 ^= t << 32; r5 ^= t;
            t = ((r2 >>> 32) ^ r6) & 0xFFFFFFFFL; r2 ^= t << 32; r6 ^= t;
            t = ((r3 >>> 32) ^ r7) & 0xFFFFFFFFL; r3 ^= t << 32; r7 ^= t;
            t = ((r0 >>> 16) ^ r2) & 0x0000FFFF0000FFFFL; r0 ^= t << 16; r2 ^= t;
            t = ((r1 >>> 16) ^ r3) & 0x0000FFFF0000FFFFL; r1 ^= t << 16; r3 ^= t;
            t = ((r4 >>> 16) ^ r6) & 0x0000FFFF0000FFFFL; r4 ^= t << 16; r6 ^= t;
            t = ((r5 >>> 16) ^ r7) & 0x0000FFFF0000FFFFL; r5 ^= t << 16; r7 ^= t;
            t = ((r0 >>> 8) ^ r1) & 0x00FF00FF00FF00FFL; r0 ^= t << 8; r1 ^= t;
            t = ((r2 >>> 8) ^ r3) & 0x00FF00FF00FF00FFL; r2 ^= t << 8; r3 ^= t;
            t = ((r4 >>> 8) ^ r5) & 0x00FF00FF00FF00FFL; r4 ^= t << 8; r5 ^= t;
            t = ((r6 >>> 8) ^ r7) & 0x00FF00FF00FF00FFL; r6 ^= t << 8; r7 ^= t;
            long o = i * 8;
            out.set(LONG, o, r0);
            out.set(LONG, o + 8, r1);
            out.set(LONG, o + 16, r2);
            out.set(LONG, o + 24, r3);
            out.set(LONG, o + 32, r4);
            out.set(LONG, o + 40, r5);
            out.set(LONG, o + 48, r6);
            out.set(LONG, o + 56, r7);
        }
    }

    private static long unshuffle4(MemorySegment in, MemorySegment out, long count) {
        long n = count & ~3L;
        for (long at = 0; at < n; at += BLOCK) {
            unshuffle4(in, out, count, at, Math.min(n, at + BLOCK));
        }
        return n;
    }

    private static void unshuffle4(MemorySegment in, MemorySegment out, long count, long from, long to) {
        long c = count;
        for (long i = from; i < to; i += 4) {
            int r0 = in.get(INT, i);
            int r1 = in.get(INT, c + i);
            int r2 = in.get(INT, 2 * c + i);
            int r3 = in.get(INT, 3 * c + i);
            int t;
            t = ((r0 >>> 16) ^ r2) & 0xFFFF; r0 ^= t << 16; r2 ^= t;
            t = ((r1 >>> 16) ^ r3) & 0xFFFF; r1 ^= t << 16; r3 ^= t;
            t = ((r0 >>> 8) ^ r1) & 0x00FF00FF; r0 ^= t << 8; r1 ^= t;
            t = ((r2 >>> 8) ^ r3) & 0x00FF00FF; r2 ^= t << 8; r3 ^= t;
            long o = i * 4;
            out.set(INT, o, r0);
            out.set(INT, o + 4, r1);
            out.set(INT, o + 8, r2);
            out.set(INT, o + 12, r3);
        }
    }

    private static long unshuffle2(MemorySegment in, MemorySegment out, long count) {
        long n = count & ~3L;
        for (long at = 0; at < n; at += BLOCK) {
            unshuffle2(in, out, count, at, Math.min(n, at + BLOCK));
        }
        return n;
    }

    private static void unshuffle2(MemorySegment in, MemorySegment out, long count, long from, long to) {
        for (long i = from; i < to; i += 4) {
            long lo = spread(in.get(INT, i) & 0xFFFFFFFFL);
            long hi = spread(in.get(INT, count + i) & 0xFFFFFFFFL);
            out.set(LONG, i * 2, lo | hi << 8);
        }
    }

    /** The 4 bytes of {@code x} moved to bytes 0, 2, 4, 6. */
    private static long spread(long x) {
        x = (x | x << 16) & 0x0000FFFF0000FFFFL;
        return (x | x << 8) & 0x00FF00FF00FF00FFL;
    }

    /** HDF5's shuffle (the inverse of {@link #unshuffle}), for writers of test data. */
    public static void shuffle(MemorySegment in, MemorySegment out, long bytes, int width) {
        long count = bytes / width;
        for (int b = 0; b < width; b++) {
            long base = b * count;
            for (long i = 0; i < count; i++) {
                out.set(ValueLayout.JAVA_BYTE, base + i, in.get(ValueLayout.JAVA_BYTE, i * width + b));
            }
        }
        long done = count * width;
        MemorySegment.copy(in, done, out, done, bytes - done);
    }
}
