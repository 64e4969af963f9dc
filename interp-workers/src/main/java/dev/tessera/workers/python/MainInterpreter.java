package dev.tessera.workers.python;

import dev.tessera.buffer.PythonRuntime;
import dev.tessera.buffer.SharedCode;
import dev.tessera.buffer.graalpy.GuestScope;
import dev.tessera.shm.ArrayStore;
import dev.tessera.workers.InterpreterPool;
import dev.tessera.workers.WaitSet;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.graalvm.polyglot.Context;
import org.graalvm.polyglot.EnvironmentAccess;
import org.graalvm.polyglot.PolyglotException;
import org.graalvm.polyglot.Source;
import org.graalvm.polyglot.Value;
import org.graalvm.polyglot.io.IOAccess;

/**
 * The main interpreter: runs the user's script with the {@code tessera} package importable. It is the user's own
 * program, so, like CPython, it may use the file system and start threads and processes; it gets no host class access. Arrays
 * it allocates live in {@link #store()}.
 *
 * <p>A script ends as under CPython: {@code sys.exit(n)} gives status n, an uncaught exception prints its Python
 * traceback and gives 1; then non-daemon threads are joined, pools finish their queued tasks (they registered
 * with {@code threading._register_atexit}, as concurrent.futures' executors do) and {@code atexit} hooks run.
 */
public final class MainInterpreter implements AutoCloseable {
    private static final Source RUN_MAIN = Source.create("python", """
            def _tessera_run_main(path):
                # What `python path` does, without runpy (which costs a cold interpreter seconds of imports).
                import sys
                import polyglot
                # This thread keeps its GIL across tessera's quick host calls; those that wait give it up (Gil.java).
                polyglot.__set_gil_locked_during_foreign_calls__(True)
                # sys.path[0] is the script's directory, once, as under `python path`: a new context starts with ''
                # (the working directory, which CPython puts there for -c and the REPL only) or with it already
                here = path.rpartition("/")[0] or "."
                if sys.path and sys.path[0] in ("", here):
                    sys.path[0] = here
                else:
                    sys.path.insert(0, here)
                main = sys.modules["__main__"]
                main.__dict__.pop("_tessera_run_main", None)  # the script's namespace starts clean
                try:
                    with open(path, "rb") as f:
                        code = compile(f.read(), path, "exec")
                    host = sys.modules.get("tessera._host")
                    if host is not None:  # the workers that import the script find this parse (SharedCode)
                        host.keep_parsed()
                    main.__dict__.update(__file__=path, __cached__=None, __spec__=None, __loader__=None, __package__=None)
                    exec(code, main.__dict__)
                    return 0
                except SystemExit as e:
                    code = e.code
                    if code is None:
                        return 0
                    if isinstance(code, int):  # bool too: sys.exit(False) is 0, as unittest.main() ends
                        return int(code) & 0xFF
                    print(code, file=sys.stderr)
                    return 1
                except BaseException as e:
                    import traceback
                    tb = e.__traceback__  # start at the script's own frames, as CPython shows them
                    while tb is not None and tb.tb_frame.f_code.co_filename != path:
                        tb = tb.tb_next
                    # none: the script did not start (a SyntaxError, an unreadable file); CPython prints the error
                    # alone then, and so does this, without a frame of its own
                    traceback.print_exception(type(e), e, tb)
                    return 1
                finally:
                    sys.stdout.flush()
                    sys.stderr.flush()
            _tessera_run_main
            """);

    private static final Source PREPARE = Source.create("python", """
            def _tessera_prepare(argv, cwd):
                import os, sys
                sys.modules["__main__"].__dict__.pop("_tessera_prepare", None)
                sys.argv[:] = argv.split("\\0")
                os.chdir(cwd)
            _tessera_prepare
            """);

    private static final Source WARM_POOL = Source.create("python", """
            import tessera as _tessera
            _tessera.InterpreterPool  # runs the lazy part
            del _tessera
            """);

    private final PythonRuntime runtime;
    private final ArrayStore store;
    private final Context context;
    private final PoolFunctions.Owner pools;
    private boolean closed;
    private volatile boolean exitedHard; // os._exit: no pool finishes its tasks

    public MainInterpreter(PythonRuntime runtime, ArrayStore store, List<String> argv, InputStream in, OutputStream out,
                           OutputStream err) {
        this(runtime, store, argv, in, out, err, System.getenv());
    }

    /** As above, with {@code env} in place of the process's environment for the interpreter's own settings. */
    MainInterpreter(PythonRuntime runtime, ArrayStore store, List<String> argv, InputStream in, OutputStream out,
                    OutputStream err, Map<String, String> env) {
        this.runtime = runtime;
        this.store = store;
        long t0 = System.nanoTime();
        this.context = runtime.contextBuilder()
                .allowIO(IOAccess.ALL)
                .allowCreateThread(true)
                .allowCreateProcess(true)
                .allowEnvironmentAccess(EnvironmentAccess.INHERIT) // os.environ, as in CPython: the user's own script
                .arguments("python", argv.toArray(String[]::new))
                .options(bytecodeCache(env))
                .in(in).out(out).err(err)
                .build();
        this.pools = new PoolFunctions.Owner(runtime, store, out, err);
        long t1 = System.nanoTime();
        context.initialize("python");
        long t2 = System.nanoTime();
        Interpreters.installMain(context, store, pools, new GuestScope("main"));
        if (Boolean.getBoolean("tessera.traceStartup")) {
            System.err.printf("tessera: main interpreter: context built %.1f ms, python initialized %.1f ms, tessera installed %.1f ms%n",
                    (t1 - t0) / 1e6, (t2 - t1) / 1e6, (System.nanoTime() - t2) / 1e6);
        }
    }

