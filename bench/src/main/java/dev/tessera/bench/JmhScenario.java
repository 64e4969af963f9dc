package dev.tessera.bench;

import dev.tessera.bench.jmh.BandwidthBench;
import dev.tessera.bench.jmh.KernelBench;
import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.options.ChainedOptionsBuilder;
import org.openjdk.jmh.runner.options.OptionsBuilder;
import org.openjdk.jmh.runner.options.TimeValue;

/** The Java-side primitives under JMH: views and leases, the queue, a warm task round trip, kernels per dtype, bandwidth. */
final class JmhScenario implements Scenario {
    @Override
    public String name() {
        return "jmh";
    }

    @Override
    public String description() {
        return "JMH: view and lease, queue offer/poll, task round trip from Java, each kernel per dtype, plain-Java bandwidth";
    }

    @Override
    public List<Row> run(BenchContext context) throws Exception {
        ChainedOptionsBuilder options = new OptionsBuilder()
                .shouldFailOnError(true)
                .timeUnit(TimeUnit.SECONDS)
                .output(context.logs().resolve("jmh.txt").toString())
                .jvmArgs(jvmArgs().toArray(String[]::new));
        switch (context.mode()) {
            case TINY -> options.include("dev.tessera.bench.jmh.(ViewBench|QueueBench).*").forks(0)
                    .warmupIterations(0).measurementIterations(1).measurementTime(TimeValue.milliseconds(50));
            case QUICK -> options.include("dev.tessera.bench.jmh.*").forks(1).warmupIterations(2)
                    .warmupTime(TimeValue.milliseconds(500)).measurementIterations(3).measurementTime(TimeValue.milliseconds(500));
            case FULL -> options.include("dev.tessera.bench.jmh.*").forks(1).warmupIterations(3)
                    .warmupTime(TimeValue.seconds(1)).measurementIterations(5).measurementTime(TimeValue.seconds(1));
        }
        java.nio.file.Files.createDirectories(context.logs());
        Collection<RunResult> results = new Runner(options.build()).run();
        List<Row> rows = new ArrayList<>();
        for (RunResult r : results) {
            rows.addAll(rows(r));
        }
        return rows;
    }

    private static List<String> jvmArgs() {
        List<String> args = new ArrayList<>();
        for (String a : ManagementFactory.getRuntimeMXBean().getInputArguments()) {
            if (!a.startsWith("-agentlib") && !a.startsWith("-XX:StartFlightRecording") && !a.startsWith("-javaagent")) {
                args.add(a);
            }
        }
        return args;
    }

    /** One row per benchmark (and per thread of a group); rates in calls per second, converted where a unit says more. */
    static List<Row> rows(RunResult r) {
        String name = r.getParams().getBenchmark();
        String shortName = name.substring(name.lastIndexOf('.', name.lastIndexOf('.') - 1) + 1);
        double perSecond = r.getPrimaryResult().getScore();
        List<Row> rows = new ArrayList<>();
        if (name.endsWith("KernelBench.run")) {
            String kernel = r.getParams().getParam("kernel");
            String dtype = r.getParams().getParam("dtype");
            double bytes = (double) KernelBench.ELEMENTS * dev.tessera.shm.DType.parse(dtype).itemSize();
            rows.add(new Row("jmh", "jmh_kernel_" + kernel + "_" + dtype, "kernel " + kernel + ", " + dtype + " (Java API)",
                    "GB/s", perSecond * bytes, null, null, "", null, true));
        } else if (name.contains("BandwidthBench")) {
            boolean two = name.endsWith("TwoThreads");
            double bytes = 8.0 * BandwidthBench.ELEMENTS / (two ? 2 : 1);
            rows.add(new Row("jmh", "jmh_" + shortName.replace('.', '_'), "plain Java " + (name.contains("fill") ? "fill" : "sum")
                    + ", float64, " + (two ? "2 threads" : "1 thread"), "GB/s", perSecond * bytes, null, null, "", null, true));
        } else if (name.endsWith("taskRoundTrip")) {
            rows.add(new Row("jmh", "jmh_task_round_trip_us", "warm trivial task round trip from Java", "us", 1e6 / perSecond,
                    null, null, "< 50 us", 1e6 / perSecond < 50, false));
        } else if (!r.getSecondaryResults().isEmpty() && name.endsWith("producerConsumer")) {
            for (Map.Entry<String, org.openjdk.jmh.results.Result> e : r.getSecondaryResults().entrySet()) {
                rows.add(new Row("jmh", "jmh_queue_" + e.getKey(), "queue, " + e.getKey() + " beside the other thread", "M/s",
                        e.getValue().getScore(), null, null, "", null, true));
            }
        } else {
            rows.add(new Row("jmh", "jmh_" + shortName.replace('.', '_'), shortName, "M/s", perSecond, null, null, "", null, true));
        }
        return rows;
    }
}
