"""numpy peer of `tessera example scan`: the same query over columns of the same size and distribution
(key int32 in [0, KEYS), value float64 in [0, 100), flag bool), in one process:

    SELECT key, SUM(value) WHERE flag AND value > THRESHOLD GROUP BY key

    python3 bench/python/scan_numpy.py ROWS KEYS THRESHOLD [ROUNDS]

Prints one JSON line: {"rows_per_s": ["numpy X.Y, one process", best rows/s]}.
"""
import json
import sys
import time

import numpy as np


def main():
    rows, keys, threshold = int(sys.argv[1]), int(sys.argv[2]), float(sys.argv[3])
    rounds = int(sys.argv[4]) if len(sys.argv) > 4 else 8
    rng = np.random.default_rng(42)
    key = rng.integers(0, keys, rows, dtype=np.int32)
    value = rng.random(rows) * 100.0
    flag = rng.random(rows) < 0.5
    best = 0.0
    for _ in range(rounds):
        t0 = time.perf_counter()
        keep = flag & (value > threshold)
        sums = np.bincount(key[keep], weights=value[keep], minlength=keys)
        best = max(best, rows / (time.perf_counter() - t0))
    assert sums.shape == (keys,)
    print(json.dumps({"rows_per_s": [f"numpy {np.__version__}, one process", best]}))


if __name__ == "__main__":
    main()
