package dev.tessera.codecs;

import static java.lang.foreign.ValueLayout.JAVA_INT;

import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.invoke.MethodHandle;
import java.util.Optional;

/**
 * glibc's malloc thresholds raised once, the first time c-blosc decodes, so that its scratch memory is reused.
 *
 * <p>c-blosc 1 allocates its scratch (block size + block size plus a little: about 1 MiB for 512 KiB blocks) on every
 * {@code blosc_decompress_ctx} call and frees it on return. In a JVM every caller is a non-main thread, whose glibc
 * arena gave that memory back to the kernel and took it again on every call: measured on a 20 M-row Zarr array
 * (blosc-lz4, 512 KiB chunks), page faults took about a tenth of the run's samples, and in three interleaved pairs of
 * runs c-blosc took 60-67 ms per read summed over 2 threads with glibc's defaults, 39-47 ms with the mmap threshold
 * at 4 MiB and the trim threshold at 16 MiB (CPython calling the same library from its main thread is not affected).
 * Raising both is process-wide: a freed block under 4 MiB stays with its arena for reuse, and up to 16 MiB at an
 * arena's top is kept instead of returned at once.
 *
 * <p>The system property {@code tessera.codecs.mallocTuning=false} (or {@code TESSERA_MALLOC_TUNING=0}) keeps
 * glibc's defaults; on a C library without {@code mallopt} (musl) nothing is changed. {@link #state()} says which.
 */
public final class MallocTuning {
    public static final String PROPERTY = "tessera.codecs.mallocTuning";
    public static final String ENV = "TESSERA_MALLOC_TUNING";
    static final int M_TRIM_THRESHOLD = -1;
    static final int M_MMAP_THRESHOLD = -3;
    static final int MMAP_THRESHOLD = 4 << 20;
    static final int TRIM_THRESHOLD = 16 << 20;

    private static volatile String state = "glibc defaults (changed at the first c-blosc decode)";
    private static boolean tried;

    private MallocTuning() {
    }

    /** What the process's malloc thresholds are and why, for {@code tessera info}. */
    public static String state() {
        return state;
    }

    /** Raises the thresholds once per process, unless turned off; later calls return at once. */
    static void applyOnce() {
        if (tried) {
            return; // a racy read is harmless: apply() is synchronized and idempotent
        }
        apply();
    }

    private static synchronized void apply() {
        if (tried) {
            return;
        }
        tried = true;
        if (Codecs.switchedOff(PROPERTY, ENV)) {
            state = "glibc defaults (" + PROPERTY + "=false)";
            return;
        }
        Optional<MethodHandle> mallopt = Linker.nativeLinker().defaultLookup().find("mallopt").map(symbol ->
                Linker.nativeLinker().downcallHandle(symbol, FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT)));
        if (mallopt.isEmpty()) {
            state = "unchanged (the C library has no mallopt)";
            return;
        }
        try {
            int a = (int) mallopt.get().invokeExact(M_MMAP_THRESHOLD, MMAP_THRESHOLD);
            int b = (int) mallopt.get().invokeExact(M_TRIM_THRESHOLD, TRIM_THRESHOLD);
            state = a == 1 && b == 1
                    ? "mmap threshold 4 MiB, trim threshold 16 MiB (for c-blosc's per-call scratch; " + PROPERTY + "=false keeps glibc's)"
                    : "unchanged (mallopt refused: " + a + ", " + b + ")";
        } catch (Throwable t) {
            state = "unchanged (mallopt failed: " + t + ")";
        }
    }
}
