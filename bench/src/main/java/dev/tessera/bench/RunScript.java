package dev.tessera.bench;

import dev.tessera.buffer.PythonRuntime;
import dev.tessera.shm.ArrayStore;
import dev.tessera.workers.WorkerReserve;
import dev.tessera.workers.python.MainInterpreter;
import java.nio.file.Path;
import java.util.Arrays;

/** {@code RunScript SCRIPT ARGS...}: runs a Python script in a main interpreter, as {@code tessera run} does. */
public final class RunScript {
    private RunScript() {
    }

    public static void main(String[] args) {
        if (args.length == 0) {
            System.err.println("usage: RunScript SCRIPT [ARGS...]");
            System.exit(2);
        }
        Path script = Path.of(args[0]);
        int status;
        try (PythonRuntime runtime = PythonRuntime.start();
             ArrayStore store = new ArrayStore();
             MainInterpreter main = new MainInterpreter(runtime, store,
                     MainInterpreter.argv(script, Arrays.asList(args).subList(1, args.length)));
             // as `tessera run` keeps them: workers made while the script starts, for its first pool
             WorkerReserve workers = WorkerReserve.forScript(runtime, script)) {
            status = main.runScript(script);
        }
        System.exit(status);
    }
}
