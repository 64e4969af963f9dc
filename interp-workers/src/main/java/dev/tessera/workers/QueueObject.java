package dev.tessera.workers;

import com.oracle.truffle.api.CompilerDirectives.TruffleBoundary;
import com.oracle.truffle.api.TruffleSafepoint;
import com.oracle.truffle.api.dsl.Bind;
import com.oracle.truffle.api.interop.InteropLibrary;
import com.oracle.truffle.api.interop.TruffleObject;
import com.oracle.truffle.api.interop.UnknownIdentifierException;
import com.oracle.truffle.api.library.ExportLibrary;
import com.oracle.truffle.api.library.ExportMessage;
import com.oracle.truffle.api.nodes.Node;
import dev.tessera.buffer.graalpy.HostMembers;
import dev.tessera.buffer.graalpy.InteropArray;
import dev.tessera.buffer.graalpy.MetaType;
import dev.tessera.buffer.graalpy.PythonErrors;
import dev.tessera.buffer.graalpy.ViewBuffer;
import java.util.Set;

/**
 * A {@link Queue} as one interpreter sees it (Python class {@code tessera.Queue}). The raw calls return status
 * codes; the Python class raises {@code QueueEmpty}/{@code QueueFull}/{@code QueueClosed} from them. A blocking
 * call releases the GIL (GraalPy does so around foreign calls) and polls for cancellation while it waits, so a
 * worker blocked on a queue can still be interrupted at its deadline.
 */
@ExportLibrary(InteropLibrary.class)
public final class QueueObject implements TruffleObject {
    static final MetaType META = MetaType.of("tessera.Queue", "Queue", QueueObject.class);
    private static final HostMembers MEMBERS = HostMembers.of(
            Set.of("maxsize", "closed"),
            Set.of("_put", "_get", "qsize", "_close"));
    private static final long NO_TIMEOUT = -1;

    private final Queue queue;

    QueueObject(Queue queue) {
        this.queue = queue;
    }

    Queue queue() {
        return queue;
    }

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
            case "maxsize" -> queue.maxsize();
            case "closed" -> queue.isClosed();
            default -> throw UnknownIdentifierException.create(member);
        };
    }

    /**
     * {@code _put(value, timeout_seconds)} returns 0 (put), 1 (full) or 2 (closed); {@code _get(timeout_seconds)}
     * returns (0, value), (1, None) when empty, (2, None) when closed and drained. A negative timeout waits forever.
     */
    @ExportMessage
    @TruffleBoundary
    Object invokeMember(String member, Object[] args, @Bind("$node") Node node) throws UnknownIdentifierException {
        try {
            return switch (member) {
                case "_put" -> {
                    Object value = Shareables.fromGuest(args[0], "Queue.put()");
                    yield queue.put(value, timeoutNanos(args[1]), () -> TruffleSafepoint.poll(node)).ordinal();
                }
                case "_get" -> {
                    Queue.Got got = queue.get(timeoutNanos(args[0]), () -> TruffleSafepoint.poll(node));
                    int status = got.found() ? 0 : got.closed() ? 2 : 1;
                    // A view taken from a queue is not tied to a task: it lives until released or its array closes.
                    yield new InteropArray(status, Shareables.toGuest(got.value(), ViewBuffer::of));
                }
                case "qsize" -> queue.size();
                case "_close" -> {
                    queue.close();
                    yield true;
                }
                default -> throw UnknownIdentifierException.create(member);
            };
        } catch (RuntimeException e) {
            throw PythonErrors.fromHost(node, e);
        }
    }

    private static long timeoutNanos(Object seconds) {
        double s = ((Number) seconds).doubleValue();
        return s < 0 ? NO_TIMEOUT : (long) (s * 1e9);
    }

    @ExportMessage
    boolean hasMetaObject() {
        return true;
    }

    @ExportMessage
    Object getMetaObject() {
        return META;
    }

    @ExportMessage
    @TruffleBoundary
    Object toDisplayString(@SuppressWarnings("unused") boolean allowSideEffects) {
        return queue.toString();
    }
}
