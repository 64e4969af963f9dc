package dev.tessera.workers;

import dev.tessera.buffer.values.Shareables;
import dev.tessera.buffer.values.Tuple;
import java.time.Duration;
import java.util.Map;
import java.util.Objects;

/**
 * What a task runs: a {@link TaskTarget}, shareable arguments in host form (see {@link Shareables}), and an
 * optional deadline that overrides the pool's.
 */
public record TaskSpec(TaskTarget target, Tuple args, Map<String, Object> kwargs, Duration deadline) {

    public TaskSpec {
        Objects.requireNonNull(target, "target");
        Objects.requireNonNull(args, "args");
        Objects.requireNonNull(kwargs, "kwargs");
        if (deadline != null && (deadline.isNegative() || deadline.isZero())) {
            throw new IllegalArgumentException("deadline must be positive, got " + deadline);
        }
    }

    /** A call of {@code module.function(*args)}; arguments are Java values, checked and converted here. */
    public static TaskSpec call(String module, String function, Object... args) {
        return new TaskSpec(TaskTarget.function(module, function), hostArgs(args), Map.of(), null);
    }

    /** A call of {@code entry(*args)} defined by {@code source} (compiled once per worker and kept). */
    public static TaskSpec source(String source, String entry, Object... args) {
        return new TaskSpec(TaskTarget.source(source, entry), hostArgs(args), Map.of(), null);
    }

    public TaskSpec withDeadline(Duration d) {
        return new TaskSpec(target, args, kwargs, d);
    }

    /** The same call with keyword arguments (Java values, checked and converted here). */
    public TaskSpec withKwargs(Map<String, ?> kw) {
        return new TaskSpec(target, args, Shareables.kwargsFromJava(kw, "keyword argument"), deadline);
    }

    private static Tuple hostArgs(Object[] args) {
        return (Tuple) Shareables.fromJava(args, "argument");
    }

    String describe() {
        return target.describe();
    }
}
