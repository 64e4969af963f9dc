package dev.tessera.buffer.graalpy;

import com.oracle.truffle.api.CompilerDirectives.TruffleBoundary;
import com.oracle.truffle.api.dsl.Bind;
import com.oracle.truffle.api.interop.InteropLibrary;
import com.oracle.truffle.api.interop.TruffleObject;
import com.oracle.truffle.api.interop.UnknownIdentifierException;
import com.oracle.truffle.api.library.ExportLibrary;
import com.oracle.truffle.api.library.ExportMessage;
import com.oracle.truffle.api.nodes.Node;
import dev.tessera.shm.ArrayStore;
import dev.tessera.shm.ArrayView;
import dev.tessera.shm.DType;
import dev.tessera.shm.SharedArray;
import java.util.Set;

/**
 * The host side of the {@code tessera} module's array functions in one interpreter: allocation in the store the
 * interpreter was given, and the classes Python registers its own types for. Failures arrive in Python as Python
 * exceptions (see {@link PythonErrors}).
 */
@ExportLibrary(InteropLibrary.class)
public final class ArrayHost implements TruffleObject {
    private static final HostMembers MEMBERS = HostMembers.of(
            Set.of("array_type", "view_type", "tuple_type", "bytes_type", "none_type", "bigint_type", "bytes_in_use", "live_arrays", "lease_count"),
            Set.of("allocate"));

    private final ArrayStore store;

    public ArrayHost(ArrayStore store) {
        this.store = store;
    }

    public ArrayStore store() {
        return store;
    }

    /** Wraps a host array for Python. */
    public static Object toPython(SharedArray array) {
        return new ArrayObject(array);
    }

    /** Wraps a host view for Python; the view arrives as a buffer that {@code memoryview()} accepts. */
    public static Object toPython(ArrayView view) {
        return ViewBuffer.of(view);
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
    boolean isMemberInvocable(String member) {
        return MEMBERS.isInvocable(member);
    }

    @ExportMessage
    @TruffleBoundary
    Object readMember(String member) throws UnknownIdentifierException {
        return switch (member) {
            case "array_type" -> MetaType.ARRAY;
            case "view_type" -> MetaType.VIEW;
            case "tuple_type" -> MetaType.TUPLE;
            case "bytes_type" -> MetaType.BYTES;
            case "none_type" -> MetaType.NONE;
            case "bigint_type" -> MetaType.BIGINT;
            case "bytes_in_use" -> store.bytesInUse();
            case "live_arrays" -> store.liveArrays().size();
            case "lease_count" -> store.leaseCount();
            default -> throw UnknownIdentifierException.create(member);
        };
    }

    /** {@code allocate(shape: tuple[int, ...], format: str, name: str | None)}: a zero-filled array. */
    @ExportMessage
    @TruffleBoundary
    Object invokeMember(String member, Object[] args, @Bind("$node") Node node) throws UnknownIdentifierException {
        if (!"allocate".equals(member)) {
            throw UnknownIdentifierException.create(member);
        }
        try {
            HostArgs.arity("allocate", args, 3);
            long[] shape = HostArgs.asLongs("allocate", args[0]);
            DType dtype = DType.parse(HostArgs.asString("allocate", args[1]));
            String name = HostArgs.asStringOrNull("allocate", args[2]);
            return new ArrayObject(store.allocate(name, dtype, shape));
        } catch (RuntimeException e) {
            throw PythonErrors.fromHost(node, e);
        }
    }
}
