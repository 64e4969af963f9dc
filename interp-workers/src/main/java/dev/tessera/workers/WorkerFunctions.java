package dev.tessera.workers;

import com.oracle.graal.python.PythonLanguage;
import com.oracle.graal.python.builtins.objects.PNone;
import com.oracle.graal.python.runtime.object.PFactory;
import com.oracle.graal.python.runtime.exception.PException;
import com.oracle.truffle.api.nodes.Node;
import dev.tessera.buffer.graalpy.GuestScope;
import dev.tessera.buffer.graalpy.GuestArgs;
import dev.tessera.buffer.graalpy.GuestValues;
import dev.tessera.buffer.graalpy.HostFunction;
import dev.tessera.buffer.values.NotShareableException;
import dev.tessera.buffer.values.Shareables;
import dev.tessera.buffer.values.Tuple;
import dev.tessera.shm.ArrayView;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The host functions of one worker's task loop ({@code tessera._worker}): take the next task, report its outcome,
 * resolve a target, read the worker's start-up configuration.
 */
final class WorkerFunctions {
    private WorkerFunctions() {
    }

    /**
     * Errors after which a worker's interpreter is not trusted and is replaced: MemoryError (it may have struck inside
     * the runtime, and the task's data may still be referenced) and SystemError (an internal error of the
     * interpreter; GraalPy's own Java exceptions arrive as one).
     */
    private static final java.util.Set<String> RETIRING_ERRORS = java.util.Set.of("MemoryError", "SystemError");

    static List<HostFunction> of(InterpreterPool pool, Worker worker) {
        var scope = worker.scope;
        return List.of(
                // worker_take() -> (target_id, args, kwargs_pairs or None), or None once the pool is shut down
                new HostFunction("worker_take", 0, scope, (a, node) -> take(pool, worker, node)).quick(),
                // worker_done(ok, value): value is the result, or (type, message, traceback) of the exception
                new HostFunction("worker_done", 2, scope, (a, node) -> {
                    Task task = worker.currentTask();
                    if (task == null) {
                        return PNone.NONE; // a stop took it: the context is closing
                    }
                    Object result = null;
                    RuntimeException error;
                    if (GuestArgs.truthy(a[0])) {
                        try {
                            result = GuestValues.toHostOrCopy(a[1], "the task's result", scope);
                            error = viewInResult(result);
                        } catch (IllegalArgumentException e) { // NotShareableException, or nested too deep
                            error = new WorkerException("tessera.NotShareableError", e.getMessage(), "");
                        }
                    } else {
                        Tuple info = (Tuple) GuestValues.toHost(a[1], "the task's exception");
                        error = new WorkerException(str(info.get(0)), str(info.get(1)), str(info.get(2)));
                    }
                    if (error instanceof WorkerException w && RETIRING_ERRORS.contains(w.pythonType())) {
                        worker.retire(); // before the future fails: once it has, the worker is replaced already
                    }
                    if (worker.end(task)) {
                        task.finish(result, error);
                        pool.taskEnded(task);
                    }
                    return PNone.NONE;
                }).quick(),
                // worker_target(id) -> (module, qualname, main_file, source, entry)
                new HostFunction("worker_target", 1, scope, (a, node) -> {
                    TaskTarget t = pool.target(GuestArgs.asInt(a[0], "target"));
                    return guestTuple(node, t.module(), t.qualname(), t.mainFile(), t.source(), t.entry());
                }).quick(),
                // worker_config() -> (sys_path, preload, initializer target or None, initargs)
                new HostFunction("worker_config", 0, scope, (a, node) -> {
                    WorkerConfig c = pool.config();
                    PythonLanguage lang = PythonLanguage.get(node);
                    Object init = c.initializer() == null ? PNone.NONE : GuestValues.toGuest(Tuple.wrap(new Object[] {
                            c.initializer().module(), c.initializer().qualname(), c.initializer().mainFile(),
                            c.initializer().source(), c.initializer().entry()}), lang, false);
                    return PFactory.createTuple(lang, new Object[] {
                            GuestValues.toGuest(Tuple.wrap(c.sysPath().stream().map(p -> (Object) p.toAbsolutePath().toString()).toArray()), lang, false),
                            GuestValues.toGuest(Tuple.wrap(c.preload().toArray()), lang, false),
                            init,
                            GuestValues.toGuest(c.initArgs(), lang, false, scope)});
                }),
                // worker_start_failed(type, message, traceback): the initializer or a preload raised
                new HostFunction("worker_start_failed", 3, scope, (a, node) -> {
                    worker.startFailed(new WorkerException(GuestArgs.asString(a[0], "type"), GuestArgs.asString(a[1], "message"),
                            GuestArgs.asString(a[2], "traceback")));
                    return PNone.NONE;
                }));
    }

    private static Object take(InterpreterPool pool, Worker worker, Node node) {
        PythonLanguage lang = PythonLanguage.get(node);
        while (true) {
            if (worker.isRetired()) {
                return PNone.NONE; // ends the loop: the interpreter closes and a replacement has its slot
            }
            Task task = pool.nextTask(node);
            if (task == null) {
                return PNone.NONE;
            }
            worker.begin(task);
            try {
                TaskSpec s = task.spec;
                // Views are lent as memoryviews; the task's end releases the views and so revokes them.
                Object args = GuestValues.toGuest(s.args(), lang, true, worker.scope);
                Object kwargs = s.kwargs().isEmpty() ? PNone.NONE : kwargsToGuest(s.kwargs(), lang, worker.scope);
                return PFactory.createTuple(lang, new Object[] {(long) task.targetId, args, kwargs});
            } catch (PException e) { // an argument's pickle that cannot be loaded here
                if (worker.end(task)) {
                    task.finish(null, new WorkerException("tessera.NotShareableError", "args not shareable: they could not "
                            + "be unpickled in the worker (" + e.getMessage() + ")", ""));
                    pool.taskEnded(task);
                }
            } catch (RuntimeException e) { // a view that cannot be lent (released, its array closed)
                if (worker.end(task)) {
                    task.finish(null, e);
                    pool.taskEnded(task);
                }
            }
        }
    }

    private static Object kwargsToGuest(Map<String, Object> kwargs, PythonLanguage lang, GuestScope scope) {
        Object[] pairs = new Object[kwargs.size()];
        int i = 0;
        for (Map.Entry<String, Object> e : kwargs.entrySet()) {
            pairs[i++] = Tuple.wrap(new Object[] {e.getKey(), e.getValue()});
        }
        return GuestValues.toGuest(Tuple.wrap(pairs), lang, true, scope);
    }

    private static RuntimeException viewInResult(Object result) {
        List<ArrayView> views = new ArrayList<>();
        Shareables.collectViews(result, views);
        if (views.isEmpty()) {
            return null;
        }
        // a view handed back would outlive the task that owned it
        return new WorkerException("tessera.NotShareableError", new NotShareableException("the task's result",
                "tessera.View", " (return data, or send the view through a queue)").getMessage(), "");
    }

    private static Object guestTuple(Node node, Object... items) {
        return GuestValues.toGuest(Tuple.wrap(items), PythonLanguage.get(node), false);
    }

    private static String str(Object hostString) {
        return hostString == null ? "" : Shareables.toJava(hostString).toString();
    }
}
