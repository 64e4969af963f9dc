package dev.tessera.service;

import dev.tessera.buffer.HostErrors;
import dev.tessera.shm.ArrayView;
import dev.tessera.workers.TaskFuture;
import dev.tessera.workers.WorkerException;
import java.util.List;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * A job of the service: one task ({@code submit}) or one task per part of an array ({@code map}), with its
 * progress (parts done of parts), its cancel, and the views it holds, released once every task has ended. The
 * first part that fails fails the job and cancels the parts not yet done.
 */
final class Job {
    enum State { RUNNING, DONE, FAILED, CANCELLED, TIMED_OUT }

    final long id;
    final boolean oneTask;
    private final List<TaskFuture> tasks;
    private final CompletableFuture<Void> ended;
    private volatile State stoppedAs; // CANCELLED or TIMED_OUT once stopped from outside
    private volatile Throwable failure;

    Job(long id, boolean oneTask, List<TaskFuture> tasks, List<ArrayView> views, double timeoutSeconds) {
        this.id = id;
        this.oneTask = oneTask;
        this.tasks = tasks;
        // The job ends after each task's outcome is recorded (a stage after the recording, not the task itself:
        // callbacks on one future run in no fixed order).
        CompletableFuture<?>[] recorded = new CompletableFuture<?>[tasks.size()];
        for (int i = 0; i < recorded.length; i++) {
            recorded[i] = tasks.get(i).whenComplete((v, e) -> {
                if (e != null && !(unwrap(e) instanceof CancellationException) && failure == null) {
                    failure = unwrap(e);
                    stopTasks();
                }
            });
        }
        this.ended = CompletableFuture.allOf(recorded);
        ended.whenComplete((v, e) -> views.forEach(ArrayView::release));
        if (timeoutSeconds > 0 && Double.isFinite(timeoutSeconds)) {
            CompletableFuture.delayedExecutor((long) (timeoutSeconds * 1e9), TimeUnit.NANOSECONDS).execute(() -> stop(State.TIMED_OUT));
        }
    }

    /** Stops the tasks not yet done (a running one is interrupted); a job already ended keeps its state. */
    void stop(State why) {
        if (!ended.isDone() && failure == null && stoppedAs == null) {
            stoppedAs = why;
            stopTasks();
        }
    }

    private void stopTasks() {
        for (TaskFuture t : tasks) {
            t.cancel(true);
        }
    }

    State state() {
        if (failure != null) {
            return State.FAILED;
        }
        if (stoppedAs != null) {
            return stoppedAs;
        }
        return ended.isDone() ? State.DONE : State.RUNNING;
    }

    int partsDone() {
        int n = 0;
        for (TaskFuture t : tasks) {
            n += t.isDone() && !t.isCompletedExceptionally() ? 1 : 0;
        }
        return n;
    }

    int parts() {
        return tasks.size();
    }

    /** Waits up to {@code seconds} for the job to end (its tasks all finished, failed or stopped). */
    boolean await(double seconds) throws InterruptedException {
        try {
            ended.get((long) (Math.max(0, Math.min(seconds, 1e6)) * 1e9), TimeUnit.NANOSECONDS);
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

    /** Each task's result, in part order (valid once {@link #state()} is DONE). */
    List<Object> results() {
        return tasks.stream().map(CompletableFuture::join).toList();
    }

    Throwable failure() {
        return failure;
    }

    private static Throwable unwrap(Throwable e) {
        while ((e instanceof java.util.concurrent.CompletionException || e instanceof ExecutionException) && e.getCause() != null) {
            e = e.getCause();
        }
        return e;
    }

    /** The failure's Python type, message and the worker's traceback. */
    static String[] describe(Throwable c) {
        if (c instanceof WorkerException w) {
            return new String[] {w.pythonType(), w.pythonMessage(), w.traceback()};
        }
        String type = c instanceof RuntimeException e ? HostErrors.pythonType(e) : "RuntimeError";
        return new String[] {type, String.valueOf(c.getMessage()), ""};
    }
}
