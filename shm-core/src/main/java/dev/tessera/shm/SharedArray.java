package dev.tessera.shm;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;

/**
 * One off-heap n-d array (C order) in its own shared {@link Arena}. {@link #close()} gives the memory back at
 * once; afterwards every access through this array or any of its views fails with {@link ArrayClosedException}
 * (or, for a racing access already past the check, FFM's own "Already closed" error) — never a read of freed
 * memory, because the shared arena's close waits out accesses that are in flight.
 */
public final class SharedArray implements AutoCloseable {
    private static final ValueLayout.OfDouble F64 = ValueLayout.JAVA_DOUBLE_UNALIGNED;
    private static final ValueLayout.OfLong I64 = ValueLayout.JAVA_LONG_UNALIGNED;

    private static final Class<? extends MemorySegment> SEGMENT_CLASS = MemorySegment.NULL.getClass();

    private final String name;
    private final DType dtype;
    private final long[] shape;
    private final long[] strides;
    private final boolean readOnly;
    private final Arena arena;
    private final MemorySegment segment;
    private final LeaseTable leases;
    private final Set<ArrayView> openViews = ConcurrentHashMap.newKeySet();
    private final AtomicInteger liveExports = new AtomicInteger();
    private final Consumer<SharedArray> onClose;
    private final String origin;
    private volatile boolean closed;

    SharedArray(String name, DType dtype, long[] shape, boolean readOnly, Arena arena, MemorySegment segment,
                String origin, Consumer<SharedArray> onClose) {
        if (segment.getClass() != SEGMENT_CLASS) {
            throw new IllegalArgumentException("segment of " + segment.getClass().getName() + ", expected a native segment");
        }
        this.name = name;
        this.dtype = dtype;
        this.shape = shape.clone();
        this.strides = Shape.cStrides(shape, dtype.itemSize());
        this.readOnly = readOnly;
        this.arena = arena;
        this.segment = segment;
        this.origin = origin;
        this.onClose = onClose;
        this.leases = new LeaseTable(name);
    }

    /**
     * The one concrete class of every array's segment (mapped files included). Compiled Python code casts to it
     * exactly so that accesses inline (see buffer-protocol's ViewBuffer).
     */
    public static Class<? extends MemorySegment> segmentClass() {
        return SEGMENT_CLASS;
    }

    public String name() {
        return name;
    }

    public DType dtype() {
        return dtype;
    }

    public long[] shape() {
        return shape.clone();
    }

    /** Byte strides, C order. */
    public long[] strides() {
        return strides.clone();
    }

    public int ndim() {
        return shape.length;
    }

    public long length() {
        return shape[0];
    }

    public long elementCount() {
        return segment.byteSize() / dtype.itemSize();
    }

    public long byteSize() {
        return segment.byteSize();
    }

    /** Bytes of one row along the first axis (the unit of views and leases). */
    public long rowBytes() {
        return shape[0] == 0 ? strides[0] : segment.byteSize() / shape[0];
    }

    /** True for arrays whose memory cannot be written (e.g. a file mapped read-only). */
    public boolean isReadOnly() {
        return readOnly;
    }

    /** Where the memory came from: "heap-off" allocation or the mapped file. */
    public String origin() {
        return origin;
    }

    public boolean isClosed() {
        return closed;
    }

    public void checkOpen() {
        if (closed) {
            throw closedError();
        }
    }

    ArrayClosedException closedError() {
        return new ArrayClosedException("array '" + name + "' is closed: its memory was released");
    }

    /** The whole array's memory. Accesses fail once the array is closed. */
    public MemorySegment segment() {
        checkOpen();
        return segment;
    }

    MemorySegment rawSegment() {
        return segment;
    }

    // ---- views and leases -------------------------------------------------------------------------------

    /** A read-only view of the whole array. Read-only views coexist with each other and with writable leases. */
    public ArrayView readOnly() {
        return view(0, shape[0], null);
    }

    /** A read-only view of rows {@code [start, stop)}. */
    public ArrayView readOnly(long start, long stop) {
        checkRange(start, stop);
        return view(start, stop, null);
    }

    /**
     * A writable view of rows {@code [start, stop)} under a lease: refused if it overlaps a writable lease already
     * held on this array ({@link LeaseConflictException} names both ranges).
     */
    public ArrayView slice(long start, long stop) {
        return slice(start, stop, "a writable view");
    }

    /** As {@link #slice(long, long)}, naming the holder for error messages. */
    public ArrayView slice(long start, long stop, String holder) {
        checkRange(start, stop);
        if (readOnly) {
            throw new IllegalStateException("array '" + name + "' is read-only (" + origin + "): no writable view can be taken");
        }
        Lease lease = leases.acquire(start, stop, holder);
        try {
            return view(start, stop, lease);
        } catch (RuntimeException e) {
            lease.release();
            throw e;
        }
    }

