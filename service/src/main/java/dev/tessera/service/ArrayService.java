package dev.tessera.service;

import static dev.tessera.service.Protocol.*;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import dev.tessera.buffer.HostErrors;
import dev.tessera.buffer.PythonRuntime;
import dev.tessera.shm.ArrayStore;
import dev.tessera.shm.DType;
import dev.tessera.shm.SharedArray;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * {@code tessera serve}: named arrays in anonymous shared memory that local processes map zero-copy, jobs that run a
 * module function in the worker pool over views of those arrays, and scripts for {@code tessera run} clients in warm
 * main interpreters. The parts: the Unix socket ({@link ServiceSocket}), the wire format ({@link Protocol}), the jobs
 * ({@link Jobs}), the scripts ({@link ScriptRunner}) and loopback HTTP ({@link HttpEndpoint}); {@link #handle} is the
 * dispatch from an op to the part that answers it.
 */
public final class ArrayService implements AutoCloseable {
    static final int MAX_REQUEST_BYTES = Protocol.MAX_REQUEST_BYTES;

    private final ArrayStore store;
    private final ScriptRunner scripts;
    private final Jobs jobs;
    private final dev.tessera.workers.InterpreterPool pool;
    private ServiceSocket socket;
    private Path socketPath;
    private volatile HttpEndpoint http;

    private ArrayService(ArrayStore store, dev.tessera.workers.InterpreterPool pool, ScriptRunner scripts) {
        this.store = store;
        this.pool = pool;
        this.scripts = scripts;
        this.jobs = new Jobs(store, pool);
    }

    /** The socket path used when none is given: {@code $XDG_RUNTIME_DIR/tessera/tessera.sock}, else under /tmp. */
    public static Path defaultSocket() {
        String runtimeDir = System.getenv("XDG_RUNTIME_DIR");
        Path dir = runtimeDir != null && !runtimeDir.isBlank() ? Path.of(runtimeDir, "tessera")
                : Path.of(System.getProperty("java.io.tmpdir"), "tessera-" + System.getProperty("user.name"));
        return dir.resolve("tessera.sock");
    }

    /**
     * Starts serving on {@code socket}: its directory is created (or must already be) only its user's, a stale
     * socket file from a service that died is replaced, a live one refused.
     */
    public static ArrayService start(Path socket, ArrayStore store, dev.tessera.workers.InterpreterPool pool) throws IOException {
        return start(socket, store, pool, null, null);
    }

    /**
     * As {@link #start(Path, ArrayStore, dev.tessera.workers.InterpreterPool)}, and runs scripts for {@code tessera
     * run} clients in main interpreters on {@code scriptRuntime} (one kept warm), each with its own store of at most
     * {@code scriptMaxBytes} (null: no limit).
     */
    public static ArrayService start(Path socket, ArrayStore store, dev.tessera.workers.InterpreterPool pool,
                                     PythonRuntime scriptRuntime, Long scriptMaxBytes) throws IOException {
        ScriptRunner scripts = scriptRuntime == null ? null : new ScriptRunner(scriptRuntime, scriptMaxBytes);
        ArrayService service = new ArrayService(store, pool, scripts);
        try {
            service.socket = ServiceSocket.listen(socket, store, service::handle, service::run);
        } catch (IOException | RuntimeException e) {
            if (scripts != null) {
                scripts.close();
            }
            throw e;
        }
        service.socketPath = socket;
        return service;
    }

    public Path socket() {
        return socketPath;
    }

    /**
     * Warms the scripts' engine up in the background, as {@code tessera serve} does at its start (see {@link
     * WarmUp}): a few short runs of a built-in script, each in a new main interpreter with a new pool, until the
     * compilers have little left to do (on 2 cores about half a minute); a user's script that comes meanwhile goes
     * first. {@code report} gets one line when it ends. Only for a service that runs scripts; at most once.
     */
    public WarmUp warmUp(java.util.function.Consumer<String> report) {
        return warmUp(WarmUp.Plan.DEFAULT.maxRuns(), report);
    }

    /** As {@link #warmUp(java.util.function.Consumer)}, with at most {@code maxRuns} runs (at least 1). */
    public WarmUp warmUp(int maxRuns, java.util.function.Consumer<String> report) {
        if (scripts == null) {
            throw new IllegalStateException("this service runs no scripts: there is nothing to warm up");
        }
        if (maxRuns < 1) {
            throw new IllegalArgumentException("a warm-up needs at least one run, not " + maxRuns);
        }
        WarmUp.Plan d = WarmUp.Plan.DEFAULT;
        return scripts.startWarmUp(new WarmUp.Plan(Math.min(d.minRuns(), maxRuns), maxRuns, d.runSeconds(), d.script()), report);
    }

    /**
     * Also serves requests over loopback HTTP on {@code port} (0: any free port), each with the bearer token written
     * to {@link #httpFile()} (readable by this user only). Returns the port.
     */
    public synchronized int serveHttp(int port) throws IOException {
        if (http != null) {
            throw new IllegalStateException("already serving HTTP on port " + http.port());
        }
        http = HttpEndpoint.start(port, httpFile(), this::handle);
        return http.port();
    }

    /** Where the HTTP endpoint's URL and token are written: {@code http.json} beside the socket. */
    public Path httpFile() {
        return socketPath.toAbsolutePath().getParent().resolve("http.json");
    }

    /** Answers one request (any op but the streaming ones); a failure is an error reply, never an exception. */
    JsonObject handle(JsonObject r) {
        try {
            return switch (Op.of(r)) {
                case HELLO -> ok().with(PID, ProcessHandle.current().pid()).with(PROTOCOL, VERSION)
                        .with(DESCRIPTORS, DescriptorPassing.isAvailable()).with(SCRIPTS, scripts != null)
                        .with(FRAMES, Frame.table()).json();
                case CREATE -> describe(store.allocateShareable(string(r, NAME), DType.parse(string(r, DTYPE)), shape(r)));
                case ATTACH, DESCRIBE -> describe(array(string(r, NAME)));
                case LIST -> {
                    JsonArray arrays = new JsonArray();
                    for (SharedArray a : store.liveArrays()) {
                        if (store.descriptorOf(a).isPresent()) {
                            arrays.add(describe(a));
                        }
                    }
                    yield ok().with(ARRAYS, arrays).json();
                }
                case RELEASE -> {
                    array(string(r, NAME)).close();
                    yield ok().json();
                }
                case SUBMIT -> jobs.submit(r);
                case MAP -> jobs.map(r);
                case JOB -> jobs.status(r);
                case CANCEL -> jobs.cancel(r);
                case METRICS -> ok().with("bytes_in_use", store.bytesInUse()).with("arrays", store.liveArrays().size())
                        .with("workers", pool.workerCount()).with("tasks_completed", pool.completedTasks())
                        .with("tasks_failed", pool.failedTasks()).with("queued", pool.queuedTasks())
                        .with("scripts_started", scripts == null ? 0 : scripts.scriptsStarted())
                        .with("scripts_running", scripts == null ? 0 : scripts.scriptsRunning())
                        .with("warm_workers_kept", scripts == null ? 0 : scripts.warmWorkersKept())
                        .with("warm_workers_ready", scripts == null ? 0 : scripts.warmWorkersReady())
                        .with("warm_workers_taken", scripts == null ? 0 : scripts.warmWorkersTaken())
                        .with("main_interpreter_ready", scripts != null && scripts.mainInterpreterReady())
                        .with("warm_up_runs", warmUp() == null ? 0 : warmUp().runs())
                        .with("warm_up_done", warmUp() == null || warmUp().isDone()).json();
                case RUN, EXAMPLE -> throw new IllegalArgumentException("scripts run over the Unix socket only");
            };
        } catch (RuntimeException e) { // the Python type a CPython caller expects for it (IndexError, BufferError...)
            return error(HostErrors.pythonType(e), e.getMessage() != null ? e.getMessage() : e.toString());
        }
    }

    /** A description (see {@link Op#CREATE}). */
    private JsonObject describe(SharedArray a) {
        int fd = store.descriptorOf(a).orElseThrow(() -> new IllegalArgumentException("array '" + a.name() + "' is not shareable"));
        JsonArray shape = new JsonArray();
        for (long d : a.shape()) {
            shape.add(d);
        }
        return ok().with(NAME, a.name()).with(DTYPE, a.dtype().typeName()).with(FORMAT, a.dtype().formatString()).with(BYTES, a.byteSize())
                .with(PATH, "/proc/" + ProcessHandle.current().pid() + "/fd/" + fd).with(SHAPE, shape).json();
    }

    private SharedArray array(String name) {
        return store.get(name).filter(a -> store.descriptorOf(a).isPresent())
                .orElseThrow(() -> new IllegalArgumentException("no array named '" + name + "' (released, or never created)"));
    }

    /**
     * {@code run script args cwd}: the script runs in a warm main interpreter ({@code example args cwd}: {@code
     * tessera example ARGS} on the warm engine); the reply line, then the run's frames ({@link RunFrames}) until its
     * exit. The client closing the connection stops the script.
     */
    private void run(JsonObject r, SocketChannel client, OutputStream out) throws IOException {
        Path script = null;
        Path cwd;
        boolean example = Op.of(r) == Op.EXAMPLE;
        List<String> args = new ArrayList<>();
        try {
            if (scripts == null) {
                throw new IllegalStateException("this service runs no scripts");
            }
            cwd = Path.of(string(r, CWD));
            if (!example) {
                script = Path.of(string(r, SCRIPT));
                if (!script.isAbsolute() || !Files.isRegularFile(script)) {
                    throw new IllegalArgumentException("no such script: " + script + " (an absolute path is required)");
                }
            }
            if (!cwd.isAbsolute() || !Files.isDirectory(cwd)) {
                throw new IllegalArgumentException("no such directory: " + cwd);
            }
            for (JsonElement a : list(r, ARGS)) {
                args.add(a.getAsString());
            }
        } catch (RuntimeException e) {
            out.write(line(error(HostErrors.pythonType(e), String.valueOf(e.getMessage()))));
            return;
        }
        out.write(line(ok().with(RUNNING, true).json()));
        RunFrames frames = new RunFrames(out, client, r.has(STDIN) && r.get(STDIN).getAsBoolean());
        ScriptRunner.Running running;
        try {
            running = example ? scripts.startExample(args, cwd, frames) : scripts.start(script, args, cwd, frames);
        } catch (RuntimeException e) {
            frames.err().write(("tessera: the service could not start the script: " + e.getMessage() + "\n").getBytes(StandardCharsets.UTF_8));
            frames.exit(2);
            return;
        }
        forwardInput(client, frames.in()); // returns when the client has gone, or the connection closed at exit
        if (!frames.exited()) {
            running.cancel();
        }
    }

    /**
     * The client's standard input, in frames (kind, 4-byte big-endian length, bytes: {@link Protocol.Frame#STDIN},
     * then {@link Protocol.Frame#STDIN_END}), into the script's; other kinds are skipped. Returns at the connection's
     * end of file: the client went away, or the script's exit closed the connection.
     */
    private static void forwardInput(SocketChannel client, ScriptInput input) {
        // The channel's own reads (not a stream over it, which would hold the channel's blocking lock against the
        // script's output frames while it waits)
        ByteBuffer header = ByteBuffer.allocate(5);
        try {
            while (readFully(client, header.clear())) {
                int kind = header.get(0) & 0xFF;
                int size = header.getInt(1);
                if (size < 0 || size > ScriptInput.LIMIT) {
                    return; // not a client of this protocol: treated as gone
                }
                ByteBuffer data = ByteBuffer.allocate(size);
                if (!readFully(client, data)) {
                    return;
                }
                if (kind == Protocol.Frame.STDIN.kind) {
                    input.offer(data.array());
                } else if (kind == Protocol.Frame.STDIN_END.kind) {
                    input.end();
                }
            }
        } catch (IOException gone) {
            // end of file, or the connection closed at the script's exit
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            input.end();
        }
    }

    /** Fills {@code b} from the channel; false at end of file. */
    private static boolean readFully(SocketChannel c, ByteBuffer b) throws IOException {
        while (b.hasRemaining()) {
            if (c.read(b) < 0) {
                return false;
            }
        }
        return true;
    }

    private WarmUp warmUp() {
        return scripts == null ? null : scripts.warmUp();
    }

    @Override
    public void close() {
        if (scripts != null) {
            scripts.close();
        }
        if (http != null) {
            http.close();
        }
        try {
            socket.close();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
