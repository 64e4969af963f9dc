package dev.tessera.examples;

import dev.tessera.shm.DType;
import io.jhdf.HdfFile;
import io.jhdf.api.Dataset;
import io.jhdf.api.Node;
import io.jhdf.api.dataset.ChunkedDataset;
import io.jhdf.dataset.chunked.Chunk;
import io.jhdf.dataset.chunked.ChunkOffset;
import io.jhdf.dataset.chunked.ChunkedDatasetBase;
import io.jhdf.filter.PipelineFilterWithData;
import io.jhdf.object.datatype.DataType;
import io.jhdf.object.datatype.FixedPoint;
import io.jhdf.object.datatype.FloatingPoint;
import java.lang.reflect.Method;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Map;

/**
 * The layout of one chunked HDF5 dataset as jhdf reads it: element type, byte order, filters and, per chunk, where
 * its compressed bytes are in the file. Only datasets whose chunks are whole runs of rows (every chunk dimension
 * but the first equals the dataset's) are taken: each chunk is then one contiguous slice of a flat array.
 */
record Hdf5Chunks(Path file, String dataset, DType dtype, boolean bigEndian, long[] shape, long chunkRows,
                  long chunkElements, boolean deflate, boolean shuffle, List<Piece> pieces) {

    /** HDF5 filter ids (H5Zpublic.h). */
    private static final int DEFLATE = 1;
    private static final int SHUFFLE = 2;

    /** One stored chunk: its number in row order, its first row, where its bytes are and which filters it skipped. */
    record Piece(int index, long firstRow, long address, int size, boolean deflated, boolean shuffled) {
    }

    long elementCount() {
        return Arrays.stream(shape).reduce(1, Math::multiplyExact);
    }

    long rowElements() {
        return elementCount() / shape[0];
    }

    /** Rows rounded up to whole chunks: HDF5 stores the last chunk whole even where the dataset ends inside it. */
    long paddedRows() {
        return pieces.size() * chunkRows;
    }

    /** Reads the layout of {@code datasetPath} in {@code file}, refusing what the example cannot fill, saying why. */
    static Hdf5Chunks read(HdfFile hdf, Path file, String datasetPath) {
        Node node;
        try {
            node = hdf.getByPath(datasetPath);
        } catch (RuntimeException e) {
            throw new ExampleException("no dataset " + datasetPath + " in " + file + " (" + e.getMessage() + ")");
        }
        if (!(node instanceof Dataset ds)) {
            throw new ExampleException(datasetPath + " in " + file + " is a " + node.getType() + ", not a dataset");
        }
        if (!(ds instanceof ChunkedDataset chunked) || !(ds instanceof ChunkedDatasetBase base)) {
            throw new ExampleException(datasetPath + " is stored " + ds.getDataLayout()
                    + ", not chunked: there are no chunks to fill in parallel");
        }
        int[] dims = ds.getDimensions();
        int[] chunkDims = chunked.getChunkDimensions();
        if (dims.length == 0 || ds.getSize() == 0) {
            throw new ExampleException(datasetPath + " is empty or scalar: nothing to fill");
        }
        for (int d = 1; d < dims.length; d++) {
            if (chunkDims[d] != dims[d]) {
                throw new ExampleException("the chunks of " + datasetPath + " (" + Arrays.toString(chunkDims) + " of "
                        + Arrays.toString(dims) + ") do not span whole rows, so a chunk is not one contiguous slice");
            }
        }
        DataType type = ds.getDataType();
        DType dtype = dtypeOf(type, datasetPath);
        boolean bigEndian = type instanceof FloatingPoint f ? f.getByteOrder() == ByteOrder.BIG_ENDIAN
                : ((FixedPoint) type).getByteOrder() == ByteOrder.BIG_ENDIAN;

        boolean deflate = false;
        boolean shuffle = false;
        List<PipelineFilterWithData> filters = ds.getFilters();
        for (int i = 0; i < filters.size(); i++) {
            int id = filters.get(i).getId();
            if (id == SHUFFLE && i == 0) {
                shuffle = true;
            } else if (id == DEFLATE && !deflate) {
                deflate = true;
            } else {
                throw new ExampleException(datasetPath + " uses the filter " + filters.get(i).getName() + " (id " + id
                        + "); the example reads shuffle (first) and deflate only");
            }
        }

        long chunkRows = chunkDims[0];
        long chunkElements = Arrays.stream(chunkDims).asLongStream().reduce(1, Math::multiplyExact);
        long[] shape = Arrays.stream(dims).asLongStream().toArray();
        List<Piece> pieces = new ArrayList<>();
        List<Chunk> chunks = new ArrayList<>(chunkLookup(base).values());
        chunks.sort(Comparator.comparingInt(c -> c.getChunkOffset()[0]));
        long expected = (shape[0] + chunkRows - 1) / chunkRows;
        if (chunks.size() != expected) {
            // A chunk never written holds the fill value; jhdf fills it in, this example does not.
            throw new ExampleException(datasetPath + " has " + chunks.size() + " chunks stored of " + expected
                    + ": the example needs every chunk written");
        }
        for (int i = 0; i < chunks.size(); i++) {
            Chunk c = chunks.get(i);
            // Bit k of the filter mask set means filter k of the pipeline was skipped for this chunk.
            int deflateBit = shuffle ? 1 : 0;
            boolean deflated = deflate && !c.getFilterMask().get(deflateBit);
            boolean shuffled = shuffle && !c.getFilterMask().get(0);
            pieces.add(new Piece(i, c.getChunkOffset()[0], c.getAddress(), c.getSize(), deflated, shuffled));
        }
        return new Hdf5Chunks(file, datasetPath, dtype, bigEndian, shape, chunkRows, chunkElements, deflate, shuffle,
                List.copyOf(pieces));
    }

    private static DType dtypeOf(DataType type, String datasetPath) {
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
        throw new ExampleException(datasetPath + " holds " + type.getClass().getSimpleName() + " of " + size
                + " bytes; the example fills integers of 1, 2, 4 or 8 bytes and floats of 4 or 8");
    }

    /**
     * jhdf's chunk index (file address, size and filter mask of each chunk). jhdf reads it for its own use but does
     * not make it public: without it every chunk's bytes would have to pass through the host, not be read by the
     * worker that decompresses them.
     */
    @SuppressWarnings("unchecked")
    private static Map<ChunkOffset, Chunk> chunkLookup(ChunkedDatasetBase dataset) {
        try {
            Method lookup = ChunkedDatasetBase.class.getDeclaredMethod("getChunkLookup");
            lookup.setAccessible(true);
            return (Map<ChunkOffset, Chunk>) lookup.invoke(dataset);
        } catch (ReflectiveOperationException | RuntimeException e) {
            throw new ExampleException("cannot read the chunk index with this jhdf version: " + e);
        }
    }
}
