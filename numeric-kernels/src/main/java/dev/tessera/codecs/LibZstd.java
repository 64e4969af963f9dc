package dev.tessera.codecs;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandle;
import java.util.concurrent.ConcurrentLinkedQueue;

/** libzstd's {@code ZSTD_decompressDCtx} through FFM, with decompression contexts pooled as {@link LibDeflate} pools its own. */
final class LibZstd implements Decoder {
    private static final FunctionDescriptor DECOMPRESS = FunctionDescriptor.of(JAVA_LONG, ADDRESS, ADDRESS, JAVA_LONG, ADDRESS, JAVA_LONG);

    private final NativeLibrary library;
    private final MethodHandle create;
    private final MethodHandle decompress;
    private final MethodHandle critical;
    private final MethodHandle isError;
    private final MethodHandle errorName;
    private final ConcurrentLinkedQueue<MemorySegment> pool = new ConcurrentLinkedQueue<>();

    LibZstd(NativeLibrary library) {
        this.library = library;
        this.create = library.function("ZSTD_createDCtx", FunctionDescriptor.of(ADDRESS));
        this.decompress = library.function("ZSTD_decompressDCtx", DECOMPRESS);
        this.critical = library.criticalFunction("ZSTD_decompressDCtx", DECOMPRESS);
        this.isError = library.function("ZSTD_isError", FunctionDescriptor.of(JAVA_INT, JAVA_LONG));
        this.errorName = library.function("ZSTD_getErrorName", FunctionDescriptor.of(ADDRESS, JAVA_LONG));
    }

    @Override
    public long decode(MemorySegment src, MemorySegment dst) {
        MemorySegment ctx = pool.poll();
        try {
            if (ctx == null) {
                ctx = (MemorySegment) create.invokeExact();
                if (ctx.equals(MemorySegment.NULL)) {
                    throw new OutOfMemoryError("ZSTD_createDCtx returned NULL");
                }
            }
            MethodHandle m = NativeLibrary.anyOnHeap(src, dst) ? critical : decompress;
            long n = (long) m.invokeExact(ctx, dst, dst.byteSize(), src, src.byteSize());
            if ((int) isError.invokeExact(n) != 0) {
                MemorySegment name = (MemorySegment) errorName.invokeExact(n);
                String why = name.reinterpret(256).getString(0);
                if (why.contains("too small")) {
                    throw new CorruptDataException("zstd data decompresses to more than the " + dst.byteSize() + "-byte destination");
                }
                throw new CorruptDataException("zstd data is malformed or truncated (libzstd: " + why + ")");
            }
            return n;
        } catch (RuntimeException | Error e) {
            throw e;
        } catch (Throwable t) {
            throw new IllegalStateException(t);
        } finally {
            if (ctx != null) {
                pool.add(ctx);
            }
        }
    }

    @Override
    public String implementation() {
        return "libzstd (FFM, " + library.file() + ")";
    }

    @Override
    public boolean isNative() {
        return true;
    }
}
