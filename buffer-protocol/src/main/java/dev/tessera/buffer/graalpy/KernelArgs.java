package dev.tessera.buffer.graalpy;

import com.oracle.graal.python.builtins.objects.bytes.PBytesLike;
import com.oracle.graal.python.builtins.objects.memoryview.PMemoryView;
import com.oracle.graal.python.runtime.sequence.storage.ByteSequenceStorage;
import com.oracle.truffle.api.strings.TruffleString;
import dev.tessera.kernels.Strided;
import dev.tessera.shm.ArrayClosedException;
import dev.tessera.shm.DType;
import java.lang.foreign.MemorySegment;

/**
 * The memory a kernel's Python argument stands for, as a {@link Strided} run: a memoryview (of a Tessera view or
 * array, or of bytes/bytearray), a Tessera view, a Tessera array (read-only), or bytes/bytearray. A memoryview's own
 * format, offset and strides count (so {@code mv[::2]} or {@code mv.cast('B')} is what the kernel sees); a released
 * view, a revoked view (its task ended) or a closed array is refused.
 */
final class KernelArgs {
    private KernelArgs() {
    }

    /** The run {@code arg} stands for; {@code what} names the argument in errors. */
    static Strided strided(Object arg, String what) {
        if (arg instanceof PMemoryView mv) {
            return ofMemoryview(mv, what);
        } else if (arg instanceof ViewBuffer vb) {
            vb.checkUsableForKernels();
            return Strided.of(vb.view.uncheckedSegment(), vb.view.dtype());
        } else if (arg instanceof ArrayObject ao) {
            return Strided.of(ao.array().segment().asReadOnly(), ao.array().dtype());
        } else if (arg instanceof PBytesLike b && b.getSequenceStorage() instanceof ByteSequenceStorage s) {
            MemorySegment seg = MemorySegment.ofArray(s.getInternalByteArray()).asSlice(0, s.length());
            boolean readOnly = !(arg instanceof com.oracle.graal.python.builtins.objects.bytes.PByteArray);
            return Strided.of(readOnly ? seg.asReadOnly() : seg, DType.UINT8);
        }
        throw new ClassCastException(what + " must be a memoryview, a tessera view or array, bytes or bytearray, not "
                + GuestValues.typeName(arg));
    }

    private static Strided ofMemoryview(PMemoryView mv, String what) {
        if (mv.isReleased()) {
            throw new IllegalStateException(what + ": operation forbidden on released memoryview object");
        }
        if (mv.getBufferSuboffsets() != null) {
            throw new IllegalArgumentException(what + ": memoryviews with suboffsets are not supported");
        }
        MemorySegment base;
        Object buffer = mv.getBuffer();
        if (buffer instanceof ViewBuffer vb) {
            vb.checkUsableForKernels();
            base = vb.view.uncheckedSegment();
        } else if (buffer instanceof PBytesLike b && b.getSequenceStorage() instanceof ByteSequenceStorage s) {
            base = MemorySegment.ofArray(s.getInternalByteArray());
        } else if (buffer instanceof ByteSequenceStorage s) {
            base = MemorySegment.ofArray(s.getInternalByteArray());
        } else {
            throw new ClassCastException(what + ": a memoryview of " + buffer.getClass().getSimpleName() + " is not supported "
                    + "(tessera views and arrays, bytes and bytearray are)");
        }
        if (mv.isReadOnly()) {
            base = base.asReadOnly();
        }
        TruffleString format = mv.getFormatString();
        DType dtype = DType.parse(format == null ? "B" : format.toJavaStringUncached());
        if (dtype.itemSize() != mv.getItemSize()) {
            throw new IllegalArgumentException(what + ": format " + dtype.formatString() + " with item size " + mv.getItemSize());
        }
        int ndim = mv.getDimensions();
        long count;
        long stride;
        if (ndim == 0) {
            count = 1;
            stride = dtype.itemSize();
        } else if (ndim == 1) {
            count = mv.getBufferShape()[0];
            stride = mv.getBufferStrides()[0];
        } else if (mv.isCContiguous()) {
            count = mv.getLength() / dtype.itemSize();
            stride = dtype.itemSize();
        } else {
            throw new IllegalArgumentException(what + ": a " + ndim + "-d memoryview must be C-contiguous");
        }
        return new Strided(base, dtype, mv.getOffset(), count, stride);
    }

    /** Any Python failure to reach memory of a closed array reads as the array having been released. */
    static RuntimeException closed(IllegalStateException e) {
        return new ArrayClosedException("the array was released: its memory is gone");
    }
}
