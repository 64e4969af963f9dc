"""CPython's executor tests (Lib/test/test_concurrent_futures: executor, wait, as_completed, shutdown, init),
ported to tessera.InterpreterPool: the same scenarios and the same assertions, rewritten for a pool whose tasks
run in other interpreters. Run by the JUnit driver PythonSuitesTest; exits non-zero on any failure.

What differs from upstream, and why (each skip says so too):
- Task functions are module-level (workers import them); threading.Event cannot cross interpreters, so the
  tests' events are tessera queues (Event below), as upstream's InterpreterPoolExecutor tests do with their own
  channels.
- A task's exception arrives as tessera.ExecutionFailed (upstream's InterpreterPoolExecutor tests override
  assertTaskRaises the same way), and results must be shareable: capture() returns its keywords as a tuple of
  pairs, not a dict.
- The tests of interpreter shutdown that upstream runs in a child `python -c` are in ScriptExitTest (Java), which
  runs the same scripts in a fresh main interpreter.
"""
import concurrent.futures as futures
import gc
import itertools
import threading
import time
import unittest
from concurrent.futures._base import CANCELLED, CANCELLED_AND_NOTIFIED, FINISHED, PENDING, RUNNING, Future

import tessera


def create_future(state=PENDING, exception=None, result=None):
    f = Future()
    f._state = state
    f._exception = exception
    f._result = result
    return f


PENDING_FUTURE = create_future(state=PENDING)
RUNNING_FUTURE = create_future(state=RUNNING)
CANCELLED_FUTURE = create_future(state=CANCELLED)
CANCELLED_AND_NOTIFIED_FUTURE = create_future(state=CANCELLED_AND_NOTIFIED)
EXCEPTION_FUTURE = create_future(state=FINISHED, exception=OSError())
SUCCESSFUL_FUTURE = create_future(state=FINISHED, result=42)


# ---- task functions (module level: workers import this file as a module) ---------------------------------------

def mul(x, y):
    return x * y


def capture(*args, **kwargs):
    return args, tuple(sorted(kwargs.items()))


def event_wait(q):
    q.get()


def wait_and_raise(q):
    q.get()
    raise Exception('this is an exception')


def log_n_wait(log, stop, ident):
    log.put(f"{ident=} started")
    try:
        stop.get()
    finally:
        log.put(f"{ident=} stopped")


def get_init_status():
    return INITIALIZER_STATUS


INITIALIZER_STATUS = 'uninitialized'


def init(x):
    global INITIALIZER_STATUS
    INITIALIZER_STATUS = x


def init_fail():
    time.sleep(0.1)  # let some futures be scheduled
    raise ValueError('error in initializer')


class Event:
    """An event that tasks in other interpreters can wait for: set() puts enough tokens for every waiter."""

    def __init__(self):
        self.q = tessera.create_queue()

    def set(self):
        for _ in range(16):
            self.q.put(None)


# ---- fixtures -----------------------------------------------------------------------------------------------------

class PoolTestCase(unittest.TestCase):
    worker_count = 5
    executor_kwargs = {}

    def setUp(self):
        self.t1 = time.monotonic()
        self.executor = tessera.InterpreterPool(max_workers=self.worker_count, spare_workers=0, **self.executor_kwargs)

    def tearDown(self):
        self.executor.shutdown(wait=True)
        self.executor = None
        self.assertLess(time.monotonic() - self.t1, 300, "synchronization issue: test lasted too long")

    def create_event(self):
        return Event()

    def assertTaskRaises(self, exctype):
        return self.assertRaises(tessera.ExecutionFailed)


# ---- executor.py: ExecutorTest --------------------------------------------------------------------------------------

