package dev.tessera.service;

import dev.tessera.buffer.PythonRuntime;
import dev.tessera.shm.ArrayStore;
import dev.tessera.workers.WorkerReserve;
import dev.tessera.workers.python.MainInterpreter;
import java.io.OutputStream;
import java.nio.file.Path;
import java.util.List;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.graalvm.polyglot.PolyglotException;

/**
 * Runs scripts for {@code tessera run} clients in main interpreters made on the service's warm engine. One is kept
 * ready (built, Python initialized, {@code tessera} installed) so a script starts at once; each interpreter lives on
 * its own platform thread, as the main interpreter of a cold run does, and is used for one script only: nothing a
 * script leaves (modules, globals, arrays, pools) reaches the next. Scripts' pools take their workers from a
 * {@link WorkerReserve} kept on the engine (as many as a pool of one worker per core and its spare), made ahead and
 * refilled in the background; a worker taken belongs to its pool alone and ends with it.
 */
final class ScriptRunner implements AutoCloseable {
    private static final boolean TRACE = Boolean.getBoolean("tessera.traceStartup");
    private final PythonRuntime runtime;
    private final Long maxBytes;
    private final AtomicLong started = new AtomicLong();
    private final java.util.concurrent.atomic.AtomicInteger running = new java.util.concurrent.atomic.AtomicInteger();
    private CompletableFuture<Spare> spare;
    private final WorkerReserve workers; // null when the engine had one already (its owner closes it)
    private volatile WarmUp warmUp;
    private boolean closed;

    ScriptRunner(PythonRuntime runtime, Long maxBytes) {
        this.runtime = runtime;
        this.maxBytes = maxBytes;
        this.spare = Spare.make(this);
        this.workers = WorkerReserve.of(runtime) == null ? WorkerReserve.keep(runtime, WARM_WORKERS, true, WARM_IMPORTS) : null;
    }

    /**
     * Workers the service keeps made ahead: two default pools' worth (one per core and a spare, twice). A script
     * that starts as the last one ends (a shell loop, a test run) finds its pool ready while the last one's are
     * replaced; with one pool's worth it found none and waited for new ones (2 cores, warm service, a 10 s script
     * and then the same again: the second's pool of 2 to its first result 93 ms against 10 ms for the first).
     */
    static final int WARM_WORKERS = 2 * (Runtime.getRuntime().availableProcessors() + 1);

    /** What the warm workers import ahead, not knowing the scripts to come: tessera's pool part, and json. */
    static final List<String> WARM_IMPORTS = List.of("tessera", "json");

    /** Where a run's output goes and how it ends; written from any thread of the script. */
    interface Output {
        OutputStream out();

        OutputStream err();

        /** The script's standard input (none: it reads end of file at once). */
        default java.io.InputStream in() {
            return java.io.InputStream.nullInputStream();
        }

        void exit(int status);
    }

    /** An {@link Output} into the given streams whose exit completes {@code status}. */
    record Collected(OutputStream out, OutputStream err, CompletableFuture<Integer> status) implements Output {
        @Override
        public void exit(int code) {
            status.complete(code);
        }
    }

    /** A script being run; {@link #cancel()} stops it (its client went away). */
    interface Running {
        void cancel();
    }

    /**
     * Starts {@code script} with {@code args} in {@code cwd} on the ready interpreter. Returns at once; {@code
     * output.exit} is called once with the script's status when everything it started has ended: 0, its {@code
     * sys.exit} code, 1 after an uncaught exception, 2 when the runtime failed, 130 cancelled.
     *
     * <p>The next main interpreter and the worker reserve's refill wait until the script's first seconds are over (it
     * ends, or has run {@link #FIRST_SECONDS}): made beside it, they took a core from it on 2 cores just when its own
     * code was being compiled. A script that arrives while one runs makes its interpreter then.
     */
    Running start(Path script, List<String> args, Path cwd, Output output) {
        Spare next;
        WarmUp w = warmUp;
        if (w != null) {
            w.yieldToUser();
        }
        synchronized (this) {
            requireOpen();
            next = (spare != null ? spare : Spare.make(this)).join();
            spare = null;
        }
        FirstSeconds quiet = new FirstSeconds();
        next.afterFirstSeconds = quiet;
        started.incrementAndGet();
        running.incrementAndGet();
        next.run.complete(new Request(script, args, cwd, output, true));
        CompletableFuture.delayedExecutor(FIRST_SECONDS.toMillis(), TimeUnit.MILLISECONDS).execute(quiet::over);
        return next::cancel;
    }

    /**
     * Starts warming the engine up in the background (see {@link WarmUp}); {@code report} gets one line when that
     * ends. At most once.
     */
    synchronized WarmUp startWarmUp(WarmUp.Plan plan, java.util.function.Consumer<String> report) {
        requireOpen();
        if (warmUp != null) {
            throw new IllegalStateException("the warm-up was started already");
        }
        warmUp = WarmUp.start(this, plan, report);
        return warmUp;
    }

