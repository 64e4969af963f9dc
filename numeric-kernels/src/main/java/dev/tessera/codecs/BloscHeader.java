package dev.tessera.codecs;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * The 16-byte header of a Blosc 1 buffer: format versions, flags (byte shuffle, stored uncompressed, bit shuffle,
 * no split, codec in the top 3 bits), element size, and the uncompressed, block and compressed sizes. Checked
 * against the buffers before anything is decoded, so that a native decoder never reads past the input.
 */
record BloscHeader(int version, int flags, int typeSize, int nbytes, int blockSize, int cbytes) {
    static final int SIZE = 16;
    static final int SHUFFLE = 0x1;
    static final int MEMCPYED = 0x2;
    static final int BITSHUFFLE = 0x4;
    static final int DONT_SPLIT = 0x10;

    private static final ValueLayout.OfInt LE_INT = ValueLayout.JAVA_INT_UNALIGNED.withOrder(java.nio.ByteOrder.LITTLE_ENDIAN);

    static BloscHeader read(MemorySegment src, MemorySegment dst) {
        if (src.byteSize() < SIZE) {
            throw new CorruptDataException("blosc data is truncated: " + src.byteSize() + " bytes, less than its 16-byte header");
        }
        BloscHeader h = new BloscHeader(src.get(ValueLayout.JAVA_BYTE, 0) & 0xFF, src.get(ValueLayout.JAVA_BYTE, 2) & 0xFF,
                src.get(ValueLayout.JAVA_BYTE, 3) & 0xFF, src.get(LE_INT, 4), src.get(LE_INT, 8), src.get(LE_INT, 12));
        if (h.version < 1 || h.version > 2 || h.nbytes < 0 || h.cbytes < SIZE || h.typeSize < 1
                || (h.nbytes > 0 && h.blockSize <= 0 && (h.flags & MEMCPYED) == 0)) {
            throw new CorruptDataException("blosc data is malformed: header " + h);
        }
        if (h.cbytes > src.byteSize()) {
            throw new CorruptDataException("blosc data is truncated: the header says " + h.cbytes + " bytes, " + src.byteSize()
                    + " are there");
        }
        if (h.nbytes > dst.byteSize()) {
            throw new CorruptDataException("blosc data decompresses to " + h.nbytes + " bytes, more than the " + dst.byteSize()
                    + "-byte destination");
        }
        return h;
    }

    /** Blosc's codec number: 0 blosclz, 1 lz4/lz4hc, 2 snappy, 3 zlib, 4 zstd. */
    int codec() {
        return flags >>> 5;
    }

    boolean memcpyed() {
        return (flags & MEMCPYED) != 0;
    }
}
