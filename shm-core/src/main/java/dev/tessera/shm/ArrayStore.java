package dev.tessera.shm;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Allocates, names and tracks {@link SharedArray}s. Each array is its own allocation in its own shared arena, so
 * arrays are freed one by one. An optional byte limit bounds the memory in use. No named files, no /dev/shm:
 * memory is anonymous, or a file the caller names explicitly through {@link #map}.
 */
public final class ArrayStore implements AutoCloseable {
    /** Alignment of every allocation: a cache line, so rows handed to different workers rarely share one. */
    public static final long ALIGNMENT = 64;

    private final long byteLimit;
    private final AtomicLong bytesInUse = new AtomicLong();
    private final AtomicLong nextId = new AtomicLong(1);
    private final Map<String, SharedArray> live = new ConcurrentHashMap<>();
    private final Set<String> names = ConcurrentHashMap.newKeySet(); // claimed, including arrays being allocated
    private final Map<String, AnonymousFile> files = new ConcurrentHashMap<>(); // shareable arrays' descriptors
    private static final String OFF_HEAP = "off-heap";
    private static final String SHAREABLE = "anonymous shared memory";
    private volatile boolean closed;

    /** A store without a byte limit. */
    public ArrayStore() {
        this(Long.MAX_VALUE);
    }

    /** A store that refuses allocations that would take it past {@code byteLimit} bytes. */
    public ArrayStore(long byteLimit) {
        if (byteLimit <= 0) {
            throw new IllegalArgumentException("byte limit must be positive, got " + byteLimit);
        }
        this.byteLimit = byteLimit;
    }

    public long byteLimit() {
        return byteLimit;
    }

    /** A zero-filled array with a generated name. */
    public SharedArray allocate(DType dtype, long... shape) {
        return allocate(null, dtype, shape);
    }

    /** A zero-filled array named {@code name} (unique in this store; null for a generated name). */
    public SharedArray allocate(String name, DType dtype, long... shape) {
        return allocateOwned(name, dtype, shape, false);
    }

    /**
     * A zero-filled array in anonymous shared memory ({@code memfd_create}): like {@link #allocate}, and other
     * processes of the same user can map the same pages through {@link #descriptorOf}. Counted in the store's bytes.
     * The memory is freed when the array closes and every other process has unmapped it.
     */
    public SharedArray allocateShareable(String name, DType dtype, long... shape) {
        return allocateOwned(name, dtype, shape, true);
    }

    /** The one path of memory this store owns and counts: a name, the budget, an arena, and undoing all on failure. */
    private SharedArray allocateOwned(String name, DType dtype, long[] shape, boolean shareable) {
        String id = claimName(name);
        try {
            long bytes = byteCount(dtype, shape);
            reserve(id, bytes);
            Arena arena = Arena.ofShared();
            MemorySegment segment;
            try {
                segment = shareable ? anonymousSegment(id, bytes, arena) : privateSegment(bytes, arena);
            } catch (OutOfMemoryError e) {
                arena.close();
                bytesInUse.addAndGet(-bytes);
                throw new StoreLimitException("the system could not allocate " + bytes + " bytes for '" + id + "' ("
                        + e.getMessage() + "); this store holds " + bytesInUse.get() + " bytes");
            } catch (RuntimeException e) {
                arena.close();
                bytesInUse.addAndGet(-bytes);
                throw e;
            }
            // once registered, closing the array (also the refusal of a closed store) gives everything back
            return register(new SharedArray(id, dtype, shape, false, arena, segment, shareable ? SHAREABLE : OFF_HEAP,
                    this::onClosed));
        } catch (RuntimeException | Error e) {
            names.remove(id);
            throw e;
        }
    }

    /** An array's own memory in {@code arena}: a mapping of its own when large ({@link AnonymousPages}), else malloc'd. */
    private static MemorySegment privateSegment(long bytes, Arena arena) {
        if (bytes >= AnonymousPages.THRESHOLD && AnonymousPages.isSupported()) {
            return AnonymousPages.allocate(bytes, arena);
        }
        return arena.allocate(Math.max(bytes, 1), ALIGNMENT).asSlice(0, bytes);
    }

    /** A new anonymous file mapped into {@code arena}; its descriptor stays in {@link #files} until the array closes. */
    private MemorySegment anonymousSegment(String id, long bytes, Arena arena) {
        AnonymousFile file = AnonymousFile.create(id, Math.max(bytes, 1));
        try {
            MemorySegment segment = asArraySegment(file.map(Math.max(bytes, 1), arena), bytes, arena);
            files.put(id, file);
            return segment;
        } catch (IOException e) {
            file.close();
            throw new UncheckedIOException("cannot map anonymous memory for '" + id + "': " + e.getMessage(), e);
        } catch (RuntimeException e) {
            file.close();
            throw e;
        }
    }

    /**
     * A mapping seen as a plain native segment of the same arena (unmapped when it closes), so that every array's
     * segment has one class: compiled accessors rely on that.
     */
    private static MemorySegment asArraySegment(MemorySegment mapping, long bytes, Arena arena) {
        return MemorySegment.ofAddress(mapping.address()).reinterpret(bytes, arena, null);
    }

    /** The descriptor of a shareable array's anonymous memory (open while the array lives); empty for others. */
    public java.util.OptionalInt descriptorOf(SharedArray array) {
        AnonymousFile f = array.isClosed() ? null : files.get(array.name());
        return f == null ? java.util.OptionalInt.empty() : java.util.OptionalInt.of(f.fd());
    }

    /**
     * Runs {@code use} on a shareable array's descriptor while it cannot be closed (so not reused by another file),
     * e.g. to pass it to another process; {@code use} must not block. Empty when the array is not shareable or has
     * been released.
     */
    public java.util.OptionalLong withDescriptor(SharedArray array, java.util.function.IntToLongFunction use) {
        AnonymousFile f = array.isClosed() ? null : files.get(array.name());
        return f == null ? java.util.OptionalLong.empty() : f.use(use);
    }

    /**
     * An array backed by a memory-mapped file, for inputs larger than memory. With {@code writable} the file is
     * created or grown to the array's size and writes go to the file; otherwise the file must hold at least the
     * array's bytes and the array is read-only. Unmapped when the array closes.
     */
    public SharedArray map(Path path, boolean writable, DType dtype, long... shape) {
        String id = claimName(path.getFileName() + "#" + nextId.getAndIncrement());
        try {
            long bytes = byteCount(dtype, shape);
            Arena arena = Arena.ofShared();
            try (FileChannel channel = writable
                    ? FileChannel.open(path, StandardOpenOption.CREATE, StandardOpenOption.READ, StandardOpenOption.WRITE)
                    : FileChannel.open(path, StandardOpenOption.READ)) {
                if (!writable && channel.size() < bytes) {
                    throw new IllegalArgumentException("file " + path + " holds " + channel.size() + " bytes; "
                            + dtype.typeName() + Shape.format(shape) + " needs " + bytes);
                }
                MemorySegment mapping = channel.map(writable ? FileChannel.MapMode.READ_WRITE : FileChannel.MapMode.READ_ONLY,
                        0, bytes, arena);
                MemorySegment segment = asArraySegment(mapping, bytes, arena);
                if (!writable) {
                    segment = segment.asReadOnly();
                }
                // Mapped bytes live in the page cache, not in this store's budget: they are not counted.
                return register(new SharedArray(id, dtype, shape, !writable, arena, segment, "mapped " + path, this::onClosed));
            } catch (IOException e) {
                arena.close();
                throw new UncheckedIOException("cannot map " + path + ": " + e.getMessage(), e);
            } catch (RuntimeException e) {
                arena.close();
                throw e;
            }
        } catch (RuntimeException e) {
            names.remove(id);
            throw e;
        }
    }

    private static long byteCount(DType dtype, long[] shape) {
        if (dtype == null) {
            throw new IllegalArgumentException("dtype must not be null");
        }
        try {
            return Math.multiplyExact(Shape.elementCount(shape), dtype.itemSize());
        } catch (ArithmeticException e) {
            throw new IllegalArgumentException("shape " + Arrays.toString(shape) + " of " + dtype.typeName() + " overflows 64-bit sizes");
        }
    }

    private String claimName(String name) {
        checkOpen();
        String id = name != null ? name : "array-" + nextId.getAndIncrement();
        if (id.isBlank()) {
            throw new IllegalArgumentException("array name must not be blank");
        }
        if (!names.add(id)) {
            throw new IllegalArgumentException("an array named '" + id + "' already exists in this store");
        }
        return id;
    }

    private void reserve(String id, long bytes) {
        while (true) {
            long used = bytesInUse.get();
            if (used + bytes > byteLimit || used + bytes < 0) {
                throw new StoreLimitException("allocating " + bytes + " bytes for '" + id + "' would exceed the store limit of "
                        + byteLimit + " bytes (in use: " + used + " bytes, free: " + (byteLimit - used) + ")");
            }
            if (bytesInUse.compareAndSet(used, used + bytes)) {
                return;
            }
        }
    }

    private SharedArray register(SharedArray array) {
        live.put(array.name(), array);
        if (closed) {
            array.close();
            checkOpen();
        }
        return array;
    }

    private void onClosed(SharedArray array) {
        if (live.remove(array.name(), array)) {
            AnonymousFile f = files.remove(array.name());
            if (f != null) {
                f.close(); // the pages go once no other process maps them either
            }
            names.remove(array.name());
            if (array.origin().equals(OFF_HEAP) || array.origin().equals(SHAREABLE)) {
                bytesInUse.addAndGet(-array.byteSize());
            }
        }
    }

    /** Bytes of off-heap memory held by live arrays (mapped files not counted). */
    public long bytesInUse() {
        return bytesInUse.get();
    }

    /** The arrays not yet closed. */
    public List<SharedArray> liveArrays() {
        return new ArrayList<>(live.values());
    }

    public Optional<SharedArray> get(String name) {
        return Optional.ofNullable(live.get(name));
    }

    /** Writable leases held on all live arrays. */
    public int leaseCount() {
        int n = 0;
        for (SharedArray a : liveArrays()) {
            n += a.leaseCount();
        }
        return n;
    }

    public boolean isClosed() {
        return closed;
    }

    private void checkOpen() {
        if (closed) {
            throw new IllegalStateException("the array store is closed");
        }
    }

    /**
     * Frees every array. Arrays with a live Arrow export cannot be freed safely: the others are freed, then
     * the refusal is reported.
     */
    @Override
    public void close() {
        closed = true;
        List<String> refused = new ArrayList<>();
        for (SharedArray a : liveArrays()) {
            try {
                a.close();
            } catch (IllegalStateException e) {
                refused.add(e.getMessage());
            }
        }
        if (!refused.isEmpty()) {
            throw new IllegalStateException("store closed, but " + refused.size() + " array(s) stay allocated: " + String.join("; ", refused));
        }
    }
}
