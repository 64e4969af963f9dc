# tessera: shareable values as they arrive from the host, and the check of what may be sent.
#
# Host values that Python has no direct interop form for arrive in carriers: tuples (_HostTuple), bytes
# (_HostBytes), None (_HostNone) and big ints (_HostBigInt). _decode turns them back into Python values.

import polyglot as _polyglot


class NotShareableError(ValueError):
    """A value that cannot cross between interpreters. Shareable: None, bool, int, float, str, bytes, tuples of
    these, array views and queues."""


class _HostTuple:
    __slots__ = ()


class _HostBytes:
    __slots__ = ()


class _HostNone:
    __slots__ = ()


class _HostBigInt:
    __slots__ = ()


_polyglot.register_interop_type(_array_host.tuple_type, _HostTuple)
_polyglot.register_interop_type(_array_host.bytes_type, _HostBytes)
_polyglot.register_interop_type(_array_host.none_type, _HostNone)
_polyglot.register_interop_type(_array_host.bigint_type, _HostBigInt)

_PLAIN = (int, float, str, bool)
_SHAREABLE_NAMES = "None, bool, int, float, str, bytes, tuples of these, array views and queues"


def _decode(x, views_as_memoryviews):
    """A host value as the Python value it stands for."""
    t = type(x)
    if t in _PLAIN or x is None:
        return x
    if isinstance(x, _HostTuple):
        return tuple(_decode(e, views_as_memoryviews) for e in x)
    if isinstance(x, _HostBytes):
        return bytes(memoryview(x))
    if isinstance(x, _HostNone):
        return None
    if isinstance(x, _HostBigInt):
        return int(x.digits)
    if views_as_memoryviews and isinstance(x, View):
        return memoryview(x)
    return x


def _check_shareable(value, what):
    """Raises NotShareableError naming the type if `value` (or anything inside it) cannot be sent."""
    t = type(value)
    if value is None or t in (bool, int, float, str, bytes):
        return
    if t is tuple:
        for item in value:
            _check_shareable(item, what)
        return
    if isinstance(value, View) or _is_queue(value):
        return
    hint = ""
    if isinstance(value, Array):
        hint = " (pass a view: array.readonly() or array.slice(start, stop))"
    elif t is memoryview:
        hint = " (pass the tessera view it came from, not a memoryview)"
    elif t is list:
        hint = " (a tuple of shareables is shareable)"
    raise NotShareableError(f"{what}: cannot share a {t.__module__ + '.' if t.__module__ != 'builtins' else ''}"
                            f"{t.__qualname__} with another interpreter; shareable values are {_SHAREABLE_NAMES}{hint}")


def _is_queue(value):
    return False  # replaced by the queue part where queues exist
