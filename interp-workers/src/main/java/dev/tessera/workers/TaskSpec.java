package dev.tessera.workers;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * What a task runs: a module-level function named by module and qualified name (as pickle names it), or an
 * entry point of a piece of source code; with shareable arguments (host form, see {@link Shareables}) and an
 * optional deadline that overrides the pool's.
 *
 * @param mainFile for functions of {@code __main__}: the script that defines them, which workers load as a
 *                 module named {@code __tessera_main__} (its {@code if __name__ == "__main__":} block does not run)
 */
public record TaskSpec(String module, String qualname, String mainFile, String source, String entry, List<Object> args,
                       Map<String, Object> kwargs, Duration deadline) {

    public TaskSpec {
        Objects.requireNonNull(args, "args");
        Objects.requireNonNull(kwargs, "kwargs");
        boolean byName = module != null && qualname != null;
        boolean bySource = source != null && entry != null;
        if (byName == bySource) {
            throw new IllegalArgumentException("a task names either a module and function, or a source and entry point");
        }
        if (deadline != null && (deadline.isNegative() || deadline.isZero())) {
            throw new IllegalArgumentException("deadline must be positive, got " + deadline);
        }
    }

    /** A call of {@code module.function(*args)}. */
    public static TaskSpec call(String module, String function, Object... args) {
        return new TaskSpec(module, function, null, null, null, hostArgs(args), Map.of(), null);
    }

    /** A call of {@code entry(*args)} defined by {@code source} (compiled once per worker and cached). */
    public static TaskSpec source(String source, String entry, Object... args) {
        return new TaskSpec(null, null, null, source, entry, hostArgs(args), Map.of(), null);
    }

    public TaskSpec withDeadline(Duration d) {
        return new TaskSpec(module, qualname, mainFile, source, entry, args, kwargs, d);
    }

    public TaskSpec withKwargs(Map<String, Object> kw) {
        return new TaskSpec(module, qualname, mainFile, source, entry, args, kw, deadline);
    }

    private static List<Object> hostArgs(Object[] args) {
        @SuppressWarnings("unchecked")
        List<Object> list = (List<Object>) Shareables.fromJava(args, "argument");
        return list;
    }

    String describe() {
        return source != null ? "<source>." + entry : module + "." + qualname;
    }
}
