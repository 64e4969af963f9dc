"""Worker speed: how fast a worker runs a Python loop over a view, how soon a pool is warm, how fast a worker
starts, how big an idle worker is, how fast `tessera run` starts.

    ./tessera run bench/python/worker_speed.py [--quick | --tiny] [--json FILE] [--no-peer]

The loop is `for i in range(len(mv)): mv[i] = (lo + i) * 0.5` over float64. The warm-up is measured first, in a
fresh process, because everything after it runs on the engine it warmed. The CPython peer
(worker_speed_cpython.py, run with python3) is measured in the same run.
"""
import json
import os
import statistics
import subprocess
import sys
import time

import benchrows
import tessera

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))


def fill(mv, lo):
    """The loop; it returns the seconds it took, so that a worker's loop is timed as the main interpreter's and
    CPython's peer's are (the caller times the whole task too)."""
    t0 = time.perf_counter()
    for i in range(len(mv)):
        mv[i] = (lo + i) * 0.5
    return time.perf_counter() - t0


def noop(x):
    return x


def forever():
    while True:
        pass


def fill_main(mv, lo):  # the same loop, its own function for the main interpreter
    for i in range(len(mv)):
        mv[i] = (lo + i) * 0.5
    return len(mv)


def fill_bytearray(mv, lo):
    for i in range(len(mv)):
        mv[i] = (lo + i) * 0.5
    return len(mv)


