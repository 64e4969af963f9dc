"""CPython peer of `tessera example fill`: h5py (the HDF5 C library: deflate and shuffle in C, one thread) reads the
same dataset; the best of repeated reads, in MB/s of decompressed data.

    python3 bench/python/fill_h5py.py FILE DATASET [SECONDS]

Prints one JSON line: {"mb_per_s": ["h5py X.Y", MB/s]}.
"""
import json
import sys
import time

import h5py


def main():
    path, name = sys.argv[1], sys.argv[2]
    seconds = float(sys.argv[3]) if len(sys.argv) > 3 else 2.0
    with h5py.File(path, "r") as f:
        d = f[name]
        d[:]  # warm the file cache
        best = 0.0
        end = time.perf_counter() + seconds
        reps = 0
        while reps < 3 or time.perf_counter() < end:
            t0 = time.perf_counter()
            x = d[:]
            best = max(best, x.nbytes / (time.perf_counter() - t0) / 1e6)
            reps += 1
    print(json.dumps({"mb_per_s": [f"h5py {h5py.__version__}, one thread", best]}))


if __name__ == "__main__":
    main()
