"""CPython peer of startup.py: N threads, N subinterpreters, N spawned processes, each computing 2 + 2.

    python3 bench/python/startup_cpython.py [N]

Prints one JSON line: {figure: [what, seconds]}.
"""
import json
import multiprocessing as mp
import sys
import time

import benchrows


def two_plus_two():
    return 2 + 2


def best_of(k, fn):
    return min(fn() for _ in range(k))


def subinterpreters(n):
    import _xxsubinterpreters as interpreters
    t0 = time.perf_counter()
    ids = []
    for _ in range(n):
        i = interpreters.create()
        interpreters.run_string(i, "x = 2 + 2")
        ids.append(i)
    for i in ids:
        interpreters.destroy(i)
    return time.perf_counter() - t0


def processes(n):
    ctx = mp.get_context("spawn")
    t0 = time.perf_counter()
    ps = [ctx.Process(target=two_plus_two) for _ in range(n)]
    for p in ps:
        p.start()
    for p in ps:
        p.join()
    return time.perf_counter() - t0


if __name__ == "__main__":
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 100
    out = {"threads_seconds": ["CPython threads", best_of(3, lambda: benchrows.thread_start_seconds(n))]}
    try:
        out["interpreters_seconds"] = ["CPython subinterpreters", subinterpreters(n)]
    except ImportError:
        pass
    out["processes_seconds"] = ["CPython spawned processes", processes(n)]
    print(json.dumps(out))
