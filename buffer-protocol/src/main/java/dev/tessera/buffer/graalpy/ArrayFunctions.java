package dev.tessera.buffer.graalpy;

import dev.tessera.buffer.interop.InteropArray;
import dev.tessera.shm.ArrayStore;
import dev.tessera.shm.DType;
import java.util.List;
import java.util.function.Supplier;

/** The host functions of {@code tessera._arrays} in one interpreter: allocation in the store it was given. */
public final class ArrayFunctions {
    private ArrayFunctions() {
    }

    public static List<HostFunction> of(ArrayStore store, GuestScope scope) {
        return of(() -> store, scope);
    }

    /** As {@link #of(ArrayStore, GuestScope)}, allocating in the store {@code stores} gives at each call. */
    public static List<HostFunction> of(Supplier<ArrayStore> stores, GuestScope scope) {
        return List.of(
                // allocate(shape: tuple[int, ...], format: str, name: str | None) -> a zero-filled array
                new HostFunction("allocate", 3, scope, (a, node) -> new ArrayObject(stores.get().allocate(
                        GuestArgs.asOptString(a[2], "name"), DType.parse(GuestArgs.asString(a[1], "format")),
                        GuestArgs.asLongs(a[0], "shape")))),
                // store_stats() -> (bytes in use, live arrays, writable leases)
                new HostFunction("store_stats", 0, scope, (a, node) -> {
                    ArrayStore store = stores.get();
                    return new InteropArray(store.bytesInUse(), (long) store.liveArrays().size(), (long) store.leaseCount());
                }));
    }
}
