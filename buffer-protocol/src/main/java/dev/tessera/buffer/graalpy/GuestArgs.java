package dev.tessera.buffer.graalpy;

import com.oracle.graal.python.builtins.objects.PNone;
import com.oracle.graal.python.builtins.objects.floats.PFloat;
import com.oracle.graal.python.builtins.objects.ints.PInt;
import com.oracle.graal.python.builtins.objects.str.PString;
import com.oracle.graal.python.builtins.objects.tuple.PTuple;
import com.oracle.graal.python.lib.PyObjectIsTrueNode;
import com.oracle.graal.python.runtime.GilNode;
import com.oracle.truffle.api.CompilerDirectives.TruffleBoundary;
import com.oracle.truffle.api.strings.TruffleString;
import dev.tessera.buffer.values.Tuple;
import dev.tessera.shm.SharedArray;
import java.util.ArrayList;
import java.util.List;

/**
 * Reads the arguments of host functions, as GraalPy passes them (ints as Integer, Long or PInt, strs as
 * TruffleString or PString...). A wrong type is a TypeError and a wrong value a ValueError naming the argument,
 * checked here once and not again in Python.
 */
public final class GuestArgs {
    private GuestArgs() {
    }

    public static boolean isNone(Object v) {
        return v == PNone.NONE || v == PNone.NO_VALUE;
    }

    @TruffleBoundary
    public static long asLong(Object v, String what) {
        if (v instanceof Integer i) {
            return i;
        } else if (v instanceof Long l) {
            return l;
        } else if (v instanceof PInt p) {
            java.math.BigInteger b = p.getValue();
            if (b.bitLength() < 64) {
                return b.longValue();
            }
            throw new IllegalArgumentException(what + " " + b + " does not fit in 64 bits");
        }
        throw new ClassCastException(what + " must be an int, not " + GuestValues.typeName(v));
    }

    @TruffleBoundary
    public static int asInt(Object v, String what) {
        long l = asLong(v, what);
        if (l != (int) l) {
            throw new IllegalArgumentException(what + " " + l + " is too large");
        }
        return (int) l;
    }

    @TruffleBoundary
    public static String asString(Object v, String what) {
        if (v instanceof TruffleString s) {
            return s.toJavaStringUncached();
        } else if (v instanceof PString s) {
            return s.getValueUncached().toJavaStringUncached();
        }
        throw new ClassCastException(what + " must be a str, not " + GuestValues.typeName(v));
    }

    /** A str, or null for None. */
    public static String asOptString(Object v, String what) {
        return isNone(v) ? null : asString(v, what);
    }

    /** A Python truth value (bool, int, None, or anything with {@code __bool__}). */
    @TruffleBoundary
    public static boolean truthy(Object v) {
        if (v instanceof Boolean b) {
            return b;
        } else if (v instanceof Integer i) {
            return i != 0;
        } else if (v instanceof Long l) {
            return l != 0;
        } else if (isNone(v)) {
            return false;
        }
        try (GilNode.UncachedAcquire gil = GilNode.uncachedAcquire()) {
            return PyObjectIsTrueNode.executeUncached(v);
        }
    }

    /** Seconds as a double, or {@code ifNone} for None; negative values refused, NaN refused. */
    @TruffleBoundary
    public static double asSeconds(Object v, String what, double ifNone) {
        if (isNone(v)) {
            return ifNone;
        }
        double s;
        if (v instanceof Double d) {
            s = d;
        } else if (v instanceof PFloat f) {
            s = f.getValue();
        } else if (v instanceof Integer || v instanceof Long || v instanceof PInt) {
            s = asLong(v, what);
        } else {
            throw new ClassCastException(what + " must be a number or None, not " + GuestValues.typeName(v));
        }
        if (!(s >= 0)) {
            throw new IllegalArgumentException("'" + what + "' must be a non-negative number");
        }
        return s;
    }

    /** A tuple of str. */
    @TruffleBoundary
    public static List<String> asStrings(Object v, String what) {
        if (!(v instanceof PTuple)) {
            throw new ClassCastException(what + " must be a tuple of str, not " + GuestValues.typeName(v));
        }
        Tuple t = (Tuple) GuestValues.toHost(v, what);
        List<String> out = new ArrayList<>(t.size());
        for (Object o : t) {
            if (o instanceof TruffleString s) {
                out.add(s.toJavaStringUncached());
            } else {
                throw new ClassCastException(what + " must hold str, not " + (o == null ? "None" : o.getClass().getSimpleName()));
            }
        }
        return out;
    }

    /** A tuple of ints (a shape). */
    @TruffleBoundary
    public static long[] asLongs(Object v, String what) {
        if (!(v instanceof PTuple)) {
            throw new ClassCastException(what + " must be a tuple of int, not " + GuestValues.typeName(v));
        }
        Tuple t = (Tuple) GuestValues.toHost(v, what);
        long[] out = new long[t.size()];
        for (int i = 0; i < out.length; i++) {
            if (t.get(i) instanceof java.math.BigInteger b) {
                throw new ArithmeticException(what + ": " + b + " does not fit in 64 bits");
            }
            if (!(t.get(i) instanceof Long l)) {
                throw new ClassCastException(what + " entries must be ints, got " + repr(t.get(i)));
            }
            out[i] = l;
        }
        return out;
    }

    /** A host-form value as Python would show it in a message (its repr, for the plain kinds). */
    private static String repr(Object hostValue) {
        return switch (hostValue) {
            case null -> "None";
            case Boolean b -> b ? "True" : "False";
            case TruffleString s -> "'" + s.toJavaStringUncached() + "'";
            default -> String.valueOf(hostValue);
        };
    }

    /** A tessera array ({@code tessera.Array}). */
    public static SharedArray asArray(Object v, String what) {
        if (v instanceof ArrayObject a) {
            return a.array();
        }
        throw new ClassCastException(what + " must be a tessera.Array, not " + GuestValues.typeName(v));
    }
}
