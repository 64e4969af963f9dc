package dev.tessera.workers.python;

import com.oracle.truffle.api.nodes.Node;
import dev.tessera.buffer.graalpy.GuestArgs;
import dev.tessera.buffer.graalpy.GuestScope;
import dev.tessera.buffer.graalpy.GuestValues;
import dev.tessera.buffer.graalpy.HostFunction;
import dev.tessera.buffer.values.NotShareableException;
import dev.tessera.buffer.values.Shareables;
import dev.tessera.buffer.values.Tuple;
import dev.tessera.workers.Task;
import dev.tessera.workers.TaskSpec;
import dev.tessera.workers.Worker;
import dev.tessera.workers.WorkerConfig;
import dev.tessera.workers.WorkerException;
import java.util.List;

/**
 * The host functions of one worker's task loop ({@code tessera._worker}): take the next task, report its outcome,
 * resolve a target, read the worker's start-up configuration. Each converts between Python and host values and
 * leaves the rest to the {@link Worker}.
 */
final class WorkerFunctions {
    private WorkerFunctions() {
    }

    static List<HostFunction> of(Worker worker) {
        GuestScope scope = worker.scope();
        return List.of(
                // worker_take() -> (target_id, args, kwargs_pairs or None), or None once the loop is to end
                new HostFunction("worker_take", 0, scope, (a, node) -> take(worker, node)).quick(),
                // worker_done(ok, value): value is the result, or (type, message, traceback) of the exception
                new HostFunction("worker_done", 2, scope, (a, node) -> {
                    Task task = worker.currentTask();
                    if (task == null) {
                        return GuestValues.none(); // a stop took it: the context is closing
                    }
                    Object result = null;
                    RuntimeException error = null;
                    if (GuestArgs.truthy(a[0])) {
                        try {
                            result = GuestValues.toHostOrCopy(a[1], "the task's result", scope);
                        } catch (IllegalArgumentException e) { // NotShareableException, or nested too deep
                            error = new WorkerException("tessera.NotShareableError", e.getMessage(), "");
                        }
                    } else {
                        Tuple info = (Tuple) GuestValues.toHost(a[1], "the task's exception");
                        error = new WorkerException(str(info.get(0)), str(info.get(1)), str(info.get(2)));
                    }
                    worker.finish(task, result, error);
                    return GuestValues.none();
                }).quick(),
                // worker_target(id) -> the task target numbered id
                new HostFunction("worker_target", 1, scope, (a, node) -> new TargetObject(worker.target(GuestArgs.asInt(a[0], "target")))).quick(),
                // worker_config() -> (sys_path, preload, initializer target or None, initargs)
                new HostFunction("worker_config", 0, scope, (a, node) -> {
                    WorkerConfig c = worker.config();
                    Object init = c.initializer() == null ? GuestValues.none() : new TargetObject(c.initializer());
                    return GuestValues.tuple(node,
                            GuestValues.toGuest(Tuple.wrap(c.sysPath().stream().map(p -> (Object) p.toAbsolutePath().toString()).toArray()), node, false),
                            GuestValues.toGuest(Tuple.wrap(c.preload().toArray()), node, false),
                            init,
                            GuestValues.toGuest(c.initArgs(), node, false, scope));
                }),
                // worker_start_failed(type, message, traceback): the initializer or a preload raised
                new HostFunction("worker_start_failed", 3, scope, (a, node) -> {
                    worker.startFailed(new WorkerException(GuestArgs.asString(a[0], "type"), GuestArgs.asString(a[1], "message"),
                            GuestArgs.asString(a[2], "traceback")));
                    return GuestValues.none();
                }));
    }

    private static Object take(Worker worker, Node node) {
        while (true) {
            Task task = worker.take(node);
            if (task == null) {
                return GuestValues.none(); // ends the loop
            }
            try {
                TaskSpec s = task.spec();
                // Views are lent as memoryviews; the task's end releases the views and so revokes them.
                GuestScope scope = worker.scope();
                Object args = GuestValues.toGuest(s.args(), node, true, scope);
                return GuestValues.tuple(node, (long) task.targetId(), args, GuestValues.kwargsToGuest(s.kwargs(), node, scope));
            } catch (NotShareableException e) { // an argument's pickle that cannot be loaded here
                worker.finish(task, null, new WorkerException("tessera.NotShareableError", e.getMessage(), ""));
            } catch (RuntimeException e) { // a view that cannot be lent (released, its array closed)
                worker.finish(task, null, e);
            }
        }
    }

    private static String str(Object hostString) {
        return hostString == null ? "" : Shareables.toJava(hostString).toString();
    }
}
