"""What tasks are made of, in every interpreter: source code to run, and the errors a task's future raises.

Kept apart from the pool (tessera._pool, loaded on first use) so that a worker, which imports the main script and
so meets its top-level tessera.source(...), does not import concurrent.futures.
"""

__all__ = ["ExecutionFailed", "DeadlineExceeded", "MemoryLimitExceeded", "source"]


class ExcInfo(tuple):
    """(type, msg, formatted) of an exception raised in a worker: its type's name, its message and the traceback as
    the worker formatted it. (A plain tuple subclass: collections.namedtuple costs a fresh interpreter 0.2 s.)"""

    __slots__ = ()

    def __new__(cls, type, msg, formatted):
        return tuple.__new__(cls, (type, msg, formatted))

    type = property(lambda self: self[0])
    msg = property(lambda self: self[1])
    formatted = property(lambda self: self[2])

    def __repr__(self):
        return f"ExcInfo(type={self[0]!r}, msg={self[1]!r})"

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


class MemoryLimitExceeded(MemoryError):
    """A task was stopped because the heap stayed past the pool's heap_limit after a full collection and it had
    allocated the most of any running task: its worker was replaced, which freed what the task had built."""


class source:
    """Code for workers to run without a module: pool.submit(tessera.source(code, "main"), ...) calls the function
    `main` that `code` defines (compiled once per worker)."""

    __slots__ = ("code", "entry")

    def __init__(self, code, entry):
        if not isinstance(code, str) or not isinstance(entry, str):
            raise TypeError("source(code, entry) takes two str")
        self.code, self.entry = code, entry

    def __eq__(self, other):
        return type(other) is source and other.code == self.code and other.entry == self.entry

    def __hash__(self):
        return hash((self.code, self.entry))

    def __repr__(self):
        return f"tessera.source(<{len(self.code)} chars>, {self.entry!r})"


for _cls in (ExecutionFailed, DeadlineExceeded, MemoryLimitExceeded, source):
    _cls.__module__ = "tessera"
