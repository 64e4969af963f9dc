"""Arrays in host memory, and views of them that memoryview() accepts.

Array and View objects are host objects: Python classes are registered for them (polyglot.register_interop_type)
so that they behave like Python objects while memoryview() still sees the host buffer underneath.
"""

import polyglot as _polyglot
from tessera._host import allocate as _allocate, array_type as _array_type, formats as _formats, view_type as _view_type

__all__ = ["empty", "zeros", "Array", "View", "FORMATS"]

#: struct format characters Tessera arrays hold, with their numpy-style names (the host's table, DType).
FORMATS = {format: name for format, name in _formats}


def _shape_of(shape):
    """An int or a sequence of ints, as the tuple the host takes (the host checks the ints)."""
    if isinstance(shape, int):
        return (shape,)
    try:
        return tuple(shape)
    except TypeError:
        raise TypeError(f"shape must be an int or a tuple of ints, not {type(shape).__name__}") from None


def empty(shape, format="d", *, name=None):
    """A new array in host memory. Its memory is zero-filled (host allocations always are). The host checks the
    shape (at least one axis, no negative extent, no overflow) and the format (a struct character such as 'd', or
    a name such as 'float64': see FORMATS)."""
    return _allocate(_shape_of(shape), format, name)


def zeros(shape, format="d", *, name=None):
    """A new zero-filled array in host memory."""
    return empty(shape, format, name=name)


def _bound(i, n, default):
    """A row bound read as Python reads one: None is the default, a negative int counts from the end, no clamping.
    Anything else goes to the host as it is: the host checks the type and the range."""
    if i is None:
        return default
    return i + n if type(i) is int and i < 0 else i


class _Rows:
    """What arrays and views share: a shape whose first axis counts rows, and release() / with-blocks."""

    __slots__ = ()

    @property
    def shape(self):
        return tuple(self._shape)

    @property
    def ndim(self):
        return len(self._shape)

    def __len__(self):
        return self._shape[0]

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self._release()
        return False


class Array(_Rows):
    """An n-d array in host memory (C order). Free it with release() or a with-block."""

    __slots__ = ()

    @property
    def size(self):
        n = 1
        for d in self._shape:
            n *= d
        return n

    def slice(self, start=None, stop=None):
        """A writable view of rows [start, stop) under a lease: refused (BufferError) if it overlaps another
        writable view of this array. End it with release() or a with-block."""
        n = self._shape[0]
        return self._slice(_bound(start, n, 0), _bound(stop, n, n))

    def readonly(self, start=None, stop=None):
        """A read-only view of rows [start, stop) (the whole array by default)."""
        n = self._shape[0]
        return self._readonly(_bound(start, n, 0), _bound(stop, n, n))

    def release(self):
        """Give the memory back now. Every view and memoryview of it refuses access afterwards."""
        self._release()

    def tolist(self):
        return memoryview(self).cast("B").cast(self.format, self.shape).tolist()

    def __repr__(self):
        state = ", released" if self.closed else ""
        return f"tessera.Array(name={self.name!r}, shape={self.shape}, format={self.format!r}{state})"


class View(_Rows):
    """A view of rows [start, stop) of an array: read-only, or writable under a lease. memoryview(view) is a
    genuine memoryview over host memory, with the array's format."""

    __slots__ = ()

    def release(self):
        """End the view (and its lease). memoryviews taken from it refuse access afterwards."""
        self._release()

    def __repr__(self):
        kind = "read-only" if self.readonly else "writable"
        state = ", released" if self.released else ""
        return f"tessera.View({kind}, rows [{self.start}, {self.stop}), shape={self.shape}, format={self.format!r}{state})"


for _cls in (Array, View):
    _cls.__module__ = "tessera"
_polyglot.register_interop_type(_array_type, Array)
_polyglot.register_interop_type(_view_type, View)
