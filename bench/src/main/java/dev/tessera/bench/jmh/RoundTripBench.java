package dev.tessera.bench.jmh;

import dev.tessera.buffer.PythonRuntime;
import dev.tessera.workers.InterpreterPool;
import java.time.Duration;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

/** A warm trivial task's round trip from Java: submit to a worker interpreter, wait for its result. */
@State(Scope.Benchmark)
public class RoundTripBench {
    private static final String SOURCE = "def noop(x):\n    return x\n";
    private PythonRuntime runtime;
    private InterpreterPool pool;

    @Setup
    public void setup() throws InterruptedException {
        runtime = PythonRuntime.start();
        pool = InterpreterPool.builder().runtime(runtime).workers(1).build();
        pool.awaitReady(Duration.ofMinutes(2));
    }

    @TearDown
    public void tearDown() {
        pool.close();
        runtime.close();
    }

    @Benchmark
    public Object taskRoundTrip() throws Exception {
        return pool.submitSource(SOURCE, "noop", 1L).get();
    }
}
