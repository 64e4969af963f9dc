package dev.tessera.workers;

import java.time.Duration;

/**
 * Seconds, as Python and JSON give a timeout, to what a wait takes: nanoseconds, or {@link WaitSet#FOREVER}. The one
 * conversion, so that every timeout clamps alike: a negative one (Python's None) and one too long for a 64-bit count
 * of nanoseconds (about 292 years) wait forever, and NaN is refused.
 */
public final class Timeouts {
    /** Past this many seconds a timeout is forever: {@code Long.MAX_VALUE} nanoseconds, rounded down. */
    private static final double LONGEST_SECONDS = 9.2e9;

    private Timeouts() {
    }

    /** {@code seconds} in nanoseconds; {@link WaitSet#FOREVER} for a negative or a longer than representable one. */
    public static long nanos(double seconds) {
        if (Double.isNaN(seconds)) {
            throw new IllegalArgumentException("a timeout must be a number of seconds, not NaN");
        }
        if (seconds < 0 || seconds >= LONGEST_SECONDS) {
            return WaitSet.FOREVER;
        }
        return (long) (seconds * 1e9);
    }

    /** {@code seconds} as a duration; null (no limit) for a negative or a longer than representable one. */
    public static Duration duration(double seconds) {
        long nanos = nanos(seconds);
        return nanos == WaitSet.FOREVER ? null : Duration.ofNanos(nanos);
    }
}
