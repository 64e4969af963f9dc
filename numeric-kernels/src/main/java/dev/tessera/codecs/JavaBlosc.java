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
        byte[] in = src.asSlice(0, h.cbytes()).toArray(ValueLayout.JAVA_BYTE);
        byte[] block = new byte[Math.min(blockSize, nbytes)];
        boolean shuffled = (h.flags() & BloscHeader.SHUFFLE) != 0 && h.typeSize() > 1;
        // the unshuffle reads and writes native memory of shared arenas, as every other caller's: a heap segment or a
        // confined arena's (whose owner-thread check the others never take) made its compiled loop trap and
        // recompile over and over (measured: 40 MB/s instead of gigabytes)
        try (Arena arena = Arena.ofShared()) {
            MemorySegment nativeBlock = shuffled ? arena.allocate(block.length, 64) : null;
            MemorySegment nativeOut = shuffled ? arena.allocate(block.length, 64) : null;
            decodeBlocks(h, src, dst, in, block, nativeBlock, nativeOut, blocks, leftover, starts);
        }
        return nbytes;
    }

    private void decodeBlocks(BloscHeader h, MemorySegment src, MemorySegment dst, byte[] in, byte[] block, MemorySegment nativeBlock,
                              MemorySegment nativeOut, int blocks, int leftover, long starts) {
        int blockSize = h.blockSize();
        boolean dontSplit = (h.flags() & BloscHeader.DONT_SPLIT) != 0;
        for (int j = 0; j < blocks; j++) {
            boolean last = j == blocks - 1 && leftover > 0;
            int bsize = last ? leftover : blockSize;
            int splits = !dontSplit && h.typeSize() <= MAX_SPLITS && bsize / h.typeSize() >= MIN_BUFFERSIZE && !last ? h.typeSize() : 1;
            int neblock = bsize / splits;
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
                    System.arraycopy(in, (int) pos, block, s * neblock, neblock);
                } else {
                    long got = stream(h.codec(), in, (int) pos, cbytes, block, s * neblock, neblock);
                    if (got != neblock) {
                        throw new CorruptDataException("blosc block " + j + " decoded to " + got + " bytes, not " + neblock);
                    }
                }
                pos += cbytes;
            }
            MemorySegment out = dst.asSlice((long) j * blockSize, bsize);
            if (nativeBlock != null) {
                MemorySegment.copy(MemorySegment.ofArray(block), 0, nativeBlock, 0, bsize);
                Shuffle.unshuffle(nativeBlock, nativeOut, bsize, h.typeSize());
                MemorySegment.copy(nativeOut, 0, out, 0, bsize);
            } else {
                MemorySegment.copy(MemorySegment.ofArray(block), 0, out, 0, bsize);
            }
        }
    }

    private long stream(int codec, byte[] in, int at, int length, byte[] out, int outAt, int outLength) {
        MemorySegment src = MemorySegment.ofArray(in).asSlice(at, length);
        MemorySegment dst = MemorySegment.ofArray(out).asSlice(outAt, outLength);
        return switch (codec) {
            case 0 -> BloscLz.decode(in, at, length, out, outAt, outLength);
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
