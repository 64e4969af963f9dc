"""Hostile input at the Python API: huge and nested arguments, odd bytes and unicode, memoryview tricks, struct
writes into read-only views, oversized ints, generators and objects. Each must end in a clear Python exception
(or a correct result), with the interpreter and the pool alive. Run by PythonSuitesTest."""
import struct
import unittest

import _pool_case
import tessera


def echo(x):
    return x


def length(x):
    return len(x)


class Arguments(_pool_case.PoolTestCase):
    workers = 1

    def roundtrip(self, value):
        return self.pool.submit(echo, value).result(timeout=120)

    def test_odd_strings_and_bytes_cross_intact(self):
        for v in ("", "\x00", "é🙂\u200b\U0010ffff", "a\u0301", "x" * 1_000_000,
                  b"", b"\xff\xfe\x00\x80", bytes(range(256)) * 1000):
            self.assertEqual(self.roundtrip(v), v)

    def test_lone_surrogates_are_refused_or_kept(self):
        try:
            self.assertEqual(self.roundtrip("a\ud800b"), "a\ud800b")
        except (ValueError, UnicodeError):
            pass  # a clear refusal is fine too

    def test_big_ints_cross_exactly(self):
        for v in (2**63 - 1, -2**63, 2**64, -(2**200), 10**4000):
            self.assertEqual(self.roundtrip(v), v)

    def test_deeply_nested_tuples_are_refused_or_crossed_without_a_crash(self):
        v = ()
        for _ in range(100_000):
            v = (v,)
        try:
            out = self.roundtrip(v)
            depth = 0
            while out:
                out = out[0]
                depth += 1
            self.assertEqual(depth, 100_000)
        except (ValueError, RecursionError, MemoryError):
            pass
        self.assertEqual(self.roundtrip(1), 1, "the pool serves on")

    def test_big_tuples_cross(self):
        v = tuple(range(1_000_000))
        self.assertEqual(self.pool.submit(length, v).result(timeout=120), 1_000_000)

    def test_arguments_that_cannot_be_pickled_are_refused_naming_the_type(self):
        class Thing:  # local: pickle cannot find it again
            pass

        y = 1
        for v, name in ((Thing(), "Thing"), ((x for x in ()), "generator"), (lambda: y, "function"),
                        (memoryview(bytearray(b"ab")), "memoryview"), ((1, (x for x in ())), "generator")):
            with self.assertRaises(tessera.NotShareableError, msg=repr(v)) as cm:
                self.pool.submit(echo, v)
            self.assertIn(name, str(cm.exception))
        # what is not shareable but can be copied or pickled crosses, as in CPython 3.14
        for v in ([1, 2], {1: 2}, {1}, (1, [2]), bytearray(b"ab"), 10 ** 30):
            self.assertEqual(self.roundtrip(v), v)

    def test_floats_cross_bit_for_bit(self):
        import math
        for v in (0.0, -0.0, float("inf"), float("-inf"), 5e-324, 1.7976931348623157e308):
            out = self.roundtrip(v)
            self.assertEqual(struct.pack("<d", out), struct.pack("<d", v))
        self.assertTrue(math.isnan(self.roundtrip(float("nan"))))

    def test_keyword_and_wrong_arity_calls(self):
        self.assertEqual(self.pool.submit(echo, x=5).result(timeout=120), 5)
        with self.assertRaises(tessera.ExecutionFailed) as cm:  # as in CPython's executors: the call fails in the worker
            self.pool.submit(echo, 1, 2, 3).result(timeout=120)
        self.assertEqual(cm.exception.excinfo.type, "TypeError")
        with self.assertRaises(tessera.NotShareableError):
            self.pool.submit(echo, x=(i for i in ()))


class Views(unittest.TestCase):
    def setUp(self):
        self.a = tessera.zeros(16, "d")

    def tearDown(self):
        self.a.release()

    def test_struct_pack_into_a_read_only_view_is_refused(self):
        mv = memoryview(self.a)
        with self.assertRaises(TypeError):
            struct.pack_into("<d", mv.cast("B"), 0, 1.0)
        with self.assertRaises(TypeError):
            struct.pack_into("<d", mv, 0, 1.0)

    def test_struct_pack_into_a_writable_view_writes(self):
        v = self.a.slice(0, 4)
        struct.pack_into("<d", memoryview(v).cast("B"), 8, 2.5)
        self.assertEqual(memoryview(self.a)[1], 2.5)
        v.release()

    def test_cast_tricks_stay_in_bounds(self):
        v = self.a.slice(0, 2)
        mv = memoryview(v)
        b = mv.cast("B")
        self.assertEqual(len(b), 16)
        with self.assertRaises(IndexError):
            b[16] = 1
        with self.assertRaises(TypeError):
            mv.cast("B").cast("q", [4])  # 4 x 8 bytes do not fit 16
        as_q = mv.cast("B").cast("q")
        as_q[1] = -1
        self.assertEqual(len(as_q), 2)
        with self.assertRaises(IndexError):
            as_q[2]
        v.release()

    def test_slices_with_steps_and_negative_indices(self):
        v = self.a.slice(0, 10)
        mv = memoryview(v)
        mv[::3] = memoryview(bytes(struct.pack("<4d", 1, 2, 3, 4))).cast("d")
        self.assertEqual(list(memoryview(self.a)[0:10:3]), [1.0, 2.0, 3.0, 4.0])
        self.assertEqual(mv[-1], 4.0)
        self.assertEqual(mv[-2], 0.0)
        with self.assertRaises(IndexError):
            mv[-11]
        with self.assertRaises(ValueError):
            mv[::2] = memoryview(b"\0" * 8).cast("d")  # 5 places, 1 value
        v.release()

    def test_oversized_values_written_into_views(self):
        i = tessera.zeros(4, "b")
        v = i.slice(0, 4)
        mv = memoryview(v)
        for bad in (128, -129, 2**100):
            with self.assertRaises((ValueError, OverflowError)):
                mv[0] = bad
        with self.assertRaises(TypeError):
            mv[0] = "x"
        with self.assertRaises(TypeError):
            mv[0] = 1.5
        v.release()
        i.release()

    def test_huge_and_negative_shapes_are_refused(self):
        for shape in (-1, 2**63, (2**40, 2**40), (3, -2)):
            with self.assertRaises((ValueError, MemoryError, OverflowError)):
                tessera.zeros(shape, "d")
        for fmt in ("", "dd", "x", "<d", "Z", None, 3):
            with self.assertRaises((ValueError, TypeError)):
                tessera.zeros(4, fmt)

    def test_slice_bounds_of_every_kind(self):
        for lo, hi in ((5, 3), (-1, 4), (0, 17), (2**64, 2**65)):
            with self.assertRaises((ValueError, IndexError, OverflowError)):
                self.a.slice(lo, hi)
        for lo, hi in (("0", 4), (0.5, 4), (True, 4)):  # None means "from the start", as in a Python slice
            with self.assertRaises(TypeError):
                self.a.slice(lo, hi)

    def test_a_released_memoryview_and_a_released_array(self):
        v = self.a.slice(0, 4)
        mv = memoryview(v)
        mv.release()
        with self.assertRaises(ValueError):
            mv[0]
        v.release()
        with self.assertRaises(ValueError):
            memoryview(v)[0] = 1.0
        b = tessera.zeros(4, "d")
        keep = memoryview(b)
        b.release()
        with self.assertRaises(ValueError):
            keep[0]
        with self.assertRaises(ValueError):
            b.slice(0, 1)


if __name__ == "__main__":
    unittest.main()
