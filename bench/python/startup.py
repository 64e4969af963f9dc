"""Start-up, as the subinterpreter talks compare it: N threads vs N interpreters vs N processes, each computing 2 + 2
(N = 100; the time covers creating them, running, and waiting for all to finish).

    ./tessera run bench/python/startup.py [--tiny] [--json FILE] [--no-peer]

Tessera's threads are Python threads of the main interpreter; its interpreters are the workers of one pool (they
start in parallel). The CPython peer (startup_cpython.py with python3): threads, subinterpreters created one after
another with _xxsubinterpreters (3.11's private module), and spawned processes.
"""
import os
import sys
import time

import benchrows
import tessera

HERE = os.path.dirname(os.path.abspath(__file__))


# What each interpreter runs, as source, like the CPython peer's run_string(i, "x = 2 + 2"): a function of this
# script would make every worker import the script first, and with it benchrows' json and subprocess (the peer's
# subinterpreters import nothing).
TWO_PLUS_TWO = tessera.source("def two_plus_two():\n    return 2 + 2\n", "two_plus_two")


def interpreters(n):
    t0 = time.perf_counter()
    with tessera.InterpreterPool(n, spare_workers=0) as pool:  # returns once its workers are up
        fs = [pool.submit(TWO_PLUS_TWO) for _ in range(n)]
        assert [f.result() for f in fs] == [4] * n
    return time.perf_counter() - t0


def main():
    tiny = "--tiny" in sys.argv
    json_out = sys.argv[sys.argv.index("--json") + 1] if "--json" in sys.argv else None
    n = 3 if tiny else 100
    benchrows.thread_start_seconds(n)  # once to load what threads need
    t = min(benchrows.thread_start_seconds(n) for _ in range(3))
    i = interpreters(n)
    peer = {} if tiny or "--no-peer" in sys.argv else benchrows.run_peer(
        [benchrows.PYTHON, os.path.join(HERE, "startup_cpython.py"), str(n)])
    rows = []
    name, value = benchrows.peer_value(peer, "threads_seconds")
    rows.append(benchrows.row("startup_threads_seconds", f"{n} threads computing 2 + 2", "s", t, value, name))
    name, value = benchrows.peer_value(peer, "interpreters_seconds")
    rows.append(benchrows.row("startup_interpreters_seconds", f"{n} interpreters computing 2 + 2", "s", i, value, name,
                              f"< {n * 0.035:.1f} s (published: 35 ms each)", i < n * 0.035))
    name, value = benchrows.peer_value(peer, "processes_seconds")
    rows.append(benchrows.row("startup_processes_seconds", f"{n} processes (CPython) vs {n} interpreters (Tessera)", "s",
                              i, value, name, "faster than processes", None if value is None else i < value))
    for r in rows:
        peer_text = "-" if r["peer"] is None else f"{r['peer']:.3f} s ({r['peer_name']})"
        print(f"{r['label']:56} Tessera {r['tessera']:8.3f} s   peer {peer_text}")
    if "error" in peer:
        print(f"CPython peer: {peer['error']}")
    benchrows.write(json_out, rows, {"peer_error": peer.get("error")})


if __name__ == "__main__":
    main()
