package dev.tessera.workers;

import com.oracle.truffle.api.interop.InteropException;
import com.oracle.truffle.api.interop.InteropLibrary;
import com.oracle.truffle.api.strings.TruffleString;
import dev.tessera.buffer.graalpy.BytesBuffer;
import dev.tessera.buffer.graalpy.HostValue;
import dev.tessera.buffer.graalpy.InteropArray;
import dev.tessera.buffer.graalpy.ViewBuffer;
import dev.tessera.shm.ArrayView;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * The values that cross between interpreters, in their host form: {@code null}, {@link Boolean}, {@link Long},
 * {@link BigInteger} (beyond 64 bits), {@link Double}, {@link String}, {@code byte[]}, an unmodifiable
 * {@link List} (a tuple), an {@link ArrayView} (a view of host memory) or a {@link Queue}. Nothing else: what
 * crosses is copied (or, for views and queues, is a handle to host memory), never a live Python object.
 */
public final class Shareables {
    private static final InteropLibrary INTEROP = InteropLibrary.getUncached();
    private static final int MAX_DEPTH = 64;

    private Shareables() {
    }

    // ---- Java callers ---------------------------------------------------------------------------------------

    /** Checks a value given by a Java caller and normalises it (Integer to Long, arrays to lists...). */
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
            case byte[] bytes -> bytes.clone();
            case ArrayView view -> view;
            case Queue q -> q;
            case List<?> list -> {
                List<Object> out = new ArrayList<>(list.size());
                for (Object item : list) {
                    out.add(fromJava(item, what, depth + 1));
                }
                yield Collections.unmodifiableList(out);
            }
            case Object[] array -> fromJava(java.util.Arrays.asList(array), what, depth);
            default -> throw new NotShareableException(what, v.getClass().getName());
        };
    }

    // ---- values coming out of an interpreter ------------------------------------------------------------------

    /**
     * Converts a value that Python code handed to a host call (a raw interop value) into its host form. Exact
     * Python types only, as CPython's interpreters require: a subclass of int or tuple is refused.
     */
    public static Object fromGuest(Object v, String what) {
        return fromGuest(v, what, 0);
    }

    private static Object fromGuest(Object v, String what, int depth) {
        if (depth > MAX_DEPTH) {
            throw new IllegalArgumentException(what + ": tuples nested deeper than " + MAX_DEPTH);
        }
        switch (v) {
            case Boolean b -> {
                return b;
            }
            case Integer i -> {
                return (long) i;
            }
            case Long l -> {
                return l;
            }
            case Double d -> {
                return d;
            }
            case String s -> {
                return s;
            }
            case TruffleString s -> {
                return s.toJavaStringUncached();
            }
            case ViewBuffer vb -> {
                return vb.view();
            }
            case QueueObject q -> {
                return q.queue();
            }
            default -> {
            }
        }
        try {
            if (INTEROP.isNull(v)) {
                return null;
            }
            String type = pythonTypeName(v);
            switch (type) {
                case "bool" -> {
                    return INTEROP.asBoolean(v);
                }
                case "int" -> {
                    return INTEROP.fitsInLong(v) ? (Object) INTEROP.asLong(v) : INTEROP.asBigInteger(v);
                }
                case "float" -> {
                    return INTEROP.asDouble(v);
                }
                case "str" -> {
                    return INTEROP.asString(v);
                }
                case "bytes" -> {
                    byte[] out = new byte[(int) INTEROP.getBufferSize(v)];
                    INTEROP.readBuffer(v, 0, out, 0, out.length);
                    return out;
                }
                case "tuple" -> {
                    int n = (int) INTEROP.getArraySize(v);
                    List<Object> out = new ArrayList<>(n);
                    for (int i = 0; i < n; i++) {
                        out.add(fromGuest(INTEROP.readArrayElement(v, i), what, depth + 1));
                    }
                    return Collections.unmodifiableList(out);
                }
                default -> throw new NotShareableException(what, type);
            }
        } catch (InteropException e) {
            throw new IllegalArgumentException(what + ": cannot read " + display(v) + ": " + e.getMessage(), e);
        }
    }

    /** Keyword arguments from Python: a tuple of (name, value) pairs. */
    public static Map<String, Object> kwargsFromGuest(Object pairs, String what) {
        Map<String, Object> out = new LinkedHashMap<>();
        Object decoded = fromGuest(pairs, what);
        if (decoded instanceof List<?> list) {
            for (Object pair : list) {
                List<?> kv = (List<?>) pair;
                out.put((String) kv.get(0), kv.get(1));
            }
        }
        return out;
    }

    private static String pythonTypeName(Object v) throws InteropException {
        if (!INTEROP.hasMetaObject(v)) {
            return v.getClass().getName();
        }
        String name = INTEROP.asString(INTEROP.getMetaQualifiedName(INTEROP.getMetaObject(v)));
        return name.startsWith("builtins.") ? name.substring("builtins.".length()) : name;
    }

    private static String display(Object v) {
        return String.valueOf(INTEROP.toDisplayString(v, false));
    }

    // ---- values going into an interpreter ----------------------------------------------------------------------

    /**
     * The form in which a host value enters an interpreter; Python's {@code tessera._decode} finishes the job.
     * Views become buffer objects through {@code wrapView} (which lets a task revoke them when it ends).
     */
    public static Object toGuest(Object v, Function<ArrayView, Object> wrapView) {
        return switch (v) {
            case null -> HostValue.NONE;
            case Boolean b -> b;
            case Long l -> l;
            case Double d -> d;
            case String s -> s;
            case BigInteger b -> b.bitLength() < 64 ? (Object) b.longValue() : HostValue.bigInt(b);
            case byte[] bytes -> new BytesBuffer(bytes);
            case ArrayView view -> wrapView.apply(view);
            case Queue q -> new QueueObject(q);
            case List<?> list -> {
                Object[] items = new Object[list.size()];
                for (int i = 0; i < items.length; i++) {
                    items[i] = toGuest(list.get(i), wrapView);
                }
                yield new InteropArray(items);
            }
            default -> throw new IllegalStateException("not a host-form shareable: " + v.getClass().getName());
        };
    }

    /** A name or source text that may be absent: the string itself, or the None carrier. */
    public static Object toGuest(String s) {
        return s == null ? HostValue.NONE : s;
    }

    /** Keyword arguments into an interpreter: a tuple of (name, value) pairs. */
    public static Object kwargsToGuest(Map<String, Object> kwargs, Function<ArrayView, Object> wrapView) {
        Object[] pairs = new Object[kwargs.size()];
        int i = 0;
        for (Map.Entry<String, Object> e : kwargs.entrySet()) {
            pairs[i++] = new InteropArray(e.getKey(), toGuest(e.getValue(), wrapView));
        }
        return new InteropArray(pairs);
    }

    /** Every view inside a host value (tuples searched), e.g. to release them when their task ends. */
    public static void collectViews(Object v, List<ArrayView> into) {
        if (v instanceof ArrayView view) {
            into.add(view);
        } else if (v instanceof List<?> list) {
            for (Object item : list) {
                collectViews(item, into);
            }
        }
    }
}
