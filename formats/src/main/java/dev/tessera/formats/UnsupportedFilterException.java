package dev.tessera.formats;

/** A dataset stored with a filter, codec, element type or layout this reader does not decode; the message names it. */
public class UnsupportedFilterException extends FormatException {
    public UnsupportedFilterException(String message) {
        super(message);
    }
}
