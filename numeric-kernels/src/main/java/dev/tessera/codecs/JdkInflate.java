package dev.tessera.codecs;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.zip.CRC32;
import java.util.zip.DataFormatException;
import java.util.zip.Inflater;

/** The JDK's {@link Inflater} (zlib): zlib and raw deflate, and gzip with its header parsed and CRC-32 checked here. */
final class JdkInflate implements Decoder {
    private static final int GZIP_FHCRC = 2;
    private static final int GZIP_FEXTRA = 4;
    private static final int GZIP_FNAME = 8;
    private static final int GZIP_FCOMMENT = 16;

    private final Format format;

    JdkInflate(Format format) {
        this.format = format;
    }

    @Override
    public long decode(MemorySegment src, MemorySegment dst) {
        if (format != Format.GZIP) {
            return inflate(src, dst, format == Format.DEFLATE, format.id()).written;
        }
        long body = gzipHeader(src);
        Inflated r = inflate(src.asSlice(body), dst, true, "gzip");
        long trailer = body + r.consumed;
        if (src.byteSize() - trailer < 8) {
            throw new CorruptDataException("gzip data is truncated: its 8-byte trailer is missing");
        }
        CRC32 crc = new CRC32();
        crc.update(dst.asSlice(0, r.written).asByteBuffer());
        ValueLayout.OfInt le = ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
        if ((int) crc.getValue() != src.get(le, trailer) || (int) r.written != src.get(le, trailer + 4)) {
            throw new CorruptDataException("gzip data fails its CRC-32 or length check");
        }
        return r.written;
    }

    private record Inflated(long written, long consumed) {
    }

    private static Inflated inflate(MemorySegment src, MemorySegment out, boolean raw, String what) {
        Inflater inflater = new Inflater(raw);
        try {
            ByteBuffer in = src.asByteBuffer();
            inflater.setInput(in);
            ByteBuffer dst = out.asByteBuffer();
            while (!inflater.finished()) {
                int n = inflater.inflate(dst);
                if (n == 0) {
                    if (inflater.needsDictionary()) {
                        throw new CorruptDataException(what + " data needs a preset dictionary");
                    }
                    if (!dst.hasRemaining()) {
                        throw new CorruptDataException(what + " data decompresses to more than the " + out.byteSize() + "-byte destination");
                    }
                    if (inflater.needsInput()) {
                        throw new CorruptDataException(what + " data ends early (truncated)");
                    }
                }
            }
            return new Inflated(inflater.getBytesWritten(), inflater.getBytesRead());
        } catch (DataFormatException e) {
            throw new CorruptDataException(what + " data is malformed: " + e.getMessage());
        } finally {
            inflater.end();
        }
    }

    /** The offset of the deflate body after a gzip member header (RFC 1952). */
    private static long gzipHeader(MemorySegment src) {
        if (src.byteSize() < 18 || (src.get(ValueLayout.JAVA_BYTE, 0) & 0xFF) != 0x1f || (src.get(ValueLayout.JAVA_BYTE, 1) & 0xFF) != 0x8b
                || src.get(ValueLayout.JAVA_BYTE, 2) != 8) {
            throw new CorruptDataException("gzip data is malformed: no gzip header");
        }
        int flags = src.get(ValueLayout.JAVA_BYTE, 3) & 0xFF;
        long at = 10;
        try {
            if ((flags & GZIP_FEXTRA) != 0) {
                at += 2 + (src.get(ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN), at) & 0xFFFF);
            }
            for (int f : new int[] {GZIP_FNAME, GZIP_FCOMMENT}) {
                if ((flags & f) != 0) {
                    while (src.get(ValueLayout.JAVA_BYTE, at++) != 0) {
                        // skip the zero-terminated field
                    }
                }
            }
            if ((flags & GZIP_FHCRC) != 0) {
                at += 2;
            }
        } catch (IndexOutOfBoundsException e) {
            throw new CorruptDataException("gzip data is truncated inside its header");
        }
        if (at > src.byteSize()) {
            throw new CorruptDataException("gzip data is truncated inside its header");
        }
        return at;
    }

    @Override
    public String implementation() {
        return "JDK Inflater (zlib in the JDK)";
    }

    @Override
    public boolean isNative() {
        return false;
    }
}
