package dev.tessera.shm;

import java.util.Arrays;
import java.util.stream.Collectors;

/**
 * Element types of a {@link SharedArray}, with their PEP 3118 / {@code struct} format character.
 * Native byte order throughout: these arrays are shared in one process, never serialised.
 */
public enum DType {
    INT8("int8", 'b', 1),
    INT16("int16", 'h', 2),
    INT32("int32", 'i', 4),
    INT64("int64", 'q', 8),
    UINT8("uint8", 'B', 1),
    UINT16("uint16", 'H', 2),
    UINT32("uint32", 'I', 4),
    UINT64("uint64", 'Q', 8),
    FLOAT32("float32", 'f', 4),
    FLOAT64("float64", 'd', 8),
    BOOL("bool", '?', 1);

    private final String typeName;
    private final char format;
    private final int itemSize;

    DType(String typeName, char format, int itemSize) {
        this.typeName = typeName;
        this.format = format;
        this.itemSize = itemSize;
    }

    /** The numpy-style name, e.g. {@code float64}. */
    public String typeName() {
        return typeName;
    }

    /** The struct format character, e.g. {@code 'd'}. */
    public char format() {
        return format;
    }

    public String formatString() {
        return String.valueOf(format);
    }

    public int itemSize() {
        return itemSize;
    }

    public boolean isFloating() {
        return this == FLOAT32 || this == FLOAT64;
    }

    /**
     * Parses a struct format ({@code "d"}, {@code "=d"}, {@code "@q"}) or a type name ({@code "float64"}).
     * Byte-order prefixes other than native are refused: the arrays hold native-order data.
     *
     * @throws IllegalArgumentException naming the bad value and the accepted ones
     */
    public static DType parse(String spec) {
        if (spec == null) {
            throw new IllegalArgumentException("dtype must not be null; use one of " + accepted());
        }
        String s = spec.strip();
        if (s.length() == 2 && (s.charAt(0) == '@' || s.charAt(0) == '=')) {
            s = s.substring(1);
        }
        for (DType t : values()) {
            if (s.length() == 1 && s.charAt(0) == t.format || s.equals(t.typeName)) {
                return t;
            }
        }
        throw new IllegalArgumentException("unsupported format '" + spec + "': use one of " + accepted());
    }

    private static String accepted() {
        return Arrays.stream(values()).map(t -> "'" + t.format + "' (" + t.typeName + ")").collect(Collectors.joining(", "));
    }
}
