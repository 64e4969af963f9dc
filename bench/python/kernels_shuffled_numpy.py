"""numpy peer of kernels_shuffled.py: the same calls on arrays of the same size and contents, in the same order.

    python3 bench/python/kernels_shuffled_numpy.py ORDER.json N SECONDS [--cpu]

ORDER.json is the list of "kernel:format" pairs in the order the Tessera side ran them. Prints one JSON line:
{"kernel:format": ["numpy X.Y", bytes per second]} (pairs numpy has no equivalent for are left out).
"""
import json
import sys
import time

import numpy as np

import benchrows

DT = {"b": np.int8, "h": np.int16, "i": np.int32, "q": np.int64, "B": np.uint8, "H": np.uint16, "I": np.uint32,
      "Q": np.uint64, "f": np.float32, "d": np.float64, "?": np.bool_}


def pattern(f, n):
    i = np.arange(n)
    if f == "?":
        return i % 3 == 0
    return ((i % 100) + (0.25 if f in "fd" else 0)).astype(DT[f])


def call(kernel, f, s, d, a):
    flt = f in "fd"
    x = 50.0 if flt else (0 if f == "?" else 50)
    n = len(s)
    if kernel == "fill":
        v = 1.5 if flt else (True if f == "?" else 7)
        return lambda: d.fill(v)
    if kernel == "arange":
        return (lambda: np.multiply(np.arange(n, dtype=DT[f]), 0.5, out=d)) if flt else (lambda: np.copyto(d, np.arange(n), casting="unsafe"))
    if kernel == "copy":
        return lambda: np.copyto(d, s)
    if kernel == "cast":
        return (lambda: np.copyto(a["f32"], s, casting="unsafe")) if f == "d" else (lambda: np.copyto(a["f64"], s, casting="unsafe"))
    if kernel in ("sum", "mean", "min", "max"):
        return getattr(s, kernel)
    if kernel == "count_where":
        return lambda: np.count_nonzero(s > x)
    if kernel == "where":
        return lambda: np.greater(s, x, out=a["mask"])
    if kernel == "compress":
        def compress():
            k = np.count_nonzero(a["mask"])
            np.compress(a["mask"], s, out=d[:k])
        return compress
    if kernel == "take":
        return lambda: np.take(s, a["idx"], out=d)
    if kernel == "histogram":
        return lambda: np.histogram(s, 100, (0.0, 100.0))
    if kernel == "bincount":
        return lambda: np.bincount(s, minlength=100)
    if kernel == "group_sum":
        return lambda: np.bincount(a["keys"], weights=s, minlength=100)
    return None


def main():
    with open(sys.argv[1]) as fh:
        order = [p.split(":") for p in json.load(fh)]
    n = int(sys.argv[2])
    seconds = float(sys.argv[3])
    src = {f: pattern(f, n) for f in {f for _, f in order}}
    dst = {f: np.zeros(n, DT[f]) for f in src}
    a = {"f64": np.zeros(n), "f32": np.zeros(n, np.float32), "idx": np.arange(n - 1, -1, -1, dtype=np.int64),
         "keys": pattern("i", n), "mask": pattern("d", n) > 50}
    name = f"numpy {np.__version__}"
    clock = time.thread_time if "--cpu" in sys.argv else time.perf_counter
    out = {}
    for k, f in order:
        fn = call(k, f, src[f], dst[f], a)
        try:
            fn()
        except (TypeError, ValueError):  # e.g. bincount of uint64: numpy refuses the cast
            continue
        out[f"{k}:{f}"] = [name, benchrows.best_rate(n * src[f].itemsize, fn, seconds, 3, clock)]
    print(json.dumps(out))


if __name__ == "__main__":
    main()