def warmup(n, rounds):
    """A fresh pool of 2 fills 2n float64 per round; the seconds spent until a round runs at half the steady
    rate (the median of the last third of the rounds)."""
    a = tessera.zeros(2 * n, "d")
    times = []
    with tessera.InterpreterPool(2) as pool:
        for _ in range(rounds):
            t0 = time.perf_counter()
            fs = [pool.submit(fill, a.slice(lo, lo + n), lo) for lo in (0, n)]
            for f in fs:
                f.result()
            times.append(time.perf_counter() - t0)
    a.release()
    rates = [2 * n / t for t in times]
    steady = statistics.median(rates[-max(2, rounds // 3):])
    spent = 0.0
    for t, r in zip(times, rates):
        if r >= steady / 2:
            break
        spent += t
    return {"warmup_seconds_to_half_steady": spent, "warmup_first_round_seconds": times[0],
            "warmup_round_rates": [round(r / 1e6, 1) for r in rates], "warmup_steady_rate": steady}


def steady(rates):
    return statistics.median(rates[len(rates) // 2:])


def rates(n, rounds):
    """Each round: the main interpreter through a view and through a bytearray, one worker alone, two workers
    together; interleaved, so that a drift of the machine's speed touches all four alike."""
    a = tessera.zeros(2 * n, "d")
    view = a.slice(0, n)
    tmv = memoryview(view)
    bmv = memoryview(bytearray(8 * n)).cast("d")
    main_view, main_bytes, one, one_task, two = [], [], [], [], []
    with tessera.InterpreterPool(2) as pool:
        for _ in range(rounds):
            t0 = time.perf_counter()
            fill_main(tmv, 0)
            t1 = time.perf_counter()
            fill_bytearray(bmv, 0)
            t2 = time.perf_counter()
            main_view.append(n / (t1 - t0))
            main_bytes.append(n / (t2 - t1))
            t0 = time.perf_counter()
            loop_seconds = pool.submit(fill, a.slice(n, 2 * n), n).result()
            one_task.append(n / (time.perf_counter() - t0))
            one.append(n / loop_seconds)
            t0 = time.perf_counter()
            view.release()
            fs = [pool.submit(fill, a.slice(lo, lo + n), lo) for lo in (0, n)]
            for f in fs:
                f.result()
            two.append(2 * n / (time.perf_counter() - t0))
            view = a.slice(0, n)
            tmv = memoryview(view)
    view.release()
    a.release()
    return {"main_view_rate": steady(main_view), "main_bytearray_rate": steady(main_bytes),
            "rounds_main_bytearray": [round(r / 1e6) for r in main_bytes],
            "one_worker_rate": steady(one), "one_worker_task_rate": steady(one_task), "two_workers_rate": steady(two),
            "rounds_main_view": [round(r / 1e6) for r in main_view], "rounds_one_worker": [round(r / 1e6) for r in one],
            "rounds_one_worker_task": [round(r / 1e6) for r in one_task],
            "rounds_two_workers": [round(r / 1e6) for r in two]}


def new_worker(repeats):
    """A worker's start on a warm engine, to the result of a task from a small module (tiny_task.noop; a task of
    this script would import this script's modules first), and a replacement's (a spare worker taking over)."""
    import tiny_task
    cold = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        with tessera.InterpreterPool(1, spare_workers=0) as pool:
            pool.submit(tiny_task.noop, 1).result()
            cold.append(time.perf_counter() - t0)
    spare = []
    with tessera.InterpreterPool(1, spare_workers=1) as pool:
        pool.submit(tiny_task.noop, 1).result()
        for _ in range(repeats):
            while pool.stats()["spares"] == 0:  # the spare is started in the background
                time.sleep(0.01)
            f = pool.submit(forever)
            while not f.running():
                time.sleep(0.001)
            f.cancel(interrupt=True)
            t0 = time.perf_counter()
            pool.submit(tiny_task.noop, 1).result()
            spare.append(time.perf_counter() - t0)
    return {"new_worker_cold_ms": statistics.median(cold) * 1e3, "new_worker_from_spare_ms": statistics.median(spare) * 1e3}


def run_cold(repeats):
    """`tessera run` of a one-line script in a new process, as a shell would time it. This process's own first
    `subprocess.run` calls set its JIT compiling for seconds (1.5-3.3 s of CPU during each of the first three,
    measured), which took a core from the child: the same one-liner timed 5.4 s then and 2.9 s once this process
    was quiet. So the subprocess path is warmed first, until a call costs this process almost no CPU."""
    for _ in range(20):
        benchrows.settle(limit=10)
        c0 = benchrows.process_cpu_seconds()
        subprocess.run([benchrows.PYTHON, "-c", "import time; time.sleep(0.5)"], check=True, capture_output=True)
        if benchrows.process_cpu_seconds() - c0 < 0.1:
            break
    script = os.path.join(HERE, "one_line.py")
    times = []
    for _ in range(repeats):
        benchrows.settle()
        t0 = time.perf_counter()
        subprocess.run([os.path.join(ROOT, "tessera"), "run", script], check=True, capture_output=True,
                       env=dict(os.environ, TESSERA_NO_SERVICE="1"))  # cold even where a `tessera serve` runs
        times.append(time.perf_counter() - t0)
    return {"run_one_line_cold_seconds": statistics.median(times)}


def memory(count):
    """Idle workers added to as many warm ones, in a fresh process whose heap is fixed and touched at start (so that
    the collector's growing and shrinking of the heap does not move RSS): live heap after a full GC, and RSS, per
    added worker."""
    out = subprocess.run([os.path.join(ROOT, "tessera"), "run", os.path.abspath(__file__), "--memory-only", str(count)],
                         capture_output=True, text=True, check=True,
                         env=dict(os.environ, TESSERA_JAVA_OPTS="-Xms2g -Xmx2g -XX:+AlwaysPreTouch"))
    return json.loads(out.stdout.strip().splitlines()[-1])


def memory_here(count):
    mb = 1024 * 1024
    base_pool = tessera.InterpreterPool(count, spare_workers=0)
    for f in [base_pool.submit(noop, i) for i in range(count)]:
        f.result()
    # Each reading once the JIT is quiet (2 s in a row): a compilation in flight holds tens of MB of graphs on the
    # heap and up to 140 MB of compiler arenas outside it (native memory tracking, 20 workers just started); one
    # that ended between the readings made the figure negative (-1.3 MB per worker), one that began 8 MB too high.
    benchrows.settle(limit=60, window=2.0)
    heap0, rss0 = tessera._host.process_memory(True)[:2]
    added = tessera.InterpreterPool(count, spare_workers=0)
    added.startup_seconds  # waits until its workers are up
    benchrows.settle(limit=60, window=2.0)
    heap1, rss1 = tessera._host.process_memory(True)[:2]
    added.shutdown()
    base_pool.shutdown()
    heap = (heap1 - heap0) / count / mb
    # The pre-touched heap is resident already: RSS grows by what a worker holds outside it (thread stack, code,
    # metaspace, native); its heap share is the live heap it added.
    return {"idle_worker_heap_mb": heap, "idle_worker_rss_mb": (rss1 - rss0) / count / mb + heap,
            "idle_worker_outside_heap_mb": (rss1 - rss0) / count / mb}


ROWS = [
    ("main_view_rate", "main interpreter, steady (view)", "M/s", ">= 90% of bytearray"),
    ("main_bytearray_rate", "main interpreter, steady (bytearray)", "M/s", "reference"),
    ("one_worker_rate", "one worker, steady (its loop timed in the task, as main's)", "M/s", ">= 90% of main"),
    ("one_worker_task_rate", "one worker, the task timed by the caller (crossing, wake-ups)", "M/s", ""),
    ("two_workers_rate", "two workers together (timed by the caller)", "M/s", ">= 1.85x one worker's task"),
    ("warmup_seconds_to_half_steady", "warm-up: seconds until half the steady rate", "s", "< 1.5 s"),
    ("warmup_first_round_seconds", "warm-up: first round (2 x N float64)", "s", ""),
    ("new_worker_cold_ms", "new worker on a warm engine, to first result", "ms", "< 50 ms"),
    ("new_worker_from_spare_ms", "replaced worker (spare), to first result", "ms", "< 50 ms"),
    ("run_one_line_cold_seconds", "tessera run of a one-line script, cold", "s", "< 2 s"),
    ("idle_worker_heap_mb", "heap per idle worker", "MB", "< 3 MB"),
    ("idle_worker_rss_mb", "memory per idle worker (live heap + RSS outside it)", "MB", "< 5 MB"),
]


def goals(r):
    checks = {
        "main_view_rate": lambda: r["main_view_rate"] >= 0.9 * r["main_bytearray_rate"],
        "one_worker_rate": lambda: r["one_worker_rate"] >= 0.9 * r["main_view_rate"],
        "two_workers_rate": lambda: r["two_workers_rate"] >= 1.85 * r["one_worker_task_rate"],
        "warmup_seconds_to_half_steady": lambda: r["warmup_seconds_to_half_steady"] < 1.5,
        "new_worker_cold_ms": lambda: r["new_worker_cold_ms"] < 50,
        "new_worker_from_spare_ms": lambda: r["new_worker_from_spare_ms"] < 50,
        "run_one_line_cold_seconds": lambda: r["run_one_line_cold_seconds"] < 2,
        "idle_worker_heap_mb": lambda: r["idle_worker_heap_mb"] < 3,
        "idle_worker_rss_mb": lambda: r["idle_worker_rss_mb"] < 5,
    }
    return {k: check() for k, check in checks.items() if k in r}


def fmt(v, unit):
    if unit == "M/s":
        return f"{v / 1e6:.0f} M/s"
    if unit == "s":
        return f"{v:.2f} s"
    if unit == "ms":
        return f"{v:.0f} ms"
    return f"{v:.1f} {unit}"


def peer(quick):
    return benchrows.run_peer([benchrows.PYTHON, os.path.join(HERE, "worker_speed_cpython.py")] + (["--quick"] if quick else []))


def bench_rows(r, cpython, met):
    rows = []
    for key, label, unit, goal in ROWS:
        if key not in r:
            continue
        name, value = benchrows.peer_value(cpython, key)
        rows.append(benchrows.row(key, label, unit, r[key], value, name, goal, met.get(key),
                                  higher_is_better=unit == "M/s"))
    return rows


def main():
    quick = "--quick" in sys.argv
    tiny = "--tiny" in sys.argv  # plumbing only: tiny sizes, nothing in fresh processes, no peer
    json_out = sys.argv[sys.argv.index("--json") + 1] if "--json" in sys.argv else None
    if "--memory-only" in sys.argv:
        print(json.dumps(memory_here(int(sys.argv[sys.argv.index("--memory-only") + 1]))))
        return
    n = 20_000 if tiny else 2_000_000 if quick else 10_000_000
    cold = {} if tiny else run_cold(1 if quick else 3)  # first: later phases leave this process's JIT busy for a while
    r = warmup(n, 2 if tiny else 8 if quick else 12)
    if "--warmup-only" in sys.argv:
        print(f"warm-up: {r['warmup_seconds_to_half_steady']:.2f} s to half the steady rate; first round "
              f"{r['warmup_first_round_seconds']:.2f} s; rounds (M/s): {r['warmup_round_rates']}")
        return
    r.update(rates(n, 2 if tiny else 8 if quick else 20))
    r.update(new_worker(1 if tiny else 3 if quick else 5))
    r.update(memory_here(2) if tiny else memory(20))  # 4 workers in quick runs gave -1.3 to 3 MB each: noise
    r.update(cold)
    cpython = {} if "--no-peer" in sys.argv or tiny else peer(quick)
    met = {k: v for k, v in goals(r).items() if k in r}
    rows = bench_rows(r, cpython, met)
    print(f"{'figure':52} {'Tessera':>12} {'CPython peer':>40} {'goal':>20}  met")
    for row in rows:
        peer_text = "-" if row["peer"] is None else f"{fmt(row['peer'], row['unit'])} ({row['peer_name']})"
        met_text = "" if row["met"] is None else "yes" if row["met"] else "no"
        print(f"{row['label']:52} {fmt(row['tessera'], row['unit']):>12} {peer_text:>40} {row['goal']:>20}  {met_text}")
    print(f"warm-up rounds (M/s): {r['warmup_round_rates']}")
    print(f"rounds, main through a view (M/s): {r['rounds_main_view']}")
    print(f"rounds, main through a bytearray (M/s): {r['rounds_main_bytearray']}")
    print(f"rounds, one worker (M/s): {r['rounds_one_worker']}")
    print(f"rounds, one worker's task from the caller (M/s): {r['rounds_one_worker_task']}")
    print(f"rounds, two workers (M/s): {r['rounds_two_workers']}")
    if "error" in cpython:
        print(f"CPython peer: {cpython['error']}")
    benchrows.write(json_out, rows, {"peer_error": cpython.get("error"), "details": {
        k: r[k] for k in ("warmup_round_rates", "rounds_main_view", "rounds_main_bytearray", "rounds_one_worker", "rounds_one_worker_task",
                          "rounds_two_workers")}})


if __name__ == "__main__":
    main()
