package dev.tessera.workers;

import dev.tessera.buffer.PythonRuntime;
import dev.tessera.shm.ArrayStore;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.graalvm.polyglot.Context;
import org.graalvm.polyglot.PolyglotException;
import org.graalvm.polyglot.Source;
import org.graalvm.polyglot.Value;
import org.graalvm.polyglot.io.IOAccess;

/**
 * The main interpreter: runs the user's script with the {@code tessera} module importable. It is the user's
 * own program, so, like CPython, it may use the file system; it gets no host class access. Arrays it allocates
 * live in {@link #store()}.
 */
public final class MainInterpreter implements AutoCloseable {
    private final PythonRuntime runtime;
    private final ArrayStore store;
    private final Context context;
    private final PoolHost pools;

    public MainInterpreter(PythonRuntime runtime, ArrayStore store, List<String> argv, InputStream in, OutputStream out,
                           OutputStream err) {
        this.runtime = runtime;
        this.store = store;
        this.context = runtime.contextBuilder()
                .allowIO(IOAccess.ALL)
                .allowCreateThread(false)
                .arguments("python", argv.toArray(String[]::new))
                .in(in).out(out).err(err)
                .build();
        this.pools = new PoolHost(runtime, store);
        WorkerModule.forMain(store, pools).install(context);
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
        return context.eval("python", code);
    }

    /**
     * Runs {@code script} as {@code __main__} with its directory first on {@code sys.path}, the way CPython does.
     * A Python exception prints its Python traceback (no Java stack trace) and gives exit status 1.
     *
     * @return the exit status: 0, the script's {@code sys.exit} code, or 1 after an uncaught exception
     */
    public int runScript(Path script) {
        Path abs = script.toAbsolutePath().normalize();
        Value runner = context.eval(Source.create("python", """
                def _tessera_run_main(path):
                    import os, runpy, sys, traceback
                    sys.path.insert(0, os.path.dirname(path))
                    try:
                        runpy.run_path(path, run_name="__main__")
                    except SystemExit:
                        raise
                    except BaseException as e:
                        tb = e.__traceback__  # start at the script's own frames, as CPython shows them
                        while tb is not None and tb.tb_frame.f_code.co_filename != path:
                            tb = tb.tb_next
                        traceback.print_exception(type(e), e, tb or e.__traceback__)
                        return 1
                    finally:
                        sys.stdout.flush()
                        sys.stderr.flush()
                    return 0
                _tessera_run_main
                """));
        try {
            return runner.execute(abs.toString()).asInt();
        } catch (PolyglotException e) {
            if (e.isExit()) {
                return e.getExitStatus();
            }
            throw e;
        }
    }

    /** argv as CPython sets it for {@code python SCRIPT ARGS...}. */
    public static List<String> argv(Path script, List<String> args) {
        List<String> argv = new ArrayList<>();
        argv.add(script.toString());
        argv.addAll(args);
        return argv;
    }

    /** Pools the script created and has not shut down. */
    public java.util.List<InterpreterPool> livePools() {
        return pools.livePools();
    }

    @Override
    public void close() {
        pools.close();
        context.close(true);
    }
}
