package dev.tessera.formats;

import dev.tessera.shm.DType;

/** What a dataset holds and how it is stored, for callers that allocate the array themselves or show it. */
public record DatasetInfo(String name, DType dtype, long[] shape, long[] chunkShape, int storedChunks, long gridChunks,
                          String filters, String description) {
    static DatasetInfo of(ChunkedLayout l) {
        return new DatasetInfo(l.name(), l.dtype(), l.shape().clone(), l.chunkShape().clone(), l.chunks().size(), l.gridChunks(),
                l.filters(), l.describe());
    }

    public long elementCount() {
        long n = 1;
        for (long s : shape) {
            n = Math.multiplyExact(n, s);
        }
        return n;
    }
}
