# tessera, main interpreter: InterpreterPool, a concurrent.futures.Executor over worker interpreters.

import collections as _collections
import concurrent.futures as _cf
import concurrent.futures._base as _cf_base
import inspect as _inspect
import os as _os
import sys as _sys
import threading as _threading
import time as _time

ExcInfo = _collections.namedtuple("ExcInfo", "type msg formatted")


class ExecutionFailed(RuntimeError):
    """A task raised an exception in its worker. `excinfo` holds the original type name, message and the
    worker-side traceback; the worker itself stays usable."""

    def __init__(self, type_name, msg, formatted):
        super().__init__(f"{type_name}: {msg}" if msg else type_name)
        self.excinfo = ExcInfo(type_name, msg, formatted)

    def __str__(self):
        return f"{self.args[0]}\n\nUncaught in the worker:\n\n{self.excinfo.formatted}"


class DeadlineExceeded(TimeoutError):
    """A task ran past the pool's task_timeout: its worker was interrupted and replaced."""


class source:
    """Code for workers to run without a module: pool.submit(tessera.source(code, "main"), ...) calls the function
    `main` that `code` defines (compiled once per worker)."""

    __slots__ = ("code", "entry")

    def __init__(self, code, entry):
        if not isinstance(code, str) or not isinstance(entry, str):
            raise TypeError("source(code, entry) takes two str")
        self.code, self.entry = code, entry

    def __repr__(self):
        return f"tessera.source(<{len(self.code)} chars>, {self.entry!r})"


def _main_file():
    f = getattr(_sys.modules.get("__main__"), "__file__", None)
    return _os.path.abspath(f) if f else None


def _target(fn, what="fn"):
    """(module, qualname, main_file, source, entry) naming `fn` the way workers can find it again."""
    if isinstance(fn, source):
        return None, None, None, fn.code, fn.entry
    if isinstance(fn, str):
        raise TypeError(f"{what}: to run source code, pass tessera.source(code, entry_name)")
    if _inspect.ismethod(fn):
        raise TypeError(f"{what}: cannot send the bound method {fn.__qualname__!r} to a worker: workers import functions "
                        f"by module and name and cannot receive its object; use a module-level function")
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
    return module, qualname, main_file, None, None


class Future(_cf.Future):
    """A concurrent.futures.Future of a task run by a worker interpreter.

    Futures are completed by the calls that wait for them (result, exception, done, tessera.wait,
    tessera.as_completed, pool.shutdown), on the waiting thread: the main interpreter runs no thread of its own
    for it. Done-callbacks run there too."""

    def __init__(self, pool, task_id):
        super().__init__()
        self._pool = pool
        self._task_id = task_id

    def done(self):
        self._pool._deliver_ready()
        return super().done()

    def result(self, timeout=None):
        self._pool._wait_for(lambda: _cf.Future.done(self), timeout)
        return super().result(0)

    def exception(self, timeout=None):
        self._pool._wait_for(lambda: _cf.Future.done(self), timeout)
        return super().exception(0)

    def cancel(self, interrupt=False):
        """Cancel the task if it has not started. With interrupt=True a running task is stopped as well (its
        worker is interrupted and replaced)."""
        with self._condition:
            if self._state in (_cf_base.CANCELLED, _cf_base.CANCELLED_AND_NOTIFIED):
                return True
            if self._state == _cf_base.FINISHED:
                return False
        if not self._pool._handle.cancel(self._task_id, bool(interrupt)):
            return False
        return super().cancel()

    def running(self):
        return not self.done() and self._pool._handle.running(self._task_id)


