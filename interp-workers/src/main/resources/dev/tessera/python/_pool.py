"""InterpreterPool: a concurrent.futures.Executor whose workers are isolated interpreters.

Futures are concurrent.futures.Futures. A completer thread of the pool (a daemon thread of the main interpreter,
woken by the host) sets their outcomes, so done-callbacks, concurrent.futures.wait and as_completed work as with
CPython's executors; a thread blocked in result() takes its own outcome from the host directly, one hand-off
sooner. Every crossing is one host call, checked once by the host.
"""

import concurrent.futures as _cf
import os as _os
import sys as _sys
import threading as _threading
import time as _time
import types as _types
import weakref as _weakref
from concurrent.futures import CancelledError
from concurrent.futures._base import CANCELLED as _CANCELLED, CANCELLED_AND_NOTIFIED as _CANCELLED_AND_NOTIFIED, \
    FINISHED as _FINISHED, PENDING as _PENDING

from tessera._pickles import _call_pickled, _xi_dumps
from tessera._tasks import source
from tessera._host import (
    pool_await as _await,
    pool_cancel as _cancel,
    pool_completions as _completions,
    pool_create as _create,
    pool_map_rows as _map_rows,
    pool_poll as _poll,
    pool_running as _running,
    pool_shutdown as _shutdown,
    pool_startup_seconds as _startup_seconds,
    pool_stats as _stats,
    pool_submit as _submit,
    pool_target as _register_target,
    pool_want as _want,
    pool_workers as _workers,
    target_function as _target_function,
    target_source as _target_source,
)

__all__ = ["InterpreterPool", "Future", "BrokenInterpreterPool", "SlicesFailed", "wait", "as_completed",
           "FIRST_COMPLETED", "FIRST_EXCEPTION", "ALL_COMPLETED"]

class SlicesFailed(RuntimeError):
    """Some slices of a map_slices job failed. `completed` maps each (start, stop) row range that finished to its
    result, `failed` maps each range that did not to its exception; retry just those with
    `pool.map_slices(fn, array, *args, ranges=e.failed_ranges)`."""

    def __init__(self, completed, failed):
        (lo, hi), exc = min(failed.items())
        why = str(exc).splitlines()
        super().__init__(f"{len(failed)} of {len(completed) + len(failed)} slices failed; the first, rows [{lo}, {hi}): "
                         f"{type(exc).__name__}: {why[0] if why else ''}")
        self.completed = completed
        self.failed = failed

    @property
    def failed_ranges(self):
        return sorted(self.failed)


class BrokenInterpreterPool(_cf.BrokenExecutor):
    """A worker could not start (its initializer or a preload raised): the pool cannot run tasks."""


BrokenInterpreterPool.__module__ = "tessera"

wait = _cf.wait
as_completed = _cf.as_completed
FIRST_COMPLETED = _cf.FIRST_COMPLETED
FIRST_EXCEPTION = _cf.FIRST_EXCEPTION
ALL_COMPLETED = _cf.ALL_COMPLETED


def _main_file():
    f = getattr(_sys.modules.get("__main__"), "__file__", None)
    return _os.path.abspath(f) if f else None


def _script_path(given):
    """The entries the script put on sys.path itself (sys.path.insert / append at run time), absolute, in order,
    past those in `given`: the interpreter's own (below its prefix) and '' are left out. CPython's spawn and
    forkserver children start with their parent's sys.path, so a function of a module imported from such a
    directory must import in a worker too (it failed with ModuleNotFoundError: the sandbox hid the directory)."""
    home = tuple({p for p in (_sys.prefix, _sys.base_prefix, _sys.exec_prefix) if p})
    out = []
    for p in _sys.path:
        if not isinstance(p, str) or not p:
            continue
        p = _os.path.abspath(p)
        if p in given or p in out or any(p == h or p.startswith(h + _os.sep) for h in home):
            continue
        if _os.path.exists(p):
            out.append(p)
    return tuple(out)


