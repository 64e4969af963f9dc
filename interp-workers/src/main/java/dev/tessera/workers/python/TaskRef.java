package dev.tessera.workers.python;

import com.oracle.truffle.api.nodes.Node;
import dev.tessera.buffer.graalpy.HostObject;
import dev.tessera.buffer.interop.HostMembers;
import dev.tessera.buffer.interop.MetaType;
import dev.tessera.workers.Task;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A task submitted from Python, as its Python future holds it ({@code Future._task}), with what the one delivery of
 * its outcome to that future needs: who claimed the delivery (a thread in {@code result()}, a poll, or the pool's
 * completer), whether someone waits for it without {@code result()} (it is "wanted": the completer must deliver it),
 * and whether a thread waits in {@code result()} now (it will deliver it itself).
 */
final class TaskRef extends HostObject {
    static final MetaType META = MetaType.of("tessera._TaskHandle", TaskRef.class);
    private static final HostMembers MEMBERS = HostMembers.of(Set.of("id"), Set.of());

    private static final int NOT_WANTED = 0;
    private static final int WANTED = 1;
    private static final int SETTLED = 2;

    final PoolObject pool;
    /** The Python future the outcome goes to. */
    final Object future;
    private volatile Task task; // set once submitted, before Python sees this handle
    private final AtomicInteger delivery = new AtomicInteger();
    private final AtomicInteger wanted = new AtomicInteger(NOT_WANTED);
    private final AtomicInteger awaiting = new AtomicInteger();

    TaskRef(PoolObject pool, Object future) {
        super(META, MEMBERS);
        this.pool = pool;
        this.future = future;
    }

    void bind(Task submitted) {
        this.task = submitted;
    }

    Task task() {
        return task;
    }

    /** True for exactly one caller: the one that delivers the outcome to the Python future. */
    boolean claimDelivery() {
        return delivery.compareAndSet(0, 1);
    }

    boolean isDeliveryClaimed() {
        return delivery.get() != 0;
    }

    /** Someone waits for the outcome without result() (a callback, a waiter): the completer must deliver it. */
    boolean markWanted() {
        return wanted.compareAndSet(NOT_WANTED, WANTED);
    }

    boolean isWanted() {
        return wanted.get() != NOT_WANTED;
    }

    /** A wanted task whose outcome was claimed; true once. */
    boolean settleWanted() {
        return wanted.compareAndSet(WANTED, SETTLED);
    }

    /** True while a thread waits in {@link #awaitEnd}: it will deliver the outcome itself. */
    boolean isAwaited() {
        return awaiting.get() > 0;
    }

    /** Waits (as {@link Task#awaitEnd}) for the task's end, counted as a waiter that will deliver the outcome. */
    boolean awaitEnd(long timeoutNanos, Node node) throws InterruptedException {
        awaiting.incrementAndGet();
        try {
            return task.awaitEnd(timeoutNanos, node);
        } finally {
            awaiting.decrementAndGet();
        }
    }

    @Override
    protected Object read(String member) {
        return task.id();
    }

    @Override
    protected String display() {
        return "task " + task.id() + " (" + task.spec().target().describe() + ")";
    }
}
