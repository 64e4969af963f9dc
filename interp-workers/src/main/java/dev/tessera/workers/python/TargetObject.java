package dev.tessera.workers.python;

import dev.tessera.buffer.graalpy.GuestValues;
import dev.tessera.buffer.graalpy.HostObject;
import dev.tessera.buffer.interop.HostMembers;
import dev.tessera.buffer.interop.MetaType;
import dev.tessera.workers.TaskTarget;
import java.util.Set;

/**
 * A {@link TaskTarget} as Python holds it: made once in the main interpreter ({@code _host.target_function(module,
 * qualname, main_file)} or {@code _host.target_source(code, entry)}), handed to the pool whole, and read by name in a
 * worker ({@code target.module}, {@code target.qualname}, {@code target.main_file}, {@code target.source},
 * {@code target.entry}; None where it has none). So the target's fields are named in one place, the record.
 */
final class TargetObject extends HostObject {
    static final MetaType META = MetaType.of("tessera._Target", TargetObject.class);
    private static final HostMembers MEMBERS = HostMembers.of(Set.of("module", "qualname", "main_file", "source", "entry"), Set.of());

    final TaskTarget target;

    TargetObject(TaskTarget target) {
        super(META, MEMBERS);
        this.target = target;
    }

    @Override
    protected Object read(String member) {
        String value = switch (member) {
            case "module" -> target.module();
            case "qualname" -> target.qualname();
            case "main_file" -> target.mainFile();
            case "source" -> target.source();
            case "entry" -> target.entry();
            default -> throw new UnsupportedOperationException(member);
        };
        return value == null ? GuestValues.none() : value;
    }

    @Override
    protected String display() {
        return "target " + target.describe();
    }

    static TaskTarget of(Object v, String what) {
        if (v instanceof TargetObject t) {
            return t.target;
        }
        throw new ClassCastException(what + " must be a task target, not " + GuestValues.typeName(v));
    }
}
