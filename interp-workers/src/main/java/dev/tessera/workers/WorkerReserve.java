package dev.tessera.workers;

import dev.tessera.buffer.PythonRuntime;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import org.graalvm.polyglot.Engine;

/**
 * Worker interpreters made ahead on one engine, for pools to come: each is started (its context built, Python
 * initialized, {@code tessera} installed) and has run Tessera's task loop once on a task of Tessera's own, so that a
 * pool made later takes it in microseconds instead of starting an interpreter (100-600 ms, more on a cold engine).
 * A pool created on the engine takes its workers (and its spare) from here first; the pool's own settings (the
 * directories its workers may read, sys.path, where they print, the store, preloads and initializer) are given at
 * that moment. A worker taken belongs to that pool until the pool ends it: it never comes back here, so nothing one
 * pool (or one script of the service) leaves in an interpreter reaches another.
 *
 * <p>A pool that finds no ready worker takes one still starting (it is further on than a new one would be). A
 * reserve that refills (the service's: its scripts keep coming) makes a new worker after each take, one at a time
 * in the background, so that refilling takes at most one core from what runs meanwhile; one that does not (a cold
 * run's: one script) is used up by the first pools.
 */
public final class WorkerReserve implements AutoCloseable {
    private static final Map<Engine, WorkerReserve> KEPT = new ConcurrentHashMap<>();

    private final PythonRuntime runtime;
    private final int size;
    private final boolean refill;
    private final List<String> imports;
    private final List<String> leadImports;
    private Worker lead; // guarded by this: the first worker made, which imports leadImports too
    private final ConcurrentLinkedQueue<Worker> ready = new ConcurrentLinkedQueue<>();
    private final List<Worker> starting = new ArrayList<>(); // guarded by this
    private int refillHeld; // guarded by this: holders that want no refilling now (see holdRefill)
    private long made;
    private long taken;
    private long failed;
    private volatile boolean closed;

    private WorkerReserve(PythonRuntime runtime, int size, boolean refill, List<String> imports, List<String> leadImports) {
        this.runtime = runtime;
        this.size = size;
        this.refill = refill;
        this.imports = List.copyOf(imports);
        this.leadImports = List.copyOf(leadImports);
    }

    /**
     * Keeps {@code size} workers ready on {@code runtime}'s engine for the pools made on it (the ones to fill it start
     * now, in parallel, in the background); with {@code refill}, a worker taken is replaced. One reserve per engine;
     * closing it ends the workers not taken.
     */
    public static WorkerReserve keep(PythonRuntime runtime, int size, boolean refill) {
        return keep(runtime, size, refill, List.of());
    }

    /**
     * The same, each worker also importing {@code imports} once it is ready, before a pool takes it: modules of the
     * standard library, and {@code tessera} for its pool part; others are skipped (a user's module runs code of its
     * own, and the worker must not run it for a pool that may never come). What a main script's load meets first
     * (the service's guess, or a cold script's own top-level imports: {@link ScriptImports}) then costs its pool's
     * first task nothing.
     */
    public static WorkerReserve keep(PythonRuntime runtime, int size, boolean refill, List<String> imports) {
        return keep(runtime, size, refill, imports, List.of());
    }

    /**
     * The same, the first worker made importing {@code leadImports} before them. A cold {@code tessera run} gives it
     * tessera's pool part when the script names pools anywhere: the main interpreter will load that part too, and
     * after one worker has run its module bodies the main interpreter's load took 0.2-0.4 s instead of 0.8-1.1 (the
     * functions those bodies call were compiled by then; 2 cores, 2026-12-06). Only one worker: when every worker
     * loaded it, a script that makes its pool at once shared the two cores with three such loads beside its own
     * (its first result 1.8-2.1 s against 1.5-1.7).
     */
    public static WorkerReserve keep(PythonRuntime runtime, int size, boolean refill, List<String> imports, List<String> leadImports) {
        if (size < 1) {
            throw new IllegalArgumentException("a reserve keeps at least one worker, got " + size);
        }
        WorkerReserve r = new WorkerReserve(runtime, size, refill, imports, leadImports);
        if (KEPT.putIfAbsent(runtime.engine(), r) != null) {
            throw new IllegalStateException("the engine has a worker reserve already");
        }
        r.fill(size);
        return r;
    }

    /**
     * The reserve of a cold run of {@code script} (`tessera run`): one default pool's worth (a worker per core and a
     * spare), made while the script starts and not refilled (one script), each worker importing ahead the standard
     * modules the script imports at its top level, the first one tessera's pool part as well when the script uses
     * pools ({@link ScriptImports}). Null, and nothing made, for a script that neither names pools nor imports a
     * module of its own directory ({@link ScriptImports.Found#mayUsePools}).
     */
    public static WorkerReserve forScript(PythonRuntime runtime, Path script) {
        ScriptImports.Found ahead = ScriptImports.of(script);
        if (!ahead.mayUsePools()) {
            return null;
        }
        return keep(runtime, Runtime.getRuntime().availableProcessors() + 1, false, ahead.modules(), ahead.leadModules());
    }