    /** The warm-up, if one was started. */
    WarmUp warmUp() {
        return warmUp;
    }

    /**
     * Runs one warm-up run of {@code script} in a main interpreter of its own (not the one kept for users, and not
     * counted as a user's script); returns once it started.
     */
    Running startWarmUpRun(Path script, List<String> args, Output output) {
        synchronized (this) {
            requireOpen();
        }
        Spare s = Spare.make(this).join();
        s.run.complete(new Request(script, args, script.getParent(), output, false));
        return s::cancel;
    }

    /** How long a script runs before the service makes what the next one needs beside it. */
    static final Duration FIRST_SECONDS = Duration.ofSeconds(10);

    /** A script's first seconds: while they last, the reserve does not refill; once over, the next interpreter is made. */
    private final class FirstSeconds {
        private final AtomicBoolean over = new AtomicBoolean();
        private final WorkerReserve reserve = WorkerReserve.of(runtime);

        FirstSeconds() {
            if (reserve != null) {
                reserve.holdRefill();
            }
        }

        /** The script ended or ran long enough (whichever is first; the second call does nothing). */
        void over() {
            if (!over.compareAndSet(false, true)) {
                return;
            }
            if (reserve != null) { // a closed reserve makes nothing
                reserve.releaseRefill();
            }
            makeSpare();
        }
    }

    /** Refuses what would start after {@link #close()}; called holding this object's lock. */
    private void requireOpen() {
        if (closed) {
            throw new IllegalStateException("the service is stopping");
        }
    }

    /** A main interpreter made ahead for the next script, unless there is one or the service stops. */
    private synchronized void makeSpare() {
        if (!closed && spare == null) {
            spare = Spare.make(this);
        }
    }

    /**
     * Starts {@code tessera example ARGS} on a thread of its own, on the warm engine; relative paths in its options
     * are the client's ({@code cwd}). Exit status as from the command line: 0 right, 1 wrong result, 2 refused.
     */
    Running startExample(List<String> args, Path cwd, Output output) {
        synchronized (this) {
            requireOpen();
        }
        started.incrementAndGet();
        running.incrementAndGet();
        Thread t = Thread.ofPlatform().name("tessera-service-example").daemon(true).start(() -> {
            java.io.PrintWriter out = new java.io.PrintWriter(new java.io.OutputStreamWriter(output.out(), java.nio.charset.StandardCharsets.UTF_8), true);
            java.io.PrintWriter err = new java.io.PrintWriter(new java.io.OutputStreamWriter(output.err(), java.nio.charset.StandardCharsets.UTF_8), true);
            picocli.CommandLine cli = dev.tessera.examples.Examples.commandLine(runtime::borrow);
            cli.setOut(out);
            cli.setErr(err);
            cli.registerConverter(Path.class, s -> cwd.resolve(s));
            cli.setExecutionExceptionHandler((e, cmd, parsed) -> {
                String m = e.getMessage() == null ? e.toString() : e.getMessage().lines().findFirst().orElse("");
                cmd.getErr().println("tessera: " + m);
                return 2;
            });
            int status;
            try {
                status = cli.execute(args.toArray(String[]::new));
            } catch (RuntimeException | Error e) {
                err.println("tessera: " + e);
                status = 2;
            }
            out.flush();
            err.flush();
            running.decrementAndGet();
            output.exit(status);
        });
        return t::interrupt;
    }

    long scriptsStarted() {
        return started.get();
    }

    /** Worker interpreters made ahead and ready for scripts' pools. */
    int warmWorkersReady() {
        WorkerReserve r = WorkerReserve.of(runtime);
        return r == null ? 0 : r.readyCount();
    }

    /** How many worker interpreters the reserve keeps made ahead (0 without one). */
    int warmWorkersKept() {
        WorkerReserve r = WorkerReserve.of(runtime);
        return r == null ? 0 : r.size();
    }

    /** Worker interpreters made ahead that scripts' pools have taken. */
    long warmWorkersTaken() {
        WorkerReserve r = WorkerReserve.of(runtime);
        return r == null ? 0 : r.counts().taken();
    }

    /** Whether a main interpreter is made and waits for the next script (else the next one waits for its own). */
    synchronized boolean mainInterpreterReady() {
        return spare != null && spare.isDone() && !spare.isCompletedExceptionally();
    }

    /** Scripts started and not yet ended (everything they started included). */
    int scriptsRunning() {
        return running.get();
    }

