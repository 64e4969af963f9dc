package dev.tessera.bench.jmh;

import dev.tessera.shm.ArrayStore;
import dev.tessera.shm.ArrayView;
import dev.tessera.shm.DType;
import dev.tessera.shm.SharedArray;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

/** What handing a worker a slice costs on the host: a writable view under a lease, or a read-only view, and its release. */
@State(Scope.Benchmark)
public class ViewBench {
    private ArrayStore store;
    private SharedArray array;

    @Setup
    public void setup() {
        store = new ArrayStore();
        array = store.allocate(DType.FLOAT64, 1 << 20);
    }

    @TearDown
    public void tearDown() {
        store.close();
    }

    @Benchmark
    public long writableLease() {
        try (ArrayView v = array.slice(1000, 2000)) {
            return v.elementCount();
        }
    }

    @Benchmark
    public long readOnlyView() {
        try (ArrayView v = array.readOnly(1000, 2000)) {
            return v.elementCount();
        }
    }
}
