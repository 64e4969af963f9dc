package dev.tessera.buffer.graalpy;

import static com.oracle.graal.python.builtins.PythonBuiltinClassType.BufferError;
import static dev.tessera.buffer.graalpy.BufferLayouts.*;

import com.oracle.graal.python.builtins.objects.buffer.BufferFlags;
import com.oracle.graal.python.builtins.objects.buffer.PythonBufferAccessLibrary;
import com.oracle.graal.python.builtins.objects.buffer.PythonBufferAcquireLibrary;
import com.oracle.graal.python.util.PythonUtils;
import com.oracle.truffle.api.CompilerDirectives;
import com.oracle.truffle.api.CompilerDirectives.TruffleBoundary;
import com.oracle.truffle.api.dsl.Bind;
import com.oracle.truffle.api.library.ExportLibrary;
import com.oracle.truffle.api.library.ExportMessage;
import com.oracle.truffle.api.nodes.Node;
import com.oracle.truffle.api.strings.TruffleString;
import dev.tessera.buffer.BufferSpec;
import dev.tessera.buffer.interop.HostMembers;
import dev.tessera.buffer.interop.InteropArray;
import dev.tessera.buffer.interop.MetaType;
import dev.tessera.buffer.values.GuestHandle;
import dev.tessera.shm.ArrayView;
import dev.tessera.shm.SharedArray;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.util.Set;

/**
 * A Tessera view as GraalPy sees it: a Truffle object exporting GraalPy's buffer libraries, so that
 * {@code memoryview(view)} is a genuine memoryview over host memory with the view's format. Every read and write
 * is one FFM access on the view's segment (bounds- and liveness-checked by FFM); every failure becomes a Python
 * exception.
 *
 * <p>Revocation: when the view is released (its lease ends, its task ends, its array closes) the view is marked
 * revoked, so a memoryview kept past that point refuses every later access with a ValueError.
 */
@ExportLibrary(PythonBufferAcquireLibrary.class)
@ExportLibrary(PythonBufferAccessLibrary.class)
public final class ViewBuffer extends HostObject implements GuestHandle {
    /** The interop class of views; Python registers {@code tessera.View} for it. */
    public static final MetaType META = MetaType.of("tessera.View", ViewBuffer.class);

    /**
     * The class of every segment Tessera hands out (shm-core makes mapped files native segments too). Accesses
     * cast to it exactly: Truffle's partial evaluator does not know a field's concrete class, so a plain
     * {@code segment.set(...)} stays an interface call; with the exact class it inlines to a checked store.
     * Measured: about 3x the write rate.
     */
    private static final Class<? extends MemorySegment> SEGMENT_CLASS = SharedArray.segmentClass();

    private static final HostMembers MEMBERS = HostMembers.of(
            Set.of("_shape", "format", "itemsize", "nbytes", "readonly", "start", "stop", "released"),
            Set.of("_release"));

    final ArrayView view;
    private final MemorySegment segment;
    private final int length;
    private final boolean readonly;
    private final int itemSize;
    private final TruffleString format;
    // Plain, not volatile, and not an Assumption: a per-object assumption is not a compile-time constant here and
    // its volatile read stopped the compiler from hoisting the loop's loads (measured 3x slower). A loop already
    // running may finish on its hoisted copy; every later call sees the flag (task hand-offs order the write).
    // Memory safety never rests on this flag: a closed array's arena refuses every access in FFM itself.
    private boolean revoked;

    private ViewBuffer(ArrayView view, BufferSpec spec) {
        super(META, MEMBERS);
        this.view = view;
        this.segment = view.uncheckedSegment();
        if (segment.getClass() != SEGMENT_CLASS) {
            throw new IllegalStateException("unexpected segment class " + segment.getClass().getName());
        }
        this.length = (int) spec.nbytes();
        this.readonly = spec.readonly();
        this.itemSize = spec.itemSize();
        this.format = PythonUtils.toTruffleStringUncached(spec.format());
        view.onRelease(() -> revoked = true);
    }

    /**
     * Wraps a view for Python. Refuses views that one memoryview cannot cover (more than 2 GiB - 1 bytes).
     */
    public static ViewBuffer of(ArrayView view) {
        BufferSpec spec = BufferSpec.of(view);
        spec.checkFitsOneMemoryview(view.describe());
        view.checkUsable();
        return new ViewBuffer(view, spec);
    }

    public ArrayView view() {
        return view;
    }

    /** Throws (a host exception) if this view was revoked, released, or its array closed: kernels check once per call. */
    void checkUsableForKernels() {
        if (revoked) {
            throw new dev.tessera.shm.ArrayClosedException(ViewFailures.releasedMessage(view));
        }
        view.checkUsable();
    }

    private MemorySegment seg() {
        return CompilerDirectives.castExact(segment, SEGMENT_CLASS);
    }

    // ---- liveness (its failures: ViewFailures) ---------------------------------------------------------------

