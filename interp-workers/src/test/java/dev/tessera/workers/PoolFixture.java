package dev.tessera.workers;

import dev.tessera.buffer.PythonRuntime;
import java.net.URISyntaxException;
import java.nio.file.Path;

/** One engine per test JVM; the test modules' directory. */
public final class PoolFixture {
    private static PythonRuntime runtime;

    public static synchronized PythonRuntime runtime() {
        if (runtime == null) {
            runtime = PythonRuntime.start();
        }
        return runtime;
    }

    public static Path modules() {
        try {
            return Path.of(PoolFixture.class.getResource("/pymods/tasks.py").toURI()).getParent();
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    public static PoolBuilder pool(int workers) {
        return InterpreterPool.builder().runtime(runtime()).workers(workers).sysPath(modules());
    }
}
