package dev.tessera.examples;

import dev.tessera.codecs.Codecs;
import dev.tessera.formats.DatasetInfo;
import dev.tessera.formats.FormatException;
import dev.tessera.formats.Hdf5;
import dev.tessera.formats.ReadOptions;
import dev.tessera.formats.ReadStats;
import dev.tessera.shm.ArrayStore;
import dev.tessera.shm.SharedArray;
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
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/**
 * {@code tessera example fill}: a chunked, compressed HDF5 dataset read in parallel into host arrays with the
 * library call {@link Hdf5#readInto} (host threads decompress chunks straight into their place; see the formats
 * module), first with one thread, then with {@code --workers}; jhdf's own read of the dataset is the reference
 * every array must equal.
 */
@Command(name = "fill", mixinStandardHelpOptions = true,
        description = {"Read a chunked HDF5 dataset (deflate, shuffle, fletcher32, zstd, lz4, blosc) into host arrays with "
                + "host threads in parallel (tessera.hdf5.read's engine), and check it against jhdf's own read.",
                "Without --file it uses a bundled 8 MiB dataset (2^20 float64 in 64 chunks, gzip level 4, shuffle), "
                        + "read --repeat times per round into as many arrays, --rounds times by one thread, then by --workers."})
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

    @Option(names = {"-w", "--workers"}, description = "decompressing threads for the parallel run (default: cores)")
    int workers = Runtime.getRuntime().availableProcessors();

    @Option(names = "--repeat", description = "read the dataset this many times per round, each into its own array, "
            + "for more data (default: 32 for the bundled file, 1 otherwise)")
    Integer repeat;

    @Option(names = "--rounds", description = "rounds per thread count, into the same arrays; the first ones include "
            + "compiling the readers' code (default: ${DEFAULT-VALUE})")
    int rounds = 4;

    @Option(names = "--single", negatable = true, defaultValue = "true", fallbackValue = "true",
            description = "also time one thread first, for comparison (default: on; --no-single skips it)")
    boolean single;

    @Option(names = "--progress", negatable = true, defaultValue = "true", fallbackValue = "true",
            description = "show a progress bar on a terminal (default: on)")
    boolean progress;

    @Option(names = "--json", paramLabel = "FILE", description = "also write the figures as JSON (for tessera bench)")
    Path json;

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
        DatasetInfo info;
        try {
            info = Hdf5.inspect(source, dataset);
        } catch (FormatException e) {
            throw new ExampleException(e.getMessage());
        }
        out.printf("%s %s: %s %s, %d chunks of %s, filters: %s; read %d time%s per round%n",
                file == null ? "bundled " + BUNDLED : source, dataset, info.dtype().typeName(), Arrays.toString(info.shape()),
                info.storedChunks(), Arrays.toString(info.chunkShape()), info.filters(), tiles, tiles == 1 ? "" : "s");
        Codecs.defaults().describe().forEach((format, impl) -> out.printf("  %s: %s%n", format, impl));
        boolean ok = true;
        Map<String, Object> figures = new LinkedHashMap<>();
        List<String[]> table = ExampleSupport.rows();
        table.add(new String[]{"threads", "first round MB/s", "best MB/s", "median MB/s", "speed-up", "equals jhdf's read"});
        List<String[]> stagesTable = ExampleSupport.rows();
        stagesTable.add(new String[]{"threads", "read", "inflate/decode", "unshuffle", "checksum", "copy", "(ms per round, summed over threads)"});
        try (ArrayStore store = new ArrayStore()) {
            List<SharedArray> arrays = new ArrayList<>();
            for (int t = 0; t < tiles; t++) {
                arrays.add(store.allocate(info.dtype(), info.shape()));
            }
            List<Integer> runs = single && workers > 1 ? List.of(1, workers) : List.of(workers);
            double oneThreadBest = 0;
            MemorySegment reference = null;
            for (int n : runs) {
                double[] seconds = new double[rounds];
                Map<String, Long> stages = new LinkedHashMap<>();
                for (int r = 0; r < rounds; r++) {
                    long start = System.nanoTime();
                    try (var bar = ExampleSupport.progress("fill x" + n, (long) info.storedChunks() * tiles, " chunks", progress)) {
                        for (int t = 0; t < tiles; t++) {
                            long before = (long) t * info.storedChunks();
                            ReadStats s = Hdf5.readInto(source, dataset, arrays.get(t), ReadOptions.threads(n).withProgress(
                                    (done, total, bytes) -> bar.stepTo(before + done, String.format("%,.0f MB/s",
                                            (before * info.elementCount() / info.storedChunks() + bytes) / ((System.nanoTime() - start) / 1e9) / 1e6))));
                            if (r == rounds - 1) {
                                s.stageNanos().forEach((k, v) -> stages.merge(k, v, Long::sum));
                            }
                        }
                    } catch (FormatException e) {
                        throw new ExampleException(e.getMessage());
                    }
                    seconds[r] = (System.nanoTime() - start) / 1e9;
                }
                if (reference == null) { // after the first reads, so that a damaged file gets Tessera's error naming the chunk
                    long t0 = System.nanoTime();
                    reference = reference(source, dataset, info);
                    out.printf("reference: jhdf read the dataset in %.0f ms%n", (System.nanoTime() - t0) / 1e6);
                }
                String mismatch = null;
                for (int t = 0; t < tiles && mismatch == null; t++) {
                    long at = arrays.get(t).segment().mismatch(reference);
                    mismatch = at < 0 ? null : "array " + t + " differs from byte " + at;
                }
                ok &= mismatch == null;
                long bytes = arrays.get(0).byteSize() * tiles;
                double best = Arrays.stream(seconds).min().orElseThrow();
                double[] sorted = seconds.clone();
                Arrays.sort(sorted);
                double median = ExampleSupport.quantile(sorted, 0.5);
                oneThreadBest = n == 1 ? best : oneThreadBest;
                figures.put("mb_per_s_first_" + n, bytes / seconds[0] / 1e6);
                figures.put("mb_per_s_best_" + n, bytes / best / 1e6);
                figures.put("mb_per_s_median_" + n, bytes / median / 1e6);
                figures.put("bytes_per_round", bytes);
                Map<String, Double> ms = new LinkedHashMap<>();
                stages.forEach((k, v) -> ms.put(k, v / 1e6));
                figures.put("stage_ms_" + n, ms);
                table.add(new String[]{String.valueOf(n), String.format("%,.0f", bytes / seconds[0] / 1e6),
                        String.format("%,.0f", bytes / best / 1e6), String.format("%,.0f", bytes / median / 1e6),
                        n > 1 && oneThreadBest > 0 ? String.format("%.2fx", oneThreadBest / best) : "-",
                        mismatch == null ? "yes" : "NO: " + mismatch});
                stagesTable.add(new String[]{String.valueOf(n), String.format("%.0f", ms.get("read")),
                        String.format("%.0f", ms.get("inflate") + ms.get("zstd") + ms.get("lz4") + ms.get("blosc")),
                        String.format("%.0f", ms.get("unshuffle")), String.format("%.0f", ms.get("checksum")),
                        String.format("%.0f", ms.get("copy")), ""});
            }
        }
        out.printf("%d round%s per thread count, %s per round:%n", rounds, rounds == 1 ? "" : "s",
                ExampleSupport.mib(info.elementCount() * info.dtype().itemSize() * tiles));
        ExampleSupport.table(out, table);
        out.println("where the last round's time went:");
        ExampleSupport.table(out, stagesTable);
        out.println(ok ? "OK: every array equals jhdf's read of the dataset" : "FAILED: a filled array differs from jhdf's read");
        figures.put("workers", workers);
        figures.put("verified", ok);
        figures.put("decoders", Codecs.defaults().describe());
        ExampleSupport.writeJson(json, figures);
        return ok ? 0 : 1;
    }

    /** jhdf's read of the whole dataset, as native-order bytes of the dataset's element type. */
    private static MemorySegment reference(Path source, String dataset, DatasetInfo info) {
        try (HdfFile hdf = new HdfFile(source)) {
            return reference(hdf.getDatasetByPath(dataset).getDataFlat(), info);
        }
    }

    private static MemorySegment reference(Object flat, DatasetInfo info) {
        int width = info.dtype().itemSize();
        MemorySegment segment = switch (flat) {
            case double[] d when width == 8 -> MemorySegment.ofArray(d);
            case float[] f when width == 4 -> MemorySegment.ofArray(f);
            case long[] l when width == 8 -> MemorySegment.ofArray(l);
            case int[] i when width == 4 -> MemorySegment.ofArray(i);
            case short[] s when width == 2 -> MemorySegment.ofArray(s);
            case byte[] b when width == 1 -> MemorySegment.ofArray(b);
            default -> narrow(flat, width); // jhdf widens unsigned types (uint32 to long...)
        };
        if (segment.byteSize() != info.elementCount() * width) {
            throw new ExampleException("jhdf read " + segment.byteSize() + " bytes for " + info.elementCount() + " elements");
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