    private ArrayView view(long start, long stop, Lease lease) {
        checkOpen();
        ArrayView view = new ArrayView(this, start, stop, lease);
        openViews.add(view);
        if (closed) { // closed while we built it: do not hand out a live-looking view
            view.release();
            throw closedError();
        }
        return view;
    }

    private void checkRange(long start, long stop) {
        if (start < 0 || stop < start || stop > shape[0]) {
            throw new IndexOutOfBoundsException("rows [" + start + ", " + stop + ") are not within array '" + name
                    + "' of " + shape[0] + " rows (need 0 <= start <= stop <= " + shape[0] + ")");
        }
    }

    void forget(ArrayView view) {
        openViews.remove(view);
    }

    /** Writable leases now held on this array. */
    public List<Lease> leases() {
        return leases.snapshot();
    }

    public int leaseCount() {
        return leases.size();
    }

    public int openViewCount() {
        return openViews.size();
    }

    // ---- exports that read the memory outside FFM's checks (Arrow) -------------------------------------------

    /** Counts an export whose reads bypass the arena's checks; the array refuses to close until it is ended. */
    public void retainExport() {
        synchronized (this) {
            checkOpen();
            liveExports.incrementAndGet();
        }
    }

    public void releaseExport() {
        liveExports.decrementAndGet();
    }

    public int liveExportCount() {
        return liveExports.get();
    }

    // ---- element access from Java (flat C-order index) -----------------------------------------------------

    public double getDouble(long index) {
        requireType(DType.FLOAT64);
        try {
            return segment.getAtIndex(F64, index);
        } catch (IllegalStateException e) {
            throw closedError();
        }
    }

    public void setDouble(long index, double value) {
        requireType(DType.FLOAT64);
        try {
            segment.setAtIndex(F64, index, value);
        } catch (IllegalStateException e) {
            throw closedError();
        }
    }

    public long getLong(long index) {
        requireType(DType.INT64, DType.UINT64);
        try {
            return segment.getAtIndex(I64, index);
        } catch (IllegalStateException e) {
            throw closedError();
        }
    }

    public void setLong(long index, long value) {
        requireType(DType.INT64, DType.UINT64);
        try {
            segment.setAtIndex(I64, index, value);
        } catch (IllegalStateException e) {
            throw closedError();
        }
    }

    /** Any element as a Java number of the dtype's natural width (unsigned types widened; uint64 as its bits). */
    public Number get(long index) {
        try {
            return Elements.get(segment, dtype, index);
        } catch (IllegalStateException e) {
            throw closedError();
        }
    }

    public void set(long index, Number value) {
        try {
            Elements.set(segment, dtype, index, value);
        } catch (IllegalStateException e) {
            throw closedError();
        }
    }

    private void requireType(DType a) {
        if (dtype != a) {
            throw new IllegalArgumentException("array '" + name + "' holds " + dtype.typeName() + ", not " + a.typeName());
        }
    }

    private void requireType(DType a, DType b) {
        if (dtype != a && dtype != b) {
            throw new IllegalArgumentException("array '" + name + "' holds " + dtype.typeName() + ", not " + a.typeName() + "/" + b.typeName());
        }
    }

    // ---- lifetime ----------------------------------------------------------------------------------------

    /**
     * Gives the memory back now. Every view is revoked and every lease ended first. Idempotent. Refused while an
     * Arrow export is alive, because Arrow reads the memory without FFM's liveness checks.
     */
    @Override
    public void close() {
        synchronized (this) {
            if (closed) {
                return;
            }
            int exports = liveExports.get();
            if (exports > 0) {
                throw new IllegalStateException("array '" + name + "' has " + exports
                        + " live Arrow export(s) that read its memory directly; close those vectors first");
            }
            closed = true;
        }
        for (ArrayView view : openViews) {
            view.release();
        }
        leases.releaseAll();
        closeArena();
        if (onClose != null) {
            onClose.accept(this);
        }
    }

    /**
     * A shared arena's close can be refused while another thread holds the segment for an operation that
     * pins it (e.g. a bulk copy in flight); such holds are short, so try again briefly.
     */
    private void closeArena() {
        for (int attempt = 0; ; attempt++) {
            try {
                arena.close();
                return;
            } catch (IllegalStateException e) {
                if (!arena.scope().isAlive()) {
                    return;
                }
                if (attempt >= 10_000) {
                    throw new IllegalStateException("array '" + name + "' could not be closed: its memory stays in use", e);
                }
                Thread.onSpinWait();
                if (attempt > 100) {
                    Thread.yield();
                }
            }
        }
    }

    @Override
    public String toString() {
        return "SharedArray[" + name + ", " + dtype.typeName() + Shape.format(shape) + (closed ? ", closed" : "") + "]";
    }
}
