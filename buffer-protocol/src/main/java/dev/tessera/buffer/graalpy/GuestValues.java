package dev.tessera.buffer.graalpy;

import com.oracle.graal.python.PythonLanguage;
import com.oracle.graal.python.builtins.PythonBuiltinClassType;
import com.oracle.graal.python.builtins.objects.PNone;
import com.oracle.graal.python.builtins.objects.bytes.PBytes;
import com.oracle.graal.python.builtins.objects.floats.PFloat;
import com.oracle.graal.python.builtins.objects.ints.PInt;
import com.oracle.graal.python.builtins.objects.memoryview.PMemoryView;
import com.oracle.graal.python.builtins.objects.str.PString;
import com.oracle.graal.python.builtins.objects.tuple.PTuple;
import com.oracle.graal.python.builtins.objects.type.PythonBuiltinClass;
import com.oracle.graal.python.lib.PyObjectGetAttr;
import com.oracle.graal.python.nodes.object.GetClassNode;
import com.oracle.graal.python.runtime.GilNode;
import com.oracle.graal.python.runtime.object.PFactory;
import com.oracle.graal.python.runtime.sequence.storage.BoolSequenceStorage;
import com.oracle.graal.python.runtime.sequence.storage.ByteSequenceStorage;
import com.oracle.graal.python.runtime.sequence.storage.DoubleSequenceStorage;
import com.oracle.graal.python.runtime.sequence.storage.EmptySequenceStorage;
import com.oracle.graal.python.runtime.sequence.storage.IntSequenceStorage;
import com.oracle.graal.python.runtime.sequence.storage.LongSequenceStorage;
import com.oracle.graal.python.runtime.sequence.storage.ObjectSequenceStorage;
import com.oracle.graal.python.runtime.sequence.storage.SequenceStorage;
import com.oracle.graal.python.util.PythonUtils;
import com.oracle.truffle.api.CompilerDirectives.TruffleBoundary;
import com.oracle.truffle.api.nodes.Node;
import com.oracle.truffle.api.strings.TruffleString;
import dev.tessera.buffer.values.Copies;
import dev.tessera.buffer.values.GuestHandle;
import dev.tessera.buffer.values.HostHandle;
import dev.tessera.buffer.values.NotShareableException;
import dev.tessera.buffer.values.Shareables;
import dev.tessera.buffer.values.Tuple;
import dev.tessera.shm.ArrayView;
import java.math.BigInteger;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Python values to host form and back, in one step each way, reading and building GraalPy's own objects
 * directly: a tuple of a thousand ints leaves an interpreter as one array copy and enters another as a tuple over
 * that array. Exact types only, as CPython's interpreters require: a subclass of int or tuple is not shareable.
 * This is the one place that validates a value crossing between interpreters.
 *
 * <p>Needs no GIL of its own: it only reads immutable Python objects (ints, strs, bytes, tuples) and builds new ones,
 * so it is right both inside a quick host function (whose thread may keep its GIL, see {@link Gil}) and inside one
 * that gave the GIL up; it takes the GIL only to name the type of a value it refuses (a GIL its thread holds already
 * is taken again at no cost).
 */
public final class GuestValues {
    private GuestValues() {
    }

    /** The host form of a Python value; NotShareableException names the type otherwise. */
    @TruffleBoundary
    public static Object toHost(Object v, String what) {
        return toHost(v, what, 0, null);
    }

    /**
     * As {@link #toHost(Object, String)}, but a value that is not shareable still crosses as a copy or a pickle
     * ({@link GuestCopies}), made by the interpreter of {@code scope}, as CPython 3.14 falls back to pickle: a task's
     * arguments and result, a queue item. Shareable values take the same path as above.
     */
    @TruffleBoundary
    public static Object toHostOrCopy(Object v, String what, GuestScope scope) {
        return toHost(v, what, 0, scope);
    }

