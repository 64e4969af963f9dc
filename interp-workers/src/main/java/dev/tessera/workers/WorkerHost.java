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
import dev.tessera.shm.ArrayView;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * The host side of one worker interpreter ({@code tessera._worker_host}): where its task runner reports the
 * outcome of a task, converted to host form at once so that nothing of the interpreter escapes it.
 */
@ExportLibrary(InteropLibrary.class)
final class WorkerHost implements TruffleObject {
    private static final HostMembers MEMBERS = HostMembers.of(
            Set.of(),
            Set.of("succeed", "fail"));

    /** The outcome of the task being run: a host-form result, or a WorkerException. */
    record Outcome(Object result, RuntimeException error) {
    }

    private volatile Outcome outcome;

    Outcome takeOutcome() {
        Outcome o = outcome;
        outcome = null;
        return o;
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
    boolean isMemberInvocable(String member) {
        return MEMBERS.isInvocable(member);
    }

    @ExportMessage
    @TruffleBoundary
    Object invokeMember(String member, Object[] args, @Bind("$node") Node node) throws UnknownIdentifierException {
        try {
            switch (member) {
                case "succeed" -> {
                    Object result = Shareables.fromGuest(args[0], "the task's result");
                    List<ArrayView> views = new ArrayList<>();
                    Shareables.collectViews(result, views);
                    if (!views.isEmpty()) { // a view handed back would outlive the task that owned it
                        throw new NotShareableException("the task's result", "tessera.View (return data, or send the view through a queue)");
                    }
                    outcome = new Outcome(result, null);
                }
                case "fail" -> outcome = new Outcome(null, new WorkerException(
                        Shareables.fromGuest(args[0], "type").toString(),
                        Shareables.fromGuest(args[1], "message").toString(),
                        Shareables.fromGuest(args[2], "traceback").toString()));
                default -> throw UnknownIdentifierException.create(member);
            }
            return true;
        } catch (RuntimeException e) {
            throw PythonErrors.fromHost(node, e);
        }
    }
}
