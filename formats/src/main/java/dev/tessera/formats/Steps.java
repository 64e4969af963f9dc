package dev.tessera.formats;

import dev.tessera.codecs.CorruptDataException;
import dev.tessera.codecs.Decoder;
import dev.tessera.codecs.Shuffle;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;

/** The chunk steps both formats use. */
final class Steps {
    private static final ValueLayout.OfInt BE_INT = ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.BIG_ENDIAN);
    private static final ValueLayout.OfInt LE_INT = ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfLong BE_LONG = ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.BIG_ENDIAN);

    private Steps() {
    }

    /** A whole-buffer decoder. */
    static ChunkStep decode(Decoder decoder, String stage) {
        return new ChunkStep() {
            @Override
            public MemorySegment apply(MemorySegment in, MemorySegment out) {
                return out.asSlice(0, decoder.decode(in, out));
            }

            @Override
            public String stage() {
                return stage;
            }
        };
    }

    /** Byte shuffle undone for elements of {@code width} bytes. */
    static ChunkStep unshuffle(int width) {
        return new ChunkStep() {
            @Override
            public MemorySegment apply(MemorySegment in, MemorySegment out) {
                if (in.byteSize() > out.byteSize()) {
                    throw new CorruptDataException("a shuffled chunk of " + in.byteSize() + " bytes is larger than the "
                            + out.byteSize() + "-byte chunk");
                }
                Shuffle.unshuffle(in, out, in.byteSize(), width);
                return out.asSlice(0, in.byteSize());
            }

            @Override
            public String stage() {
                return "unshuffle";
            }
        };
    }

    /** HDF5's Fletcher-32 filter: the last 4 bytes are the checksum of the rest; verified, then cut off. */
    static ChunkStep fletcher32() {
        return new ChunkStep() {
            @Override
            public MemorySegment apply(MemorySegment in, MemorySegment out) {
                if (in.byteSize() < 4) {
                    throw new CorruptDataException("a Fletcher-32 chunk of " + in.byteSize() + " bytes has no room for its checksum");
                }
                long n = in.byteSize() - 4;
                int stored = in.get(LE_INT, n);
                int sum = Fletcher32.of(in.asSlice(0, n));
                // HDF5 before 1.8 stored it with the bytes of each 16-bit half swapped; HDF5 still accepts both
                int reversed = ((sum & 0x00FF00FF) << 8) | ((sum >>> 8) & 0x00FF00FF);
                if (stored != sum && stored != reversed) {
                    throw new CorruptDataException(String.format("the chunk fails its Fletcher-32 checksum (stored %08x, computed %08x)",
                            stored, sum));
                }
                return in.asSlice(0, n);
            }

            @Override
            public String stage() {
                return "checksum";
            }

            @Override
            public boolean inPlace() {
                return true;
            }
        };
    }

    /**
     * The HDF5 LZ4 filter (32004): the total decoded size (8 bytes, big-endian), the block size (4), then per block
     * its stored size (4) and its bytes, an LZ4 block or, when the size equals the block's, the bytes themselves.
     */
    static ChunkStep hdf5Lz4(Decoder lz4) {
        return new ChunkStep() {
            @Override
            public MemorySegment apply(MemorySegment in, MemorySegment out) {
                if (in.byteSize() < 12) {
                    throw new CorruptDataException("an LZ4-filtered chunk of " + in.byteSize() + " bytes is shorter than its header");
                }
                long total = in.get(BE_LONG, 0);
                long block = in.get(BE_INT, 8) & 0xFFFFFFFFL;
                if (total < 0 || total > out.byteSize() || (block == 0 && total > 0)) {
                    throw new CorruptDataException("an LZ4-filtered chunk says it holds " + total + " bytes in blocks of " + block
                            + "; the chunk has " + out.byteSize());
                }
                long at = 12;
                long written = 0;
                while (written < total) {
                    long want = Math.min(block, total - written);
                    if (at + 4 > in.byteSize()) {
                        throw new CorruptDataException("an LZ4-filtered chunk is truncated after " + written + " of " + total + " bytes");
                    }
                    long stored = in.get(BE_INT, at) & 0xFFFFFFFFL;
                    at += 4;
                    if (at + stored > in.byteSize()) {
                        throw new CorruptDataException("an LZ4-filtered chunk is truncated after " + written + " of " + total + " bytes");
                    }
                    MemorySegment dst = out.asSlice(written, want);
                    if (stored == want) {
                        MemorySegment.copy(in, at, dst, 0, want);
                    } else if (lz4.decode(in.asSlice(at, stored), dst) != want) {
                        throw new CorruptDataException("an LZ4 block of an LZ4-filtered chunk decoded to the wrong size");
                    }
                    at += stored;
                    written += want;
                }
                return out.asSlice(0, total);
            }

            @Override
            public String stage() {
                return "lz4";
            }
        };
    }

    /** numcodecs' LZ4 (Zarr): the decoded size (4 bytes, little-endian), then one LZ4 block. */
    static ChunkStep numcodecsLz4(Decoder lz4) {
        return new ChunkStep() {
            @Override
            public MemorySegment apply(MemorySegment in, MemorySegment out) {
                if (in.byteSize() < 4) {
                    throw new CorruptDataException("an lz4 chunk of " + in.byteSize() + " bytes is shorter than its header");
                }
                long size = in.get(LE_INT, 0) & 0xFFFFFFFFL;
                if (size > out.byteSize()) {
                    throw new CorruptDataException("an lz4 chunk says it holds " + size + " bytes; the chunk has " + out.byteSize());
                }
                long n = lz4.decode(in.asSlice(4), out.asSlice(0, size));
                if (n != size) {
                    throw new CorruptDataException("an lz4 chunk decoded to " + n + " bytes, its header says " + size);
                }
                return out.asSlice(0, n);
            }

            @Override
            public String stage() {
                return "lz4";
            }
        };
    }
}