    private static Object toHost(Object v, String what, int depth, GuestScope copier) {
        if (v instanceof Integer i) {
            return (long) i;
        } else if (v instanceof Long || v instanceof Double || v instanceof Boolean || v instanceof TruffleString) {
            return v;
        } else if (v == PNone.NONE) {
            return null;
        } else if (v instanceof PTuple t && isExact(t, PythonBuiltinClassType.PTuple)) {
            if (depth >= Shareables.MAX_DEPTH) {
                throw new IllegalArgumentException(what + ": tuples nested deeper than " + Shareables.MAX_DEPTH);
            }
            return tupleToHost(t.getSequenceStorage(), what, depth, copier);
        } else if (v instanceof GuestHandle h) {
            return h.hostValue();
        } else if (v instanceof PInt p && isExact(p, PythonBuiltinClassType.PInt)) {
            BigInteger b = p.getValue();
            return b.bitLength() < 64 ? (Object) b.longValue() : b;
        } else if (v instanceof PString s && isExact(s, PythonBuiltinClassType.PString)) {
            return s.getValueUncached();
        } else if (v instanceof PFloat f && isExact(f, PythonBuiltinClassType.PFloat)) {
            return f.getValue();
        } else if (v instanceof PBytes b && isExact(b, PythonBuiltinClassType.PBytes)
                && b.getSequenceStorage() instanceof ByteSequenceStorage s) {
            return Arrays.copyOf(s.getInternalByteArray(), s.length());
        }
        if (copier != null) {
            return GuestCopies.copyOrPickle(v, what, copier);
        }
        throw notShareable(v, what);
    }

    private static Object tupleToHost(SequenceStorage s, String what, int depth, GuestScope copier) {
        Tuple primitive = primitiveItems(s);
        if (primitive != null) {
            return primitive;
        }
        switch (s) {
            case ObjectSequenceStorage objects -> {
                int n = s.length();
                Object[] a = objects.getInternalObjectArray();
                Object[] out = new Object[n];
                for (int i = 0; i < n; i++) {
                    out[i] = toHost(a[i], what, depth + 1, copier);
                }
                return Tuple.wrap(out);
            }
            default -> throw new IllegalStateException(what + ": a tuple with storage " + s.getClass().getSimpleName()
                    + " cannot be read by tessera");
        }
    }

    /**
     * The items of a tuple's or list's storage that holds no objects (ints, floats, bools, or nothing) in host form,
     * one array copy where the storage allows; null for any other storage (the caller converts item by item).
     */
    static Tuple primitiveItems(SequenceStorage s) {
        int n = s.length();
        switch (s) {
            case IntSequenceStorage ints -> {
                int[] a = ints.getInternalIntArray();
                long[] out = new long[n];
                for (int i = 0; i < n; i++) {
                    out[i] = a[i];
                }
                return Tuple.wrapLongs(out);
            }
            case LongSequenceStorage longs -> {
                return Tuple.wrapLongs(Arrays.copyOf(longs.getInternalLongArray(), n));
            }
            case DoubleSequenceStorage doubles -> {
                return Tuple.wrapDoubles(Arrays.copyOf(doubles.getInternalDoubleArray(), n));
            }
            case BoolSequenceStorage bools -> {
                Object[] out = new Object[n];
                for (int i = 0; i < n; i++) {
                    out[i] = bools.getBoolItemNormalized(i);
                }
                return Tuple.wrap(out);
            }
            case EmptySequenceStorage empty -> {
                return Tuple.EMPTY;
            }
            default -> {
                return null;
            }
        }
    }

    /**
     * The Python value of a host-form value, for the interpreter running this thread. Views become the buffer
     * objects that memoryview() accepts, or memoryviews themselves with {@code viewsAsMemoryviews}; queues become
     * queue objects of this interpreter.
     */
    @TruffleBoundary
    public static Object toGuest(Object v, PythonLanguage language, boolean viewsAsMemoryviews) {
        return toGuest(v, language, viewsAsMemoryviews, null);
    }

