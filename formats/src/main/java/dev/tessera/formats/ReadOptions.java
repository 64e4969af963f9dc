package dev.tessera.formats;

import dev.tessera.codecs.Codecs;
import java.util.function.BooleanSupplier;

/**
 * How a dataset is read: decompressing threads (host platform threads; 0 means one per available processor), the
 * decoders, a progress callback and a cancellation check (polled by the reading thread).
 */
public record ReadOptions(int threads, Codecs codecs, ReadProgress progress, BooleanSupplier cancelled) {
    public ReadOptions {
        if (threads < 0) {
            throw new IllegalArgumentException("threads must be at least 1 (or 0 for one per processor), got " + threads);
        }
        codecs = codecs == null ? Codecs.defaults() : codecs;
        progress = progress == null ? ReadProgress.NONE : progress;
        cancelled = cancelled == null ? () -> false : cancelled;
    }

    public static ReadOptions defaults() {
        return new ReadOptions(0, null, null, null);
    }

    public static ReadOptions threads(int threads) {
        return new ReadOptions(threads, null, null, null);
    }

    public ReadOptions withCodecs(Codecs c) {
        return new ReadOptions(threads, c, progress, cancelled);
    }

    public ReadOptions withProgress(ReadProgress p) {
        return new ReadOptions(threads, codecs, p, cancelled);
    }

    public ReadOptions withCancel(BooleanSupplier c) {
        return new ReadOptions(threads, codecs, progress, c);
    }

    int effectiveThreads() {
        return threads == 0 ? Runtime.getRuntime().availableProcessors() : threads;
    }
}
