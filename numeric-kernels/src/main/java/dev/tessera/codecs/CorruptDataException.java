package dev.tessera.codecs;

/**
 * Compressed data that cannot be decoded into the space given: malformed, truncated, failing its checksum, or
 * larger than the destination. An {@link IllegalArgumentException}, so Python sees a {@code ValueError}.
 */
public class CorruptDataException extends IllegalArgumentException {
    public CorruptDataException(String message) {
        super(message);
    }
}
