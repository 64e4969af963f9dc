"""CPython's peer of dict_round_trip.py: the same dict of 100 lists of 100 ints through ProcessPoolExecutor (one
worker process), sent and returned task after task. CPython 3.14's InterpreterPoolExecutor is measured too when the
python running this has it (the pyenv python3 here is 3.11, which has not).

    python3 bench/python/dict_round_trip_cpython.py [--rounds N] [--tasks N]
"""
import statistics
import sys
import time
from concurrent.futures import ProcessPoolExecutor


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
    d = payload()
    executors = [("ProcessPoolExecutor", ProcessPoolExecutor(1))]
    try:
        from concurrent.futures import InterpreterPoolExecutor
        executors.append(("InterpreterPoolExecutor", InterpreterPoolExecutor(1)))
    except ImportError:
        print(f"python {sys.version.split()[0]} has no InterpreterPoolExecutor (CPython 3.14+): not measured")
    for name, ex in executors:
        assert ex.submit(echo, d).result() == d
        trivial = rounds_of(lambda v: ex.submit(echo, v).result(), 1, rounds, tasks)
        big = rounds_of(lambda v: ex.submit(echo, v).result(), d, rounds, tasks)
        print(f"{name:26s} dict of 100 lists round trip {big:8.0f} us   trivial {trivial:6.0f} us")
        ex.shutdown()


if __name__ == "__main__":
    main()
