package dev.tessera.kernels;

import io.airlift.compress.v3.MalformedInputException;
import io.airlift.compress.v3.lz4.Lz4JavaDecompressor;
import io.airlift.compress.v3.zstd.ZstdJavaDecompressor;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteBuffer;
import java.util.zip.DataFormatException;
import java.util.zip.Inflater;

/**
 * Decompresses a chunk straight into its place in a destination run (no copy through the heap), and undoes the
 * HDF5 byte-shuffle filter when asked: the shuffle filter stores byte 0 of every element, then byte 1 of every
 * element, and so on; undoing it needs the decompressed bytes once more, in a scratch buffer of the chunk's size.
 * Deflate and zlib use the JDK's Inflater; Zstandard and LZ4 use aircompressor's pure-Java decoders.
 */
public final class Decompression {
    private Decompression() {
    }

    /**
     * Decompresses {@code src} into the contiguous {@code dst}; returns the bytes written. Data that decompresses to
     * more than {@code dst} holds, or that ends early, is refused.
     *
     * @param shuffle undo HDF5's byte shuffle for elements of {@code dst}'s item size
     */
    public static long decompressInto(Strided dst, MemorySegment src, Codec codec, boolean shuffle) {
        dst.requireWritable("decompress_into");
        if (!dst.isContiguous()) {
            throw new IllegalArgumentException("decompress_into needs a contiguous destination");
        }
        MemorySegment out = dst.bytes();
        int width = dst.dtype().itemSize();
        if (!shuffle || width == 1) {
            return decode(src, out, codec);
        }
        try (Arena scratch = Arena.ofConfined()) {
            MemorySegment tmp = scratch.allocate(Math.max(1, out.byteSize()));
            long n = decode(src, tmp.asSlice(0, out.byteSize()), codec);
            unshuffle(tmp, out, n, width);
            return n;
        }
    }

    /** HDF5's shuffle undone: {@code out[i * width + b] = in[b * count + i]}; trailing bytes are copied as they are. */
    static void unshuffle(MemorySegment in, MemorySegment out, long bytes, int width) {
        long count = bytes / width;
        for (int b = 0; b < width; b++) {
            long base = b * count;
            for (long i = 0; i < count; i++) {
                out.set(ValueLayout.JAVA_BYTE, i * width + b, in.get(ValueLayout.JAVA_BYTE, base + i));
            }
        }
        long done = count * width;
        MemorySegment.copy(in, done, out, done, bytes - done);
    }

    /** The inverse of {@link #unshuffle}, for writers of test data. */
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

    private static long decode(MemorySegment src, MemorySegment out, Codec codec) {
        try {
            return switch (codec) {
                case ZLIB -> inflate(src, out, false);
                case DEFLATE -> inflate(src, out, true);
                case ZSTD -> new ZstdJavaDecompressor().decompress(src, out);
                case LZ4 -> new Lz4JavaDecompressor().decompress(src, out);
            };
        } catch (MalformedInputException e) {
            throw new IllegalArgumentException(codec.pythonName() + " data is malformed or larger than the " + out.byteSize()
                    + "-byte destination: " + e.getMessage());
        } catch (IndexOutOfBoundsException e) {
            throw new IllegalArgumentException(codec.pythonName() + " data decompresses to more than the " + out.byteSize()
                    + "-byte destination");
        }
    }

    private static long inflate(MemorySegment src, MemorySegment out, boolean raw) {
        Inflater inflater = new Inflater(raw);
        try {
            inflater.setInput(src.asByteBuffer());
            ByteBuffer dst = out.asByteBuffer();
            while (!inflater.finished()) {
                int n = inflater.inflate(dst);
                if (n == 0) {
                    if (inflater.needsDictionary()) {
                        throw new IllegalArgumentException("deflate data needs a preset dictionary");
                    }
                    if (!dst.hasRemaining()) {
                        throw new IllegalArgumentException((raw ? "deflate" : "zlib") + " data decompresses to more than the "
                                + out.byteSize() + "-byte destination");
                    }
                    if (inflater.needsInput()) {
                        throw new IllegalArgumentException((raw ? "deflate" : "zlib") + " data ends early (truncated)");
                    }
                }
            }
            return inflater.getBytesWritten();
        } catch (DataFormatException e) {
            throw new IllegalArgumentException((raw ? "deflate" : "zlib") + " data is malformed: " + e.getMessage());
        } finally {
            inflater.end();
        }
    }
}
