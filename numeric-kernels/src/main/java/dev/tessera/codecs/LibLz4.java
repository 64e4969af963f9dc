package dev.tessera.codecs;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;

import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandle;

/** liblz4's {@code LZ4_decompress_safe} (bounds-checked on both buffers) through FFM; one block of at most 2 GiB. */
final class LibLz4 implements Decoder {
    private static final FunctionDescriptor DECOMPRESS = FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS, JAVA_INT, JAVA_INT);

    private final NativeLibrary library;
    private final MethodHandle decompress;
    private final MethodHandle critical;

    LibLz4(NativeLibrary library) {
        this.library = library;
        this.decompress = library.function("LZ4_decompress_safe", DECOMPRESS);
        this.critical = library.criticalFunction("LZ4_decompress_safe", DECOMPRESS);
    }

    @Override
    public long decode(MemorySegment src, MemorySegment dst) {
        if (src.byteSize() > Integer.MAX_VALUE) {
            throw new CorruptDataException("an lz4 block of " + src.byteSize() + " bytes is larger than the format allows");
        }
        int capacity = (int) Math.min(dst.byteSize(), Integer.MAX_VALUE);
        int n;
        try {
            MethodHandle m = NativeLibrary.anyOnHeap(src, dst) ? critical : decompress;
            n = (int) m.invokeExact(src, dst, (int) src.byteSize(), capacity);
        } catch (RuntimeException | Error e) {
            throw e;
        } catch (Throwable t) {
            throw new IllegalStateException(t);
        }
        if (n < 0) {
            throw new CorruptDataException("lz4 data is malformed, truncated, or decompresses to more than the " + dst.byteSize()
                    + "-byte destination (liblz4: error at input byte " + (-n - 1) + ")");
        }
        return n;
    }

    @Override
    public String implementation() {
        return "liblz4 (FFM, " + library.file() + ")";
    }

    @Override
    public boolean isNative() {
        return true;
    }
}
