package dev.tessera.bench;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.CyclicBarrier;

/**
 * The plain-Java memory bandwidth the kernels are held to: a loop filling, and one summing, a float64 MemorySegment,
 * on 1 and on 2 threads (each thread half). The best of repeated passes after warm-up, in GB/s of the array.
 *
 * <p>{@code BandwidthReference ELEMENTS SECONDS OUT.json} writes {@code {"fill_1": GB/s, "sum_1": ..., "fill_2": ...,
 * "sum_2": ...}}, the reference {@code bench/python/kernels.py} reads.
 */
public final class BandwidthReference {
    private static final ValueLayout.OfDouble F64 = ValueLayout.JAVA_DOUBLE_UNALIGNED;
    private static volatile double sink;

    private BandwidthReference() {
    }

    /** The plain-Java fill loop every bandwidth figure is held to (also timed by JMH's BandwidthBench). */
    public static void fill(MemorySegment s, long from, long to, double v) {
        for (long i = from; i < to; i++) {
            s.setAtIndex(F64, i, v);
        }
    }

    /** Four accumulators, so that the loop is bound by memory, not by the latency of one add chain. */
    public static double sum(MemorySegment s, long from, long to) {
        double a = 0, b = 0, c = 0, d = 0;
        long i = from;
        for (; i + 4 <= to; i += 4) {
            a += s.getAtIndex(F64, i);
            b += s.getAtIndex(F64, i + 1);
            c += s.getAtIndex(F64, i + 2);
            d += s.getAtIndex(F64, i + 3);
        }
        for (; i < to; i++) {
            a += s.getAtIndex(F64, i);
        }
        return a + b + c + d;
    }

    /** GB/s of {@code op} over the whole segment split between {@code threads} threads, best of passes in {@code seconds}. */
    static double measure(MemorySegment s, int threads, boolean isFill, double seconds) throws Exception {
        long n = s.byteSize() / 8;
        double best = 0;
        long end = System.nanoTime() + (long) (seconds * 1e9);
        int passes = 0;
        while (passes < 5 || System.nanoTime() < end) {
            CyclicBarrier start = new CyclicBarrier(threads);
            Thread[] ts = new Thread[threads];
            long[] began = new long[threads];
            long[] ended = new long[threads];
            for (int t = 0; t < threads; t++) {
                final int k = t;
                ts[t] = Thread.ofPlatform().start(() -> {
                    long from = n * k / threads;
                    long to = n * (k + 1) / threads;
                    try {
                        start.await();
                    } catch (Exception e) {
                        throw new IllegalStateException(e);
                    }
                    began[k] = System.nanoTime();
                    if (isFill) {
                        fill(s, from, to, 1.5);
                    } else {
                        sink += sum(s, from, to);
                    }
                    ended[k] = System.nanoTime();
                });
            }
            // wall time from the first thread's start to the last one's end: threads that did not overlap
            // (one scheduled after the other on a busy machine) do not count as running side by side
            long first = Long.MAX_VALUE;
            long last = Long.MIN_VALUE;
            for (int t = 0; t < threads; t++) {
                ts[t].join();
                first = Math.min(first, began[t]);
                last = Math.max(last, ended[t]);
            }
            best = Math.max(best, s.byteSize() / (double) (last - first)); // bytes per ns = GB/s
            passes++;
        }
        return best;
    }

    public static void main(String[] args) throws Exception {
        long elements = Long.parseLong(args[0]);
        double seconds = Double.parseDouble(args[1]);
        try (Arena arena = Arena.ofShared()) {
            MemorySegment s = arena.allocate(8 * elements, 64);
            measure(s, 1, true, seconds / 4); // warm-up: compile both loops
            measure(s, 1, false, seconds / 4);
            String json = String.format(Locale.ROOT, "{\"fill_1\": %.3f, \"sum_1\": %.3f, \"fill_2\": %.3f, \"sum_2\": %.3f}",
                    measure(s, 1, true, seconds), measure(s, 1, false, seconds), measure(s, 2, true, seconds),
                    measure(s, 2, false, seconds));
            System.out.println(json);
            if (args.length > 2) {
                Files.writeString(Path.of(args[2]), json);
            }
        }
    }
}
