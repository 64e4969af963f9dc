package dev.tessera.codecs;

import java.lang.foreign.MemorySegment;

/**
 * One implementation of one compression format, decoding a whole compressed buffer at once (as chunked formats
 * store them). Implementations are thread-safe: per-call state is pooled or allocated inside.
 */
public interface Decoder {
    /**
     * Decompresses all of {@code src} into the start of {@code dst}; returns the bytes written. Data that is
     * malformed, ends early, or decompresses to more than {@code dst} holds raises {@link CorruptDataException}
     * (nothing is written outside {@code dst}).
     */
    long decode(MemorySegment src, MemorySegment dst);

    /** What does the work, for {@code tessera info}: "libdeflate (FFM, libdeflate.so.0)", "JDK Inflater". */
    String implementation();

    /** True for the native (FFM) implementations. */
    boolean isNative();
}
