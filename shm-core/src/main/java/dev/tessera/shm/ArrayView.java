package dev.tessera.shm;

import java.lang.foreign.MemorySegment;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A window on rows {@code [start, stop)} (first axis) of a {@link SharedArray}: read-only, or writable under
 * a {@link Lease}. A read-only view's segment is itself read-only, so FFM refuses writes even from code that
 * forgets to check. After {@link #release()} or the array's close every access fails with a clear error.
 */
public final class ArrayView implements AutoCloseable {
    private final SharedArray array;
    private final long start;
    private final long stop;
    private final Lease lease; // null for read-only views
    private final MemorySegment segment;
    private final List<Runnable> releaseListeners = new CopyOnWriteArrayList<>();
    private volatile boolean released;

    ArrayView(SharedArray array, long start, long stop, Lease lease) {
        this.array = array;
        this.start = start;
        this.stop = stop;
        this.lease = lease;
        long rowBytes = array.rowBytes();
        MemorySegment slice = array.rawSegment().asSlice(start * rowBytes, (stop - start) * rowBytes);
        this.segment = lease == null ? slice.asReadOnly() : slice;
    }

    public SharedArray array() {
        return array;
    }

    public DType dtype() {
        return array.dtype();
    }

    /** First row (inclusive) of the array that this view covers. */
    public long start() {
        return start;
    }

    /** Last row (exclusive) of the array that this view covers. */
    public long stop() {
        return stop;
    }

    public boolean isWritable() {
        return lease != null;
    }

    public Lease lease() {
        return lease;
    }

    public long[] shape() {
        long[] shape = array.shape();
        shape[0] = stop - start;
        return shape;
    }

    public long[] strides() {
        return array.strides();
    }

    public long byteOffset() {
        return start * array.rowBytes();
    }

    public long byteLength() {
        return segment.byteSize();
    }

    public long elementCount() {
        return byteLength() / array.dtype().itemSize();
    }

    public boolean isReleased() {
        return released;
    }

    /** True when the view can still be used: not released and its array not closed. */
    public boolean isUsable() {
        return !released && !array.isClosed();
    }

    /**
     * The memory of this view. Fails at once if the view was released or the array closed; accesses through a
     * segment obtained earlier fail inside FFM once the array's arena is closed.
     */
    public MemorySegment segment() {
        checkUsable();
        return segment;
    }

    /** The segment without the liveness check, for callers that check through {@link #isUsable()} themselves. */
    public MemorySegment uncheckedSegment() {
        return segment;
    }

    public void checkUsable() {
        if (released) {
            throw new ArrayClosedException(describe() + " was released");
        }
        array.checkOpen();
    }

    /** Runs {@code listener} once when this view is released or its array closes (at once if already so). */
    public void onRelease(Runnable listener) {
        releaseListeners.add(listener);
        if (released) {
            fireReleased();
        }
    }

    /** Ends the view (and its lease). Idempotent. */
    @Override
    public void close() {
        release();
    }

    public void release() {
        if (released) {
            return;
        }
        released = true;
        if (lease != null) {
            lease.release();
        }
        array.forget(this);
        fireReleased();
    }

    private void fireReleased() {
        for (Runnable listener : releaseListeners) {
            if (releaseListeners.remove(listener)) {
                listener.run();
            }
        }
    }

    public String describe() {
        return (lease != null ? "writable" : "read-only") + " view [" + start + ", " + stop + ") of array '" + array.name() + "'";
    }

    @Override
    public String toString() {
        return describe();
    }
}
