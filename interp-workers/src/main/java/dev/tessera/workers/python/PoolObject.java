package dev.tessera.workers.python;

import com.oracle.truffle.api.nodes.Node;
import dev.tessera.buffer.graalpy.HostObject;
import dev.tessera.buffer.interop.HostMembers;
import dev.tessera.buffer.interop.MetaType;
import dev.tessera.workers.InterpreterPool;
import dev.tessera.workers.TaskSpec;
import dev.tessera.workers.WaitSet;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;
import org.agrona.concurrent.ManyToOneConcurrentLinkedQueue;

/**
 * One pool as the main interpreter's Python holds it ({@code tessera.InterpreterPool._handle}). Tasks submitted
 * from Python carry their Python future. A future's outcome is taken from here when Python asks for it (a thread
 * blocked in {@code result()} is woken by the task's end itself); a future that someone waits for otherwise (a
 * done-callback, concurrent.futures.wait, as_completed) is "wanted", and its outcome is queued for the pool's
 * completer thread in the main interpreter, which sets it. Each outcome is delivered exactly once
 * ({@link TaskRef#claimDelivery}); no thread wakes for an outcome nobody waits for.
 */
final class PoolObject extends HostObject {
    static final MetaType META = MetaType.of("tessera._PoolHandle", PoolObject.class);
    private static final HostMembers MEMBERS = HostMembers.of(Set.of("workers"), Set.of());
    private static final Object DRAINED = new Object();

    final InterpreterPool pool;
    private final ManyToOneConcurrentLinkedQueue<TaskRef> ended = new ManyToOneConcurrentLinkedQueue<>();
    private final WaitSet completer = new WaitSet();
    private final AtomicLong pendingWanted = new AtomicLong(); // wanted by the completer, outcome not yet claimed

    PoolObject(InterpreterPool pool) {
        super(META, MEMBERS);
        this.pool = pool;
    }

    /** Queues a task whose outcome goes to {@code pythonFuture}; the handle the future keeps. */
    TaskRef submit(TaskSpec spec, Object pythonFuture) {
        TaskRef ref = new TaskRef(this, pythonFuture);
        ref.bind(pool.submitTask(spec, t -> taskEnded((TaskRef) t.attachment()), ref));
        return ref;
    }

    private void taskEnded(TaskRef task) {
        // Only a wanted outcome goes to the completer (and not even that while a result() waits for it: the waiter
        // checks for the end after it stops waiting, so one of the two always claims it).
        if (task.isWanted() && !task.isAwaited()) {
            ended.offer(task);
            completer.signalAll();
        } else if (pool.isShutdown()) {
            completer.signalAll(); // the completer may be waiting for the pool to drain
        }
    }

    /** Someone waits for {@code task} without calling result(): the completer will deliver it. */
    void want(TaskRef task) {
        if (task.markWanted()) {
            pendingWanted.incrementAndGet();
            if (task.isDeliveryClaimed()) {
                settle(task);
            } else if (task.task().hasOutcome()) {
                ended.offer(task);
                completer.signalAll();
            }
        }
    }

    /**
     * The next tasks whose outcome the completer delivers (it claimed each), waiting for at least one; an empty
     * array once the pool is shut down, has no task left, and every wanted outcome was delivered.
     */
    TaskRef[] nextEnded(Node node, int max) throws InterruptedException {
        while (true) {
            Object got = completer.await(() -> {
                TaskRef t = ended.poll();
                if (t != null) {
                    return t;
                }
                return pool.isDrained() && pendingWanted.get() == 0 ? DRAINED : WaitSet.NOTHING;
            }, WaitSet.FOREVER, node);
            if (got == DRAINED) {
                return new TaskRef[0];
            }
            TaskRef[] batch = new TaskRef[max];
            int n = 0;
            for (TaskRef t = (TaskRef) got; t != null; t = n < max ? ended.poll() : null) {
                if (!t.isAwaited() && claim(t)) { // an awaited task is delivered by its waiter
                    batch[n++] = t;
                }
            }
            if (n > 0) {
                return java.util.Arrays.copyOf(batch, n);
            }
        }
    }

    /** Claims the delivery of {@code task}'s outcome; true for exactly one caller. */
    boolean claim(TaskRef task) {
        if (task.claimDelivery()) {
            settle(task);
            return true;
        }
        return false;
    }

    private void settle(TaskRef task) {
        if (task.settleWanted() && pendingWanted.decrementAndGet() == 0) {
            completer.signalAll(); // the completer may be waiting to learn that everything was delivered
        }
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
