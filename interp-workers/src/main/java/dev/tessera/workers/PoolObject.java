package dev.tessera.workers;

import com.oracle.truffle.api.nodes.Node;
import dev.tessera.buffer.graalpy.HostObject;
import dev.tessera.buffer.interop.HostMembers;
import dev.tessera.buffer.interop.MetaType;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;
import org.agrona.concurrent.ManyToOneConcurrentLinkedQueue;

/**
 * One pool as the main interpreter's Python holds it ({@code tessera.InterpreterPool._handle}). Tasks submitted
 * from Python carry their Python future; when a task ends it is queued here for the pool's completer thread in
 * the main interpreter, which sets the futures' outcomes (so done-callbacks, concurrent.futures.wait and
 * as_completed work as CPython's). A thread blocked in {@code result()} delivers its own task's outcome instead,
 * one hand-off sooner; each outcome is delivered exactly once ({@link Task#claimDelivery}).
 */
final class PoolObject extends HostObject {
    static final MetaType META = MetaType.of("tessera._PoolHandle", PoolObject.class);
    private static final HostMembers MEMBERS = HostMembers.of(Set.of("workers"), Set.of());
    private static final Object DRAINED = new Object();

    final InterpreterPool pool;
    private final ManyToOneConcurrentLinkedQueue<Task> ended = new ManyToOneConcurrentLinkedQueue<>();
    private final WaitSet completer = new WaitSet();
    private final AtomicLong undelivered = new AtomicLong(); // submitted from Python, outcome not yet delivered

    PoolObject(InterpreterPool pool) {
        this.pool = pool;
    }

    /** Queues a task whose outcome goes to {@code pythonFuture}. */
    Task submit(TaskSpec spec, Object pythonFuture) {
        undelivered.incrementAndGet();
        try {
            return pool.submitTask(spec, this::taskEnded, pythonFuture);
        } catch (RuntimeException e) {
            undelivered.decrementAndGet();
            throw e;
        }
    }

    private void taskEnded(Task task) {
        // A thread waiting in result() for this task delivers it itself: the completer is not even woken. (The
        // waiter checks for the end after it stops waiting, so one of the two always claims the outcome.)
        if (!task.isAwaited()) {
            ended.offer(task);
            completer.signalAll();
        }
    }

    /**
     * The next tasks whose outcome the completer delivers (it claimed each), waiting for at least one; an empty
     * array once the pool is shut down and every outcome was delivered.
     */
    Task[] nextEnded(Node node, int max) throws InterruptedException {
        while (true) {
            Object got = completer.await(() -> {
                Task t = ended.poll();
                if (t != null) {
                    return t;
                }
                return pool.isShutdown() && undelivered.get() == 0 ? DRAINED : WaitSet.NOTHING;
            }, WaitSet.FOREVER, node);
            if (got == DRAINED) {
                return new Task[0];
            }
            Task[] batch = new Task[max];
            int n = 0;
            for (Task t = (Task) got; t != null; t = n < max ? ended.poll() : null) {
                giveWaiterTheFirstClaim(t);
                if (!t.isAwaited() && claim(t)) { // an awaited task is delivered by its waiter
                    batch[n++] = t;
                }
            }
            if (n > 0) {
                return java.util.Arrays.copyOf(batch, n);
            }
        }
    }

    /**
     * A task that ended moments ago may be about to be waited for: a thread that submits a task and at once calls
     * result() often arrives just after a fast task's end. Leaving it the claim for a short while spares it a
     * hand-off through this thread (and both a fight for the GIL).
     */
    private void giveWaiterTheFirstClaim(Task t) {
        long left;
        while (!t.isDeliveryClaimed() && !t.isAwaited() && !pool.isShutdown()
                && (left = WAITER_GRACE_NANOS - (System.nanoTime() - t.endedNanos())) > 0) {
            java.util.concurrent.locks.LockSupport.parkNanos(Math.min(left, 20_000));
        }
    }

    private static final long WAITER_GRACE_NANOS = 200_000;

    /** Claims the delivery of {@code task}'s outcome; true for exactly one caller. */
    boolean claim(Task task) {
        if (task.claimDelivery()) {
            if (undelivered.decrementAndGet() == 0) {
                completer.signalAll(); // the completer may be waiting to learn that everything was delivered
            }
            return true;
        }
        return false;
    }

    @Override
    protected HostMembers members() {
        return MEMBERS;
    }

    @Override
    protected MetaType metaType() {
        return META;
    }

    @Override
    protected Object read(String member) {
        return pool.workerCount();
    }

    @Override
    protected String display() {
        return pool.toString();
    }
}
