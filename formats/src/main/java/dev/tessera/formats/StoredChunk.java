package dev.tessera.formats;

import java.nio.file.Path;

/**
 * One stored chunk: its first element along every axis, and where its bytes are: {@code size} bytes at
 * {@code address} in the dataset's file (HDF5), or the whole of {@code file} (Zarr). {@code filterMask} has bit k
 * set when HDF5 skipped filter k of the pipeline for this chunk.
 */
record StoredChunk(long[] origin, long address, long size, int filterMask, Path file) {
    String describe() {
        return "chunk " + java.util.Arrays.toString(origin) + (file != null ? " (" + file.getFileName() + ")"
                : " (" + size + " bytes at file offset " + address + ")");
    }
}