def _target(fn, what="fn"):
    """The task target (a host object) naming `fn` the way workers can find it again: by module and qualified name
    (and, for a function of the main script, the script's file), or by source code and entry point."""
    if isinstance(fn, source):
        return _target_source(fn.code, fn.entry)
    if isinstance(fn, str):
        raise TypeError(f"{what}: to run source code, pass tessera.source(code, entry_name)")
    if isinstance(fn, _types.MethodType) or (isinstance(fn, _types.BuiltinMethodType)
                                             and not isinstance(fn.__self__, _types.ModuleType)):
        raise TypeError(f"{what}: cannot send the bound method {getattr(fn, '__qualname__', fn)!r} to a worker: workers "
                        f"import functions by module and name and cannot receive its object; use a module-level function")
    if not callable(fn):
        raise TypeError(f"{what} must be a module-level function, not {type(fn).__name__}")
    module, qualname = getattr(fn, "__module__", None), getattr(fn, "__qualname__", None)
    if module is None or qualname is None:
        raise TypeError(f"{what}: cannot send {fn!r} to a worker: it has no module and name to import it by")
    if "<lambda>" in qualname:
        raise TypeError(f"{what}: cannot send a lambda to a worker: workers import functions by module and qualified "
                        f"name, and a lambda has none; define it with def at module level")
    if "<locals>" in qualname or getattr(fn, "__closure__", None):
        raise TypeError(f"{what}: cannot send {qualname!r} to a worker: it is a closure or defined inside a function, "
                        f"so workers cannot import it; define it at module level")
    main_file = None
    if module == "__main__":
        main_file = _main_file()
        if main_file is None:
            raise TypeError(f"{what}: {qualname!r} was defined interactively in __main__; workers can only import "
                            f"functions from files")
    return _target_function(module, qualname, main_file)


def _pickled_callable(fn):
    """The pickle of a callable that workers cannot import by name (a bound method, functools.partial, a callable
    object; a stateless lambda or inner function by its code), or None if it has none (a closure, a string)."""
    if isinstance(fn, (str, source)) or not callable(fn):
        return None
    data = _xi_dumps(fn)
    return data if isinstance(data, bytes) else None


class _Waiters(list):
    """A future's waiters (concurrent.futures.wait and as_completed append theirs): a waiter means that someone
    waits for the outcome without calling result(), so the pool's completer thread must deliver it."""

    __slots__ = ("future",)

    def append(self, waiter):
        list.append(self, waiter)
        self.future._want()


# Guards the making of a future's condition against a delivery that finds none (see Future._condition).
_conditions = _threading.Lock()
_DONE = (_CANCELLED, _CANCELLED_AND_NOTIFIED, _FINISHED)


