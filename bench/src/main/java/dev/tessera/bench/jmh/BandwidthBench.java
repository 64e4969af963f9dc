package dev.tessera.bench.jmh;

import dev.tessera.bench.BandwidthReference;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
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

    // the same loops as BandwidthReference, each thread over its part
    private void fill(int part, int parts) {
        BandwidthReference.fill(segment, (long) ELEMENTS * part / parts, (long) ELEMENTS * (part + 1) / parts, 1.5);
    }

    private double sum(int part, int parts) {
        return BandwidthReference.sum(segment, (long) ELEMENTS * part / parts, (long) ELEMENTS * (part + 1) / parts);
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
