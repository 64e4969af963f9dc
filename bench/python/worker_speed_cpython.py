"""The CPython peer of worker_speed.py (python3): the same loop in processes over multiprocessing.shared_memory,
a subinterpreter's and a spawned process's start, python3's own start, and the memory of idle processes.

Prints one JSON line: key -> [what was measured, value].
"""
import json
import multiprocessing as mp
import os
import statistics
import subprocess
import sys
import time
from multiprocessing import shared_memory


def fill(name, lo, n):
    shm = shared_memory.SharedMemory(name=name)
    mv = shm.buf.cast("d")
    t0 = time.perf_counter()
    for i in range(lo, lo + n):
        mv[i] = i * 0.5
    seconds = time.perf_counter() - t0
    del mv
    shm.close()
    return seconds


def noop(x):
    return x


def rss_kb(pid):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    return 0


def main():
    quick = "--quick" in sys.argv
    n = 2_000_000 if quick else 10_000_000
    out = {}
    shm = shared_memory.SharedMemory(create=True, size=16 * n)
    try:
        ctx = mp.get_context("fork")
        with ctx.Pool(2) as pool:
            one = [n / pool.apply(fill, (shm.name, 0, n)) for _ in range(2)]
            out["one_worker_rate"] = ["multiprocessing + shared_memory, 1 process", max(one)]
            t0 = time.perf_counter()
            rs = [pool.apply_async(fill, (shm.name, lo, n)) for lo in (0, n)]
            for r in rs:
                r.get()
            out["two_workers_rate"] = ["2 processes", 2 * n / (time.perf_counter() - t0)]
        mv = memoryview(bytearray(8 * n)).cast("d")
        t0 = time.perf_counter()
        for i in range(n):
            mv[i] = i * 0.5
        out["main_bytearray_rate"] = ["CPython bytearray memoryview", n / (time.perf_counter() - t0)]
    finally:
        shm.close()
        shm.unlink()
    try:
        import _xxsubinterpreters as interpreters
        times = []
        for _ in range(5):
            t0 = time.perf_counter()
            i = interpreters.create()
            interpreters.run_string(i, "2 + 2")
            times.append(time.perf_counter() - t0)
            interpreters.destroy(i)
        out["new_worker_cold_ms"] = ["CPython subinterpreter", statistics.median(times) * 1e3]
    except ImportError:
        pass
    ctx = mp.get_context("spawn")
    times = []
    for _ in range(3):
        t0 = time.perf_counter()
        with ctx.Pool(1) as pool:
            pool.apply(noop, (1,))
            times.append(time.perf_counter() - t0)
    out["new_worker_from_spare_ms"] = ["spawned process, to first result", statistics.median(times) * 1e3]
    times = []
    for _ in range(3):
        t0 = time.perf_counter()
        subprocess.run([sys.executable, "-c", "print(2 + 2)"], check=True, capture_output=True)
        times.append(time.perf_counter() - t0)
    out["run_one_line_cold_seconds"] = ["python3 -c", statistics.median(times)]
    count = 4 if quick else 20
    procs = [subprocess.Popen([sys.executable, "-c", "import sys; sys.stdin.read()"], stdin=subprocess.PIPE) for _ in range(count)]
    time.sleep(1.0)
    rss = statistics.mean(rss_kb(p.pid) for p in procs) / 1024
    for p in procs:
        p.stdin.close()
        p.wait()
    out["idle_worker_rss_mb"] = ["idle python3 process", rss]
    print(json.dumps(out))


if __name__ == "__main__":
    main()
