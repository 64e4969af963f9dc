package dev.tessera.kernels;

import static org.junit.jupiter.api.Assertions.*;

import dev.tessera.shm.ArrayStore;
import dev.tessera.shm.DType;
import dev.tessera.shm.SharedArray;
import java.io.ByteArrayOutputStream;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.Random;
import java.util.zip.Deflater;
import java.util.zip.DeflaterOutputStream;
import io.airlift.compress.v3.lz4.Lz4JavaCompressor;
import io.airlift.compress.v3.zstd.ZstdJavaCompressor;
import org.junit.jupiter.api.Test;

/** The Java API of the kernels: results against plain loops, checks made once, closed memory refused. */
class KernelsTest {
    final Random rnd = new Random(7);

    @Test
    void fillSumMinMaxOnEveryLengthAroundTheSumLanes() {
        try (ArrayStore store = new ArrayStore()) {
            for (int n : new int[] {0, 1, 15, 16, 17, 33, 1000}) {
                SharedArray a = store.allocate(DType.FLOAT64, n);
                Strided s = Strided.of(a);
                Kernels.fill(s, 2.5);
                assertEquals(2.5 * n, Kernels.sum(s), 0.0);
                double ref = 0;
                for (int i = 0; i < n; i++) {
                    double x = rnd.nextGaussian();
                    a.setDouble(i, x);
                    ref += x;
                }
                assertEquals(ref, Kernels.sum(s), 1e-9);
                if (n > 0) {
                    double min = Double.MAX_VALUE;
                    for (int i = 0; i < n; i++) {
                        min = Math.min(min, a.getDouble(i));
                    }
                    assertEquals(min, Kernels.min(s));
                } else {
                    assertThrows(IllegalArgumentException.class, () -> Kernels.min(s));
                }
                a.close();
            }
        }
    }

    @Test
    void integerFillsAreCheckedAgainstTheDtype() {
        try (ArrayStore store = new ArrayStore()) {
            SharedArray a = store.allocate(DType.UINT8, 10);
            Strided s = Strided.of(a);
            Kernels.fill(s, 255);
            assertEquals(2550L, Kernels.sumLong(s));
            assertThrows(ArithmeticException.class, () -> Kernels.fill(s, 256));
            assertThrows(ArithmeticException.class, () -> Kernels.fill(s, -1));
            assertThrows(Strided.ReadOnlyException.class, () -> Kernels.fill(Strided.of(a.segment().asReadOnly(), DType.UINT8), 1));
        }
    }

    @Test
    void stridedRunsAreCheckedOnceWhenMade() {
        MemorySegment seg = MemorySegment.ofArray(new double[10]);
        assertThrows(IndexOutOfBoundsException.class, () -> new Strided(seg, DType.FLOAT64, 0, 11, 8));
        assertThrows(IndexOutOfBoundsException.class, () -> new Strided(seg, DType.FLOAT64, 16, 5, 16)); // the last would end at 88
        Strided everyOther = new Strided(seg, DType.FLOAT64, 8, 5, 16);
        Kernels.arange(everyOther, 1.0, 1.0);
        assertEquals(15.0, Kernels.sum(new Strided(seg, DType.FLOAT64, 0, 10, 8)));
        Strided backwards = new Strided(seg, DType.FLOAT64, 72, 10, -8);
        assertEquals(5.0, Kernels.max(backwards));
    }

    @Test
    void aClosedArrayFailsInsideTheKernelNotWithAReadOfFreedMemory() {
        ArrayStore store = new ArrayStore();
        SharedArray a = store.allocate(DType.FLOAT64, 1000);
        Strided s = Strided.of(a);
        a.close();
        assertThrows(IllegalStateException.class, () -> Kernels.sum(s));
        assertThrows(IllegalStateException.class, () -> Kernels.fill(s, 1.0));
        store.close();
    }

