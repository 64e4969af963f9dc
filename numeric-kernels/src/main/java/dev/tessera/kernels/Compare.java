package dev.tessera.kernels;

/** A comparison of an element with a value, as Python writes it. NaN compares false except with {@code !=}. */
public enum Compare {
    LT("<"), LE("<="), EQ("=="), NE("!="), GE(">="), GT(">");

    private final String symbol;

    Compare(String symbol) {
        this.symbol = symbol;
    }

    public String symbol() {
        return symbol;
    }

    public static Compare parse(String op) {
        for (Compare c : values()) {
            if (c.symbol.equals(op)) {
                return c;
            }
        }
        throw new IllegalArgumentException("unknown comparison " + op + ": use one of <, <=, ==, !=, >=, >");
    }

    boolean test(double x, double v) {
        return switch (this) {
            case LT -> x < v;
            case LE -> x <= v;
            case EQ -> x == v;
            case NE -> x != v;
            case GE -> x >= v;
            case GT -> x > v;
        };
    }

    boolean test(long x, long v) {
        return switch (this) {
            case LT -> x < v;
            case LE -> x <= v;
            case EQ -> x == v;
            case NE -> x != v;
            case GE -> x >= v;
            case GT -> x > v;
        };
    }
}
