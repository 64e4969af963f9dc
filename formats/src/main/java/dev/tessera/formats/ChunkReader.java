package dev.tessera.formats;

import dev.tessera.codecs.CorruptDataException;
import dev.tessera.codecs.UnsupportedCodecException;
import dev.tessera.shm.SharedArray;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.NoSuchFileException;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CancellationException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Fills an array from a chunked dataset with several host threads at once. Each thread takes the next chunk number,
 * reads the chunk's stored bytes with one positional read into a buffer of its own, undoes the chunk's filters
 * between two scratch buffers of its own, and writes the last stage straight into the chunk's place in the array
 * when that place is one contiguous run (chunks spanning whole rows, not past the end); otherwise the decoded chunk
 * is copied into place row by row. Chunks never written get the fill value. Nothing per chunk is allocated on the
 * heap; every buffer lives in one arena that is closed, with the file, before the read returns or throws.
 *
 * <p>A chunk that fails (corrupt, truncated, a bad checksum) stops the read: the other threads finish the chunk they
 * are on and take no more; the error names the chunk. A decoder never writes outside the chunk's own place.
 */
final class ChunkReader {
    private static final long PROGRESS_NANOS = 50_000_000L;

    private final ChunkedLayout layout;
    private final SharedArray out;
    private final ReadOptions options;
    private final long itemSize;
    private final long[] outStrides;
    private final boolean swap;

    private final AtomicInteger next = new AtomicInteger();
    private final AtomicLong chunksDone = new AtomicLong();
    private final AtomicLong bytesDone = new AtomicLong();
    private final AtomicLong storedBytes = new AtomicLong();
    private final AtomicReference<RuntimeException> failure = new AtomicReference<>();
    private final Map<String, AtomicLong> stageNanos = new LinkedHashMap<>();
    private volatile boolean stop;

    private ChunkReader(ChunkedLayout layout, SharedArray out, ReadOptions options) {
        this.layout = layout;
        this.out = out;
        this.options = options;
        this.itemSize = layout.dtype().itemSize();
        this.outStrides = cStrides(layout.shape(), itemSize);
        this.swap = layout.bigEndian() && itemSize > 1;
        for (String s : List.of("read", "inflate", "zstd", "lz4", "blosc", "checksum", "unshuffle", "copy")) {
            stageNanos.put(s, new AtomicLong());
        }
    }

    /** Reads every chunk of {@code layout} into {@code out} (same dtype and element count, C order). */
    static ReadStats read(ChunkedLayout layout, SharedArray out, ReadOptions options) {
        if (out.dtype() != layout.dtype()) {
            throw new IllegalArgumentException("out holds " + out.dtype().typeName() + ", the dataset " + layout.dtype().typeName());
        }
        if (out.elementCount() != layout.elementCount()) {
            throw new IllegalArgumentException("out holds " + out.elementCount() + " elements, the dataset " + layout.elementCount()
                    + " (shape " + java.util.Arrays.toString(layout.shape()) + ")");
        }
        if (out.isReadOnly()) {
            throw new IllegalArgumentException("out is read-only");
        }
        return new ChunkReader(layout, out, options).run();
    }

