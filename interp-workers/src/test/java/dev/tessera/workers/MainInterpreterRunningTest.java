package dev.tessera.workers;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.tessera.shm.ArrayStore;
import dev.tessera.workers.python.MainInterpreter;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.parallel.Isolated;

/**
 * A main interpreter counts as running Python (for {@link WaitSet}'s choice to spin) only while it runs code: the
 * service makes one ahead and leaves it idle, and on 2 cores an idle one counted as running kept every waiter of
 * the script from spinning.
 */
@Isolated // the count is the process's: UpstreamSuitesTest, which runs beside other classes, must not run meanwhile
class MainInterpreterRunningTest {
    @Test
    void aMainInterpreterMadeAheadAndIdleIsNotCountedAsRunning() {
        int before = WaitSet.RUNNING.get();
        try (ArrayStore store = new ArrayStore();
             MainInterpreter main = new MainInterpreter(PoolFixture.runtime(), store, List.of(""))) {
            assertEquals(before, WaitSet.RUNNING.get(), "made, idle");
            assertEquals(4, main.eval("2 + 2").asInt());
            assertEquals(before, WaitSet.RUNNING.get(), "after evaluating");
        }
        assertEquals(before, WaitSet.RUNNING.get(), "closed");
    }
}
