package dev.tessera.workers.python;

import com.oracle.truffle.api.nodes.Node;
import dev.tessera.buffer.graalpy.GuestArgs;
import dev.tessera.buffer.graalpy.GuestScope;
import dev.tessera.buffer.graalpy.GuestValues;
import dev.tessera.buffer.graalpy.HostFunction;
import dev.tessera.buffer.values.Tuple;
import dev.tessera.workers.Queue;
import dev.tessera.workers.QueueClosedException;
import dev.tessera.workers.Timeouts;
import dev.tessera.workers.WaitSet;
import java.util.ArrayList;
import java.util.List;

/**
 * The host functions behind {@code tessera.Queue} in one interpreter: each Python method is one call of one of
 * these, which checks its arguments, converts the item once and raises QueueEmpty, QueueFull or QueueClosed as
 * the interpreter's own classes.
 */
final class QueueFunctions {
    private QueueFunctions() {
    }

    static List<HostFunction> of(GuestScope scope) {
        return List.of(
                new HostFunction("queue_create", 1, scope, (a, node) -> new QueueObject(new Queue(GuestArgs.asInt(a[0], "maxsize")))).quick(),
                // queue_put(q, item, block, timeout)
                new HostFunction("queue_put", 4, scope, (a, node) -> {
                    Queue q = queue(a[0]);
                    Object item = GuestValues.toHostOrCopy(a[1], "Queue.put()", scope);
                    if (!put(q, item, timeout(a[2], a[3]), scope, node)) {
                        throw scope.raise(node, "QueueFull", "the queue is full");
                    }
                    return GuestValues.none();
                }).quick(),
                // queue_get(q, block, timeout) -> item
                new HostFunction("queue_get", 3, scope, (a, node) -> {
                    Object got = get(queue(a[0]), timeout(a[1], a[2]), scope, node);
                    if (got == WaitSet.NOTHING) {
                        throw scope.raise(node, "QueueEmpty", "the queue is empty");
                    }
                    return GuestValues.toGuest(got, node, false, scope);
                }).quick(),
                // queue_put_many(q, items: tuple, block, timeout): each element is one item, put in order
                new HostFunction("queue_put_many", 4, scope, (a, node) -> {
                    Queue q = queue(a[0]);
                    if (!GuestValues.isTuple(a[1])) {
                        throw new ClassCastException("put_many() takes a tuple of items");
                    }
                    Tuple items = (Tuple) GuestValues.toHostOrCopy(a[1], "Queue.put_many()", scope);
                    long timeout = timeout(a[2], a[3]);
                    long deadline = System.nanoTime() + timeout;
                    for (int i = 0; i < items.size(); i++) {
                        long left = timeout < 0 ? WaitSet.FOREVER : Math.max(0, deadline - System.nanoTime());
                        if (!put(q, items.get(i), left, scope, node)) {
                            throw scope.raise(node, "QueueFull", "the queue is full: put " + i + " of " + items.size() + " items");
                        }
                    }
                    return GuestValues.none();
                }).quick(),
                // queue_get_many(q, max_items, block, timeout) -> tuple of 1..max_items items
                new HostFunction("queue_get_many", 4, scope, (a, node) -> {
                    Queue q = queue(a[0]);
                    int max = GuestArgs.asInt(a[1], "max_items");
                    if (max < 1) {
                        throw new IllegalArgumentException("max_items must be at least 1, got " + max);
                    }
                    Object first = get(q, timeout(a[2], a[3]), scope, node);
                    if (first == WaitSet.NOTHING) {
                        throw scope.raise(node, "QueueEmpty", "the queue is empty");
                    }
                    List<Object> out = new ArrayList<>(Math.min(max, 1024));
                    out.add(GuestValues.toGuest(first, node, false, scope));
                    for (Object next; out.size() < max && (next = q.pollHost()) != WaitSet.NOTHING; ) {
                        out.add(GuestValues.toGuest(next, node, false, scope));
                    }
                    return GuestValues.tuple(node, out.toArray());
                }).quick(),
                new HostFunction("queue_size", 1, scope, (a, node) -> (long) queue(a[0]).size()).quick(),
                new HostFunction("queue_full", 1, scope, (a, node) -> queue(a[0]).isFull()).quick(),
                new HostFunction("queue_maxsize", 1, scope, (a, node) -> (long) queue(a[0]).maxsize()).quick(),
                new HostFunction("queue_closed", 1, scope, (a, node) -> queue(a[0]).isClosed()).quick(),
                new HostFunction("queue_close", 1, scope, (a, node) -> {
                    queue(a[0]).close();
                    return GuestValues.none();
                }).quick());
    }

    /** How long a put or get may wait: not at all without {@code block}; else the timeout (None: no limit). */
    static long timeout(Object block, Object timeout) {
        return GuestArgs.truthy(block) ? Timeouts.nanos(GuestArgs.asSeconds(timeout, "timeout", -1)) : 0;
    }

    private static Queue queue(Object q) {
        return QueueObject.hostQueueOf(q);
    }

    private static boolean put(Queue q, Object item, long timeoutNanos, GuestScope scope, Node node) {
        try {
            return q.putHost(item, timeoutNanos, node);
        } catch (QueueClosedException e) {
            throw scope.raise(node, "QueueClosed", e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while waiting on a queue");
        }
    }

    private static Object get(Queue q, long timeoutNanos, GuestScope scope, Node node) {
        try {
            return q.getHost(timeoutNanos, node);
        } catch (QueueClosedException e) {
            throw scope.raise(node, "QueueClosed", e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while waiting on a queue");
        }
    }
}