    private void checkLive(Node node) {
        if (revoked) {
            throw ViewFailures.released(node, view);
        }
    }

    // ---- PythonBufferAcquireLibrary ---------------------------------------------------------------------------

    @ExportMessage
    boolean hasBuffer() {
        return true;
    }

    @ExportMessage
    Object acquire(int flags, @Bind("$node") Node node) {
        return acquireChecked(flags, node);
    }

    Object acquireChecked(int flags, Node node) {
        checkLive(node);
        if (readonly && BufferFlags.requestsWritable(flags)) {
            throw PythonErrors.raise(node, BufferError, ViewFailures.readOnly(view));
        }
        return this;
    }

    // ---- PythonBufferAccessLibrary ----------------------------------------------------------------------------

    @ExportMessage
    boolean isBuffer() {
        return true;
    }

    @ExportMessage
    int getBufferLength() {
        return length;
    }

    @ExportMessage
    boolean isReadonly() {
        return readonly;
    }

    @ExportMessage
    int getItemSize() {
        return itemSize;
    }

    @ExportMessage
    TruffleString getFormatString() {
        return format;
    }

    @ExportMessage
    void release() {
        // memoryview.release() does not reach here in GraalPy 25.0.3; Tessera ends views itself (see class doc).
    }

    @ExportMessage
    byte readByte(int off, @Bind("$node") Node node) {
        checkLive(node);
        try {
            return seg().get(ValueLayout.JAVA_BYTE, off);
        } catch (IndexOutOfBoundsException | IllegalStateException e) {
            throw ViewFailures.accessFailed(node, e, view, length);
        }
    }

    @ExportMessage
    void writeByte(int off, byte value, @Bind("$node") Node node) {
        checkLive(node);
        try {
            seg().set(ValueLayout.JAVA_BYTE, off, value);
        } catch (IndexOutOfBoundsException | IllegalStateException | IllegalArgumentException e) {
            throw ViewFailures.accessFailed(node, e, view, length);
        }
    }

    @ExportMessage
    short readShort(int off, @Bind("$node") Node node) {
        return readShortByteOrder(off, ByteOrder.nativeOrder(), node);
    }

    @ExportMessage
    short readShortByteOrder(int off, ByteOrder order, @Bind("$node") Node node) {
        checkLive(node);
        try {
            return order == NATIVE ? seg().get(I16, off) : seg().get(I16_SWAPPED, off);
        } catch (IndexOutOfBoundsException | IllegalStateException e) {
            throw ViewFailures.accessFailed(node, e, view, length);
        }
    }

    @ExportMessage
    void writeShort(int off, short value, @Bind("$node") Node node) {
        writeShortByteOrder(off, value, ByteOrder.nativeOrder(), node);
    }

    @ExportMessage
    void writeShortByteOrder(int off, short value, ByteOrder order, @Bind("$node") Node node) {
        checkLive(node);
        try {
            if (order == NATIVE) {
                seg().set(I16, off, value);
            } else {
                seg().set(I16_SWAPPED, off, value);
            }
        } catch (IndexOutOfBoundsException | IllegalStateException | IllegalArgumentException e) {
            throw ViewFailures.accessFailed(node, e, view, length);
        }
    }

    @ExportMessage
    int readInt(int off, @Bind("$node") Node node) {
        return readIntByteOrder(off, ByteOrder.nativeOrder(), node);
    }

    @ExportMessage
    int readIntByteOrder(int off, ByteOrder order, @Bind("$node") Node node) {
        checkLive(node);
        try {
            return order == NATIVE ? seg().get(I32, off) : seg().get(I32_SWAPPED, off);
        } catch (IndexOutOfBoundsException | IllegalStateException e) {
            throw ViewFailures.accessFailed(node, e, view, length);
        }
    }

    @ExportMessage
    void writeInt(int off, int value, @Bind("$node") Node node) {
        writeIntByteOrder(off, value, ByteOrder.nativeOrder(), node);
    }

    @ExportMessage
    void writeIntByteOrder(int off, int value, ByteOrder order, @Bind("$node") Node node) {
        checkLive(node);
        try {
            if (order == NATIVE) {
                seg().set(I32, off, value);
            } else {
                seg().set(I32_SWAPPED, off, value);
            }
        } catch (IndexOutOfBoundsException | IllegalStateException | IllegalArgumentException e) {
            throw ViewFailures.accessFailed(node, e, view, length);
        }
    }

    @ExportMessage
    long readLong(int off, @Bind("$node") Node node) {
        return readLongByteOrder(off, ByteOrder.nativeOrder(), node);
    }

    @ExportMessage
    long readLongByteOrder(int off, ByteOrder order, @Bind("$node") Node node) {
        checkLive(node);
        try {
            return order == NATIVE ? seg().get(I64, off) : seg().get(I64_SWAPPED, off);
        } catch (IndexOutOfBoundsException | IllegalStateException e) {
            throw ViewFailures.accessFailed(node, e, view, length);
        }
    }

