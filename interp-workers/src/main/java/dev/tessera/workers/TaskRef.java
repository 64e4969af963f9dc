package dev.tessera.workers;

import dev.tessera.buffer.graalpy.HostObject;
import dev.tessera.buffer.interop.HostMembers;
import dev.tessera.buffer.interop.MetaType;
import java.util.Set;

/** A task as the Python future that waits for it holds it ({@code Future._task}). */
final class TaskRef extends HostObject {
    static final MetaType META = MetaType.of("tessera._TaskHandle", TaskRef.class);
    private static final HostMembers MEMBERS = HostMembers.of(Set.of("id"), Set.of());

    final PoolObject pool;
    final Task task;

    TaskRef(PoolObject pool, Task task) {
        this.pool = pool;
        this.task = task;
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
        return task.id;
    }

    @Override
    protected String display() {
        return "task " + task.id + " (" + task.spec.describe() + ")";
    }
}
