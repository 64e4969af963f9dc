package dev.tessera.formats;

import dev.tessera.codecs.Codecs;
import dev.tessera.codecs.Format;
import dev.tessera.shm.DType;
import io.jhdf.AbstractNode;
import io.jhdf.HdfFile;
import io.jhdf.api.Dataset;
import io.jhdf.api.Node;
import io.jhdf.api.dataset.ChunkedDataset;
import io.jhdf.dataset.chunked.Chunk;
import io.jhdf.dataset.chunked.ChunkOffset;
import io.jhdf.dataset.chunked.ChunkedDatasetBase;
import io.jhdf.object.datatype.DataType;
import io.jhdf.object.datatype.FixedPoint;
import io.jhdf.object.datatype.FloatingPoint;
import io.jhdf.object.message.FilterPipelineMessage;
import java.lang.reflect.Method;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Map;

/**
 * A chunked HDF5 dataset's layout as jhdf reads it, once: element type and byte order, shape, chunk shape, fill
 * value, filter pipeline (from the dataset's own pipeline message, so that filters jhdf cannot decode are still
 * named), and the chunk index (file offset, size and filter mask of every stored chunk).
 */
final class Hdf5Layouts {
    /** Registered HDF5 filter ids (H5Zpublic.h and the HDF Group's registry). */
    static final int DEFLATE = 1;
    static final int SHUFFLE = 2;
    static final int FLETCHER32 = 3;
    static final int BLOSC = 32001;
    static final int LZ4 = 32004;
    static final int ZSTD = 32015;

    private Hdf5Layouts() {
    }

    private record Filter(int id, String name, int[] data) {
    }

    static ChunkedLayout read(Path file, String datasetPath, Codecs codecs) {
        if (!Files.exists(file)) {
            throw new DatasetNotFoundException("no such file: " + file, true);
        }
        if (!Files.isRegularFile(file)) {
            throw new DatasetNotFoundException(file + " is not a file", true);
        }
        HdfFile hdf;
        try {
            hdf = new HdfFile(file);
        } catch (RuntimeException e) {
            throw new FormatException(file + " is not an HDF5 file jhdf can open (" + e.getMessage() + ")", e);
        }
        try (hdf) {
            return layout(hdf, file, datasetPath, codecs);
        }
    }

    private static ChunkedLayout layout(HdfFile hdf, Path file, String datasetPath, Codecs codecs) {
        Node node;
        try {
            node = hdf.getByPath(datasetPath);
        } catch (io.jhdf.exceptions.HdfInvalidPathException e) {
            throw new DatasetNotFoundException("no dataset " + datasetPath + " in " + file, false);
        } catch (RuntimeException e) {
            throw new FormatException("cannot read the structure of " + datasetPath + " in " + file + " (jhdf: " + e.getMessage()
                    + "); the file may be truncated or corrupt", e);
        }
        String name = file.getFileName() + ":" + datasetPath;
        if (!(node instanceof Dataset ds)) {
            throw new DatasetNotFoundException(datasetPath + " in " + file + " is a " + node.getType().toString().toLowerCase()
                    + ", not a dataset", false);
        }
        if (!(ds instanceof ChunkedDataset chunked) || !(ds instanceof ChunkedDatasetBase base)) {
            throw new UnsupportedFilterException(name + " is stored " + ds.getDataLayout().toString().toLowerCase()
                    + ", not chunked: this reader fills chunked datasets");
        }
        if (ds.isScalar() || ds.isEmpty() || ds.getDimensions().length == 0) {
            throw new FormatException(name + " is empty or scalar: nothing to fill");
        }
        DataType type = ds.getDataType();
        DType dtype = dtypeOf(type, name);
        boolean bigEndian = type instanceof FloatingPoint f ? f.getByteOrder() == ByteOrder.BIG_ENDIAN
                : ((FixedPoint) type).getByteOrder() == ByteOrder.BIG_ENDIAN;
        long[] shape = Arrays.stream(ds.getDimensions()).asLongStream().toArray();
        long[] chunkShape = Arrays.stream(chunked.getChunkDimensions()).asLongStream().toArray();
        List<Filter> filters = filters(ds);
        List<String> names = new ArrayList<>();
        for (Filter f : filters) {
            check(f, name, dtype);
            names.add(filterName(f));
        }
        List<StoredChunk> chunks = new ArrayList<>();
        for (Chunk c : chunkIndex(base, name)) {
            long[] origin = Arrays.stream(c.getChunkOffset()).asLongStream().toArray();
            int mask = 0;
            for (int k = c.getFilterMask().nextSetBit(0); k >= 0 && k < 32; k = c.getFilterMask().nextSetBit(k + 1)) {
                mask |= 1 << k;
            }
            chunks.add(new StoredChunk(origin, c.getAddress(), c.getSize(), mask, null));
        }
        chunks.sort(Comparator.comparing(StoredChunk::origin, Arrays::compare));
        int width = dtype.itemSize();
        List<ChunkStep> all = new ArrayList<>();
        for (Filter f : filters) {
            all.add(step(f, width, codecs));
        }
        // on read the pipeline runs backwards; a chunk's mask bit k means filter k was skipped when it was written
        Map<Integer, List<ChunkStep>> cache = new java.util.concurrent.ConcurrentHashMap<>();
        return new ChunkedLayout(name, dtype, bigEndian, shape, chunkShape, fillValue(ds, dtype), List.copyOf(chunks),
                c -> cache.computeIfAbsent(c.filterMask(), m -> {
                    List<ChunkStep> steps = new ArrayList<>();
                    for (int k = all.size() - 1; k >= 0; k--) {
                        if ((m & (1 << k)) == 0) {
                            steps.add(all.get(k));
                        }
                    }
                    return List.copyOf(steps);
                }), file, names.isEmpty() ? "none" : String.join(", ", names));
    }

