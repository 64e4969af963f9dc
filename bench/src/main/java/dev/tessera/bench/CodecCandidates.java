package dev.tessera.bench;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import dev.tessera.codecs.Codecs;
import dev.tessera.codecs.Decoder;
import dev.tessera.codecs.Format;
import dev.tessera.codecs.Shuffle;
import dev.tessera.formats.ChunkLocation;
import dev.tessera.formats.Hdf5;
import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SymbolLookup;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The decoder candidates side by side, one thread, on a dataset's own chunks held in memory (no file reads):
 * MB/s out per round, the candidates interleaved within each round.
 *
 * <pre>
 * java -cp ... dev.tessera.bench.CodecCandidates ROUNDS FILE.h5 DATASET [ZSTD.zarr LZ4.zarr BLOSC.zarr]
 * </pre>
 * Inflate: the JDK's Inflater, libdeflate (Tessera's native path) and ISA-L's igzip (bound here only, for the
 * measurement: raw stateless inflate after the 2-byte zlib header, then its Adler-32); unshuffle: the byte-gather
 * loop Tessera had before and the word-transposing one it has now. With the Zarr arrays (numcodecs Zstd, LZ4 and
 * Blosc): aircompressor against libzstd and liblz4, the pure-Java Blosc reader against c-blosc.
 */
public final class CodecCandidates {
    private CodecCandidates() {
    }

    public static void main(String[] args) throws Throwable {
        int rounds = Integer.parseInt(args[0]);
        Path h5 = Path.of(args[1]);
        Arena arena = Arena.ofShared();
        List<ChunkLocation> index = Hdf5.chunks(h5, args[2]);
        List<MemorySegment> chunks = new ArrayList<>();
        try (FileChannel ch = FileChannel.open(h5)) {
            for (ChunkLocation c : index) {
                MemorySegment s = arena.allocate(c.size());
                ch.read(s.asByteBuffer(), c.fileOffset());
                chunks.add(s);
            }
        }
        long chunkBytes = Hdf5.inspect(h5, args[2]).chunkShape()[0] * 8;
        MemorySegment out = arena.allocate(chunkBytes, 64);
        MemorySegment shuffled = arena.allocate(chunkBytes, 64);
        Map<String, Candidate> candidates = new LinkedHashMap<>();
        candidates.put("inflate JDK Inflater", new Candidate(chunks, s -> Codecs.pureJava().decoder(Format.ZLIB).decode(s, out)));
        Decoder libdeflate = Codecs.defaults().decoder(Format.ZLIB);
        if (libdeflate.isNative()) {
            candidates.put("inflate libdeflate", new Candidate(chunks, s -> libdeflate.decode(s, out)));
        }
        Isal isal = Isal.load(arena);
        if (isal != null) {
            candidates.put("inflate ISA-L igzip", new Candidate(chunks, s -> isal.inflateZlib(s, out)));
        }
        libdeflate.decode(chunks.get(0), shuffled);
        List<MemorySegment> one = List.of(shuffled);
        candidates.put("unshuffle byte gather (before)", new Candidate(repeat(one, chunks.size()), s -> {
            byteGather(s, out, chunkBytes);
            return chunkBytes;
        }));
        candidates.put("unshuffle word transpose (now)", new Candidate(repeat(one, chunks.size()), s -> {
            Shuffle.unshuffle(s, out, chunkBytes, 8);
            return chunkBytes;
        }));
        if (args.length > 5) {
            List<MemorySegment> zstd = zarrChunks(Path.of(args[3]), arena, 0);
            List<MemorySegment> lz4 = zarrChunks(Path.of(args[4]), arena, 4);
            List<MemorySegment> blosc = zarrChunks(Path.of(args[5]), arena, 0);
            for (Codecs set : List.of(Codecs.pureJava(), Codecs.defaults())) {
                String who = set == Codecs.defaults() ? "native" : "pure Java";
                candidates.put("zstd " + set.decoder(Format.ZSTD).implementation() + " (" + who + ")",
                        new Candidate(zstd, s -> set.decoder(Format.ZSTD).decode(s, out)));
                candidates.put("lz4 " + set.decoder(Format.LZ4).implementation() + " (" + who + ")",
                        new Candidate(lz4, s -> set.decoder(Format.LZ4).decode(s, out)));
                candidates.put("blosc " + set.decoder(Format.BLOSC).implementation() + " (" + who + ")",
                        new Candidate(blosc, s -> set.decoder(Format.BLOSC).decode(s, out)));
            }
        }
        Map<String, List<Double>> rates = new LinkedHashMap<>();
        for (int r = 0; r < rounds; r++) {
            for (var e : candidates.entrySet()) {
                rates.computeIfAbsent(e.getKey(), k -> new ArrayList<>()).add(e.getValue().run());
            }
        }
        rates.forEach((name, v) -> {
            List<Double> sorted = new ArrayList<>(v.subList(Math.min(1, v.size() - 1), v.size())); // the first round warms up
            sorted.sort(null);
            System.out.printf("%-60s median %,6.0f  best %,6.0f MB/s out  rounds %s%n", name, sorted.get(sorted.size() / 2),
                    sorted.get(sorted.size() - 1), v.stream().map(x -> String.format("%.0f", x)).toList());
        });
        arena.close();
    }