class ExecutorTest(PoolTestCase):
    def test_submit(self):
        future = self.executor.submit(pow, 2, 8)
        self.assertEqual(256, future.result())

    def test_submit_keyword(self):
        future = self.executor.submit(mul, 2, y=8)
        self.assertEqual(16, future.result())
        future = self.executor.submit(capture, 1, self=2, fn=3)
        self.assertEqual(future.result(), ((1,), (('fn', 3), ('self', 2))))
        with self.assertRaises(TypeError):
            self.executor.submit(fn=capture, arg=1)
        with self.assertRaises(TypeError):
            self.executor.submit(arg=1)

    def test_map(self):
        self.assertEqual(list(self.executor.map(pow, range(10), range(10))), list(map(pow, range(10), range(10))))
        self.assertEqual(list(self.executor.map(pow, range(10), range(10), chunksize=3)),
                         list(map(pow, range(10), range(10))))

    def test_map_exception(self):
        i = self.executor.map(divmod, [1, 1, 1, 1], [2, 3, 0, 5])
        self.assertEqual(i.__next__(), (0, 1))
        self.assertEqual(i.__next__(), (0, 1))
        with self.assertTaskRaises(ZeroDivisionError):
            i.__next__()

    def test_map_timeout(self):
        results = []
        try:
            for i in self.executor.map(time.sleep, [0, 0, 6], timeout=5):
                results.append(i)
        except futures.TimeoutError:
            pass
        else:
            self.fail('expected TimeoutError')
        self.assertEqual([None, None], results)

    def test_shutdown_race_issue12456(self):
        self.executor.map(str, [2] * (self.worker_count + 1))
        self.executor.shutdown()

    @unittest.skip("a bound method cannot be sent to a worker (workers import functions by name); the stale-reference "
                   "question is about the executor holding the method's object, which never crosses here")
    def test_no_stale_references(self):
        pass

    # test_thread_pool.py: Executor.map(timeout=0) raises TimeoutError at once and cancels what has not started (the
    # deadline has passed when result() is asked: a negative timeout, which must not be an error); the events and the
    # log are queues, since tasks run in other interpreters
    def test_executor_map_current_future_cancel(self):
        log, stop = tessera.create_queue(), tessera.create_queue()
        with tessera.InterpreterPool(max_workers=1, spare_workers=0) as pool:
            fut = pool.submit(log_n_wait, log, stop, "first")  # saturates the pool
            try:
                gen = pool.map(log_n_wait, [log, log], [stop, stop], ["second", "third"], timeout=0)
                try:
                    with self.assertRaises(TimeoutError):
                        next(gen)
                finally:
                    gen.close()
            finally:
                stop.put(None)
            fut.result()
        got = []
        while not log.empty():
            got.append(log.get())
        # ident='second' is cancelled as a result of raising a TimeoutError
        # ident='third' is cancelled because it remained in the collection of futures
        self.assertListEqual(got, ["ident='first' started", "ident='first' stopped"])

    def test_max_workers_negative(self):
        for number in (0, -1):
            with self.assertRaisesRegex(ValueError, "max_workers must be greater than 0"):
                tessera.InterpreterPool(max_workers=number)

    @unittest.skip("results must be shareable: a task cannot return an instance of a user class")
    def test_free_reference(self):
        pass

    # tessera: a running future says so in its repr (it said 'pending')
    def test_running_future_repr(self):
        e = self.create_event()
        f = self.executor.submit(event_wait, e.q)
        try:
            for _ in range(500):
                if f.running():
                    break
                time.sleep(0.01)
            self.assertTrue(f.running())
            self.assertIn("state=running", repr(f))
        finally:
            e.set()
        f.result()
        self.assertIn("state=finished", repr(f))


# ---- test_wait.py ----------------------------------------------------------------------------------------------------

