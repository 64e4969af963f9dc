package dev.tessera.bench.jmh;

import dev.tessera.kernels.Compare;
import dev.tessera.kernels.Kernels;
import dev.tessera.kernels.Strided;
import dev.tessera.shm.ArrayStore;
import dev.tessera.shm.DType;
import dev.tessera.shm.SharedArray;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

/** Each kernel per dtype from Java, over {@link #ELEMENTS} elements (beyond the caches). Rate: calls per second. */
@State(Scope.Benchmark)
public class KernelBench {
    public static final int ELEMENTS = 1 << 22;

    @Param({"fill", "sum", "count_where", "where", "copy", "cast"})
    public String kernel;

    @Param({"int8", "int32", "int64", "float32", "float64"})
    public String dtype;

    private ArrayStore store;
    private Strided src;
    private Strided dst;
    private Strided mask;
    private Strided other;

    @Setup
    public void setup() {
        DType t = DType.parse(dtype);
        store = new ArrayStore();
        SharedArray a = store.allocate(t, ELEMENTS);
        src = Strided.of(a);
        Kernels.fill(src, 3L); // fits every dtype; the loops timed do the same work whatever the values
        dst = Strided.of(store.allocate(t, ELEMENTS));
        mask = Strided.of(store.allocate(DType.BOOL, ELEMENTS));
        other = Strided.of(store.allocate(t == DType.FLOAT64 ? DType.FLOAT32 : DType.FLOAT64, ELEMENTS));
    }

    @TearDown
    public void tearDown() {
        store.close();
    }

    @Benchmark
    public Object run() {
        return switch (kernel) {
            case "fill" -> {
                Kernels.fill(dst, 3L);
                yield null;
            }
            case "sum" -> Kernels.sum(src);
            case "count_where" -> Kernels.countWhere(src, Compare.GT, 60L);
            case "where" -> Kernels.where(mask, src, Compare.GT, 60.0, false);
            case "copy" -> {
                Kernels.copy(dst, src);
                yield null;
            }
            case "cast" -> {
                Kernels.cast(other, src);
                yield null;
            }
            default -> throw new IllegalArgumentException(kernel);
        };
    }
}