    @Override
    public void close() {
        CompletableFuture<Spare> last;
        synchronized (this) {
            closed = true;
            last = spare;
        }
        WarmUp w = warmUp;
        if (w != null) {
            w.close();
        }
        if (last == null) {
            return; // every interpreter made ran a script, and each closes when its script ends
        }
        // The unused spare closes its interpreter and ends; waited for, so that the engine can close after this.
        last.thenAccept(s -> s.thread.interrupt());
        try {
            Spare s = last.get(60, TimeUnit.SECONDS);
            s.thread.join(60_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
            // it failed to start, or is still starting: nothing of it runs a script
        }
        if (workers != null) {
            workers.close();
        }
    }

    /** A script to run; {@code user}: a client's (counted, and followed by the next spare), not the warm-up's. */
    private record Request(Path script, List<String> args, Path cwd, Output output, boolean user) {
    }

    /** One main interpreter on its own thread: built ahead, then runs one request. */
    private static final class Spare {
        private final CompletableFuture<Request> run = new CompletableFuture<>();
        private volatile FirstSeconds afterFirstSeconds; // set before run completes
        private Thread thread;
        private volatile MainInterpreter main;
        private volatile boolean cancelled;
        private final Redirect out = new Redirect();
        private final Redirect err = new Redirect();
        private final InputRedirect in = new InputRedirect();

        static CompletableFuture<Spare> make(ScriptRunner owner) {
            CompletableFuture<Spare> ready = new CompletableFuture<>();
            Spare s = new Spare();
            s.thread = Thread.ofPlatform().name("tessera-service-script").daemon(true).unstarted(() -> s.live(owner, ready));
            s.thread.start();
            return ready;
        }

        private void live(ScriptRunner owner, CompletableFuture<Spare> ready) {
            ArrayStore store = owner.maxBytes == null ? new ArrayStore() : new ArrayStore(owner.maxBytes);
            long made = System.nanoTime();
            try {
                main = new MainInterpreter(owner.runtime, store, List.of(""), in, out, err);
                main.warmUp();
            } catch (RuntimeException | Error e) {
                store.close();
                ready.completeExceptionally(e);
                return;
            }
            if (TRACE) {
                System.err.printf("tessera serve: spare main interpreter ready in %.1f ms%n", (System.nanoTime() - made) / 1e6);
            }
            ready.complete(this);
            Request r;
            try {
                r = run.get();
            } catch (InterruptedException | java.util.concurrent.ExecutionException e) {
                main.close();
                store.close();
                return;
            }
            out.target = r.output.out();
            err.target = r.output.err();
            in.source = r.output.in();
            int status;
            long t0 = System.nanoTime();
            long t1 = t0;
            long t2 = t0;
            try {
                main.prepare(MainInterpreter.argv(r.script, r.args), r.cwd);
                t1 = System.nanoTime();
                status = main.runScript(r.script);
                t2 = System.nanoTime();
            } catch (PolyglotException e) {
                status = cancelled || e.isCancelled() ? 130 : internalError(e);
            } catch (RuntimeException e) {
                status = internalError(e);
            }
            try {
                main.close(); // joins the script's threads, lets its pools finish, runs atexit hooks
            } catch (RuntimeException e) {
                status = cancelled ? 130 : status;
            } finally {
                store.close();
            }
            if (TRACE) {
                System.err.printf("tessera serve: script %s: prepared %.1f ms, ran %.1f ms, interpreter closed %.1f ms%n",
                        r.script.getFileName(), (t1 - t0) / 1e6, (t2 - t1) / 1e6, (System.nanoTime() - t2) / 1e6);
            }
            if (r.user) {
                owner.running.decrementAndGet();
                afterFirstSeconds.over();
            }
            r.output.exit(status);
        }

        private int internalError(Exception e) {
            String what = e.getMessage() == null ? e.toString() : e.getMessage().lines().findFirst().orElse("");
            try {
                err.write(("tessera: internal error in the Python runtime (GraalPy), not a Python exception: " + what + "\n")
                        .getBytes(java.nio.charset.StandardCharsets.UTF_8));
            } catch (java.io.IOException ignored) {
                // the client is gone
            }
            return 2;
        }

        /** Called on a client's (virtual) thread: the context is cancelled from a platform thread (Truffle warns
         * about contexts used on virtual threads). */
        void cancel() {
            cancelled = true;
            MainInterpreter m = main;
            if (m != null) {
                Thread.ofPlatform().name("tessera-service-cancel").daemon(true).start(() -> {
                    try {
                        m.cancel();
                    } catch (RuntimeException alreadyClosed) {
                        // the script had ended
                    }
                });
            }
        }
    }

    /** An output stream whose destination is set when the spare is given its script. */
    /** The spare's standard input: nothing until its request comes, then the request's (see {@link Output#in}). */
    private static final class InputRedirect extends java.io.InputStream {
        volatile java.io.InputStream source = java.io.InputStream.nullInputStream();

        @Override
        public int read() throws java.io.IOException {
            return source.read();
        }

        @Override
        public int read(byte[] b, int off, int len) throws java.io.IOException {
            return source.read(b, off, len);
        }

        @Override
        public int available() throws java.io.IOException {
            return source.available();
        }
    }

    private static final class Redirect extends OutputStream {
        volatile OutputStream target = OutputStream.nullOutputStream();

        @Override
        public void write(int b) throws java.io.IOException {
            target.write(b);
        }

        @Override
        public void write(byte[] b, int off, int len) throws java.io.IOException {
            target.write(b, off, len);
        }

        @Override
        public void flush() throws java.io.IOException {
            target.flush();
        }
    }
}
