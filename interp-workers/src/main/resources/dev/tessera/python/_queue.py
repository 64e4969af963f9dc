# tessera: queues shareable between interpreters (host objects built on an Agrona many-to-many queue).

import polyglot as _polyglot


def _queue_errors():
    """QueueEmpty and QueueFull, subclasses of queue.Empty / queue.Full. Made on first use: importing the stdlib
    `queue` module takes about a second in a fresh GraalPy interpreter (measured), and most workers never need it."""
    global QueueEmpty, QueueFull
    if "QueueFull" not in globals():
        import queue

        class QueueEmpty(queue.Empty):
            """get() found the queue empty (non-blocking, or after the timeout)."""

        class QueueFull(queue.Full):
            """put() found the queue full (non-blocking, or after the timeout)."""

        QueueEmpty.__module__ = QueueFull.__module__ = "tessera"
    return QueueEmpty, QueueFull


def __getattr__(name):  # tessera.QueueEmpty / tessera.QueueFull, made on first access
    if name in ("QueueEmpty", "QueueFull"):
        return dict(zip(("QueueEmpty", "QueueFull"), _queue_errors()))[name]
    raise AttributeError(f"module 'tessera' has no attribute {name!r}")


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
            raise _queue_errors()[1]()
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
            raise _queue_errors()[0]()
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
