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
import dev.tessera.workers.WorkerException;
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
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * {@code tessera serve}: named arrays in anonymous shared memory that local processes map zero-copy, and jobs that
 * run a module function in the worker pool over views of those arrays. Control is a Unix domain socket in a
 * directory only its user can enter (mode 0700; the socket 0600), one JSON object per line each way.
 *
 * <p>Requests ({@code op} and its fields) and replies ({@code ok: true} and the fields named here, or {@code ok:
 * false, error, message}):
 * <ul>
 * <li>{@code hello} → {@code pid, protocol}
 * <li>{@code create name shape dtype} → the array's description; {@code attach name}, {@code describe name} → the
 *     same. A description is {@code name, shape, dtype, bytes, path}: {@code path} is {@code /proc/PID/fd/N}, which
 *     a process of the same user opens and maps to see the array's pages (no file is named anywhere).
 * <li>{@code list} → {@code arrays}; {@code release name} frees the array once every client has unmapped it.
 * <li>{@code submit module function args [timeout]}: {@code function(*args)} in a worker; an argument
 *     {@code {"array": name, "start", "stop", "readonly"}} arrives as a memoryview over those rows (writable views
 *     hold a lease for the task); other arguments are JSON numbers, strings, booleans, null and lists (as tuples).
 *     → {@code result}; a task's exception → {@code error} (its Python type), {@code message}, {@code traceback}.
 * <li>{@code metrics} → bytes in use, arrays, tasks submitted/completed/failed, workers.
 * </ul>
 * A line longer than {@link #MAX_REQUEST_BYTES} or that is not a JSON object is refused, and the connection closed.
 */
public final class ArrayService implements AutoCloseable {
    public static final int PROTOCOL = 2;
    static final int MAX_REQUEST_BYTES = 1 << 20;

    private final Path socket;
    private final ArrayStore store;
    private final InterpreterPool pool;
    private final ServerSocketChannel server;
    private final UserPrincipal owner;
    private final ScriptRunner scripts;
    private final Thread acceptor;
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
                if (request.has("op") && request.get("op").isJsonPrimitive() && "run".equals(request.get("op").getAsString())) {
                    runScript(request, client, out);
                    return; // a run uses its connection to the end
                }
                JsonObject response = handle(request);
                if (response.get("ok").getAsBoolean() && response.has("path") && response.has("name")) {
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
        java.util.OptionalInt dup = socketFd < 0 ? java.util.OptionalInt.empty()
                : store.get(description.get("name").getAsString()).map(store::duplicateDescriptor).orElse(java.util.OptionalInt.empty());
        long sent = -1;
        if (dup.isPresent()) {
            try {
                sent = DescriptorPassing.send(socketFd, bytes, dup.getAsInt());
            } finally {
                DescriptorPassing.close(dup.getAsInt()); // the client holds its own copy now
            }
        }
        if (sent < bytes.length) {
            out.write(bytes, (int) Math.max(sent, 0), bytes.length - (int) Math.max(sent, 0));
        }
    }

    /**
     * {@code run script args cwd}: the script runs in a warm main interpreter; the reply is a JSON line, then frames
     * of one byte (1 stdout, 2 stderr, 3 exit), a 4-byte big-endian length and the bytes (the exit frame's are the
     * status, 4 bytes). The client closing the connection stops the script.
     */
    private void runScript(JsonObject r, SocketChannel client, java.io.OutputStream out) throws IOException {
        Path script;
        Path cwd;
        List<String> args = new ArrayList<>();
        try {
            if (scripts == null) {
                throw new IllegalStateException("this service runs no scripts");
            }
            script = Path.of(string(r, "script"));
            cwd = Path.of(string(r, "cwd"));
            if (!script.isAbsolute() || !Files.isRegularFile(script)) {
                throw new IllegalArgumentException("no such script: " + script + " (an absolute path is required)");
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
            running = scripts.start(script, args, cwd, frames);
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
                case "metrics" -> ok().apply("bytes_in_use", store.bytesInUse()).apply("arrays", store.liveArrays().size())
                        .apply("workers", pool.workerCount()).apply("tasks_completed", pool.completedTasks())
                        .apply("tasks_failed", pool.failedTasks()).apply("queued", pool.queuedTasks())
                        .apply("scripts_started", scripts == null ? 0 : scripts.scriptsStarted())
                        .apply("scripts_running", scripts == null ? 0 : scripts.scriptsRunning()).json;
                default -> throw new IllegalArgumentException("unknown op '" + op + "' (hello, create, attach, describe, "
                        + "list, release, submit, metrics)");
            };
        } catch (RuntimeException e) { // the Python type a CPython caller expects for it (IndexError, BufferError...)
            return error(dev.tessera.buffer.graalpy.PythonErrors.builtinTypeName(e),
                    e.getMessage() != null ? e.getMessage() : e.toString());
        }
    }

    private JsonObject submit(JsonObject r) {
        JsonArray args = r.has("args") ? r.getAsJsonArray("args") : new JsonArray();
        List<Object> values = new ArrayList<>();
        List<dev.tessera.shm.ArrayView> views = new ArrayList<>();
        try {
            for (JsonElement a : args) {
                Object v = argument(a);
                if (v instanceof dev.tessera.shm.ArrayView view) {
                    views.add(view);
                }
                values.add(v);
            }
            double timeout = r.has("timeout") && !r.get("timeout").isJsonNull() ? r.get("timeout").getAsDouble() : 3600;
            TaskFuture f = pool.submit(string(r, "module"), string(r, "function"), values.toArray());
            Object result;
            try {
                result = f.get((long) (timeout * 1e9), TimeUnit.NANOSECONDS);
            } catch (TimeoutException e) {
                f.cancel(true);
                return error("TimeoutError", "the job ran past its timeout of " + timeout + " s and was stopped");
            } catch (ExecutionException e) {
                Throwable c = e.getCause();
                if (c instanceof WorkerException w) {
                    JsonObject o = error(w.pythonType(), w.pythonMessage());
                    o.addProperty("traceback", w.traceback());
                    return o;
                }
                return error(c.getClass().getSimpleName(), String.valueOf(c.getMessage()));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return error("RuntimeError", "the service is stopping");
            }
            JsonObject o = ok().json;
            o.add("result", toJson(result));
            return o;
        } finally {
            for (dev.tessera.shm.ArrayView v : views) {
                v.release(); // a view the task never got (a refused submit) must not keep its lease
            }
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

    private static JsonObject error(String type, String message) {
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
