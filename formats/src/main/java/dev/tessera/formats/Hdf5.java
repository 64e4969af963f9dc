package dev.tessera.formats;

import dev.tessera.shm.ArrayStore;
import dev.tessera.shm.SharedArray;
import java.nio.file.Path;

/**
 * Chunked HDF5 datasets read in parallel into host arrays: jhdf reads the structure and chunk index once; host
 * threads read each chunk's bytes from the file and decode it straight into its place (see {@link ChunkReader}).
 * Numeric element types (integers of 1-8 bytes, float32/64, either byte order); filters deflate, shuffle,
 * fletcher32 (verified), and the registered zstd (32015), lz4 (32004) and blosc (32001); any other filter is
 * refused with an {@link UnsupportedFilterException} naming it.
 *
 * <pre>{@code
 * try (ArrayStore store = new ArrayStore()) {
 *     SharedArray a = Hdf5.read(store, Path.of("run.h5"), "/detector/samples", ReadOptions.threads(2));
 * }
 * }</pre>
 */
public final class Hdf5 {
    private Hdf5() {
    }

    /** The dataset's layout, checked (no chunk is read). */
    public static DatasetInfo inspect(Path file, String dataset) {
        return DatasetInfo.of(Hdf5Layouts.read(file, dataset, ReadOptions.defaults().codecs()));
    }

    /** The dataset's chunk index as jhdf reads it, in row-major order of the chunks' origins. */
    public static java.util.List<ChunkLocation> chunks(Path file, String dataset) {
        return Hdf5Layouts.read(file, dataset, dev.tessera.codecs.Codecs.pureJava()).chunks().stream()
                .map(c -> new ChunkLocation(c.origin().clone(), c.address(), c.size(), c.filterMask())).toList();
    }

    /** A new array of the dataset's dtype and shape from {@code store}, filled; closed again if the read fails. */
    public static SharedArray read(ArrayStore store, Path file, String dataset, ReadOptions options) {
        ChunkedLayout layout = Hdf5Layouts.read(file, dataset, options.codecs());
        SharedArray out = store.allocate(layout.dtype(), layout.shape());
        try {
            ChunkReader.read(layout, out, options);
            return out;
        } catch (RuntimeException | Error e) {
            out.close();
            throw e;
        }
    }

    /** Fills {@code out} (the dataset's dtype and element count) with the dataset; returns what the read did. */
    public static ReadStats readInto(Path file, String dataset, SharedArray out, ReadOptions options) {
        return ChunkReader.read(Hdf5Layouts.read(file, dataset, options.codecs()), out, options);
    }

    /** The brief's form: {@code threads} host threads, a progress callback (or null), into {@code out}. */
    public static ReadStats read(Path file, String dataset, int threads, SharedArray out, ReadProgress progress) {
        return readInto(file, dataset, out, ReadOptions.threads(threads).withProgress(progress));
    }
}
