"""The script's thread and every worker keep their GIL across tessera's quick host calls (Gil.java): whatever waits
must give it up, or another thread of the main interpreter could never run while the script's thread waits (and a
wait that needs that thread would never end). Each test here hangs or fails if a wait kept the GIL. Run by
PythonSuitesTest."""
import threading
import time
import unittest

import _pool_case
import tessera


def take_one(q):
    return q.get(timeout=20)


def sleep_then(seconds, value):
    time.sleep(seconds)
    return value


def wait_forever(q):
    return q.get()


def put_then_get(q_in, q_out, n):
    for i in range(n):
        q_out.put(i)
    return sum(q_in.get() for _ in range(n))


def later(seconds, fn, *args):
    t = threading.Thread(target=lambda: (time.sleep(seconds), fn(*args)), daemon=True)
    t.start()
    return t


class MainThreadWaits(_pool_case.PoolTestCase):
    """The script's thread waits in a host call while another thread of the main interpreter provides."""


    def test_a_get_waits_for_a_put_from_another_thread(self):
        q = tessera.create_queue()
        later(0.05, q.put, 42)
        self.assertEqual(q.get(timeout=20), 42)

    def test_a_full_queue_waits_for_a_get_from_another_thread(self):
        q = tessera.create_queue(1)
        q.put(1)
        got = []
        taker = later(0.05, lambda: got.append(q.get()))
        q.put(2, timeout=20)  # room only once the other thread took the first
        self.assertEqual(q.get(timeout=20), 2)
        taker.join(20)
        self.assertEqual(got, [1])

    def test_another_thread_runs_while_a_result_is_awaited(self):
        ticks = []
        stop = threading.Event()

        def tick():
            while not stop.is_set():
                ticks.append(1)
                time.sleep(0.001)

        t = threading.Thread(target=tick, daemon=True)
        f = self.pool.submit(sleep_then, 0.3, "done")
        t.start()
        try:
            self.assertEqual(f.result(timeout=20), "done")
            self.assertGreater(len(ticks), 0, "the other thread never ran while the result was awaited")
        finally:
            stop.set()
            t.join()

    def test_a_task_fed_by_another_thread_of_main(self):
        q = tessera.create_queue()
        f = self.pool.submit(take_one, q)
        later(0.1, q.put, "from a thread")
        self.assertEqual(f.result(timeout=20), "from a thread")

    def test_shutdown_waits_for_a_task_that_another_thread_feeds(self):
        pool = tessera.InterpreterPool(1)
        q = tessera.create_queue()
        f = pool.submit(take_one, q)
        later(0.2, q.put, 7)
        pool.shutdown(wait=True)  # a host call that waits outside a queue: it must give the GIL up too
        self.assertEqual(f.result(), 7)

    def test_threads_stream_through_a_task_both_ways(self):
        to_task, from_task = tessera.create_queue(), tessera.create_queue(16)
        n = 20_000
        f = self.pool.submit(put_then_get, to_task, from_task, n)
        got = []
        reader = threading.Thread(target=lambda: got.extend(from_task.get(timeout=20) for _ in range(n)), daemon=True)
        reader.start()
        for i in range(n):
            to_task.put(i)
        reader.join(30)
        self.assertEqual(got, list(range(n)))
        self.assertEqual(f.result(timeout=20), n * (n - 1) // 2)


class WorkerWaits(unittest.TestCase):
    """A worker keeps its GIL across host calls; waiting ones give it up, and a stop still reaches them."""

    def test_a_task_waiting_on_an_empty_queue_can_be_cancelled(self):
        with tessera.InterpreterPool(1) as pool:
            q = tessera.create_queue()
            f = pool.submit(wait_forever, q)
            deadline = time.monotonic() + 20
            while not f.running() and time.monotonic() < deadline:
                time.sleep(0.01)
            self.assertTrue(f.cancel(interrupt=True))
            self.assertTrue(f.cancelled())
            self.assertEqual(pool.submit(sleep_then, 0, "next").result(timeout=20), "next")

    def test_a_task_waiting_on_a_queue_past_its_deadline_is_stopped(self):
        with tessera.InterpreterPool(1, task_timeout=0.3) as pool:
            q = tessera.create_queue()
            f = pool.submit(wait_forever, q)
            with self.assertRaises(tessera.DeadlineExceeded):
                f.result(timeout=20)


if __name__ == "__main__":
    unittest.main()
