package dev.tessera.shm;

import java.util.ArrayList;
import java.util.List;

/**
 * The writable leases held on one array. No two overlap. A linear scan is enough: an array has about as
 * many leases as there are workers filling it.
 */
final class LeaseTable {
    private final String arrayName;
    private final List<Lease> held = new ArrayList<>();

    LeaseTable(String arrayName) {
        this.arrayName = arrayName;
    }

    synchronized Lease acquire(long start, long stop, String holder) {
        for (Lease other : held) {
            if (other.overlaps(start, stop)) {
                throw new LeaseConflictException("writable lease [" + start + ", " + stop + ") on array '" + arrayName
                        + "' overlaps writable lease " + other + " held by " + other.holder()
                        + "; release that lease first or take a disjoint range");
            }
        }
        Lease lease = new Lease(this, start, stop, holder);
        held.add(lease);
        return lease;
    }

    synchronized void remove(Lease lease) {
        held.remove(lease);
    }

    synchronized int size() {
        return held.size();
    }

    synchronized List<Lease> snapshot() {
        return List.copyOf(held);
    }

    /** Ends every lease (the array is closing). */
    synchronized void releaseAll() {
        for (Lease lease : held) {
            lease.markReleased();
        }
        held.clear();
    }
}
