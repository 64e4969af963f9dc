package dev.tessera.examples;

import dev.tessera.buffer.PythonRuntime;
import dev.tessera.shm.ArrayStore;
import dev.tessera.shm.ArrayView;
import dev.tessera.shm.SharedArray;
import dev.tessera.workers.InterpreterPool;
import dev.tessera.workers.Queue;
import dev.tessera.workers.TaskFuture;
import io.jhdf.HdfFile;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.lang.foreign.MemorySegment;
import java.lang.reflect.Array;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/**
 * {@code tessera example fill}: a chunked, deflate-compressed HDF5 dataset decompressed in parallel into one host
 * array. jhdf reads the file's structure and chunk index; workers take chunks from a queue, read each chunk's bytes
 * themselves and decompress them straight into the chunk's slice of the array; jhdf's own read of the dataset is
 * the reference the result must equal.
 */
@Command(name = "fill", mixinStandardHelpOptions = true,
        description = {"Decompress a chunked HDF5 dataset (deflate, shuffle) into one host array with worker "
                + "interpreters in parallel, and check it against jhdf's own read.",
                "Without --file it uses a bundled 8 MiB dataset (2^20 float64 in 64 chunks, gzip level 4, shuffle), "
                        + "tiled --repeat times, filled --rounds times by one worker, then by --workers."})
public final class FillExample implements Callable<Integer> {
    private static final String BUNDLED = "detector.h5";
    private static final String BUNDLED_DATASET = "/detector/samples";

    @Spec
    CommandSpec spec;

    @picocli.CommandLine.ParentCommand
    Examples examples; // null when the example runs alone

    @Option(names = "--file", paramLabel = "H5", description = "an HDF5 file (default: the bundled one)")
    Path file;

    @Option(names = "--dataset", paramLabel = "PATH", description = "the dataset in the file (default: " + BUNDLED_DATASET + ")")
    String dataset = BUNDLED_DATASET;

    @Option(names = {"-w", "--workers"}, description = "worker interpreters for the parallel run (default: cores)")
    int workers = Runtime.getRuntime().availableProcessors();

    @Option(names = "--repeat", description = "fill the dataset this many times side by side into one array, "
            + "for more data (default: 32 for the bundled file, 1 otherwise)")
    Integer repeat;

    @Option(names = "--rounds", description = "fills per worker count, each into a new array; the first ones include "
            + "compiling the workers' code (default: ${DEFAULT-VALUE})")
    int rounds = 4;

    @Option(names = "--single", negatable = true, defaultValue = "true", fallbackValue = "true",
            description = "also time one worker first, for comparison (default: on; --no-single skips it)")
    boolean single;

    @Option(names = "--progress", negatable = true, defaultValue = "true", fallbackValue = "true",
            description = "show a progress bar on a terminal (default: on)")
    boolean progress;

    @Option(names = "--json", paramLabel = "FILE", description = "also write the figures as JSON (for tessera bench)")
    Path json;

