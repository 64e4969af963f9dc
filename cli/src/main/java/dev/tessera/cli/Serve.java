package dev.tessera.cli;

import dev.tessera.buffer.PythonRuntime;
import dev.tessera.service.ArrayService;
import dev.tessera.shm.ArrayStore;
import dev.tessera.workers.InterpreterPool;
import dev.tessera.workers.PoolBuilder;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code tessera serve}: a resident array store and warm pool that local CPython processes use through the client. */
@Command(name = "serve", description = "Serve named arrays in anonymous shared memory and jobs over a Unix socket "
        + "(client: service/python/tessera_client.py).")
final class Serve implements Callable<Integer> {
    @Option(names = "--socket", description = "socket path (default: $XDG_RUNTIME_DIR/tessera/tessera.sock, else /tmp/tessera-$USER/)")
    Path socket;

    @Option(names = "--workers", description = "worker interpreters (default: the number of cores)")
    Integer workers;

    @Option(names = "--sys-path", description = "a directory of modules that jobs may name (repeatable)")
    List<Path> sysPath = new ArrayList<>();

    @Option(names = "--allow-read", paramLabel = "DIR", description = "a directory whose files jobs may read, e.g. data "
            + "files a job fills arrays from (repeatable; workers see nothing else of the file system but --sys-path)")
    List<Path> allowRead = new ArrayList<>();

    @Option(names = "--max-bytes", description = "limit of array memory in bytes (default: none)")
    Long maxBytes;

    @Option(names = "--http", paramLabel = "PORT", description = "also serve loopback HTTP on PORT (0: any free port) "
            + "with a bearer token written to http.json beside the socket")
    Integer httpPort;

    @Option(names = "--no-scripts", description = "do not run scripts for `tessera run` clients")
    boolean noScripts;

    @Option(names = "--no-warm-up", description = "do not warm the engine up at start (a few short runs of a built-in "
            + "script, about half a minute on 2 cores, stepping aside for users' scripts); the first scripts then pay for it")
    boolean noWarmUp;

    @Override
    public Integer call() throws Exception {
        Path at = socket != null ? socket : ArrayService.defaultSocket();
        PythonRuntime runtime = PythonRuntime.start();
        ArrayStore store = maxBytes == null ? new ArrayStore() : new ArrayStore(maxBytes);
        PoolBuilder b = InterpreterPool.builder().runtime(runtime).store(store).sysPath(sysPath.toArray(Path[]::new))
                .allowRead(allowRead.toArray(Path[]::new));
        if (workers != null) {
            b.workers(workers);
        }
        InterpreterPool pool = b.build();
        pool.awaitReady(Duration.ofMinutes(2));
        ArrayService service = ArrayService.start(at, store, pool, noScripts ? null : runtime, maxBytes);
        String http = "";
        if (httpPort != null) {
            http = "; HTTP on 127.0.0.1:" + service.serveHttp(httpPort) + " (token in " + service.httpFile() + ")";
        }
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            service.close();
            pool.shutdownNow();
            store.close();
            stopped.countDown();
        }));
        boolean warming = !noScripts && !noWarmUp;
        System.out.printf("tessera serve: listening on %s (pid %d, %d workers%s%s%s); Ctrl-C stops%n", at,
                ProcessHandle.current().pid(), pool.workerCount(), noScripts ? "" : "; `tessera run` scripts run here", http,
                warming ? "; warming up" : "");
        System.out.flush();
        if (warming) {
            service.warmUp(line -> {
                System.out.println("tessera serve: " + line);
                System.out.flush();
            });
        }
        stopped.await();
        return 0;
    }
}
