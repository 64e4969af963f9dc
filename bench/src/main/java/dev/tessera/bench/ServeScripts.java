package dev.tessera.bench;

import dev.tessera.buffer.PythonRuntime;
import dev.tessera.service.ArrayService;
import dev.tessera.shm.ArrayStore;
import dev.tessera.workers.InterpreterPool;
import java.nio.file.Path;
import java.time.Duration;

/**
 * {@code ServeScripts SOCKET [WARM_UP_RUNS]}: a service as {@code tessera serve --socket SOCKET} runs it (warm engine, warm main
 * interpreter, warm workers, its start-up warm-up), for the first-seconds scenario's scripts; prints "ready" once it
 * listens, the warm-up's line when that ends, and runs until it is killed.
 */
public final class ServeScripts {
    private ServeScripts() {
    }

    public static void main(String[] args) throws Exception {
        PythonRuntime runtime = PythonRuntime.start();
        ArrayStore store = new ArrayStore();
        InterpreterPool pool = InterpreterPool.builder().runtime(runtime).store(store).build();
        pool.awaitReady(Duration.ofMinutes(2));
        try (ArrayService service = ArrayService.start(Path.of(args[0]), store, pool, runtime, null)) {
            System.out.println("ready");
            System.out.flush();
            java.util.function.Consumer<String> report = line -> {
                System.out.println(line);
                System.out.flush();
            };
            if (args.length > 1) { // fewer runs (a tiny bench run warms up once)
                service.warmUp(Integer.parseInt(args[1]), report);
            } else {
                service.warmUp(report); // as tessera serve does
            }
            Thread.currentThread().join(); // until killed
        }
    }
}