    @Option(names = "--fail-chunk", hidden = true, defaultValue = "-1", description = "inject a failure at this chunk (tests)")
    int failChunk;

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        if (workers < 1) {
            throw new ExampleException("--workers must be at least 1, got " + workers);
        }
        Path source = file == null ? bundledCopy() : file.toAbsolutePath();
        if (!Files.isRegularFile(source)) {
            throw new ExampleException("no such file: " + file);
        }
        int tiles = repeat != null ? repeat : file == null ? 32 : 1;
        if (tiles < 1 || rounds < 1) {
            throw new ExampleException("--repeat and --rounds must be at least 1");
        }
        try (HdfFile hdf = new HdfFile(source)) {
            Hdf5Chunks layout = Hdf5Chunks.read(hdf, source, dataset);
            checkChunks(layout);
            out.printf("%s %s: %s %s, %d chunks of %d rows, filters:%s%s%s; %d cop%s into one host array%n",
                    file == null ? "bundled " + BUNDLED : source, layout.dataset(), layout.dtype().typeName(),
                    java.util.Arrays.toString(layout.shape()), layout.pieces().size(), layout.chunkRows(),
                    layout.shuffle() ? " shuffle" : "", layout.deflate() ? " deflate" : "",
                    layout.shuffle() || layout.deflate() ? "" : " none", tiles, tiles == 1 ? "y" : "ies");
            long t0 = System.nanoTime();
            MemorySegment reference = reference(hdf, layout);
            out.printf("reference: jhdf read the dataset in %.0f ms%n", (System.nanoTime() - t0) / 1e6);

            Path modules = ExampleSupport.pythonModules();
            boolean ok = true;
            java.util.Map<String, Object> figures = new java.util.LinkedHashMap<>();
            List<String[]> table = ExampleSupport.rows();
            table.add(new String[]{"workers", "first round MB/s", "best MB/s", "best of compressed MB/s", "speed-up", "equals jhdf's read"});
            try (PythonRuntime runtime = Examples.runtime(examples); ArrayStore store = new ArrayStore()) {
                List<Integer> runs = single && workers > 1 ? List.of(1, workers) : List.of(workers);
                double oneWorkerBest = 0;
                for (int n : runs) {
                    double first = 0;
                    double best = Double.MAX_VALUE;
                    long bytes = 0;
                    long compressed = 0;
                    String mismatch = null;
                    try (InterpreterPool pool = ExampleSupport.pool(runtime, store, n, modules, "hdf5_fill", source.getParent())) {
                        for (int r = 0; r < rounds; r++) {
                            Result result = fillOnce(pool, store, layout, tiles, n, reference);
                            first = r == 0 ? result.seconds : first;
                            best = Math.min(best, result.seconds);
                            bytes = result.bytes;
                            compressed = result.compressedBytes;
                            mismatch = mismatch != null ? mismatch : result.mismatch == null ? null : "round " + r + ": " + result.mismatch;
                        }
                    }
                    ok &= mismatch == null;
                    if (n == 1) {
                        oneWorkerBest = best;
                    }
                    figures.put("mb_per_s_first_" + n, bytes / first / 1e6);
                    figures.put("mb_per_s_best_" + n, bytes / best / 1e6);
                    figures.put("bytes_per_round", bytes);
                    table.add(new String[]{String.valueOf(n), String.format("%,.0f", bytes / first / 1e6),
                            String.format("%,.0f", bytes / best / 1e6), String.format("%,.1f", compressed / best / 1e6),
                            n > 1 && oneWorkerBest > 0 ? String.format("%.2fx", oneWorkerBest / best) : "-",
                            mismatch == null ? "yes" : "NO: " + mismatch});
                }
            }
            out.printf("%d round%s per worker count, %s of chunks per round:%n", rounds, rounds == 1 ? "" : "s",
                    ExampleSupport.mib(layout.pieces().size() * tiles * layout.chunkElements() * layout.dtype().itemSize()));
            ExampleSupport.table(out, table);
            out.println(ok ? "OK: every copy equals jhdf's read of the dataset" : "FAILED: the filled array differs from jhdf's read");
            figures.put("workers", workers);
            figures.put("verified", ok);
            ExampleSupport.writeJson(json, figures);
            return ok ? 0 : 1;
        }
    }

    private record Result(long chunks, long bytes, long compressedBytes, double seconds, boolean matches, String mismatch) {
    }

    /** One timed fill of all tiles into a new array with the {@code n} workers of {@code pool}, checked against the reference. */
    private Result fillOnce(InterpreterPool pool, ArrayStore store, Hdf5Chunks layout, int tiles, int n, MemorySegment reference)
            throws InterruptedException {
        long rowElements = layout.rowElements();
        long tileElements = layout.paddedRows() * rowElements;
        long chunkCount = (long) layout.pieces().size() * tiles;
        // Every filler has returned (or the pool is closed) before the array is freed: nobody writes into freed memory.
        try (SharedArray array = store.allocate(layout.dtype(), Math.multiplyExact(tileElements, tiles))) {
            Queue chunks = new Queue();
            Queue done = new Queue();
            List<TaskFuture> fillers = new ArrayList<>();
            for (int w = 0; w < n; w++) {
                fillers.add(pool.submit("hdf5_fill", "fill_chunks", chunks, done, layout.file().toString(),
                        layout.bigEndian(), (long) failChunk));
            }
            ArrayView[] lent = new ArrayView[Math.toIntExact(chunkCount)];
            long compressed = 0;
            long t0 = System.nanoTime();
            for (int t = 0; t < tiles; t++) {
                for (Hdf5Chunks.Piece p : layout.pieces()) {
                    int index = t * layout.pieces().size() + p.index();
                    long start = t * tileElements + p.firstRow() * rowElements;
                    lent[index] = array.slice(start, start + layout.chunkElements(), "chunk " + index);
                    chunks.put(List.of(index, lent[index], p.address(), p.size(), p.deflated() ? "zlib" : "", p.shuffled()));
                    compressed += p.size();
                }
            }
            for (int w = 0; w < n; w++) {
                chunks.put(null); // one end marker per worker
            }
            long chunkBytes = layout.chunkElements() * layout.dtype().itemSize();
            boolean allDone = false;
            try {
                awaitChunks(done, lent, fillers, chunkBytes, "fill x" + n, t0);
                allDone = true;
            } finally {
                if (!allDone) { // take back what nobody started, so that the workers stop (their next take fails)
                    chunks.close();
                    drain(chunks);
                }
            }
            double seconds = (System.nanoTime() - t0) / 1e9;
            for (TaskFuture f : fillers) {
                ExampleSupport.result(f, "filling chunks");
            }
            String mismatch = compare(array.segment(), reference, tiles, tileElements * layout.dtype().itemSize());
            return new Result(chunkCount, chunkCount * layout.chunkElements() * layout.dtype().itemSize(), compressed,
                    seconds, mismatch == null, mismatch);
        }
    }

    /**
     * Waits until every lent chunk is reported done, ending each chunk's lease as its report comes. Reports are
     * collected every few milliseconds rather than waited for one by one: a wake-up per chunk would take a core
     * from the workers on a small machine.
     */
    private void awaitChunks(Queue done, ArrayView[] lent, List<TaskFuture> fillers, long chunkBytes, String task, long t0)
            throws InterruptedException {
        try (var bar = ExampleSupport.progress(task, lent.length, " chunks", progress)) {
            for (long filled = 0; filled < lent.length; ) {
                Queue.Got got = done.poll(0, TimeUnit.NANOSECONDS);
                if (!got.found()) {
                    // A worker that died would otherwise leave us waiting forever. Fillers put before they return,
                    // so once all have returned, an empty queue means chunks are missing.
                    if (fillersReturned(fillers) && !(got = done.poll(0, TimeUnit.NANOSECONDS)).found()) {
                        throw new ExampleException("the workers stopped before every chunk was reported done");
                    }
                    if (!got.found()) {
                        Thread.sleep(2);
                        continue;
                    }
                }
                int index = Math.toIntExact((Long) ((List<?>) got.value()).get(0));
                lent[index].release(); // the chunk is written: its lease ends (if the worker has not ended it)
                filled++;
                bar.step(String.format("%,.0f MB/s", filled * chunkBytes / ((System.nanoTime() - t0) / 1e9) / 1e6));
            }
        }
    }

    private static void drain(Queue queue) {
        try {
            while (queue.poll(0, TimeUnit.NANOSECONDS).found()) {
                // discard
            }
        } catch (dev.tessera.workers.QueueClosedException | InterruptedException e) {
            // drained
        }
    }

    /** True when every filler has returned; throws the error of one that failed. */
    private static boolean fillersReturned(List<TaskFuture> fillers) {
        boolean all = true;
        for (TaskFuture f : fillers) {
            if (f.isCompletedExceptionally()) {
                ExampleSupport.result(f, "filling chunks"); // throws the worker's error
            }
            all &= f.isDone();
        }
        return all;
    }

    /** Null if every tile of {@code filled} begins with the reference's bytes, else where the first difference is. */
    private static String compare(MemorySegment filled, MemorySegment reference, int tiles, long tileBytes) {
        for (int t = 0; t < tiles; t++) {
            MemorySegment tile = filled.asSlice(t * tileBytes, reference.byteSize());
            long at = tile.mismatch(reference);
            if (at >= 0) {
                return "copy " + t + " differs from byte " + at;
            }
        }
        return null;
    }

    private static void checkChunks(Hdf5Chunks layout) {
        for (Hdf5Chunks.Piece p : layout.pieces()) {
            if (p.firstRow() != p.index() * layout.chunkRows()) {
                throw new ExampleException("chunk " + p.index() + " starts at row " + p.firstRow() + ", not on the chunk grid");
            }
            if (p.shuffled() && !p.deflated()) {
                throw new ExampleException("chunk " + p.index() + " is shuffled but not compressed; the example does not undo that");
            }
        }
    }

    /** jhdf's read of the whole dataset, as native-order bytes of the dataset's element type. */
    private static MemorySegment reference(HdfFile hdf, Hdf5Chunks layout) {
        Object flat = hdf.getDatasetByPath(layout.dataset()).getDataFlat();
        int width = layout.dtype().itemSize();
        MemorySegment segment = switch (flat) {
            case double[] d when width == 8 -> MemorySegment.ofArray(d);
            case float[] f when width == 4 -> MemorySegment.ofArray(f);
            case long[] l when width == 8 -> MemorySegment.ofArray(l);
            case int[] i when width == 4 -> MemorySegment.ofArray(i);
            case short[] s when width == 2 -> MemorySegment.ofArray(s);
            case byte[] b when width == 1 -> MemorySegment.ofArray(b);
            default -> narrow(flat, width); // jhdf widens unsigned types (uint32 to long...)
        };
        if (segment.byteSize() != layout.elementCount() * width) {
            throw new ExampleException("jhdf read " + segment.byteSize() + " bytes for " + layout.elementCount() + " elements");
        }
        return segment;
    }

    private static MemorySegment narrow(Object flat, int width) {
        int n = Array.getLength(flat);
        MemorySegment out = MemorySegment.ofArray(new byte[Math.multiplyExact(n, width)]);
        for (int i = 0; i < n; i++) {
            Object v = Array.get(flat, i);
            long bits = v instanceof java.math.BigInteger b ? b.longValue() : ((Number) v).longValue();
            switch (width) {
                case 1 -> out.set(java.lang.foreign.ValueLayout.JAVA_BYTE, i, (byte) bits);
                case 2 -> out.set(java.lang.foreign.ValueLayout.JAVA_SHORT_UNALIGNED, 2L * i, (short) bits);
                case 4 -> out.set(java.lang.foreign.ValueLayout.JAVA_INT_UNALIGNED, 4L * i, (int) bits);
                default -> out.set(java.lang.foreign.ValueLayout.JAVA_LONG_UNALIGNED, 8L * i, bits);
            }
        }
        return out;
    }

    /** The bundled fixture, copied to a file that workers may read. */
    private static Path bundledCopy() {
        try (InputStream in = FillExample.class.getResourceAsStream(BUNDLED)) {
            if (in == null) {
                throw new ExampleException("the bundled " + BUNDLED + " is missing from the build");
            }
            Path dir = Files.createTempDirectory("tessera-fill-");
            Path copy = dir.resolve(BUNDLED);
            Files.copy(in, copy);
            copy.toFile().deleteOnExit();
            dir.toFile().deleteOnExit();
            return copy;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
