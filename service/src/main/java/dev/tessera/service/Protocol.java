package dev.tessera.service;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonNull;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import com.google.gson.JsonPrimitive;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Locale;

/**
 * The service's wire protocol, written once: the ops, the fields of requests and replies, the limits, and the JSON
 * codec for both. Control is one JSON object per line each way (over the Unix socket; one per {@code POST} over
 * HTTP). A reply is {@code {"ok": true, ...}} with the fields named under each op, or {@code {"ok": false, "error":
 * TYPE, "message": TEXT}} (plus {@code traceback} for a failed job), {@code TYPE} being the Python exception a CPython
 * caller expects (ValueError, IndexError, BufferError...).
 *
 * <p>A {@code run} or {@code example} connection continues, after its reply line, as frames of one kind byte
 * ({@link Frame}), a 4-byte big-endian length and that many bytes; the exit frame's bytes are the status (4 bytes,
 * big-endian). {@code hello} tells the client the frame kinds, so that they are named here only.
 */
final class Protocol {
    /** Raised when a change would break a client of the last version; the client checks it in {@code hello}. */
    static final int VERSION = 3;
    /** A request line or body longer than this is refused and its connection closed. */
    static final int MAX_REQUEST_BYTES = 1 << 20;

    private Protocol() {
    }

    /** The requests, by their {@code op}. */
    enum Op {
        /**
         * → {@code pid, protocol, descriptors} (whether descriptors are passed), {@code scripts} (whether it runs
         * them), {@code frames} (each {@link Frame}'s kind byte by its name).
         */
        HELLO,
        /**
         * {@code name shape dtype} → the new array's description: {@code name, shape, dtype, format} (its struct
         * character), {@code bytes, path} ({@code /proc/PID/fd/N}, which a process of the same user may open).
         */
        CREATE,
        /** {@code name} → the array's description, with its descriptor when the socket can pass one. */
        ATTACH,
        /** {@code name} → the array's description. */
        DESCRIBE,
        /** → {@code arrays}: every array's description. */
        LIST,
        /** {@code name}: frees the array once every client has unmapped it. */
        RELEASE,
        /**
         * {@code module function args [timeout] [wait]}: {@code function(*args)} in a worker → {@code result}; with
         * {@code wait: false} → the job's status at once. An argument {@code {"array", "start", "stop", "readonly"}}
         * arrives as a memoryview over those rows (a writable one holds a lease for the task); other arguments are
         * JSON numbers, strings, booleans, null and lists (as tuples).
         */
        SUBMIT,
        /**
         * {@code module function array [parts | ranges] [readonly] [args] [timeout] [wait]}: the array's rows cut into
         * parts (default one per worker; or {@code ranges}, a list of [start, stop]), {@code function(view, start,
         * *args)} per part in parallel → {@code result}, the parts' results in order. Every part runs even when others
         * fail; a failed map's error is the first failed part's, with {@code outcomes}: per part {@code start, stop}
         * and its {@code result}, or its {@code error, message, traceback}.
         */
        MAP,
        /** {@code job [wait]} → the job's status: {@code state, done, parts, ended}, then its result or error. */
        JOB,
        /** {@code job} → the job's status once its parts not yet done were stopped. */
        CANCEL,
        /** → bytes in use, arrays, tasks completed/failed/queued, workers, scripts started/running. */
        METRICS,
        /** {@code script args cwd}: the script in a warm main interpreter; the connection becomes the run's frames. */
        RUN,
        /** {@code args cwd}: {@code tessera example ARGS} on the warm engine; frames as for {@link #RUN}. */
        EXAMPLE;

        /** The op's name on the wire. */
        String wire() {
            return name().toLowerCase(Locale.ROOT);
        }

        /** The op a request names; {@code IllegalArgumentException} naming them all otherwise. */
        static Op of(JsonObject request) {
            String op = string(request, OP);
            for (Op o : values()) {
                if (o.wire().equals(op)) {
                    return o;
                }
            }
            List<String> names = new ArrayList<>();
            for (Op o : values()) {
                names.add(o.wire());
            }
            throw new IllegalArgumentException("unknown op '" + op + "' (" + String.join(", ", names) + ")");
        }

        /** Whether the op takes over its connection (the Unix socket's only). */
        boolean streams() {
            return this == RUN || this == EXAMPLE;
        }
    }

    /** The kinds of frame a run's connection carries after its reply line. */
    enum Frame {
        // 1-3 go to the client; STDIN and STDIN_END come from it: its standard input, and that input's end
        STDOUT(1), STDERR(2), EXIT(3), STDIN(4), STDIN_END(5);

        final int kind;

        Frame(int kind) {
            this.kind = kind;
        }

        /** {@code {"stdout": 1, "stderr": 2, "exit": 3, "stdin": 4, "stdin_end": 5}}: what {@code hello} tells clients. */
        static JsonObject table() {
            JsonObject o = new JsonObject();
            for (Frame f : values()) {
                o.addProperty(f.name().toLowerCase(Locale.ROOT), f.kind);
            }
            return o;
        }
    }

    // ---- fields (requests and replies) ----------------------------------------------------------------------------

