"""What a value that is not shareable costs to send to another interpreter and back: a dict of 100 lists of 100 ints
(the issue's yardstick), as a task's argument and result.

    ./tessera run bench/python/dict_round_trip.py [--rounds N] [--tasks N]
    python3 bench/python/dict_round_trip_cpython.py       # the CPython peer (ProcessPoolExecutor)

Rows: tessera.InterpreterPool (one worker), concurrent.futures.InterpreterPoolExecutor (one interpreter) and
Interpreter.call (a dedicated interpreter); each round sends --tasks tasks one after another (each waits for its
result) and prints the median of the per-round mean round trip over the last half of the rounds. The host copies the
dict item by item (no pickle); the trivial task (an int) is the floor of each row.
"""
import statistics
import sys
import time

import tessera


def echo(x):
    return x


def payload():
    return {f"k{i}": list(range(100)) for i in range(100)}


def rounds_of(call, value, rounds, tasks):
    means = []
    for _ in range(rounds):
        t0 = time.perf_counter()
        for _ in range(tasks):
            call(value)
        means.append((time.perf_counter() - t0) / tasks * 1e6)
    return statistics.median(means[len(means) // 2:])


def main():
    rounds = int(sys.argv[sys.argv.index("--rounds") + 1]) if "--rounds" in sys.argv else 20
    tasks = int(sys.argv[sys.argv.index("--tasks") + 1]) if "--tasks" in sys.argv else 200
    from concurrent import interpreters
    from concurrent.futures import InterpreterPoolExecutor

    d = payload()
    pool = tessera.InterpreterPool(1, spare_workers=0)
    executor = InterpreterPoolExecutor(max_workers=1)
    interp = interpreters.create()
    assert pool.submit(echo, d).result() == d and executor.submit(echo, d).result() == d and interp.call(echo, d) == d
    rows = [
        ("tessera.InterpreterPool", lambda v: pool.submit(echo, v).result()),
        ("InterpreterPoolExecutor", lambda v: executor.submit(echo, v).result()),
        ("Interpreter.call", lambda v: interp.call(echo, v)),
    ]
    for name, call in rows:
        trivial = rounds_of(call, 1, rounds, tasks)
        big = rounds_of(call, d, rounds, tasks)
        print(f"{name:26s} dict of 100 lists round trip {big:8.0f} us   trivial {trivial:6.0f} us")
    pool.shutdown()
    executor.shutdown()
    interp.close()


if __name__ == "__main__":
    main()
