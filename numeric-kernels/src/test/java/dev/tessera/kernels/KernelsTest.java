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
    void whereAndCountWhereOnFloat64AgreeWithPlainComparisonsForEveryOpAndLength() {
        double[] specials = {Double.NaN, 0.0, -0.0, 1.0, -1.0, Double.POSITIVE_INFINITY, Double.NEGATIVE_INFINITY, 0.5};
        for (int n : new int[] {0, 1, 7, 8, 9, 17, 1001}) {
            double[] x = new double[n];
            for (int i = 0; i < n; i++) {
                x[i] = rnd.nextInt(4) == 0 ? specials[rnd.nextInt(specials.length)] : rnd.nextInt(5) - 2;
            }
            MemorySegment data = MemorySegment.ofArray(x);
            for (Compare op : Compare.values()) {
                for (double v : new double[] {0.0, 1.0, Double.NaN, -0.0}) {
                    byte[] mask = new byte[n];
                    byte[] strided = new byte[2 * n];
                    long count = Kernels.countWhere(Strided.of(data, DType.FLOAT64), op, v);
                    long written = Kernels.where(Strided.of(MemorySegment.ofArray(mask), DType.BOOL), Strided.of(data, DType.FLOAT64), op, v, false);
                    // the general path: a mask with a stride of 2
                    long general = Kernels.where(new Strided(MemorySegment.ofArray(strided), DType.BOOL, 0, n, 2), Strided.of(data, DType.FLOAT64), op, v, false);
                    long expected = 0;
                    for (int i = 0; i < n; i++) {
                        boolean hit = op.test(x[i], v);
                        expected += hit ? 1 : 0;
                        assertEquals(hit ? 1 : 0, mask[i], op + " " + v + " at " + i + " of " + n + " (" + x[i] + ")");
                        assertEquals(mask[i], strided[2 * i]);
                    }
                    assertEquals(expected, count, op + " " + v + " n=" + n);
                    assertEquals(expected, written);
                    assertEquals(expected, general);
                }
            }
        }
    }

    @Test
    void contiguousLoopsOfEveryDtypeAgreeWithTheStridedGeneralPath() {
        int n = 1037; // not a multiple of the sum lanes
        for (DType t : DType.values()) {
            int w = t.itemSize();
            byte[] bytes = new byte[n * w];
            rnd.nextBytes(bytes);
            if (Elements.isFloat(t)) { // finite values, so the sums are comparable exactly
                MemorySegment seg = MemorySegment.ofArray(bytes);
                for (int i = 0; i < n; i++) {
                    Elements.setDouble(seg, t, (long) i * w, rnd.nextInt(2001) - 1000);
                }
            } else if (t == DType.BOOL) {
                for (int i = 0; i < n; i++) {
                    bytes[i] = (byte) (rnd.nextInt(3) == 0 ? 0 : 1);
                }
            }
            byte[] spread = new byte[2 * n * w]; // the same elements, every other slot: the general, strided path
            for (int i = 0; i < n; i++) {
                System.arraycopy(bytes, i * w, spread, 2 * i * w, w);
            }
            Strided contiguous = Strided.of(MemorySegment.ofArray(bytes), t);
            Strided strided = new Strided(MemorySegment.ofArray(spread), t, 0, n, 2L * w);
            assertEquals(Kernels.sum(strided), Kernels.sum(contiguous), t + " sum");
            if (!Elements.isFloat(t)) {
                assertEquals(Kernels.sumLong(strided), Kernels.sumLong(contiguous), t + " sumLong");
            }
            for (DType to : new DType[] {DType.FLOAT64, DType.FLOAT32, DType.INT64}) {
                byte[] fast = new byte[n * to.itemSize()];
                byte[] general = new byte[2 * n * to.itemSize()];
                Kernels.cast(Strided.of(MemorySegment.ofArray(fast), to), contiguous);
                Kernels.cast(new Strided(MemorySegment.ofArray(general), to, 0, n, 2L * to.itemSize()), strided);
                for (int i = 0; i < n; i++) {
                    assertEquals(Elements.getDouble(MemorySegment.ofArray(general), to, 2L * i * to.itemSize()),
                            Elements.getDouble(MemorySegment.ofArray(fast), to, (long) i * to.itemSize()), t + " cast to " + to);
                }
            }
            double threshold = Elements.getDouble(MemorySegment.ofArray(bytes), t, (long) (n / 2) * w);
            for (Compare op : Compare.values()) {
                assertEquals(Kernels.countWhere(strided, op, threshold), Kernels.countWhere(contiguous, op, threshold), t + " " + op);
                assertEquals(Kernels.countWhere(strided, op, (long) threshold), Kernels.countWhere(contiguous, op, (long) threshold),
                        t + " " + op + " as an integer");
                for (boolean exact : new boolean[] {false, true}) {
                    byte[] fast = new byte[n];
                    byte[] general = new byte[2 * n];
                    long a = Kernels.where(Strided.of(MemorySegment.ofArray(fast), DType.BOOL), contiguous, op, threshold, exact);
                    long b = Kernels.where(new Strided(MemorySegment.ofArray(general), DType.BOOL, 0, n, 2), contiguous, op, threshold, exact);
                    assertEquals(b, a, t + " where " + op);
                    for (int i = 0; i < n; i++) {
                        assertEquals(general[2 * i], fast[i], t + " where " + op + " element " + i);
                    }
                }
            }
        }
    }

    @Test
    void castAndByteswapFastPathsAgreeWithTheGeneralPath() {
        int n = 1003;
        double[] d = new double[n];
        long[] l = new long[n];
        for (int i = 0; i < n; i++) {
            d[i] = rnd.nextGaussian() * 1e6;
            l[i] = rnd.nextLong() >> 8;
        }
        float[] f = new float[n];
        Kernels.cast(Strided.of(MemorySegment.ofArray(f), DType.FLOAT32), Strided.of(MemorySegment.ofArray(d), DType.FLOAT64));
        double[] back = new double[n];
        Kernels.cast(Strided.of(MemorySegment.ofArray(back), DType.FLOAT64), Strided.of(MemorySegment.ofArray(f), DType.FLOAT32));
        double[] fromLong = new double[n];
        Kernels.cast(Strided.of(MemorySegment.ofArray(fromLong), DType.FLOAT64), Strided.of(MemorySegment.ofArray(l), DType.INT64));
        for (int i = 0; i < n; i++) {
            assertEquals((float) d[i], f[i]);
            assertEquals((double) f[i], back[i]);
            assertEquals((double) l[i], fromLong[i]);
        }
        for (DType t : new DType[] {DType.INT16, DType.INT32, DType.FLOAT64, DType.UINT8}) {
            byte[] bytes = new byte[n * t.itemSize()];
            rnd.nextBytes(bytes);
            byte[] swapped = bytes.clone();
            Kernels.byteswap(Strided.of(MemorySegment.ofArray(swapped), t));
            int w = t.itemSize();
            for (int i = 0; i < n; i++) {
                for (int b = 0; b < w; b++) {
                    assertEquals(bytes[i * w + b], swapped[i * w + (w - 1 - b)], t + " element " + i);
                }
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
