package dev.tessera.stress;

import static org.openjdk.jcstress.annotations.Expect.ACCEPTABLE;
import static org.openjdk.jcstress.annotations.Expect.ACCEPTABLE_INTERESTING;
import static org.openjdk.jcstress.annotations.Expect.FORBIDDEN;

import dev.tessera.shm.SharedArray;
import org.openjdk.jcstress.annotations.Actor;
import org.openjdk.jcstress.annotations.Arbiter;
import org.openjdk.jcstress.annotations.JCStressTest;
import org.openjdk.jcstress.annotations.Outcome;
import org.openjdk.jcstress.annotations.State;
import org.openjdk.jcstress.infra.results.III_Result;

/** Two threads ask for writable leases on overlapping rows at once: never both granted. */
@JCStressTest
@Outcome(id = {"1, 0, 1", "0, 1, 1"}, expect = ACCEPTABLE, desc = "exactly one writer holds the rows")
@Outcome(id = "0, 0, 0", expect = ACCEPTABLE_INTERESTING, desc = "both refused (safe, but nobody got the rows)")
@Outcome(id = "1, 1, .*", expect = FORBIDDEN, desc = "two writable leases on overlapping rows")
@Outcome(expect = FORBIDDEN, desc = "the lease count disagrees with what was granted")
@State
public class LeaseOverlapStress {
    private final SharedArray array = Fixtures.array(16);

    @Actor
    public void first(III_Result r) {
        r.r1 = Fixtures.tryLease(array, 0, 10);
    }

    @Actor
    public void second(III_Result r) {
        r.r2 = Fixtures.tryLease(array, 5, 15);
    }

    @Arbiter
    public void count(III_Result r) {
        r.r3 = array.leaseCount();
        array.close();
    }
}
