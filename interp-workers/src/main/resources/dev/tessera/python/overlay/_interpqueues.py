"""Tessera's _interpqueues: the low-level queues under concurrent.interpreters (CPython 3.14 has a C module of this
name). A queue is a Tessera host queue known by an id, the same in every interpreter of the main interpreter; items
cross as Tessera's do (shareable values as they are, others as copies or pickles). Each item remembers the
interpreter that put it, so that get() applies the put's unbound mode once that interpreter is closed.
"""

from tessera._host import (
    xiq_bind as _bind,
    xiq_create as _create,
    xiq_destroy as _destroy,
    xiq_find as _find,
    xiq_get as _get,
    xiq_list as _list,
    xiq_put as _put,
    queue_full as _full,
    queue_maxsize as _maxsize,
    queue_size as _size,
)

_UNBOUND_DEFAULT = 3  # replace the item with UNBOUND


class QueueError(RuntimeError):
    """A queue operation failed."""


class QueueNotFoundError(QueueError):
    """There is no queue with that id."""


# The classes the high-level module registers (_register_heap_types): what get_nowait/put_nowait raise.
_types = {"queue": None, "empty": None, "full": None}


class _DefaultEmpty(QueueError):
    pass


class _DefaultFull(QueueError):
    pass


def _register_heap_types(queuetype, emptyerror, fullerror):
    _types.update(queue=queuetype, empty=emptyerror, full=fullerror)


def _entry(qid):
    if isinstance(qid, bool) or not isinstance(qid, int):
        raise TypeError(f"queue ID must be an int, got {type(qid).__name__}")
    found = _find(qid)
    if found is None:
        raise QueueNotFoundError(f"queue {qid} not found")
    return found


def _op(unboundop, default):
    if unboundop is None or unboundop == -1:
        return default
    if unboundop not in (1, 2, 3):
        raise ValueError(f"unsupported unboundop {unboundop!r}")
    return unboundop


def create(maxsize, unboundop=-1, fallback=-1):
    if isinstance(maxsize, bool) or not isinstance(maxsize, int):
        raise TypeError(f"maxsize must be an int, got {type(maxsize).__name__}")
    qid, _queue = _create(maxsize, _op(unboundop, _UNBOUND_DEFAULT))
    _maxsizes[qid] = maxsize
    return qid


_maxsizes = {}  # the maxsize each queue was created with (a queue keeps <= 0 as "unbounded")


def destroy(qid):
    _entry(qid)
    _destroy(qid)


def list_all():
    return [(qid, op, -1) for qid, op in _list()]


def bind(qid):
    if _bind(qid, 1) == -1:
        raise QueueNotFoundError(f"queue {qid} not found")


def release(qid):
    got = _bind(qid, -1)
    if got == -1:
        raise QueueNotFoundError(f"queue {qid} not found")
    if got == -2:
        raise QueueError(f"queue {qid} was released more often than bound")


def put(qid, obj, unboundop=-1, fallback=-1):
    queue, default = _entry(qid)
    if not _put(queue, obj, _op(unboundop, default), False, None):
        raise (_types["full"] or _DefaultFull)("the queue is full")


def get(qid):
    queue, _ = _entry(qid)
    got = _get(queue, False, None)
    if got is None:
        raise (_types["empty"] or _DefaultEmpty)("the queue is empty")
    return tuple(got)


def get_maxsize(qid):
    queue, _ = _entry(qid)
    return _maxsizes.get(qid, _maxsize(queue))


def get_queue_defaults(qid):
    _, op = _entry(qid)
    return (op, -1)


def is_full(qid):
    queue, _ = _entry(qid)
    return _full(queue)


def get_count(qid):
    queue, _ = _entry(qid)
    return _size(queue)
