package dev.tessera.formats;

/** Called from the reading thread (never a decompressing one) every few tens of milliseconds, and once at the end. */
@FunctionalInterface
public interface ReadProgress {
    void update(long chunksDone, long chunksTotal, long bytesDone);

    ReadProgress NONE = (done, total, bytes) -> { };
}