    private static List<Filter> filters(Dataset ds) {
        List<Filter> out = new ArrayList<>();
        if (ds instanceof AbstractNode n && n.getHeader().hasMessageOfType(FilterPipelineMessage.class)) {
            for (FilterPipelineMessage.FilterInfo f : n.getHeader().getMessageOfType(FilterPipelineMessage.class).getFilters()) {
                out.add(new Filter(f.getId(), f.getName(), f.getData()));
            }
        }
        return out;
    }

    private static String filterName(Filter f) {
        return switch (f.id()) {
            case DEFLATE -> "deflate";
            case SHUFFLE -> "shuffle";
            case FLETCHER32 -> "fletcher32";
            case ZSTD -> "zstd";
            case LZ4 -> "lz4";
            case BLOSC -> "blosc";
            default -> f.name() == null || f.name().isBlank() ? "filter " + f.id() : f.name() + " (" + f.id() + ")";
        };
    }

    private static void check(Filter f, String name, DType dtype) {
        switch (f.id()) {
            case DEFLATE, FLETCHER32, ZSTD, LZ4, BLOSC -> {
            }
            case SHUFFLE -> {
                if (f.data().length > 0 && f.data()[0] != dtype.itemSize()) {
                    throw new UnsupportedFilterException(name + ": the shuffle filter works on " + f.data()[0] + "-byte elements,"
                            + " the dataset's are " + dtype.itemSize());
                }
            }
            default -> throw new UnsupportedFilterException(name + " uses the HDF5 filter " + describe(f)
                    + ", which Tessera does not decode (it reads deflate, shuffle, fletcher32, zstd 32015, lz4 32004 and blosc 32001)");
        }
    }

    private static String describe(Filter f) {
        String known = switch (f.id()) {
            case 4 -> "szip";
            case 5 -> "nbit";
            case 6 -> "scaleoffset";
            case 32000 -> "lzf";
            case 32008 -> "bitshuffle";
            case 32013 -> "zfp";
            case 32017 -> "sz";
            default -> null;
        };
        String n = f.name() != null && !f.name().isBlank() ? f.name() : known != null ? known : "unnamed";
        return "'" + n + "' (id " + f.id() + ")";
    }

    private static ChunkStep step(Filter f, int width, Codecs codecs) {
        return switch (f.id()) {
            case DEFLATE -> Steps.decode(codecs.decoder(Format.ZLIB), "inflate");
            case SHUFFLE -> Steps.unshuffle(width);
            case FLETCHER32 -> Steps.fletcher32();
            case ZSTD -> Steps.decode(codecs.decoder(Format.ZSTD), "zstd");
            case LZ4 -> Steps.hdf5Lz4(codecs.decoder(Format.LZ4));
            case BLOSC -> Steps.decode(codecs.decoder(Format.BLOSC), "blosc");
            default -> throw new IllegalStateException("filter " + f.id() + " was checked");
        };
    }

    static DType dtypeOf(DataType type, String name) {
        int size = type.getSize();
        if (type instanceof FloatingPoint) {
            if (size == 4) {
                return DType.FLOAT32;
            } else if (size == 8) {
                return DType.FLOAT64;
            }
        } else if (type instanceof FixedPoint fixed) {
            boolean signed = fixed.isSigned();
            switch (size) {
                case 1: return signed ? DType.INT8 : DType.UINT8;
                case 2: return signed ? DType.INT16 : DType.UINT16;
                case 4: return signed ? DType.INT32 : DType.UINT32;
                case 8: return signed ? DType.INT64 : DType.UINT64;
                default: break;
            }
        }
        throw new UnsupportedFilterException(name + " holds " + type.getClass().getSimpleName() + " elements of " + size
                + " bytes; Tessera reads integers of 1, 2, 4 or 8 bytes and floats of 4 or 8");
    }

    /** One element of the dataset's fill value in native byte order (zeros when there is none). */
    private static byte[] fillValue(Dataset ds, DType dtype) {
        Object v;
        try {
            v = ds.getFillValue();
        } catch (RuntimeException e) {
            v = null;
        }
        return FillValues.bytes(v instanceof Number n ? n : null, dtype);
    }

    /**
     * jhdf's chunk index (file address, size and filter mask of each chunk). jhdf reads it for its own use and
     * keeps the method protected: without it every chunk's bytes would pass through jhdf's own heap buffers.
     */
    @SuppressWarnings("unchecked")
    private static java.util.Collection<Chunk> chunkIndex(ChunkedDatasetBase dataset, String name) {
        try {
            Method lookup = ChunkedDatasetBase.class.getDeclaredMethod("getChunkLookup");
            lookup.setAccessible(true);
            return ((Map<ChunkOffset, Chunk>) lookup.invoke(dataset)).values();
        } catch (java.lang.reflect.InvocationTargetException e) {
            throw new FormatException(name + ": its chunk index cannot be read (" + e.getCause() + ")", e.getCause());
        } catch (ReflectiveOperationException | RuntimeException e) {
            throw new FormatException(name + ": cannot read the chunk index with this jhdf version: " + e, e);
        }
    }
}
