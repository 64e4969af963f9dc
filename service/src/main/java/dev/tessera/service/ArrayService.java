package dev.tessera.service;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import com.google.gson.JsonPrimitive;
import dev.tessera.shm.ArrayStore;
import dev.tessera.shm.DType;
import dev.tessera.shm.SharedArray;
import dev.tessera.workers.InterpreterPool;
import dev.tessera.workers.TaskFuture;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.nio.file.attribute.UserPrincipal;
import jdk.net.UnixDomainPrincipal;
import jdk.net.ExtendedSocketOptions;
import dev.tessera.buffer.PythonRuntime;
import java.util.ArrayList;
import java.util.List;

/**
 * {@code tessera serve}: named arrays in anonymous shared memory that local processes map zero-copy, and jobs that
 * run a module function in the worker pool over views of those arrays. Control is a Unix domain socket in a
 * directory only its user can enter (mode 0700; the socket 0600), one JSON object per line each way.
 *
 * <p>Requests ({@code op} and its fields) and replies ({@code ok: true} and the fields named here, or {@code ok:
 * false, error, message}):
 * <ul>
 * <li>{@code hello} → {@code pid, protocol, descriptors} (whether descriptors are passed){@code , scripts}
 * <li>{@code create name shape dtype} → the array's description; {@code attach name}, {@code describe name} → the
 *     same. A description is {@code name, shape, dtype, bytes, path}: {@code path} is {@code /proc/PID/fd/N}, which
 *     a process of the same user opens and maps to see the array's pages (no file is named anywhere).
 * <li>{@code list} → {@code arrays}; {@code release name} frees the array once every client has unmapped it.
 * <li>{@code submit module function args [timeout] [wait]}: {@code function(*args)} in a worker; an argument
 *     {@code {"array": name, "start", "stop", "readonly"}} arrives as a memoryview over those rows (writable views
 *     hold a lease for the task); other arguments are JSON numbers, strings, booleans, null and lists (as tuples).
 *     → {@code result}; a task's exception → {@code error} (its Python type), {@code message}, {@code traceback}.
 *     With {@code wait: false} → {@code job} (its id) at once.
 * <li>{@code map module function array [parts] [readonly] [args] [timeout] [wait]}: the array's rows cut into parts
 *     (default one per worker), {@code function(view, start, *args)} per part in parallel → {@code result}, the
 *     parts' results in order; the first failing part fails the job and stops the rest.
 * <li>{@code job id [wait]} → {@code state} (running, done, failed, cancelled, timed_out), {@code done} and
 *     {@code parts}, {@code ended}, then {@code result} or the error; {@code cancel id} stops it.
 * <li>{@code metrics} → bytes in use, arrays, tasks completed/failed/queued, workers, scripts started/running.
 * <li>{@code run script args cwd} and {@code example args cwd}: see {@link #runScript}; the connection is the run's.
 * </ul>
 * A description sent over the socket carries the array's descriptor (SCM_RIGHTS) when this JVM can pass one. Only
 * processes of the service's user are served (SO_PEERCRED). {@link #serveHttp} serves the same requests (not
 * {@code run}) over loopback HTTP with a bearer token.
 *
 * A line longer than {@link #MAX_REQUEST_BYTES} or that is not a JSON object is refused, and the connection closed.
 */
public final class ArrayService implements AutoCloseable {
    public static final int PROTOCOL = 2;
    static final int MAX_REQUEST_BYTES = 1 << 20;
    static final int KEPT_JOBS = 1024;

    private final Path socket;
    private final ArrayStore store;
    private final InterpreterPool pool;
    private final ServerSocketChannel server;
    private final UserPrincipal owner;
    private final ScriptRunner scripts;
    private final Thread acceptor;
    private final java.util.concurrent.atomic.AtomicLong nextJob = new java.util.concurrent.atomic.AtomicLong();
    private final java.util.Map<Long, Job> jobs = new java.util.concurrent.ConcurrentHashMap<>();
    private volatile HttpEndpoint http;
    private volatile boolean closed;

