package dev.tessera.examples;

import dev.tessera.shm.ArrayStore;
import dev.tessera.shm.DType;
import dev.tessera.shm.SharedArray;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.SplittableRandom;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
import org.apache.arrow.vector.BitVector;
import org.apache.arrow.vector.FieldVector;
import org.apache.arrow.vector.Float8Vector;
import org.apache.arrow.vector.IntVector;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.ipc.ArrowFileReader;
import org.apache.arrow.vector.ipc.ArrowFileWriter;
import org.apache.arrow.vector.ipc.message.ArrowBlock;

/**
 * The three columns of the scan example, in host arrays: key (int32), value (float64) and flag (bool, a byte per
 * row). Read once from an Arrow IPC file; a row with a null in any of the three columns gets flag 0, so that the
 * query leaves it out as SQL's WHERE leaves out a row whose condition is null.
 */
record ArrowColumns(SharedArray keys, SharedArray values, SharedArray flags, int keyCount, long nullRows) implements AutoCloseable {

    long rows() {
        return keys.length();
    }

    @Override
    public void close() {
        keys.close();
        values.close();
        flags.close();
    }

    /** Writes {@code rows} rows of random data (fixed seed): keys in [0, keyCount), values in [0, 100), flags 50/50. */
    static void write(Path file, long rows, int keyCount, long seed) {
        final int batchRows = 1 << 20;
        SplittableRandom random = new SplittableRandom(seed);
        try (BufferAllocator allocator = new RootAllocator();
             IntVector key = new IntVector("key", allocator);
             Float8Vector value = new Float8Vector("value", allocator);
             BitVector flag = new BitVector("flag", allocator);
             VectorSchemaRoot root = new VectorSchemaRoot(List.<FieldVector>of(key, value, flag));
             FileChannel channel = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.TRUNCATE_EXISTING,
                     StandardOpenOption.WRITE);
             ArrowFileWriter writer = new ArrowFileWriter(root, null, channel)) {
            writer.start();
            for (long done = 0; done < rows; ) {
                int n = (int) Math.min(batchRows, rows - done);
                key.allocateNew(n);
                value.allocateNew(n);
                flag.allocateNew(n);
                for (int i = 0; i < n; i++) {
                    key.set(i, random.nextInt(keyCount));
                    value.set(i, random.nextDouble() * 100.0);
                    flag.set(i, random.nextBoolean() ? 1 : 0);
                }
                root.setRowCount(n);
                writer.writeBatch();
                done += n;
            }
            writer.end();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + file + ": " + e.getMessage(), e);
        }
    }

    /** Reads the named columns of an Arrow IPC file into new arrays of {@code store}. */
    static ArrowColumns read(Path file, ArrayStore store, String keyName, String valueName, String flagName) {
        try (BufferAllocator allocator = new RootAllocator();
             FileChannel channel = FileChannel.open(file, StandardOpenOption.READ);
             ArrowFileReader reader = new ArrowFileReader(channel, allocator)) {
            VectorSchemaRoot root = reader.getVectorSchemaRoot();
            IntVector key = column(root, keyName, IntVector.class, "int32", file);
            Float8Vector value = column(root, valueName, Float8Vector.class, "float64", file);
            BitVector flag = column(root, flagName, BitVector.class, "bool", file);
            List<ArrowBlock> blocks = reader.getRecordBlocks();
            long rows = 0;
            for (ArrowBlock block : blocks) { // the footer has no row counts: a first pass counts them
                reader.loadRecordBatch(block);
                rows += root.getRowCount();
            }
            if (rows == 0) {
                throw new ExampleException(file + " has no rows to scan");
            }
            SharedArray keys = store.allocate(DType.INT32, rows);
            SharedArray values = store.allocate(DType.FLOAT64, rows);
            SharedArray flags = store.allocate(DType.BOOL, rows);
            try {
                long at = 0;
                int maxKey = -1;
                long nullRows = 0;
                for (ArrowBlock block : blocks) {
                    reader.loadRecordBatch(block);
                    int n = root.getRowCount();
                    copy(key, keys.segment(), at, 4, n);
                    copy(value, values.segment(), at, 8, n);
                    MemorySegment k = keys.segment();
                    MemorySegment f = flags.segment();
                    boolean anyNull = key.getNullCount() + value.getNullCount() + flag.getNullCount() > 0;
                    for (int i = 0; i < n; i++) {
                        boolean isNull = anyNull && (key.isNull(i) || value.isNull(i) || flag.isNull(i));
                        if (isNull) {
                            nullRows++;
                            k.setAtIndex(ValueLayout.JAVA_INT, at + i, 0);
                        } else {
                            int kv = key.get(i);
                            if (kv < 0) {
                                throw new ExampleException("column " + keyName + " has a negative key (" + kv + ") at row "
                                        + (at + i) + "; keys must be in [0, n)");
                            }
                            maxKey = Math.max(maxKey, kv);
                        }
                        f.set(ValueLayout.JAVA_BYTE, at + i, (byte) (isNull ? 0 : flag.get(i)));
                    }
                    at += n;
                }
                if (maxKey >= (1 << 24)) {
                    throw new ExampleException("column " + keyName + " has keys up to " + maxKey + "; the example sums "
                            + "per key into a table of at most 2^24 keys");
                }
                return new ArrowColumns(keys, values, flags, maxKey + 1, nullRows);
            } catch (RuntimeException e) {
                keys.close();
                values.close();
                flags.close();
                throw e;
            }
        } catch (IOException e) {
            throw new ExampleException("cannot read " + file + " as an Arrow IPC file: " + e.getMessage(), e);
        }
    }

    private static <V extends FieldVector> V column(VectorSchemaRoot root, String name, Class<V> type, String typeName, Path file) {
        FieldVector v = root.getVector(name);
        if (v == null) {
            throw new ExampleException(file + " has no column '" + name + "' (it has " + root.getSchema().getFields().stream()
                    .map(field -> field.getName() + ": " + field.getType()).toList() + ")");
        }
        if (!type.isInstance(v)) {
            throw new ExampleException("column '" + name + "' of " + file + " is " + v.getField().getType() + ", not " + typeName);
        }
        return type.cast(v);
    }

    /** Copies a batch's values buffer (nulls included, as whatever bytes they hold) to rows [at, at + n). */
    private static void copy(FieldVector v, MemorySegment dest, long at, int width, int n) {
        MemorySegment from = MemorySegment.ofAddress(v.getDataBuffer().memoryAddress()).reinterpret((long) n * width);
        MemorySegment.copy(from, 0, dest, at * width, (long) n * width);
    }
}
