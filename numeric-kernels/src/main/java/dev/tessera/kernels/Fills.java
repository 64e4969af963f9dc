package dev.tessera.kernels;

import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SymbolLookup;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;

/**
 * Fill loops by element width (the bit pattern of any dtype of that width; one-byte patterns and uniform ones are a
 * memset instead). A method per width, so that a float64 fill and an int32 fill never share compiled code.
 *
 * <p>A large run of host memory is written by the C library ({@link Libc}): glibc's {@code memset} and {@code memcpy}
 * store with {@code rep stosb}/{@code movsb} on CPUs with fast strings, writing whole cache lines without reading them
 * first, where the JVM's stores ({@code MemorySegment.fill}'s vector stub, a loop) read every line they write. So a
 * one-byte pattern is a {@code memset} (2^25 int8 in a GraalPy process, best of 40, alternating runs, 2026-12-06,
 * Intel Xeon, 2 vCPUs: 4.1-9.1 -> 10.5-12.7 GB/s), and {@link #repeat} copies a period along (arange of narrow
 * ints). A wider pattern stays a Java loop: one element doubled into a 1 MiB block and the block {@code memcpy}'d
 * along measured the same as the loop in the GraalPy process (int16, float32, int32, float64: 5-11 GB/s either way,
 * alternating runs), though 2x faster in a plain JVM on 32 MiB.
 */
final class Fills {
    /** Below this many bytes the run is in the caches anyway and a downcall costs more than it saves. */
    static final long NATIVE_FROM = 1 << 20;
    /**
     * The block {@link #repeat} copies along: in L2 still, and few enough downcalls per run that the first calls,
     * made before C2 compiled this class (a downcall from the interpreter costs microseconds), are as fast as
     * later ones (with 64 KiB blocks a first 64 MiB run ran at 4.1-4.3 GB/s, later ones at 10).
     */
    private static final long COPY_BLOCK = 1 << 20;

    private Fills() {
    }

    static void fill8(MemorySegment s, long n, long bits) {
        for (long i = 0; i < n; i++) {
            s.setAtIndex(Loops.I64, i, bits);
        }
    }

    static void fill4(MemorySegment s, long n, int bits) {
        for (long i = 0; i < n; i++) {
            s.setAtIndex(Loops.I32, i, bits);
        }
    }

    static void fill2(MemorySegment s, long n, short bits) {
        for (long i = 0; i < n; i++) {
            s.setAtIndex(Loops.I16, i, bits);
        }
    }

    /** Every byte of {@code s} set to {@code b}. */
    static void fill1(MemorySegment s, byte b) {
        if (Libc.usable(s, s.byteSize())) {
            Libc.memset(s, b);
            return;
        }
        s.fill(b);
    }

    /**
     * {@code s[0, head)} holds a pattern whose period divides {@code head} bytes: copies it along to the end of
     * {@code s}. The head is doubled in place ({@code MemorySegment.copy}: no Java loop per element, so as fast before
     * C2 compiled this class as after) up to a block of at least 1 MiB (still in the caches), then the block
     * is copied along, by {@code memcpy} when the run is large host memory (whole lines written unread, as
     * {@link Libc} says).
     */
    static void repeat(MemorySegment s, long head) {
        long bytes = s.byteSize();
        long block = Math.min(head, bytes);
        while (block < COPY_BLOCK && block < bytes) {
            long m = Math.min(block, bytes - block);
            MemorySegment.copy(s, 0, s, block, m);
            block += m;
        }
        MemorySegment from = s.asSlice(0, block);
        boolean libc = Libc.usable(s, bytes);
        for (long at = block; at < bytes; at += block) {
            long m = Math.min(block, bytes - at);
            if (libc) {
                Libc.memcpy(s.asSlice(at, m), from, m);
            } else {
                MemorySegment.copy(s, 0, s, at, m);
            }
        }
    }

    /** Whether large fills go through the C library in this process (else Java's loops fill everything). */
    static boolean nativeFills() {
        return Libc.MEMSET != null;
    }

    /** What fills large runs, for {@code tessera info}. */
    static String describe() {
        return nativeFills()
                ? "libc memset / memcpy (FFM) for byte patterns and narrow aranges of 1 MiB+ host memory; Java loops else"
                : "Java loops (libc memset not used" + (Libc.TURNED_OFF ? ": TESSERA_NATIVE_FILL=0)" : ")");
    }

    /**
     * glibc's (or any C library's) memset and memcpy through FFM, looked up once in the linker's default
     * library; turned off, absent or refused (no native access), every fill stays in Java.
     */
    private static final class Libc {
        static final boolean TURNED_OFF = "0".equals(System.getenv("TESSERA_NATIVE_FILL"));
        static final MethodHandle MEMSET;
        static final MethodHandle MEMCPY;

        static {
            MethodHandle memset = null;
            MethodHandle memcpy = null;
            if (!TURNED_OFF) {
                try {
                    Linker linker = Linker.nativeLinker();
                    SymbolLookup libc = linker.defaultLookup();
                    memset = libc.find("memset").map(a -> linker.downcallHandle(a, FunctionDescriptor.of(ValueLayout.ADDRESS,
                            ValueLayout.ADDRESS, ValueLayout.JAVA_INT, ValueLayout.JAVA_LONG))).orElse(null);
                    memcpy = libc.find("memcpy").map(a -> linker.downcallHandle(a, FunctionDescriptor.of(ValueLayout.ADDRESS,
                            ValueLayout.ADDRESS, ValueLayout.ADDRESS, ValueLayout.JAVA_LONG))).orElse(null);
                } catch (RuntimeException e) { // IllegalCallerException without native access, UnsupportedOperationException
                    memset = null;
                }
            }
            boolean both = memset != null && memcpy != null;
            MEMSET = both ? memset : null;
            MEMCPY = both ? memcpy : null;
        }

        /** Host memory (a downcall cannot take the heap) of at least NATIVE_FROM bytes, and the functions found. */
        static boolean usable(MemorySegment s, long bytes) {
            return bytes >= NATIVE_FROM && s.isNative() && MEMSET != null;
        }

        static void memset(MemorySegment s, byte b) {
            try {
                MemorySegment ignored = (MemorySegment) MEMSET.invokeExact(s, (int) b, s.byteSize());
            } catch (Throwable t) {
                throw new IllegalStateException("memset failed", t);
            }
        }

        static void memcpy(MemorySegment dst, MemorySegment src, long bytes) {
            try {
                MemorySegment ignored = (MemorySegment) MEMCPY.invokeExact(dst, src, bytes);
            } catch (Throwable t) {
                throw new IllegalStateException("memcpy failed", t);
            }
        }
    }
}
