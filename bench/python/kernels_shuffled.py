"""Every tessera.kernels kernel over every dtype, called in one shuffled order in one process, against numpy doing
the same calls in the same order in its own process (kernels_shuffled_numpy.py, run with python3).

    ./tessera run bench/python/kernels_shuffled.py [--quick | --tiny] [--seed S] [--only KERNEL:FMT,...]
                                                   [--elements N] [--seconds S] [--cpu] [--no-peer] [--json FILE]

What it shows: whether a kernel keeps its speed whatever ran before it in the process (loops shared between dtypes
or operators, or compiled with another dtype's profile, lose it). Each pair is timed where it falls in the order:
two calls, then the best of repeated calls for SECONDS, in GB/s of the array it reads (n elements of its dtype).
`--only fill:i` times one pair in a fresh process: its first-run speed. Arrays: 2^25 elements (2^14 with --tiny).
`--cpu` times the calling thread's CPU instead of the wall, on both sides (for a machine others are loading).
"""
import json
import os
import random
import sys
import tempfile
import time

import benchrows
import tessera
from tessera import kernels as K

HERE = os.path.dirname(os.path.abspath(__file__))
FORMATS = "bhiqBHIQfd?"
NAMES = {"b": "int8", "h": "int16", "i": "int32", "q": "int64", "B": "uint8", "H": "uint16", "I": "uint32",
         "Q": "uint64", "f": "float32", "d": "float64", "?": "bool"}
KERNELS = ["fill", "arange", "copy", "cast", "sum", "mean", "min", "max", "count_where", "where", "compress", "take",
           "histogram", "bincount", "group_sum"]
ITEM = {"b": 1, "h": 2, "i": 4, "q": 8, "B": 1, "H": 2, "I": 4, "Q": 8, "f": 4, "d": 8, "?": 1}


def pairs():
    """Every (kernel, format) that means something: arange and bincount need integers (bincount: not uint64)."""
    out = []
    for k in KERNELS:
        for f in FORMATS:
            if k == "arange" and f == "?":
                continue
            if k == "bincount" and f in "fdQ":
                continue
            out.append((k, f))
    return out


def order(seed, only):
    if only:
        return [tuple(p.split(":")) for p in only.split(",")]
    ps = pairs()
    random.Random(seed).shuffle(ps)
    return ps


def fill_pattern(mv, fmt, n):
    """mv[i] = i % 100 (+0.25 for floats; bool: i % 3 == 0), doubling copies of the first 100."""
    first = min(n, 100)
    for i in range(first):
        mv[i] = (i % 3 == 0) if fmt == "?" else (i + 0.25 if fmt in "fd" else i)
    k = first
    while k < n:
        m = min(k, n - k)
        K.copy(mv[k:k + m], mv[0:m])
        k += m


class Arrays:
    def __init__(self, n, formats):
        self.n = n
        self.keep = []
        self.src, self.dst = {}, {}
        for f in formats:
            a, b = tessera.zeros(n, f), tessera.zeros(n, f)
            self.keep += [a, b]
            self.src[f] = memoryview(a.slice())
            self.dst[f] = memoryview(b.slice())
            fill_pattern(self.src[f], f, n)
        self.mask = self._view(n, "?")
        self.f64 = self._view(n, "d")
        self.f32 = self._view(n, "f")
        self.idx = self._view(n, "q")
        K.arange(self.idx, n - 1, -1)                 # take reads backwards
        self.keys = self._view(n, "i")
        fill_pattern(self.keys, "i", n)               # group_sum's keys: 0..99
        K.where(self.mask, self.src.get("d", self.keys), ">", 50)

    def _view(self, n, f):
        a = tessera.zeros(n, f)
        self.keep.append(a)
        return memoryview(a.slice())

    def release(self):
        for a in self.keep:
            a.release()