    private ReadStats run() {
        long t0 = System.nanoTime();
        // Polled here first: the loop below polls only while a reader runs, and a small read can be over before its
        // first poll (a read asked to stop from the start then completed: seen in CI).
        if (options.cancelled().getAsBoolean()) {
            throw new CancellationException("the read of " + layout.name() + " was cancelled");
        }
        List<StoredChunk> chunks = layout.chunks();
        List<long[]> missing = missingChunks();
        int total = chunks.size() + missing.size();
        int threads = Math.max(1, Math.min(options.effectiveThreads(), Math.max(1, total)));
        MemorySegment dst = out.segment();
        try (Arena arena = Arena.ofShared();
             FileChannel file = layout.file() == null ? null : FileChannel.open(layout.file(), StandardOpenOption.READ)) {
            MemorySegment fill = missing.isEmpty() ? null : fillChunk(arena);
            List<Thread> workers = new ArrayList<>();
            try {
                for (int t = 0; t < threads; t++) {
                    Worker w = new Worker(arena, file, dst, chunks, missing, fill);
                    workers.add(Thread.ofPlatform().name("tessera-read-" + t).daemon().start(w));
                }
                long lastReport = 0;
                for (Thread w : workers) {
                    while (w.isAlive()) {
                        w.join(PROGRESS_NANOS / 1_000_000);
                        if (options.cancelled().getAsBoolean()) {
                            stop = true;
                            failure.compareAndSet(null, new CancellationException("the read of " + layout.name() + " was cancelled"));
                        }
                        long now = System.nanoTime();
                        if (now - lastReport >= PROGRESS_NANOS) {
                            options.progress().update(chunksDone.get(), total, bytesDone.get());
                            lastReport = now;
                        }
                    }
                }
            } finally {
                // whatever happened here (a progress callback that threw, an interrupt), no worker may outlive the
                // arena and the file: stop them and wait for them before both close
                stop |= failure.get() != null || workers.stream().anyMatch(Thread::isAlive);
                joinUninterruptibly(workers);
            }
            RuntimeException e = failure.get();
            if (e != null) {
                throw e;
            }
            options.progress().update(chunksDone.get(), total, bytesDone.get());
            Map<String, Long> stages = new LinkedHashMap<>();
            stageNanos.forEach((k, v) -> stages.put(k, v.get()));
            return new ReadStats(total, missing.size(), out.byteSize(), storedBytes.get(), (System.nanoTime() - t0) / 1e9, threads, stages);
        } catch (NoSuchFileException e) {
            throw new DatasetNotFoundException("no such file: " + e.getFile(), true);
        } catch (IOException e) {
            throw new FormatException("cannot read " + layout.file() + ": " + e, e);
        } catch (InterruptedException e) {
            stop = true;
            Thread.currentThread().interrupt();
            throw new CancellationException("interrupted while reading " + layout.name());
        }
    }

