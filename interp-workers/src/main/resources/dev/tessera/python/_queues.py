"""Queues that any interpreter of the process (and Java threads) can put to and get from.

A queue is a host object: sent to a worker as a task argument, or through another queue, it arrives as the same
queue. Items are shareable values (see tessera.is_shareable). Each method below is one host call; the host checks
the item, copies it once and raises QueueEmpty, QueueFull or QueueClosed itself.
"""

import polyglot as _polyglot
from _queue import Empty as _Empty
from tessera._host import (
    queue_close as _close,
    queue_closed as _closed,
    queue_create as _create,
    queue_full as _full,
    queue_get as _get,
    queue_get_many as _get_many,
    queue_maxsize as _maxsize,
    queue_put as _put,
    queue_put_many as _put_many,
    queue_size as _size,
    queue_type as _queue_type,
)

__all__ = ["Queue", "create_queue", "QueueEmpty", "QueueFull", "QueueClosed"]


class QueueEmpty(_Empty):
    """get() found the queue empty (non-blocking, or after the timeout). A queue.Empty."""


class QueueClosed(Exception):
    """The queue was closed: put() is refused; get() raises this once the queue is drained."""


def __getattr__(name):
    # QueueFull subclasses queue.Full, and importing `queue` costs a fresh interpreter about a second (it imports
    # threading): the class is made the first time it is asked for (the host asks when it first raises it).
    if name == "QueueFull":
        import queue

        class QueueFull(queue.Full):
            """put() found the queue full (non-blocking, or after the timeout). A queue.Full."""

        QueueFull.__module__ = "tessera"
        globals()["QueueFull"] = QueueFull
        return QueueFull
    raise AttributeError(f"module 'tessera._queues' has no attribute {name!r}")


class Queue:
    """A FIFO queue of shareable values shared by every interpreter that holds it (create_queue() makes one)."""

    __slots__ = ()

    def put(self, obj, block=True, timeout=None):
        """Put `obj`, waiting for room (up to `timeout` seconds) if the queue is bounded and full."""
        _put(self, obj, block, timeout)

    def put_nowait(self, obj):
        _put(self, obj, False, None)

    def get(self, block=True, timeout=None):
        """The next item. Array views arrive as tessera views (memoryview(v) to read or write them)."""
        return _get(self, block, timeout)

    def get_nowait(self):
        return _get(self, False, None)

    def put_many(self, items, block=True, timeout=None):
        """Put each of `items` in order, as separate items, in one host call."""
        _put_many(self, items if type(items) is tuple else tuple(items), block, timeout)

    def get_many(self, max_items, block=True, timeout=None):
        """A tuple of 1 to `max_items` items: waits (as get() does) for the first, then takes what is queued."""
        return _get_many(self, max_items, block, timeout)

    def qsize(self):
        return _size(self)

    def empty(self):
        return _size(self) == 0

    def full(self):
        return _full(self)

    @property
    def maxsize(self):
        return _maxsize(self)

    @property
    def closed(self):
        return _closed(self)

    def close(self):
        """Refuse further puts; getters drain what is queued, then get QueueClosed."""
        _close(self)

    def __repr__(self):
        size = f", maxsize={self.maxsize}" if self.maxsize else ""
        return f"tessera.Queue(qsize={self.qsize()}{size}{', closed' if self.closed else ''})"


for _cls in (Queue, QueueEmpty, QueueClosed):
    _cls.__module__ = "tessera"
_polyglot.register_interop_type(_queue_type, Queue)


def create_queue(maxsize=0):
    """A new queue. maxsize 0 means unbounded."""
    return _create(maxsize)
