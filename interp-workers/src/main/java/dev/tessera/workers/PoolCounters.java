package dev.tessera.workers;

import java.util.concurrent.CancellationException;
import java.util.concurrent.atomic.AtomicLong;

/** What a pool has done: tasks submitted and how each ended, and workers replaced. For stats and metrics only. */
final class PoolCounters {
    final AtomicLong submitted = new AtomicLong();
    final AtomicLong completed = new AtomicLong();
    final AtomicLong failed = new AtomicLong();
    final AtomicLong cancelled = new AtomicLong();
    final AtomicLong replaced = new AtomicLong();

    /** Counts a task's end by its outcome: a result, a cancel, or any other failure. */
    void ended(Task t) {
        Throwable e = t.error();
        (e == null ? completed : e instanceof CancellationException ? cancelled : failed).incrementAndGet();
    }
}
