package dev.tessera.stress;

import dev.tessera.shm.ArrayStore;
import dev.tessera.shm.DType;
import dev.tessera.shm.LeaseConflictException;
import dev.tessera.shm.SharedArray;

/** What the JCStress states share: one store (thread-safe) that every state's own small array comes from. */
final class Fixtures {
    static final ArrayStore STORE = new ArrayStore();

    private Fixtures() {
    }

    static SharedArray array(long elements) {
        return STORE.allocate(DType.FLOAT64, elements);
    }

    /** 1 if a writable lease on rows [start, stop) was granted (and is kept), 0 if it was refused as overlapping. */
    static int tryLease(SharedArray array, long start, long stop) {
        try {
            array.slice(start, stop);
            return 1;
        } catch (LeaseConflictException e) {
            return 0;
        }
    }
}
