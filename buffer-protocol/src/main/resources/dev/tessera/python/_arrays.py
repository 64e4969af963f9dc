"""Arrays in host memory, and views of them that memoryview() accepts.

Array and View objects are host objects: Python classes are registered for them (polyglot.register_interop_type)
so that they behave like Python objects while memoryview() still sees the host buffer underneath.
"""

import operator as _operator

import polyglot as _polyglot
from tessera._host import allocate as _allocate, array_type as _array_type, view_type as _view_type

__all__ = ["empty", "zeros", "Array", "View", "FORMATS"]

#: struct format characters Tessera arrays hold, with their numpy-style names.
FORMATS = {
    "b": "int8", "h": "int16", "i": "int32", "q": "int64",
    "B": "uint8", "H": "uint16", "I": "uint32", "Q": "uint64",
    "f": "float32", "d": "float64", "?": "bool",
}
_NAMES = {v: k for k, v in FORMATS.items()}


def _shape_of(shape):
    """An int or a sequence of ints, each >= 0, as a tuple."""
    if isinstance(shape, int) and not isinstance(shape, bool):
        shape = (shape,)
    try:
        dims = tuple(shape)
    except TypeError:
        raise TypeError(f"shape must be an int or a tuple of ints, not {type(shape).__name__}") from None
    if not dims:
        raise ValueError("shape must have at least one axis, got ()")
    out = []
    for d in dims:
        if isinstance(d, bool):
            raise TypeError(f"shape entries must be ints, got {d!r} in shape {shape!r}")
        try:
            d = _operator.index(d)
        except TypeError:
            raise TypeError(f"shape entries must be ints, got {d!r} in shape {shape!r}") from None
        if d < 0:
            raise ValueError(f"negative dimension {d} in shape {tuple(shape)!r}")
        if d >= 1 << 62:
            raise ValueError(f"dimension {d} in shape {tuple(shape)!r} is too large")
        out.append(d)
    return tuple(out)


def _format_of(format):
    if not isinstance(format, str):
        raise TypeError(f"format must be a str such as 'd' or 'float64', not {type(format).__name__}")
    f = format[1:] if len(format) == 2 and format[0] in "@=" else format
    if f in FORMATS:
        return f
    if f in _NAMES:
        return _NAMES[f]
    raise ValueError(f"unsupported format {format!r}: use one of " + ", ".join(f"'{k}' ({v})" for k, v in FORMATS.items()))


def empty(shape, format="d", *, name=None):
    """A new array in host memory. Its memory is zero-filled (host allocations always are)."""
    if name is not None and not isinstance(name, str):
        raise TypeError(f"name must be a str or None, not {type(name).__name__}")
    return _allocate(_shape_of(shape), _format_of(format), name)


def zeros(shape, format="d", *, name=None):
    """A new zero-filled array in host memory."""
    return empty(shape, format, name=name)


def _rows(n, start, stop, what):
    """Python-style row bounds: None means the end, negatives count from the end; no clamping."""
    def norm(i, default):
        if i is None:
            return default
        if isinstance(i, bool):
            raise TypeError(f"{what} bounds must be ints, not bool")
        try:
            i = _operator.index(i)
        except TypeError:
            raise TypeError(f"{what} bounds must be ints, not {type(i).__name__}") from None
        return i + n if i < 0 else i
    lo, hi = norm(start, 0), norm(stop, n)
    if not 0 <= lo <= hi <= n:
        raise IndexError(f"{what}({start!r}, {stop!r}) is out of range for {n} rows")
    return lo, hi


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
        lo, hi = _rows(self._shape[0], start, stop, "slice")
        return self._slice(lo, hi)

    def readonly(self, start=None, stop=None):
        """A read-only view of rows [start, stop) (the whole array by default)."""
        lo, hi = _rows(self._shape[0], start, stop, "readonly")
        return self._readonly(lo, hi)

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
