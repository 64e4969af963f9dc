package dev.tessera.cli;

import dev.tessera.buffer.PythonRuntime;
import dev.tessera.bench.BenchCommand;
import dev.tessera.examples.Examples;
import dev.tessera.shm.ArrayStore;
import dev.tessera.workers.WorkerReserve;
import dev.tessera.workers.python.MainInterpreter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** The {@code tessera} command line (started by the ./tessera launcher with the optimizing-runtime flags). */
@Command(name = "tessera", mixinStandardHelpOptions = true, version = "tessera 0.1.0",
        description = "Shared-memory arrays and parallel GraalPy interpreters on the JVM.",
        subcommands = {Main.Run.class, Main.Demo.class, Examples.class, Serve.class, BenchCommand.class, Main.Info.class})
public final class Main implements Callable<Integer> {
    /** Stack traces of host failures: {@code --debug} anywhere before a script's own arguments, or -Dtessera.debug=true. */
    private boolean debug = Boolean.getBoolean("tessera.debug");

    @Option(names = "--debug", scope = CommandLine.ScopeType.INHERIT, description = "print the stack trace of a failure")
    void setDebug(boolean on) {
        debug |= on;
    }

    public static void main(String[] args) {
        int status = commandLine().execute(args);
        if (Boolean.getBoolean("tessera.traceStartup")) {
            long start = java.lang.management.ManagementFactory.getRuntimeMXBean().getStartTime();
            System.err.printf("tessera: exiting %d ms after JVM start%n", System.currentTimeMillis() - start);
            Runtime.getRuntime().addShutdownHook(new Thread(() -> System.err.printf("tessera: last shutdown hook %d ms after JVM start%n",
                    System.currentTimeMillis() - start)));
        }
        System.exit(status);
    }

    /** The command line: subcommands, one-line failures. */
    public static CommandLine commandLine() {
        Main main = new Main();
        CommandLine cli = new CommandLine(main).setExecutionExceptionHandler(main::reportFailure);
        // Everything after the script belongs to the script: `tessera run job.py -v` passes -v to job.py.
        cli.getSubcommands().get("run").setStopAtPositional(true).setUnmatchedOptionsArePositionalParams(true);
        return cli;
    }

    @Override
    public Integer call() {
        new CommandLine(this).usage(System.out);
        return 0;
    }

    /** Host failures (bad flags, no optimizing runtime) are one line, not a stack trace. */
    private int reportFailure(Exception e, CommandLine cmd, CommandLine.ParseResult parsed) {
        cmd.getErr().println("tessera: " + oneLine(e));
        if (debug) {
            e.printStackTrace(cmd.getErr());
        }
        return 2;
    }

    private String oneLine(Throwable e) {
        if (e instanceof org.graalvm.polyglot.PolyglotException p && (p.isInternalError() || p.isHostException())) {
            return internalError(p);
        }
        String message = e.getMessage();
        if (message == null || message.isBlank()) {
            message = e.getClass().getSimpleName() + (e.getCause() != null ? ": " + e.getCause().getMessage() : "");
        }
        boolean expected = e instanceof IllegalArgumentException || e instanceof dev.tessera.examples.ExampleException;
        return message.lines().findFirst().orElse(message) + (debug || expected ? "" : "   (--debug shows where)");
    }

    /**
     * A Java exception from inside GraalPy that no Python code could catch (most arrive as a SystemError; see
     * PythonRuntime): one line naming it as the runtime's, with the Python function it struck in.
     */
    private String internalError(org.graalvm.polyglot.PolyglotException e) {
        String where = "";
        for (org.graalvm.polyglot.PolyglotException.StackFrame f : e.getPolyglotStackTrace()) {
            if (f.isGuestFrame()) { // the innermost Python function (GraalPy gives no line for a Java exception)
                org.graalvm.polyglot.SourceSection at = f.getSourceLocation();
                where = ", in " + f.getRootName() + (at != null && at.getSource().getPath() != null
                        ? " (" + at.getSource().getName() + ":" + at.getStartLine() + ")" : "");
                break;
            }
        }
        String what = e.getMessage() == null ? "" : e.getMessage().lines().findFirst().orElse("");
        return "internal error in the Python runtime (GraalPy), not a Python exception" + where + ": " + what
                + (debug ? "" : "   (--debug shows the Java stack)");
    }

