package dev.tessera.service;

import static dev.tessera.service.Protocol.*;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import dev.tessera.buffer.values.Shareables;
import dev.tessera.buffer.values.Tuple;
import dev.tessera.shm.ArrayStore;
import dev.tessera.shm.ArrayView;
import dev.tessera.shm.SharedArray;
import dev.tessera.workers.InterpreterPool;
import dev.tessera.workers.RowMap;
import dev.tessera.workers.TaskTarget;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The service's jobs: {@code submit} (one task) and {@code map} (one task per part of an array's rows) start them,
 * {@code job} and {@code cancel} follow them. A job that is waited for is answered when it ends and forgotten; one
 * started with {@code wait: false} is kept for its client to read, up to {@link #KEPT} ended ones.
 */
final class Jobs {
    static final int KEPT = 1024;

    private final ArrayStore store;
    private final InterpreterPool pool;
    private final AtomicLong nextId = new AtomicLong();
    private final Map<Long, Job> jobs = new ConcurrentHashMap<>();

    Jobs(ArrayStore store, InterpreterPool pool) {
        this.store = store;
        this.pool = pool;
    }

    /** {@code submit}: {@code function(*args)} in one task. */
    JsonObject submit(JsonObject r) {
        String module = string(r, MODULE);
        String function = string(r, FUNCTION);
        double timeout = timeout(r);
        List<ArrayView> views = new ArrayList<>();
        try {
            List<Object> values = new ArrayList<>();
            for (JsonElement a : list(r, ARGS)) {
                values.add(argument(a, views));
            }
            return start(r, new Job(nextId.incrementAndGet(), pool.submit(module, function, values.toArray()), views, timeout));
        } catch (RuntimeException e) {
            views.forEach(ArrayView::release); // a view no task got must not keep its lease
            throw e;
        }
    }

    /**
     * {@code map}: a {@link RowMap} over the array's rows, cut into {@code parts} (default: one per worker) or as
     * {@code ranges} gives them, {@code function(view, start, *args)} for each range; the result is the list of the
     * ranges' results. Every range runs even when others fail; a failed map says which ranges completed and which
     * failed ({@link #OUTCOMES}), so that a client retries only those.
     */
    JsonObject map(JsonObject r) {
        TaskTarget target = TaskTarget.function(string(r, MODULE), string(r, FUNCTION));
        SharedArray array = array(string(r, ARRAY));
        double timeout = timeout(r);
        List<Object> extra = new ArrayList<>();
        for (JsonElement a : list(r, ARGS)) {
            if (a.isJsonObject()) {
                throw new IllegalArgumentException("map's extra arguments are plain values; the views are its parts");
            }
            extra.add(value(a));
        }
        Tuple args = (Tuple) Shareables.fromJava(extra.toArray(), "argument");
        List<RowMap.Rows> ranges = has(r, RANGES) ? ranges(r) : RowMap.split(array.length(), has(r, PARTS) ? r.get(PARTS).getAsLong() : pool.workerCount(), "'parts'");
        RowMap rows = RowMap.start(pool, target, array, ranges, flag(r, READONLY, false), args);
        return start(r, new Job(nextId.incrementAndGet(), rows, timeout));
    }

    private static List<RowMap.Rows> ranges(JsonObject r) {
        List<RowMap.Rows> out = new ArrayList<>();
        for (JsonElement e : r.getAsJsonArray(RANGES)) {
            JsonArray pair = e.isJsonArray() ? e.getAsJsonArray() : null;
            if (pair == null || pair.size() != 2) {
                throw new IllegalArgumentException("'ranges' must be a list of [start, stop] pairs");
            }
            out.add(new RowMap.Rows(pair.get(0).getAsLong(), pair.get(1).getAsLong()));
        }
        return out;
    }

    private static double timeout(JsonObject r) {
        double timeout = has(r, TIMEOUT) ? r.get(TIMEOUT).getAsDouble() : 0;
        if (timeout < 0 || Double.isNaN(timeout)) {
            throw new IllegalArgumentException("'timeout' must be a positive number of seconds");
        }
        return timeout;
    }

    /** {@code job}: its status, after waiting up to {@code wait} seconds for it to end. */
    JsonObject status(JsonObject r) {
        Job job = job(r);
        if (has(r, WAIT)) {
            try {
                job.await(Math.max(0, r.get(WAIT).getAsDouble())); // a negative wait does not wait
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        return status(job);
    }

    /** {@code cancel}: stops the job's parts not yet done; its status. */
    JsonObject cancel(JsonObject r) {
        Job job = job(r);
        job.stop(Job.State.CANCELLED);
        return status(job);
    }

    /** An argument of {@code submit}: a view of an array's rows ({@code {"array", "start", "stop", "readonly"}}) or a value. */
    private Object argument(JsonElement a, List<ArrayView> views) {
        if (a.isJsonObject()) {
            JsonObject o = a.getAsJsonObject();
            SharedArray array = array(string(o, ARRAY));
            long start = o.has(START) ? o.get(START).getAsLong() : 0;
            long stop = o.has(STOP) ? o.get(STOP).getAsLong() : array.length();
            ArrayView view = flag(o, READONLY, false) ? array.readOnly(start, stop) : array.slice(start, stop);
            views.add(view);
            return view;
        }
        if (a.isJsonArray()) {
            List<Object> items = new ArrayList<>();
            for (JsonElement e : a.getAsJsonArray()) {
                items.add(argument(e, views));
            }
            return items;
        }
        return value(a);
    }

    private SharedArray array(String name) {
        return store.get(name).filter(a -> store.descriptorOf(a).isPresent())
                .orElseThrow(() -> new IllegalArgumentException("no array named '" + name + "' (released, or never created)"));
    }

    /**
     * Registers the job; with {@code wait} (the default) answers when it ends (its result, or its failure as an
     * error with the worker's traceback; past {@code timeout} it is stopped), otherwise at once with its id.
     */
    private JsonObject start(JsonObject r, Job job) {
        jobs.put(job.id, job);
        forgetOld();
        if (!flag(r, WAIT, true)) {
            return status(job);
        }
        try {
            job.await(-1);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            job.stop(Job.State.CANCELLED);
            return error("RuntimeError", "the service is stopping");
        }
        jobs.remove(job.id); // its caller has the outcome
        return job.state() == Job.State.DONE ? ok().with(RESULT, result(job)).json() : failure(job);
    }

    private static JsonElement result(Job job) {
        List<Object> results = job.results();
        return job.rows == null ? toJson(results.get(0)) : toJson(results);
    }

    private static JsonObject failure(Job job) {
        return switch (job.state()) {
            case TIMED_OUT -> error("TimeoutError", "the job ran past its timeout and was stopped");
            case CANCELLED -> error("CancelledError", "the job was cancelled");
            default -> {
                String[] f = Job.describe(job.failure());
                JsonObject o;
                if (job.rows == null) {
                    o = error(f[0], f[1]);
                } else { // the first failed range's type and traceback; every range's outcome
                    List<RowMap.Outcome> outcomes = job.rows.outcomes();
                    long failed = outcomes.stream().filter(RowMap.Outcome::failed).count();
                    o = error(f[0], failed + " of " + outcomes.size() + " parts failed; the first, " + job.rows.firstFailure().rows()
                            + ": " + f[1]);
                    o.add(OUTCOMES, outcomes(outcomes));
                }
                o.addProperty(TRACEBACK, f[2]);
                yield o;
            }
        };
    }

    /** A job's state, parts done of parts, and once ended its result or error. */
    private static JsonObject status(Job job) {
        JsonObject o = ok().with(JOB, job.id).with(STATE, job.state().name().toLowerCase(Locale.ROOT))
                .with(DONE, job.partsDone()).with(PARTS, job.parts()).with(ENDED, job.ended()).json();
        if (job.ended()) {
            if (job.state() == Job.State.DONE) {
                o.add(RESULT, result(job));
            } else {
                JsonObject e = failure(job);
                o.add(ERROR, e.get(ERROR));
                o.add(MESSAGE, e.get(MESSAGE));
                for (String field : List.of(TRACEBACK, OUTCOMES)) {
                    if (e.has(field)) {
                        o.add(field, e.get(field));
                    }
                }
            }
        }
        return o;
    }

    /** Each range: {@code {"start", "stop", "result"}} or {@code {"start", "stop", "error", "message", "traceback"}}. */
    private static JsonArray outcomes(List<RowMap.Outcome> outcomes) {
        JsonArray out = new JsonArray();
        for (RowMap.Outcome o : outcomes) {
            Reply part = new Reply(new JsonObject()).with(START, o.rows().start()).with(STOP, o.rows().stop());
            if (o.failed()) {
                String[] f = Job.describe(o.failure());
                part.with(ERROR, f[0]).with(MESSAGE, f[1]).with(TRACEBACK, f[2]);
            } else {
                part.with(RESULT, toJson(o.result()));
            }
            out.add(part.json());
        }
        return out;
    }

    private Job job(JsonObject r) {
        JsonElement id = r.get(JOB);
        if (id == null || !id.isJsonPrimitive() || !id.getAsJsonPrimitive().isNumber()) {
            throw new IllegalArgumentException("'job' must be a job's id");
        }
        Job job = jobs.get(id.getAsLong());
        if (job == null) {
            throw new IllegalArgumentException("no job " + id + " (never started, or ended and forgotten)");
        }
        return job;
    }

    /** Ended jobs are kept for their clients to read, up to {@link #KEPT}; the oldest go first. */
    private void forgetOld() {
        if (jobs.size() > KEPT) {
            jobs.values().stream().filter(Job::ended).map(j -> j.id).sorted().limit(jobs.size() - KEPT).forEach(jobs::remove);
        }
    }
}
