package dev.tessera.workers.python;

import dev.tessera.workers.Worker;
import dev.tessera.workers.Queue;
import dev.tessera.workers.WaitSet;
import com.oracle.truffle.api.nodes.Node;
import dev.tessera.buffer.graalpy.GuestArgs;
import dev.tessera.buffer.graalpy.GuestScope;
import dev.tessera.buffer.graalpy.GuestValues;
import dev.tessera.buffer.graalpy.HostFunction;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;

/**
 * The host functions behind Tessera's {@code _interpreters} and {@code _interpqueues} (the low-level modules of
 * {@code concurrent.interpreters}), in the main interpreter and in workers: ids of interpreters and queues
 * ({@link CrossInterpreters}), and queue puts and gets that remember which interpreter put an item, for the
 * {@code unbounditems} modes. Only the main interpreter registers and closes interpreters (it owns their pools).
 * Lookups that find nothing return None (or -1) and Python raises the 3.14 exception for it.
 */
final class CrossInterpreterFunctions {
    private CrossInterpreterFunctions() {
    }

    /** The main interpreter's functions: it is interpreter 0. */
    static List<HostFunction> forMain(CrossInterpreters xi, GuestScope scope) {
        List<HostFunction> out = common(() -> xi, () -> new long[] {0, CrossInterpreters.WHENCE_RUNTIME}, scope);
        // xi_register(pool handle) -> id of the new interpreter the pool (of one dedicated worker) stands for
        out.add(new HostFunction("xi_register", 1, scope, (a, node) -> {
            if (!(a[0] instanceof PoolObject p)) {
                throw new ClassCastException("expected a pool handle, got " + GuestValues.typeName(a[0]));
            }
            return xi.register(p);
        }));
        // xi_remove(id) -> True if there was such an interpreter; from now on its items in queues are unbound
        out.add(new HostFunction("xi_remove", 1, scope, (a, node) -> xi.remove(GuestArgs.asLong(a[0], "id")) != null));
        // xi_enter(id, delta): the main interpreter starts (+1) or ends (-1) a call in interpreter id
        out.add(new HostFunction("xi_enter", 2, scope, (a, node) -> {
            CrossInterpreters.Interp i = xi.interpreter(GuestArgs.asLong(a[0], "id"));
            if (i != null) {
                i.running.addAndGet(GuestArgs.asInt(a[1], "delta"));
            }
            return GuestValues.none();
        }).quick());
        return out;
    }

    /** A worker's functions: it is its dedicated interpreter, or an interpreter of a Tessera pool. */
    static List<HostFunction> forWorker(Worker worker, GuestScope scope) {
        Supplier<CrossInterpreters> xi = () -> CrossInterpreters.of(worker);
        List<HostFunction> out = common(xi, () -> xi.get().idOf(worker), scope);
        for (String name : List.of("xi_register", "xi_remove", "xi_enter")) {
            out.add(new HostFunction(name, 0, 8, scope, (a, node) -> {
                throw scope.raise(node, "RuntimeError", "interpreters are created, run and closed by the main interpreter: "
                        + "a Tessera worker cannot start or drive other interpreters (send the work back to the main "
                        + "interpreter through a queue)");
            }));
        }
        return out;
    }

