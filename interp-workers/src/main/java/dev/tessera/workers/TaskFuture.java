package dev.tessera.workers;

import java.util.concurrent.CompletableFuture;

/**
 * The result of a task submitted from Java. {@code cancel(false)} cancels a task that has not started;
 * {@code cancel(true)} also stops a running task (its worker is interrupted and replaced).
 */
public final class TaskFuture extends CompletableFuture<Object> {
    private final InterpreterPool pool;
    private volatile Task task;

    TaskFuture(InterpreterPool pool) {
        this.pool = pool;
    }

    void bind(Task task) {
        this.task = task;
    }

    Task task() {
        return task;
    }

    /** Ends the task with {@code reason}: queued, at once; running, by closing its interpreter (its worker is replaced). */
    boolean stop(RuntimeException reason) {
        return pool.stop(task, reason, true);
    }

    public long taskId() {
        return task.id;
    }

    /** True while a worker is running the task. */
    public boolean isRunning() {
        return task.isRunning();
    }

    @Override
    public boolean cancel(boolean mayInterruptIfRunning) {
        return pool.cancel(task, mayInterruptIfRunning);
    }

    /** Completes as cancelled without going through the pool (the pool itself cancels this way). */
    boolean markCancelled() {
        return super.cancel(false);
    }

    @Override
    public <U> CompletableFuture<U> newIncompleteFuture() {
        return new CompletableFuture<>(); // dependents are plain futures: cancelling them must not reach the pool
    }
}