class Future(_cf.Future):
    """A concurrent.futures.Future of a task run by a worker interpreter. cancel(interrupt=True) also stops a
    running task (its worker is replaced).

    Its outcome is taken from the host when asked for (result, exception, done, cancelled): a thread that waits in
    result() is woken by the worker's hand-off itself. Only a future that someone waits for otherwise (a
    done-callback, concurrent.futures.wait or as_completed) is completed by the pool's completer thread, which is
    started for that."""

    def __init__(self, pool):
        # concurrent.futures.Future's fields, but its Condition: made when first used (see _condition)
        self._cond = None
        self._state = _PENDING
        self._result = None
        self._exception = None
        self._done_callbacks = []
        self._pool = pool
        self._task = None
        waiters = _Waiters()
        waiters.future = self
        self._waiters = waiters

    @property
    def _condition(self):
        """The future's threading.Condition, made the first time something uses it: a wait other than result()'s,
        a callback, concurrent.futures.wait or as_completed, a cancel. Most futures are delivered to the thread that
        calls result() and need none; making one, locking it and notifying it cost every task Python code that runs
        interpreted through a new interpreter's first seconds. A delivery that finds no condition sets the outcome
        under the same lock that makes one (_deliver), so a thread that makes it afterwards sees the outcome."""
        c = self._cond
        if c is None:
            with _conditions:
                c = self._cond
                if c is None:
                    c = self._cond = _threading.Condition()
        return c

    def cancel(self, interrupt=False):
        """Cancel the task if it has not started. With interrupt=True a running task is stopped as well."""
        self._poll()
        with self._condition:
            if self._state in (_CANCELLED, "CANCELLED_AND_NOTIFIED"):
                return True
            if self._state == _FINISHED:
                return False
        if not _cancel(self._task, interrupt):
            return False
        return super().cancel()

    def cancelled(self):
        self._poll()
        return super().cancelled()

    def running(self):
        return self._state == _PENDING and self._task is not None and _running(self._task)

    def done(self):
        self._poll()
        return self._state in _DONE  # one read: the state only moves forward

    def result(self, timeout=None):
        if self._state == _PENDING:
            timeout = self._await_host(timeout)
        if self._state == _FINISHED and self._exception is None:
            return self._result  # delivered: no lock needed to read an outcome that never changes again
        return super().result(timeout)

    def exception(self, timeout=None):
        if self._state == _PENDING:
            timeout = self._await_host(timeout)
        return super().exception(timeout)

    def add_done_callback(self, fn):
        self._want()
        super().add_done_callback(fn)

    def _poll(self):
        """Delivers the outcome now if the task has ended and nobody delivered it yet."""
        if self._state == _PENDING and self._task is not None:
            got = _poll(self._task)
            if got is not None:
                _deliver(self, got[0], got[1])

    def _want(self):
        if self._state == _PENDING and self._task is not None:
            self._pool._start_completer()
            _want(self._task)

    def _await_host(self, timeout):
        """Waits in the host for the task's end and delivers its outcome unless another thread has; returns what
        is left of `timeout`."""
        start = _time.monotonic()
        # a negative timeout (Executor.map's deadline already passed) waits for nothing, as CPython's futures do
        got = _await(self._task, timeout if timeout is None or timeout > 0 else 0.0)
        if got is not None:
            _deliver(self, got[0], got[1])
        return None if timeout is None else max(0.0, timeout - (_time.monotonic() - start))

    def __repr__(self):
        self._poll()
        if self.running():
            return f"<{type(self).__name__} at {id(self):#x} state=running>"
        return super().__repr__()


def _log_broken(exc):
    """The first time a pool is seen broken, log why, as CPython's executors log a failed initializer."""
    if exc.args[0] in _broken_logged:
        return
    _broken_logged.add(exc.args[0])
    import logging
    logging.getLogger("concurrent.futures").critical("Exception in initializer:\n%s", exc.args[0])


_broken_logged = set()


def _deliver(future, value, exc):
    """Sets the outcome the host delivered: a result, an exception, or a cancellation."""
    if exc is None:
        with _conditions:
            if future._cond is None and future._state == _PENDING:
                # Nobody made the condition, so nobody waits on it and no callback or waiter was added: the
                # outcome is set here; whoever makes the condition later finds it set.
                future._result = value
                future._state = _FINISHED
                return
    if type(exc) is BrokenInterpreterPool:
        _log_broken(exc)
    if type(exc) is CancelledError:
        _cf.Future.cancel(future)  # PENDING -> CANCELLED (no-op if the user's cancel() got there first)
        future.set_running_or_notify_cancel()  # CANCELLED -> CANCELLED_AND_NOTIFIED, as executors do
    elif _cf.Future.cancelled(future):
        return
    elif exc is None:
        future.set_result(value)
    else:
        future.set_exception(exc)


def _complete(handle):
    """The completer thread: delivers outcomes until the pool is shut down and every one was delivered."""
    take, deliver = _completions, _deliver
    while True:
        batch = take(handle)
        if batch is None:
            return
        for future, value, exc in batch:
            deliver(future, value, exc)


