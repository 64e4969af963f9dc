"""Values that are not shareable cross between interpreters as copies (lists, dicts, sets of shareables: the host
copies them) or pickles (anything else), as CPython 3.14's do; what neither can take is refused with
NotShareableError saying why. Run by the JUnit driver (UpstreamSuitesTest); workers import this file as the main
script, so the classes and functions below are found again in them.
"""
import collections
import fractions
import sys
import unittest
from concurrent import interpreters

import tessera


class Point:
    def __init__(self, x, y):
        self.x, self.y = x, y

    def __eq__(self, other):
        return type(other) is Point and (other.x, other.y) == (self.x, self.y)


class Tagged(list):
    """A subclass of list: not copied by the host (exact types only), pickled, and so it keeps its type."""


def echo(*args):
    return args


def identity_kept(value):
    """Whether the two first items of a list are one object after the crossing."""
    return value[0] is value[1]


def make_point(x):
    return Point(x, -x)


def make_generator():
    return (i for i in range(3))


def cyclic():
    a = [1]
    a.append(a)
    return a


class CopiesAndPickles(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.pool = tessera.InterpreterPool(1, spare_workers=0)

    @classmethod
    def tearDownClass(cls):
        cls.pool.shutdown()

    def round_trip(self, *values):
        return self.pool.submit(echo, *values).result(60)

    def test_containers_of_shareables_come_back_equal_and_new(self):
        values = ([1, 2.5, "x", None, True, b"b", (1, 2)], {"a": [1, 2], 3: {"n": (4.0,)}}, {1, 2}, frozenset({"f"}),
                  [], {}, set(), list(range(1000)), [0.5] * 100, [True, False])
        back = self.round_trip(*values)
        self.assertEqual(back, values)
        for sent, got in zip(values, back):
            self.assertIs(type(got), type(sent))
            self.assertIsNot(got, sent)

    def test_a_list_that_arrives_can_be_changed(self):
        q = tessera.create_queue()
        q.put(list(range(5)))
        got = q.get()
        got.append(5)  # the host's copy is the receiver's own
        self.assertEqual(got, [0, 1, 2, 3, 4, 5])

    def test_shared_and_cyclic_containers_keep_their_shape(self):
        inner = [1]
        self.assertTrue(self.pool.submit(identity_kept, [inner, inner]).result(60))
        back = self.pool.submit(cyclic).result(60)
        self.assertIs(back[1], back)

    def test_other_objects_are_pickled_and_keep_their_type(self):
        tagged = Tagged([1, 2])
        ordered = collections.OrderedDict(a=1)
        back = self.round_trip(tagged, ordered, fractions.Fraction(1, 3), Point(1, 2), {"p": Point(3, 4)})
        self.assertIs(type(back[0]), Tagged)
        self.assertEqual(back, (tagged, ordered, fractions.Fraction(1, 3), Point(1, 2), {"p": Point(3, 4)}))

    def test_objects_of_the_main_script_come_back_from_a_worker(self):
        p = self.pool.submit(make_point, 5).result(60)
        self.assertIs(type(p), Point)
        self.assertEqual((p.x, p.y), (5, -5))

    def test_what_pickle_cannot_take_is_refused_saying_why(self):
        with self.assertRaisesRegex(tessera.NotShareableError, "generator"):
            self.round_trip((i for i in ()))
        with self.assertRaisesRegex(tessera.NotShareableError, "generator"):
            self.pool.submit(make_generator).result(60)
        with self.assertRaisesRegex(tessera.NotShareableError, "tessera array"):
            self.round_trip(memoryview(bytearray(4)))
        with self.assertRaisesRegex(TypeError, "closure|module level"):
            y = 1
            self.pool.submit(lambda: y)

    def test_a_read_only_memoryview_crosses_as_a_copy(self):
        mv = memoryview(b"abcd").cast("B", (2, 2))
        back = self.round_trip(mv)[0]
        self.assertEqual(back.tolist(), [[97, 98], [99, 100]])
        self.assertTrue(back.readonly)

    def test_views_stay_leases_and_cannot_hide_in_a_copy(self):
        a = tessera.zeros(4, "d")
        try:
            with self.assertRaises(tessera.NotShareableError):
                self.round_trip([a.readonly()])
        finally:
            a.release()

    def test_shareable_values_are_still_reported_so(self):
        self.assertFalse(tessera.is_shareable([1]))
        self.assertTrue(tessera.is_shareable((1, "a", b"", None, 2.5)))
        self.assertTrue(interpreters.is_shareable(memoryview(b"x")))
        self.assertFalse(interpreters.is_shareable(memoryview(bytearray(1))))


class InterpreterLimits(unittest.TestCase):
    def test_a_worker_cannot_create_interpreters_and_says_so(self):
        interp = interpreters.create()
        try:
            with self.assertRaisesRegex(interpreters.ExecutionFailed, "main interpreter"):
                interp.exec("from concurrent import interpreters\ninterpreters.create()")
            interp.exec("x = 41")
            self.assertEqual(interp.call(eval, "x + 1"), 42, "the interpreter keeps its __main__")
        finally:
            interp.close()
        with self.assertRaises(interpreters.InterpreterNotFoundError):
            interp.exec("pass")

    def test_unbound_items_of_a_closed_interpreter(self):
        q = interpreters.create_queue()
        interp = interpreters.create()
        interp.prepare_main(q=q)
        interp.exec("from concurrent.interpreters import _queues as queues\n"
                    "q.put(1)\n"
                    "q.put(2, unbounditems=queues.UNBOUND_ERROR)\n"
                    "q.put(3, unbounditems=queues.UNBOUND_REMOVE)\n"
                    "q.put(4)")
        interp.close()
        from concurrent.interpreters import _queues as queues
        self.assertIs(q.get(), queues.UNBOUND)
        with self.assertRaises(queues.ItemInterpreterDestroyed):
            q.get()
        self.assertIs(q.get(), queues.UNBOUND)  # item 3 was removed
        with self.assertRaises(queues.QueueEmpty):
            q.get_nowait()


if __name__ == "__main__":
    result = unittest.main(exit=False, verbosity=2).result
    print(f"SUITE: {result.testsRun} run, {len(result.failures)} failures, {len(result.errors)} errors, "
          f"{len(result.skipped)} skipped")
    sys.exit(0 if result.wasSuccessful() else 1)
