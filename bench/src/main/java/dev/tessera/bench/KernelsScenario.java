package dev.tessera.bench;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;

/** tessera.kernels against numpy (bench/python/kernels.py) and against plain Java's bandwidth ({@link BandwidthReference}). */
final class KernelsScenario extends ScriptScenario {
    KernelsScenario() {
        super("kernels", "tessera.kernels vs numpy, fill and sum vs a plain Java loop over a MemorySegment", "kernels.py");
    }

    @Override
    List<String> extraArgs(BenchContext context) throws Exception {
        long elements = switch (context.mode()) {
            case TINY -> 1 << 14;
            case QUICK -> 1 << 23;
            case FULL -> 1 << 25;
        };
        double seconds = switch (context.mode()) {
            case TINY -> 0.05;
            case QUICK -> 0.5;
            case FULL -> 1.5;
        };
        Path reference = context.scratch("bandwidth-reference.json");
        Path log = context.logs().resolve("bandwidth-reference.txt");
        int status = ChildJvm.run(BandwidthReference.class.getName(), List.of(Long.toString(elements), Double.toString(seconds),
                reference.toString()), context.root(), log, context.timeoutSeconds());
        if (status != 0) {
            throw new IOException("the bandwidth reference failed (exit " + status + "): " + lastLine(log));
        }
        return List.of("--reference", reference.toString());
    }
}
