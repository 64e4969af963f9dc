"""InterpreterPoolExecutor, as CPython 3.14's, on Tessera's worker interpreters.

As in 3.14 it is a thread pool whose every thread owns an interpreter (concurrent.interpreters.create(): a
dedicated Tessera worker): a task runs in the interpreter of the thread that took it, with its arguments and result
shared, copied or pickled; a task's exception is raised again in the caller, its cause an ExecutionFailed that
describes it. Threads, and so interpreters, start as tasks come, up to max_workers, and idle ones are reused.
For Tessera's own pool (host arrays as writable memoryviews, deadlines, cancel(interrupt=True), map_slices), use
tessera.InterpreterPool.
"""

import itertools as _itertools
import queue as _queue
import threading as _threading
import weakref as _weakref

from concurrent import interpreters as _interpreters_api
from concurrent.futures import _base
from concurrent.futures import thread as _thread

import _interpreters

__all__ = ["InterpreterPoolExecutor", "BrokenInterpreterPool", "ExecutionFailed"]

ExecutionFailed = _interpreters_api.ExecutionFailed


class BrokenInterpreterPool(_thread.BrokenThreadPool):
    """A worker interpreter failed to start (its initializer raised): the pool is not usable anymore."""


class WorkerContext:
    """One thread's interpreter: made when the thread starts, closed when it ends."""

    @classmethod
    def prepare(cls, initializer, initargs):
        def resolve_task(fn, args, kwargs):
            if isinstance(fn, str):
                raise TypeError("scripts not supported")
            return (fn, args, kwargs)

        initdata = resolve_task(initializer, initargs, {}) if initializer is not None else None

        def create_context():
            return cls(initdata)

        return create_context, resolve_task

    def __init__(self, initdata):
        self.initdata = initdata
        self.interp = None

    def initialize(self):
        self.interp = _interpreters_api.create()
        try:
            if self.initdata:
                self.run(self.initdata)
        except BaseException:
            self.finalize()
            raise

    def finalize(self):
        interp, self.interp = self.interp, None
        if interp is not None:
            try:
                interp.close()
            except _interpreters_api.InterpreterError:
                pass

    def run(self, task):
        """The task's result; its own exception (when it can cross) raised from an ExecutionFailed."""
        fn, args, kwargs = task
        result, excinfo, *exc = _interpreters.call(self.interp.id, fn, args, kwargs, preserve_exc=True)
        if excinfo is None:
            return result
        wrapper = ExecutionFailed(excinfo)
        if exc and exc[0] is not None:
            raise exc[0] from wrapper
        raise wrapper


def _worker(executor_ref, make_context, work_queue):
    """A pool thread: starts its interpreter, then runs tasks from the queue until shutdown."""
    context = make_context()
    try:
        context.initialize()
    except BaseException:
        _base.LOGGER.critical("Exception in initializer:", exc_info=True)
        executor = executor_ref()
        if executor is not None:
            executor._initializer_failed()
        return
    def announce_idle():
        executor = executor_ref()
        if executor is not None:
            executor._idle_semaphore.release()

    idle = False  # whether this thread has said it is idle since its last task
    try:
        while True:
            try:
                item = work_queue.get_nowait()
            except _queue.Empty:
                if not idle:
                    announce_idle()
                item = work_queue.get(block=True)
            idle = False
            if item is not None:
                idle = _run_item(context, item, work_queue, announce_idle)
                del item
                continue
            executor = executor_ref()
            if _thread._shutdown or executor is None or executor._shutdown:
                if executor is not None:
                    executor._shutdown = True
                work_queue.put(None)  # wakes the next thread
                return
            del executor
    finally:
        context.finalize()


def _run_item(context, item, work_queue, announce_idle):
    """Runs one task; True if this thread said it is idle before delivering the outcome. It says so first when no
    task waits, so that a caller woken by the outcome who submits again finds this thread idle instead of starting
    another (with the outcome first, that race is lost often on a loaded 2-core machine)."""
    future = item.future
    if not future.set_running_or_notify_cancel():
        return False
    try:
        result, exc = context.run((item.fn, item.args, item.kwargs)), None
    except BaseException as e:
        result, exc = None, e
    idle = work_queue.empty()
    if idle:
        announce_idle()
    if exc is None:
        future.set_result(result)
    else:
        future.set_exception(exc)
        del exc  # no cycle through the frame
    return idle


class InterpreterPoolExecutor(_thread.ThreadPoolExecutor):
    """An executor whose tasks run in separate interpreters (each with its own GIL: truly in parallel)."""

    BROKEN = BrokenInterpreterPool
    _counter = _itertools.count().__next__

    @classmethod
    def prepare_context(cls, initializer, initargs):
        return WorkerContext.prepare(initializer, initargs)

    def __init__(self, max_workers=None, thread_name_prefix="", initializer=None, initargs=()):
        """max_workers: how many interpreters at most (default: as ThreadPoolExecutor). thread_name_prefix: names the
        pool's threads. initializer(*initargs): run in each new interpreter first; if it raises, the pool is broken
        (BrokenInterpreterPool)."""
        thread_name_prefix = thread_name_prefix or f"InterpreterPoolExecutor-{self._counter()}"
        if initializer is not None and not callable(initializer) and not isinstance(initializer, str):
            raise TypeError("initializer must be a callable")
        self._create_context, self._resolve_task = self.prepare_context(initializer, initargs)
        super().__init__(max_workers, thread_name_prefix, None, ())

    def submit(self, fn, /, *args, **kwargs):
        with self._shutdown_lock, _thread._global_shutdown_lock:
            if self._broken:
                raise self.BROKEN(self._broken)
            if self._shutdown:
                raise RuntimeError("cannot schedule new futures after shutdown")
            if _thread._shutdown:
                raise RuntimeError("cannot schedule new futures after interpreter shutdown")
            fn, args, kwargs = self._resolve_task(fn, args, kwargs)
            future = _base.Future()
            self._work_queue.put(_thread._WorkItem(future, fn, args, kwargs))
            self._adjust_thread_count()
            return future

    submit.__doc__ = _base.Executor.submit.__doc__

    def _adjust_thread_count(self):
        if self._idle_semaphore.acquire(timeout=0):  # an idle thread takes the task
            return

        def wake_on_collect(_, q=self._work_queue):
            q.put(None)

        if len(self._threads) < self._max_workers:
            t = _threading.Thread(name=f"{self._thread_name_prefix or self}_{len(self._threads)}", target=_worker,
                                  args=(_weakref.ref(self, wake_on_collect), self._create_context, self._work_queue))
            t.start()
            self._threads.add(t)
            _thread._threads_queues[t] = self._work_queue

    def _initializer_failed(self):
        with self._shutdown_lock:
            self._broken = "A thread initializer failed, the thread pool is not usable anymore"
            while True:  # the tasks waiting for a thread fail now
                try:
                    item = self._work_queue.get_nowait()
                except _queue.Empty:
                    break
                if item is not None:
                    item.future.set_exception(self.BROKEN(self._broken))
