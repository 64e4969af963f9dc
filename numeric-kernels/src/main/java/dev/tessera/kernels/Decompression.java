package dev.tessera.kernels;

import dev.tessera.codecs.Codecs;
import dev.tessera.codecs.Format;
import dev.tessera.codecs.Shuffle;
import java.lang.foreign.MemorySegment;

/**
 * Decompresses a chunk straight into its place in a destination run (no copy through the heap), and undoes the
 * HDF5 byte-shuffle filter when asked: the shuffle filter stores byte 0 of every element, then byte 1 of every
 * element, and so on; undoing it needs the decompressed bytes once more, in a scratch buffer of the chunk's size.
 * The decoders are {@link Codecs#defaults()}: native libraries through FFM where they load, else pure Java.
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
        MemorySegment tmp = scratch(2 * out.byteSize());
        long n = decode(src, tmp.asSlice(0, out.byteSize()), codec);
        if (out.isNative()) {
            unshuffle(tmp, out, n, width);
        } else { // the unshuffle loop sees native memory only (see JavaBlosc): a heap destination gets a copy
            MemorySegment unshuffled = tmp.asSlice(out.byteSize(), n);
            unshuffle(tmp, unshuffled, n, width);
            MemorySegment.copy(unshuffled, 0, out, 0, n);
        }
        return n;
    }

    /**
     * Per-thread scratch for shuffled chunks, in native memory (the unshuffle's other callers use native memory too,
     * so its compiled loop sees one kind of segment), reused so that a chunk costs no allocation; freed by the GC
     * with the thread's buffer (an automatic arena).
     */
    private static final ThreadLocal<MemorySegment> SCRATCH = ThreadLocal.withInitial(() -> MemorySegment.NULL);

    /** Chunks larger than this get a scratch buffer of their own instead of one kept for the thread. */
    private static final long KEPT_SCRATCH_BYTES = 64L << 20;

    private static MemorySegment scratch(long bytes) {
        if (bytes > KEPT_SCRATCH_BYTES) {
            return java.lang.foreign.Arena.ofAuto().allocate(bytes, 64);
        }
        MemorySegment kept = SCRATCH.get();
        if (kept.byteSize() < bytes) {
            kept = java.lang.foreign.Arena.ofAuto().allocate(Math.max(bytes, Math.min(KEPT_SCRATCH_BYTES, 2L * kept.byteSize())), 64);
            SCRATCH.set(kept);
        }
        return kept.asSlice(0, bytes);
    }

    /** HDF5's shuffle undone: {@code out[i * width + b] = in[b * count + i]}; see {@link Shuffle}. */
    static void unshuffle(MemorySegment in, MemorySegment out, long bytes, int width) {
        Shuffle.unshuffle(in, out, bytes, width);
    }

    /** The inverse of {@link #unshuffle}, for writers of test data. */
    public static void shuffle(MemorySegment in, MemorySegment out, long bytes, int width) {
        Shuffle.shuffle(in, out, bytes, width);
    }

    private static long decode(MemorySegment src, MemorySegment out, Codec codec) {
        Format format = switch (codec) {
            case ZLIB -> Format.ZLIB;
            case DEFLATE -> Format.DEFLATE;
            case ZSTD -> Format.ZSTD;
            case LZ4 -> Format.LZ4;
        };
        return Codecs.defaults().decoder(format).decode(src, out);
    }
}
