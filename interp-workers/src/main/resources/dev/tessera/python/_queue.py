# tessera: queues shareable between interpreters (host objects built on an Agrona many-to-many queue).

import queue as _stdqueue
import polyglot as _polyglot


class QueueEmpty(_stdqueue.Empty):
    """get() found the queue empty (non-blocking, or after the timeout)."""


class QueueFull(_stdqueue.Full):
    """put() found the queue full (non-blocking, or after the timeout)."""


class QueueClosed(Exception):
    """The queue was closed: put() is refused; get() raises this once the queue is drained."""


def _wait_seconds(block, timeout):
    if not block:
        return 0.0
    if timeout is None:
        return -1.0
    if isinstance(timeout, bool) or not isinstance(timeout, (int, float)):
        raise TypeError(f"timeout must be a number or None, not {type(timeout).__name__}")
    if timeout < 0:
        raise ValueError("'timeout' must be a non-negative number")
    return float(timeout)


class Queue:
    """A FIFO queue of shareable values that any interpreter of the process can put to and get from.
    Send it to workers as a task argument; it arrives as the same queue."""

    __slots__ = ()

    def put(self, obj, block=True, timeout=None):
        _check_shareable(obj, "Queue.put()")
        status = self._put(obj, _wait_seconds(block, timeout))
        if status == 1:
            raise QueueFull()
        if status == 2:
            raise QueueClosed("the queue is closed")

    def put_nowait(self, obj):
        self.put(obj, block=False)

    def get(self, block=True, timeout=None):
        """The next item. Array views arrive as tessera views (memoryview(v) to read or write them)."""
        status, value = self._get(_wait_seconds(block, timeout))
        if status == 0:
            return _decode(value, False)
        if status == 1:
            raise QueueEmpty()
        raise QueueClosed("the queue is closed and drained")

    def get_nowait(self):
        return self.get(block=False)

    def empty(self):
        return self.qsize() == 0

    def full(self):
        limit = self.maxsize if self.maxsize > 0 else _queue_host.unbounded_capacity
        return self.qsize() >= limit

    def close(self):
        """Refuse further puts; getters drain what is queued, then get QueueClosed."""
        self._close()

    def __repr__(self):
        size = f", maxsize={self.maxsize}" if self.maxsize else ""
        return f"tessera.Queue(qsize={self.qsize()}{size}{', closed' if self.closed else ''})"


_polyglot.register_interop_type(_queue_host.queue_type, Queue)


def create_queue(maxsize=0):
    """A new queue. maxsize 0 means unbounded (up to 65,536 queued items, after which put() waits)."""
    if isinstance(maxsize, bool) or not isinstance(maxsize, int):
        raise TypeError(f"maxsize must be an int, not {type(maxsize).__name__}")
    if maxsize < 0:
        raise ValueError(f"maxsize must be >= 0, got {maxsize}")
    return _queue_host.create(maxsize)


def _is_queue(value):
    return isinstance(value, Queue)
