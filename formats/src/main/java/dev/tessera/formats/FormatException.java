package dev.tessera.formats;

/**
 * A dataset that cannot be read: corrupt or truncated chunks, a failed checksum, metadata that makes no sense. An
 * {@link IllegalArgumentException}, so Python sees a {@code ValueError} ({@code tessera.FormatError}).
 */
public class FormatException extends IllegalArgumentException {
    public FormatException(String message) {
        super(message);
    }

    public FormatException(String message, Throwable cause) {
        super(message, cause);
    }
}