    private interface Step {
        long apply(MemorySegment src) throws Throwable;
    }

    private record Candidate(List<MemorySegment> inputs, Step step) {
        double run() throws Throwable {
            long bytes = 0;
            long t0 = System.nanoTime();
            for (MemorySegment s : inputs) {
                bytes += step.apply(s);
            }
            return bytes / ((System.nanoTime() - t0) / 1e3);
        }
    }

    private static List<MemorySegment> repeat(List<MemorySegment> one, int n) {
        List<MemorySegment> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            out.add(one.get(0));
        }
        return out;
    }

    private static List<MemorySegment> zarrChunks(Path dir, Arena arena, int skip) throws Exception {
        List<MemorySegment> out = new ArrayList<>();
        for (int i = 0; Files.exists(dir.resolve(Integer.toString(i))); i++) {
            byte[] b = Files.readAllBytes(dir.resolve(Integer.toString(i)));
            MemorySegment s = arena.allocate(b.length - skip);
            MemorySegment.copy(MemorySegment.ofArray(b), skip, s, 0, b.length - skip);
            out.add(s);
        }
        return out;
    }

    /** What Tessera's unshuffle was before: each element's 8 bytes gathered one by one from the 8 planes. */
    static void byteGather(MemorySegment in, MemorySegment out, long bytes) {
        long count = bytes / 8;
        for (long i = 0; i < count; i++) {
            long v = 0;
            for (int b = 0; b < 8; b++) {
                v |= (in.get(ValueLayout.JAVA_BYTE, b * count + i) & 0xFFL) << (8 * b);
            }
            out.set(ValueLayout.JAVA_LONG_UNALIGNED, i * 8, v);
        }
    }

    /** ISA-L's igzip (libisal.so.2) for the measurement: inflate_state's leading fields are stable across versions. */
    private record Isal(MethodHandle init, MethodHandle stateless, MethodHandle adler, MemorySegment state) {
        static Isal load(Arena arena) {
            try {
                SymbolLookup lib = SymbolLookup.libraryLookup("libisal.so.2", arena);
                Linker l = Linker.nativeLinker();
                return new Isal(l.downcallHandle(lib.find("isal_inflate_init").orElseThrow(), FunctionDescriptor.ofVoid(ADDRESS)),
                        l.downcallHandle(lib.find("isal_inflate_stateless").orElseThrow(), FunctionDescriptor.of(JAVA_INT, ADDRESS)),
                        l.downcallHandle(lib.find("isal_adler32").orElseThrow(), FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS, JAVA_LONG)),
                        arena.allocate(1 << 17, 64)); // larger than struct inflate_state
            } catch (RuntimeException e) {
                System.out.println("ISA-L not measured: " + e.getMessage());
                return null;
            }
        }

        long inflateZlib(MemorySegment zlib, MemorySegment out) throws Throwable {
            init.invokeExact(state);
            MemorySegment raw = zlib.asSlice(2, zlib.byteSize() - 6);
            state.set(ADDRESS, 0, out);                        // next_out
            state.set(JAVA_INT, 8, (int) out.byteSize());      // avail_out
            state.set(ADDRESS, 16, raw);                       // next_in
            state.set(JAVA_INT, 32, (int) raw.byteSize());     // avail_in
            int r = (int) stateless.invokeExact(state);
            long n = state.get(JAVA_INT, 12) & 0xFFFFFFFFL;    // total_out
            int want = zlib.get(ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.BIG_ENDIAN), zlib.byteSize() - 4);
            if (r != 0 || (int) adler.invokeExact(1, out, n) != want) {
                throw new IllegalStateException("ISA-L inflate failed: " + r);
            }
            return n;
        }
    }
}
