"""What may cross between interpreters: shareable values, and the error for everything else.

Shareable: None, bool, int, float, str, bytes, tuples of these, array views and queues. Values are copied (an
int, a tuple of floats); views and queues cross as handles to the same host memory or channel. Exact types only,
as CPython's interpreters require (a subclass of int or tuple is refused). The host checks every crossing once.
"""

from tessera._host import is_shareable as _is_shareable

__all__ = ["NotShareableError", "is_shareable"]


class NotShareableError(ValueError):
    """A value that cannot cross between interpreters. Shareable: None, bool, int, float, str, bytes, tuples of
    these, array views and queues."""


NotShareableError.__module__ = "tessera"


def is_shareable(obj):
    """True if `obj` can be sent to another interpreter (a queue item, a task argument or result)."""
    return _is_shareable(obj)
