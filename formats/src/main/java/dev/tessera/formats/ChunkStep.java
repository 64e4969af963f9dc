package dev.tessera.formats;

import java.lang.foreign.MemorySegment;

/**
 * One stage of undoing a chunk's filters: reads {@code in} and returns the result, written into the start of
 * {@code out} (a decoder, the unshuffle) or a slice of {@code in} (a checksum that is verified and cut off).
 */
interface ChunkStep {
    MemorySegment apply(MemorySegment in, MemorySegment out);

    /** The stage this step's time is counted in (read, inflate, zstd, lz4, blosc, checksum, unshuffle). */
    String stage();

    /** True when the result is a slice of the input (no output buffer written). */
    default boolean inPlace() {
        return false;
    }
}
