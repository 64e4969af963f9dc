package dev.tessera.codecs;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandle;
import java.util.concurrent.ConcurrentLinkedQueue;

/**
 * libdeflate's whole-buffer decompressors (zlib, raw deflate, gzip; they check the zlib Adler-32 and gzip CRC-32)
 * through FFM. A decompressor object (about 10 KB of tables) is taken from a pool per call and put back, so threads
 * never share one and the pool holds at most as many as ever ran at once.
 */
final class LibDeflate {
    private static final FunctionDescriptor DECOMPRESS = FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS, JAVA_LONG, ADDRESS,
            JAVA_LONG, ADDRESS);
    private static final int SUCCESS = 0;
    private static final int BAD_DATA = 1;
    private static final int INSUFFICIENT_SPACE = 3;

    private final NativeLibrary library;
    private final MethodHandle alloc;
    private final MethodHandle[] decompress = new MethodHandle[3];
    private final MethodHandle[] critical = new MethodHandle[3];
    private final ConcurrentLinkedQueue<Handle> pool = new ConcurrentLinkedQueue<>();

    /** One decompressor and the slot it reports its output size in; both live as long as the process. */
    private record Handle(MemorySegment decompressor, MemorySegment actual) {
    }

    LibDeflate(NativeLibrary library) {
        this.library = library;
        this.alloc = library.function("libdeflate_alloc_decompressor", FunctionDescriptor.of(ADDRESS));
        String[] names = {"libdeflate_zlib_decompress", "libdeflate_deflate_decompress", "libdeflate_gzip_decompress"};
        for (int i = 0; i < names.length; i++) {
            decompress[i] = library.function(names[i], DECOMPRESS);
            critical[i] = library.criticalFunction(names[i], DECOMPRESS);
        }
    }

    Decoder decoder(Format format) {
        int which = switch (format) {
            case ZLIB -> 0;
            case DEFLATE -> 1;
            case GZIP -> 2;
            default -> throw new IllegalArgumentException("libdeflate does not decode " + format.id());
        };
        String name = "libdeflate (FFM, " + library.file() + ")";
        return new Decoder() {
            @Override
            public long decode(MemorySegment src, MemorySegment dst) {
                return LibDeflate.this.decode(which, format, src, dst);
            }

            @Override
            public String implementation() {
                return name;
            }

            @Override
            public boolean isNative() {
                return true;
            }
        };
    }

    private Handle take() {
        Handle h = pool.poll();
        if (h != null) {
            return h;
        }
        try {
            MemorySegment d = (MemorySegment) alloc.invokeExact();
            if (d.equals(MemorySegment.NULL)) {
                throw new OutOfMemoryError("libdeflate_alloc_decompressor returned NULL");
            }
            return new Handle(d, Arena.global().allocate(JAVA_LONG));
        } catch (RuntimeException | Error e) {
            throw e;
        } catch (Throwable t) {
            throw new IllegalStateException(t);
        }
    }

    private long decode(int which, Format format, MemorySegment src, MemorySegment dst) {
        Handle h = take();
        int result;
        long written;
        try {
            MethodHandle m = NativeLibrary.anyOnHeap(src, dst) ? critical[which] : decompress[which];
            result = (int) m.invokeExact(h.decompressor(), src, src.byteSize(), dst, dst.byteSize(), h.actual());
            written = h.actual().get(JAVA_LONG, 0);
        } catch (RuntimeException | Error e) {
            throw e;
        } catch (Throwable t) {
            throw new IllegalStateException(t);
        } finally {
            pool.add(h);
        }
        return switch (result) {
            case SUCCESS -> written;
            case INSUFFICIENT_SPACE -> throw new CorruptDataException(format.id() + " data decompresses to more than the "
                    + dst.byteSize() + "-byte destination");
            case BAD_DATA -> throw new CorruptDataException(format.id() + " data is malformed, fails its checksum, or is truncated"
                    + " (libdeflate: bad data)");
            default -> throw new CorruptDataException(format.id() + " data could not be decoded (libdeflate result " + result + ")");
        };
    }
}
