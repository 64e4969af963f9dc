package dev.tessera.codecs;

/** Data in a format (or a variant of one) that no available decoder reads; says what would read it. */
public class UnsupportedCodecException extends UnsupportedOperationException {
    public UnsupportedCodecException(String message) {
        super(message);
    }
}
