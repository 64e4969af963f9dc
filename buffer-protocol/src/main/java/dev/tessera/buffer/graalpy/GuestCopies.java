package dev.tessera.buffer.graalpy;

import com.oracle.graal.python.PythonLanguage;
import com.oracle.graal.python.builtins.PythonBuiltinClassType;
import com.oracle.graal.python.builtins.objects.PNone;
import com.oracle.graal.python.builtins.objects.bytes.PBytes;
import com.oracle.graal.python.builtins.objects.common.EconomicMapStorage;
import com.oracle.graal.python.builtins.objects.common.HashingStorage;
import com.oracle.graal.python.builtins.objects.common.HashingStorageNodes.HashingStorageGetIterator;
import com.oracle.graal.python.builtins.objects.common.HashingStorageNodes.HashingStorageIterator;
import com.oracle.graal.python.builtins.objects.common.HashingStorageNodes.HashingStorageIteratorKey;
import com.oracle.graal.python.builtins.objects.common.HashingStorageNodes.HashingStorageIteratorNext;
import com.oracle.graal.python.builtins.objects.common.HashingStorageNodes.HashingStorageIteratorValue;
import com.oracle.graal.python.builtins.objects.common.HashingStorageNodes.HashingStorageLen;
import com.oracle.graal.python.builtins.objects.common.HashingStorageNodes.HashingStorageSetItem;
import com.oracle.graal.python.builtins.objects.dict.PDict;
import com.oracle.graal.python.builtins.objects.list.PList;
import com.oracle.graal.python.builtins.objects.set.PFrozenSet;
import com.oracle.graal.python.builtins.objects.set.PSet;
import com.oracle.graal.python.builtins.objects.str.PString;
import com.oracle.graal.python.nodes.object.GetClassNode;
import com.oracle.graal.python.runtime.GilNode;
import com.oracle.graal.python.runtime.exception.PException;
import com.oracle.graal.python.runtime.object.PFactory;
import com.oracle.graal.python.runtime.sequence.storage.BoolSequenceStorage;
import com.oracle.graal.python.runtime.sequence.storage.ByteSequenceStorage;
import com.oracle.graal.python.runtime.sequence.storage.DoubleSequenceStorage;
import com.oracle.graal.python.runtime.sequence.storage.EmptySequenceStorage;
import com.oracle.graal.python.runtime.sequence.storage.IntSequenceStorage;
import com.oracle.graal.python.runtime.sequence.storage.LongSequenceStorage;
import com.oracle.graal.python.runtime.sequence.storage.ObjectSequenceStorage;
import com.oracle.graal.python.runtime.sequence.storage.SequenceStorage;
import com.oracle.truffle.api.CompilerDirectives.TruffleBoundary;
import com.oracle.truffle.api.strings.TruffleString;
import dev.tessera.buffer.values.Copies;
import dev.tessera.buffer.values.NotShareableException;
import dev.tessera.buffer.values.Shareables;
import dev.tessera.buffer.values.Tuple;
import dev.tessera.shm.ArrayView;
import java.util.Arrays;
import java.util.IdentityHashMap;

/**
 * The way values that are not shareable still cross (see {@link Copies}): exact lists, dicts, sets and frozensets
 * of shareable values are copied by the host; anything else is pickled by the sending interpreter
 * ({@code _xi_dumps} of tessera, which also ships stateless functions by their code) and unpickled by the
 * receiving one ({@code _xi_loads}). A container met twice in one value (shared or cyclic) is pickled too, so
 * that the receiver sees the same sharing, as pickle gives it. Views are never copied or pickled: they cross as
 * leases at the top of an argument tuple only.
 */
final class GuestCopies {
    /** What {@link #copy} returns for a value the host cannot copy (it is then pickled). */
    private static final Object NOT_COPYABLE = new Object();

    private GuestCopies() {
    }

    /** The host form of a value that is not shareable: its copy, else its pickle; NotShareableException if neither. */
    @TruffleBoundary
    static Object copyOrPickle(Object v, String what, GuestScope scope) {
        Object copy = copy(v, 0, null);
        return copy != NOT_COPYABLE ? copy : pickle(v, what, scope);
    }

