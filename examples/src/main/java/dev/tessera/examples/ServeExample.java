package dev.tessera.examples;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.tessera.buffer.PythonRuntime;
import dev.tessera.shm.ArrayStore;
import dev.tessera.workers.InterpreterPool;
import dev.tessera.workers.python.MainInterpreter;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintWriter;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.graalvm.polyglot.Value;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/**
 * {@code tessera example serve}: the request server of the subinterpreter talks. An HTTP server on loopback
 * computes {@code fib(n)} in Python; a long request ({@code fib(30)}) must not starve many short ones
 * ({@code fib(1)}). The pool (one request per interpreter) is measured against one interpreter that every request
 * thread shares, as a threaded CPython server shares one interpreter and its GIL.
 */
@Command(name = "serve", mixinStandardHelpOptions = true,
        description = {"An HTTP server on loopback computing fib(n) in Python: short-request rate and p99 with and "
                + "without a long request in flight, on a pool of interpreters and on one shared interpreter.",
                "Load comes only from this process's own clients on 127.0.0.1, bounded in time and count."})
public final class ServeExample implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @picocli.CommandLine.ParentCommand
    Examples examples; // null when the example runs alone

    @Option(names = {"-w", "--workers"}, description = "worker interpreters of the pool (default: cores)")
    int workers = Runtime.getRuntime().availableProcessors();

    @Option(names = "--clients", description = "concurrent clients sending short requests (default: ${DEFAULT-VALUE})")
    int clients = 4;

    @Option(names = "--seconds", description = "length of each measured phase (default: ${DEFAULT-VALUE})")
    double seconds = 3;

    @Option(names = "--max-requests", description = "at most this many short requests per phase (default: ${DEFAULT-VALUE})")
    long maxRequests = 200_000;

    @Option(names = "--short", description = "n of a short request (default: ${DEFAULT-VALUE})")
    int shortN = 1;

    @Option(names = "--long", description = "n of the long request (default: ${DEFAULT-VALUE})")
    int longN = 30;

    @Option(names = "--peer-command", paramLabel = "CMD", description = "also measure an outside server: CMD is run "
            + "with a shell, must print PORT <n> as its first line and serve /fib?n= on 127.0.0.1 (e.g. python3 "
            + "bench/python/serve_cpython.py)")
    String peerCommand;

    @Option(names = "--json", paramLabel = "FILE", description = "also write the figures as JSON (for tessera bench)")
    Path json;

    /** The largest n served: fib(40) already takes minutes in an interpreter. */
    static final int MAX_N = 35;

    /** What computes fib(n) for the server. */
    private interface Backend extends AutoCloseable {
        long fib(int n) throws Exception;

        @Override
        void close();
    }

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        if (workers < 1 || clients < 1 || seconds <= 0 || maxRequests < 1) {
            throw new ExampleException("--workers, --clients, --seconds and --max-requests must be positive");
        }
        if (shortN < 0 || longN < 0 || shortN > MAX_N || longN > MAX_N) {
            throw new ExampleException("--short and --long must be in [0, " + MAX_N + "]");
        }
        Path modules = ExampleSupport.pythonModules();
        List<String[]> table = ExampleSupport.rows();
        table.add(new String[]{"server", "load", "short req/s", "p50 ms", "p99 ms", "max ms", "shorts during a long", "longs"});
        boolean ok = true;
        boolean poolKeptServing = true;
        java.util.Map<String, Object> figures = new java.util.LinkedHashMap<>();
        try (PythonRuntime runtime = Examples.runtime(examples); ArrayStore store = new ArrayStore()) {
            String poolName = "pool of " + workers + " interpreter" + (workers == 1 ? "" : "s");
            try (Backend pool = poolBackend(runtime, store, modules)) {
                for (boolean withLong : new boolean[]{false, true}) {
                    Phase p = measure(pool, withLong);
                    ok &= p.wrong == 0;
                    poolKeptServing &= !withLong || p.shortsDuringLong > 0 || p.longs == 0;
                    table.add(p.row(poolName, withLong));
                    p.record(figures, "pool", withLong);
                }
            }
            try (Backend one = singleInterpreter(runtime, store, modules)) {
                for (boolean withLong : new boolean[]{false, true}) {
                    Phase p = measure(one, withLong);
                    ok &= p.wrong == 0;
                    table.add(p.row("one interpreter, shared", withLong));
                    p.record(figures, "single", withLong);
                }
            }
        }
        if (peerCommand != null) {
            try (OutsideServer peer = OutsideServer.start(peerCommand)) {
                for (boolean withLong : new boolean[]{false, true}) {
                    Phase p = measure(peer.base(), withLong);
                    ok &= p.wrong == 0;
                    table.add(p.row("outside: " + peer.name(), withLong));
                    p.record(figures, "peer", withLong);
                }
            }
        }
        figures.put("workers", workers);
        figures.put("verified", ok && poolKeptServing);
        ExampleSupport.writeJson(json, figures);
        out.printf("fib(%d) short requests from %d clients, %.1f s per row; long request fib(%d)%n", shortN, clients, seconds, longN);
        ExampleSupport.table(out, table);
        if (!ok) {
            out.println("FAILED: some responses were wrong");
            return 1;
        }
        if (!poolKeptServing) {
            out.println("FAILED: the pool answered no short request while a long one ran");
            return 1;
        }
        out.println("OK: every response was right, and the pool kept answering short requests while a long one ran");
        return 0;
    }

    private Backend poolBackend(PythonRuntime runtime, ArrayStore store, Path modules) {
        InterpreterPool pool = ExampleSupport.pool(runtime, store, workers, modules, "fib_server");
        return new Backend() {
            @Override
            public long fib(int n) throws Exception {
                return ((Number) pool.submit("fib_server", "fib", n).get()).longValue();
            }

            @Override
            public void close() {
                pool.close();
            }
        };
    }

    /** One interpreter whose function every request thread calls: GraalPy's GIL lets one run at a time. */
    private static Backend singleInterpreter(PythonRuntime runtime, ArrayStore store, Path modules) {
        MainInterpreter main = new MainInterpreter(runtime, store, List.of("serve"));
        try {
            main.eval("import sys\nsys.path.insert(0, " + pythonString(modules.toString()) + ")\n");
            Value fib = main.eval("import fib_server\nfib_server.fib");
            return new Backend() {
                @Override
                public long fib(int n) {
                    return fib.execute(n).asLong();
                }

                @Override
                public void close() {
                    main.close();
                }
            };
        } catch (RuntimeException e) {
            main.close();
            throw e;
        }
    }

    private static String pythonString(String s) {
        return "'" + s.replace("\\", "\\\\").replace("'", "\\'") + "'";
    }

    /** What one phase measured. */
    private record Phase(double[] latenciesMs, double seconds, long wrong, long shortsDuringLong, long longs) {
        void record(java.util.Map<String, Object> figures, String server, boolean withLong) {
            double[] sorted = latenciesMs.clone();
            Arrays.sort(sorted);
            String phase = server + (withLong ? "_with_long" : "");
            figures.put(phase + "_short_rps", sorted.length / seconds);
            figures.put(phase + "_short_p50_ms", ExampleSupport.quantile(sorted, 0.5));
            figures.put(phase + "_short_p99_ms", ExampleSupport.quantile(sorted, 0.99));
        }

        String[] row(String server, boolean withLong) {
            double[] sorted = latenciesMs.clone();
            Arrays.sort(sorted);
            return new String[]{server, withLong ? "shorts + a long" : "shorts", String.format("%,.0f", sorted.length / seconds),
                    String.format("%.2f", ExampleSupport.quantile(sorted, 0.5)), String.format("%.2f", ExampleSupport.quantile(sorted, 0.99)),
                    String.format("%.1f", sorted.length == 0 ? Double.NaN : sorted[sorted.length - 1]),
                    withLong ? String.format("%,d", shortsDuringLong) : "-", withLong ? String.valueOf(longs) : "-"};
        }
    }

    /** Serves {@code backend} on a loopback port for one phase (after a warm-up) and measures the clients' view. */
    private Phase measure(Backend backend, boolean withLong) throws Exception {
        HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 128);
        ExecutorService handlers = Executors.newFixedThreadPool(Math.max(8, clients * 2));
        server.setExecutor(handlers);
        server.createContext("/fib", exchange -> handle(exchange, backend));
        server.start();
        try {
            return measure(URI.create("http://127.0.0.1:" + server.getAddress().getPort() + "/fib?n="), withLong);
        } finally {
            server.stop(0);
            handlers.shutdownNow();
        }
    }

    /** Measures a server at {@code base} (a URI ending in {@code n=}) for one phase, after a warm-up. */
    private Phase measure(URI base, boolean withLong) throws Exception {
        ExecutorService clientThreads = Executors.newFixedThreadPool(clients + 1);
        try (HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build()) {
            long expectedShort = fib(shortN);
            long expectedLong = fib(longN);
            // Warm-up: compile fib in whatever runs it, and open the client's connections.
            for (int i = 0; i < 2; i++) {
                get(http, base, longN);
            }
            runClients(http, base, clientThreads, Math.min(1.0, seconds), expectedShort, null, new AtomicLong(), new AtomicLong());

            AtomicBoolean longInFlight = new AtomicBoolean();
            AtomicBoolean stop = new AtomicBoolean();
            AtomicLong longs = new AtomicLong();
            AtomicLong wrong = new AtomicLong();
            var longRunner = !withLong ? null : clientThreads.submit(() -> {
                while (!stop.get()) {
                    longInFlight.set(true);
                    long v = get(http, base, longN);
                    longInFlight.set(false);
                    if (v != expectedLong) {
                        wrong.incrementAndGet();
                    }
                    longs.incrementAndGet();
                }
                return null;
            });
            if (withLong) {
                while (!longInFlight.get()) {
                    Thread.onSpinWait();
                }
            }
            AtomicLong duringLong = new AtomicLong();
            long t0 = System.nanoTime();
            double[] latencies = runClients(http, base, clientThreads, seconds, expectedShort, withLong ? longInFlight : null, duringLong, wrong);
            double elapsed = (System.nanoTime() - t0) / 1e9;
            stop.set(true);
            if (longRunner != null) {
                longRunner.get();
            }
            return new Phase(latencies, elapsed, wrong.get(), duringLong.get(), longs.get());
        } finally {
            clientThreads.shutdownNow();
        }
    }

    /** {@code clients} loops of short requests until the phase ends or the request budget is spent. */
    private double[] runClients(HttpClient http, URI base, ExecutorService threads, double phaseSeconds, long expected,
                                AtomicBoolean longInFlight, AtomicLong duringLong, AtomicLong wrong) throws Exception {
        long deadline = System.nanoTime() + (long) (phaseSeconds * 1e9);
        AtomicLong budget = new AtomicLong(maxRequests);
        List<java.util.concurrent.Future<double[]>> loops = new ArrayList<>();
        for (int c = 0; c < clients; c++) {
            loops.add(threads.submit(() -> {
                double[] mine = new double[1024];
                int count = 0;
                while (System.nanoTime() < deadline && budget.decrementAndGet() >= 0) {
                    long s = System.nanoTime();
                    long v = get(http, base, shortN);
                    long e = System.nanoTime();
                    if (v != expected) {
                        wrong.incrementAndGet();
                    }
                    if (longInFlight != null && longInFlight.get()) {
                        duringLong.incrementAndGet();
                    }
                    if (count == mine.length) {
                        mine = Arrays.copyOf(mine, count * 2);
                    }
                    mine[count++] = (e - s) / 1e6;
                }
                return Arrays.copyOf(mine, count);
            }));
        }
        double[] all = new double[0];
        for (var loop : loops) {
            double[] mine = loop.get();
            int at = all.length;
            all = Arrays.copyOf(all, at + mine.length);
            System.arraycopy(mine, 0, all, at, mine.length);
        }
        return all;
    }

    private static long get(HttpClient http, URI base, int n) throws IOException, InterruptedException {
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(base + Integer.toString(n)))
                .timeout(Duration.ofMinutes(2)).build(), HttpResponse.BodyHandlers.ofString());
        if (r.statusCode() != 200) {
            throw new ExampleException("the server answered " + r.statusCode() + ": " + r.body().strip());
        }
        return Long.parseLong(r.body().strip());
    }

    private static void handle(HttpExchange exchange, Backend backend) throws IOException {
        int status;
        String body;
        try (InputStream in = exchange.getRequestBody()) {
            in.readAllBytes();
            String query = exchange.getRequestURI().getRawQuery();
            int n = parseN(query);
            body = Long.toString(backend.fib(n));
            status = 200;
        } catch (IllegalArgumentException e) {
            status = 400;
            body = e.getMessage();
        } catch (Exception e) {
            status = 500;
            body = ExampleSupport.describe(e.getCause() != null ? e.getCause() : e);
        }
        byte[] bytes = (body + "\n").getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().set("Content-Type", "text/plain; charset=utf-8");
        exchange.sendResponseHeaders(status, bytes.length);
        try (OutputStream os = exchange.getResponseBody()) {
            os.write(bytes);
        }
    }

    /** n from a query {@code n=K}, in [0, MAX_N]. */
    static int parseN(String query) {
        if (query == null || !query.startsWith("n=")) {
            throw new IllegalArgumentException("ask for /fib?n=K with K in [0, " + MAX_N + "]");
        }
        int n;
        try {
            n = Integer.parseInt(query.substring(2));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("n must be an integer in [0, " + MAX_N + "], got " + query.substring(2));
        }
        if (n < 0 || n > MAX_N) {
            throw new IllegalArgumentException("n must be in [0, " + MAX_N + "], got " + n);
        }
        return n;
    }

    static long fib(int n) {
        long a = 0;
        long b = 1;
        for (int i = 0; i < n; i++) {
            long t = a + b;
            a = b;
            b = t;
        }
        return a;
    }
}
