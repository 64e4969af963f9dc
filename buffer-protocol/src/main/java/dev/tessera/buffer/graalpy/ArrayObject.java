package dev.tessera.buffer.graalpy;

import com.oracle.graal.python.builtins.objects.buffer.PythonBufferAcquireLibrary;
import com.oracle.truffle.api.CompilerDirectives.TruffleBoundary;
import com.oracle.truffle.api.dsl.Bind;
import com.oracle.truffle.api.library.ExportLibrary;
import com.oracle.truffle.api.library.ExportMessage;
import com.oracle.truffle.api.nodes.Node;
import dev.tessera.buffer.interop.HostMembers;
import dev.tessera.buffer.interop.InteropArray;
import dev.tessera.buffer.interop.MetaType;
import dev.tessera.shm.ArrayView;
import dev.tessera.shm.SharedArray;
import java.util.Set;

/**
 * A host array as Python sees it ({@code tessera.Array}). {@code memoryview(array)} gives a read-only memoryview
 * of the whole array; writing takes a lease through {@code array.slice(start, stop)}.
 */
@ExportLibrary(PythonBufferAcquireLibrary.class)
public final class ArrayObject extends HostObject {
    /** The interop class of arrays; Python registers {@code tessera.Array} for it. */
    public static final MetaType META = MetaType.of("tessera.Array", ArrayObject.class);

    private static final HostMembers MEMBERS = HostMembers.of(
            Set.of("_shape", "format", "itemsize", "nbytes", "name", "closed"),
            Set.of("_slice", "_readonly", "_release"));

    private final SharedArray array;
    private volatile ViewBuffer wholeReadOnly; // shared by every memoryview(array): no view piles up per call

    public ArrayObject(SharedArray array) {
        super(META, MEMBERS);
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

    @Override
    protected Object read(String member) {
        return switch (member) {
            case "_shape" -> InteropArray.ofLongs(array.shape());
            case "format" -> array.dtype().formatString();
            case "itemsize" -> array.dtype().itemSize();
            case "nbytes" -> array.byteSize();
            case "name" -> array.name();
            case "closed" -> array.isClosed();
            default -> throw new UnsupportedOperationException(member);
        };
    }

    /** {@code _slice(start, stop)}, {@code _readonly(start, stop)}: bounds already normalised by Python. */
    @Override
    protected Object invoke(String member, Object[] args) {
        return switch (member) {
            case "_slice" -> viewOf(array.slice(GuestArgs.asLong(args[0], "start"), GuestArgs.asLong(args[1], "stop"), "a Python view"));
            case "_readonly" -> viewOf(array.readOnly(GuestArgs.asLong(args[0], "start"), GuestArgs.asLong(args[1], "stop")));
            case "_release" -> {
                array.close();
                yield true;
            }
            default -> throw new UnsupportedOperationException(member);
        };
    }

    private static ViewBuffer viewOf(ArrayView view) {
        try {
            return ViewBuffer.of(view);
        } catch (RuntimeException e) {
            view.release();
            throw e;
        }
    }

    @Override
    protected String display() {
        return array.toString();
    }
}
