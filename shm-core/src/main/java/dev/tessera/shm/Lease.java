package dev.tessera.shm;

/**
 * Exclusive right to write the rows {@code [start, stop)} (first axis) of one array. Held by a writable
 * {@link ArrayView}; ended by {@link #release()} (idempotent) or by the array's close.
 */
public final class Lease {
    private final LeaseTable table;
    private final long start;
    private final long stop;
    private final String holder;
    private volatile boolean released;

    Lease(LeaseTable table, long start, long stop, String holder) {
        this.table = table;
        this.start = start;
        this.stop = stop;
        this.holder = holder;
    }

    public long start() {
        return start;
    }

    public long stop() {
        return stop;
    }

    /** Who holds it, for error messages ("view 3 of 'temps'", "task 17"). */
    public String holder() {
        return holder;
    }

    public boolean isReleased() {
        return released;
    }

    public void release() {
        if (!released) {
            released = true;
            table.remove(this);
        }
    }

    boolean overlaps(long otherStart, long otherStop) {
        return start < stop && otherStart < otherStop && start < otherStop && otherStart < stop;
    }

    void markReleased() {
        released = true;
    }

    @Override
    public String toString() {
        return "[" + start + ", " + stop + ")";
    }
}