    private static void joinUninterruptibly(List<Thread> workers) {
        boolean interrupted = false;
        for (Thread w : workers) {
            while (w.isAlive()) {
                try {
                    w.join();
                } catch (InterruptedException e) {
                    interrupted = true;
                }
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }

    /** The grid positions of chunks that were never written (they hold the fill value). */
    private List<long[]> missingChunks() {
        long grid = layout.gridChunks();
        if (grid == layout.chunks().size()) {
            return List.of();
        }
        java.util.Set<List<Long>> stored = new java.util.HashSet<>();
        for (StoredChunk c : layout.chunks()) {
            stored.add(java.util.Arrays.stream(c.origin()).boxed().toList());
        }
        List<long[]> missing = new ArrayList<>();
        long[] shape = layout.shape();
        long[] chunk = layout.chunkShape();
        long[] origin = new long[shape.length];
        for (long i = 0; i < grid; i++) {
            if (!stored.contains(java.util.Arrays.stream(origin).boxed().toList())) {
                missing.add(origin.clone());
            }
            for (int d = shape.length - 1; d >= 0; d--) { // next origin in C order
                origin[d] += chunk[d];
                if (origin[d] < shape[d]) {
                    break;
                }
                origin[d] = 0;
            }
        }
        return missing;
    }

    private MemorySegment fillChunk(Arena arena) {
        MemorySegment f = arena.allocate(layout.chunkBytes(), 64);
        byte[] v = layout.fillValue();
        boolean zero = true;
        for (byte b : v) {
            zero &= b == 0;
        }
        if (!zero) {
            MemorySegment one = MemorySegment.ofArray(v);
            for (long at = 0; at < f.byteSize(); at += v.length) {
                MemorySegment.copy(one, 0, f, at, v.length);
            }
        }
        return f;
    }

    private final class Worker implements Runnable {
        private final Arena arena;
        private final FileChannel file;
        private final MemorySegment dst;
        private final List<StoredChunk> chunks;
        private final List<long[]> missing;
        private final MemorySegment fill;
        private MemorySegment scratchA; // allocated at first need: a one-step chunk decoded straight into place needs none
        private MemorySegment scratchB;
        private MemorySegment input;
        private final long[] nanos = new long[8];
        private final String[] stageNames = stageNanos.keySet().toArray(new String[0]);

        Worker(Arena arena, FileChannel file, MemorySegment dst, List<StoredChunk> chunks, List<long[]> missing, MemorySegment fill) {
            this.arena = arena;
            this.file = file;
            this.dst = dst;
            this.chunks = chunks;
            this.missing = missing;
            this.fill = fill;
            this.input = arena.allocate(Math.max(4096, layout.chunkBytes() / 2), 64);
        }

        @Override
        public void run() {
            try {
                int total = chunks.size() + missing.size();
                for (int i; !stop && (i = next.getAndIncrement()) < total; ) {
                    if (i < chunks.size()) {
                        StoredChunk c = chunks.get(i);
                        try {
                            readChunk(c);
                        } catch (CorruptDataException | UnsupportedCodecException | IndexOutOfBoundsException e) {
                            throw failed(c, e);
                        }
                    } else {
                        long t = System.nanoTime();
                        place(fill, missing.get(i - chunks.size()), false);
                        nanos[7] += System.nanoTime() - t;
                    }
                    bytesDone.addAndGet(layout.chunkBytes());
                    chunksDone.incrementAndGet();
                }
            } catch (RuntimeException | Error e) {
                stop = true;
                failure.compareAndSet(null, e instanceof RuntimeException r ? r : new IllegalStateException(e));
            } finally {
                for (int s = 0; s < nanos.length; s++) {
                    stageNanos.get(stageNames[s]).addAndGet(nanos[s]);
                }
            }
        }

        private RuntimeException failed(StoredChunk c, RuntimeException e) {
            String where = layout.name() + ", " + c.describe();
            if (e instanceof UnsupportedCodecException) {
                return new UnsupportedFilterException(where + ": " + e.getMessage());
            }
            return new FormatException(where + ": " + e.getMessage(), e);
        }

        private void readChunk(StoredChunk c) {
            long t = System.nanoTime();
            MemorySegment stored = storedBytes(c);
            nanos[0] += System.nanoTime() - t;
            storedBytes.addAndGet(stored.byteSize());
            List<ChunkStep> steps = layout.steps().apply(c);
            MemorySegment direct = directTarget(c.origin());
            MemorySegment data = stored;
            MemorySegment spare = scratchA; // null until a step needs a buffer of its own
            int lastWriting = -1; // the last step that writes a buffer: it may write straight into the array
            for (int s = 0; s < steps.size(); s++) {
                if (!steps.get(s).inPlace()) {
                    lastWriting = s;
                }
            }
            boolean inArray = false;
            for (int s = 0; s < steps.size(); s++) {
                ChunkStep step = steps.get(s);
                boolean straight = s == lastWriting && direct != null;
                if (!straight && spare == null) {
                    spare = scratch();
                }
                MemorySegment target = straight ? direct : spare.asSlice(0, layout.chunkBytes());
                t = System.nanoTime();
                MemorySegment result = step.apply(data, target);
                nanos[stageIndex(step.stage())] += System.nanoTime() - t;
                if (!step.inPlace()) {
                    inArray = target == direct;
                    if (!straight) {
                        spare = spare == scratchA ? scratchB() : scratchA;
                    }
                }
                data = result;
            }
            if (data.byteSize() != layout.chunkBytes()) {
                throw new CorruptDataException("the chunk decoded to " + data.byteSize() + " bytes, not " + layout.chunkBytes());
            }
            t = System.nanoTime();
            if (inArray) {
                if (swap) {
                    Bytes.swap(direct, (int) itemSize);
                }
            } else {
                place(data, c.origin(), swap);
            }
            nanos[7] += System.nanoTime() - t;
        }

        /**
         * The first scratch buffer, made at first need (arena memory is zeroed when allocated, and fresh pages cost
         * a fault each: a Zarr chunk decoded straight into the array never needs one).
         */
        private MemorySegment scratch() {
            if (scratchA == null) {
                scratchA = arena.allocate(layout.chunkBytes() + 64, 64);
            }
            return scratchA;
        }

        private MemorySegment scratchB() {
            if (scratchB == null) {
                scratchB = arena.allocate(layout.chunkBytes() + 64, 64);
            }
            return scratchB;
        }

        private int stageIndex(String stage) {
            for (int i = 0; i < stageNames.length; i++) {
                if (stageNames[i].equals(stage)) {
                    return i;
                }
            }
            throw new IllegalStateException("no stage " + stage);
        }

        /** The chunk's stored bytes: a positional read into this thread's input buffer (grown as needed). */
        private MemorySegment storedBytes(StoredChunk c) {
            try {
                if (c.file() != null) {
                    try (FileChannel ch = FileChannel.open(c.file(), StandardOpenOption.READ)) {
                        return readFully(ch, 0, ch.size(), c);
                    }
                }
                if (c.address() < 0 || c.size() < 0 || c.address() + c.size() > file.size()) {
                    throw new CorruptDataException("its " + c.size() + " bytes at offset " + c.address() + " run past the end of the "
                            + file.size() + "-byte file (truncated?)");
                }
                return readFully(file, c.address(), c.size(), c);
            } catch (IOException e) {
                throw new FormatException(layout.name() + ", " + c.describe() + ": cannot read it: " + e, e);
            }
        }

        private MemorySegment readFully(FileChannel ch, long position, long size, StoredChunk c) throws IOException {
            if (size > input.byteSize()) {
                input = arena.allocate(Math.max(size, input.byteSize() * 2), 64); // freed with the arena
            }
            ByteBuffer buf = input.asSlice(0, size).asByteBuffer();
            while (buf.hasRemaining()) {
                if (ch.read(buf, position + buf.position()) < 0) {
                    throw new CorruptDataException("the file ends after " + buf.position() + " of its " + size + " bytes (truncated)");
                }
            }
            return input.asSlice(0, size);
        }

        /**
         * The chunk's place in the array when it is one contiguous run there (every axis but the first whole, and
         * the chunk not past the end of the first): decoders then write straight into the array.
         */
        private MemorySegment directTarget(long[] origin) {
            long[] shape = layout.shape();
            long[] chunk = layout.chunkShape();
            for (int d = 1; d < shape.length; d++) {
                if (origin[d] != 0 || chunk[d] != shape[d]) {
                    return null;
                }
            }
            if (origin[0] + chunk[0] > shape[0]) {
                return null;
            }
            return dst.asSlice(origin[0] * outStrides[0], layout.chunkBytes());
        }

        /** Copies the part of a decoded chunk (C order, the chunk's shape) that lies inside the array into place. */
        private void place(MemorySegment chunkData, long[] origin, boolean swapBytes) {
            long[] shape = layout.shape();
            long[] chunk = layout.chunkShape();
            int nd = shape.length;
            long[] extent = new long[nd];
            for (int d = 0; d < nd; d++) {
                extent[d] = Math.min(chunk[d], shape[d] - origin[d]);
            }
            long[] chunkStrides = cStrides(chunk, itemSize);
            long run = extent[nd - 1] * itemSize;
            long[] idx = new long[Math.max(0, nd - 1)];
            while (true) {
                long src = 0;
                long at = origin[nd - 1] * outStrides[nd - 1];
                for (int d = 0; d < nd - 1; d++) {
                    src += idx[d] * chunkStrides[d];
                    at += (origin[d] + idx[d]) * outStrides[d];
                }
                MemorySegment.copy(chunkData, src, dst, at, run);
                if (swapBytes) {
                    Bytes.swap(dst.asSlice(at, run), (int) itemSize);
                }
                int d = nd - 2;
                while (d >= 0 && ++idx[d] >= extent[d]) {
                    idx[d] = 0;
                    d--;
                }
                if (d < 0) {
                    return;
                }
            }
        }
    }

    static long[] cStrides(long[] shape, long itemSize) {
        long[] s = new long[shape.length];
        long acc = itemSize;
        for (int d = shape.length - 1; d >= 0; d--) {
            s[d] = acc;
            acc = Math.multiplyExact(acc, Math.max(1, shape[d]));
        }
        return s;
    }

    /** Byte order reversal of every element in place. */
    static final class Bytes {
        private Bytes() {
        }

        static void swap(MemorySegment s, int width) {
            long n = s.byteSize() / width;
            switch (width) {
                case 2 -> {
                    for (long i = 0; i < n; i++) {
                        s.set(ValueLayout.JAVA_SHORT_UNALIGNED, 2 * i, Short.reverseBytes(s.get(ValueLayout.JAVA_SHORT_UNALIGNED, 2 * i)));
                    }
                }
                case 4 -> {
                    for (long i = 0; i < n; i++) {
                        s.set(ValueLayout.JAVA_INT_UNALIGNED, 4 * i, Integer.reverseBytes(s.get(ValueLayout.JAVA_INT_UNALIGNED, 4 * i)));
                    }
                }
                case 8 -> {
                    for (long i = 0; i < n; i++) {
                        s.set(ValueLayout.JAVA_LONG_UNALIGNED, 8 * i, Long.reverseBytes(s.get(ValueLayout.JAVA_LONG_UNALIGNED, 8 * i)));
                    }
                }
                default -> {
                }
            }
        }
    }
}
