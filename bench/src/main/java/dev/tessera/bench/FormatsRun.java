package dev.tessera.bench;

import com.google.gson.GsonBuilder;
import dev.tessera.codecs.Codecs;
import dev.tessera.formats.DatasetInfo;
import dev.tessera.formats.Hdf5;
import dev.tessera.formats.ReadOptions;
import dev.tessera.formats.ReadStats;
import dev.tessera.formats.Zarr;
import dev.tessera.shm.ArrayStore;
import dev.tessera.shm.SharedArray;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code FormatsRun OUT.json hdf5|zarr PATH DATASET ROUNDS THREADS...}: Tessera's side of the formats scenario, in a
 * JVM of its own: the dataset read with the library call ({@link Hdf5#readInto} / {@link Zarr#readInto}, host
 * threads) into one existing array, one warm-up read per thread count, then ROUNDS rounds with the thread counts
 * interleaved; MB/s of the array's bytes per read, best and median, the process's CPU time per read (median), and the
 * last round's time per stage.
 */
public final class FormatsRun {
    private FormatsRun() {
    }

    private static final java.lang.invoke.MethodHandle CLOCK_GETTIME = java.lang.foreign.Linker.nativeLinker().downcallHandle(
            java.lang.foreign.Linker.nativeLinker().defaultLookup().find("clock_gettime").orElseThrow(),
            java.lang.foreign.FunctionDescriptor.of(java.lang.foreign.ValueLayout.JAVA_INT, java.lang.foreign.ValueLayout.JAVA_INT,
                    java.lang.foreign.ValueLayout.ADDRESS));
    private static final java.lang.foreign.MemorySegment TIMESPEC = java.lang.foreign.Arena.global().allocate(16, 8);

    /** CLOCK_PROCESS_CPUTIME_ID in nanoseconds (the MXBean's process CPU time counts in 10 ms ticks here). */
    private static long processCpuNanos() {
        try {
            if ((int) CLOCK_GETTIME.invokeExact(2, TIMESPEC) != 0) {
                return 0;
            }
        } catch (Throwable t) {
            return 0;
        }
        return TIMESPEC.get(java.lang.foreign.ValueLayout.JAVA_LONG, 0) * 1_000_000_000L + TIMESPEC.get(java.lang.foreign.ValueLayout.JAVA_LONG, 8);
    }

    /** The middle value (of an even count, the mean of the two middle ones). */
    static double median(List<Double> xs) {
        List<Double> s = new ArrayList<>(xs);
        s.sort(null);
        return s.size() % 2 == 1 ? s.get(s.size() / 2) : (s.get(s.size() / 2 - 1) + s.get(s.size() / 2)) / 2;
    }

    public static void main(String[] args) throws Exception {
        Path out = Path.of(args[0]);
        boolean hdf5 = args[1].equals("hdf5");
        Path path = Path.of(args[2]);
        String dataset = args[3];
        int rounds = Integer.parseInt(args[4]);
        List<Integer> threads = new ArrayList<>();
        for (int i = 5; i < args.length; i++) {
            threads.add(Integer.parseInt(args[i]));
        }
        Map<String, Object> result = new LinkedHashMap<>();
        result.put("decoders", Codecs.defaults().describe());
        try (ArrayStore store = new ArrayStore()) {
            DatasetInfo info = hdf5 ? Hdf5.inspect(path, dataset) : Zarr.inspect(path);
            result.put("dataset", info.description());
            SharedArray array = store.allocate(info.dtype(), info.shape());
            Map<Integer, List<Double>> rates = new LinkedHashMap<>();
            Map<Integer, ReadStats> last = new LinkedHashMap<>();
            Map<Integer, List<Double>> cpuMs = new LinkedHashMap<>();
            for (int round = -1; round < rounds; round++) {
                for (int t : threads) {
                    ReadOptions o = ReadOptions.threads(t);
                    long cpu0 = processCpuNanos();
                    ReadStats s = hdf5 ? Hdf5.readInto(path, dataset, array, o) : Zarr.readInto(path, array, o);
                    if (round >= 0) {
                        rates.computeIfAbsent(t, k -> new ArrayList<>()).add(s.megabytesPerSecond());
                        last.put(t, s);
                        cpuMs.computeIfAbsent(t, k -> new ArrayList<>()).add((processCpuNanos() - cpu0) / 1e6);
                    }
                }
            }
            result.put("malloc", Codecs.defaults().mallocNote()); // after the reads: c-blosc's first decode sets it
            for (int t : threads) {
                List<Double> r = rates.get(t);
                Map<String, Object> one = new LinkedHashMap<>();
                one.put("best", java.util.Collections.max(r));
                one.put("median", median(r));
                one.put("rounds", r);
                // the process's CPU time per read (reader threads, and the JVM's own: JIT, GC), median: on a shared
                // machine it tells whether the threads got their cores (a read that gets one core for 2 threads
                // shows CPU time equal to its wall time)
                List<Double> cpu = new ArrayList<>(cpuMs.get(t));
                cpu.sort(null);
                one.put("cpu_ms", cpu.get(cpu.size() / 2));
                Map<String, Double> ms = new LinkedHashMap<>();
                last.get(t).stageNanos().forEach((k, v) -> ms.put(k, v / 1e6));
                one.put("stage_ms", ms);
                one.put("seconds", last.get(t).seconds());
                one.put("stored_bytes", last.get(t).storedBytes());
                result.put("threads_" + t, one);
            }
        }
        Files.writeString(out, new GsonBuilder().setPrettyPrinting().create().toJson(result));
    }
}
