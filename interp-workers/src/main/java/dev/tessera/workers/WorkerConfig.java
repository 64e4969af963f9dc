package dev.tessera.workers;

import dev.tessera.buffer.values.Tuple;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * How every worker of a pool starts: sys.path entries, modules to preload, an initializer, the directories it may
 * read, the default task deadline, and how many spare workers wait ready to replace a stopped one.
 */
public record WorkerConfig(int workers, int spares, List<Path> sysPath, List<String> preload, TaskTarget initializer,
                    Tuple initArgs, List<Path> readable, Duration taskDeadline) {

    /** Directories the sandbox lets workers read: sys.path entries, the initializer's script directory, grants. */
    List<Path> readRoots() {
        List<Path> roots = new ArrayList<>(readable);
        roots.addAll(sysPath);
        if (initializer != null && initializer.mainFile() != null) {
            roots.add(Path.of(initializer.mainFile()).toAbsolutePath().getParent());
        }
        return roots;
    }
}
