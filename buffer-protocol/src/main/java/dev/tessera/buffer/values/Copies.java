package dev.tessera.buffer.values;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;

/**
 * Values that are not shareable but cross all the same, as copies, the way CPython 3.14's interpreters fall back to
 * pickle for them: a list, dict, set or frozenset of shareable values (nested to {@link Shareables#MAX_DEPTH}) is
 * copied by the host item by item, without pickle (GraalPy's pickle takes milliseconds for a dict of a hundred
 * lists; this copy microseconds); anything else goes as its pickle ({@link Pickled}), unpickled by the receiving
 * interpreter. The receiver gets a new object equal to the one sent, as with pickle. Which values may take this
 * path, and which must stay shareable, the call sites decide (a task's arguments and result, a queue item: yes;
 * {@code is_shareable()}: no).
 */
public final class Copies {
    private Copies() {
    }

    /** A list: its items in host form ({@link Tuple.OfLongs} and {@link Tuple.OfDoubles} for lists of numbers). */
    public record ListCopy(Tuple items) {
    }

    /** A dict: keys and values in insertion order, in host form. */
    public record DictCopy(Tuple keys, Tuple values) {
    }

    /** A set or frozenset: its items in host form. */
    public record SetCopy(Tuple items, boolean frozen) {
    }

    /** A value that crossed as its pickle: the bytes the sending interpreter's pickler made (owned by the value). */
    public record Pickled(byte[] data) {
        @Override
        public boolean equals(Object o) {
            return o instanceof Pickled p && Arrays.equals(data, p.data);
        }

        @Override
        public int hashCode() {
            return Arrays.hashCode(data);
        }

        @Override
        public String toString() {
            return "Pickled[" + data.length + " bytes]";
        }
    }

    /** A host value carried with bookkeeping of its own (which interpreter put a queue item); receivers get the item. */
    public interface Wrapped {
        Object item();
    }

    /** A copy as Java callers expect it (lists as {@link List}, dicts as {@link Map}, sets as sets); others as they are. */
    public static Object toJava(Object v) {
        return switch (v) {
            case ListCopy l -> new ArrayList<>(javaItems(l.items()));
            case DictCopy d -> {
                Map<Object, Object> out = new LinkedHashMap<>();
                for (int i = 0; i < d.keys().size(); i++) {
                    out.put(Shareables.toJava(d.keys().get(i)), Shareables.toJava(d.values().get(i)));
                }
                yield out;
            }
            case SetCopy s -> new LinkedHashSet<>(javaItems(s.items()));
            case Wrapped w -> Shareables.toJava(w.item());
            default -> v;
        };
    }

    private static List<Object> javaItems(Tuple items) {
        List<Object> out = new ArrayList<>(items.size());
        for (Object item : items) {
            out.add(Shareables.toJava(item));
        }
        return out;
    }
}
