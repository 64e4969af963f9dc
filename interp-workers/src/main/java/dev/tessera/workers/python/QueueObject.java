package dev.tessera.workers.python;

import dev.tessera.buffer.graalpy.GuestValues;
import dev.tessera.buffer.graalpy.HostObject;
import dev.tessera.buffer.interop.HostMembers;
import dev.tessera.buffer.interop.MetaType;
import dev.tessera.buffer.values.GuestHandle;
import dev.tessera.workers.Queue;
import java.util.Set;

/**
 * A {@link Queue} as one interpreter holds it (Python class {@code tessera.Queue}). Each interpreter that receives
 * the queue gets its own object for it; all of them reach the same host queue. The operations themselves are host
 * functions ({@link QueueFunctions}).
 */
final class QueueObject extends HostObject implements GuestHandle {
    static final MetaType META = MetaType.of("tessera.Queue", QueueObject.class);
    private static final HostMembers MEMBERS = HostMembers.of(Set.of("maxsize", "closed"), Set.of());

    private final Queue queue;

    QueueObject(Queue queue) {
        super(META, MEMBERS);
        this.queue = queue;
    }

    Queue queue() {
        return queue;
    }

    /** The host queue of {@code q}, a tessera.Queue; anything else is refused (a TypeError in Python). */
    static Queue hostQueueOf(Object q) {
        if (q instanceof QueueObject o) {
            return o.queue;
        }
        throw new ClassCastException("expected a tessera.Queue, got " + GuestValues.typeName(q));
    }

    @Override
    public Object hostValue() {
        return queue;
    }

    @Override
    protected Object read(String member) {
        return member.equals("maxsize") ? (Object) queue.maxsize() : (Object) queue.isClosed();
    }

    @Override
    protected String display() {
        return queue.toString();
    }
}
