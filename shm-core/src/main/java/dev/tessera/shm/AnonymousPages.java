package dev.tessera.shm;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;

/**
 * A large array's memory straight from the kernel: an anonymous private mapping (Linux {@code mmap}), unmapped when
 * the array's arena closes. Its pages read as zero until written, so nothing writes them at allocation:
 * {@code Arena.allocate} zero-fills every byte first, which on this project's machine kind (a VM whose fresh pages
 * fault in at about 0.35 GB/s) made {@code tessera.zeros} of 160 MB take 0.45-0.75 s on one thread before a read
 * could start; here the pages fault in where the array is first written, by the threads that fill it. Regions of 2 MiB
 * and more are offered to transparent huge pages ({@code MADV_HUGEPAGE}; first touch of 160 MB 440 -> 150-280 ms
 * here), which the kernel may ignore. {@code -Dtessera.anonymousPages=false} allocates every array from its arena as
 * before; {@code -Dtessera.hugePages=false} keeps the mappings but asks for no huge pages.
 */
final class AnonymousPages {
    /** Below this, an arena's own allocation (malloc) is cheaper than a mapping of its own. */
    static final long THRESHOLD = 1 << 20;

    private static final long HUGE_PAGE = 2L << 20;
    private static final int PROT_READ_WRITE = 0x1 | 0x2;
    private static final int MAP_PRIVATE_ANONYMOUS = 0x02 | 0x20;
    private static final int MADV_HUGEPAGE = 14;
    private static final MethodHandle MMAP;
    private static final MethodHandle MADVISE;
    private static final MethodHandle MUNMAP;
    // the opt-outs, read once: every large allocation asks
    private static final boolean USED = !"false".equals(System.getProperty("tessera.anonymousPages"));
    private static final boolean HUGE_PAGES = !"false".equals(System.getProperty("tessera.hugePages"));

    static {
        MethodHandle mmap = null;
        MethodHandle madvise = null;
        MethodHandle munmap = null;
        if (System.getProperty("os.name", "").startsWith("Linux")) {
            Linker linker = Linker.nativeLinker();
            var libc = linker.defaultLookup();
            mmap = libc.find("mmap").map(a -> linker.downcallHandle(a, FunctionDescriptor.of(ValueLayout.ADDRESS,
                    ValueLayout.ADDRESS, ValueLayout.JAVA_LONG, ValueLayout.JAVA_INT, ValueLayout.JAVA_INT, ValueLayout.JAVA_INT,
                    ValueLayout.JAVA_LONG))).orElse(null);
            madvise = libc.find("madvise").map(a -> linker.downcallHandle(a, FunctionDescriptor.of(ValueLayout.JAVA_INT,
                    ValueLayout.ADDRESS, ValueLayout.JAVA_LONG, ValueLayout.JAVA_INT))).orElse(null);
            munmap = libc.find("munmap").map(a -> linker.downcallHandle(a, FunctionDescriptor.of(ValueLayout.JAVA_INT,
                    ValueLayout.ADDRESS, ValueLayout.JAVA_LONG))).orElse(null);
        }
        boolean all = mmap != null && madvise != null && munmap != null;
        MMAP = all ? mmap : null;
        MADVISE = madvise;
        MUNMAP = all ? munmap : null;
    }

    private AnonymousPages() {
    }

    /** Whether this platform maps anonymous pages (else callers allocate from their arena). */
    static boolean isSupported() {
        return MMAP != null && USED;
    }

    /**
     * {@code bytes} (> 0) zero bytes, page-aligned, in a mapping unmapped when {@code arena} closes; an
     * OutOfMemoryError when the kernel refuses the mapping.
     */
    static MemorySegment allocate(long bytes, Arena arena) {
        if (!isSupported()) {
            throw new UnsupportedOperationException("anonymous mappings need Linux");
        }
        if (bytes <= 0) {
            throw new IllegalArgumentException("a mapping of " + bytes + " bytes");
        }
        MemorySegment at;
        try {
            at = (MemorySegment) MMAP.invokeExact(MemorySegment.NULL, bytes, PROT_READ_WRITE, MAP_PRIVATE_ANONYMOUS, -1, 0L);
        } catch (Throwable t) {
            throw new IllegalStateException("mmap failed", t);
        }
        long address = at.address();
        if (address == -1L || address == 0L) { // MAP_FAILED
            throw new OutOfMemoryError("the kernel refused an anonymous mapping of " + bytes + " bytes");
        }
        if (bytes >= HUGE_PAGE && HUGE_PAGES) {
            try {
                int ignored = (int) MADVISE.invokeExact(at, bytes, MADV_HUGEPAGE); // a hint: EINVAL without THP
            } catch (Throwable t) {
                // only a hint
            }
        }
        return MemorySegment.ofAddress(address).reinterpret(bytes, arena, s -> unmap(address, bytes));
    }

    private static void unmap(long address, long bytes) {
        try {
            int ignored = (int) MUNMAP.invokeExact(MemorySegment.ofAddress(address), bytes);
        } catch (Throwable t) {
            // nothing to do: the arena is closed either way
        }
    }
}
