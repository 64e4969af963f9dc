"""pool.map_slices: a job over disjoint row ranges that says which ranges completed when one fails, so that only
the failed ones are retried. Run by PythonSuitesTest."""
import unittest

import _pool_case
import tessera


def fill(view, start, fail_at=-1):
    """Runs in a worker: rows [start, start + len(view)) get their row number; the slice at fail_at raises halfway."""
    for i in range(len(view)):
        if start == fail_at and i == len(view) // 2:
            raise ValueError(f"injected failure at row {start + i}")
        view[i] = float(start + i)
    return len(view)


def total(view, start):
    return sum(view)


class MapSlices(_pool_case.PoolTestCase):

    def setUp(self):
        self.a = tessera.zeros(1000, "d")

    def tearDown(self):
        self.a.release()

    def test_results_in_row_order_with_default_and_given_chunks(self):
        self.assertEqual(sum(self.pool.map_slices(fill, self.a)), 1000)
        self.assertEqual(len(self.pool.map_slices(fill, self.a, chunks=3)), 3)
        self.assertEqual(self.pool.map_slices(fill, self.a, chunks=4), [250, 250, 250, 250])
        self.assertEqual(list(memoryview(self.a)), [float(i) for i in range(1000)])
        self.assertEqual(self.pool.map_slices(total, self.a, chunks=2, readonly=True),
                         [float(sum(range(500))), float(sum(range(500, 1000)))])

    def test_a_failing_slice_is_reported_with_the_completed_ones_and_only_it_is_retried(self):
        with self.assertRaises(tessera.SlicesFailed) as cm:
            self.pool.map_slices(fill, self.a, 375, chunks=8)
        e = cm.exception
        self.assertEqual(e.failed_ranges, [(375, 500)])
        self.assertEqual(sorted(e.completed), [(lo, lo + 125) for lo in range(0, 1000, 125) if lo != 375])
        self.assertTrue(all(r == 125 for r in e.completed.values()))
        failure = e.failed[(375, 500)]
        self.assertIsInstance(failure, tessera.ExecutionFailed)
        self.assertEqual(failure.excinfo.type, "ValueError")
        self.assertIn("rows [375, 500): ExecutionFailed: ValueError: injected failure at row 437", str(e))
        mv = memoryview(self.a)
        self.assertEqual(mv[374], 374.0)
        self.assertEqual(mv[500], 500.0)
        self.assertEqual(mv[499], 0.0, "the failed slice stopped halfway")
        self.assertEqual(self.pool.map_slices(fill, self.a, ranges=e.failed_ranges), [125])  # the retry
        self.assertEqual(list(mv), [float(i) for i in range(1000)])
        self.a.slice(0, 1000).release()  # no lease was left behind

    def test_overlapping_ranges_are_refused_before_anything_runs(self):
        with self.assertRaises(BufferError):
            self.pool.map_slices(fill, self.a, ranges=[(0, 600), (500, 1000)])
        self.assertEqual(memoryview(self.a)[0], 0.0)
        self.a.slice(0, 1000).release()  # the first range's lease was given back

    def test_bad_ranges_and_arguments(self):
        with self.assertRaises((ValueError, IndexError)):
            self.pool.map_slices(fill, self.a, ranges=[(0, 2000)])
        with self.assertRaises(TypeError):
            self.pool.map_slices(fill, self.a, ranges=[("a", 3)])
        with self.assertRaises(tessera.NotShareableError):
            self.pool.map_slices(fill, self.a, (i for i in ()))
        self.a.slice(0, 1000).release()


if __name__ == "__main__":
    unittest.main()
