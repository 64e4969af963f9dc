package dev.tessera.service;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.lang.management.CompilationMXBean;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * A service's start-up warm-up: {@code warm_up.py} run several times, each run in a new main interpreter with a new
 * pool, as a user's script would be, until the compilers have little left to do.
 *
 * <p>Why: on a new engine the JVM's compiler spends tens of CPU-seconds compiling GraalPy's interpreter and the Graal
 * compiler, and the Graal compiler compiles Tessera's own Python (futures, the task loop, imports) for the classes of
 * the one interpreter it has seen; each new script's interpreter brings new classes, so that code is compiled again
 * until it serves any of them (measured on 2 cores: a service's second script ran its bulk rounds at 18.5 k tasks/s
 * against a cold run's 41 k, with millisecond tails; after nine short scripts a new one started at its steady speed). The
 * warm-up pays that before users come.
 *
 * <p>Users first: a user's script that starts cancels the run in progress, and no run starts while a user's script
 * runs; a cancelled run does not count. It stops after its plan's most runs, or after its fewest once the compilers
 * used less than {@link #QUIET_SHARE} of a core during a run, or at its first failure (reported, not retried).
 */
public final class WarmUp {
    private static final boolean TRACE = Boolean.getBoolean("tessera.traceStartup");
    /** Compiler CPU time over a run's wall time under which the engine counts as warm. */
    static final double QUIET_SHARE = 0.25;

    /**
     * How much to warm: at least {@code minRuns}, at most {@code maxRuns} runs of the resource {@code script} (beside
     * this class), each given {@code runSeconds} of tasks.
     */
    record Plan(int minRuns, int maxRuns, double runSeconds, String script) {
        /** What a service does: on 2 cores the compilers never fall under the quiet share within the first minute
         * (each new interpreter gives them more), so in practice twelve runs, about 35 s. */
        static final Plan DEFAULT = new Plan(4, 12, 2.0, "warm_up.py");
    }

    private final ScriptRunner runner;
    private final Plan plan;
    private final Consumer<String> report;
    private final CompletableFuture<String> done = new CompletableFuture<>();
    private final long started = System.nanoTime();
    private volatile int runs;
    private volatile int cancelled;
    private volatile ScriptRunner.Running current;
    private volatile boolean yielded;
    private volatile boolean closed;
    private Thread thread;

    private WarmUp(ScriptRunner runner, Plan plan, Consumer<String> report) {
        this.runner = runner;
        this.plan = plan;
        this.report = report;
    }

    /** Starts warming {@code runner}'s engine in the background; {@code report} gets one line when it ends. */
    static WarmUp start(ScriptRunner runner, Plan plan, Consumer<String> report) {
        WarmUp w = new WarmUp(runner, plan, report);
        w.thread = Thread.ofPlatform().name("tessera-warm-up").daemon(true).start(w::live);
        return w;
    }

    /** Whether the warm-up has ended (done, failed or stopped). */
    public boolean isDone() {
        return done.isDone();
    }

    /** Whether a run is in progress now. */
    boolean inRun() {
        return current != null;
    }

    /** Runs cancelled for users' scripts (not counted in {@link #runs()}). */
    int cancelledRuns() {
        return cancelled;
    }

    /** Runs counted so far. */
    public int runs() {
        return runs;
    }

    /** Waits up to {@code timeoutMillis} for the end; returns its one-line summary, or null if not ended. */
    public String await(long timeoutMillis) throws InterruptedException {
        try {
            return done.get(timeoutMillis, TimeUnit.MILLISECONDS);
        } catch (java.util.concurrent.TimeoutException e) {
            return null;
        } catch (java.util.concurrent.ExecutionException e) {
            return "warm-up failed: " + e.getCause();
        }
    }

    /** A user's script starts: the run in progress is cancelled (it is not counted). */
    void yieldToUser() {
        yielded = true; // also when no run is in progress: one about to start sees it and is cancelled
        ScriptRunner.Running r = current;
        if (r != null) {
            r.cancel();
        }
    }

    /** Stops the warm-up (the service closes); waits for its run to end. */
    void close() {
        closed = true;
        yieldToUser();
        Thread t = thread;
        if (t != null) {
            t.interrupt();
            try {
                t.join(60_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    private void live() {
        String summary;
        try {
            summary = warm(scriptText(plan.script()));
        } catch (InterruptedException e) {
            summary = "warm-up stopped after " + runs + " runs";
        } catch (IOException | RuntimeException e) {
            summary = "warm-up failed, serving without it: " + e.getMessage();
        }
        try {
            if (!closed) {
                report.accept(summary);
            }
        } finally {
            done.complete(summary); // after the report: whoever waits for the end sees it reported
        }
    }

    private String warm(String script) throws InterruptedException, IOException {
        double share = 1;
        while (!closed && runs < plan.maxRuns() && (runs < plan.minRuns() || share >= QUIET_SHARE)) {
            yielded = false;
            while (runner.scriptsRunning() > 0 && !closed) { // users first
                Thread.sleep(100);
            }
            if (closed) {
                break;
            }
            long compiling = compilerNanos();
            long t0 = System.nanoTime();
            ByteArrayOutputStream err = new ByteArrayOutputStream();
            CompletableFuture<Integer> exit = new CompletableFuture<>();
            Path copy = variant(script, runs + cancelled);
            current = runner.startWarmUpRun(copy, List.of(String.valueOf(plan.runSeconds())),
                    new ScriptRunner.Collected(OutputStream.nullOutputStream(), err, exit));
            if (yielded) { // a user's script came while this run was being set up
                current.cancel();
            }
            int status;
            try {
                status = exit.get();
            } catch (java.util.concurrent.ExecutionException e) {
                throw new IllegalStateException(e.getCause());
            } finally {
                current = null;
                deleteVariant(copy);
            }
            if (yielded || closed) {
                cancelled++;
                continue;
            }
            if (status != 0) {
                String why = err.toString(StandardCharsets.UTF_8).strip();
                throw new IllegalStateException("run " + (runs + 1) + " exited " + status
                        + (why.isEmpty() ? "" : ": " + why.lines().reduce((a, b) -> b).orElse("")));
            }
            runs++;
            share = (compilerNanos() - compiling) / (double) (System.nanoTime() - t0);
            if (TRACE) {
                System.err.printf("tessera serve: warm-up run %d: %.2f s, compilers used %.0f%% of a core%n", runs,
                        (System.nanoTime() - t0) / 1e9, share * 100);
            }
        }
        return String.format("warm after %d runs in %.1f s", runs, (System.nanoTime() - started) / 1e9);
    }

    /**
     * The script of one run: a file of the warm-up script's text whose module has globals of its own ahead of it
     * ({@code n + 1} of them), as users' scripts differ. GraalPy's caches of attribute lookups on a module
     * specialise on its shape (its globals, in order): runs of one and the same script left them specialised on
     * that one, and a user's first script, whose main module has another shape, invalidated the compiled code around them (the worker's task
     * loop, which inlines the lookup of a task's function, and the pool's target lookup: `TraceTransferToInterpreter`
     * showed {@code getattr(module, name)} in {@code _function} and the main module's {@code __file__}), which then ran
     * interpreted for seconds while it compiled again. Twelve shapes take those caches past their limit during the
     * warm-up. For the same reason the copies lie at several depths of directories.
     */
    static Path variant(String script, int n) throws IOException {
        StringBuilder head = new StringBuilder("# tessera serve's warm-up run: globals that give this run's module a shape of its own\n");
        for (int k = 0; k <= n; k++) {
            head.append("_warm_up_global_").append(n).append('_').append(k).append(" = ").append(k).append('\n');
        }
        Path dir = Files.createTempDirectory("tessera-warm-up-" + n + "-");
        for (int k = 0; k < n % 4; k++) { // paths of several depths: os.path's abspath and normpath meet users' paths
            dir = Files.createDirectory(dir.resolve("d" + k));
        }
        Path copy = dir.resolve("warm_up_" + n + ".py");
        Files.writeString(copy, head + script, StandardCharsets.UTF_8);
        return copy;
    }

    /** Deletes a run's script and the directories {@link #variant} made for it. */
    static void deleteVariant(Path copy) throws IOException {
        Path tmp = Path.of(System.getProperty("java.io.tmpdir")).toAbsolutePath();
        Files.deleteIfExists(copy);
        for (Path d = copy.getParent(); d != null && !d.equals(tmp) && d.getFileName().toString().matches("d\\d+|tessera-warm-up-.*"); d = d.getParent()) {
            Files.deleteIfExists(d);
        }
    }

    /** The warm-up script's text, read out of the jar once (each run writes it to a file of its own: {@link #variant}). */
    private static String scriptText(String resource) throws IOException {
        try (InputStream in = WarmUp.class.getResourceAsStream(resource)) {
            if (in == null) {
                throw new IOException(resource + " is missing from the service's jar");
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    /**
     * CPU time the compilers have spent: the JVM's (C1, C2) and the Truffle compiler threads', which run the Graal
     * compiler as Java code. Read from {@code /proc/self/task} (the JVM's own count is of compilations' elapsed time,
     * waits for a core included, and leaves Truffle's out); elsewhere the JVM's count.
     */
    static long compilerNanos() {
        Path tasks = Path.of("/proc/self/task");
        if (Files.isDirectory(tasks)) {
            long ticks = 0;
            try (var dirs = Files.list(tasks)) {
                for (Path t : (Iterable<Path>) dirs::iterator) {
                    ticks += compilerTicks(t.resolve("stat"));
                }
                return ticks * 10_000_000L; // USER_HZ is 100 on Linux
            } catch (IOException | UncheckedIOException e) {
                // fall through to the JVM's count
            }
        }
        CompilationMXBean jit = ManagementFactory.getCompilationMXBean();
        return jit != null && jit.isCompilationTimeMonitoringSupported()
                ? TimeUnit.MILLISECONDS.toNanos(jit.getTotalCompilationTime()) : 0;
    }

    /** User and system ticks of one thread if it is a compiler thread, else 0. */
    private static long compilerTicks(Path stat) {
        String s;
        try {
            s = Files.readString(stat);
        } catch (IOException gone) { // the thread ended
            return 0;
        }
        int open = s.indexOf('('), close = s.lastIndexOf(')');
        if (open < 0 || close < open) {
            return 0;
        }
        String name = s.substring(open + 1, close);
        if (!(name.startsWith("C1 Compiler") || name.startsWith("C2 Compiler") || name.startsWith("TruffleCompiler"))) {
            return 0;
        }
        String[] f = s.substring(close + 2).split(" ");
        return Long.parseLong(f[11]) + Long.parseLong(f[12]); // utime, stime (fields 14 and 15 of stat)
    }
}