    /**
     * Compiled modules are cached as {@code .pyc} files, as CPython does (GraalPy's embedding default is not to write
     * them): an import then reads the bytecode instead of parsing the source, in this interpreter and in every worker
     * that imports the module after it (workers read the cache; their sandbox cannot write). Measured on 2 cores:
     * {@code import json, statistics, subprocess, os} 3.1 s without the cache, 2.5 s with it; a worker's first task
     * that imports them 2.2 s and 1.5 s. {@code PYTHONDONTWRITEBYTECODE} and {@code PYTHONPYCACHEPREFIX} work as
     * in CPython.
     */
    static Map<String, String> bytecodeCache(Map<String, String> env) {
        String prefix = env.getOrDefault("PYTHONPYCACHEPREFIX", "");
        boolean dontWrite = !env.getOrDefault("PYTHONDONTWRITEBYTECODE", "").isEmpty();
        return prefix.isEmpty()
                ? Map.of("python.DontWriteBytecodeFlag", String.valueOf(dontWrite))
                : Map.of("python.DontWriteBytecodeFlag", String.valueOf(dontWrite), "python.PyCachePrefix", prefix);
    }

    public MainInterpreter(PythonRuntime runtime, ArrayStore store, List<String> argv) {
        this(runtime, store, argv, System.in, System.out, System.err);
    }

    public ArrayStore store() {
        return store;
    }

    public PythonRuntime runtime() {
        return runtime;
    }

    public Context context() {
        return context;
    }

    public Value eval(String code) {
        WaitSet.countRunning(1);
        try {
            return context.eval("python", code);
        } finally {
            WaitSet.countRunning(-1);
        }
    }

    /**
     * Runs {@code script} as {@code __main__} with its directory first on {@code sys.path}, the way CPython does.
     *
     * @return the exit status: 0, the script's {@code sys.exit} code, or 1 after an uncaught exception
     */
    public int runScript(Path script) {
        Path abs = script.toAbsolutePath().normalize();
        // Counted as running only while it runs (see WaitSet): a main interpreter made ahead (the service's spare)
        // and idle would otherwise hold a core's worth of the count, and on 2 cores no waiter would ever spin.
        WaitSet.countRunning(1);
        try {
            return context.eval(RUN_MAIN).execute(abs.toString()).asInt();
        } catch (PolyglotException e) {
            if (e.isExit()) {
                exitedHard = true;
                return e.getExitStatus();
            }
            throw e;
        } finally {
            WaitSet.countRunning(-1);
        }
    }

    /**
     * Sets {@code sys.argv} and the working directory as {@code python SCRIPT ARGS} started in {@code cwd} has them:
     * for an interpreter made before its script was known (the service's warm spare).
     */
    public void prepare(List<String> argv, Path cwd) {
        for (String a : argv) {
            if (a.indexOf('\0') >= 0) {
                throw new IllegalArgumentException("an argument holds a NUL character");
            }
        }
        context.eval(PREPARE).execute(String.join("\0", argv), cwd.toAbsolutePath().normalize().toString());
    }

    /**
     * Does ahead what a first script pays for (a spare made before its script is known): the first evaluation in a
     * context, the run function's parse, and the pool's part of {@code tessera} with the standard modules it imports
     * (seconds in a new context otherwise); leaves {@code sys.argv} and the directory for {@link #prepare}.
     */
    public void warmUp() {
        prepare(List.of(""), Path.of("/"));
        context.eval(RUN_MAIN);
        context.eval(WARM_POOL);
        SharedCode.keep(context); // the standard modules the pool imported, for the next script
    }

    /** Stops the script from another thread (its client went away): the interpreter's own thread ends with a cancel. */
    public void cancel() {
        context.close(true);
    }

    /** argv as CPython sets it for {@code python SCRIPT ARGS...}. */
    public static List<String> argv(Path script, List<String> args) {
        List<String> argv = new ArrayList<>();
        argv.add(script.toString());
        argv.addAll(args);
        return argv;
    }

    /** Pools the script created and has not shut down. */
    public List<InterpreterPool> livePools() {
        return pools.livePools();
    }

    /**
     * Ends the interpreter as CPython ends one: joins non-daemon threads, lets pools finish their queued tasks, runs
     * atexit hooks; then stops whatever pool is left.
     */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        if (exitedHard) {
            // os._exit leaves at once, as under CPython: GraalPy still runs the interpreter's shutdown hooks as the
            // context closes, where a pool would wait for its tasks (forever, for a task that never ends). Stopped
            // first, the pools have nothing left to wait for.
            pools.close();
        }
        WaitSet.countRunning(1); // atexit hooks and the pools' last tasks run now
        try {
            context.close();
        } catch (PolyglotException | IllegalStateException e) {
            context.close(true);
        } finally {
            WaitSet.countRunning(-1);
            pools.close();
        }
    }
}
