package dev.tessera.codecs;

import io.airlift.compress.v3.MalformedInputException;
import io.airlift.compress.v3.lz4.Lz4JavaDecompressor;
import io.airlift.compress.v3.zstd.ZstdJavaDecompressor;
import java.lang.foreign.MemorySegment;

/** aircompressor's pure-Java Zstandard and LZ4 decoders, straight between memory segments. */
final class AircompressorDecoder implements Decoder {
    private final Format format;

    AircompressorDecoder(Format format) {
        if (format != Format.ZSTD && format != Format.LZ4) {
            throw new IllegalArgumentException("aircompressor decodes zstd and lz4, not " + format.id());
        }
        this.format = format;
    }

    @Override
    public long decode(MemorySegment src, MemorySegment dst) {
        try {
            return format == Format.ZSTD ? new ZstdJavaDecompressor().decompress(src, dst) : new Lz4JavaDecompressor().decompress(src, dst);
        } catch (MalformedInputException e) {
            throw new CorruptDataException(format.id() + " data is malformed, truncated, or larger than the " + dst.byteSize()
                    + "-byte destination: " + e.getMessage());
        } catch (IndexOutOfBoundsException | IllegalArgumentException e) {
            throw new CorruptDataException(format.id() + " data is malformed or decompresses to more than the " + dst.byteSize()
                    + "-byte destination (" + e.getMessage() + ")");
        }
    }

    @Override
    public String implementation() {
        return "aircompressor (pure Java)";
    }

    @Override
    public boolean isNative() {
        return false;
    }
}
