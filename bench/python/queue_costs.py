"""What one queue put and one get cost inside one interpreter (no hand-off): the main interpreter's and a worker's.

    ./tessera run bench/python/queue_costs.py [--rounds N] [--items N]

Each round puts N ints into a new unbounded queue, then gets them back, in one thread; prints the nanoseconds per put
and per get of the last rounds, after a first pass of the same rounds in the main interpreter as warm-up. The
crossings between interpreters (bench/python/crossings.py) cost more: the items then change cores. This is the part
that each call costs.
"""
import statistics
import sys
import time

import tessera


def costs(rounds, items):
    """(put ns, get ns) medians of the last third of the rounds, in the calling interpreter."""
    puts, gets = [], []
    for _ in range(rounds):
        q = tessera.create_queue()
        put, get = q.put, q.get
        t0 = time.perf_counter()
        for i in range(items):
            put(i)
        t1 = time.perf_counter()
        for _ in range(items):
            get()
        t2 = time.perf_counter()
        puts.append((t1 - t0) / items * 1e9)
        gets.append((t2 - t1) / items * 1e9)
    last = max(1, rounds // 3)
    return statistics.median(puts[-last:]), statistics.median(gets[-last:])


def main():
    rounds = int(sys.argv[sys.argv.index("--rounds") + 1]) if "--rounds" in sys.argv else 30
    items = int(sys.argv[sys.argv.index("--items") + 1]) if "--items" in sys.argv else 300_000
    costs(rounds, items)  # warm-up: on 2 cores the JIT is still at work for the first few million calls
    put, get = costs(rounds, items)
    print(f"main interpreter: put {put:.0f} ns, get {get:.0f} ns")
    with tessera.InterpreterPool(1) as pool:
        put, get = pool.submit(costs, rounds, items).result()
    print(f"worker:           put {put:.0f} ns, get {get:.0f} ns")


if __name__ == "__main__":
    main()
