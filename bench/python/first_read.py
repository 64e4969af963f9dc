"""The first read of a dataset in a new process, as a user's short script meets it: a new array, the file's
metadata, every chunk decoded, timed from just before the read call (the interpreter and its imports already up).
Tessera: tessera.hdf5.read / tessera.zarr.read (host threads, the default count) in a new main interpreter, as a
cold `tessera run`; CPython (Debian's /usr/bin/python3): h5py's read_direct into a new numpy array (one thread, as
h5py reads), zarr-python's z[:].

    ./tessera run bench/python/first_read.py hdf5|zarr PATH [DATASET]
    /usr/bin/python3 bench/python/first_read.py hdf5|zarr PATH [DATASET]

Prints one JSON line: {"what": ..., "seconds": s, "bytes": n}.
"""
import json
import sys
import time

try:
    import tessera
except ImportError:
    tessera = None


def read_tessera(kind, path, dataset):
    t = time.perf_counter()
    a = tessera.hdf5.read(path, dataset) if kind == "hdf5" else tessera.zarr.read(path)
    seconds = time.perf_counter() - t
    n = a.nbytes
    a.release()
    return {"what": "tessera." + kind + ".read", "seconds": seconds, "bytes": n}


def read_cpython(kind, path, dataset):
    import numpy as np
    if kind == "hdf5":
        import h5py
        f = h5py.File(path, "r")
        d = f[dataset]
        t = time.perf_counter()
        a = np.empty(d.shape, d.dtype)
        d.read_direct(a)
        seconds = time.perf_counter() - t
        what = f"h5py {h5py.__version__} read_direct, one thread"
    else:
        import zarr
        t = time.perf_counter()
        a = zarr.open(path, mode="r")[:]
        seconds = time.perf_counter() - t
        what = f"zarr {zarr.__version__} (numcodecs) z[:]"
    return {"what": what, "seconds": seconds, "bytes": a.nbytes}


if __name__ == "__main__":
    kind, path = sys.argv[1], sys.argv[2]
    dataset = sys.argv[3] if len(sys.argv) > 3 else "/data"
    result = (read_tessera if tessera is not None else read_cpython)(kind, path, dataset)
    print(json.dumps(result))
