package dev.tessera.formats;

import dev.tessera.shm.DType;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.function.Function;

/**
 * A chunked dataset as this reader needs it: element type and byte order, shape, chunk shape (every chunk is stored
 * whole, edge chunks padded), the fill value of chunks never written (one element, native byte order), the stored
 * chunks, and per chunk the steps that undo its filters in order.
 *
 * @param file the HDF5 file whose offsets chunks give, or null when every chunk is its own file (Zarr)
 */
record ChunkedLayout(String name, DType dtype, boolean bigEndian, long[] shape, long[] chunkShape, byte[] fillValue,
                     List<StoredChunk> chunks, Function<StoredChunk, List<ChunkStep>> steps, Path file, String filters) {

    long elementCount() {
        return Arrays.stream(shape).reduce(1, Math::multiplyExact);
    }

    long chunkElements() {
        return Arrays.stream(chunkShape).reduce(1, Math::multiplyExact);
    }

    long chunkBytes() {
        return Math.multiplyExact(chunkElements(), dtype.itemSize());
    }

    /** Chunks in the grid (stored or not). */
    long gridChunks() {
        long n = 1;
        for (int d = 0; d < shape.length; d++) {
            n = Math.multiplyExact(n, (shape[d] + chunkShape[d] - 1) / chunkShape[d]);
        }
        return n;
    }

    String describe() {
        return name + ": " + dtype.typeName() + (bigEndian && dtype.itemSize() > 1 ? " (big-endian)" : "") + " " + Arrays.toString(shape)
                + ", chunks " + Arrays.toString(chunkShape) + ", " + chunks.size() + " of " + gridChunks() + " stored, filters: " + filters;
    }
}