    static final String OP = "op";
    static final String OK = "ok";
    static final String ERROR = "error";
    static final String MESSAGE = "message";
    static final String TRACEBACK = "traceback";
    static final String NAME = "name";
    static final String SHAPE = "shape";
    static final String DTYPE = "dtype";
    static final String BYTES = "bytes";
    static final String PATH = "path";
    static final String ARRAY = "array";
    static final String START = "start";
    static final String STOP = "stop";
    static final String READONLY = "readonly";
    static final String MODULE = "module";
    static final String FUNCTION = "function";
    static final String ARGS = "args";
    static final String PARTS = "parts";
    static final String RANGES = "ranges";
    static final String OUTCOMES = "outcomes";
    static final String FORMAT = "format";
    static final String FRAMES = "frames";
    static final String TIMEOUT = "timeout";
    static final String WAIT = "wait";
    static final String RESULT = "result";
    static final String JOB = "job";
    static final String SCRIPT = "script";
    static final String CWD = "cwd";
    /** In a run request: true when the client forwards its standard input (stdin frames), else the script reads none. */
    static final String STDIN = "stdin";
    static final String PID = "pid";
    static final String PROTOCOL = "protocol";
    static final String DESCRIPTORS = "descriptors";
    static final String SCRIPTS = "scripts";
    static final String ARRAYS = "arrays";
    static final String RUNNING = "running";
    static final String STATE = "state";
    static final String DONE = "done";
    static final String ENDED = "ended";

    // ---- reading requests -------------------------------------------------------------------------------------

    /** One request: a JSON object; {@code IllegalArgumentException("malformed request: ...")} otherwise. */
    static JsonObject parse(String text) {
        try {
            JsonElement parsed = JsonParser.parseString(text);
            if (!parsed.isJsonObject()) {
                throw new IllegalArgumentException("a request is one JSON object");
            }
            return parsed.getAsJsonObject();
        } catch (RuntimeException e) {
            throw new IllegalArgumentException("malformed request: " + firstLine(e.getMessage()));
        }
    }

    /** Whether a request names one of the ops that take over a connection, without judging the rest of it. */
    static boolean streams(JsonObject request) {
        JsonElement op = request.get(OP);
        return op != null && op.isJsonPrimitive() && (op.getAsString().equals(Op.RUN.wire()) || op.getAsString().equals(Op.EXAMPLE.wire()));
    }

    static String string(JsonObject r, String field) {
        JsonElement e = r.get(field);
        if (e == null || !e.isJsonPrimitive() || !e.getAsJsonPrimitive().isString()) {
            throw new IllegalArgumentException("'" + field + "' must be a string");
        }
        return e.getAsString();
    }

    static boolean has(JsonObject r, String field) {
        return r.has(field) && !r.get(field).isJsonNull();
    }

    static boolean flag(JsonObject r, String field, boolean ifAbsent) {
        return has(r, field) ? r.get(field).getAsBoolean() : ifAbsent;
    }

    static JsonArray list(JsonObject r, String field) {
        return has(r, field) ? r.getAsJsonArray(field) : new JsonArray();
    }

    /** An array's shape: a list of non-negative ints, or one int. */
    static long[] shape(JsonObject r) {
        JsonElement s = r.get(SHAPE);
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

    /** A plain argument value: null, a boolean, a string, an int (any size), a float, or a list of these. */
    static Object value(JsonElement a) {
        if (a.isJsonArray()) {
            List<Object> items = new ArrayList<>();
            for (JsonElement e : a.getAsJsonArray()) {
                items.add(value(e));
            }
            return items;
        }
        if (a.isJsonNull()) {
            return null;
        }
        if (a.isJsonObject()) {
            throw new IllegalArgumentException("an object is not a plain value");
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
        BigInteger big = p.getAsBigInteger();
        return big.bitLength() < 64 ? (Object) big.longValue() : big;
    }

    // ---- writing replies --------------------------------------------------------------------------------------

    /** A task's result as JSON: lists for tuples, NaN and infinities by name, bytes in base64. */
    static JsonElement toJson(Object v) {
        if (v == null) {
            return JsonNull.INSTANCE;
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
            return new JsonPrimitive(Base64.getEncoder().encodeToString(b));
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

    /** {@code {"ok": true}}, to add fields to. */
    static Reply ok() {
        Reply r = new Reply(new JsonObject());
        r.json.addProperty(OK, true);
        return r;
    }

    /** {@code {"ok": false, "error": type, "message": message}}. */
    static JsonObject error(String type, String message) {
        JsonObject o = new JsonObject();
        o.addProperty(OK, false);
        o.addProperty(ERROR, type);
        o.addProperty(MESSAGE, message == null ? "" : message);
        return o;
    }

    /** One reply line, UTF-8. */
    static byte[] line(JsonObject reply) {
        return (reply + "\n").getBytes(StandardCharsets.UTF_8);
    }

    /** A reply being built. */
    record Reply(JsonObject json) {
        Reply with(String field, Object v) {
            if (v instanceof Number n) {
                json.addProperty(field, n);
            } else if (v instanceof Boolean b) {
                json.addProperty(field, b);
            } else if (v instanceof JsonElement e) {
                json.add(field, e);
            } else {
                json.addProperty(field, String.valueOf(v));
            }
            return this;
        }
    }

    static String firstLine(String s) {
        return s == null ? "" : s.lines().findFirst().orElse("");
    }
}
