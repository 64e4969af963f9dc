package dev.tessera.formats;

import dev.tessera.shm.ArrayStore;
import dev.tessera.shm.SharedArray;
import java.nio.file.Path;

/**
 * Zarr v2 arrays in directory stores read in parallel into host arrays: C order, compressors zlib, gzip, zstd, lz4
 * and blosc (numcodecs' formats), the fill value for chunks without a file, edge chunks cut to the array.
 */
public final class Zarr {
    private Zarr() {
    }

    public static DatasetInfo inspect(Path array) {
        return DatasetInfo.of(ZarrLayouts.read(array, ReadOptions.defaults().codecs()));
    }

    public static SharedArray read(ArrayStore store, Path array, ReadOptions options) {
        ChunkedLayout layout = ZarrLayouts.read(array, options.codecs());
        SharedArray out = store.allocate(layout.dtype(), layout.shape());
        try {
            ChunkReader.read(layout, out, options);
            return out;
        } catch (RuntimeException | Error e) {
            out.close();
            throw e;
        }
    }

    public static ReadStats readInto(Path array, SharedArray out, ReadOptions options) {
        return ChunkReader.read(ZarrLayouts.read(array, options.codecs()), out, options);
    }
}
