package dev.tessera.workers;

import com.oracle.truffle.api.CompilerDirectives.TruffleBoundary;
import com.oracle.truffle.api.dsl.Bind;
import com.oracle.truffle.api.interop.InteropLibrary;
import com.oracle.truffle.api.interop.TruffleObject;
import com.oracle.truffle.api.interop.UnknownIdentifierException;
import com.oracle.truffle.api.library.ExportLibrary;
import com.oracle.truffle.api.library.ExportMessage;
import com.oracle.truffle.api.nodes.Node;
import dev.tessera.buffer.graalpy.HostMembers;
import dev.tessera.buffer.graalpy.PythonErrors;
import java.util.Set;

/** {@code tessera._queue_host}: creates queues, and names their class for Python to register its own. */
@ExportLibrary(InteropLibrary.class)
final class QueueHost implements TruffleObject {
    static final QueueHost INSTANCE = new QueueHost();
    private static final HostMembers MEMBERS = HostMembers.of(
            Set.of("queue_type", "unbounded_capacity"),
            Set.of("create"));

    @ExportMessage
    boolean hasMembers() {
        return true;
    }

    @ExportMessage
    Object getMembers(@SuppressWarnings("unused") boolean includeInternal) {
        return MEMBERS.names();
    }

    @ExportMessage
    @TruffleBoundary
    boolean isMemberReadable(String member) {
        return MEMBERS.isReadable(member);
    }

    @ExportMessage
    @TruffleBoundary
    boolean isMemberInvocable(String member) {
        return MEMBERS.isInvocable(member);
    }

    @ExportMessage
    @TruffleBoundary
    Object readMember(String member) throws UnknownIdentifierException {
        return switch (member) {
            case "queue_type" -> QueueObject.META;
            case "unbounded_capacity" -> Queue.UNBOUNDED_CAPACITY;
            default -> throw UnknownIdentifierException.create(member);
        };
    }

    @ExportMessage
    @TruffleBoundary
    Object invokeMember(String member, Object[] args, @Bind("$node") Node node) throws UnknownIdentifierException {
        if (!member.equals("create")) {
            throw UnknownIdentifierException.create(member);
        }
        try {
            return new QueueObject(new Queue(((Number) args[0]).intValue()));
        } catch (RuntimeException e) {
            throw PythonErrors.fromHost(node, e);
        }
    }
}
