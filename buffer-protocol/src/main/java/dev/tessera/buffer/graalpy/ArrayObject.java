package dev.tessera.buffer.graalpy;

import com.oracle.graal.python.builtins.objects.buffer.PythonBufferAcquireLibrary;
import com.oracle.truffle.api.CompilerDirectives.TruffleBoundary;
import com.oracle.truffle.api.dsl.Bind;
import com.oracle.truffle.api.interop.InteropLibrary;
import com.oracle.truffle.api.interop.TruffleObject;
import com.oracle.truffle.api.interop.UnknownIdentifierException;
import com.oracle.truffle.api.library.ExportLibrary;
import com.oracle.truffle.api.library.ExportMessage;
import com.oracle.truffle.api.nodes.Node;
import dev.tessera.shm.SharedArray;
import java.util.Set;

/**
 * A host array as Python sees it ({@code tessera.Array}). {@code memoryview(array)} gives a read-only memoryview
 * of the whole array; writing takes a lease through {@code array.slice(start, stop)}.
 */
@ExportLibrary(PythonBufferAcquireLibrary.class)
@ExportLibrary(InteropLibrary.class)
public final class ArrayObject implements TruffleObject {
    private static final HostMembers MEMBERS = HostMembers.of(
            Set.of("_shape", "format", "itemsize", "nbytes", "name", "closed"),
            Set.of("_slice", "_readonly", "_release"));

    private final SharedArray array;
    private volatile ViewBuffer wholeReadOnly; // shared by every memoryview(array): no view piles up per call

    public ArrayObject(SharedArray array) {
        this.array = array;
    }

    public SharedArray array() {
        return array;
    }

    @ExportMessage
    boolean hasBuffer() {
        return true;
    }

    @ExportMessage
    Object acquire(int flags, @Bind("$node") Node node) {
        try {
            return wholeReadOnlyView().acquireChecked(flags, node);
        } catch (RuntimeException e) {
            throw PythonErrors.fromHost(node, e);
        }
    }

    @TruffleBoundary
    private ViewBuffer wholeReadOnlyView() {
        ViewBuffer v = wholeReadOnly;
        if (v == null || !v.view.isUsable()) {
            v = ViewBuffer.of(array.readOnly());
            wholeReadOnly = v;
        }
        return v;
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
            case "_shape" -> InteropArray.ofLongs(array.shape());
            case "format" -> array.dtype().formatString();
            case "itemsize" -> array.dtype().itemSize();
            case "nbytes" -> array.byteSize();
            case "name" -> array.name();
            case "closed" -> array.isClosed();
            default -> throw UnknownIdentifierException.create(member);
        };
    }

    @ExportMessage
    @TruffleBoundary
    Object invokeMember(String member, Object[] args, @Bind("$node") Node node) throws UnknownIdentifierException {
        try {
            return switch (member) {
                case "_slice" -> {
                    HostArgs.arity("slice", args, 2);
                    yield viewOf(array.slice(HostArgs.asLong("slice", args[0]), HostArgs.asLong("slice", args[1]), "a Python view"));
                }
                case "_readonly" -> {
                    HostArgs.arity("readonly", args, 2);
                    yield viewOf(array.readOnly(HostArgs.asLong("readonly", args[0]), HostArgs.asLong("readonly", args[1])));
                }
                case "_release" -> {
                    array.close();
                    yield true;
                }
                default -> throw UnknownIdentifierException.create(member);
            };
        } catch (RuntimeException e) {
            throw PythonErrors.fromHost(node, e);
        }
    }

    private static ViewBuffer viewOf(dev.tessera.shm.ArrayView view) {
        try {
            return ViewBuffer.of(view);
        } catch (RuntimeException e) {
            view.release();
            throw e;
        }
    }

    @ExportMessage
    boolean hasMetaObject() {
        return true;
    }

    @ExportMessage
    Object getMetaObject() {
        return MetaType.ARRAY;
    }

    @ExportMessage
    @TruffleBoundary
    Object toDisplayString(@SuppressWarnings("unused") boolean allowSideEffects) {
        return array.toString();
    }
}
