package dev.tessera.buffer.values;

import com.oracle.truffle.api.strings.TruffleString;
import dev.tessera.shm.ArrayView;
import java.math.BigInteger;
import java.util.List;
import java.util.Map;

/**
 * The values that cross between interpreters, in their host form, and their conversion from and to what Java
 * callers pass and expect. Host form: {@code null} (None), {@link Boolean}, {@link Long}, {@link BigInteger} (an
 * int beyond 64 bits), {@link Double}, a string ({@link String}, or a {@link TruffleString} as it left an
 * interpreter), {@code byte[]} (bytes, owned by the value), a {@link Tuple}, an {@link ArrayView} or a
 * {@link HostHandle} (a queue). Nothing else: what crosses is copied, or is a handle to host memory, never a live
 * Python object. (Python values convert to and from this form in {@code dev.tessera.buffer.graalpy.GuestValues}.)
 */
public final class Shareables {
    /** How deep tuples may nest. */
    public static final int MAX_DEPTH = 64;

    private Shareables() {
    }

    /** Checks a value given by a Java caller and returns its host form (Integer to Long, List to Tuple...). */
    public static Object fromJava(Object v, String what) {
        return fromJava(v, what, 0);
    }

    private static Object fromJava(Object v, String what, int depth) {
        if (depth > MAX_DEPTH) {
            throw new IllegalArgumentException(what + ": tuples nested deeper than " + MAX_DEPTH);
        }
        return switch (v) {
            case null -> null;
            case Boolean b -> b;
            case Long l -> l;
            case Integer i -> (long) i;
            case Short s -> (long) s;
            case Byte b -> (long) b;
            case BigInteger b -> b.bitLength() < 64 ? (Object) b.longValue() : b;
            case Double d -> d;
            case Float f -> (double) f;
            case String s -> s;
            case TruffleString s -> s;
            case byte[] bytes -> bytes.clone();
            case long[] longs -> Tuple.wrapLongs(longs.clone());
            case double[] doubles -> Tuple.wrapDoubles(doubles.clone());
            case Tuple t -> t;
            case ArrayView view -> view;
            case HostHandle h -> h;
            case Copies.ListCopy c -> c; // already in host form (e.g. initargs a pool passed on)
            case Copies.DictCopy c -> c;
            case Copies.SetCopy c -> c;
            case Copies.Pickled c -> c;
            case List<?> list -> {
                Object[] out = new Object[list.size()];
                for (int i = 0; i < out.length; i++) {
                    out[i] = fromJava(list.get(i), what, depth + 1);
                }
                yield Tuple.wrap(out);
            }
            case Object[] array -> fromJava(List.of(array), what, depth);
            default -> throw new NotShareableException(what, v.getClass().getName());
        };
    }

    /** A host-form value as Java callers expect it: strings as {@link String}, tuples as lists of those. */
    public static Object toJava(Object v) {
        if (v instanceof Copies.ListCopy || v instanceof Copies.DictCopy || v instanceof Copies.SetCopy || v instanceof Copies.Wrapped) {
            return Copies.toJava(v);
        }
        if (v instanceof TruffleString s) {
            return s.toJavaStringUncached();
        }
        if (v instanceof Tuple.OfObjects t) {
            Object[] items = t.items();
            Object[] out = null;
            for (int i = 0; i < items.length; i++) {
                Object j = toJava(items[i]);
                if (j != items[i] && out == null) {
                    out = items.clone();
                }
                if (out != null) {
                    out[i] = j;
                }
            }
            return out == null ? t : Tuple.wrap(out);
        }
        return v;
    }

    /** Every view inside a host value (tuples searched), e.g. to release them when their task ends. */
    public static void collectViews(Object v, List<ArrayView> into) {
        if (v instanceof ArrayView view) {
            into.add(view);
        } else if (v instanceof Tuple.OfObjects t) {
            for (Object item : t.items()) {
                collectViews(item, into);
            }
        }
    }

    /** Keyword arguments from a Java caller, in host form. */
    public static Map<String, Object> kwargsFromJava(Map<String, ?> kwargs, String what) {
        java.util.LinkedHashMap<String, Object> out = new java.util.LinkedHashMap<>();
        kwargs.forEach((k, v) -> out.put(k, fromJava(v, what + " '" + k + "'")));
        return java.util.Collections.unmodifiableMap(out);
    }
}
