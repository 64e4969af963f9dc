package dev.tessera.stress;

import static org.openjdk.jcstress.annotations.Expect.ACCEPTABLE;
import static org.openjdk.jcstress.annotations.Expect.FORBIDDEN;

import dev.tessera.shm.ArrayView;
import dev.tessera.shm.SharedArray;
import org.openjdk.jcstress.annotations.Actor;
import org.openjdk.jcstress.annotations.Arbiter;
import org.openjdk.jcstress.annotations.JCStressTest;
import org.openjdk.jcstress.annotations.Outcome;
import org.openjdk.jcstress.annotations.State;
import org.openjdk.jcstress.infra.results.II_Result;

/** A writer releases its lease while another asks for overlapping rows: granted only once free, and counted right. */
@JCStressTest
@Outcome(id = "1, 1", expect = ACCEPTABLE, desc = "asked after the release: granted, the one lease left is it")
@Outcome(id = "0, 0", expect = ACCEPTABLE, desc = "asked while held: refused, no lease left after the release")
@Outcome(id = "1, 0", expect = FORBIDDEN, desc = "granted but not in the table")
@Outcome(id = "0, 1", expect = FORBIDDEN, desc = "refused, yet a lease is left: the release was lost")
@State
public class LeaseReleaseStress {
    private final SharedArray array = Fixtures.array(16);
    private final ArrayView held = array.slice(0, 8);

    @Actor
    public void release() {
        held.release();
    }

    @Actor
    public void ask(II_Result r) {
        r.r1 = Fixtures.tryLease(array, 4, 12);
    }

    @Arbiter
    public void count(II_Result r) {
        r.r2 = array.leaseCount();
        array.close();
    }
}