    /** As above; copies and pickles ({@link #toHostOrCopy}) become new objects of the interpreter of {@code scope}. */
    @TruffleBoundary
    public static Object toGuest(Object v, PythonLanguage language, boolean viewsAsMemoryviews, GuestScope scope) {
        return switch (v) {
            case null -> PNone.NONE;
            case Long l -> l;
            case Double d -> d;
            case Boolean b -> b;
            case TruffleString s -> s;
            case String s -> PythonUtils.toTruffleStringUncached(s);
            case Tuple.OfLongs t -> PFactory.createTuple(language, new LongSequenceStorage(t.values()));
            case Tuple.OfDoubles t -> PFactory.createTuple(language, new DoubleSequenceStorage(t.values()));
            case Tuple.OfObjects t -> {
                Object[] items = t.items();
                Object[] out = new Object[items.length];
                for (int i = 0; i < out.length; i++) {
                    out[i] = toGuest(items[i], language, viewsAsMemoryviews, scope);
                }
                yield PFactory.createTuple(language, out);
            }
            case byte[] bytes -> PFactory.createBytes(language, bytes);
            case BigInteger b -> b.bitLength() < 64 ? (Object) b.longValue() : PFactory.createInt(language, b);
            case ArrayView view -> viewsAsMemoryviews ? memoryview(ViewBuffer.of(view), language) : ViewBuffer.of(view);
            case HostHandle h -> h.toGuest();
            case Copies.ListCopy c -> GuestCopies.toGuest(c, language, scope);
            case Copies.DictCopy c -> GuestCopies.toGuest(c, language, scope);
            case Copies.SetCopy c -> GuestCopies.toGuest(c, language, scope);
            case Copies.Pickled c -> GuestCopies.toGuest(c, language, scope);
            case Copies.Wrapped w -> toGuest(w.item(), language, viewsAsMemoryviews, scope);
            default -> throw new IllegalStateException("not a host-form shareable: " + v.getClass().getName());
        };
    }

    /** As {@link #toGuest(Object, PythonLanguage, boolean)}, for the interpreter that {@code node} belongs to. */
    public static Object toGuest(Object v, Node node, boolean viewsAsMemoryviews) {
        return toGuest(v, PythonLanguage.get(node), viewsAsMemoryviews);
    }

    /** As {@link #toGuest(Object, PythonLanguage, boolean, GuestScope)}, for the interpreter that {@code node} belongs to. */
    public static Object toGuest(Object v, Node node, boolean viewsAsMemoryviews, GuestScope scope) {
        return toGuest(v, PythonLanguage.get(node), viewsAsMemoryviews, scope);
    }

    /** Python's None, for host functions that return nothing. */
    public static Object none() {
        return PNone.NONE;
    }

    /** A tuple of Python values (already converted), in the interpreter that {@code node} belongs to. */
    @TruffleBoundary
    public static Object tuple(Node node, Object... pythonValues) {
        return PFactory.createTuple(PythonLanguage.get(node), pythonValues);
    }

    /** A Python str. */
    @TruffleBoundary
    public static Object str(String s) {
        return PythonUtils.toTruffleStringUncached(s == null ? "" : s);
    }

    /** Whether {@code v} is a tuple (of any kind: exactness is checked when it is converted). */
    public static boolean isTuple(Object v) {
        return v instanceof PTuple;
    }

    // ---- keyword arguments: they cross as a tuple of (name, value) pairs, each value checked under its own name ----

    /** Keyword arguments from Python's pairs ({@code tuple(kwargs.items())}), or none for None. */
    @TruffleBoundary
    public static Map<String, Object> kwargsToHost(Object pairs) {
        return kwargsToHost(pairs, null);
    }