    private static Object copy(Object v, int depth, IdentityHashMap<Object, Boolean> seen) {
        if (depth >= Shareables.MAX_DEPTH) {
            return NOT_COPYABLE;
        }
        if (v instanceof PList || v instanceof PDict || v instanceof PSet || v instanceof PFrozenSet) {
            if (seen == null) {
                seen = new IdentityHashMap<>();
            }
            if (seen.put(v, Boolean.TRUE) != null) {
                return NOT_COPYABLE; // shared or cyclic: pickle keeps the sharing
            }
        }
        if (v instanceof PList l && isExact(l, PythonBuiltinClassType.PList)) {
            Tuple items = items(l.getSequenceStorage(), depth, seen);
            return items == null ? NOT_COPYABLE : new Copies.ListCopy(items);
        } else if (v instanceof PDict d && isExact(d, PythonBuiltinClassType.PDict)) {
            HashingStorage s = d.getDictStorage();
            int n = HashingStorageLen.executeUncached(s);
            Object[] keys = new Object[n];
            Object[] values = new Object[n];
            HashingStorageIterator it = HashingStorageGetIterator.executeUncached(s);
            int i = 0;
            while (HashingStorageIteratorNext.executeUncached(s, it)) {
                if (i == n) {
                    return NOT_COPYABLE; // changed while read (another thread of its interpreter)
                }
                Object key = shareable(HashingStorageIteratorKey.executeUncached(s, it));
                Object value = key == NOT_COPYABLE ? NOT_COPYABLE : item(HashingStorageIteratorValue.executeUncached(s, it), depth, seen);
                if (value == NOT_COPYABLE) {
                    return NOT_COPYABLE;
                }
                keys[i] = key;
                values[i++] = value;
            }
            return i != n ? NOT_COPYABLE : new Copies.DictCopy(Tuple.wrap(keys), Tuple.wrap(values));
        } else if ((v instanceof PSet s && isExact(s, PythonBuiltinClassType.PSet))
                || (v instanceof PFrozenSet f && isExact(f, PythonBuiltinClassType.PFrozenSet))) {
            HashingStorage s = v instanceof PSet set ? set.getDictStorage() : ((PFrozenSet) v).getDictStorage();
            int n = HashingStorageLen.executeUncached(s);
            Object[] items = new Object[n];
            HashingStorageIterator it = HashingStorageGetIterator.executeUncached(s);
            int i = 0;
            while (HashingStorageIteratorNext.executeUncached(s, it)) {
                Object item = i == n ? NOT_COPYABLE : shareable(HashingStorageIteratorKey.executeUncached(s, it));
                if (item == NOT_COPYABLE) {
                    return NOT_COPYABLE;
                }
                items[i++] = item;
            }
            return i != n ? NOT_COPYABLE : new Copies.SetCopy(Tuple.wrap(items), v instanceof PFrozenSet);
        }
        return NOT_COPYABLE;
    }

    /** A list's items: one array copy for ints and floats, else item by item; null if one cannot be copied. */
    private static Tuple items(SequenceStorage s, int depth, IdentityHashMap<Object, Boolean> seen) {
        Tuple primitive = GuestValues.primitiveItems(s);
        if (primitive != null) {
            return primitive;
        }
        int n = s.length();
        switch (s) {
            case ByteSequenceStorage bytes -> {
                long[] out = new long[n];
                for (int i = 0; i < n; i++) {
                    out[i] = bytes.getIntItemNormalized(i);
                }
                return Tuple.wrapLongs(out);
            }
            case ObjectSequenceStorage objects -> {
                Object[] a = objects.getInternalObjectArray();
                Object[] out = new Object[n];
                for (int i = 0; i < n; i++) {
                    Object item = item(a[i], depth, seen);
                    if (item == NOT_COPYABLE) {
                        return null;
                    }
                    out[i] = item;
                }
                return Tuple.wrap(out);
            }
            default -> {
                return null;
            }
        }
    }

    /** An item of a container: shareable, or a container copied in turn. */
    private static Object item(Object v, int depth, IdentityHashMap<Object, Boolean> seen) {
        if (v instanceof PList || v instanceof PDict || v instanceof PSet || v instanceof PFrozenSet) {
            return copy(v, depth + 1, seen);
        }
        return shareable(v);
    }

