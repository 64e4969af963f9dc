package dev.tessera.workers;

import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * The task targets a pool has seen, each with a small number: a task carries the number, and every worker resolves
 * a number to its function once (a spare resolves them all ahead, see {@link Worker#isWarm}).
 */
final class TaskTargets {
    private final Map<TaskTarget, Integer> ids = new ConcurrentHashMap<>();
    private final List<TaskTarget> targets = new CopyOnWriteArrayList<>();

    /** The number of {@code target}, given on first sight. */
    int idOf(TaskTarget target) {
        Integer id = ids.get(target);
        if (id != null) {
            return id;
        }
        synchronized (targets) {
            return ids.computeIfAbsent(target, t -> {
                targets.add(t);
                return targets.size() - 1;
            });
        }
    }

    TaskTarget get(int id) {
        return targets.get(id);
    }

    /** How many targets there are: the numbers are 0 to count - 1. */
    int count() {
        return targets.size();
    }
}
