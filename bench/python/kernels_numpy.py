"""numpy peer of kernels.py: the same operations on arrays of the same size, timed the same way.

    python3 bench/python/kernels_numpy.py N SECONDS

Prints one JSON line: {figure: ["numpy X.Y", bytes per second]}.
"""
import json
import sys
import zlib

import numpy as np

import benchrows


def main():
    n = int(sys.argv[1])
    seconds = float(sys.argv[2])
    v = np.arange(n, dtype=np.float64) / n
    w = np.zeros(n)
    iv = np.zeros(n, dtype=np.int32)
    m = np.zeros(n, dtype=bool)
    o = np.zeros(n)
    f32 = np.zeros(n, dtype=np.float32)
    keys = ((np.arange(n) // 4096) % 1000).astype(np.int32)
    d8, d4 = 8 * n, 4 * n
    r = {}
    r["fill_float64"] = benchrows.best_rate(d8, lambda: v.fill(1.5), seconds)
    r["fill_int32"] = benchrows.best_rate(d4, lambda: iv.fill(7), seconds)
    r["sum_float64"] = benchrows.best_rate(d8, lambda: v.sum(), seconds)
    r["sum_int32"] = benchrows.best_rate(d4, lambda: iv.sum(dtype=np.int64), seconds)
    v[:] = np.arange(n, dtype=np.float64) / n
    r["arange_float64"] = benchrows.best_rate(d8, lambda: np.multiply(np.arange(n, dtype=np.float64), 0.5, out=w), seconds)
    r["copy_float64"] = benchrows.best_rate(d8, lambda: np.copyto(w, v), seconds)
    r["cast_float64_to_float32"] = benchrows.best_rate(d8, lambda: np.copyto(f32, v, casting="unsafe"), seconds)
    r["byteswap_float64"] = benchrows.best_rate(d8, lambda: w.byteswap(inplace=True), seconds)
    r["count_where_float64"] = benchrows.best_rate(d8, lambda: np.count_nonzero(v > 0.5), seconds)
    r["where_float64"] = benchrows.best_rate(d8, lambda: np.greater(v, 0.5, out=m), seconds)

    def compress():
        k = np.count_nonzero(m)
        np.compress(m, v, out=o[:k])
    r["compress_float64"] = benchrows.best_rate(d8, compress, seconds)
    r["histogram_float64"] = benchrows.best_rate(d8, lambda: np.histogram(v, 100, (0.0, 1.0)), seconds)
    r["group_sum_float64"] = benchrows.best_rate(d8, lambda: np.bincount(keys, weights=v, minlength=1000), seconds)
    raw = v.tobytes()
    chunk = 128 * 1024
    packed = [zlib.compress(raw[i:i + chunk], 4) for i in range(0, len(raw), chunk)]
    wb = w.view(np.uint8)

    def inflate_all():
        for j, c in enumerate(packed):
            wb[j * chunk:(j + 1) * chunk] = np.frombuffer(zlib.decompress(c), dtype=np.uint8)
    r["decompress_zlib_float64"] = benchrows.best_rate(d8, inflate_all, seconds, 3)
    name = f"numpy {np.__version__}"
    print(json.dumps({k: [name if k != "decompress_zlib_float64" else "zlib.decompress + numpy copy", x] for k, x in r.items()}))


if __name__ == "__main__":
    main()
