package dev.tessera.examples;

import dev.tessera.buffer.PythonRuntime;
import dev.tessera.shm.ArrayClosedException;
import dev.tessera.shm.ArrayStore;
import dev.tessera.shm.DType;
import dev.tessera.shm.SharedArray;
import dev.tessera.workers.InterpreterPool;
import dev.tessera.workers.TaskFuture;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/**
 * {@code tessera example release}: arrays of different sizes, filled by workers, then freed one by one in an order
 * of our choosing, the process's resident memory falling by each array's size as it goes. A named shared-memory
 * segment cannot do that: its pages stay while any process maps it, and the name stays until it is unlinked.
 */
@Command(name = "release", mixinStandardHelpOptions = true,
        description = {"Allocate arrays of different sizes, fill them in worker interpreters, then free them one by one "
                + "and watch the process's resident memory (RSS) fall by each array's size."})
public final class ReleaseExample implements Callable<Integer> {
    /** Element types the arrays take in turn. */
    private static final DType[] DTYPES = {DType.FLOAT64, DType.INT32, DType.FLOAT32, DType.INT64, DType.UINT8};

    @Spec
    CommandSpec spec;

    @picocli.CommandLine.ParentCommand
    Examples examples; // null when the example runs alone

    @Option(names = "--sizes", split = ",", paramLabel = "MIB",
            description = "array sizes in MiB, comma-separated (default: ${DEFAULT-VALUE})", defaultValue = "64,256,128,192,96")
    List<Integer> sizesMiB;

    @Option(names = {"-w", "--workers"}, description = "worker interpreters filling each array (default: cores)")
    int workers = Runtime.getRuntime().availableProcessors();

    @Option(names = "--min-drop", description = "fraction of an array's bytes RSS must fall by when it is freed "
            + "(default: ${DEFAULT-VALUE})")
    double minDrop = 0.75;

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        if (sizesMiB.isEmpty() || sizesMiB.stream().anyMatch(s -> s < 1 || s > 64 * 1024)) {
            throw new ExampleException("--sizes must be between 1 and 65536 MiB each");
        }
        if (workers < 1) {
            throw new ExampleException("--workers must be at least 1, got " + workers);
        }
        if (ExampleSupport.rss() < 0) {
            throw new ExampleException("this system does not report resident memory (/proc/self/status): nothing to show");
        }
        Path modules = ExampleSupport.pythonModules();
        boolean ok = true;
        try (PythonRuntime runtime = Examples.runtime(examples); ArrayStore store = new ArrayStore();
             InterpreterPool pool = ExampleSupport.pool(runtime, store, workers, modules, "fill_value")) {
            List<SharedArray> arrays = new ArrayList<>();
            long before = ExampleSupport.rss();
            out.printf("RSS with %d worker interpreters and no arrays: %s%n", workers, ExampleSupport.mib(before));
            for (int i = 0; i < sizesMiB.size(); i++) {
                DType dtype = DTYPES[i % DTYPES.length];
                long bytes = (long) sizesMiB.get(i) << 20;
                SharedArray a = store.allocate("array" + i, dtype, bytes / dtype.itemSize());
                arrays.add(a);
                long value = i + 1;
                String check = fill(pool, a, value);
                ok &= check == null;
                out.printf("array%d: %-7s %s filled by %d worker%s; RSS %s%s%n", i, dtype.typeName(), ExampleSupport.mib(bytes),
                        workers, workers == 1 ? "" : "s", ExampleSupport.mib(ExampleSupport.rss()),
                        check == null ? "" : "; WRONG: " + check);
            }
            List<String[]> table = ExampleSupport.rows();
            table.add(new String[]{"freed", "size", "RSS after", "RSS fell by", "of its size"});
            for (int i : releaseOrder(arrays.size())) {
                SharedArray a = arrays.get(i);
                long rssBefore = ExampleSupport.rss();
                a.close(); // this array's memory goes back now; the others stay where they are
                long rssAfter = ExampleSupport.rss();
                double fraction = (rssBefore - rssAfter) / (double) a.byteSize();
                ok &= fraction >= minDrop && refusesAccess(a);
                table.add(new String[]{a.name(), ExampleSupport.mib(a.byteSize()), ExampleSupport.mib(rssAfter),
                        ExampleSupport.mib(rssBefore - rssAfter), String.format("%.0f%%%s", 100 * fraction, fraction >= minDrop ? "" : " (too little)")});
            }
            ExampleSupport.table(out, table);
            out.printf("RSS at the end: %s (%s in use by arrays)%n", ExampleSupport.mib(ExampleSupport.rss()),
                    ExampleSupport.mib(store.bytesInUse()));
        }
        out.println(ok ? "OK: every array was filled right, and freeing it gave its memory back at once"
                : "FAILED: see the rows marked above");
        return ok ? 0 : 1;
    }

    /** Every other array first, then the rest: any order works, each array is its own allocation. */
    static List<Integer> releaseOrder(int n) {
        List<Integer> order = new ArrayList<>();
        for (int i = 1; i < n; i += 2) {
            order.add(i);
        }
        for (int i = 0; i < n; i += 2) {
            order.add(i);
        }
        return order;
    }

    /** Fills {@code a} with {@code value}, a slice per worker; null if the workers' sums say it worked. */
    private String fill(InterpreterPool pool, SharedArray a, long value) {
        long n = a.length();
        int parts = (int) Math.min(pool.workerCount(), n);
        List<TaskFuture> tasks = new ArrayList<>();
        for (int p = 0; p < parts; p++) {
            tasks.add(pool.submit("fill_value", "fill", a.slice(n * p / parts, n * (p + 1) / parts), value));
        }
        double total = 0;
        for (TaskFuture t : tasks) {
            total += ((Number) ExampleSupport.result(t, "filling " + a.name())).doubleValue();
        }
        double expected = (double) value * n;
        if (total != expected) {
            return "the workers' sums add up to " + total + ", not " + expected;
        }
        if (a.get(n - 1).longValue() != value || a.get(0).longValue() != value) {
            return "the host reads " + a.get(0) + " and " + a.get(n - 1) + ", not " + value;
        }
        return null;
    }

    private static boolean refusesAccess(SharedArray a) {
        try {
            a.get(0);
            return false;
        } catch (ArrayClosedException e) {
            return true;
        }
    }
}