class InterpreterPool(_cf.Executor):
    """An executor that runs calls in parallel in isolated worker interpreters (GraalPy contexts, one thread
    each, nothing shared). Like concurrent.futures.InterpreterPoolExecutor: submit() a module-level function
    with shareable arguments; array views arrive in the worker as memoryviews over host memory, and a view passed
    to a task belongs to it: its lease ends when the task ends.

    max_workers: number of workers (default: the number of cores). preload: modules every worker imports at
    start. initializer(*initargs): a module-level function run once per worker. task_timeout: seconds after which
    a task fails with DeadlineExceeded and its worker is replaced. allow_read: directories workers may read.
    sys_path: directories put on the workers' sys.path (and readable); the main script's directory always is."""

    def __init__(self, max_workers=None, initializer=None, initargs=(), preload=(), *, task_timeout=None, allow_read=(),
                 sys_path=()):
        if max_workers is not None:
            if isinstance(max_workers, bool) or not isinstance(max_workers, int):
                raise TypeError(f"max_workers must be an int or None, not {type(max_workers).__name__}")
            if max_workers <= 0:
                raise ValueError("max_workers must be greater than 0")
        if isinstance(preload, str):
            preload = (preload,)
        preload = tuple(preload)
        for name in preload:
            if not isinstance(name, str):
                raise TypeError(f"preload must name modules as str, got {type(name).__name__}")
        init = None
        if initializer is not None:
            module, qualname, main_file, _, _ = _target(initializer, "initializer")
            initargs = tuple(initargs)
            _check_shareable(initargs, "initargs")
            init = (module, qualname, main_file, initargs)
        if task_timeout is not None:
            if isinstance(task_timeout, bool) or not isinstance(task_timeout, (int, float)):
                raise TypeError(f"task_timeout must be a number of seconds or None, not {type(task_timeout).__name__}")
            if task_timeout <= 0:
                raise ValueError("task_timeout must be positive")
        main = _main_file()
        if isinstance(sys_path, str):
            sys_path = (sys_path,)
        sys_path = ((_os.path.dirname(main),) if main else ()) + tuple(_os.path.abspath(_os.fspath(p)) for p in sys_path)
        allow = tuple(_os.path.abspath(_os.fspath(p)) for p in allow_read)
        self._handle = _pool_host.create(max_workers or 0, preload, init, sys_path,
                                         -1.0 if task_timeout is None else float(task_timeout), allow)
        self._futures = {}
        self._lock = _threading.Lock()
        self._delivering = _threading.Lock()
        self._shutdown = False
        self._drained = False

    @property
    def max_workers(self):
        return self._handle.workers

    @property
    def startup_seconds(self):
        """How long the workers took to start (they start in parallel)."""
        return self._handle.startup_seconds

    def submit(self, fn, /, *args, **kwargs):
        target = _target(fn)
        _check_shareable(args, "argument")
        for name, value in kwargs.items():
            _check_shareable(value, f"argument {name!r}")
        with self._lock:
            if self._shutdown:
                raise RuntimeError("cannot schedule new futures after shutdown")
            task_id = self._handle.submit(*target, args, tuple(kwargs.items()))
            future = Future(self, task_id)
            self._futures[task_id] = future
        return future

    def shutdown(self, wait=True, *, cancel_futures=False):
        with self._lock:
            self._shutdown = True
        self._handle.shutdown(bool(wait), bool(cancel_futures))
        if wait:
            while not self._drained:
                self._deliver_one(0.25)
        else:
            self._deliver_ready()

    # ---- completing futures -------------------------------------------------------------------------------

    def _wait_for(self, predicate, timeout):
        """Delivers completions until predicate() holds or the timeout passes."""
        deadline = _deadline(timeout)
        while not predicate() and not self._drained:
            seconds = _next_wait(deadline, 0.25)
            if seconds is None:
                return
            self._deliver_one(seconds)

    def _deliver_ready(self):
        while self._deliver_one(0.0):
            pass

    def _deliver_one(self, wait_seconds):
        """Completes the future of the next finished task, waiting up to wait_seconds for one. True if one was."""
        if not self._delivering.acquire(blocking=False):
            _time.sleep(min(wait_seconds, 0.001))  # another thread is delivering
            return False
        try:
            item = _decode(self._handle.next_completion(float(wait_seconds)), False)
        finally:
            self._delivering.release()
        if item is None:
            return False
        if item[0] == -1:
            self._drained = True
            return False
        task_id, kind, a, b, c = item
        with self._lock:
            future = self._futures.pop(task_id, None)
        if future is None:
            return True
        if kind == 2 or future.cancelled():
            _cf.Future.cancel(future)
            future.set_running_or_notify_cancel()
        elif kind == 0:
            future.set_result(a)
        elif kind == 1:
            future.set_exception(ExecutionFailed(a, b, c))
        elif kind == 3:
            future.set_exception(DeadlineExceeded(a))
        else:
            future.set_exception(RuntimeError(f"{a}: {b}"))
        return True

    def __repr__(self):
        return f"tessera.InterpreterPool(max_workers={self.max_workers}{', shut down' if self._shutdown else ''})"


FIRST_COMPLETED = _cf.FIRST_COMPLETED
FIRST_EXCEPTION = _cf.FIRST_EXCEPTION
ALL_COMPLETED = _cf.ALL_COMPLETED


def _deadline(timeout):
    return None if timeout is None else _time.monotonic() + timeout


def _next_wait(deadline, step):
    """How long the next wait may last: `step`, less if the deadline is nearer; None once it has passed."""
    if deadline is None:
        return step
    remaining = deadline - _time.monotonic()
    return None if remaining <= 0 else min(remaining, step)


def _pump(fs, wait_seconds):
    pools = {f._pool for f in fs if isinstance(f, Future)}
    if not pools:
        _time.sleep(wait_seconds)
        return
    share = wait_seconds / len(pools)
    for pool in pools:
        pool._deliver_one(share)


def wait(fs, timeout=None, return_when=ALL_COMPLETED):
    """concurrent.futures.wait for tessera futures (it completes them while it waits)."""
    fs = set(fs)
    deadline = _deadline(timeout)
    while True:
        done = {f for f in fs if f.done()}
        not_done = fs - done
        if (not not_done or (return_when == FIRST_COMPLETED and done)
                or (return_when == FIRST_EXCEPTION and any(not f.cancelled() and f.exception(0) is not None for f in done))):
            break
        seconds = _next_wait(deadline, 0.05)
        if seconds is None:
            break
        _pump(not_done, seconds)
    return _cf_base.DoneAndNotDoneFutures(done, not_done)


def as_completed(fs, timeout=None):
    """concurrent.futures.as_completed for tessera futures: yields each future as it finishes."""
    pending = set(fs)
    total = len(pending)
    deadline = _deadline(timeout)
    while pending:
        finished = {f for f in pending if f.done()}
        for f in finished:
            pending.discard(f)
            yield f
        if not pending:
            return
        seconds = _next_wait(deadline, 0.05)
        if seconds is None:
            raise TimeoutError(f"{len(pending)} (of {total}) futures unfinished")
        _pump(pending, seconds)
