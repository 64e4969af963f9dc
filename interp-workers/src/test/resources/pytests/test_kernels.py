"""tessera.kernels against plain-Python references: every kernel, several formats, empty, odd-length, offset,
strided and reversed views, read-only and released memory, and bad arguments. Run by PythonSuitesTest."""
import math
import random
import struct
import sys
import unittest
import zlib

import tessera
from tessera import kernels as K

FORMATS = "bBhHiIqQfd?"
INT_RANGES = {"b": (-128, 127), "B": (0, 255), "h": (-2**15, 2**15 - 1), "H": (0, 2**16 - 1),
              "i": (-2**31, 2**31 - 1), "I": (0, 2**32 - 1), "q": (-2**63, 2**63 - 1), "Q": (0, 2**64 - 1), "?": (0, 1)}
LENGTHS = (0, 1, 7, 16, 17, 1001)
rnd = random.Random(int(sys.argv[1]) if len(sys.argv) > 1 else 1234)


def values(fmt, n, small=False):
    if fmt in "fd":
        return [rnd.choice([rnd.uniform(-100, 100), float(rnd.randint(-5, 5))]) for _ in range(n)]
    lo, hi = INT_RANGES[fmt]
    if small:
        lo, hi = max(lo, -50), min(hi, 50)
    return [rnd.randint(lo, hi) for _ in range(n)]


def array_of(fmt, vals):
    a = tessera.zeros(len(vals), fmt)
    with a.slice() as v:
        mv = memoryview(v)
        for i, x in enumerate(vals):
            mv[i] = bool(x) if fmt == "?" else x
    return a


def as_float32(x):
    return struct.unpack("f", struct.pack("f", x))[0]


