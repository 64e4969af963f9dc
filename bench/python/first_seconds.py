"""What a user's short script sees: a pool of 2 from nothing, then rounds of (2,000 short tasks one after another,
the same beside a long task, 2,000 trivial tasks submitted in bulk), timed from the script's own start. The same
file runs in Tessera (`./tessera run`, cold or through a warm `tessera serve`) and in CPython (ProcessPoolExecutor or
ThreadPoolExecutor), so every figure has its peer measured the same way.

    ./tessera run bench/python/first_seconds.py [--seconds S] [--tasks N] [--json FILE]
    python3 bench/python/first_seconds.py --backend process|thread [--seconds S] [--tasks N] [--json FILE]

A short task is fib(10) (177 calls); the long task is fib(27), kept in flight on the other worker for the whole
second phase. Prints one line per round and, with --json, {"rounds": [...], "first_result_ms": x, ...}.
"""
import json
import sys
import time

T0 = time.monotonic()  # the script's own start, before any import of the pool


def fib(n):
    return n if n < 2 else fib(n - 1) + fib(n - 2)


def noop(x):
    return x


def _pct(sorted_us, q):
    return sorted_us[min(len(sorted_us) - 1, int(q * len(sorted_us)))]


def _one_by_one(pool, tasks):
    lat = []
    for _ in range(tasks):
        t = time.perf_counter_ns()
        pool.submit(fib, 10).result()
        lat.append((time.perf_counter_ns() - t) / 1000)
    lat.sort()
    return lat


def _beside_long(pool, tasks):
    long = pool.submit(fib, 27)
    lat = []
    longs = 1
    for _ in range(tasks):
        if long.done():  # keep one worker busy with a long task for the whole phase
            long.result()
            long = pool.submit(fib, 27)
            longs += 1
        t = time.perf_counter_ns()
        pool.submit(fib, 10).result()
        lat.append((time.perf_counter_ns() - t) / 1000)
    long.result()
    lat.sort()
    return lat, longs


def _bulk(pool, tasks):
    t = time.perf_counter()
    fs = [pool.submit(noop, i) for i in range(tasks)]
    got = [f.result() for f in fs]
    rate = tasks / (time.perf_counter() - t)
    if got != list(range(tasks)):
        raise SystemExit("bulk results out of order or wrong")
    return rate


def make_pool(backend):
    if backend == "tessera":
        import tessera
        return tessera.InterpreterPool(2)
    import concurrent.futures as cf
    if backend == "process":
        return cf.ProcessPoolExecutor(2)
    if backend == "thread":
        return cf.ThreadPoolExecutor(2)
    raise SystemExit(f"unknown backend {backend!r}: tessera, process or thread")


def main(argv):
    backend = argv[argv.index("--backend") + 1] if "--backend" in argv else "tessera"
    seconds = float(argv[argv.index("--seconds") + 1]) if "--seconds" in argv else 10.0
    tasks = int(argv[argv.index("--tasks") + 1]) if "--tasks" in argv else 2000
    json_out = argv[argv.index("--json") + 1] if "--json" in argv else None
    t = time.monotonic()
    pool = make_pool(backend)
    if pool.submit(fib, 10).result() != 55:
        raise SystemExit("fib(10) != 55")
    first_ms = (time.monotonic() - t) * 1e3
    print(f"{backend}: pool of 2 to its first result {first_ms:.1f} ms (script start to then {(time.monotonic() - T0):.2f} s)")
    rounds = []
    while True:
        start = time.monotonic() - T0
        seq = _one_by_one(pool, tasks)
        side, longs = _beside_long(pool, tasks)
        bulk = _bulk(pool, tasks)
        r = {"at_s": round(start, 2), "short_p50_us": round(_pct(seq, 0.5), 1), "short_p99_us": round(_pct(seq, 0.99), 1),
             "short_max_us": round(seq[-1], 1), "beside_long_p50_us": round(_pct(side, 0.5), 1),
             "beside_long_p99_us": round(_pct(side, 0.99), 1), "beside_long_max_us": round(side[-1], 1),
             "long_tasks": longs, "bulk_tasks_per_s": round(bulk)}
        rounds.append(r)
        print(f"  round at {r['at_s']:6.2f} s: short p50 {r['short_p50_us']:7.1f} p99 {r['short_p99_us']:8.1f} "
              f"max {r['short_max_us']:8.1f} us | beside long p50 {r['beside_long_p50_us']:7.1f} "
              f"p99 {r['beside_long_p99_us']:8.1f} max {r['beside_long_max_us']:8.1f} us ({longs} long) | "
              f"bulk {r['bulk_tasks_per_s']:8.0f} tasks/s", flush=True)
        if time.monotonic() - T0 >= seconds:
            break
    pool.shutdown()
    total = time.monotonic() - T0
    print(f"{backend}: {len(rounds)} rounds in {total:.1f} s")
    if json_out:
        with open(json_out, "w") as f:
            json.dump({"backend": backend, "first_result_ms": first_ms, "rounds": rounds, "seconds": total,
                       "tasks": tasks}, f)


if __name__ == "__main__":
    main(sys.argv[1:])
