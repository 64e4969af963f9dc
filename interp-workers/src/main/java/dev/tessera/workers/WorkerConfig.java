package dev.tessera.workers;

import dev.tessera.buffer.graalpy.InteropArray;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * How every worker of a pool starts: sys.path entries, modules to preload, an initializer, the directories it
 * may read, and the default task deadline.
 *
 * @param initializer a module-level function ({@code module}, {@code qualname}, optional {@code mainFile}) or
 *                    source code ({@code source}) run once per worker, with {@code initArgs}
 */
record WorkerConfig(int workers, List<Path> sysPath, List<String> preload, String initModule, String initQualname,
                    String initMainFile, String initSource, List<Object> initArgs, List<Path> readable,
                    Duration taskDeadline) {

    /** Directories the sandbox lets workers read: sys.path entries, the main script's directory, grants. */
    List<Path> readRoots() {
        List<Path> roots = new ArrayList<>(readable);
        roots.addAll(sysPath);
        if (initMainFile != null) {
            roots.add(Path.of(initMainFile).toAbsolutePath().getParent());
        }
        return roots;
    }

    Object guestSysPath() {
        return new InteropArray(sysPath.stream().map(p -> (Object) p.toAbsolutePath().toString()).toArray());
    }

    Object guestPreload() {
        return new InteropArray(preload.toArray());
    }

    /** (module, qualname, main_file, source, initargs) with None for what is not given. */
    Object guestInitializer() {
        return new InteropArray(Shareables.toGuest(initModule), Shareables.toGuest(initQualname),
                Shareables.toGuest(initMainFile), Shareables.toGuest(initSource),
                Shareables.toGuest(initArgs, v -> {
                    throw new NotShareableException("initargs", "tessera.View (views are lent to tasks, not to workers)");
                }));
    }
}