class WaitTests(PoolTestCase):
    def test_20369(self):
        future = self.executor.submit(mul, 1, 2)
        done, not_done = futures.wait([future, future], return_when=futures.ALL_COMPLETED)
        self.assertEqual({future}, done)
        self.assertEqual(set(), not_done)

    def test_first_completed(self):
        event = self.create_event()
        future1 = self.executor.submit(mul, 21, 2)
        future2 = self.executor.submit(event_wait, event.q)
        try:
            done, not_done = futures.wait([CANCELLED_FUTURE, future1, future2], return_when=futures.FIRST_COMPLETED)
            self.assertEqual(set([future1]), done)
            self.assertEqual(set([CANCELLED_FUTURE, future2]), not_done)
        finally:
            event.set()
        future2.result()

    def test_first_completed_some_already_completed(self):
        event = self.create_event()
        future1 = self.executor.submit(event_wait, event.q)
        try:
            finished, pending = futures.wait([CANCELLED_AND_NOTIFIED_FUTURE, SUCCESSFUL_FUTURE, future1],
                                             return_when=futures.FIRST_COMPLETED)
            self.assertEqual(set([CANCELLED_AND_NOTIFIED_FUTURE, SUCCESSFUL_FUTURE]), finished)
            self.assertEqual(set([future1]), pending)
        finally:
            event.set()
        future1.result()

    def test_first_exception(self):
        event1 = self.create_event()
        event2 = self.create_event()
        try:
            future1 = self.executor.submit(mul, 2, 21)
            future2 = self.executor.submit(wait_and_raise, event1.q)
            future3 = self.executor.submit(event_wait, event2.q)

            def wait_for_future1():  # future1 completes before future2 finishes
                future1.result()
                event1.set()

            t = threading.Thread(target=wait_for_future1)
            t.start()
            finished, pending = futures.wait([future1, future2, future3], return_when=futures.FIRST_EXCEPTION)
            self.assertEqual(set([future1, future2]), finished)
            self.assertEqual(set([future3]), pending)
            t.join()
        finally:
            event1.set()
            event2.set()
        future3.result()

    def test_first_exception_some_already_complete(self):
        event = self.create_event()
        future1 = self.executor.submit(divmod, 21, 0)
        future2 = self.executor.submit(event_wait, event.q)
        try:
            finished, pending = futures.wait(
                [SUCCESSFUL_FUTURE, CANCELLED_FUTURE, CANCELLED_AND_NOTIFIED_FUTURE, future1, future2],
                return_when=futures.FIRST_EXCEPTION)
            self.assertEqual(set([SUCCESSFUL_FUTURE, CANCELLED_AND_NOTIFIED_FUTURE, future1]), finished)
            self.assertEqual(set([CANCELLED_FUTURE, future2]), pending)
        finally:
            event.set()
        future2.result()

    def test_first_exception_one_already_failed(self):
        event = self.create_event()
        future1 = self.executor.submit(event_wait, event.q)
        try:
            finished, pending = futures.wait([EXCEPTION_FUTURE, future1], return_when=futures.FIRST_EXCEPTION)
            self.assertEqual(set([EXCEPTION_FUTURE]), finished)
            self.assertEqual(set([future1]), pending)
        finally:
            event.set()
        future1.result()

    def test_all_completed(self):
        future1 = self.executor.submit(divmod, 2, 0)
        future2 = self.executor.submit(mul, 2, 21)
        finished, pending = futures.wait(
            [SUCCESSFUL_FUTURE, CANCELLED_AND_NOTIFIED_FUTURE, EXCEPTION_FUTURE, future1, future2],
            return_when=futures.ALL_COMPLETED)
        self.assertEqual(set([SUCCESSFUL_FUTURE, CANCELLED_AND_NOTIFIED_FUTURE, EXCEPTION_FUTURE, future1, future2]),
                         finished)
        self.assertEqual(set(), pending)

    def test_timeout(self):
        short_timeout = 0.050
        event = self.create_event()
        future = self.executor.submit(event_wait, event.q)
        try:
            finished, pending = futures.wait(
                [CANCELLED_AND_NOTIFIED_FUTURE, EXCEPTION_FUTURE, SUCCESSFUL_FUTURE, future],
                timeout=short_timeout, return_when=futures.ALL_COMPLETED)
            self.assertEqual(set([CANCELLED_AND_NOTIFIED_FUTURE, EXCEPTION_FUTURE, SUCCESSFUL_FUTURE]), finished)
            self.assertEqual(set([future]), pending)
        finally:
            event.set()
        future.result()

    def test_pending_calls_race(self):
        # ThreadPoolWaitTests' race of many waiters on all futures (issue #14406); no switch interval to shorten
        event = self.create_event()
        fs = {self.executor.submit(event_wait, event.q) for _ in range(16)}
        event.set()
        futures.wait(fs, return_when=futures.ALL_COMPLETED)
        self.assertTrue(all(f.done() for f in fs))


# ---- test_as_completed.py -----------------------------------------------------------------------------------------

class AsCompletedTests(PoolTestCase):
    def test_no_timeout(self):
        future1 = self.executor.submit(mul, 2, 21)
        future2 = self.executor.submit(mul, 7, 6)
        completed = set(futures.as_completed(
            [CANCELLED_AND_NOTIFIED_FUTURE, EXCEPTION_FUTURE, SUCCESSFUL_FUTURE, future1, future2]))
        self.assertEqual(set([CANCELLED_AND_NOTIFIED_FUTURE, EXCEPTION_FUTURE, SUCCESSFUL_FUTURE, future1, future2]),
                         completed)

    def test_future_times_out(self):
        already_completed = {CANCELLED_AND_NOTIFIED_FUTURE, EXCEPTION_FUTURE, SUCCESSFUL_FUTURE}
        short_timeout = 0.100
        for timeout in (0, short_timeout):
            with self.subTest(timeout):
                completed_futures = set()
                future = self.executor.submit(time.sleep, short_timeout * 10)
                try:
                    for f in futures.as_completed(already_completed | {future}, timeout):
                        completed_futures.add(f)
                except futures.TimeoutError:
                    pass
                self.assertEqual(completed_futures, already_completed)

    def test_duplicate_futures(self):
        future1 = self.executor.submit(time.sleep, 2)
        completed = [f for f in futures.as_completed(itertools.repeat(future1, 3))]
        self.assertEqual(len(completed), 1)

    @unittest.skip("cannot pass on GraalPy 25.0.3: list.pop() and list.remove() leave the removed element in the list's "
                   "backing array, so the test's own futures_list (and as_completed's list) keep a yielded future alive "
                   "after gc.collect(); it tests plain futures, not the pool")
    def test_free_reference_yielded_future(self):
        pass

    def test_correct_timeout_exception_msg(self):
        futures_list = [CANCELLED_AND_NOTIFIED_FUTURE, PENDING_FUTURE, RUNNING_FUTURE, SUCCESSFUL_FUTURE]
        with self.assertRaises(futures.TimeoutError) as cm:
            list(futures.as_completed(futures_list, timeout=0))
        self.assertEqual(str(cm.exception), '2 (of 4) futures unfinished')


