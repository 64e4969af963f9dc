package dev.tessera.examples;

import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/**
 * {@code tessera example NAME}: the uses Tessera is for, each verifying its own result. Exit status 0 when the
 * result is right, 1 when it is not; an input the example cannot use is a one-line error.
 */
@Command(name = "example", mixinStandardHelpOptions = true,
        description = "Run an example; each checks its own result (exit 1 on a mismatch).",
        subcommands = {FillExample.class, ScanExample.class, ServeExample.class, ReleaseExample.class,
                ClusterExample.class})
public final class Examples implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    private final java.util.function.Supplier<dev.tessera.buffer.PythonRuntime> runtimes;

    public Examples() {
        this(dev.tessera.buffer.PythonRuntime::start);
    }

    private Examples(java.util.function.Supplier<dev.tessera.buffer.PythonRuntime> runtimes) {
        this.runtimes = runtimes;
    }

    /**
     * The runtime an example runs on: a new one, or the one the caller of {@link #commandLine(java.util.function.Supplier)}
     * lends (the service's warm engine); {@code parent} is null when the example runs alone.
     */
    static dev.tessera.buffer.PythonRuntime runtime(Examples parent) {
        return parent != null ? parent.runtimes.get() : dev.tessera.buffer.PythonRuntime.start();
    }

    @Override
    public Integer call() {
        spec.commandLine().usage(spec.commandLine().getOut());
        return 0;
    }

    /** A command line of the examples alone (for tests and embedding). */
    public static CommandLine commandLine() {
        return new CommandLine(new Examples());
    }

    /** The examples running on runtimes from {@code runtimes} (e.g. borrowed from a warm engine). */
    public static CommandLine commandLine(java.util.function.Supplier<dev.tessera.buffer.PythonRuntime> runtimes) {
        return new CommandLine(new Examples(runtimes));
    }
}
