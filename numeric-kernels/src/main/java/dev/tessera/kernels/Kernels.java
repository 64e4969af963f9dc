package dev.tessera.kernels;

import static dev.tessera.kernels.Elements.F32;
import static dev.tessera.kernels.Elements.F64;
import static dev.tessera.kernels.Elements.I16;
import static dev.tessera.kernels.Elements.I32;
import static dev.tessera.kernels.Elements.I64;

import dev.tessera.shm.DType;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * Bulk operations on runs of elements ({@link Strided}), each checked once per call and then a plain loop over the
 * memory: what workers, which have no numpy, use for bulk work ({@code tessera.kernels} in Python). Contiguous runs
 * of every dtype go to that dtype's own loops ({@link Loops}: one method per dtype and kernel, comparisons as bounds,
 * so no loop's compiled code depends on which dtype or operator ran before); strided runs go element by element
 * through {@link Elements}.
 *
 * <p>Float sums: element {@code i} is added to partial sum {@code i % 16} (in order), and the 16 partial sums are
 * added pairwise ((p0+p1)+(p2+p3))+... at the end; float32 is summed in float64. The result depends only on the
 * values and their order, not on the machine. Integer sums are exact in 64 bits and wrap beyond, as numpy's do.
 *
 * <p>Min and max: NaN if any element is NaN; -0.0 is less than 0.0 (Java's Math.min, as a SIMD minimum gives).
 *
 * <p>A closed array fails inside FFM (IllegalStateException); a read-only destination is refused before any write.
 */
public final class Kernels {
    /** Partial sums of a float sum (see the class comment). */
    public static final int SUM_LANES = 16;

    private Kernels() {
    }

    // ---- fill, arange, copy, cast, byteswap ----------------------------------------------------------------------

    /** What fills large runs in this process (the C library's memset, or Java loops), as {@code tessera info} prints it. */
    public static String fillImplementation() {
        return Fills.describe();
    }

    /** Sets every element to {@code value} (truncated toward zero into an integer dtype). */
    public static void fill(Strided dst, double value) {
        dst.requireWritable("fill");
        DType t = dst.dtype();
        if (!Elements.isFloat(t) && t != DType.BOOL) {
            fill(dst, checkedLong(value, t));
            return;
        }
        long bits = switch (t) {
            case FLOAT64 -> Double.doubleToRawLongBits(value);
            case FLOAT32 -> Float.floatToRawIntBits((float) value);
            default -> value != 0 ? 1 : 0; // bool
        };
        fillBits(dst, bits);
    }

    /** Sets every element to {@code value}; an integer that does not fit the dtype is refused (OverflowError). */
    public static void fill(Strided dst, long value) {
        dst.requireWritable("fill");
        DType t = dst.dtype();
        long bits = switch (t) {
            case FLOAT64 -> Double.doubleToRawLongBits(value);
            case FLOAT32 -> Float.floatToRawIntBits(value);
            case BOOL -> value != 0 ? 1 : 0;
            default -> checkRange(value, t);
        };
        fillBits(dst, bits);
    }

    private static void fillBits(Strided dst, long bits) {
        int width = dst.dtype().itemSize();
        if (dst.isContiguous()) {
            MemorySegment s = dst.bytes();
            if (uniformBytes(bits, width)) {
                Fills.fill1(s, (byte) bits);
                return;
            }
            long n = dst.count();
            switch (width) {
                case 8 -> Fills.fill8(s, n, bits);
                case 4 -> Fills.fill4(s, n, (int) bits);
                case 2 -> Fills.fill2(s, n, (short) bits);
                default -> throw new IllegalStateException("width " + width);
            }
            return;
        }
        MemorySegment s = dst.segment();
        for (long i = 0; i < dst.count(); i++) {
            long off = dst.offset(i);
            switch (width) {
                case 8 -> s.set(I64, off, bits);
                case 4 -> s.set(I32, off, (int) bits);
                case 2 -> s.set(I16, off, (short) bits);
                default -> s.set(ValueLayout.JAVA_BYTE, off, (byte) bits);
            }
        }
    }

    private static boolean uniformBytes(long bits, int width) {
        byte b = (byte) bits;
        for (int k = 1; k < width; k++) {
            if ((byte) (bits >>> (8 * k)) != b) {
                return false;
            }
        }
        return true;
    }

    /** {@code dst[i] = start + i * step}, computed in float64 (float dtypes) or in 64-bit integers. */
    public static void arange(Strided dst, double start, double step) {
        dst.requireWritable("arange");
        DType t = dst.dtype();
        if (t == DType.FLOAT64 && dst.isContiguous()) {
            Float64Loops.arange(dst.bytes(), dst.count(), start, step);
            return;
        }
        if (t == DType.FLOAT32 && dst.isContiguous()) {
            Aranges.arangeFloat32(dst.bytes(), dst.count(), start, step);
            return;
        }
        MemorySegment s = dst.segment();
        for (long i = 0; i < dst.count(); i++) {
            Elements.setDouble(s, t, dst.offset(i), start + i * step);
        }
    }

    /** {@code dst[i] = start + i * step} in 64-bit integers (wrapping to the dtype's width, as numpy's casts do). */
    public static void arange(Strided dst, long start, long step) {
        dst.requireWritable("arange");
        DType t = dst.dtype();
        if (Elements.isFloat(t)) {
            arange(dst, (double) start, (double) step);
            return;
        }
        MemorySegment s = dst.segment();
        if (dst.isContiguous() && t != DType.BOOL) {
            switch (t.itemSize()) {
                case 8 -> Int64Loops.arange(dst.bytes(), dst.count(), start, step);
                case 4 -> Aranges.arange4(dst.bytes(), dst.count(), start, step);
                case 2 -> Aranges.arange2(dst.bytes(), dst.count(), start, step);
                default -> Aranges.arange1(dst.bytes(), dst.count(), start, step);
            }
            return;
        }
        for (long i = 0; i < dst.count(); i++) {
            Elements.setLong(s, t, dst.offset(i), start + i * step);
        }
    }

    /** Copies {@code src} into {@code dst}: same dtype, same count (overlapping runs are copied as if through a
     * buffer). */
    public static void copy(Strided dst, Strided src) {
        dst.requireWritable("copy");
        sameCount("copy", dst, src);
        if (dst.dtype() != src.dtype()) {
            throw new IllegalArgumentException("copy: " + src.dtype().typeName() + " into " + dst.dtype().typeName()
                    + " needs cast(dst, src)");
        }
        if (dst.isContiguous() && src.isContiguous()) {
            MemorySegment.copy(src.segment(), src.start(), dst.segment(), dst.start(), src.count() * src.dtype().itemSize());
            return;
        }
        Strided from = src;
        if (overlap(dst, src)) { // element-wise copying could read what it already wrote
            MemorySegment tmp = MemorySegment.ofArray(new byte[(int) Math.min(Integer.MAX_VALUE, src.count() * src.dtype().itemSize())]);
            Strided packed = new Strided(tmp, src.dtype(), 0, src.count(), src.dtype().itemSize());
            copyElements(packed, src);
            from = packed;
        }
        copyElements(dst, from);
    }

    private static void copyElements(Strided dst, Strided src) {
        int width = src.dtype().itemSize();
        MemorySegment d = dst.segment();
        MemorySegment s = src.segment();
        for (long i = 0; i < src.count(); i++) {
            MemorySegment.copy(s, src.offset(i), d, dst.offset(i), width);
        }
    }

    private static boolean overlap(Strided a, Strided b) {
        if (a.segment().address() == 0 || b.segment().address() == 0) { // heap segments: compare the arrays
            return a.segment().heapBase().isPresent() && a.segment().heapBase().equals(b.segment().heapBase());
        }
        long aLo = a.segment().address() + Math.min(a.offset(0), a.offset(Math.max(0, a.count() - 1)));
        long aHi = a.segment().address() + Math.max(a.offset(0), a.offset(Math.max(0, a.count() - 1))) + a.dtype().itemSize();
        long bLo = b.segment().address() + Math.min(b.offset(0), b.offset(Math.max(0, b.count() - 1)));
        long bHi = b.segment().address() + Math.max(b.offset(0), b.offset(Math.max(0, b.count() - 1))) + b.dtype().itemSize();
        return aLo < bHi && bLo < aHi;
    }

    /**
     * Converts every element of {@code src} into {@code dst}'s dtype (numpy's unsafe cast): floats into integers
     * truncate toward zero, integers wrap to the width, anything nonzero is true.
     */
    public static void cast(Strided dst, Strided src) {
        dst.requireWritable("cast");
        sameCount("cast", dst, src);
        if (dst.dtype() == src.dtype()) {
            copy(dst, src);
            return;
        }
        DType dt = dst.dtype();
        DType st = src.dtype();
        MemorySegment d = dst.segment();
        MemorySegment s = src.segment();
        boolean viaDouble = Elements.isFloat(dt) || Elements.isFloat(st);
        if (src.isContiguous() && dst.isContiguous() && castContiguous(dst.bytes(), dt, src.bytes(), st, src.count())) {
            return;
        }
        for (long i = 0; i < src.count(); i++) {
            if (viaDouble) {
                Elements.setDouble(d, dt, dst.offset(i), Elements.getDouble(s, st, src.offset(i)));
            } else {
                Elements.setLong(d, dt, dst.offset(i), Elements.getLong(s, st, src.offset(i)));
            }
        }
    }

    /** The common conversions between contiguous runs, one typed load and store each; false for the others. */
    private static boolean castContiguous(MemorySegment d, DType dt, MemorySegment s, DType st, long n) {
        if (dt == DType.FLOAT64) {
            Loops.of(st).toFloat64(d, s, n);
        } else if (st == DType.FLOAT64 && dt == DType.FLOAT32) {
            Float64Loops.toFloat32(d, s, n);
        } else if (st == DType.INT32 && dt == DType.INT64) {
            for (long i = 0; i < n; i++) {
                d.setAtIndex(I64, i, s.getAtIndex(I32, i));
            }
        } else {
            return false;
        }
        return true;
    }

    /** Reverses the byte order of every element, in place. */
    public static void byteswap(Strided view) {
        view.requireWritable("byteswap");
        int width = view.dtype().itemSize();
        if (view.isContiguous()) {
            MemorySegment b = view.bytes();
            long n = view.count();
            switch (width) {
                case 8 -> {
                    for (long i = 0; i < n; i++) {
                        b.setAtIndex(I64, i, Long.reverseBytes(b.getAtIndex(I64, i)));
                    }
                }
                case 4 -> {
                    for (long i = 0; i < n; i++) {
                        b.setAtIndex(I32, i, Integer.reverseBytes(b.getAtIndex(I32, i)));
                    }
                }
                case 2 -> {
                    for (long i = 0; i < n; i++) {
                        b.setAtIndex(I16, i, Short.reverseBytes(b.getAtIndex(I16, i)));
                    }
                }
                default -> {
                    // one byte: nothing to swap
                }
            }
            return;
        }
        MemorySegment s = view.segment();
        for (long i = 0; i < view.count(); i++) {
            long off = view.offset(i);
            switch (width) {
                case 8 -> s.set(I64, off, Long.reverseBytes(s.get(I64, off)));
                case 4 -> s.set(I32, off, Integer.reverseBytes(s.get(I32, off)));
                case 2 -> s.set(I16, off, Short.reverseBytes(s.get(I16, off)));
                default -> {
                    // one byte: nothing to swap
                }
            }
        }
    }

    // ---- reductions --------------------------------------------------------------------------------------------------

    /** The sum of a float run (see the class comment for the order); of an integer run as a double (see
     * {@link #sumLong}). */
    public static double sum(Strided v) {
        DType t = v.dtype();
        if (!Elements.isFloat(t)) {
            return t == DType.UINT64 ? Elements.unsignedToDouble(sumLong(v)) : sumLong(v);
        }
        if (v.isContiguous()) {
            return Loops.of(t).sumFloat(v.bytes(), v.count());
        }
        return sumAsDoubles(v);
    }

    /** Element by element, in the order of the class comment (strided runs; the mean of integers). */
    private static double sumAsDoubles(Strided v) {
        double[] p = new double[SUM_LANES];
        MemorySegment s = v.segment();
        DType t = v.dtype();
        for (long i = 0; i < v.count(); i++) {
            p[(int) (i % SUM_LANES)] += Elements.getDouble(s, t, v.offset(i));
        }
        return pairwise(p, 0, SUM_LANES);
    }

    private static double pairwise(double[] p, int from, int to) {
        if (to - from == 1) {
            return p[from];
        }
        int mid = (from + to) >>> 1;
        return pairwise(p, from, mid) + pairwise(p, mid, to);
    }

    /** The sum of an integer run in 64 bits (wrapping beyond, as numpy's does); bool counts the true elements. */
    public static long sumLong(Strided v) {
        DType t = v.dtype();
        if (Elements.isFloat(t)) {
            return (long) sum(v);
        }
        if (v.isContiguous()) {
            return Loops.of(t).sumInt(v.bytes(), v.count());
        }
        MemorySegment s = v.segment();
        long sum = 0;
        for (long i = 0; i < v.count(); i++) {
            sum += Elements.getLong(s, t, v.offset(i));
        }
        return sum;
    }

    /** The mean in float64, integers summed as floats (no wrapping; NaN for no elements, as numpy gives). */
    public static double mean(Strided v) {
        long n = v.count();
        if (n == 0) {
            return Double.NaN;
        }
        DType t = v.dtype();
        if (Elements.isFloat(t)) {
            return sum(v) / n;
        }
        if (!v.isContiguous()) {
            return sumAsDoubles(v) / n;
        }
        if (t.itemSize() <= 2) {
            // the 16 float partials of these are exact integers (below 2^53), so the exact sum is the same number
            return (double) Loops.of(t).sumInt(v.bytes(), n) / n;
        }
        return Loops.of(t).sumFloat(v.bytes(), n) / n;
    }

    /** The least element (NaN if any is NaN); as a double. Integers: see {@link #minLong}. */
    public static double min(Strided v) {
        return extreme(v, true);
    }

    public static double max(Strided v) {
        return extreme(v, false);
    }

    private static double extreme(Strided v, boolean least) {
        requireElements(v, least ? "min" : "max");
        DType t = v.dtype();
        if (!Elements.isFloat(t)) {
            long r = extremeLong(v, least);
            return t == DType.UINT64 ? Elements.unsignedToDouble(r) : r;
        }
        if (v.isContiguous()) {
            MemorySegment b = v.bytes();
            return least ? Loops.of(t).minFloat(b, v.count()) : Loops.of(t).maxFloat(b, v.count());
        }
        MemorySegment s = v.segment();
        double best = Elements.getDouble(s, t, v.offset(0));
        for (long i = 1; i < v.count(); i++) {
            double x = Elements.getDouble(s, t, v.offset(i));
            best = least ? Math.min(best, x) : Math.max(best, x);
        }
        return best;
    }

    /** The least element of an integer run (uint64 compared unsigned, returned as its bits). */
    public static long minLong(Strided v) {
        requireElements(v, "min");
        return extremeLong(v, true);
    }

    public static long maxLong(Strided v) {
        requireElements(v, "max");
        return extremeLong(v, false);
    }

    private static long extremeLong(Strided v, boolean least) {
        DType t = v.dtype();
        if (Elements.isFloat(t)) {
            return (long) extreme(v, least);
        }
        if (v.isContiguous()) {
            MemorySegment b = v.bytes();
            return least ? Loops.of(t).minInt(b, v.count()) : Loops.of(t).maxInt(b, v.count());
        }
        MemorySegment s = v.segment();
        long best = Elements.getLong(s, t, v.offset(0));
        boolean unsigned = t == DType.UINT64;
        for (long i = 1; i < v.count(); i++) {
            long x = Elements.getLong(s, t, v.offset(i));
            int c = unsigned ? Long.compareUnsigned(x, best) : Long.compare(x, best);
            if (least ? c < 0 : c > 0) {
                best = x;
            }
        }
        return best;
    }

    private static void requireElements(Strided v, String op) {
        if (v.count() == 0) {
            throw new IllegalArgumentException("zero-size view to reduction operation " + op + " which has no identity");
        }
    }

    // ---- comparisons, selection ---------------------------------------------------------------------------------

    /** How many elements satisfy {@code element op value} (compared as floats). */
    public static long countWhere(Strided v, Compare op, double value) {
        return count(v, op, value, 0, false);
    }

    /** How many elements satisfy {@code element op value}, compared exactly as integers (integer runs only). */
    public static long countWhere(Strided v, Compare op, long value) {
        DType t = v.dtype();
        if (Elements.isFloat(t) || t == DType.UINT64) {
            return countWhere(v, op, (double) value);
        }
        return count(v, op, value, value, true);
    }

    private static long count(Strided v, Compare op, double value, long exactValue, boolean exact) {
        DType t = v.dtype();
        long n = v.count();
        if (v.isContiguous()) {
            Bounds b = Bounds.of(t, op, value, exactValue, exact);
            if (b.lo() > b.hi()) {
                return b.invert() ? n : 0;
            }
            return Loops.of(t).count(v.bytes(), n, b);
        }
        MemorySegment s = v.segment();
        long count = 0;
        for (long i = 0; i < n; i++) {
            boolean hit = exact ? op.test(Elements.getLong(s, t, v.offset(i)), exactValue) : op.test(Elements.getDouble(s, t, v.offset(i)), value);
            count += hit ? 1 : 0;
        }
        return count;
    }

    /** {@code mask[i] = element[i] op value} (1 or 0), for a mask of the same count; returns how many are true.
     * {@code exactInteger}: an integer run is compared as integers (see {@link #where(Strided, Strided, Compare, long)}
     * for values beyond 2^53). */
    public static long where(Strided mask, Strided v, Compare op, double value, boolean exactInteger) {
        return where(mask, v, op, value, (long) value, exactInteger);
    }

    /** {@code mask[i] = element[i] op value}, an integer run compared exactly as integers (float and uint64 runs
     * compare as float64, as {@link #countWhere(Strided, Compare, long)} does). */
    public static long where(Strided mask, Strided v, Compare op, long value) {
        return where(mask, v, op, value, value, true);
    }

    private static long where(Strided mask, Strided v, Compare op, double value, long lv, boolean exactInteger) {
        mask.requireWritable("where");
        sameCount("where", mask, v);
        DType t = v.dtype();
        boolean exact = exactInteger && !Elements.isFloat(t) && t != DType.UINT64;
        long n = v.count();
        if (v.isContiguous() && mask.isContiguous() && mask.dtype().itemSize() == 1) {
            Bounds b = Bounds.of(t, op, value, lv, exact);
            MemorySegment m = mask.bytes();
            if (b.lo() > b.hi()) {
                m.fill((byte) b.flip());
                return b.invert() ? n : 0;
            }
            return Loops.of(t).where(m, v.bytes(), n, b);
        }
        MemorySegment m = mask.segment();
        MemorySegment s = v.segment();
        long count = 0;
        for (long i = 0; i < n; i++) {
            boolean hit = exact ? op.test(Elements.getLong(s, t, v.offset(i)), lv) : op.test(Elements.getDouble(s, t, v.offset(i)), value);
            Elements.setLong(m, mask.dtype(), mask.offset(i), hit ? 1 : 0);
            if (hit) {
                count++;
            }
        }
        return count;
    }

    /** Copies the elements of {@code src} whose mask element is nonzero, in order, to the start of {@code dst};
     * returns how many. {@code dst} must have room for them all (checked before anything is written). */
    public static long compress(Strided dst, Strided src, Strided mask) {
        dst.requireWritable("compress");
        sameCount("compress", src, mask);
        if (dst.dtype() != src.dtype()) {
            throw new IllegalArgumentException("compress: " + src.dtype().typeName() + " into " + dst.dtype().typeName());
        }
        if (mask.isContiguous() && mask.dtype().itemSize() == 1 && src.isContiguous() && dst.isContiguous()) {
            return compressContiguous(dst, src, mask);
        }
        long selected = 0;
        MemorySegment m = mask.segment();
        for (long i = 0; i < mask.count(); i++) {
            if (Elements.getLong(m, mask.dtype(), mask.offset(i)) != 0) {
                selected++;
            }
        }
        if (selected > dst.count()) {
            throw new IndexOutOfBoundsException("compress: " + selected + " elements selected, the destination holds " + dst.count());
        }
        int width = src.dtype().itemSize();
        long j = 0;
        for (long i = 0; i < src.count(); i++) {
            if (Elements.getLong(m, mask.dtype(), mask.offset(i)) != 0) {
                MemorySegment.copy(src.segment(), src.offset(i), dst.segment(), dst.offset(j++), width);
            }
        }
        return selected;
    }

    /** compress for a byte mask and contiguous runs (the common case): the mask counted by words, kept runs copied whole. */
    private static long compressContiguous(Strided dst, Strided src, Strided mask) {
        MemorySegment m = mask.bytes();
        long n = mask.count();
        long selected = Gathers.countNonzero(m, n);
        if (selected > dst.count()) {
            throw new IndexOutOfBoundsException("compress: " + selected + " elements selected, the destination holds " + dst.count());
        }
        Gathers.compress(dst.bytes(), src.bytes(), m, n, src.dtype().itemSize(), selected);
        return selected;
    }

    /** {@code dst[i] = src[indices[i]]}; negative indices count from the end; every index is checked before any
     * element is written. */
    public static void take(Strided dst, Strided src, Strided indices) {
        dst.requireWritable("take");
        sameCount("take", dst, indices);
        if (Elements.isFloat(indices.dtype())) {
            throw new ClassCastException("take: indices must be integers, not " + indices.dtype().typeName());
        }
        if (dst.dtype() != src.dtype()) {
            throw new IllegalArgumentException("take: " + src.dtype().typeName() + " into " + dst.dtype().typeName());
        }
        long len = src.count();
        DType it = indices.dtype();
        if ((it == DType.INT64 || it == DType.INT32) && indices.isContiguous() && src.isContiguous() && dst.isContiguous()) {
            MemorySegment ix = indices.bytes();
            long n = indices.count();
            long bad = it == DType.INT64 ? Gathers.firstOutside64(ix, n, len) : Gathers.firstOutside32(ix, n, len);
            if (bad >= 0) {
                long k = it == DType.INT64 ? ix.getAtIndex(I64, bad) : ix.getAtIndex(I32, bad);
                throw new IndexOutOfBoundsException("take: index " + k + " is out of bounds for " + len + " elements");
            }
            if (it == DType.INT64) {
                Gathers.take64(dst.bytes(), src.bytes(), ix, n, len, src.dtype().itemSize());
            } else {
                Gathers.take32(dst.bytes(), src.bytes(), ix, n, len, src.dtype().itemSize());
            }
            return;
        }
        MemorySegment ix = indices.segment();
        for (long i = 0; i < indices.count(); i++) {
            long k = Elements.getLong(ix, indices.dtype(), indices.offset(i));
            if (k < -len || k >= len) {
                throw new IndexOutOfBoundsException("take: index " + k + " is out of bounds for " + len + " elements");
            }
        }
        int width = src.dtype().itemSize();
        for (long i = 0; i < indices.count(); i++) {
            long k = Elements.getLong(ix, indices.dtype(), indices.offset(i));
            MemorySegment.copy(src.segment(), src.offset(k < 0 ? k + len : k), dst.segment(), dst.offset(i), width);
        }
    }

    // ---- counting ----------------------------------------------------------------------------------------------------

    /**
     * Counts per equal-width bin of {@code [lo, hi]} (numpy.histogram's: the last bin includes {@code hi}); elements
     * outside the range and NaN are not counted.
     */
    public static long[] histogram(Strided v, int bins, double lo, double hi) {
        if (bins < 1) {
            throw new IllegalArgumentException("histogram needs at least one bin, got " + bins);
        }
        if (!(lo < hi) || Double.isInfinite(lo) || Double.isInfinite(hi)) {
            throw new IllegalArgumentException("histogram range must be finite with lo < hi, got [" + lo + ", " + hi + "]");
        }
        long[] counts = new long[bins];
        double scale = bins / (hi - lo);
        DType t = v.dtype();
        long n = v.count();
        if (v.isContiguous()) {
            Loops.of(t).histogram(v.bytes(), n, counts, lo, hi, scale);
            return counts;
        }
        MemorySegment s = v.segment();
        for (long i = 0; i < n; i++) {
            countBin(counts, Elements.getDouble(s, t, v.offset(i)), lo, hi, scale, bins);
        }
        return counts;
    }

    private static void countBin(long[] counts, double x, double lo, double hi, double scale, int bins) {
        if (x >= lo && x <= hi) {
            int b = (int) ((x - lo) * scale);
            counts[b >= bins ? bins - 1 : b]++;
        }
    }

    /** How many times each key in {@code [0, n)} occurs; a key outside is refused (naming it) before counting. */
    public static long[] bincount(Strided keys, int n) {
        if (keys.isContiguous() && !Elements.isFloat(keys.dtype()) && n >= 0) {
            // one pass: the counts are a fresh array, so a key found outside midway leaves nothing behind
            long[] counts = new long[n];
            long bad = Loops.of(keys.dtype()).bincount(keys.bytes(), keys.count(), counts);
            if (bad >= 0) {
                throw keyOutside("bincount", Elements.getLong(keys.segment(), keys.dtype(), keys.offset(bad)), bad, n);
            }
            return counts;
        }
        checkKeys(keys, n, "bincount");
        long[] counts = new long[n];
        MemorySegment s = keys.segment();
        for (long i = 0; i < keys.count(); i++) {
            counts[(int) Elements.getLong(s, keys.dtype(), keys.offset(i))]++;
        }
        return counts;
    }

    /** The sum of {@code values} per key in {@code [0, n)}, in float64 (numpy.bincount with weights). */
    public static double[] groupSum(Strided keys, Strided values, int n) {
        return groupSum(keys, values, n, null);
    }

    /**
     * The sum of {@code values} per key in {@code [0, n)} over the rows whose {@code where} element is true (all rows
     * when it is null): numpy's {@code bincount(keys[m], values[m], minlength=n)} without the two copies. Keys of rows
     * left out are not looked at.
     */
    public static double[] groupSum(Strided keys, Strided values, int n, Strided where) {
        sameCount("group_sum", keys, values);
        if (where != null) {
            sameCount("group_sum where", keys, where);
        }
        checkKeyType(keys, n, "group_sum");
        double[] sums = new double[n];
        if (keys.dtype() == DType.INT32 && keys.isContiguous() && values.dtype() == DType.FLOAT64 && values.isContiguous()
                && (where == null || where.isContiguous() && where.dtype().itemSize() == 1)) {
            if (where == null) {
                Groups.sumInt32F64(keys.bytes(), values.bytes(), keys.count(), sums);
            } else {
                Groups.sumInt32F64Where(keys.bytes(), values.bytes(), where.bytes(), keys.count(), sums);
            }
            return sums;
        }
        if (keys.dtype() == DType.INT32 && keys.isContiguous() && values.isContiguous() && where == null) {
            long bad = Loops.of(values.dtype()).groupSumInt32Keys(keys.bytes(), values.bytes(), keys.count(), sums);
            if (bad >= 0) {
                throw keyOutside("group_sum", keys.bytes().getAtIndex(I32, bad), bad, n);
            }
            return sums;
        }
        MemorySegment k = keys.segment();
        MemorySegment s = values.segment();
        for (long i = 0; i < keys.count(); i++) {
            if (where != null && Elements.getLong(where.segment(), where.dtype(), where.offset(i)) == 0) {
                continue;
            }
            long key = Elements.getLong(k, keys.dtype(), keys.offset(i));
            if (key < 0 || key >= n) {
                throw keyOutside("group_sum", key, i, n);
            }
            sums[(int) key] += Elements.getDouble(s, values.dtype(), values.offset(i));
        }
        return sums;
    }

    static IndexOutOfBoundsException keyOutside(String op, long key, long at, int n) {
        return new IndexOutOfBoundsException(op + ": key " + key + " at " + at + " is outside [0, " + n + ")");
    }

    /** {@code dst[i] = a[i] and b[i]} (1 or 0) for runs of the same count; returns how many are true. */
    public static long logicalAnd(Strided dst, Strided a, Strided b) {
        dst.requireWritable("logical_and");
        sameCount("logical_and", dst, a);
        sameCount("logical_and", dst, b);
        long n = dst.count();
        long count = 0;
        if (dst.isContiguous() && a.isContiguous() && b.isContiguous()
                && dst.dtype().itemSize() == 1 && a.dtype().itemSize() == 1 && b.dtype().itemSize() == 1) {
            return Groups.andBytes(dst.bytes(), a.bytes(), b.bytes(), n);
        }
        for (long i = 0; i < n; i++) {
            boolean hit = Elements.getDouble(a.segment(), a.dtype(), a.offset(i)) != 0
                    && Elements.getDouble(b.segment(), b.dtype(), b.offset(i)) != 0;
            Elements.setLong(dst.segment(), dst.dtype(), dst.offset(i), hit ? 1 : 0);
            count += hit ? 1 : 0;
        }
        return count;
    }

    private static void checkKeyType(Strided keys, int n, String op) {
        if (n < 0) {
            throw new IllegalArgumentException(op + ": n must be >= 0, got " + n);
        }
        if (Elements.isFloat(keys.dtype())) {
            throw new ClassCastException(op + ": keys must be integers, not " + keys.dtype().typeName());
        }
    }

    private static void checkKeys(Strided keys, int n, String op) {
        if (n < 0) {
            throw new IllegalArgumentException(op + ": n must be >= 0, got " + n);
        }
        if (Elements.isFloat(keys.dtype())) {
            throw new ClassCastException(op + ": keys must be integers, not " + keys.dtype().typeName());
        }
        MemorySegment s = keys.segment();
        for (long i = 0; i < keys.count(); i++) {
            long k = Elements.getLong(s, keys.dtype(), keys.offset(i));
            if (k < 0 || k >= n) {
                throw new IndexOutOfBoundsException(op + ": key " + k + " at " + i + " is outside [0, " + n + ")");
            }
        }
    }

    // ---- checks ------------------------------------------------------------------------------------------------------

    private static void sameCount(String op, Strided a, Strided b) {
        if (a.count() != b.count()) {
            throw new IllegalArgumentException(op + ": " + a.count() + " elements against " + b.count());
        }
    }

    /** A double that must be a whole number fitting {@code t}, as an integer fill value. */
    private static long checkedLong(double v, DType t) {
        if (Double.isNaN(v) || Double.isInfinite(v)) {
            throw new ArithmeticException("cannot fill " + t.typeName() + " with " + v);
        }
        return checkRange((long) v, t);
    }

    private static long checkRange(long v, DType t) {
        long lo;
        long hi;
        switch (t) {
            case INT8 -> { lo = Byte.MIN_VALUE; hi = Byte.MAX_VALUE; }
            case UINT8 -> { lo = 0; hi = 0xFF; }
            case INT16 -> { lo = Short.MIN_VALUE; hi = Short.MAX_VALUE; }
            case UINT16 -> { lo = 0; hi = 0xFFFF; }
            case INT32 -> { lo = Integer.MIN_VALUE; hi = Integer.MAX_VALUE; }
            case UINT32 -> { lo = 0; hi = 0xFFFF_FFFFL; }
            case UINT64 -> { lo = 0; hi = Long.MAX_VALUE; }
            default -> { return v; }
        }
        if (v < lo || v > hi) {
            throw new ArithmeticException("Python integer " + v + " out of bounds for " + t.typeName());
        }
        return v;
    }
}