    /** The reserve kept for {@code runtime}'s engine, or null. */
    public static WorkerReserve of(PythonRuntime runtime) {
        return KEPT.get(runtime.engine());
    }

    /** What {@code w} imports once ready, comma-separated (for the worker's {@code _warm}). */
    synchronized String warmImports(Worker w) {
        if (w != lead || leadImports.isEmpty()) {
            return String.join(",", imports);
        }
        List<String> both = new ArrayList<>(leadImports);
        both.addAll(imports);
        return String.join(",", both);
    }

    PythonRuntime runtime() {
        return runtime;
    }

    /**
     * A ready worker, else one still starting, now no longer the reserve's (the caller adopts it at once); null if
     * there is none. A reserve that refills starts a new one.
     */
    Worker take() {
        Worker w = ready.poll();
        synchronized (this) {
            if (w == null && !starting.isEmpty()) {
                w = starting.remove(0); // its thread learns it was taken when it is ready (see ready())
            }
            if (w != null) {
                taken++;
            }
            if (refill && refillHeld == 0) {
                fill(1);
            }
        }
        return w;
    }

    /**
     * No refilling until {@link #releaseRefill()}: the service holds it while a script has its first seconds, where a
     * worker starting beside it (a core's worth of CPU for half a second or more, and the compiles it brings) would
     * take from the script on a 2-core machine. Pools still get what is ready, then new workers of their own.
     */
    public synchronized void holdRefill() {
        refillHeld++;
    }

    /** Ends one {@link #holdRefill()}; when none is left the reserve refills (one worker at a time). */
    public synchronized void releaseRefill() {
        if (refillHeld <= 0) {
            throw new IllegalStateException("releaseRefill without holdRefill");
        }
        refillHeld--;
        if (refill && refillHeld == 0) {
            fill(1);
        }
    }

    /** Starts workers until the reserve holds (or is making) {@code size}, at most {@code parallel} at a time. */
    private synchronized void fill(int parallel) {
        while (!closed && starting.size() < parallel && ready.size() + starting.size() < size) {
            Worker w = new Worker(this);
            if (lead == null) {
                lead = w;
            }
            starting.add(w);
            w.thread.start();
        }
    }

    /** A worker made for the reserve has run the task loop once and waits for a pool (unless one took it already). */
    void ready(Worker w) {
        synchronized (this) {
            made++;
            if (!starting.remove(w)) {
                return; // taken while starting: its pool adopts it
            }
            if (!closed) {
                ready.add(w);
                if (refill && refillHeld == 0) {
                    fill(1);
                }
                return;
            }
        }
        w.discard();
    }

    /**
     * A worker made for the reserve could not start (or the reserve closed under it); no retry until the next take.
     * False if a pool took it while it was starting: that pool learns of the failure.
     */
    synchronized boolean failed(Worker w) {
        if (!closed) {
            failed++;
        }
        return starting.remove(w);
    }

    boolean isClosed() {
        return closed;
    }

    /** How many workers the reserve keeps made ahead. */
    public int size() {
        return size;
    }

    /** Workers ready now. */
    public int readyCount() {
        return ready.size();
    }

    /** Workers made, taken by pools, and failed to start, since the reserve began. */
    public record Counts(long made, long taken, long failed) {
    }

    /** The reserve's counts now. */
    public synchronized Counts counts() {
        return new Counts(made, taken, failed);
    }

    /** Waits up to {@code millis} for the reserve to be full; true if it is. */
    public boolean awaitFull(long millis) throws InterruptedException {
        long end = System.nanoTime() + millis * 1_000_000;
        while (ready.size() < size) {
            if (System.nanoTime() - end > 0) {
                return false;
            }
            Thread.sleep(5);
        }
        return true;
    }

    /** Ends the workers not taken (those still starting are cancelled) and forgets the reserve. */
    @Override
    public void close() {
        List<Worker> ending = new ArrayList<>();
        synchronized (this) {
            if (closed) {
                return;
            }
            closed = true;
            KEPT.remove(runtime.engine(), this);
            ending.addAll(starting);
        }
        for (Worker w; (w = ready.poll()) != null; ) {
            ending.add(w);
        }
        for (Worker w : ending) {
            w.discard();
        }
        for (Worker w : ending) {
            try {
                w.thread.join(60_000); // cancelled or unparked, each ends in moments; the engine closes after them
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }

    @Override
    public String toString() {
        return "WorkerReserve[" + ready.size() + " of " + size + " ready]";
    }
}
