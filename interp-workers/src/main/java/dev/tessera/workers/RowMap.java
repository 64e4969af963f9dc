package dev.tessera.workers;

import com.oracle.truffle.api.nodes.Node;
import dev.tessera.buffer.values.Tuple;
import dev.tessera.shm.ArrayView;
import dev.tessera.shm.SharedArray;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

/**
 * A map over an array's rows: the rows cut into disjoint ranges, {@code fn(view, start, *args)} for each range in a task
 * of its own, and, once every range has ended, each range's result or failure. Python's {@code pool.map_slices} and the
 * service's {@code map} are this, with one failure model: every range runs even when others fail, so that the caller
 * learns which ranges completed (with their results) and which failed (with their errors), and retries only those.
 * Writable views of every range are leased before any task starts, so overlapping ranges are refused before anything
 * runs; each task owns its view from then on (its end releases it).
 */
public final class RowMap {
    /** At most this many parts: more tasks than this is a mistake, not a job. */
    public static final long MAX_PARTS = 1_000_000;

    /** Rows {@code [start, stop)} of the array's first axis. */
    public record Rows(long start, long stop) {
        @Override
        public String toString() {
            return "rows [" + start + ", " + stop + ")";
        }
    }

    /** One range's outcome: its result (Java form), or its failure. */
    public record Outcome(Rows rows, Object result, Throwable failure) {
        public boolean failed() {
            return failure != null;
        }
    }

    private final List<Rows> ranges;
    private final List<TaskFuture> futures;
    private final CompletableFuture<Void> ended;

    private RowMap(List<Rows> ranges, List<TaskFuture> futures) {
        this.ranges = List.copyOf(ranges);
        this.futures = List.copyOf(futures);
        // exceptionally(): a part's failure is its outcome, not the map's; allOf completes once every part ended
        this.ended = CompletableFuture.allOf(futures.stream().map(f -> f.exceptionally(e -> null)).toArray(CompletableFuture[]::new));
    }

    /**
     * {@code rows} cut into {@code parts} ranges in order, their sizes differing by at most one (fewer when there are
     * fewer rows than parts; none for no rows). {@code what} names {@code parts} in the error for a count out of range.
     */
    public static List<Rows> split(long rows, long parts, String what) {
        if (parts < 1 || parts > MAX_PARTS) {
            throw new IllegalArgumentException(what + " must be between 1 and " + MAX_PARTS + ", not " + parts);
        }
        long n = Math.min(parts, rows);
        List<Rows> out = new ArrayList<>();
        for (long k = 0; k < n; k++) {
            out.add(new Rows(rows * k / n, rows * (k + 1) / n));
        }
        return out;
    }

    /**
     * Leases a view of each range of {@code array} (read-only with {@code readonly}), then submits {@code target(view,
     * start, *args)} for each. Bounds and overlaps are refused (IndexOutOfBounds, LeaseConflict) before any task is
     * submitted; if a submit fails (the pool shut down), the parts submitted are stopped and nothing stays leased.
     */
    public static RowMap start(InterpreterPool pool, TaskTarget target, SharedArray array, List<Rows> ranges, boolean readonly,
                               Tuple args) {
        if (ranges.size() > MAX_PARTS) {
            throw new IllegalArgumentException("at most " + MAX_PARTS + " ranges, not " + ranges.size());
        }
        List<ArrayView> views = new ArrayList<>(ranges.size());
        List<TaskFuture> futures = new ArrayList<>(ranges.size());
        try {
            for (Rows r : ranges) {
                views.add(readonly ? array.readOnly(r.start(), r.stop()) : array.slice(r.start(), r.stop(), "a part of a map over rows"));
            }
            for (int i = 0; i < ranges.size(); i++) {
                Object[] call = new Object[2 + args.size()];
                call[0] = views.get(i);
                call[1] = ranges.get(i).start();
                for (int k = 0; k < args.size(); k++) {
                    call[2 + k] = args.get(k);
                }
                futures.add(pool.submit(new TaskSpec(target, Tuple.wrap(call), Map.of(), null))); // the task owns its view now
            }
        } catch (RuntimeException e) {
            futures.forEach(f -> f.cancel(true));
            views.forEach(ArrayView::release); // those of submitted tasks too: released already, or at their end
            throw e;
        }
        return new RowMap(ranges, futures);
    }

    public List<Rows> ranges() {
        return ranges;
    }

    /** Each range's task, in the order of {@link #ranges()}. */
    public List<TaskFuture> futures() {
        return futures;
    }

    /** The task of range {@code i} (the Python side reads its outcome in host form). */
    public Task task(int i) {
        return futures.get(i).task();
    }

    /** Completes once every range has ended (with a result, a failure, or stopped). */
    public CompletableFuture<Void> ended() {
        return ended;
    }

    /** Ranges that ended with a result. */
    public int partsDone() {
        int n = 0;
        for (TaskFuture f : futures) {
            n += f.isDone() && !f.isCompletedExceptionally() ? 1 : 0;
        }
        return n;
    }

    /**
     * Waits up to {@code timeoutNanos} ({@link WaitSet#FOREVER}: no limit) for every range to end; true if they have.
     * An interpreter's {@code node} keeps its safepoints working (and its GIL given up) while it waits.
     */
    public boolean await(long timeoutNanos, Node node) throws InterruptedException {
        long deadline = System.nanoTime() + timeoutNanos;
        for (int i = 0; i < futures.size(); i++) {
            long left = timeoutNanos < 0 ? WaitSet.FOREVER : Math.max(0, deadline - System.nanoTime());
            if (!task(i).awaitEnd(left, node)) {
                return false;
            }
        }
        return true;
    }

    /**
     * Stops range {@code i} with the failure {@code reason} unless it ended: a queued task at once, a running one by
     * closing its interpreter (it ends with {@code reason} moments later). False if it had ended or was ending.
     */
    public boolean stop(int i, RuntimeException reason) {
        return !task(i).hasOutcome() && futures.get(i).stop(reason);
    }

    /** Each range's outcome, in order; valid once {@link #ended()} (a range not yet ended counts as not failed). */
    public List<Outcome> outcomes() {
        List<Outcome> out = new ArrayList<>(futures.size());
        for (int i = 0; i < futures.size(); i++) {
            TaskFuture f = futures.get(i);
            Throwable failure = task(i).error();
            out.add(new Outcome(ranges.get(i), failure == null ? f.getNow(null) : null, failure));
        }
        return out;
    }

    /** The first range, in row order, that failed; null if none did. */
    public Outcome firstFailure() {
        for (Outcome o : outcomes()) {
            if (o.failed()) {
                return o;
            }
        }
        return null;
    }
}
