package dev.tessera.workers;

/**
 * What a task calls: a module-level function named by module and qualified name (as pickle names it), or an entry
 * point of a piece of source code. Workers resolve a target once and keep the function. Python holds a target as one
 * object whose fields it reads by name (the Python side's {@code TargetObject}); nothing builds it by position.
 *
 * @param mainFile for functions of {@code __main__}: the script that defines them, which workers load as a module
 *                 named {@code __tessera_main__} (its {@code if __name__ == "__main__":} block does not run)
 */
public record TaskTarget(String module, String qualname, String mainFile, String source, String entry) {
    public TaskTarget {
        boolean byName = module != null && qualname != null;
        boolean bySource = source != null && entry != null;
        if (byName == bySource) {
            throw new IllegalArgumentException("a task names either a module and function, or a source and entry point");
        }
    }

    public static TaskTarget function(String module, String qualname) {
        return function(module, qualname, null);
    }

    /** A function of the main script: {@code module} is {@code __main__}, {@code mainFile} the script. */
    public static TaskTarget function(String module, String qualname, String mainFile) {
        return new TaskTarget(module, qualname, mainFile, null, null);
    }

    public static TaskTarget source(String source, String entry) {
        return new TaskTarget(null, null, null, source, entry);
    }

    public String describe() {
        return source != null ? "<source>." + entry : module + "." + qualname;
    }
}
