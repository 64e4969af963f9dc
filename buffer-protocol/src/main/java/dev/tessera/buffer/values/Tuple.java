package dev.tessera.buffer.values;

import java.util.AbstractList;
import java.util.Arrays;
import java.util.List;
import java.util.RandomAccess;

/**
 * An immutable tuple of shareable values in host form; to Java code a read-only {@code List<Object>}. Tuples of
 * ints and of floats keep their elements unboxed, so that they cross between interpreters as one array copy.
 */
public abstract sealed class Tuple extends AbstractList<Object> implements RandomAccess
        permits Tuple.OfObjects, Tuple.OfLongs, Tuple.OfDoubles {

    public static final Tuple EMPTY = new OfObjects(new Object[0]);

    /** A tuple of host-form values (the array is copied). */
    public static Tuple of(Object... items) {
        return items.length == 0 ? EMPTY : new OfObjects(items.clone());
    }

    /** A tuple over {@code items}, which the caller hands over and no longer changes. */
    public static Tuple wrap(Object[] items) {
        return items.length == 0 ? EMPTY : new OfObjects(items);
    }

    /** A tuple of ints over {@code values}, which the caller hands over and no longer changes. */
    public static Tuple wrapLongs(long[] values) {
        return new OfLongs(values);
    }

    /** A tuple of floats over {@code values}, which the caller hands over and no longer changes. */
    public static Tuple wrapDoubles(double[] values) {
        return new OfDoubles(values);
    }

    public static Tuple copyOf(List<?> items) {
        return wrap(items.toArray());
    }

    /** Tuple of host-form objects. */
    public static final class OfObjects extends Tuple {
        private final Object[] items;

        private OfObjects(Object[] items) {
            this.items = items;
        }

        @Override
        public Object get(int index) {
            return items[index];
        }

        @Override
        public int size() {
            return items.length;
        }

        /** The elements; callers must not change them. */
        public Object[] items() {
            return items;
        }
    }

    /** Tuple of ints that fit in 64 bits. */
    public static final class OfLongs extends Tuple {
        private final long[] values;

        private OfLongs(long[] values) {
            this.values = values;
        }

        @Override
        public Object get(int index) {
            return values[index];
        }

        public long getLong(int index) {
            return values[index];
        }

        @Override
        public int size() {
            return values.length;
        }

        /** The elements; callers must not change them. */
        public long[] values() {
            return values;
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof OfLongs other ? Arrays.equals(values, other.values) : super.equals(o);
        }

        @Override
        public int hashCode() {
            return super.hashCode();
        }
    }

    /** Tuple of floats. */
    public static final class OfDoubles extends Tuple {
        private final double[] values;

        private OfDoubles(double[] values) {
            this.values = values;
        }

        @Override
        public Object get(int index) {
            return values[index];
        }

        public double getDouble(int index) {
            return values[index];
        }

        @Override
        public int size() {
            return values.length;
        }

        /** The elements; callers must not change them. */
        public double[] values() {
            return values;
        }
    }
}