class Shapes(unittest.TestCase):
    """The memoryviews the kernels must read the way Python reads them."""

    def views(self, fmt, n):
        """(label, memoryview, python list of its elements) for a fresh array of n+8 elements."""
        vals = values(fmt, n + 8)
        a = array_of(fmt, vals)
        self.addCleanup(a.release)
        base = memoryview(a)
        # the reference is what Python itself reads through each memoryview (float32 values are rounded when stored)
        shapes = [("whole", base[:n]), ("offset 3", base[3:3 + n] if n else base[:0]), ("every 3rd", base[::3]),
                  ("reversed", base[::-1])]
        return [(label, mv, list(mv)) for label, mv in shapes]

    def test_sum_min_max_mean_against_python(self):
        for fmt in FORMATS:
            for n in LENGTHS:
                for label, mv, vals in self.views(fmt, n):
                    with self.subTest(fmt=fmt, n=n, view=label):
                        got = K.sum(mv)
                        if fmt in "fd":
                            self.assertTrue(math.isclose(got, math.fsum(vals), rel_tol=1e-9, abs_tol=1e-9), (got, math.fsum(vals)))
                        else:  # exact in 64 bits, wrapping beyond (as numpy's sums do)
                            exact = sum(int(x) for x in vals)
                            if fmt in "qQ":
                                exact %= 2 ** 64
                                if fmt == "q" and exact >= 2 ** 63:
                                    exact -= 2 ** 64
                            self.assertEqual(got, exact)
                        if vals:
                            self.assertEqual(K.min(mv), min(vals))
                            self.assertEqual(K.max(mv), max(vals))
                            self.assertTrue(math.isclose(K.mean(mv), math.fsum(vals) / len(vals), rel_tol=1e-9, abs_tol=1e-9))
                        else:
                            self.assertRaises(ValueError, K.min, mv)
                            self.assertTrue(math.isnan(K.mean(mv)))

    def test_float_sum_order_is_the_stated_one(self):
        vals = [rnd.uniform(-1e6, 1e6) * 10 ** rnd.randint(-8, 8) for _ in range(1003)]
        a = array_of("d", vals)
        partial = [0.0] * 16
        for i, x in enumerate(vals):
            partial[i % 16] += x

        def pairwise(lo, hi):
            return partial[lo] if hi - lo == 1 else pairwise(lo, (lo + hi) // 2) + pairwise((lo + hi) // 2, hi)

        self.assertEqual(K.sum(memoryview(a)), pairwise(0, 16), "bit for bit")
        a.release()

    def test_nan_propagates_through_min_and_max(self):
        a = array_of("d", [1.0, float("nan"), -3.0])
        self.assertTrue(math.isnan(K.min(a)) and math.isnan(K.max(a)))
        a.release()

    def test_fill_arange_copy_byteswap(self):
        for fmt in FORMATS:
            for n in (0, 1, 17):
                for label, mv, vals in self.views(fmt, n):
                    with self.subTest(fmt=fmt, n=n, view=label):
                        w = memoryview(self._writable(mv, fmt))
                        x = 1 if fmt == "?" else (-7.5 if fmt in "fd" else (5 if fmt in "BHIQ" else -5))
                        K.fill(w, x)
                        self.assertEqual(list(w), [(True if fmt == "?" else x)] * len(w))
                        K.arange(w, 2, 3)
                        self.assertEqual(list(w), [True if fmt == "?" else 2 + 3 * i for i in range(len(w))])

    def _writable(self, mv, fmt):
        a = tessera.zeros(len(mv), fmt)
        self.addCleanup(a.release)
        v = a.slice()
        self.addCleanup(v.release)
        return v

    def test_fill_refuses_values_the_format_cannot_hold(self):
        a = tessera.zeros(4, "b")
        with a.slice() as v:
            self.assertRaises(OverflowError, K.fill, v, 300)
            self.assertRaises(OverflowError, K.fill, v, 2 ** 70)
            self.assertRaises(TypeError, K.fill, v, "x")
        a.release()

    def test_copy_cast_and_byteswap(self):
        src_vals = values("d", 101)
        src = array_of("d", src_vals)
        dst = tessera.zeros(101, "d")
        with dst.slice() as v:
            K.copy(v, src)
            self.assertEqual(list(memoryview(v)), src_vals)
            K.byteswap(v)
            self.assertEqual(list(memoryview(v)), [struct.unpack("<d", struct.pack(">d", x))[0] for x in src_vals])
        ints = tessera.zeros(101, "i")
        with ints.slice() as v:
            K.cast(v, src)
            self.assertEqual(list(memoryview(v)), [int(x) for x in src_vals], "float to int truncates toward zero")
        f32 = tessera.zeros(101, "f")
        with f32.slice() as v:
            K.cast(v, src)
            self.assertEqual(list(memoryview(v)), [as_float32(x) for x in src_vals])
        with dst.slice() as v:
            self.assertRaises(ValueError, K.copy, v, ints)  # formats differ: cast
            self.assertRaises(ValueError, K.copy, memoryview(v)[:5], src)  # lengths differ
        # overlapping copy inside one array, as if through a buffer
        with dst.slice() as v:
            K.copy(v, src)
            mv = memoryview(v)
            K.copy(mv[1:], mv[:-1])
            self.assertEqual(list(mv[1:]), src_vals[:-1])
        for a in (src, dst, ints, f32):
            a.release()

    def test_comparisons_and_selection(self):
        vals = values("i", 1000, small=True)
        a = array_of("i", vals)
        for op, f in (("<", lambda x: x < 3), ("<=", lambda x: x <= 3), ("==", lambda x: x == 3), ("!=", lambda x: x != 3),
                      (">=", lambda x: x >= 3), (">", lambda x: x > 3)):
            self.assertEqual(K.count_where(a, op, 3), sum(1 for x in vals if f(x)), op)
        self.assertEqual(K.count_where(a, "<", 2.5), sum(1 for x in vals if x < 2.5))
        mask = tessera.zeros(1000, "?")
        out = tessera.zeros(1000, "i")
        with mask.slice() as m, out.slice() as o:
            n = K.where(m, a, ">", 10)
            self.assertEqual(list(memoryview(m)), [x > 10 for x in vals])
            self.assertEqual(n, sum(1 for x in vals if x > 10))
            self.assertEqual(K.compress(o, a, m), n)
            self.assertEqual(list(memoryview(o))[:n], [x for x in vals if x > 10])
            idx = array_of("q", [rnd.randrange(-1000, 1000) for _ in range(1000)])
            K.take(o, a, idx)
            self.assertEqual(list(memoryview(o)), [vals[k] for k in memoryview(idx)])
            bad = array_of("q", [0, 1000])
            self.assertRaises(IndexError, K.take, memoryview(o)[:2], a, bad)
            self.assertRaises(ValueError, K.count_where, a, "=>", 1)
            for x in (idx, bad):
                x.release()
        for x in (a, mask, out):
            x.release()

    def test_histogram_bincount_group_sum(self):
        vals = values("d", 5000) + [float("nan"), 100.0, -100.0, 150.0]
        a = array_of("d", vals)
        lo, hi, bins = -100.0, 100.0, 7
        expected = [0] * bins
        for x in vals:
            if lo <= x <= hi:
                expected[min(bins - 1, int((x - lo) * bins / (hi - lo)))] += 1
        self.assertEqual(K.histogram(a, bins, lo, hi), tuple(expected))
        self.assertRaises(ValueError, K.histogram, a, 0, lo, hi)
        self.assertRaises(ValueError, K.histogram, a, 3, 1.0, 1.0)
        keys_list = [rnd.randrange(9) for _ in range(3000)]
        keys = array_of("i", keys_list)
        weights = values("d", 3000)
        w = array_of("d", weights)
        self.assertEqual(K.bincount(keys, 9), tuple(keys_list.count(k) for k in range(9)))
        sums = K.group_sum(keys, w, 9)
        for k in range(9):
            self.assertTrue(math.isclose(sums[k], math.fsum(x for kk, x in zip(keys_list, weights) if kk == k), rel_tol=1e-9, abs_tol=1e-9))
        self.assertRaises(IndexError, K.bincount, keys, 5)
        self.assertRaises(IndexError, K.group_sum, keys, w, 5)
        for x in (a, keys, w):
            x.release()

    def test_group_sum_where_counts_only_the_masked_rows(self):
        n = 2001
        keys_list = [rnd.randrange(7) for _ in range(n)]
        keep = [rnd.random() < 0.5 for _ in range(n)]
        keys_list = [k if m else 99 for k, m in zip(keys_list, keep)]  # rows left out may hold any key
        weights = values("d", n)
        keys, w, mask = array_of("i", keys_list), array_of("d", weights), array_of("?", keep)
        expected = [math.fsum(x for k, x, m in zip(keys_list, weights, keep) if m and k == key) for key in range(7)]
        self.assertEqual(K.group_sum(keys, w, 7, mask), K.group_sum(keys, w, 7, where=mask))
        sums = K.group_sum(keys, w, 7, where=mask)
        strided = K.group_sum(memoryview(keys)[::2], memoryview(w)[::2], 7, memoryview(mask)[::2])
        strided_expected = [math.fsum(x for k, x, m in list(zip(keys_list, weights, keep))[::2] if m and k == key) for key in range(7)]
        for key in range(7):
            self.assertTrue(math.isclose(sums[key], expected[key], rel_tol=1e-9, abs_tol=1e-9))
            self.assertTrue(math.isclose(strided[key], strided_expected[key], rel_tol=1e-9, abs_tol=1e-9))
        self.assertRaises(IndexError, K.group_sum, keys, w, 7)  # unmasked, key 99 counts and is outside
        self.assertRaises(ValueError, K.group_sum, keys, w, 7, memoryview(mask)[1:])
        self.assertRaises(IndexError, K.group_sum, keys, w, 7, None)  # None: every row
        for x in (keys, w, mask):
            x.release()

    def test_logical_and_combines_masks(self):
        for n in LENGTHS:
            a_list = [rnd.random() < 0.5 for _ in range(n)]
            b_list = [rnd.random() < 0.5 for _ in range(n)]
            a, b = array_of("?", a_list), array_of("?", b_list)
            out = bytearray(n)
            self.assertEqual(K.logical_and(memoryview(out).cast("?"), a, b), sum(x and y for x, y in zip(a_list, b_list)))
            self.assertEqual(list(out), [int(x and y) for x, y in zip(a_list, b_list)])
            same = bytearray(bytes(a_list))  # dst may be one of the inputs
            K.logical_and(same, same, b)
            self.assertEqual(list(same), [int(x and y) for x, y in zip(a_list, b_list)])
            if n > 1:
                self.assertRaises(ValueError, K.logical_and, bytearray(n - 1), a, b)
                self.assertRaises(TypeError, K.logical_and, bytes(n), a, b)
            for x in (a, b):
                x.release()

    def test_compress_every_width_contiguous_and_strided(self):
        keep = [rnd.random() < 0.4 for _ in range(301)]
        for fmt in ("b", "h", "i", "q", "f", "d", "?"):
            vals = values(fmt, 301)
            if fmt == "?":
                vals = [bool(x) for x in vals]
            if fmt == "f":
                vals = [as_float32(x) for x in vals]
            a = array_of(fmt, vals)
            mask = array_of("?", keep)
            out = tessera.zeros(301, fmt)
            want = [x for x, k in zip(vals, keep) if k]
            with out.slice() as o:
                self.assertEqual(K.compress(o, a, mask), len(want), fmt)
                self.assertEqual(list(memoryview(o))[:len(want)], want, fmt)
                # strided source and mask (every other element): the general path
                K.fill(o, 0)
                n = K.compress(o, memoryview(a)[::2], memoryview(mask)[::2])
                self.assertEqual(list(memoryview(o))[:n], [x for x, k in zip(vals[::2], keep[::2]) if k], fmt)
                # an integer mask works too
                m8 = array_of("B", [3 if k else 0 for k in keep])
                self.assertEqual(K.compress(o, a, m8), len(want))
                m8.release()
                self.assertRaises(IndexError, K.compress, memoryview(o)[:len(want) - 1], a, mask)
            for x in (a, mask, out):
                x.release()

    def test_decompress_into_with_and_without_shuffle(self):
        vals = [float(i % 97) * 0.25 for i in range(4096)]
        raw = struct.pack("4096d", *vals)
        dst = tessera.zeros(4096, "d")
        with dst.slice() as v:
            self.assertEqual(K.decompress_into(v, zlib.compress(raw), "zlib"), len(raw))
            self.assertEqual(list(memoryview(v)), vals)
            K.fill(v, 0)
            shuffled = bytes(raw[i * 8 + b] for b in range(8) for i in range(4096))
            self.assertEqual(K.decompress_into(v, zlib.compress(shuffled), "zlib", shuffle=True), len(raw))
            self.assertEqual(list(memoryview(v)), vals)
            d = zlib.compressobj(wbits=-15)
            K.fill(v, 0)
            K.decompress_into(v, d.compress(raw) + d.flush(), "deflate")
            self.assertEqual(list(memoryview(v)), vals)
            self.assertRaises(ValueError, K.decompress_into, v, b"not zlib", "zlib")
            self.assertRaises(ValueError, K.decompress_into, v, zlib.compress(raw)[:100], "zlib")
            self.assertRaises(ValueError, K.decompress_into, memoryview(v)[:10], zlib.compress(raw), "zlib")
            self.assertRaises(ValueError, K.decompress_into, v, zlib.compress(raw), "snappy")
        dst.release()

    def test_memory_that_cannot_be_used_is_refused(self):
        a = array_of("d", [1.0, 2.0])
        self.assertRaises(TypeError, K.fill, a, 0.0)  # an array (or memoryview(array)) is read-only
        self.assertRaises(TypeError, K.fill, memoryview(a), 0.0)
        self.assertRaises(TypeError, K.fill, b"abc", 1)  # bytes are immutable
        ba = bytearray(3)
        K.fill(ba, 7)
        self.assertEqual(ba, bytearray(b"\x07\x07\x07"))
        v = a.slice()
        mv = memoryview(v)
        v.release()
        self.assertRaises(ValueError, K.sum, mv)  # a memoryview of a released view
        kept = memoryview(a)
        a.release()
        self.assertRaises(ValueError, K.sum, a)  # a released array
        self.assertRaises(ValueError, K.sum, kept)  # a memoryview of a released array
        self.assertRaises(TypeError, K.sum, [1, 2, 3])


class InWorkers(unittest.TestCase):
    def test_workers_run_kernels_on_their_own_slices_at_once(self):
        n = 400_000
        a = tessera.zeros(n, "d")
        with tessera.InterpreterPool(2) as pool:
            half = n // 2
            fs = [pool.submit(fill_and_sum, a.slice(lo, lo + half), lo) for lo in (0, half)]
            sums = [f.result(120) for f in fs]
        self.assertEqual(sums, [sum(range(lo, lo + half)) for lo in (0, half)])
        self.assertEqual(K.sum(a), float(sum(range(n))))
        a.release()


def fill_and_sum(mv, start):
    """Runs in a worker."""
    from tessera import kernels
    kernels.arange(mv, start, 1)
    return int(kernels.sum(mv))


if __name__ == "__main__":
    unittest.main()
