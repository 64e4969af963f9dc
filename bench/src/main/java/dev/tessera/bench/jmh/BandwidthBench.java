package dev.tessera.bench.jmh;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Threads;
import org.openjdk.jmh.infra.ThreadParams;

/**
 * The plain-Java memory bandwidth reference: a loop filling, and one summing, a float64 MemorySegment of
 * {@link #ELEMENTS} elements; with two threads each takes its half. A call moves {@code ELEMENTS * 8 / threads} bytes.
 */
@State(Scope.Benchmark)
public class BandwidthBench {
    public static final int ELEMENTS = 1 << 23;
    private static final ValueLayout.OfDouble F64 = ValueLayout.JAVA_DOUBLE_UNALIGNED;
    private Arena arena;
    private MemorySegment segment;

    @Setup
    public void setup() {
        arena = Arena.ofShared();
        segment = arena.allocate(8L * ELEMENTS, 64);
    }

    @TearDown
    public void tearDown() {
        arena.close();
    }

    private void fill(int part, int parts) {
        long from = (long) ELEMENTS * part / parts;
        long to = (long) ELEMENTS * (part + 1) / parts;
        for (long i = from; i < to; i++) {
            segment.setAtIndex(F64, i, 1.5);
        }
    }

    private double sum(int part, int parts) {
        long from = (long) ELEMENTS * part / parts;
        long to = (long) ELEMENTS * (part + 1) / parts;
        double a = 0, b = 0, c = 0, d = 0;
        long i = from;
        for (; i + 4 <= to; i += 4) {
            a += segment.getAtIndex(F64, i);
            b += segment.getAtIndex(F64, i + 1);
            c += segment.getAtIndex(F64, i + 2);
            d += segment.getAtIndex(F64, i + 3);
        }
        for (; i < to; i++) {
            a += segment.getAtIndex(F64, i);
        }
        return a + b + c + d;
    }

    @Benchmark
    @Threads(1)
    public void fillOneThread() {
        fill(0, 1);
    }

    @Benchmark
    @Threads(2)
    public void fillTwoThreads(ThreadParams t) {
        fill(t.getThreadIndex(), 2);
    }

    @Benchmark
    @Threads(1)
    public double sumOneThread() {
        return sum(0, 1);
    }

    @Benchmark
    @Threads(2)
    public double sumTwoThreads(ThreadParams t) {
        return sum(t.getThreadIndex(), 2);
    }
}
