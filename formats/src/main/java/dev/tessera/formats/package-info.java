/**
 * Chunked datasets on disk read straight into a {@link dev.tessera.shm.SharedArray} by host threads: HDF5
 * ({@link dev.tessera.formats.Hdf5}, jhdf reads the file's structure and chunk index once) and Zarr v2 directory
 * stores ({@link dev.tessera.formats.Zarr}). Both describe a dataset as a {@code ChunkedLayout} of stored chunks and
 * filter steps; {@code ChunkReader} is the one engine that reads, decodes and places chunks, in parallel, without a
 * per-chunk allocation. Knows nothing of Python; {@code tessera.hdf5} and {@code tessera.zarr} call it.
 */
package dev.tessera.formats;
