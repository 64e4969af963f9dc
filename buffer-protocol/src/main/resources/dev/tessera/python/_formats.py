"""The errors of tessera.hdf5 and tessera.zarr, and the reading loop both use.

A read runs in the host: its own threads decompress chunks straight into the array, without the GIL. This module
only starts it, waits in slices (calling the progress callback between them) and takes the array at the end.
"""

from posix import fspath as _fspath  # os.fspath itself: importing os here cost every interpreter its start (0.3-0.5 s cold)

from tessera._host import (
    codecs_info as _codecs_info,
    format_info as _format_info,
    format_read_cancel as _cancel,
    format_read_finish as _finish,
    format_read_start as _start,
    format_read_wait as _wait,
)

__all__ = ["FormatError", "UnsupportedFilterError", "codecs"]


class FormatError(ValueError):
    """A dataset that cannot be read: corrupt or truncated chunks, a failed checksum, metadata that makes no sense."""


class UnsupportedFilterError(FormatError):
    """A dataset stored with a filter, codec or element type Tessera does not decode (the message names it)."""


def codecs():
    """What decodes each compression format in this process: {'inflate (zlib, deflate, gzip)': 'libdeflate (FFM, ...)', ...}."""
    return {name: impl for name, impl in (tuple(p) for p in _codecs_info())}


def _path(path):
    try:
        return _fspath(path)
    except TypeError:
        raise TypeError(f"path must be a str or os.PathLike, not {type(path).__name__}") from None


def _workers(workers):
    if workers is None:
        return None
    if isinstance(workers, bool) or not isinstance(workers, int):
        raise TypeError(f"workers must be an int or None, not {type(workers).__name__}")
    if workers < 1:
        raise ValueError(f"workers must be at least 1, got {workers}")
    return workers


def _info(kind, path, dataset):
    fmt, shape, chunks, stored, grid, filters, description = tuple(_format_info(kind, _path(path), dataset))
    return {"format": fmt, "shape": tuple(shape), "chunks": tuple(chunks), "stored_chunks": stored, "grid_chunks": grid,
            "filters": filters, "description": description}


def _read(kind, path, dataset, workers, out, progress, interval):
    if progress is not None and not callable(progress):
        raise TypeError(f"progress must be callable(done, total, nbytes) or None, not {type(progress).__name__}")
    job = _start(kind, _path(path), dataset, _workers(workers), out)
    try:
        while True:
            done, total, nbytes, finished = tuple(_wait(job, interval))
            if progress is not None:
                progress(done, total, nbytes)
            if finished:
                break
    except BaseException:
        _cancel(job)  # stops the host threads, frees the array if the read made it
        raise
    return _finish(job)