    private static List<HostFunction> common(Supplier<CrossInterpreters> registry, Supplier<long[]> current, GuestScope scope) {
        List<HostFunction> out = new ArrayList<>();
        // xi_current() -> (id, whence)
        out.add(new HostFunction("xi_current", 0, scope, (a, node) -> tuple(node, current.get()[0], current.get()[1])).quick());
        // xi_list() -> ((id, whence), ...): the main interpreter, then those made by create(), by id
        out.add(new HostFunction("xi_list", 0, scope, (a, node) -> {
            List<Object> items = new ArrayList<>();
            items.add(tuple(node, 0L, (long) CrossInterpreters.WHENCE_RUNTIME));
            for (CrossInterpreters.Interp i : registry.get().interpreters()) {
                items.add(tuple(node, i.id, (long) i.whence));
            }
            return GuestValues.tuple(node, items.toArray());
        }));
        // xi_whence(id) -> whence, or -1 if there is no such interpreter
        out.add(new HostFunction("xi_whence", 1, scope, (a, node) -> (long) registry.get().whence(GuestArgs.asLong(a[0], "id"))).quick());
        // xi_running(id) -> whether code runs in it (None: no such interpreter); the caller's own counts as running
        out.add(new HostFunction("xi_running", 1, scope, (a, node) -> {
            long id = GuestArgs.asLong(a[0], "id");
            if (id == 0 || id == current.get()[0]) {
                return true;
            }
            CrossInterpreters.Interp i = registry.get().interpreter(id);
            if (i == null) {
                return registry.get().whence(id) < 0 ? GuestValues.none() : (Object) false;
            }
            return i.running.get() > 0;
        }));
        // xiq_create(maxsize, unboundop) -> (qid, queue)
        out.add(new HostFunction("xiq_create", 2, scope, (a, node) -> {
            int maxsize = Math.max(0, GuestArgs.asInt(a[0], "maxsize"));
            CrossInterpreters.QueueEntry e = registry.get().createQueue(maxsize, GuestArgs.asInt(a[1], "unboundop"));
            return tuple(node, e.id, new QueueObject(e.queue));
        }).quick());
        // xiq_find(qid) -> (queue, unboundop), or None
        out.add(new HostFunction("xiq_find", 1, scope, (a, node) -> {
            CrossInterpreters.QueueEntry e = registry.get().queue(GuestArgs.asLong(a[0], "qid"));
            return e == null ? GuestValues.none() : tuple(node, new QueueObject(e.queue), (long) e.unboundOp);
        }).quick());
        // xiq_id(queue) -> (qid, unboundop) of a queue object (one from tessera.create_queue() gets an id now)
        out.add(new HostFunction("xiq_id", 1, scope, (a, node) -> {
            CrossInterpreters.QueueEntry e = registry.get().entryOf(queue(a[0]));
            return tuple(node, e.id, (long) e.unboundOp);
        }).quick());
        // xiq_list() -> ((qid, unboundop), ...)
        out.add(new HostFunction("xiq_list", 0, scope, (a, node) -> {
            List<Object> items = new ArrayList<>();
            for (CrossInterpreters.QueueEntry e : registry.get().queues()) {
                items.add(tuple(node, e.id, (long) e.unboundOp));
            }
            return GuestValues.tuple(node, items.toArray());
        }));
        // xiq_destroy(qid) -> found?
        out.add(new HostFunction("xiq_destroy", 1, scope, (a, node) -> registry.get().removeQueue(GuestArgs.asLong(a[0], "qid")) != null));
        // xiq_bind(qid, delta) -> the new count (a release to 0 destroys the queue), -1 if no such queue, -2 if
        // released more than bound
        out.add(new HostFunction("xiq_bind", 2, scope, (a, node) -> {
            long qid = GuestArgs.asLong(a[0], "qid");
            CrossInterpreters.QueueEntry e = registry.get().queue(qid);
            if (e == null) {
                return -1L;
            }
            int delta = GuestArgs.asInt(a[1], "delta");
            int refs = e.refs.addAndGet(delta);
            if (refs < 0) {
                e.refs.addAndGet(-delta);
                return -2L;
            }
            if (refs == 0 && delta < 0) {
                registry.get().removeQueue(qid);
            }
            return (long) refs;
        }).quick());
        // xiq_put(queue, item, unboundop, block, timeout) -> False if the queue stayed full
        out.add(new HostFunction("xiq_put", 5, scope, (a, node) -> {
            Queue q = queue(a[0]);
            Object item = GuestValues.toHostOrCopy(a[1], "Queue.put()", scope);
            long putter = current.get()[0];
            if (putter != 0) {
                item = new CrossInterpreters.BoundItem(item, putter, GuestArgs.asInt(a[2], "unboundop"));
            }
            try {
                return q.putHost(item, QueueFunctions.timeout(a[3], a[4]), node);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while waiting on a queue");
            }
        }).quick());
        // xiq_get(queue, block, timeout) -> (item, None), (None, unboundop) for an item of a closed interpreter, or
        // None if the queue stayed empty; items put with UNBOUND_REMOVE by a closed interpreter are skipped
        out.add(new HostFunction("xiq_get", 3, scope, (a, node) -> {
            Queue q = queue(a[0]);
            long timeout = QueueFunctions.timeout(a[1], a[2]);
            long deadline = System.nanoTime() + timeout;
            while (true) {
                long left = timeout < 0 ? WaitSet.FOREVER : Math.max(0, deadline - System.nanoTime());
                Object got;
                try {
                    got = q.getHost(left, node);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new IllegalStateException("interrupted while waiting on a queue");
                }
                if (got == WaitSet.NOTHING) {
                    return GuestValues.none();
                }
                if (got instanceof CrossInterpreters.BoundItem b && registry.get().isClosed(b.interpreter())) {
                    if (b.unboundOp() == CrossInterpreters.UNBOUND_REMOVE) {
                        continue;
                    }
                    return tuple(node, GuestValues.none(), (long) b.unboundOp());
                }
                return GuestValues.tuple(node, GuestValues.toGuest(got, node, false, scope), GuestValues.none());
            }
        }).quick());
        return out;
    }

    private static Queue queue(Object q) {
        return QueueObject.hostQueueOf(q);
    }

    private static Object tuple(Node node, Object... items) {
        for (int i = 0; i < items.length; i++) {
            if (items[i] instanceof Integer n) {
                items[i] = (long) n;
            }
        }
        return GuestValues.tuple(node, items);
    }
}
