package dev.tessera.workers;

import java.time.Duration;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

/**
 * The pool's one timer thread. A worker that begins a task with a deadline schedules its own stop here and cancels
 * it when the task ends; past the deadline the timer stops the task (the worker closes its interpreter).
 */
final class Deadlines {
    private final ScheduledThreadPoolExecutor timer;

    Deadlines() {
        timer = new ScheduledThreadPoolExecutor(1, r -> Thread.ofPlatform().name("tessera-pool-watchdog").daemon(true).unstarted(r));
        timer.setRemoveOnCancelPolicy(true); // a pool running millions of short tasks keeps no cancelled entries
    }

    ScheduledFuture<?> schedule(Duration after, Runnable stop) {
        return timer.schedule(stop, after.toNanos(), TimeUnit.NANOSECONDS);
    }

    void close() {
        timer.shutdownNow();
    }
}
