"""The CPython peer of crossings.py: the same crossings with multiprocessing and threads (python3).

Prints one JSON line: key -> [what was measured, value].
"""
import concurrent.futures as cf
import json
import multiprocessing as mp
import queue
import statistics
import sys
import threading
import time


def noop(x):
    return x


def put_ints(q, n):
    for i in range(n):
        q.put(i)


def put_tuples(q, n, size):
    t = tuple(range(size))
    for _ in range(n):
        q.put(t)


def spin(seconds):
    end = time.monotonic() + seconds
    i = 0
    while time.monotonic() < end:
        i += 1
    return i


def percentile(values, p):
    values = sorted(values)
    return values[min(len(values) - 1, int(p / 100 * len(values)))]


def main():
    quick = "--quick" in sys.argv
    n = 100_000 if quick else 300_000
    tasks = 1000 if quick else 5000
    out = {}

    q = mp.Queue()
    p = mp.Process(target=put_ints, args=(q, n))
    t0 = time.perf_counter()
    p.start()
    for _ in range(n):
        q.get()
    out["queue_ints_worker_to_main"] = ["multiprocessing.Queue", n / (time.perf_counter() - t0)]
    p.join()

    tq = queue.Queue()
    th = threading.Thread(target=put_ints, args=(tq, n))
    t0 = time.perf_counter()
    th.start()
    for _ in range(n):
        tq.get()
    th.join()
    out["queue_ints_main_to_worker"] = ["queue.Queue, 2 threads", n / (time.perf_counter() - t0)]
    out["queue_ints_worker_to_worker"] = out["queue_ints_worker_to_main"]

    tuples = max(1, n // 100)
    q = mp.Queue()
    p = mp.Process(target=put_tuples, args=(q, tuples, 1000))
    t0 = time.perf_counter()
    p.start()
    total = 0
    for _ in range(tuples):
        total += len(q.get())
    out["queue_tuple1000_ints_worker_to_main"] = ["multiprocessing.Queue", total / (time.perf_counter() - t0)]
    p.join()

    with cf.ProcessPoolExecutor(2) as ex:
        for i in range(200):
            ex.submit(noop, i).result()
        lat = []
        for i in range(tasks):
            t = time.perf_counter_ns()
            ex.submit(noop, i).result()
            lat.append((time.perf_counter_ns() - t) / 1000)
        out["task_round_trip_median_us"] = ["ProcessPoolExecutor(2)", statistics.median(lat)]
        out["task_round_trip_p99_us"] = ["ProcessPoolExecutor(2)", percentile(lat, 99)]
        t = time.perf_counter()
        fs = [ex.submit(noop, i) for i in range(tasks * 4)]
        for f in fs:
            f.result()
        out["tasks_per_second_bulk"] = ["ProcessPoolExecutor(2)", len(fs) / (time.perf_counter() - t)]
        long_task = ex.submit(spin, 3.0)
        time.sleep(0.2)
        lat = []
        end = time.monotonic() + 2.0
        while time.monotonic() < end:
            t = time.perf_counter_ns()
            ex.submit(noop, 1).result()
            lat.append((time.perf_counter_ns() - t) / 1000)
        long_task.result()
        out["short_task_p99_beside_long_us"] = ["ProcessPoolExecutor(2)", percentile(lat, 99)]
    with cf.ThreadPoolExecutor(2) as ex:
        t = time.perf_counter()
        fs = [ex.submit(noop, i) for i in range(tasks * 4)]
        for f in fs:
            f.result()
        out["tasks_per_second_bulk_threads"] = ["ThreadPoolExecutor(2)", len(fs) / (time.perf_counter() - t)]
    print(json.dumps(out))


if __name__ == "__main__":
    main()