_live_pools = _weakref.WeakSet()
_exiting = False
_exit_hook_registered = False


def _python_exit():
    """At interpreter exit, pools finish their queued and running tasks (as CPython's executors do)."""
    global _exiting
    _exiting = True
    for pool in list(_live_pools):
        pool.shutdown(wait=True)


class InterpreterPool(_cf.Executor):
    """An executor that runs calls in parallel in isolated worker interpreters (GraalPy contexts, one thread
    each, nothing shared). Like concurrent.futures.InterpreterPoolExecutor: submit() a module-level function
    with shareable arguments; array views arrive in the worker as memoryviews over host memory, and a view passed
    to a task belongs to it: its lease ends when the task ends.

    max_workers: number of workers (default: the number of cores). initializer(*initargs): a module-level function
    run once per worker; if it raises, the pool is broken (BrokenInterpreterPool). preload: modules every worker
    imports at start. task_timeout: seconds after which a task fails with DeadlineExceeded and its worker is
    replaced. allow_read: directories workers may read. sys_path: directories put on the workers' sys.path (and
    readable); the main script's directory always is, and so are the directories the script added to its own
    sys.path (after those, ahead of the standard library: CPython's spawned children get their parent's sys.path).
    spare_workers: started workers kept idle to replace a stopped one at once (0 or 1). heap_limit: when more than
    this fraction of the JVM's heap is still in use after a full collection, the running task that allocated the
    most is stopped with MemoryLimitExceeded and its worker replaced (default 0.85; 1 turns it off). A task that
    raises MemoryError also gets a fresh worker after it."""

    def __init__(self, max_workers=None, initializer=None, initargs=(), preload=(), *, task_timeout=None, allow_read=(),
                 sys_path=(), spare_workers=1, heap_limit=0.85):
        global _exit_hook_registered
        if max_workers is not None:
            if isinstance(max_workers, bool) or not isinstance(max_workers, int):
                raise TypeError(f"max_workers must be an int or None, not {type(max_workers).__name__}")
            if max_workers <= 0:
                raise ValueError("max_workers must be greater than 0")
        if isinstance(preload, str):
            preload = (preload,)
        init = None
        if initializer is not None:
            try:
                init = _target(initializer, "initializer")
            except TypeError:  # a bound method, a lambda...: it crosses pickled, as in CPython 3.14
                packed = _pickled_callable(initializer)
                if packed is None:
                    raise
                init, initargs = _target(_call_pickled), (packed, *initargs)
        main = _main_file()
        if isinstance(sys_path, (str, _os.PathLike)):
            sys_path = (sys_path,)
        sys_path = ((_os.path.dirname(main),) if main else ()) + tuple(_os.path.abspath(_os.fspath(p)) for p in sys_path)
        sys_path += _script_path(sys_path)
        if isinstance(allow_read, (str, _os.PathLike)):
            allow_read = (allow_read,)
        allow = tuple(_os.path.abspath(_os.fspath(p)) for p in allow_read)
        if _exiting:
            raise RuntimeError("cannot start an interpreter pool after interpreter shutdown")
        self._handle = _create(max_workers, tuple(preload), init, tuple(initargs), sys_path, task_timeout, allow,
                               spare_workers, heap_limit)
        # The workers start in parallel, in the background; a pool is returned once they have (or one failed,
        # breaking the pool), so that what is submitted next runs at once and shutdown(cancel_futures=True) right
        # after a submit still lets the tasks that workers took run, as with CPython's executors.
        _startup_seconds(self._handle)
        self._targets = {}
        self._completer = None
        self._completer_lock = _threading.Lock()
        _live_pools.add(self)
        if not _exit_hook_registered:
            _threading._register_atexit(_python_exit)
            _exit_hook_registered = True

    @property
    def _broken(self):
        """What CPython's executors call this: a true value once a worker could not start (see BrokenInterpreterPool)."""
        return self.stats()["broken"]

    @property
    def max_workers(self):
        return _workers(self._handle)

    @property
    def startup_seconds(self):
        """How long the workers took to start (they start in parallel, in the background); waits for them."""
        return _startup_seconds(self._handle)

    def stats(self):
        """Workers, tasks submitted/completed/failed/cancelled, replaced workers, queued and running tasks; per
        worker its tasks and the bytes its thread allocated (cumulative, not live); the whole process's heap in use,
        RSS and CPU seconds (every thread's, the JIT compilers' and the collector's included)."""
        stats = dict(_stats(self._handle))
        stats["per_worker"] = [dict(w) for w in stats["per_worker"]]
        return stats

    def _target_id(self, fn):
        """The number of `fn`'s target in this pool (registered on first use)."""
        try:
            target = self._targets.get(fn)
        except TypeError:  # unhashable: _target() says what is wrong with it
            target = None
        if target is None:
            target = _register_target(self._handle, _target(fn))
            try:
                self._targets[fn] = target
            except TypeError:
                pass
        return target

    def submit(self, fn, /, *args, **kwargs):
        try:
            target = self._target_id(fn)
        except TypeError:  # a bound method, a lambda...: it crosses pickled, as in CPython 3.14
            packed = _pickled_callable(fn)
            if packed is None:
                raise
            return self.submit(_call_pickled, packed, *args, **kwargs)
        future = Future(self)
        try:
            future._task = _submit(self._handle, future, target, args, tuple(kwargs.items()) if kwargs else None)
        except BrokenInterpreterPool as e:
            _log_broken(e)
            raise
        return future

    def map_slices(self, fn, array, /, *args, chunks=None, ranges=None, readonly=False, timeout=None):
        """Runs fn(view, start, *args) on disjoint row ranges of `array` in parallel, each view a writable slice of
        rows [start, stop) (read-only with readonly=True), and returns the results in row order. The rows are split
        into `chunks` ranges (default: four per worker; sizes differ by at most one row), or `ranges` gives them: a
        list of (start, stop).

        Every range runs even when others fail; then SlicesFailed says which ranges completed (with their results)
        and which failed (with their exceptions), so a caller retries only the failed ones:
        `pool.map_slices(fn, array, *args, ranges=e.failed_ranges)`. Past `timeout` seconds the ranges not yet done
        are stopped and fail with DeadlineExceeded. Ranges that overlap are refused (BufferError) before anything
        runs, unless readonly=True. The host runs the job (tessera's service runs its `map` the same way)."""
        if ranges is not None:
            ranges = tuple((lo, hi) for lo, hi in ranges)
        outcomes = _map_rows(self._handle, self._target_id(fn), array, 4 * self.max_workers if chunks is None else chunks,
                             ranges, readonly, args, timeout)
        failed = {(lo, hi): exc for lo, hi, _, exc in outcomes if exc is not None}
        if failed:
            raise SlicesFailed({(lo, hi): value for lo, hi, value, exc in outcomes if exc is None}, failed)
        return [value for _, _, value, _ in outcomes]

    def _start_completer(self):
        if self._completer is not None and self._completer.is_alive():
            return
        with self._completer_lock:
            if self._completer is None or not self._completer.is_alive():
                t = _threading.Thread(target=_complete, args=(self._handle,), name="tessera-pool-completer", daemon=True)
                t.start()
                self._completer = t

    def shutdown(self, wait=True, *, cancel_futures=False):
        _shutdown(self._handle, wait, cancel_futures)
        completer = self._completer
        if wait and completer is not None and completer is not _threading.current_thread():
            completer.join()  # it ends once every awaited outcome was delivered

    def __repr__(self):
        return f"tessera.InterpreterPool(max_workers={self.max_workers})"
