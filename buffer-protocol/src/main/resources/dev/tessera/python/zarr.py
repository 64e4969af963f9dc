"""Zarr v2 arrays (directory stores) read into a tessera array by host threads, in parallel, without the GIL.

    a = tessera.zarr.read("data.zarr", workers=2)

C order; compressors zlib, gzip, zstd, lz4 and blosc (numcodecs' formats); chunks without a file hold the array's
fill_value; edge chunks are cut to the array. Other compressors, filters or F order raise
tessera.UnsupportedFilterError; corrupt chunks tessera.FormatError; a missing array FileNotFoundError.
"""

from tessera._formats import _info, _read

__all__ = ["read", "info"]


def read(path, workers=None, out=None, progress=None, *, interval=0.1):
    """The Zarr array at `path` (its directory, holding .zarray) as a tessera array; see tessera.hdf5.read."""
    return _read("zarr", path, None, workers, out, progress, interval)


def info(path):
    """The array's format character, shape, chunk shape, stored and grid chunk counts and compressor, as a dict."""
    return _info("zarr", path, None)
