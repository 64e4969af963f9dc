"""Cross-interpreter queues of concurrent.interpreters (CPython 3.14's API), on Tessera's host queues.

A Queue holds its host queue: put() and get() are one host call each. Shareable items cross as they are, others as
copies or pickles, as 3.14 falls back to pickle; a Queue itself crosses (as an argument, an item or a pickle) as the
same queue. Waits block in the host (no polling), giving the GIL up meanwhile.
"""

import queue as _queue
import weakref as _weakref

import _interpqueues as _lowlevel
from _interpqueues import QueueError, QueueNotFoundError
from tessera._host import xiq_get as _get, xiq_id as _id_of, xiq_put as _put, queue_full as _full, queue_size as _size

from . import _crossinterp
from ._crossinterp import UNBOUND_ERROR, UNBOUND_REMOVE

__all__ = [
    "UNBOUND", "UNBOUND_ERROR", "UNBOUND_REMOVE",
    "create", "list_all",
    "Queue",
    "QueueError", "QueueNotFoundError", "QueueEmpty", "QueueFull",
    "ItemInterpreterDestroyed",
]


class QueueEmpty(QueueError, _queue.Empty):
    """get_nowait() found the queue empty, or get() timed out."""


class QueueFull(QueueError, _queue.Full):
    """put_nowait() found the queue full, or put() timed out."""


class ItemInterpreterDestroyed(QueueError, _crossinterp.ItemInterpreterDestroyed):
    """get() met an item whose interpreter was closed, put with unbounditems=UNBOUND_ERROR."""


UNBOUND = _crossinterp.UnboundItem.singleton("queue", __name__)


def _flag(unbounditems):
    if unbounditems is UNBOUND:
        unbounditems = _crossinterp.UNBOUND
    return _crossinterp.serialize_unbound(unbounditems)[0]


def _resolve(flag):
    resolved = _crossinterp.resolve_unbound(flag, ItemInterpreterDestroyed)
    return UNBOUND if resolved is _crossinterp.UNBOUND else resolved


def create(maxsize=0, *, unbounditems=UNBOUND):
    """A new queue. maxsize <= 0 means unbounded. unbounditems: what get() gives for an item whose interpreter was
    closed (UNBOUND, UNBOUND_ERROR or UNBOUND_REMOVE), unless put() says otherwise."""
    flag = _flag(unbounditems)
    qid = _lowlevel.create(maxsize, flag, -1)
    self = Queue(qid)
    self._unbound = (flag, unbounditems)
    return self


def list_all():
    """Every queue of this program that has an id (not destroyed)."""
    return [Queue(qid) for qid, _, _ in _lowlevel.list_all()]


_known_queues = _weakref.WeakValueDictionary()


class Queue:
    """A cross-interpreter queue."""

    def __new__(cls, id, /):
        if isinstance(id, bool) or not isinstance(id, int):
            raise TypeError(f"id must be an int, got {id!r}")
        self = _known_queues.get(id)
        if self is None:
            handle, flag = _lowlevel._entry(id)
            self = super().__new__(cls)
            self._id = id
            self._q = handle
            self._unbound = (flag, None)
            _known_queues[id] = self
        return self

    @classmethod
    def _of(cls, handle):
        """The Queue of a host queue (tessera.create_queue() made it, or it arrived as a handle)."""
        qid, _ = _id_of(handle)
        return cls(qid)

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
    def unbounditems(self):
        flag, items = self._unbound
        if items is None:
            items = _resolve(flag) if flag != 1 and flag != 2 else _crossinterp._UNBOUND_FLAG_TO_CONSTANT[flag]
            self._unbound = (flag, items)
        return items

    @property
    def maxsize(self):
        return _lowlevel.get_maxsize(self._id)

    def empty(self):
        return _size(self._q) == 0

    def full(self):
        return _full(self._q)

    def qsize(self):
        return _size(self._q)

    def put(self, obj, block=True, timeout=None, *, unbounditems=None):
        """Adds obj, waiting while the queue is full (up to timeout seconds). Shareable objects cross as they are;
        others as copies or pickles (a new, equal object comes out). unbounditems: what get() gives for this item
        once the interpreter that put it is closed (the queue's default if None)."""
        if timeout is not None and timeout < 0:
            raise ValueError("timeout value must be non-negative")
        flag = self._unbound[0] if unbounditems is None else _flag(unbounditems)
        if not _put(self._q, obj, flag, block, timeout):
            raise QueueFull("the queue is full")

    def put_nowait(self, obj, *, unbounditems=None):
        flag = self._unbound[0] if unbounditems is None else _flag(unbounditems)
        if not _put(self._q, obj, flag, False, None):
            raise QueueFull("the queue is full")

    def get(self, block=True, timeout=None):
        """The next object, waiting while the queue is empty (up to timeout seconds)."""
        if timeout is not None and timeout < 0:
            raise ValueError("timeout value must be non-negative")
        got = _get(self._q, block, timeout)
        if got is None:
            raise QueueEmpty("the queue is empty")
        obj, flag = got
        return obj if flag is None else _resolve(flag)

    def get_nowait(self):
        """The next object; QueueEmpty if there is none."""
        got = _get(self._q, False, None)
        if got is None:
            raise QueueEmpty("the queue is empty")
        obj, flag = got
        return obj if flag is None else _resolve(flag)


_lowlevel._register_heap_types(Queue, QueueEmpty, QueueFull)
