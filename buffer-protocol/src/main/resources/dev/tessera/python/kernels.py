"""Bulk operations on array views at memory speed: what workers, which have no numpy, use for bulk work.

Every function takes memoryviews (of tessera views and arrays, or of bytes and bytearray), tessera views, tessera
arrays (read-only) or bytes/bytearray, and works on the elements the argument shows: a memoryview's format, offset
and step count (mv[::2], mv.cast('B')). Each call checks its arguments once and runs one loop in the host, without
the GIL, so workers run kernels truly in parallel, each on its own slice.

Float sums add element i to partial sum i % 16 and add the 16 partial sums pairwise; float32 is summed in float64.
Integer sums are exact in 64 bits and wrap beyond, as numpy's do.
"""

from tessera._host import (
    codecs as _codecs,
    kernel_arange as _arange,
    kernel_bincount as _bincount,
    kernel_byteswap as _byteswap,
    kernel_cast as _cast,
    kernel_compress as _compress,
    kernel_copy as _copy,
    kernel_count_where as _count_where,
    kernel_decompress_into as _decompress_into,
    kernel_fill as _fill,
    kernel_group_sum as _group_sum,
    kernel_histogram as _histogram,
    kernel_logical_and as _logical_and,
    kernel_max as _max,
    kernel_mean as _mean,
    kernel_min as _min,
    kernel_sum as _sum,
    kernel_take as _take,
    kernel_where as _where,
)

__all__ = ["fill", "arange", "copy", "cast", "byteswap", "sum", "min", "max", "mean", "count_where", "where",
           "logical_and", "compress", "take", "histogram", "bincount", "group_sum", "decompress_into", "CODECS"]

#: what decompress_into reads (the host's table, Codec): zlib (HDF5's deflate filter, zlib.compress), raw deflate,
#: Zstandard frames, LZ4 blocks
CODECS = tuple(_codecs)


def fill(view, value):
    """Set every element to value (an int that does not fit the dtype raises OverflowError)."""
    _fill(view, value)


def arange(view, start=0, step=1):
    """view[i] = start + i * step (in float64 if either is a float, else in 64-bit integers)."""
    _arange(view, start, step)


def copy(dst, src):
    """Copy src into dst: the same format and length (overlap is fine)."""
    _copy(dst, src)


def cast(dst, src):
    """Convert every element of src into dst's format: floats truncate toward zero into integers, integers wrap to
    the width, anything nonzero is True (numpy's unsafe cast)."""
    _cast(dst, src)


def byteswap(view):
    """Reverse the byte order of every element, in place."""
    _byteswap(view)


def sum(view):
    """The sum: a float for float formats, an int for integer formats (see the module notes for the order)."""
    return _sum(view)


def min(view):
    """The least element (NaN if any is NaN); ValueError for no elements."""
    return _min(view)


def max(view):
    """The greatest element (NaN if any is NaN); ValueError for no elements."""
    return _max(view)


def mean(view):
    """The mean, in float64 (NaN for no elements)."""
    return _mean(view)


def count_where(view, op, value):
    """How many elements satisfy `element op value`; op is one of '<', '<=', '==', '!=', '>=', '>'."""
    return _count_where(view, op, value)


def where(mask, view, op, value):
    """mask[i] = view[i] op value (1 or 0), for a mask of the same length (e.g. format '?'); returns how many."""
    return _where(mask, view, op, value)


def logical_and(dst, a, b):
    """dst[i] = a[i] and b[i] (1 or 0), e.g. to combine two masks (dst may be one of them); returns how many."""
    return _logical_and(dst, a, b)


def compress(dst, src, mask):
    """Copy the elements of src whose mask element is true, in order, to the start of dst; returns how many."""
    return _compress(dst, src, mask)


def take(dst, src, indices):
    """dst[i] = src[indices[i]] (negative indices count from the end; all are checked before anything is written)."""
    _take(dst, src, indices)


def histogram(view, bins, lo, hi):
    """Counts per equal-width bin of [lo, hi] as a tuple (numpy.histogram's bins: the last includes hi); elements
    outside the range and NaN are not counted."""
    return _histogram(view, bins, lo, hi)


def bincount(keys, n):
    """How often each key in range(n) occurs, as a tuple; a key outside raises IndexError naming it."""
    return _bincount(keys, n)


def group_sum(keys, values, n, where=None):
    """The sum of values per key in range(n), as a tuple of floats (numpy.bincount(keys, weights)). With a mask
    `where`, only the rows where it is true count (numpy.bincount(keys[m], values[m], minlength=n), without copies)."""
    return _group_sum(keys, values, n, where)


def decompress_into(view, data, codec="zlib", shuffle=False):
    """Decompress data straight into view (contiguous, writable); returns the bytes written. shuffle=True undoes
    HDF5's byte-shuffle filter for view's item size. Data that is malformed, truncated, or larger than view raises
    ValueError."""
    return _decompress_into(view, data, codec, shuffle)
