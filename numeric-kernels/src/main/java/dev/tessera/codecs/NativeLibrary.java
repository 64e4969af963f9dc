package dev.tessera.codecs;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SymbolLookup;
import java.lang.invoke.MethodHandle;
import java.util.Map;

/**
 * A shared library opened through FFM (no JNI), or the reason it could not be. Libraries stay loaded for the
 * process (the global arena): their handles are reused by every call. Which file is opened comes from the codec
 * configuration ({@link CodecConfig}); a library that is absent or lacks a symbol leaves the pure-Java decoder in use.
 */
final class NativeLibrary {
    private static final Linker LINKER = Linker.nativeLinker();

    private final String file;
    private final SymbolLookup lookup;

    private NativeLibrary(String file, SymbolLookup lookup) {
        this.file = file;
        this.lookup = lookup;
    }

    /** Opens {@code file} (a soname searched as dlopen does, or a path); throws with the reason when it cannot. */
    static NativeLibrary open(String file) {
        try {
            return new NativeLibrary(file, SymbolLookup.libraryLookup(file, Arena.global()));
        } catch (IllegalArgumentException | IllegalCallerException e) {
            throw new UnsatisfiedLinkError(file + " could not be loaded (" + e.getMessage() + ")");
        }
    }

    String file() {
        return file;
    }

    MemorySegment symbol(String name) {
        return lookup.find(name).orElseThrow(() -> new UnsatisfiedLinkError(file + " has no symbol " + name));
    }

    MethodHandle function(String name, FunctionDescriptor descriptor) {
        return LINKER.downcallHandle(symbol(name), descriptor);
    }

    /**
     * A handle that may be passed heap segments: a critical call keeps the JVM from moving arrays while it runs
     * (and holds safepoints for that long), so it is used only when an argument is on the heap.
     */
    MethodHandle criticalFunction(String name, FunctionDescriptor descriptor) {
        return LINKER.downcallHandle(symbol(name), descriptor, Linker.Option.critical(true));
    }

    static boolean anyOnHeap(MemorySegment a, MemorySegment b) {
        return !a.isNative() || !b.isNative();
    }

    /** Every library name as configured: key (deflate, zstd, lz4, blosc) to file. */
    static Map<String, String> defaults() {
        return Map.of("deflate", "libdeflate.so.0", "zstd", "libzstd.so.1", "lz4", "liblz4.so.1", "blosc", "libblosc.so.1");
    }
}
