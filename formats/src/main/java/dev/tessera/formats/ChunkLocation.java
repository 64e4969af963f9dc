package dev.tessera.formats;

/** Where one stored chunk of an HDF5 dataset is: its first element per axis, file offset, size, filter mask. */
public record ChunkLocation(long[] origin, long fileOffset, long size, int filterMask) {
}
