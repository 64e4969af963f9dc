package dev.tessera.kernels;

import io.airlift.compress.v3.MalformedInputException;
import io.airlift.compress.v3.lz4.Lz4JavaDecompressor;
import io.airlift.compress.v3.zstd.ZstdJavaDecompressor;
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
        MemorySegment tmp = scratch(out.byteSize());
        long n = decode(src, tmp, codec);
        unshuffle(tmp, out, n, width);
        return n;
    }

    /** Per-thread scratch for shuffled chunks: on the heap, reused, so that a chunk costs no allocation. */
    private static final ThreadLocal<byte[]> SCRATCH = ThreadLocal.withInitial(() -> new byte[0]);

    /** Chunks larger than this get a scratch buffer of their own instead of one kept for the thread. */
    private static final long KEPT_SCRATCH_BYTES = 64L << 20;

    private static MemorySegment scratch(long bytes) {
        if (bytes > KEPT_SCRATCH_BYTES) {
            return MemorySegment.ofArray(new byte[Math.toIntExact(bytes)]);
        }
        byte[] kept = SCRATCH.get();
        if (kept.length < bytes) {
            kept = new byte[(int) Math.max(bytes, Math.min(KEPT_SCRATCH_BYTES, 2L * kept.length))];
            SCRATCH.set(kept);
        }
        return MemorySegment.ofArray(kept).asSlice(0, bytes);
    }

    private static final boolean LITTLE_ENDIAN = java.nio.ByteOrder.nativeOrder() == java.nio.ByteOrder.LITTLE_ENDIAN;

    /**
     * HDF5's shuffle undone: {@code out[i * width + b] = in[b * count + i]}; trailing bytes are copied as they are.
     * Widths 2, 4 and 8 gather an element's bytes into one word and store it once (about 3x the byte loop).
     */
    static void unshuffle(MemorySegment in, MemorySegment out, long bytes, int width) {
        long count = bytes / width;
        if (LITTLE_ENDIAN && width == 8) {
            for (long i = 0; i < count; i++) {
                long v = 0;
                for (int b = 0; b < 8; b++) {
                    v |= (in.get(ValueLayout.JAVA_BYTE, b * count + i) & 0xFFL) << (8 * b);
                }
                out.set(ValueLayout.JAVA_LONG_UNALIGNED, i * 8, v);
            }
        } else if (LITTLE_ENDIAN && width == 4) {
            for (long i = 0; i < count; i++) {
                int v = (in.get(ValueLayout.JAVA_BYTE, i) & 0xFF)
                        | (in.get(ValueLayout.JAVA_BYTE, count + i) & 0xFF) << 8
                        | (in.get(ValueLayout.JAVA_BYTE, 2 * count + i) & 0xFF) << 16
                        | (in.get(ValueLayout.JAVA_BYTE, 3 * count + i) & 0xFF) << 24;
                out.set(ValueLayout.JAVA_INT_UNALIGNED, i * 4, v);
            }
        } else if (LITTLE_ENDIAN && width == 2) {
            for (long i = 0; i < count; i++) {
                int v = (in.get(ValueLayout.JAVA_BYTE, i) & 0xFF) | (in.get(ValueLayout.JAVA_BYTE, count + i) & 0xFF) << 8;
                out.set(ValueLayout.JAVA_SHORT_UNALIGNED, i * 2, (short) v);
            }
        } else {
            for (int b = 0; b < width; b++) {
                long base = b * count;
                for (long i = 0; i < count; i++) {
                    out.set(ValueLayout.JAVA_BYTE, i * width + b, in.get(ValueLayout.JAVA_BYTE, base + i));
                }
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