    @Command(name = "run", description = "Run a Python script in the main interpreter, with `tessera` importable.")
    static final class Run implements Callable<Integer> {
        @Parameters(index = "0", paramLabel = "SCRIPT", description = "the Python script")
        Path script;

        @Parameters(index = "1..*", paramLabel = "ARGS", description = "arguments, as sys.argv[1:]")
        List<String> args = new ArrayList<>();

        @Option(names = "--max-bytes", description = "limit of host array memory in bytes (default: none)")
        Long maxBytes;

        @Override
        public Integer call() {
            if (!Files.isRegularFile(script)) {
                throw new IllegalArgumentException("no such script: " + script);
            }
            long t0 = System.nanoTime();
            try (PythonRuntime runtime = PythonRuntime.start();
                 ArrayStore store = maxBytes == null ? new ArrayStore() : new ArrayStore(maxBytes);
                 MainInterpreter main = new MainInterpreter(runtime, store, MainInterpreter.argv(script, args));
                 // Worker interpreters made while the script starts, for its first pool (not refilled: one script),
                 // each importing ahead the standard modules the script imports at its top level; none (null)
                 // for a script that names no pools and imports no module of its own directory.
                 WorkerReserve workers = WorkerReserve.forScript(runtime, script)) {
                if (Boolean.getBoolean("tessera.traceStartup")) {
                    System.err.printf("tessera: JVM up %.0f ms before main(); engine and main interpreter %.1f ms%n",
                            (double) (System.currentTimeMillis() - java.lang.management.ManagementFactory.getRuntimeMXBean().getStartTime())
                                    - (System.nanoTime() - t0) / 1e6, (System.nanoTime() - t0) / 1e6);
                }
                int status = main.runScript(script);
                if (Boolean.getBoolean("tessera.traceStartup")) {
                    long c0 = System.nanoTime();
                    main.close();
                    System.err.printf("tessera: script ended; main interpreter closed in %.1f ms%n", (System.nanoTime() - c0) / 1e6);
                }
                return status;
            } finally {
                if (Boolean.getBoolean("tessera.traceStartup")) {
                    System.err.printf("tessera: engine closed, %.0f ms since JVM start%n",
                            (double) (System.currentTimeMillis() - java.lang.management.ManagementFactory.getRuntimeMXBean().getStartTime()));
                }
            }
        }
    }

    @Command(name = "demo", description = "End-to-end check: Python fills a host array through a writable view; Java verifies.")
    static final class Demo implements Callable<Integer> {
        @Option(names = {"-n", "--elements"}, description = "float64 elements (default: ${DEFAULT-VALUE})", defaultValue = "10000000")
        long elements;

        @Override
        public Integer call() {
            return new DemoJob(elements, System.out).run();
        }
    }

    @Command(name = "info", description = "Print the runtime Tessera runs on (GraalPy, optimizing compiler) and the decoders"
            + " tessera.hdf5 / tessera.zarr use (native libraries through FFM, or pure Java; TESSERA_NATIVE_CODECS=0 turns"
            + " the native ones off), and what fills large runs (the C library's memset; TESSERA_NATIVE_FILL=0 turns it off).")
    static final class Info implements Callable<Integer> {
        @Override
        public Integer call() {
            try (PythonRuntime runtime = PythonRuntime.start()) {
                System.out.println("java        " + System.getProperty("java.vm.name") + " " + Runtime.version());
                System.out.println("polyglot    " + runtime.implementationName() + " " + runtime.engine().getVersion());
                System.out.println("python      " + runtime.engine().getLanguages().get("python").getVersion());
                System.out.println("cores       " + Runtime.getRuntime().availableProcessors());
                dev.tessera.codecs.Codecs codecs = dev.tessera.codecs.Codecs.defaults();
                codecs.describe().forEach((format, impl) ->
                        System.out.printf("%-11s %s%n", format.startsWith("inflate") ? "inflate" : format, impl));
                System.out.printf("%-11s %s%n", "fill", dev.tessera.kernels.Kernels.fillImplementation());
                String malloc = codecs.mallocNote();
                if (malloc != null) {
                    System.out.printf("%-11s %s%n", "malloc", malloc);
                }
            }
            return 0;
        }
    }
}