    /** As above; values that are not shareable cross as copies or pickles made by the interpreter of {@code scope}. */
    @TruffleBoundary
    public static Map<String, Object> kwargsToHost(Object pairs, GuestScope scope) {
        if (GuestArgs.isNone(pairs)) {
            return Map.of();
        }
        if (!(pairs instanceof PTuple t) || !(t.getSequenceStorage() instanceof ObjectSequenceStorage items)) {
            throw new ClassCastException("keyword arguments must come as a tuple of (name, value) pairs");
        }
        Map<String, Object> out = new LinkedHashMap<>();
        Object[] array = items.getInternalObjectArray();
        for (int i = 0; i < items.length(); i++) {
            if (!(array[i] instanceof PTuple pair) || !(pair.getSequenceStorage() instanceof ObjectSequenceStorage kv) || kv.length() != 2) {
                throw new ClassCastException("keyword arguments must come as a tuple of (name, value) pairs");
            }
            String name = GuestArgs.asString(kv.getInternalObjectArray()[0], "keyword");
            out.put(name, toHost(kv.getInternalObjectArray()[1], "argument '" + name + "'", 0, scope));
        }
        return out;
    }

    /** Keyword arguments as Python's pairs, None when there are none; views as memoryviews. */
    @TruffleBoundary
    public static Object kwargsToGuest(Map<String, Object> kwargs, Node node) {
        return kwargsToGuest(kwargs, node, null);
    }

    /** As above; copies and pickles become new objects of the interpreter of {@code scope}. */
    @TruffleBoundary
    public static Object kwargsToGuest(Map<String, Object> kwargs, Node node, GuestScope scope) {
        if (kwargs.isEmpty()) {
            return PNone.NONE;
        }
        Object[] pairs = new Object[kwargs.size()];
        int i = 0;
        for (Map.Entry<String, Object> e : kwargs.entrySet()) {
            pairs[i++] = Tuple.wrap(new Object[] {e.getKey(), e.getValue()});
        }
        return toGuest(Tuple.wrap(pairs), PythonLanguage.get(node), true, scope);
    }

    /** A memoryview over a view's buffer, as {@code memoryview(buffer)} would make it. */
    static PMemoryView memoryview(ViewBuffer buffer, PythonLanguage language) {
        return PFactory.createMemoryViewForManagedObject(language, buffer, buffer, buffer.getItemSize(), buffer.getBufferLength(),
                buffer.isReadonly(), buffer.getFormatString(), TruffleString.CodePointLengthNode.getUncached(),
                TruffleString.CodePointAtIndexNode.getUncached());
    }

    private static boolean isExact(Object v, PythonBuiltinClassType type) {
        Object cls = GetClassNode.executeUncached(v);
        return cls == type || cls instanceof PythonBuiltinClass b && b.getType() == type;
    }

    private static NotShareableException notShareable(Object v, String what) {
        String type = typeName(v);
        String hint = switch (type) {
            case "tessera.Array" -> " (pass a view: array.readonly() or array.slice(start, stop))";
            case "memoryview" -> " (memory owned by one interpreter cannot be shared: allocate it as a tessera array, "
                    + "tessera.zeros(n, format), and pass array.slice() or array.readonly() views, which arrive as memoryviews)";
            case "list" -> " (a tuple of shareables is shareable)";
            default -> "";
        };
        return new NotShareableException(what, type, hint);
    }

    /** "list", "mymodule.Point": the type of a Python value as its error messages name it. */
    @TruffleBoundary
    public static String typeName(Object v) {
        if (v instanceof HostObject h) {
            return h.metaType().toString();
        }
        try (GilNode.UncachedAcquire gil = GilNode.uncachedAcquire()) {
            Object cls = GetClassNode.executeUncached(v);
            String qualname = str(PyObjectGetAttr.executeUncached(cls, PythonUtils.toTruffleStringUncached("__qualname__")));
            String module = str(PyObjectGetAttr.executeUncached(cls, PythonUtils.toTruffleStringUncached("__module__")));
            return module == null || module.equals("builtins") ? qualname : module + "." + qualname;
        } catch (RuntimeException e) {
            return v.getClass().getSimpleName();
        }
    }

    private static String str(Object v) {
        if (v instanceof TruffleString s) {
            return s.toJavaStringUncached();
        }
        if (v instanceof PString s) {
            return s.getValueUncached().toJavaStringUncached();
        }
        return null;
    }
}
