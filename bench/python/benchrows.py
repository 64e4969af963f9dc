"""The one format every benchmark script hands to `tessera bench`: a list of rows, written as JSON with --json FILE.

A row is one figure: Tessera's value, its peer's (CPython, numpy, plain Java...) measured in the same run, the goal
and whether it was met. Units: "/s" rates are per second (e.g. "M/s" values are plain items per second), times are
in the unit named ("us", "ms", "s"), sizes in "MB"; `higher_is_better` says which way the ratio points.
Importable by the Tessera scripts (GraalPy) and by their CPython peers alike.
"""
import json
import subprocess
import sys
import threading
import time


def _peer_python():
    """The CPython the peers run on: `--python EXE` when `tessera bench` passes one (it resolves python3 on its PATH;
    a Tessera interpreter has no environment, so a bare "python3" would be looked up in the system's default path)."""
    return sys.argv[sys.argv.index("--python") + 1] if "--python" in sys.argv[:-1] else "python3"


PYTHON = _peer_python()

LOWER_IS_BETTER_UNITS = ("us", "ms", "s", "MB")


def row(key, label, unit, tessera, peer=None, peer_name=None, goal="", met=None, higher_is_better=None):
    if higher_is_better is None:
        higher_is_better = unit not in LOWER_IS_BETTER_UNITS
    return {"key": key, "label": label, "unit": unit, "tessera": tessera, "peer": peer, "peer_name": peer_name,
            "goal": goal, "met": met, "higher_is_better": higher_is_better}


def peer_value(peers, key):
    """(name, value) of a peer figure from a peer script's {key: [name, value]} output, or (None, None)."""
    p = peers.get(key) if isinstance(peers, dict) else None
    return (p[0], p[1]) if p else (None, None)


def write(path, rows, extra=None):
    if path:
        with open(path, "w") as f:
            json.dump(dict({"rows": rows}, **(extra or {})), f, indent=1)


def run_peer(argv, timeout=900):
    """Runs a CPython peer script that prints one JSON object as its last line; {"error": why} when it cannot."""
    try:
        out = subprocess.run(argv, capture_output=True, text=True, timeout=timeout)
        if out.returncode != 0:
            return {"error": (out.stderr.strip().splitlines() or [f"exit {out.returncode}"])[-1]}
        return json.loads(out.stdout.strip().splitlines()[-1])
    except (OSError, subprocess.SubprocessError, ValueError, IndexError) as e:
        return {"error": f"{argv[0]} not run: {e}"}


def process_cpu_seconds():
    """Tessera scripts only: CPU seconds of the whole process (every thread, the JIT's and the collector's too)."""
    import tessera
    return tessera._host.process_memory(False)[3] / 1e9


def settle(limit=40.0, window=1.0, busy=0.05):
    """Tessera scripts only: waits (at most `limit` s) until the process uses under `busy` of a core: for about
    10-20 s after start, and again after new code, a Tessera process's JIT compilers and the collections their
    allocations cause share the 2 cores with whatever is timed meanwhile. The CPU time is the whole process's, from
    the host (GraalPy's resource.getrusage sums only the JVM's live threads: it goes back when threads end). Returns
    the seconds waited."""
    t0 = time.perf_counter()
    while time.perf_counter() - t0 < limit:
        c0 = process_cpu_seconds()
        time.sleep(window)
        if process_cpu_seconds() - c0 < busy * window:
            break
    return time.perf_counter() - t0


def best_rate(nbytes, fn, seconds, min_reps=5, clock=time.perf_counter, own_seconds=False):
    """Warm up, then the best rate (nbytes per second) of repeated calls of fn over `seconds`, at least min_reps:
    how kernels.py and its numpy peer time the same operations the same way. clock=time.thread_time times the
    calling thread's CPU instead of the wall (for a shared, overloaded machine: a kernel runs on the calling thread,
    in Tessera as in numpy). own_seconds=True: fn returns the seconds to count itself (e.g. the span of work in
    workers, without the tasks' crossing)."""
    end = time.perf_counter() + seconds
    for _ in range(3):
        fn()
    best = 0.0
    reps = 0
    while reps < min_reps or time.perf_counter() < end:
        t0 = clock()
        took = fn()
        best = max(best, nbytes / max(took if own_seconds else clock() - t0, 1e-9))
        reps += 1
    return best


def thread_start_seconds(n):
    """Seconds to start and join n threads that each compute 2 + 2: the same measure in Tessera and in CPython."""
    results = []
    t0 = time.perf_counter()
    ts = [threading.Thread(target=lambda: results.append(2 + 2)) for _ in range(n)]
    for t in ts:
        t.start()
    for t in ts:
        t.join()
    elapsed = time.perf_counter() - t0
    assert results == [4] * n
    return elapsed
