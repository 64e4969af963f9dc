package dev.tessera.service;

import dev.tessera.buffer.HostErrors;
import dev.tessera.shm.ArrayView;
import dev.tessera.workers.RowMap;
import dev.tessera.workers.TaskFuture;
import dev.tessera.workers.Timeouts;
import dev.tessera.workers.WorkerException;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * A job of the service: one task ({@code submit}) or a map over an array's rows ({@code map}, a {@link RowMap}), with
 * its progress (parts done of parts) and its cancel. Every part runs even when another fails (the map's one failure
 * model); the job then failed, and says which parts completed and which failed. A cancel or the job's timeout stops
 * the parts not yet done.
 */
final class Job {
    enum State { RUNNING, DONE, FAILED, CANCELLED, TIMED_OUT }

    final long id;
    /** The map's ranges and outcomes; null for a submitted task. */
    final RowMap rows;
    private final List<TaskFuture> parts;
    private final CompletableFuture<Void> ended;
    private volatile State stoppedAs; // CANCELLED or TIMED_OUT once stopped from outside

    /** One task; {@code views} are its arguments' views, released once it has ended. */
    Job(long id, TaskFuture task, List<ArrayView> views, double timeoutSeconds) {
        this(id, null, List.of(task), timeoutSeconds);
        ended.whenComplete((v, e) -> views.forEach(ArrayView::release));
    }

    /** A map over rows (its tasks own their views). */
    Job(long id, RowMap rows, double timeoutSeconds) {
        this(id, rows, rows.futures(), timeoutSeconds);
    }

    private Job(long id, RowMap rows, List<TaskFuture> parts, double timeoutSeconds) {
        this.id = id;
        this.rows = rows;
        this.parts = parts;
        // exceptionally(): a part's failure is its outcome; the job ends once every part has ended
        this.ended = CompletableFuture.allOf(parts.stream().map(f -> f.exceptionally(e -> null)).toArray(CompletableFuture[]::new));
        Duration timeout = timeoutSeconds > 0 ? Timeouts.duration(timeoutSeconds) : null;
        if (timeout != null) {
            CompletableFuture.delayedExecutor(timeout.toNanos(), TimeUnit.NANOSECONDS).execute(() -> stop(State.TIMED_OUT));
        }
    }

    /** Stops the parts not yet done (a running one is interrupted); a job already ended keeps its state. */
    void stop(State why) {
        if (!ended.isDone() && stoppedAs == null) {
            stoppedAs = why;
            for (TaskFuture t : parts) {
                t.cancel(true);
            }
        }
    }

    State state() {
        if (stoppedAs != null) {
            return stoppedAs;
        }
        if (!ended.isDone()) {
            return State.RUNNING;
        }
        return failure() != null ? State.FAILED : State.DONE;
    }

    int partsDone() {
        int n = 0;
        for (TaskFuture t : parts) {
            n += t.isDone() && !t.isCompletedExceptionally() ? 1 : 0;
        }
        return n;
    }

    int parts() {
        return parts.size();
    }

    /** Waits up to {@code seconds} for the job to end (its parts all finished, failed or stopped). */
    boolean await(double seconds) throws InterruptedException {
        try {
            long nanos = Timeouts.nanos(seconds);
            if (nanos < 0) {
                ended.get();
            } else {
                ended.get(nanos, TimeUnit.NANOSECONDS);
            }
        } catch (TimeoutException e) {
            return false;
        } catch (ExecutionException | CancellationException e) {
            // ended by a failure or a cancel
        }
        return true;
    }

    boolean ended() {
        return ended.isDone();
    }

    /** Each part's result, in part order (valid once {@link #state()} is DONE). */
    List<Object> results() {
        return parts.stream().map(CompletableFuture::join).toList();
    }

    /** The first part, in order, that failed (not counting parts stopped by a cancel or the timeout); null if none. */
    Throwable failure() {
        for (TaskFuture t : parts) {
            if (t.isCompletedExceptionally() && !t.isCancelled()) {
                Throwable e = unwrap(t.exceptionNow());
                if (!(e instanceof CancellationException)) {
                    return e;
                }
            }
        }
        return null;
    }

    private static Throwable unwrap(Throwable e) {
        while ((e instanceof CompletionException || e instanceof ExecutionException) && e.getCause() != null) {
            e = e.getCause();
        }
        return e;
    }

    /** A failure's Python type, message and the worker's traceback. */
    static String[] describe(Throwable c) {
        if (c instanceof WorkerException w) {
            return new String[] {w.pythonType(), w.pythonMessage(), w.traceback()};
        }
        return new String[] {HostErrors.pythonType(c), String.valueOf(c.getMessage()), ""};
    }
}
