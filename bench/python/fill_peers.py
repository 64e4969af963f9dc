"""CPython peers of the formats scenario: the same datasets read into one existing numpy array, in MB/s of float64
written, best and median of ROUNDS rounds (run with Debian's /usr/bin/python3, which has h5py and zarr).

    python3 fill_peers.py h5py FILE DATASET ROUNDS          h5py read_direct, one thread
    python3 fill_peers.py h5py-mp FILE DATASET ROUNDS PROCS h5py in PROCS processes (multiprocessing), each reading
                                                           whole chunks of its share of rows into one shared_memory
                                                           array (the pool and the array made once, before the rounds)
    python3 fill_peers.py zarr DIR ROUNDS                   zarr-python: z.get_basic_selection(..., out=array)

Prints one JSON line: {"what": ..., "best": MB/s, "median": MB/s, "rounds": [MB/s, ...], "cpu_ms": median CPU time
of this process per round (its threads, not child processes: for h5py-mp only the parent's share)}.
"""
import json
import statistics
import sys
import time

import numpy as np


def timed(fn, nbytes, rounds):
    fn()  # warm the file cache and the imports
    rates, cpu = [], []
    for _ in range(rounds):
        c0, t0 = time.process_time(), time.perf_counter()
        fn()
        rates.append(nbytes / (time.perf_counter() - t0) / 1e6)
        cpu.append((time.process_time() - c0) * 1e3)
    # cpu_ms: this process's CPU time per round, all its threads (blosc's own included), not child processes'
    return {"best": max(rates), "median": statistics.median(rates), "rounds": rates, "cpu_ms": statistics.median(cpu)}


def h5py_one(path, name, rounds):
    import h5py
    f = h5py.File(path, "r")
    d = f[name]
    out = np.empty(d.shape, d.dtype)
    r = timed(lambda: d.read_direct(out), out.nbytes, rounds)
    r["what"] = f"h5py {h5py.__version__} read_direct, one thread"
    return r


_worker = {}


def _attach(path, name, shm_name, shape, dtype):
    import h5py
    from multiprocessing import shared_memory
    shm = shared_memory.SharedMemory(name=shm_name)
    _worker.update(shm=shm, d=h5py.File(path, "r")[name], out=np.ndarray(shape, dtype, buffer=shm.buf))


def _read_rows(bounds):
    lo, hi = bounds
    _worker["d"].read_direct(_worker["out"], np.s_[lo:hi], np.s_[lo:hi])
    return hi - lo


def h5py_mp(path, name, rounds, procs):
    import multiprocessing as mp
    from multiprocessing import shared_memory
    import h5py
    with h5py.File(path, "r") as f:
        d = f[name]
        shape, dtype, chunk = d.shape, d.dtype, d.chunks[0]
    nbytes = int(np.prod(shape)) * dtype.itemsize
    shm = shared_memory.SharedMemory(create=True, size=nbytes)
    try:
        out = np.ndarray(shape, dtype, buffer=shm.buf)
        chunks = (shape[0] + chunk - 1) // chunk
        per = (chunks + procs - 1) // procs  # each process reads a run of whole chunks
        bounds = [(p * per * chunk, min(shape[0], (p + 1) * per * chunk)) for p in range(procs) if p * per * chunk < shape[0]]
        with mp.get_context("fork").Pool(procs, _attach, (path, name, shm.name, shape, dtype)) as pool:
            r = timed(lambda: pool.map(_read_rows, bounds), nbytes, rounds)
        r["check"] = float(out[::9973].sum())
    finally:
        shm.close()
        shm.unlink()
    r["what"] = f"h5py {h5py.__version__} + multiprocessing + shared_memory, {procs} process{'es' if procs > 1 else ''}"
    return r


def zarr_read(path, rounds):
    import zarr
    z = zarr.open(path, mode="r")
    out = np.empty(z.shape, z.dtype)
    r = timed(lambda: z.get_basic_selection(Ellipsis, out=out), out.nbytes, rounds)
    r["what"] = f"zarr {zarr.__version__} (numcodecs) into numpy"
    return r


if __name__ == "__main__":
    kind = sys.argv[1]
    if kind == "h5py":
        res = h5py_one(sys.argv[2], sys.argv[3], int(sys.argv[4]))
    elif kind == "h5py-mp":
        res = h5py_mp(sys.argv[2], sys.argv[3], int(sys.argv[4]), int(sys.argv[5]))
    else:
        res = zarr_read(sys.argv[2], int(sys.argv[3]))
    print(json.dumps(res))