    private ArrayService(Path socket, ArrayStore store, InterpreterPool pool, ServerSocketChannel server, UserPrincipal owner,
                         ScriptRunner scripts) {
        this.socket = socket;
        this.store = store;
        this.pool = pool;
        this.server = server;
        this.owner = owner;
        this.scripts = scripts;
        this.acceptor = Thread.ofPlatform().name("tessera-service-accept").daemon(true).unstarted(this::acceptLoop);
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
    public static ArrayService start(Path socket, ArrayStore store, InterpreterPool pool) throws IOException {
        return start(socket, store, pool, null, null);
    }

    /**
     * As {@link #start(Path, ArrayStore, InterpreterPool)}, and runs scripts for {@code tessera run} clients in main
     * interpreters on {@code scriptRuntime} (one kept warm), each with its own store of at most
     * {@code scriptMaxBytes} (null: no limit).
     */
    public static ArrayService start(Path socket, ArrayStore store, InterpreterPool pool, PythonRuntime scriptRuntime,
                                     Long scriptMaxBytes) throws IOException {
        Path dir = socket.toAbsolutePath().getParent();
        Files.createDirectories(dir, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
        String perms = PosixFilePermissions.toString(Files.getPosixFilePermissions(dir));
        if (!perms.equals("rwx------")) {
            throw new IOException("the socket's directory " + dir + " has mode " + perms + "; it must be rwx------ "
                    + "(only its user may enter it)");
        }
        if (Files.exists(socket)) {
            if (isLive(socket)) {
                throw new IOException("a service is already listening on " + socket);
            }
            Files.delete(socket); // left by a service that died
        }
        ServerSocketChannel server = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
        server.bind(UnixDomainSocketAddress.of(socket));
        Files.setPosixFilePermissions(socket, PosixFilePermissions.fromString("rw-------"));
        UserPrincipal owner = Files.getOwner(socket); // this process's user: the only one served
        ScriptRunner scripts = scriptRuntime == null ? null : new ScriptRunner(scriptRuntime, scriptMaxBytes);
        ArrayService service = new ArrayService(socket, store, pool, server, owner, scripts);
        service.acceptor.start();
        return service;
    }

    private static boolean isLive(Path socket) {
        try (SocketChannel probe = SocketChannel.open(UnixDomainSocketAddress.of(socket))) {
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    public Path socket() {
        return socket;
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
        return socket.toAbsolutePath().getParent().resolve("http.json");
    }

    private void acceptLoop() {
        while (!closed) {
            try {
                SocketChannel client = server.accept();
                Thread.ofVirtual().name("tessera-service-client").start(() -> {
                    if (peerIsOwner(client)) {
                        serve(client);
                    }
                });
            } catch (IOException e) {
                if (!closed) {
                    System.err.println("tessera serve: accept failed: " + e.getMessage());
                }
            }
        }
    }

    /**
     * Only processes of the service's own user are served, whatever the socket's permissions were changed to: a
     * client maps arrays and runs code as that user. Another is told why and disconnected.
     */
    private boolean peerIsOwner(SocketChannel client) {
        try {
            UnixDomainPrincipal peer = client.getOption(ExtendedSocketOptions.SO_PEERCRED);
            if (peer.user().equals(owner)) {
                return true;
            }
            client.write(ByteBuffer.wrap(reply(error("PermissionError", "this service serves user " + owner.getName()
                    + " only; " + peer.user().getName() + " may not use it"))));
        } catch (IOException | UnsupportedOperationException e) {
            // no credentials to check: refused
        }
        try {
            client.close();
        } catch (IOException ignored) {
            // gone anyway
        }
        return false;
    }

    private void serve(SocketChannel client) {
        try (client; var out = Channels.newOutputStream(client)) {
            LineReader in = new LineReader(client);
            while (true) {
                String line;
                try {
                    line = in.next();
                } catch (IllegalArgumentException tooLong) {
                    out.write(reply(error("ValueError", tooLong.getMessage())));
                    return;
                }
                if (line == null) {
                    return; // the client went away; what it mapped stays valid for it until it unmaps
                }
                if (line.isBlank()) {
                    continue;
                }
                JsonObject request;
                try {
                    JsonElement parsed = JsonParser.parseString(line);
                    if (!parsed.isJsonObject()) {
                        throw new IllegalArgumentException("a request is one JSON object per line");
                    }
                    request = parsed.getAsJsonObject();
                } catch (RuntimeException e) {
                    out.write(reply(error("ValueError", "malformed request: " + firstLine(e.getMessage()))));
                    return;
                }
                String op = request.has("op") && request.get("op").isJsonPrimitive() ? request.get("op").getAsString() : "";
                if (op.equals("run") || op.equals("example")) {
                    runScript(request, client, out);
                    return; // a run uses its connection to the end
                }
                JsonObject response = handle(request);
                if (response.get("ok").getAsBoolean() && (op.equals("create") || op.equals("attach"))) {
                    sendWithDescriptor(client, out, response);
                } else {
                    out.write(reply(response));
                }
            }
        } catch (IOException e) {
            // the client closed its end mid-reply: nothing to tell it
        }
    }

    /**
     * A description goes with a descriptor of the array's memory (SCM_RIGHTS) when this JVM can pass one; the client
     * maps what it receives, or opens the description's path when nothing came.
     */
    private void sendWithDescriptor(SocketChannel client, java.io.OutputStream out, JsonObject description) throws IOException {
        byte[] bytes = reply(description);
        int socketFd = DescriptorPassing.descriptorOf(client);
        java.util.Optional<SharedArray> array = socketFd < 0 ? java.util.Optional.empty()
                : store.get(description.get("name").getAsString());
        long sent = -1;
        if (array.isPresent()) { // sent without blocking, while the array cannot be released
            sent = store.withDescriptor(array.get(), fd -> DescriptorPassing.send(socketFd, bytes, fd)).orElse(-1);
        }
        if (sent < bytes.length) {
            out.write(bytes, (int) Math.max(sent, 0), bytes.length - (int) Math.max(sent, 0));
        }
    }

    /**
     * {@code run script args cwd}: the script runs in a warm main interpreter ({@code example args cwd}: {@code tessera
     * example ARGS} on the warm engine); the reply is a JSON line, then frames
     * of one byte (1 stdout, 2 stderr, 3 exit), a 4-byte big-endian length and the bytes (the exit frame's are the
     * status, 4 bytes). The client closing the connection stops the script.
     */
    private void runScript(JsonObject r, SocketChannel client, java.io.OutputStream out) throws IOException {
        Path script = null;
        Path cwd;
        boolean example = "example".equals(string(r, "op"));
        List<String> args = new ArrayList<>();
        try {
            if (scripts == null) {
                throw new IllegalStateException("this service runs no scripts");
            }
            cwd = Path.of(string(r, "cwd"));
            if (!example) {
                script = Path.of(string(r, "script"));
                if (!script.isAbsolute() || !Files.isRegularFile(script)) {
                    throw new IllegalArgumentException("no such script: " + script + " (an absolute path is required)");
                }
            }
            if (!cwd.isAbsolute() || !Files.isDirectory(cwd)) {
                throw new IllegalArgumentException("no such directory: " + cwd);
            }
            if (r.has("args")) {
                for (JsonElement a : r.getAsJsonArray("args")) {
                    args.add(a.getAsString());
                }
            }
        } catch (RuntimeException e) {
            out.write(reply(error(dev.tessera.buffer.graalpy.PythonErrors.builtinTypeName(e), String.valueOf(e.getMessage()))));
            return;
        }
        out.write(reply(ok().apply("running", true).json));
        RunFrames frames = new RunFrames(out, client);
        ScriptRunner.Running running;
        try {
            running = example ? scripts.startExample(args, cwd, frames) : scripts.start(script, args, cwd, frames);
        } catch (RuntimeException e) {
            frames.err().write(("tessera: the service could not start the script: " + e.getMessage() + "\n").getBytes(StandardCharsets.UTF_8));
            frames.exit(2);
            return;
        }
        ByteBuffer ignored = ByteBuffer.allocate(256);
        try {
            while (client.read(ignored) >= 0) { // the client sends nothing; its end of file means it went away
                ignored.clear();
            }
        } catch (IOException closedAtExit) {
            // the exit frame was sent and the connection closed
        }
        if (!frames.exited()) {
            running.cancel();
        }
    }

    private static byte[] reply(JsonObject o) {
        return (o + "\n").getBytes(StandardCharsets.UTF_8);
    }

    JsonObject handle(JsonObject r) {
        try {
            String op = string(r, "op");
            return switch (op) {
                case "hello" -> ok().apply("pid", ProcessHandle.current().pid()).apply("protocol", PROTOCOL)
                        .apply("descriptors", DescriptorPassing.isAvailable()).apply("scripts", scripts != null).json;
                case "create" -> describe(store.allocateShareable(string(r, "name"), DType.parse(string(r, "dtype")), shape(r)));
                case "attach", "describe" -> describe(array(string(r, "name")));
                case "list" -> {
                    JsonArray arrays = new JsonArray();
                    for (SharedArray a : store.liveArrays()) {
                        if (store.descriptorOf(a).isPresent()) {
                            arrays.add(describe(a));
                        }
                    }
                    JsonObject o = ok().json;
                    o.add("arrays", arrays);
                    yield o;
                }
                case "release" -> {
                    array(string(r, "name")).close();
                    yield ok().json;
                }
                case "submit" -> submit(r);
                case "map" -> map(r);
                case "job" -> {
                    Job job = job(r);
                    if (r.has("wait") && !r.get("wait").isJsonNull()) {
                        try {
                            job.await(r.get("wait").getAsDouble());
                        } catch (InterruptedException e) {
                            Thread.currentThread().interrupt();
                        }
                    }
                    yield jobStatus(job);
                }
                case "cancel" -> {
                    Job job = job(r);
                    job.stop(Job.State.CANCELLED);
                    yield jobStatus(job);
                }
                case "metrics" -> ok().apply("bytes_in_use", store.bytesInUse()).apply("arrays", store.liveArrays().size())
                        .apply("workers", pool.workerCount()).apply("tasks_completed", pool.completedTasks())
                        .apply("tasks_failed", pool.failedTasks()).apply("queued", pool.queuedTasks())
                        .apply("scripts_started", scripts == null ? 0 : scripts.scriptsStarted())
                        .apply("scripts_running", scripts == null ? 0 : scripts.scriptsRunning()).json;
                default -> throw new IllegalArgumentException("unknown op '" + op + "' (hello, create, attach, describe, "
                        + "list, release, submit, map, job, cancel, metrics, run)");
            };
        } catch (RuntimeException e) { // the Python type a CPython caller expects for it (IndexError, BufferError...)
            return error(dev.tessera.buffer.graalpy.PythonErrors.builtinTypeName(e),
                    e.getMessage() != null ? e.getMessage() : e.toString());
        }
    }

    /** {@code submit}: {@code function(*args)} in one task. */
    private JsonObject submit(JsonObject r) {
        String module = string(r, "module");
        String function = string(r, "function");
        JsonArray args = r.has("args") ? r.getAsJsonArray("args") : new JsonArray();
        List<dev.tessera.shm.ArrayView> views = new ArrayList<>();
        try {
            List<Object> values = new ArrayList<>();
            for (JsonElement a : args) {
                values.add(collectViews(argument(a), views));
            }
            return startJob(r, true, List.of(pool.submit(module, function, values.toArray())), views);
        } catch (RuntimeException e) {
            views.forEach(dev.tessera.shm.ArrayView::release); // a view no task got must not keep its lease
            throw e;
        }
    }

    /**
     * {@code map}: the array's rows cut into {@code parts} (default: one per worker), {@code function(view, start,
     * *args)} for each part in its own task; the result is the list of the parts' results.
     */
    private JsonObject map(JsonObject r) {
        String module = string(r, "module");
        String function = string(r, "function");
        SharedArray array = array(string(r, "array"));
        long rows = array.length();
        long parts = r.has("parts") && !r.get("parts").isJsonNull() ? r.get("parts").getAsLong() : pool.workerCount();
        if (parts < 1 || parts > 1_000_000) {
            throw new IllegalArgumentException("'parts' must be between 1 and 1000000, not " + parts);
        }
        parts = Math.max(1, Math.min(parts, rows));
        boolean readonly = r.has("readonly") && r.get("readonly").getAsBoolean();
        List<Object> extra = new ArrayList<>();
        for (JsonElement a : r.has("args") ? r.getAsJsonArray("args") : new JsonArray()) {
            if (a.isJsonObject()) {
                throw new IllegalArgumentException("map's extra arguments are plain values; the views are its parts");
            }
            extra.add(argument(a));
        }
        List<dev.tessera.shm.ArrayView> views = new ArrayList<>();
        List<TaskFuture> tasks = new ArrayList<>();
        try {
            for (long i = 0; i < parts; i++) {
                long start = rows * i / parts;
                long stop = rows * (i + 1) / parts;
                dev.tessera.shm.ArrayView view = readonly ? array.readOnly(start, stop) : array.slice(start, stop);
                views.add(view);
                List<Object> values = new ArrayList<>(List.of(view, start));
                values.addAll(extra);
                tasks.add(pool.submit(module, function, values.toArray()));
            }
        } catch (RuntimeException e) {
            tasks.forEach(t -> t.cancel(true));
            views.forEach(dev.tessera.shm.ArrayView::release);
            throw e;
        }
        return startJob(r, false, tasks, views);
    }

    private static Object collectViews(Object v, List<dev.tessera.shm.ArrayView> views) {
        if (v instanceof dev.tessera.shm.ArrayView view) {
            views.add(view);
        } else if (v instanceof List<?> items) {
            items.forEach(i -> collectViews(i, views));
        }
        return v;
    }

    /**
     * Registers the job; with {@code wait} (the default) answers when it ends (its result, or its failure as an
     * error with the worker's traceback; past {@code timeout} it is stopped), otherwise at once with its id.
     */
    private JsonObject startJob(JsonObject r, boolean oneTask, List<TaskFuture> tasks, List<dev.tessera.shm.ArrayView> views) {
        double timeout = r.has("timeout") && !r.get("timeout").isJsonNull() ? r.get("timeout").getAsDouble() : 0;
        if (timeout < 0 || Double.isNaN(timeout)) {
            throw new IllegalArgumentException("'timeout' must be a positive number of seconds");
        }
        Job job = new Job(nextJob.incrementAndGet(), oneTask, tasks, views, timeout);
        jobs.put(job.id, job);
        forgetOldJobs();
        boolean wait = !r.has("wait") || r.get("wait").getAsBoolean();
        if (!wait) {
            return jobStatus(job);
        }
        try {
            job.await(Double.MAX_VALUE);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            job.stop(Job.State.CANCELLED);
            return error("RuntimeError", "the service is stopping");
        }
        jobs.remove(job.id); // its caller has the outcome
        return switch (job.state()) {
            case DONE -> {
                JsonObject o = ok().json;
                o.add("result", jobResult(job));
                yield o;
            }
            default -> jobError(job);
        };
    }

    private JsonElement jobResult(Job job) {
        List<Object> results = job.results();
        return job.oneTask ? toJson(results.get(0)) : toJson(results);
    }

    private JsonObject jobError(Job job) {
        return switch (job.state()) {
            case TIMED_OUT -> error("TimeoutError", "the job ran past its timeout and was stopped");
            case CANCELLED -> error("CancelledError", "the job was cancelled");
            default -> {
                String[] f = Job.describe(job.failure());
                JsonObject o = error(f[0], f[1]);
                o.addProperty("traceback", f[2]);
                yield o;
            }
        };
    }

    /** {@code job}: its state, parts done of parts, and once ended its result or error. */
    private JsonObject jobStatus(Job job) {
        JsonObject o = ok().apply("job", job.id).apply("state", job.state().name().toLowerCase(java.util.Locale.ROOT))
                .apply("done", job.partsDone()).apply("parts", job.parts()).apply("ended", job.ended()).json;
        if (job.ended()) {
            if (job.state() == Job.State.DONE) {
                o.add("result", jobResult(job));
            } else {
                JsonObject e = jobError(job);
                o.add("error", e.get("error"));
                o.add("message", e.get("message"));
                if (e.has("traceback")) {
                    o.add("traceback", e.get("traceback"));
                }
            }
        }
        return o;
    }

    private Job job(JsonObject r) {
        JsonElement id = r.get("job");
        if (id == null || !id.isJsonPrimitive() || !id.getAsJsonPrimitive().isNumber()) {
            throw new IllegalArgumentException("'job' must be a job's id");
        }
        Job job = jobs.get(id.getAsLong());
        if (job == null) {
            throw new IllegalArgumentException("no job " + id + " (never started, or ended and forgotten)");
        }
        return job;
    }

    /** Ended jobs are kept for their clients to read, up to {@link #KEPT_JOBS}; the oldest go first. */
    private void forgetOldJobs() {
        if (jobs.size() > KEPT_JOBS) {
            jobs.values().stream().filter(Job::ended).map(j -> j.id).sorted().limit(jobs.size() - KEPT_JOBS)
                    .forEach(jobs::remove);
        }
    }

    private Object argument(JsonElement a) {
        if (a.isJsonObject()) {
            JsonObject o = a.getAsJsonObject();
            SharedArray array = array(string(o, "array"));
            long start = o.has("start") ? o.get("start").getAsLong() : 0;
            long stop = o.has("stop") ? o.get("stop").getAsLong() : array.length();
            return o.has("readonly") && o.get("readonly").getAsBoolean() ? array.readOnly(start, stop) : array.slice(start, stop);
        }
        if (a.isJsonArray()) {
            List<Object> items = new ArrayList<>();
            for (JsonElement e : a.getAsJsonArray()) {
                items.add(argument(e));
            }
            return items;
        }
        if (a.isJsonNull()) {
            return null;
        }
        JsonPrimitive p = a.getAsJsonPrimitive();
        if (p.isBoolean()) {
            return p.getAsBoolean();
        }
        if (p.isString()) {
            return p.getAsString();
        }
        String n = p.getAsString();
        if (n.contains(".") || n.contains("e") || n.contains("E")) {
            return p.getAsDouble();
        }
        java.math.BigInteger big = p.getAsBigInteger();
        return big.bitLength() < 64 ? (Object) big.longValue() : big;
    }

    private static JsonElement toJson(Object v) {
        if (v == null) {
            return com.google.gson.JsonNull.INSTANCE;
        }
        if (v instanceof Boolean b) {
            return new JsonPrimitive(b);
        }
        if (v instanceof Number n) {
            if (v instanceof Double d && (d.isNaN() || d.isInfinite())) {
                return new JsonPrimitive(d.toString()); // JSON has no NaN: sent as its name
            }
            return new JsonPrimitive(n);
        }
        if (v instanceof byte[] b) {
            return new JsonPrimitive(java.util.Base64.getEncoder().encodeToString(b));
        }
        if (v instanceof List<?> list) {
            JsonArray arr = new JsonArray();
            for (Object item : list) {
                arr.add(toJson(item));
            }
            return arr;
        }
        return new JsonPrimitive(v.toString());
    }

    private JsonObject describe(SharedArray a) {
        int fd = store.descriptorOf(a).orElseThrow(() -> new IllegalArgumentException("array '" + a.name() + "' is not shareable"));
        JsonObject o = ok().apply("name", a.name()).apply("dtype", a.dtype().typeName()).apply("bytes", a.byteSize())
                .apply("path", "/proc/" + ProcessHandle.current().pid() + "/fd/" + fd).json;
        JsonArray shape = new JsonArray();
        for (long d : a.shape()) {
            shape.add(d);
        }
        o.add("shape", shape);
        return o;
    }

    private SharedArray array(String name) {
        return store.get(name).filter(a -> store.descriptorOf(a).isPresent())
                .orElseThrow(() -> new IllegalArgumentException("no array named '" + name + "' (released, or never created)"));
    }

    private static long[] shape(JsonObject r) {
        JsonElement s = r.get("shape");
        if (s == null || s.isJsonNull()) {
            throw new IllegalArgumentException("'shape' is required: a list of non-negative ints");
        }
        if (s.isJsonPrimitive()) {
            return new long[] {s.getAsLong()};
        }
        JsonArray a = s.getAsJsonArray();
        long[] shape = new long[a.size()];
        for (int i = 0; i < shape.length; i++) {
            shape[i] = a.get(i).getAsLong();
        }
        return shape;
    }

    private static String string(JsonObject r, String field) {
        JsonElement e = r.get(field);
        if (e == null || !e.isJsonPrimitive() || !e.getAsJsonPrimitive().isString()) {
            throw new IllegalArgumentException("'" + field + "' must be a string");
        }
        return e.getAsString();
    }

    private static String firstLine(String s) {
        return s == null ? "" : s.lines().findFirst().orElse("");
    }

    private static Reply ok() {
        Reply r = new Reply(new JsonObject());
        r.json.addProperty("ok", true);
        return r;
    }

    static JsonObject error(String type, String message) {
        JsonObject o = new JsonObject();
        o.addProperty("ok", false);
        o.addProperty("error", type);
        o.addProperty("message", message == null ? "" : message);
        return o;
    }

    private record Reply(JsonObject json) {
        Reply apply(String k, Object v) {
            if (v instanceof Number n) {
                json.addProperty(k, n);
            } else if (v instanceof Boolean b) {
                json.addProperty(k, b);
            } else {
                json.addProperty(k, String.valueOf(v));
            }
            return this;
        }
    }

    /** Lines of at most MAX_REQUEST_BYTES from a channel, UTF-8. */
    private static final class LineReader {
        private final SocketChannel channel;
        private final ByteBuffer buffer = ByteBuffer.allocate(64 * 1024);
        private final java.io.ByteArrayOutputStream line = new java.io.ByteArrayOutputStream();

        LineReader(SocketChannel channel) {
            this.channel = channel;
            buffer.flip();
        }

        String next() throws IOException {
            line.reset();
            while (true) {
                while (buffer.hasRemaining()) {
                    byte b = buffer.get();
                    if (b == '\n') {
                        return line.toString(StandardCharsets.UTF_8);
                    }
                    if (line.size() >= MAX_REQUEST_BYTES) {
                        throw new IllegalArgumentException("request longer than " + MAX_REQUEST_BYTES + " bytes refused");
                    }
                    line.write(b);
                }
                buffer.clear();
                int n = channel.read(buffer);
                buffer.flip();
                if (n < 0) {
                    return null;
                }
            }
        }
    }

    @Override
    public void close() {
        closed = true;
        if (scripts != null) {
            scripts.close();
        }
        if (http != null) {
            http.close();
        }
        try {
            server.close();
        } catch (IOException ignored) {
            // closing anyway
        }
        try {
            Files.deleteIfExists(socket);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
