package dev.tessera.codecs;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandle;

/**
 * c-blosc 1's {@code blosc_decompress_ctx} through FFM, one internal thread (the callers decompress several chunks
 * at once already). The header is checked first ({@link BloscHeader}): the library trusts the sizes in it. The
 * first call raises glibc's malloc thresholds ({@link MallocTuning}).
 */
final class LibBlosc implements Decoder {
    private static final FunctionDescriptor DECOMPRESS = FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS, JAVA_LONG, JAVA_INT);

    private final NativeLibrary library;
    private final MethodHandle decompress;
    private final MethodHandle critical;

    LibBlosc(NativeLibrary library) {
        this.library = library;
        this.decompress = library.function("blosc_decompress_ctx", DECOMPRESS);
        this.critical = library.criticalFunction("blosc_decompress_ctx", DECOMPRESS);
    }

    @Override
    public long decode(MemorySegment src, MemorySegment dst) {
        BloscHeader h = BloscHeader.read(src, dst);
        MallocTuning.applyOnce(); // its per-call scratch is reused only with raised thresholds (see there)
        int n;
        try {
            MethodHandle m = NativeLibrary.anyOnHeap(src, dst) ? critical : decompress;
            n = (int) m.invokeExact(src, dst, (long) h.nbytes(), 1);
        } catch (RuntimeException | Error e) {
            throw e;
        } catch (Throwable t) {
            throw new IllegalStateException(t);
        }
        if (n < 0 || n != h.nbytes()) {
            throw new CorruptDataException("blosc data is malformed (libblosc returned " + n + " for a " + h.nbytes() + "-byte buffer)");
        }
        return n;
    }

    @Override
    public String implementation() {
        return "c-blosc (FFM, " + library.file() + ")";
    }

    @Override
    public boolean isNative() {
        return true;
    }
}