def call(kernel, f, arr):
    """The call that `kernel` over format `f` stands for (the numpy peer mirrors each)."""
    s, d = arr.src[f], arr.dst[f]
    flt = f in "fd"
    x = 50.0 if flt else (0 if f == "?" else 50)
    if kernel == "fill":
        return lambda: K.fill(d, 1.5 if flt else (True if f == "?" else 7))
    if kernel == "arange":
        return lambda: K.arange(d, 0.0, 0.5) if flt else K.arange(d, 0, 1)
    if kernel == "copy":
        return lambda: K.copy(d, s)
    if kernel == "cast":
        return lambda: K.cast(arr.f32, s) if f == "d" else K.cast(arr.f64, s)
    if kernel in ("sum", "mean", "min", "max"):
        fn = getattr(K, kernel)
        return lambda: fn(s)
    if kernel == "count_where":
        return lambda: K.count_where(s, ">", x)
    if kernel == "where":
        return lambda: K.where(arr.mask, s, ">", x)
    if kernel == "compress":
        return lambda: K.compress(d, s, arr.mask)
    if kernel == "take":
        return lambda: K.take(d, s, arr.idx)
    if kernel == "histogram":
        return lambda: K.histogram(s, 100, 0.0, 100.0)
    if kernel == "bincount":
        return lambda: K.bincount(s, 100)
    if kernel == "group_sum":
        return lambda: K.group_sum(arr.keys, s, 100)
    raise ValueError(kernel)


def measure(pairs_in_order, n, seconds, clock):
    arr = Arrays(n, sorted({f for _, f in pairs_in_order} | ({"d"} if any(k == "where" for k, _ in pairs_in_order) else set())))
    r = {}
    try:
        for k, f in pairs_in_order:
            r[f"{k}:{f}"] = benchrows.best_rate(n * ITEM[f], call(k, f, arr), seconds, 3, clock)
    finally:
        arr.release()
    return r


def main():
    argv = sys.argv
    tiny = "--tiny" in argv
    quick = "--quick" in argv
    seed = int(argv[argv.index("--seed") + 1]) if "--seed" in argv else 26
    only = argv[argv.index("--only") + 1] if "--only" in argv else None
    n = int(argv[argv.index("--elements") + 1]) if "--elements" in argv else (1 << 14 if tiny else 1 << 25)
    seconds = float(argv[argv.index("--seconds") + 1]) if "--seconds" in argv else (0.02 if tiny else 0.25 if quick else 0.6)
    json_out = argv[argv.index("--json") + 1] if "--json" in argv else None
    ps = order(seed, only)
    cpu = "--cpu" in argv
    r = measure(ps, n, seconds, time.thread_time if cpu else time.perf_counter)
    peer = {}
    if not tiny and "--no-peer" not in argv:
        with tempfile.NamedTemporaryFile("w", suffix=".json", delete=False) as tf:
            json.dump([f"{k}:{f}" for k, f in ps], tf)
        try:
            peer = benchrows.run_peer([benchrows.PYTHON, os.path.join(HERE, "kernels_shuffled_numpy.py"), tf.name, str(n), str(seconds)]
                                      + (["--cpu"] if cpu else []))
        finally:
            os.unlink(tf.name)
    rows = []
    ahead = 0
    compared = 0
    print(f"{'kernel, dtype (shuffled order, n = %d)' % n:44} {'Tessera':>9} {'numpy':>9} {'ratio':>7}")
    for k, f in ps:
        key = f"{k}:{f}"
        name, value = benchrows.peer_value(peer, key)
        met = None if value is None else r[key] >= value
        if met is not None:
            compared += 1
            ahead += met
        label = f"shuffled: {k}, {NAMES[f]}"
        rows.append(benchrows.row(f"shuffled_{k}_{NAMES[f]}", label, "GB/s", r[key], value,
                                  name or peer.get("error") or ("peers off" if "--no-peer" in argv or tiny else "no numpy equivalent"),
                                  ">= numpy" if value is not None else "", met))
        ratio = f"{r[key] / value:7.2f}" if value else "      -"
        print(f"{label:44} {r[key] / 1e9:9.2f} {(value or 0) / 1e9:9.2f} {ratio}")
    if compared:
        rows.append(benchrows.row("shuffled_pairs_at_numpy", f"shuffled: pairs at or above numpy (of {compared})", "pairs",
                                  ahead, compared, "numpy, same order", "all", ahead == compared))
        print(f"{ahead} of {compared} pairs at or above numpy (seed {seed})")
    if "error" in peer:
        print(f"numpy peer: {peer['error']}")
    benchrows.write(json_out, rows, {"peer_error": peer.get("error"), "elements": n, "seed": seed,
                                     "order": [f"{k}:{f}" for k, f in ps]})


if __name__ == "__main__":
    main()