    /** A shareable value's host form (no views: a lease cannot ride inside a copy), else NOT_COPYABLE. */
    private static Object shareable(Object v) {
        if (v instanceof Long || v instanceof TruffleString || v instanceof Integer || v instanceof Double || v instanceof Boolean) {
            return v instanceof Integer i ? (Object) (long) i : v;
        }
        if (v instanceof PString s && isExact(s, PythonBuiltinClassType.PString)) {
            return s.getValueUncached();
        }
        try {
            Object host = GuestValues.toHost(v, "item");
            return hasView(host) ? NOT_COPYABLE : host;
        } catch (IllegalArgumentException e) { // not shareable (or nested too deep)
            return NOT_COPYABLE;
        }
    }

    private static boolean hasView(Object host) {
        if (host instanceof ArrayView) {
            return true;
        }
        if (host instanceof Tuple.OfObjects t) {
            for (Object item : t.items()) {
                if (hasView(item)) {
                    return true;
                }
            }
        }
        return false;
    }

    /** The value's pickle, made by the sending interpreter; NotShareableException saying why if it cannot be pickled. */
    private static Object pickle(Object v, String what, GuestScope scope) {
        Object out = scope.call("_xi_dumps", v);
        if (out instanceof PBytes b && b.getSequenceStorage() instanceof ByteSequenceStorage s) {
            return new Copies.Pickled(Arrays.copyOf(s.getInternalByteArray(), s.length()));
        }
        // _xi_dumps returns why it could not pickle the value, as a str
        String why = out instanceof TruffleString t ? t.toJavaStringUncached()
                : out instanceof PString p ? p.getValueUncached().toJavaStringUncached() : String.valueOf(out);
        throw NotShareableException.unpicklable(what, GuestValues.typeName(v), why);
    }

    /** The Python value of a copy or pickle, in the interpreter of {@code scope} (needed for pickles only). */
    @TruffleBoundary
    static Object toGuest(Object v, PythonLanguage language, GuestScope scope) {
        return switch (v) {
            case Copies.ListCopy l -> PFactory.createList(language, listStorage(l.items(), language, scope));
            case Copies.DictCopy d -> {
                HashingStorage s = EconomicMapStorage.create(d.keys().size());
                try (GilNode.UncachedAcquire gil = GilNode.uncachedAcquire()) { // keys are hashed
                    for (int i = 0; i < d.keys().size(); i++) {
                        s = HashingStorageSetItem.executeUncached(s, GuestValues.toGuest(d.keys().get(i), language, false, scope),
                                GuestValues.toGuest(d.values().get(i), language, false, scope));
                    }
                }
                yield PFactory.createDict(language, s);
            }
            case Copies.SetCopy c -> {
                HashingStorage s = EconomicMapStorage.create(c.items().size());
                try (GilNode.UncachedAcquire gil = GilNode.uncachedAcquire()) {
                    for (Object item : c.items()) {
                        s = HashingStorageSetItem.executeUncached(s, GuestValues.toGuest(item, language, false, scope), PNone.NONE);
                    }
                }
                yield c.frozen() ? PFactory.createFrozenSet(language, s) : PFactory.createSet(language, s);
            }
            case Copies.Pickled p -> {
                if (scope == null) {
                    throw new IllegalStateException("a pickled value cannot be received here");
                }
                try {
                    yield scope.call("_xi_loads", PFactory.createBytes(language, p.data().clone()));
                } catch (PException e) { // what was sent cannot be made here: not the task's own failure
                    throw NotShareableException.unloadable("args", e.getMessage());
                }
            }
            default -> throw new IllegalStateException("not a copy: " + v.getClass().getName());
        };
    }

    private static SequenceStorage listStorage(Tuple items, PythonLanguage language, GuestScope scope) {
        return switch (items) {
            case Tuple.OfLongs t -> new LongSequenceStorage(t.values().clone());
            case Tuple.OfDoubles t -> new DoubleSequenceStorage(t.values().clone());
            case Tuple.OfObjects t -> {
                Object[] src = t.items();
                Object[] out = new Object[src.length];
                for (int i = 0; i < out.length; i++) {
                    out[i] = GuestValues.toGuest(src[i], language, false, scope);
                }
                yield src.length == 0 ? EmptySequenceStorage.INSTANCE : new ObjectSequenceStorage(out);
            }
        };
    }

    private static boolean isExact(Object v, PythonBuiltinClassType type) {
        Object cls = GetClassNode.executeUncached(v);
        return cls == type || cls instanceof com.oracle.graal.python.builtins.objects.type.PythonBuiltinClass b && b.getType() == type;
    }
}
