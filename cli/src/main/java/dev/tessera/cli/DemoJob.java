package dev.tessera.cli;

import dev.tessera.buffer.PythonRuntime;
import dev.tessera.shm.ArrayStore;
import dev.tessera.shm.SharedArray;
import dev.tessera.workers.python.MainInterpreter;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.graalvm.polyglot.Value;

/** {@code tessera demo}: Python fills a host array through a writable view; Java reads it back and verifies. */
final class DemoJob {
    private final long n;
    private final PrintStream out;

    DemoJob(long n, PrintStream out) {
        if (n <= 0) {
            throw new IllegalArgumentException("--elements must be positive, got " + n);
        }
        this.n = n;
        this.out = out;
    }

    int run() {
        try (PythonRuntime runtime = PythonRuntime.start();
             ArrayStore store = new ArrayStore();
             MainInterpreter main = new MainInterpreter(runtime, store, List.of("demo"))) {
            out.println("runtime: " + runtime.implementationName() + " (optimizing compiler on), "
                    + Runtime.getRuntime().availableProcessors() + " cores");
            main.eval(resource("/dev/tessera/python/demo.py"));
            Value result = main.context().getBindings("python").getMember("fill").execute(n);
            double pythonSum = result.getArrayElement(1).asDouble();
            Value rounds = result.getArrayElement(2);
            for (int r = 0; r < rounds.getArraySize(); r++) {
                double seconds = rounds.getArrayElement(r).asDouble();
                out.printf("round %d: python filled %,d float64 through a writable view in %.1f ms (%.0f M elements/s%s)%n",
                        r, n, seconds * 1e3, n / seconds / 1e6, r == 0 ? ", includes JIT compilation" : "");
            }

            SharedArray array = store.get("demo").orElseThrow();
            double javaSum = 0;
            for (long i = 0; i < array.elementCount(); i++) {
                javaSum += array.getDouble(i);
            }
            double expected = 0.5 * ((double) n * (n - 1) / 2); // exact: every partial sum is a multiple of 0.5 below 2^53
            out.printf("checksum  python %.1f   java %.1f   expected %.1f%n", pythonSum, javaSum, expected);
            boolean ok = javaSum == expected && pythonSum == expected && array.getDouble(n - 1) == (n - 1) * 0.5;

            String afterRelease = main.context().getBindings("python").getMember("release").execute(result.getArrayElement(0)).asString();
            out.println("released from Python: " + store.bytesInUse() + " bytes in use; a later access raises " + afterRelease);
            ok &= store.bytesInUse() == 0 && array.isClosed();
            out.println(ok ? "OK: Java verified the values Python wrote" : "FAILED: checksums differ");
            return ok ? 0 : 1;
        }
    }

    static String resource(String path) {
        try (InputStream in = DemoJob.class.getResourceAsStream(path)) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
