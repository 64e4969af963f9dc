package dev.tessera.formats;

import java.util.Map;

/**
 * What one read did: chunks and bytes (decoded into the array, and stored in the file), the wall time, the threads,
 * and the time every thread spent per stage, summed over threads: {@code read} (bytes from the file), the
 * decoders ({@code inflate}, {@code zstd}, {@code lz4}, {@code blosc}), {@code checksum}, {@code unshuffle},
 * {@code copy} (chunks placed from scratch into the array, fill values, byte swaps).
 */
public record ReadStats(long chunks, long missingChunks, long bytes, long storedBytes, double seconds, int threads,
                        Map<String, Long> stageNanos) {
    public double megabytesPerSecond() {
        return bytes / seconds / 1e6;
    }
}
