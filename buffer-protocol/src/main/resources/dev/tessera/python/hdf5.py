"""Chunked HDF5 datasets read into a tessera array by host threads, in parallel, without the GIL.

    a = tessera.hdf5.read("run.h5", "/detector/samples", workers=2)

The host reads the file's structure and chunk index once (jhdf), then each thread reads a chunk's bytes and
decompresses it straight into its place in the array (libdeflate/libzstd/liblz4/c-blosc through FFM when
installed, pure Java otherwise: see tessera.codecs()). Numeric element types; filters deflate (gzip), shuffle,
fletcher32 (verified), zstd (32015), lz4 (32004) and blosc (32001). Anything else raises
tessera.UnsupportedFilterError naming it; corrupt or truncated chunks raise tessera.FormatError naming the chunk; a
missing file FileNotFoundError, a missing dataset KeyError.
"""

from tessera._formats import _info, _read

__all__ = ["read", "info"]


def read(path, dataset, workers=None, out=None, progress=None, *, interval=0.1):
    """The dataset as a tessera array of its shape and format (or filled into `out`, a tessera array of the same
    format and number of elements, which is returned). `workers` host threads decompress (default: one per core);
    `progress(done_chunks, total_chunks, nbytes)` is called about every `interval` seconds and once at the end.
    KeyboardInterrupt stops the read (the array it made is freed)."""
    if not isinstance(dataset, str):
        raise TypeError(f"dataset must be a str path inside the file such as '/data', not {type(dataset).__name__}")
    return _read("hdf5", path, dataset, workers, out, progress, interval)


def info(path, dataset):
    """The dataset's format character, shape, chunk shape, stored and grid chunk counts and filters, as a dict."""
    if not isinstance(dataset, str):
        raise TypeError(f"dataset must be a str, not {type(dataset).__name__}")
    return _info("hdf5", path, dataset)
