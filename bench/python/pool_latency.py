"""Pool start-up time and round-trip latency of a trivial task on a warm pool.

    ./tessera run bench/python/pool_latency.py [WORKERS] [TASKS]
"""
import statistics
import sys
import time

import tessera


def noop(x):
    return x


if __name__ == "__main__":
    workers = int(sys.argv[1]) if len(sys.argv) > 1 else 2
    tasks = int(sys.argv[2]) if len(sys.argv) > 2 else 2000
    t0 = time.perf_counter()
    first = tessera.InterpreterPool(workers)       # the first pool also warms the shared engine
    print(f"first pool of {workers}: {time.perf_counter() - t0:.2f} s (workers report {first.startup_seconds:.2f} s)")
    first.shutdown()
    t0 = time.perf_counter()
    pool = tessera.InterpreterPool(workers)
    print(f"second pool of {workers} on the warm engine: {time.perf_counter() - t0:.2f} s "
          f"(workers report {pool.startup_seconds:.2f} s)")
    for _ in range(tasks):                          # warm-up: imports, JIT
        pool.submit(noop, 1).result()
    lat = []
    for i in range(tasks):
        t = time.perf_counter_ns()
        pool.submit(noop, i).result()
        lat.append((time.perf_counter_ns() - t) / 1000)
    lat.sort()
    print(f"trivial task round trip over {tasks} tasks: median {statistics.median(lat):.0f} us, "
          f"p90 {lat[int(0.9 * len(lat))]:.0f} us, p99 {lat[int(0.99 * len(lat))]:.0f} us")
    t = time.perf_counter()
    fs = [pool.submit(noop, i) for i in range(tasks)]
    assert [f.result() for f in fs] == list(range(tasks))
    print(f"throughput, {tasks} submitted then collected: {tasks / (time.perf_counter() - t):.0f} tasks/s")
    pool.shutdown()
