package dev.tessera.workers;

import java.util.List;

/**
 * A snapshot of a pool: its workers and the tasks they ran.
 *
 * @param spares           spare workers started, with the modules of the pool's task functions imported, waiting to
 *                         replace a stopped one
 * @param replacedWorkers  workers replaced after a deadline, a cancel or an internal failure
 * @param workers          per worker: whether it is busy, the tasks it ran and the bytes its thread allocated
 * @param memory           the whole process's heap in use, RSS and CPU time (workers share one heap: a worker's own
 *                         share is not measurable, only its thread's allocation)
 */
public record PoolStats(int workerCount, int spares, long submitted, long completed, long failed, long cancelled,
                        long replacedWorkers, int queued, int running, boolean shutdown, boolean broken,
                        List<WorkerStats> workers, ProcessMemory memory) {

    /** One worker: {@code allocatedBytes} is cumulative (not live heap), -1 once its thread ended. */
    public record WorkerStats(int slot, boolean ready, boolean busy, long tasksRun, long allocatedBytes) {
    }
}
