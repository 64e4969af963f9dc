package dev.tessera.codecs;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;

/**
 * Blosc 1 buffers decoded in Java over the other decoders: each block is one stream, or (for the fast codecs, when
 * the header does not say otherwise) one stream per byte of the element; a stream whose stored size equals its
 * decoded size is stored raw; byte-shuffled blocks are unshuffled per block. Bit shuffle needs c-blosc.
 */
final class JavaBlosc implements Decoder {
    private static final int MAX_SPLITS = 16;
    private static final int MIN_BUFFERSIZE = 128;
    private static final ValueLayout.OfInt LE_INT = ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

    private final Decoder lz4;
    private final Decoder zstd;
    private final Decoder zlib;

    JavaBlosc(Decoder lz4, Decoder zstd, Decoder zlib) {
        this.lz4 = lz4;
        this.zstd = zstd;
        this.zlib = zlib;
    }

    @Override
    public long decode(MemorySegment src, MemorySegment dst) {
        BloscHeader h = BloscHeader.read(src, dst);
        int nbytes = h.nbytes();
        if (h.memcpyed()) {
            if (BloscHeader.SIZE + (long) nbytes > h.cbytes()) {
                throw new CorruptDataException("blosc data is truncated: " + nbytes + " stored bytes do not fit in " + h.cbytes());
            }
            MemorySegment.copy(src, BloscHeader.SIZE, dst, 0, nbytes);
            return nbytes;
        }
        if ((h.flags() & BloscHeader.BITSHUFFLE) != 0) {
            throw new UnsupportedCodecException("blosc data with bit shuffle needs the native c-blosc (libblosc.so.1); "
                    + "the pure-Java decoder reads byte shuffle and no shuffle");
        }
        if (nbytes == 0) {
            return 0;
        }
        int blockSize = h.blockSize();
        int blocks = (nbytes + blockSize - 1) / blockSize;
        int leftover = nbytes % blockSize;
        long starts = BloscHeader.SIZE;
        if (starts + 4L * blocks > h.cbytes()) {
            throw new CorruptDataException("blosc data is truncated inside its block table");
        }
        decodeBlocks(h, src, dst, blocks, leftover, starts);
        return nbytes;
    }

    /**
     * A thread's scratch: one or two blocks of native memory, kept for the thread's next chunks (a shared arena per
     * chunk, as before, zeroed two blocks and closed with a handshake of every thread of the process). An automatic
     * arena's: a reading thread's scratch goes with the thread.
     */
    private static final ThreadLocal<MemorySegment> SCRATCH = new ThreadLocal<>();

    private static MemorySegment scratch(long bytes) {
        MemorySegment s = SCRATCH.get();
        if (s == null || s.byteSize() < bytes) {
            s = Arena.ofAuto().allocate(bytes, 64);
            SCRATCH.set(s);
        }
        return s;
    }

    /**
     * Each block's streams decoded straight from {@code src}: into the destination, or (byte-shuffled) into the
     * thread's scratch and unshuffled from there into the destination. The unshuffle reads and writes native memory
     * only, as every other caller's does: a heap segment (or a confined arena's, whose owner-thread check the others
     * never take) made its compiled loop trap and recompile over and over (measured: 40 MB/s instead of gigabytes),
     * so a heap destination gets the block through a second scratch block.
     */
    private void decodeBlocks(BloscHeader h, MemorySegment src, MemorySegment dst, int blocks, int leftover, long starts) {
        int blockSize = h.blockSize();
        boolean shuffled = (h.flags() & BloscHeader.SHUFFLE) != 0 && h.typeSize() > 1;
        boolean dontSplit = (h.flags() & BloscHeader.DONT_SPLIT) != 0;
        long blockBytes = Math.min(blockSize, h.nbytes());
        MemorySegment scratch = shuffled ? scratch(dst.isNative() ? blockBytes : 2 * blockBytes) : null;
        MemorySegment block = shuffled ? scratch.asSlice(0, blockBytes) : null;
        MemorySegment unshuffled = shuffled && !dst.isNative() ? scratch.asSlice(blockBytes, blockBytes) : null;
        for (int j = 0; j < blocks; j++) {
            boolean last = j == blocks - 1 && leftover > 0;
            int bsize = last ? leftover : blockSize;
            int splits = !dontSplit && h.typeSize() <= MAX_SPLITS && bsize / h.typeSize() >= MIN_BUFFERSIZE && !last ? h.typeSize() : 1;
            int neblock = bsize / splits;
            MemorySegment out = dst.asSlice((long) j * blockSize, bsize);
            MemorySegment target = shuffled ? block : out;
            long pos = src.get(LE_INT, starts + 4L * j) & 0xFFFFFFFFL;
            for (int s = 0; s < splits; s++) {
                if (pos + 4 > h.cbytes()) {
                    throw new CorruptDataException("blosc data is truncated in block " + j);
                }
                int cbytes = (int) src.get(LE_INT, pos);
                pos += 4;
                if (cbytes <= 0 || pos + cbytes > h.cbytes()) {
                    throw new CorruptDataException("blosc data is malformed or truncated in block " + j);
                }
                if (cbytes == neblock) {
                    MemorySegment.copy(src, pos, target, (long) s * neblock, neblock);
                } else {
                    long got = streamSegment(h.codec(), src.asSlice(pos, cbytes), target.asSlice((long) s * neblock, neblock));
                    if (got != neblock) {
                        throw new CorruptDataException("blosc block " + j + " decoded to " + got + " bytes, not " + neblock);
                    }
                }
                pos += cbytes;
            }
            if (shuffled) {
                if (unshuffled == null) {
                    Shuffle.unshuffle(block, out, bsize, h.typeSize());
                } else {
                    Shuffle.unshuffle(block, unshuffled, bsize, h.typeSize());
                    MemorySegment.copy(unshuffled, 0, out, 0, bsize);
                }
            }
        }
    }

    private long streamSegment(int codec, MemorySegment src, MemorySegment dst) {
        return switch (codec) {
            case 0 -> { // BloscLZ's decoder reads and writes arrays (a rare codec: zarr and hdf5plugin default to lz4)
                byte[] out = new byte[(int) dst.byteSize()];
                int got = BloscLz.decode(src.toArray(ValueLayout.JAVA_BYTE), 0, (int) src.byteSize(), out, 0, out.length);
                if (got == out.length) { // else the caller refuses the block
                    MemorySegment.copy(MemorySegment.ofArray(out), 0, dst, 0, got);
                }
                yield got;
            }
            case 1 -> lz4.decode(src, dst);
            case 3 -> zlib.decode(src, dst);
            case 4 -> zstd.decode(src, dst);
            case 2 -> throw new UnsupportedCodecException("blosc data compressed with snappy needs the native c-blosc (libblosc.so.1)");
            default -> throw new CorruptDataException("blosc data names an unknown codec " + codec);
        };
    }

    @Override
    public String implementation() {
        return "pure-Java Blosc 1 reader (blosclz, lz4, zlib, zstd; byte shuffle)";
    }

    @Override
    public boolean isNative() {
        return false;
    }
}
