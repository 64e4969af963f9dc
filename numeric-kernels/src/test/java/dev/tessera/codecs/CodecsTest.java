package dev.tessera.codecs;

import static org.junit.jupiter.api.Assertions.*;

import io.airlift.compress.v3.lz4.Lz4JavaCompressor;
import io.airlift.compress.v3.zstd.ZstdJavaCompressor;
import java.io.ByteArrayOutputStream;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.List;
import java.util.Random;
import java.util.zip.Deflater;
import java.util.zip.DeflaterOutputStream;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.Test;

/**
 * Every format through both decoder sets (native where installed, pure Java): the same bytes out, from heap and
 * native segments; malformed, truncated and oversized data refused without writing past the destination; the fast
 * unshuffle equal to the definition for every width and length.
 */
class CodecsTest {
    private static final Random RANDOM = new Random(26);

    static byte[] sample(int n) {
        byte[] b = new byte[n];
        for (int i = 0; i < n; i++) {
            b[i] = (byte) (i % 251 < 100 ? i % 7 : RANDOM.nextInt(16)); // compressible, not trivially
        }
        return b;
    }

    static byte[] compress(Format f, byte[] raw) throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        switch (f) {
            case ZLIB, DEFLATE -> {
                try (DeflaterOutputStream z = new DeflaterOutputStream(out, new Deflater(6, f == Format.DEFLATE))) {
                    z.write(raw);
                }
            }
            case GZIP -> {
                try (GZIPOutputStream z = new GZIPOutputStream(out)) {
                    z.write(raw);
                }
            }
            case ZSTD -> {
                ZstdJavaCompressor c = new ZstdJavaCompressor();
                byte[] buf = new byte[c.maxCompressedLength(raw.length)];
                return java.util.Arrays.copyOf(buf, c.compress(raw, 0, raw.length, buf, 0, buf.length));
            }
            case LZ4 -> {
                Lz4JavaCompressor c = new Lz4JavaCompressor();
                byte[] buf = new byte[c.maxCompressedLength(raw.length)];
                return java.util.Arrays.copyOf(buf, c.compress(raw, 0, raw.length, buf, 0, buf.length));
            }
            case BLOSC -> {
                return blosc(raw);
            }
        }
        return out.toByteArray();
    }

    /** A Blosc 1 buffer stored uncompressed (the MEMCPYED form), the one form writable without a compressor. */
    static byte[] blosc(byte[] raw) {
        MemorySegment b = MemorySegment.ofArray(new byte[16 + raw.length]);
        b.set(ValueLayout.JAVA_BYTE, 0, (byte) 2);
        b.set(ValueLayout.JAVA_BYTE, 1, (byte) 1);
        b.set(ValueLayout.JAVA_BYTE, 2, (byte) (BloscHeader.MEMCPYED | 0x10 | 0x20));
        b.set(ValueLayout.JAVA_BYTE, 3, (byte) 1);
        ValueLayout.OfInt le = ValueLayout.JAVA_INT_UNALIGNED.withOrder(java.nio.ByteOrder.LITTLE_ENDIAN);
        b.set(le, 4, raw.length);
        b.set(le, 8, raw.length);
        b.set(le, 12, 16 + raw.length);
        MemorySegment.copy(MemorySegment.ofArray(raw), 0, b, 16, raw.length);
        return b.toArray(ValueLayout.JAVA_BYTE);
    }

    static List<Codecs> sets() {
        return List.of(Codecs.defaults(), Codecs.pureJava());
    }

    @Test
    void everyFormatDecodesTheSameThroughBothSetsFromHeapAndNativeMemory() throws Exception {
        byte[] raw = sample(300_000);
        for (Format f : Format.values()) {
            byte[] packed = compress(f, raw);
            for (Codecs set : sets()) {
                Decoder d = set.decoder(f);
                String what = f + " by " + d.implementation();
                byte[] out = new byte[raw.length];
                assertEquals(raw.length, d.decode(MemorySegment.ofArray(packed), MemorySegment.ofArray(out)), what);
                assertArrayEquals(raw, out, what);
                try (Arena arena = Arena.ofConfined()) {
                    MemorySegment src = arena.allocate(packed.length);
                    src.copyFrom(MemorySegment.ofArray(packed));
                    MemorySegment dst = arena.allocate(raw.length + 100);
                    assertEquals(raw.length, d.decode(src, dst), what + " (native memory)");
                    assertEquals(-1, dst.asSlice(0, raw.length).mismatch(MemorySegment.ofArray(raw)), what);
                }
            }
        }
    }

    @Test
    void malformedTruncatedAndOversizedDataIsRefusedWithoutWritingPastTheDestination() throws Exception {
        byte[] raw = sample(100_000);
        for (Format f : Format.values()) {
            byte[] packed = compress(f, raw);
            for (Codecs set : sets()) {
                Decoder d = set.decoder(f);
                String what = f + " by " + d.implementation();
                // the destination is a slice of a larger buffer whose tail must stay untouched
                byte[] big = new byte[raw.length + 64];
                java.util.Arrays.fill(big, (byte) 0x5A);
                MemorySegment small = MemorySegment.ofArray(big).asSlice(0, raw.length / 2);
                CorruptDataException tooBig = assertThrows(CorruptDataException.class, () -> d.decode(MemorySegment.ofArray(packed), small), what);
                assertTrue(tooBig.getMessage().contains(f.id()), what + ": " + tooBig.getMessage());
                for (int i = raw.length / 2; i < big.length; i++) {
                    assertEquals((byte) 0x5A, big[i], what + " wrote past its destination at " + i);
                }
                byte[] cut = java.util.Arrays.copyOf(packed, packed.length / 2);
                assertThrows(CorruptDataException.class, () -> d.decode(MemorySegment.ofArray(cut), MemorySegment.ofArray(new byte[raw.length])),
                        what + " truncated");
                byte[] garbage = packed.clone();
                for (int i = Math.min(20, garbage.length / 4); i < garbage.length; i += 7) {
                    garbage[i] ^= (byte) 0xA5;
                }
                if (f != Format.BLOSC && f != Format.LZ4) { // a stored Blosc buffer and an LZ4 block carry no check
                    assertThrows(CorruptDataException.class, () -> d.decode(MemorySegment.ofArray(garbage),
                            MemorySegment.ofArray(new byte[raw.length])), what + " corrupt");
                }
            }
        }
    }

    @Test
    void fastUnshuffleEqualsTheDefinitionForEveryWidthAndLength() {
        for (int width : new int[] {1, 2, 3, 4, 5, 8, 16}) {
            for (int count : new int[] {0, 1, 3, 4, 7, 8, 9, 15, 16, 17, 1000, 65536 + 5}) {
                for (int tail : new int[] {0, 1, width - 1}) {
                    int bytes = count * width + Math.max(0, tail);
                    byte[] in = new byte[bytes];
                    RANDOM.nextBytes(in);
                    byte[] want = new byte[bytes];
                    for (int i = 0; i < count; i++) {
                        for (int b = 0; b < width; b++) {
                            want[i * width + b] = in[b * count + i];
                        }
                    }
                    System.arraycopy(in, count * width, want, count * width, bytes - count * width);
                    byte[] got = new byte[bytes];
                    Shuffle.unshuffle(MemorySegment.ofArray(in), MemorySegment.ofArray(got), bytes, width);
                    assertArrayEquals(want, got, "width " + width + ", " + count + " elements, " + tail + " trailing bytes");
                    byte[] back = new byte[bytes];
                    Shuffle.shuffle(MemorySegment.ofArray(got), MemorySegment.ofArray(back), bytes, width);
                    assertArrayEquals(in, back, "shuffle inverts unshuffle");
                }
            }
        }
    }

    @Test
    void aFormatOpensOnlyItsOwnLibraryAtItsFirstUse() throws Exception {
        // a library that cannot load is noticed when its format is first used, not before
        Codecs c = Codecs.load(java.util.Map.of("deflate", "libdeflate.so.0", "blosc", "/nonexistent/libblosc.so.1"), true);
        byte[] raw = sample(5000);
        byte[] out = new byte[raw.length];
        assertEquals(raw.length, c.decoder(Format.ZLIB).decode(MemorySegment.ofArray(compress(Format.ZLIB, raw)), MemorySegment.ofArray(out)));
        assertArrayEquals(raw, out);
        assertFalse(c.decoder(Format.BLOSC).isNative());
        assertTrue(c.describe().get("blosc").contains("native not used"), c.describe().toString());
        out = new byte[raw.length];
        assertEquals(raw.length, c.decoder(Format.BLOSC).decode(MemorySegment.ofArray(blosc(raw)), MemorySegment.ofArray(out)));
        assertArrayEquals(raw, out, "the pure-Java Blosc reader, made at first use");
    }

    @Test
    void theFirstNativeBloscDecodeRaisesMallocsThresholdsAndInfoSaysSo() {
        Codecs d = Codecs.defaults();
        org.junit.jupiter.api.Assumptions.assumeTrue(d.decoder(Format.BLOSC).isNative(), "no c-blosc here: "
                + d.describe().get("blosc"));
        byte[] raw = sample(4096);
        byte[] out = new byte[raw.length];
        assertEquals(raw.length, d.decoder(Format.BLOSC).decode(MemorySegment.ofArray(blosc(raw)), MemorySegment.ofArray(out)));
        assertArrayEquals(raw, out);
        String expected = System.getProperty(MallocTuning.PROPERTY) == null && System.getenv(MallocTuning.ENV) == null
                ? "mmap threshold 4 MiB, trim threshold 16 MiB" : "glibc defaults (" + MallocTuning.PROPERTY + "=false)";
        assertTrue(MallocTuning.state().startsWith(expected), MallocTuning.state());
        assertEquals(MallocTuning.state(), d.mallocNote());
        assertNull(Codecs.pureJava().mallocNote(), "only c-blosc needs it");
        assertNull(d.describe().get("malloc"), "describe() names decoders only (tessera.codecs() returns it)");
    }

    @Test
    void bloscHeadersThatLieAboutTheirSizesAreRefusedBeforeDecoding() {
        byte[] raw = sample(1000);
        byte[] b = blosc(raw);
        byte[] longer = b.clone();
        MemorySegment.ofArray(longer).set(ValueLayout.JAVA_INT_UNALIGNED.withOrder(java.nio.ByteOrder.LITTLE_ENDIAN), 12, b.length + 1000);
        for (Codecs set : sets()) {
            Decoder d = set.decoder(Format.BLOSC);
            CorruptDataException e = assertThrows(CorruptDataException.class,
                    () -> d.decode(MemorySegment.ofArray(longer), MemorySegment.ofArray(new byte[1000])));
            assertTrue(e.getMessage().contains("truncated"), e.getMessage());
            assertThrows(CorruptDataException.class, () -> d.decode(MemorySegment.ofArray(new byte[10]), MemorySegment.ofArray(new byte[1000])));
        }
    }
}
