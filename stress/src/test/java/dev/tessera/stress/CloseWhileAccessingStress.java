package dev.tessera.stress;

import static org.openjdk.jcstress.annotations.Expect.ACCEPTABLE;
import static org.openjdk.jcstress.annotations.Expect.FORBIDDEN;

import dev.tessera.shm.ArrayView;
import dev.tessera.shm.SharedArray;
import java.lang.foreign.ValueLayout;
import org.openjdk.jcstress.annotations.Actor;
import org.openjdk.jcstress.annotations.JCStressTest;
import org.openjdk.jcstress.annotations.Outcome;
import org.openjdk.jcstress.annotations.State;
import org.openjdk.jcstress.infra.results.III_Result;

/**
 * An array is closed while another thread reads it and then writes through a leased view of it: each access either
 * runs on live memory (the read sees the value) or is refused with an exception; none touches freed memory.
 * r1: the read (1 saw 42, 2 refused, 3 saw something else, 4 another exception); r2: the write (1 wrote,
 * 2 refused, 4 another exception); r3: the close (1 closed, 2 refused).
 */
@JCStressTest
@Outcome(id = {"1, 1, 1", "1, 2, 1", "2, 2, 1"}, expect = ACCEPTABLE, desc = "each access ran on live memory or was refused")
@Outcome(expect = FORBIDDEN, desc = "a wrong value, an unexpected exception, a write after a refused read, or a failed close")
@State
public class CloseWhileAccessingStress {
    private final SharedArray array = Fixtures.array(8);
    private final ArrayView view;

    public CloseWhileAccessingStress() {
        array.setDouble(0, 42.0);
        view = array.slice(4, 8);
    }

    @Actor
    public void readThenWrite(III_Result r) {
        try {
            r.r1 = array.getDouble(0) == 42.0 ? 1 : 3;
        } catch (IllegalStateException e) { // ArrayClosedException, or FFM's "already closed"
            r.r1 = 2;
        } catch (RuntimeException e) {
            r.r1 = 4;
        }
        try {
            view.segment().setAtIndex(ValueLayout.JAVA_DOUBLE, 0, 7.0);
            r.r2 = 1;
        } catch (IllegalStateException e) {
            r.r2 = 2;
        } catch (RuntimeException e) {
            r.r2 = 4;
        }
    }

    @Actor
    public void close(III_Result r) {
        try {
            array.close();
            r.r3 = 1;
        } catch (IllegalStateException e) {
            r.r3 = 2;
        }
    }
}