    @ExportMessage
    void writeLong(int off, long value, @Bind("$node") Node node) {
        writeLongByteOrder(off, value, ByteOrder.nativeOrder(), node);
    }

    @ExportMessage
    void writeLongByteOrder(int off, long value, ByteOrder order, @Bind("$node") Node node) {
        checkLive(node);
        try {
            if (order == NATIVE) {
                seg().set(I64, off, value);
            } else {
                seg().set(I64_SWAPPED, off, value);
            }
        } catch (IndexOutOfBoundsException | IllegalStateException | IllegalArgumentException e) {
            throw ViewFailures.accessFailed(node, e, view, length);
        }
    }

    @ExportMessage
    float readFloat(int off, @Bind("$node") Node node) {
        return readFloatByteOrder(off, ByteOrder.nativeOrder(), node);
    }

    @ExportMessage
    float readFloatByteOrder(int off, ByteOrder order, @Bind("$node") Node node) {
        checkLive(node);
        try {
            return order == NATIVE ? seg().get(F32, off) : seg().get(F32_SWAPPED, off);
        } catch (IndexOutOfBoundsException | IllegalStateException e) {
            throw ViewFailures.accessFailed(node, e, view, length);
        }
    }

    @ExportMessage
    void writeFloat(int off, float value, @Bind("$node") Node node) {
        writeFloatByteOrder(off, value, ByteOrder.nativeOrder(), node);
    }

    @ExportMessage
    void writeFloatByteOrder(int off, float value, ByteOrder order, @Bind("$node") Node node) {
        checkLive(node);
        try {
            if (order == NATIVE) {
                seg().set(F32, off, value);
            } else {
                seg().set(F32_SWAPPED, off, value);
            }
        } catch (IndexOutOfBoundsException | IllegalStateException | IllegalArgumentException e) {
            throw ViewFailures.accessFailed(node, e, view, length);
        }
    }

    @ExportMessage
    double readDouble(int off, @Bind("$node") Node node) {
        return readDoubleByteOrder(off, ByteOrder.nativeOrder(), node);
    }

    @ExportMessage
    double readDoubleByteOrder(int off, ByteOrder order, @Bind("$node") Node node) {
        checkLive(node);
        try {
            return order == NATIVE ? seg().get(F64, off) : seg().get(F64_SWAPPED, off);
        } catch (IndexOutOfBoundsException | IllegalStateException e) {
            throw ViewFailures.accessFailed(node, e, view, length);
        }
    }

    @ExportMessage
    void writeDouble(int off, double value, @Bind("$node") Node node) {
        writeDoubleByteOrder(off, value, ByteOrder.nativeOrder(), node);
    }

    @ExportMessage
    void writeDoubleByteOrder(int off, double value, ByteOrder order, @Bind("$node") Node node) {
        checkLive(node);
        try {
            if (order == NATIVE) {
                seg().set(F64, off, value);
            } else {
                seg().set(F64_SWAPPED, off, value);
            }
        } catch (IndexOutOfBoundsException | IllegalStateException | IllegalArgumentException e) {
            throw ViewFailures.accessFailed(node, e, view, length);
        }
    }

    /** Bulk read ({@code bytes(mv)}, {@code mv.tolist()}, slicing): one segment copy. */
    @ExportMessage
    void readIntoByteArray(int srcOffset, byte[] dest, int destOffset, int len, @Bind("$node") Node node) {
        checkLive(node);
        try {
            MemorySegment.copy(seg(), ValueLayout.JAVA_BYTE, srcOffset, dest, destOffset, len);
        } catch (IndexOutOfBoundsException | IllegalStateException e) {
            throw ViewFailures.accessFailed(node, e, view, length);
        }
    }

    /** Bulk write ({@code mv[a:b] = ...}): one segment copy. */
    @ExportMessage
    void writeFromByteArray(int destOffset, byte[] src, int srcOffset, int len, @Bind("$node") Node node) {
        checkLive(node);
        try {
            MemorySegment.copy(src, srcOffset, seg(), ValueLayout.JAVA_BYTE, destOffset, len);
        } catch (IndexOutOfBoundsException | IllegalStateException | IllegalArgumentException e) {
            throw ViewFailures.accessFailed(node, e, view, length);
        }
    }

    // ---- members the Python class tessera.View builds on ---------------------------------------------------

    @Override
    protected Object read(String member) {
        return switch (member) {
            case "_shape" -> InteropArray.ofLongs(view.shape());
            case "format" -> view.dtype().formatString();
            case "itemsize" -> itemSize;
            case "nbytes" -> (long) length;
            case "readonly" -> readonly;
            case "start" -> view.start();
            case "stop" -> view.stop();
            case "released" -> !view.isUsable();
            default -> throw new UnsupportedOperationException(member);
        };
    }

    @Override
    protected Object invoke(String member, Object[] args) {
        view.release();
        return true;
    }

    @Override
    protected String display() {
        return view.describe();
    }

    @Override
    public Object hostValue() {
        return view;
    }
}
