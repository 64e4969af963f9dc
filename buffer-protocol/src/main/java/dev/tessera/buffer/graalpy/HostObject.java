package dev.tessera.buffer.graalpy;

import com.oracle.truffle.api.CompilerDirectives.TruffleBoundary;
import com.oracle.truffle.api.dsl.Bind;
import com.oracle.truffle.api.interop.InteropLibrary;
import com.oracle.truffle.api.interop.TruffleObject;
import com.oracle.truffle.api.interop.UnknownIdentifierException;
import com.oracle.truffle.api.library.ExportLibrary;
import com.oracle.truffle.api.library.ExportMessage;
import com.oracle.truffle.api.nodes.Node;
import dev.tessera.buffer.interop.HostMembers;
import dev.tessera.buffer.interop.MetaType;

/**
 * What every Tessera host object that Python holds has in common, written once (as GraalPy's own
 * {@code PythonAbstractObject} does for its objects): interop members, read and invoked by name; the meta type
 * that Python registers its class for; and a display string. A subclass passes its members and meta type up, says
 * what the members do, and may export more libraries (a view exports GraalPy's buffer libraries). Failures of a member become
 * Python exceptions.
 */
@ExportLibrary(InteropLibrary.class)
public abstract class HostObject implements TruffleObject {
    private final MetaType metaType;
    private final HostMembers members;

    /** {@code metaType}: the class Python registers its own class for; {@code members}: what it has, by name. */
    protected HostObject(MetaType metaType, HostMembers members) {
        this.metaType = metaType;
        this.members = members;
    }

    /** The members of this kind of object. */
    protected final HostMembers members() {
        return members;
    }

    /** The meta type Python registers its class for. */
    protected final MetaType metaType() {
        return metaType;
    }

    /** The value of a readable member. */
    protected Object read(String member) {
        throw new UnsupportedOperationException("no readable member " + member);
    }

    /** Invokes an invocable member. */
    protected Object invoke(String member, Object[] args) {
        throw new UnsupportedOperationException("no invocable member " + member);
    }

    /** What {@code str()} of the foreign object shows. */
    protected abstract String display();

    @ExportMessage
    final boolean hasMembers() {
        return true;
    }

    @ExportMessage
    final Object getMembers(@SuppressWarnings("unused") boolean includeInternal) {
        return members().names();
    }

    @ExportMessage
    final boolean isMemberReadable(String member) {
        return members().isReadable(member);
    }

    @ExportMessage
    final boolean isMemberInvocable(String member) {
        return members().isInvocable(member);
    }

    @ExportMessage
    @TruffleBoundary
    final Object readMember(String member, @Bind("$node") Node node) throws UnknownIdentifierException {
        if (!members().isReadable(member)) {
            throw UnknownIdentifierException.create(member);
        }
        try {
            return read(member);
        } catch (RuntimeException e) {
            throw PythonErrors.fromHost(node, e);
        }
    }

    @ExportMessage
    @TruffleBoundary
    final Object invokeMember(String member, Object[] args, @Bind("$node") Node node) throws UnknownIdentifierException {
        if (!members().isInvocable(member)) {
            throw UnknownIdentifierException.create(member);
        }
        boolean gil = Gil.releaseIfHeld(node); // a member may wait or run long (see Gil)
        try {
            return invoke(member, args);
        } catch (RuntimeException e) {
            throw PythonErrors.fromHost(node, e);
        } finally {
            Gil.retake(gil);
        }
    }

    @ExportMessage
    final boolean hasMetaObject() {
        return true;
    }

    @ExportMessage
    final Object getMetaObject() {
        return metaType();
    }

    @ExportMessage
    @TruffleBoundary
    final Object toDisplayString(@SuppressWarnings("unused") boolean allowSideEffects) {
        return display();
    }
}
