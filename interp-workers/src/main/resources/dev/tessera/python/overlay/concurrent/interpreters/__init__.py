"""Multiple interpreters in one process (PEP 734), as CPython 3.14's concurrent.interpreters, on Tessera's workers.

    from concurrent import interpreters
    interp = interpreters.create()          # a dedicated worker interpreter: its __main__ lives between calls
    interp.exec("x = 6 * 7")
    print(interp.call(pow, 2, 10))          # 1024
    q = interpreters.create_queue()

Each interpreter created here is a Tessera worker (a GraalPy context on its own thread, with its own GIL), so calls
run truly in parallel; only the main interpreter creates, runs and closes them. Values that are not shareable
cross as copies or pickles, as in 3.14. What Tessera adds (host arrays shared zero-copy as memoryviews, task
deadlines, cancel(interrupt=True), pools with a completer) is in `tessera`: tessera.InterpreterPool, tessera.zeros.
Differences from CPython: an interpreter is not closed when its last Interpreter object goes (GraalPy has no
reference counting): close() it, or it closes at exit; a worker interpreter cannot create or run interpreters.
"""

import _interpreters
from _interpreters import InterpreterError, InterpreterNotFoundError, NotShareableError, is_shareable

from ._queues import Queue, QueueEmpty, QueueFull
from ._queues import create as create_queue

__all__ = [
    "get_current", "get_main", "create", "list_all", "is_shareable",
    "Interpreter",
    "InterpreterError", "InterpreterNotFoundError", "ExecutionFailed",
    "NotShareableError",
    "create_queue", "Queue", "QueueEmpty", "QueueFull",
]


class ExecutionFailed(InterpreterError):
    """An exception went uncaught in Interpreter.exec() or Interpreter.call(). `excinfo` describes it: its type
    (__name__, __qualname__, __module__), msg, formatted (the exception line) and errdisplay (the traceback)."""

    def __init__(self, excinfo):
        message = excinfo.formatted
        if not message:
            name = getattr(excinfo.type, "__name__", None) or ""
            message = f"{name}: {excinfo.msg}" if name and excinfo.msg else (name or excinfo.msg)
        super().__init__(message)
        self.excinfo = excinfo

    def __str__(self):
        try:
            display = self.excinfo.errdisplay
        except Exception:
            return super().__str__()
        return f"{super().__str__()}\n\nUncaught in the interpreter:\n\n{display}"


def create():
    """A new, idle interpreter."""
    return Interpreter(_interpreters.create(reqrefs=True), _ownsref=True)


def list_all():
    """Every interpreter: the main one, then those created here."""
    return [Interpreter(id, _whence=whence) for id, whence in _interpreters.list_all(require_ready=True)]


def get_current():
    """The interpreter this code runs in."""
    id, whence = _interpreters.get_current()
    return Interpreter(id, _whence=whence)


def get_main():
    """The main interpreter."""
    id, whence = _interpreters.get_main()
    return Interpreter(id, _whence=whence)


_known = {}  # id -> Interpreter: one object per interpreter, as in CPython


class Interpreter:
    """One interpreter. `id` is its process-wide number (the main one is 0), `whence` says how it was made.
    exec(), call(), call_in_thread(), prepare_main() and close() work on interpreters created here."""

    _WHENCE_TO_STR = {
        _interpreters.WHENCE_UNKNOWN: "unknown",
        _interpreters.WHENCE_RUNTIME: "runtime init",
        _interpreters.WHENCE_LEGACY_CAPI: "legacy C-API",
        _interpreters.WHENCE_CAPI: "C-API",
        _interpreters.WHENCE_XI: "cross-interpreter C-API",
        _interpreters.WHENCE_STDLIB: "_interpreters module",
    }

    def __new__(cls, id, /, _whence=None, _ownsref=None):
        if isinstance(id, bool) or not isinstance(id, int):
            raise TypeError(f"id must be an int, got {id!r}")
        id = int(id)
        self = _known.get(id)
        if self is not None and self._closed:
            del _known[id]
            self = None
        if self is None:
            if _whence is None:
                _whence = _interpreters.WHENCE_STDLIB if _ownsref else _interpreters.whence(id)
            if _ownsref is None:
                _ownsref = _whence == _interpreters.WHENCE_STDLIB
            self = super().__new__(cls)
            self._id = id
            self._whence = _whence
            self._ownsref = _ownsref
            self._closed = False
            _known[id] = self
        return self

    def __repr__(self):
        return f"{type(self).__name__}({self.id})"

    def __hash__(self):
        return hash(self._id)

    def __reduce__(self):
        return (type(self), (self._id,))

    @property
    def id(self):
        return self._id

    @property
    def whence(self):
        return self._WHENCE_TO_STR[self._whence]

    def is_running(self):
        """Whether code runs in the interpreter now."""
        return _interpreters.is_running(self._id)

    def close(self):
        """Finalizes and destroys the interpreter (InterpreterError for the current one, or one running)."""
        _interpreters.destroy(self._id, restrict=True)
        self._closed = True
        _known.pop(self._id, None)

    def prepare_main(self, ns=None, /, **kwargs):
        """Binds the given names in the interpreter's __main__ (values that are not shareable are copied or
        pickled)."""
        ns = dict(ns, **kwargs) if ns is not None else kwargs
        _interpreters.set___main___attrs(self._id, ns, restrict=True)

    def exec(self, code, /):
        """Runs source code (or a function's body) in the interpreter's __main__, blocking this thread (not the
        others) until it is done. An uncaught exception raises ExecutionFailed."""
        excinfo = _interpreters.exec(self._id, code, restrict=True)
        if excinfo is not None:
            raise ExecutionFailed(excinfo)

    def _call(self, callable, args, kwargs):
        res, excinfo = _interpreters.call(self._id, callable, args, kwargs, restrict=True)
        if excinfo is not None:
            raise ExecutionFailed(excinfo)
        return res

    def call(self, callable, /, *args, **kwargs):
        """Calls callable(*args, **kwargs) in the interpreter and returns its result. Module-level functions cross
        by name and stateless functions by their code; arguments and results that are not shareable as copies or
        pickles. An uncaught exception raises ExecutionFailed."""
        return self._call(callable, args, kwargs)

    def call_in_thread(self, callable, /, *args, **kwargs):
        """A started thread that calls callable(*args, **kwargs) in the interpreter (result and exception are
        dropped, as in CPython)."""
        import threading
        t = threading.Thread(target=self._call, args=(callable, args, kwargs))
        t.start()
        return t