    @Test
    void unshuffleInvertsShuffleForEveryWidthWithTrailingBytes() {
        java.util.Random random = new java.util.Random(7);
        for (int width : new int[] {1, 2, 3, 4, 8, 16}) {
            for (int bytes : new int[] {0, 1, width, 7 * width + 3, 1001}) {
                byte[] original = new byte[bytes];
                random.nextBytes(original);
                byte[] shuffled = new byte[bytes];
                byte[] back = new byte[bytes];
                Decompression.shuffle(MemorySegment.ofArray(original), MemorySegment.ofArray(shuffled), bytes, width);
                long count = bytes / width;
                for (long i = 0; i < count; i++) { // the definition, byte by byte
                    for (int b = 0; b < width; b++) {
                        assertEquals(original[(int) (i * width + b)], shuffled[(int) (b * count + i)], "width " + width);
                    }
                }
                Decompression.unshuffle(MemorySegment.ofArray(shuffled), MemorySegment.ofArray(back), bytes, width);
                org.junit.jupiter.api.Assertions.assertArrayEquals(original, back, "width " + width + ", " + bytes + " bytes");
            }
        }
    }

    @Test
    void decompressesEveryCodecStraightIntoTheDestinationWithAndWithoutShuffle() throws Exception {
        int n = 5000;
        double[] values = new double[n];
        for (int i = 0; i < n; i++) {
            values[i] = (i % 101) * 0.5;
        }
        MemorySegment raw = MemorySegment.ofArray(values);
        byte[] rawBytes = raw.toArray(ValueLayout.JAVA_BYTE);
        byte[] shuffled = new byte[rawBytes.length];
        Decompression.shuffle(raw, MemorySegment.ofArray(shuffled), rawBytes.length, 8);
        try (ArrayStore store = new ArrayStore()) {
            SharedArray dst = store.allocate(DType.FLOAT64, n);
            Strided s = Strided.of(dst);
            for (Codec codec : Codec.values()) {
                for (boolean shuffle : new boolean[] {false, true}) {
                    Kernels.fill(s, 0.0);
                    byte[] data = compress(codec, shuffle ? shuffled : rawBytes);
                    assertEquals(rawBytes.length, Decompression.decompressInto(s, MemorySegment.ofArray(data), codec, shuffle), codec + " " + shuffle);
                    for (int i = 0; i < n; i += 97) {
                        assertEquals(values[i], dst.getDouble(i), codec + " shuffle " + shuffle + " at " + i);
                    }
                }
            }
            byte[] zlib = compress(Codec.ZLIB, rawBytes);
            Strided small = new Strided(dst.segment(), DType.FLOAT64, 0, 10, 8);
            var tooBig = assertThrows(IllegalArgumentException.class, () -> Decompression.decompressInto(small, MemorySegment.ofArray(zlib), Codec.ZLIB, false));
            assertTrue(tooBig.getMessage().contains("more than"), tooBig.getMessage());
            byte[] cut = java.util.Arrays.copyOf(zlib, zlib.length / 2);
            var truncated = assertThrows(IllegalArgumentException.class, () -> Decompression.decompressInto(s, MemorySegment.ofArray(cut), Codec.ZLIB, false));
            assertTrue(truncated.getMessage().contains("truncated"), truncated.getMessage());
        }
    }

    static byte[] compress(Codec codec, byte[] raw) throws Exception {
        switch (codec) {
            case ZLIB, DEFLATE -> {
                ByteArrayOutputStream out = new ByteArrayOutputStream();
                try (DeflaterOutputStream z = new DeflaterOutputStream(out, new Deflater(6, codec == Codec.DEFLATE))) {
                    z.write(raw);
                }
                return out.toByteArray();
            }
            case ZSTD -> {
                ZstdJavaCompressor c = new ZstdJavaCompressor();
                byte[] out = new byte[c.maxCompressedLength(raw.length)];
                return java.util.Arrays.copyOf(out, c.compress(raw, 0, raw.length, out, 0, out.length));
            }
            case LZ4 -> {
                Lz4JavaCompressor c = new Lz4JavaCompressor();
                byte[] out = new byte[c.maxCompressedLength(raw.length)];
                return java.util.Arrays.copyOf(out, c.compress(raw, 0, raw.length, out, 0, out.length));
            }
        }
        throw new AssertionError(codec);
    }
}