# ---- test_shutdown.py (the in-process ones; the interpreter-exit ones are in ScriptExitTest) -----------------------

class ExecutorShutdownTest(PoolTestCase):
    def test_run_after_shutdown(self):
        self.executor.shutdown()
        self.assertRaises(RuntimeError, self.executor.submit, pow, 2, 5)

    def test_hang_issue12364(self):
        fs = [self.executor.submit(time.sleep, 0.1) for _ in range(50)]
        self.executor.shutdown()
        for f in fs:
            f.result()

    def test_cancel_futures(self):
        assert self.worker_count <= 5, "test needs few workers"
        fs = [self.executor.submit(time.sleep, .1) for _ in range(50)]
        self.executor.shutdown(cancel_futures=True)
        cancelled = [fut for fut in fs if fut.cancelled()]
        self.assertGreater(len(cancelled), 20)
        others = [fut for fut in fs if not fut.cancelled()]
        for fut in others:
            self.assertTrue(fut.done(), msg=f"{fut._state=}")
            self.assertIsNone(fut.exception())
        self.assertGreater(len(others), 0)

    def test_hang_gh94440(self):
        # upstream bounds this with signal.alarm(5); here the JUnit driver's timeout bounds the whole suite
        executor = tessera.InterpreterPool(max_workers=1)
        executor.submit(int).result()
        executor.submit(int).cancel()
        t0 = time.monotonic()
        executor.shutdown(wait=True)
        self.assertLess(time.monotonic() - t0, 60, "timed out waiting for shutdown")  # a hang guard, not a timing

    def test_context_manager_shutdown(self):
        with tessera.InterpreterPool(max_workers=5) as e:
            self.assertEqual(list(e.map(abs, range(-5, 5))), [5, 4, 3, 2, 1, 0, 1, 2, 3, 4])
        self.assertRaises(RuntimeError, e.submit, abs, 1)

    def test_shutdown_no_wait(self):
        executor = tessera.InterpreterPool(max_workers=5)
        res = executor.map(abs, range(-5, 5))
        executor.shutdown(wait=False)
        assert all([r == abs(v) for r, v in zip(res, range(-5, 5))])

    @unittest.skip("a pool is not shut down when its last reference goes: GraalPy has no reference counting, so "
                   "there is no moment at which `del executor` could do it (shutdown() or a with-block does)")
    def test_del_shutdown(self):
        pass


# ---- test_init.py ----------------------------------------------------------------------------------------------------

class InitializerTest(PoolTestCase):
    worker_count = 2
    executor_kwargs = dict(initializer=init, initargs=('initialized',))

    def test_initializer(self):
        fs = [self.executor.submit(get_init_status) for _ in range(self.worker_count)]
        for f in fs:
            self.assertEqual(f.result(), 'initialized')


class FailingInitializerTest(PoolTestCase):
    worker_count = 2
    executor_kwargs = dict(initializer=init_fail)

    def test_initializer(self):
        with self.assertLogs('concurrent.futures', 'CRITICAL') as cm:
            try:
                future = self.executor.submit(get_init_status)
            except futures.BrokenExecutor:
                pass  # perhaps the executor is already broken
            else:
                with self.assertRaises(futures.BrokenExecutor):
                    future.result()
            deadline = time.monotonic() + 60  # at some point the executor should break
            while not self.executor.stats()["broken"]:
                self.assertLess(time.monotonic(), deadline, "executor not broken")
                time.sleep(0.01)
            with self.assertRaises(futures.BrokenExecutor):  # ... and from then on submit() fails
                self.executor.submit(get_init_status)
        self.assertTrue(any('ValueError: error in initializer' in line for line in cm.output), cm.output)


if __name__ == "__main__":
    unittest.main(verbosity=2)
