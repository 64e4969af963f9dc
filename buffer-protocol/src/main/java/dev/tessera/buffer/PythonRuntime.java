package dev.tessera.buffer;

import java.util.List;
import java.util.Map;
import org.graalvm.polyglot.Context;
import org.graalvm.polyglot.Engine;
import org.graalvm.polyglot.HostAccess;

/**
 * The one GraalPy {@link Engine} of a process, shared by every interpreter so that compiled code is shared,
 * and the check that it runs with the optimizing runtime (the Graal compiler on JVMCI). Without it GraalPy
 * runs interpreted, about 70x slower; Tessera refuses to start rather than run that way unnoticed.
 */
public final class PythonRuntime implements AutoCloseable {
    /** What {@link Engine#getImplementationName()} says when no optimizing runtime is active. */
    static final String INTERPRETED = "Interpreted";

    private final Engine engine;
    private final boolean owner;

    private PythonRuntime(Engine engine, boolean owner) {
        this.engine = engine;
        this.owner = owner;
    }

    /**
     * How the engine compiles, tuned for machines with few cores (measured on 2 cores, see the README): every
     * interpreter's start-up runs the import machinery, whose functions then fill the one compiler thread's
     * queue for seconds while a task's hot loop waits behind them. They are left to the interpreter (they only run
     * at import time), and code compiles in one tier, straight to optimized code: a pool of 2 reaches half its
     * steady rate in about 5 s instead of about 15 s. The loaders' {@code is_package} joined them later: its one
     * compilation took 2.6 s on the still-cold compiler and a first task's loop waited 1.2 s behind it (a pool of 2
     * then reached half its steady rate in 3.9-4.3 s; without it 2.8-3.4 s, 3 runs each). Names match as substrings
     * (Truffle's CompileOnly), so they are ones that only the import machinery uses. A {@code -Dpolyglot.*} system
     * property overrides each (as it does the options below).
     */
    static final Map<String, String> COMPILATION = Map.of(
            "engine.MultiTier", "false",
            "engine.CompileOnly", "~_find_and_load,~find_spec,~AbstractFunctionBuiltins.__module__,~is_package");

    /**
     * A Java exception thrown inside GraalPy (its own bugs, e.g. a NullPointerException when a memoryview is released
     * by an __index__ it calls) becomes a Python SystemError that the script can catch, with a one-line message,
     * instead of a host error that unwinds every Python frame and ends the interpreter.
     */
    static final Map<String, String> INTERNAL_ERRORS = Map.of(
            "python.CatchAllExceptions", "true",
            "python.WithJavaStacktrace", "0");

    /** Starts the shared engine; throws with one clear line when the optimizing runtime is missing. */
    public static PythonRuntime start() {
        Engine.Builder builder = Engine.newBuilder("python")
                .option("engine.WarnInterpreterOnly", "false") // we check ourselves, with a clearer message
                .allowExperimentalOptions(true); // the compilation options above are experimental ones
        for (Map<String, String> options : List.of(COMPILATION, INTERNAL_ERRORS)) {
            options.forEach((name, value) -> {
                if (System.getProperty("polyglot." + name) == null) {
                    builder.option(name, value);
                }
            });
        }
        Engine engine = builder.build();
        try {
            requireOptimizingRuntime(engine);
        } catch (RuntimeException e) {
            engine.close();
            throw e;
        }
        return new PythonRuntime(engine, true);
    }

    /**
     * The same engine for code that closes what it is given (an example run by the service): closing the borrowed
     * runtime leaves the engine, and the code it has compiled, to its owner.
     */
    public PythonRuntime borrow() {
        return new PythonRuntime(engine, false);
    }

    static void requireOptimizingRuntime(Engine engine) {
        String impl = engine.getImplementationName();
        if (INTERPRETED.equals(impl) || impl.toLowerCase().contains("fallback")) {
            throw new IllegalStateException("GraalPy is running without the optimizing runtime (" + impl + "): start the JVM with "
                    + "-XX:+UnlockExperimentalVMOptions -XX:+EnableJVMCI --upgrade-module-path=<Graal compiler 25.0.3 jars> "
                    + "(the ./tessera launcher and the Maven build do this)");
        }
    }

    public Engine engine() {
        return engine;
    }

    /** "GraalVM CE" with the optimizing runtime on. */
    public String implementationName() {
        return engine.getImplementationName();
    }

    /**
     * A context builder on the shared engine; the caller decides what else the interpreter may access. No
     * interpreter gets host (Java) object access: Tessera's host objects are Truffle objects, which need none, and
     * a shared engine requires one host-access policy for all of its contexts.
     */
    public Context.Builder contextBuilder() {
        return Context.newBuilder("python").engine(engine).allowHostAccess(HostAccess.NONE).allowHostClassLookup(c -> false);
    }

    @Override
    public void close() {
        if (owner) {
            engine.close();
        }
    }
}
