"""Jobs that run on a node's GraalPy pool (`tessera serve --sys-path service/python`), sent by tessera_dask's tasks.

Each takes the views of one part of a block (memoryviews over the node's shared memory), the part's first row in the
whole distributed array, then its own arguments: the calling convention of the service's `map`.
"""
from tessera import kernels


def fill_chunks(view, start, path, codec, shuffle, chunks):
    """Reads HDF5 chunks' stored bytes from `path` and decompresses each straight into its rows of `view`.

    chunks: (file offset, stored size, first row, end row) per chunk, rows relative to the view; codec "zlib"
    (HDF5's deflate filter) or "" (stored as it is). Returns the bytes written."""
    mv = memoryview(view)
    written = 0
    with open(path, "rb") as f:
        for offset, size, lo, hi in chunks:
            f.seek(offset)
            data = f.read(size)
            if len(data) != size:
                raise OSError(f"{path}: the chunk at byte {offset} ends {size - len(data)} bytes early")
            target = mv[lo:hi]
            if codec:
                n = kernels.decompress_into(target, data, codec, shuffle)
            else:
                raw = target.cast("B")
                raw[:len(data)] = data
                n = len(data)
            if n != target.nbytes:
                raise ValueError(f"{path}: the chunk at byte {offset} holds {n} bytes for rows {lo}..{hi} "
                                 f"({target.nbytes} bytes)")
            written += n
    return written


def scan(keys, values, flags, start, n_keys, threshold):
    """SELECT key, SUM(value) WHERE flag AND value > threshold GROUP BY key over one part: n_keys sums."""
    mask = bytearray(len(values))
    kernels.where(mask, values, ">", threshold)
    kernels.logical_and(mask, mask, flags)
    return kernels.group_sum(keys, values, n_keys, where=mask)


def total(view, start):
    """The sum of the part (float64), for checks."""
    return kernels.sum(view)


def add(view, start, x):
    """Adds x to every element of the part: a job that is not idempotent (run twice, it adds twice)."""
    mv = memoryview(view)
    for i in range(len(mv)):
        mv[i] += x
    return len(mv)


def spin(view, start, seconds):
    """Holds its part for `seconds` (for tests of a node that dies mid-job)."""
    import time
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        time.sleep(0.01)
    return start
