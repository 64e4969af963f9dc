"""What `tessera serve` runs at its start, a few times over, each time in a new main interpreter with a new pool (as
a user's script gets them): the task paths a script takes (one task after another, beside a long task, in bulk,
map), interpreters and queues, an array filled by workers and summed by a kernel. The compilers do their first work
on this instead of on the user's first script: the JVM's compiler compiles GraalPy and the Graal compiler, and the
Graal compiler compiles Tessera's own Python, which meets a new interpreter's classes in each run until it is compiled
for any of them. Nothing of a run reaches the next, nor any user's script.

    warm_up.py SECONDS
"""
import sys
import time


def fib(n):
    return n if n < 2 else fib(n - 1) + fib(n - 2)


def noop(x):
    return x


def fill(view, start):
    for i in range(len(view)):
        view[i] = (start + i) * 0.5
    return len(view)


def _tasks(pool, end):
    while time.monotonic() < end:
        for _ in range(200):
            pool.submit(fib, 10).result()
        long = pool.submit(fib, 22)
        for _ in range(100):
            pool.submit(noop, 1).result()
        long.result()
        futures = [pool.submit(noop, i) for i in range(1000)]
        if [f.result() for f in futures] != list(range(1000)):
            raise SystemExit("warm-up: bulk results out of order")
        if sum(pool.map(noop, range(100))) != 4950:
            raise SystemExit("warm-up: map gave a wrong sum")


def _arrays(pool, tessera):
    n = 1 << 16
    with tessera.zeros(n, "d") as a:
        half = n // 2
        done = [pool.submit(fill, a.slice(0, half), 0), pool.submit(fill, a.slice(half, n), half)]
        if sum(f.result() for f in done) != n:
            raise SystemExit("warm-up: fill covered the wrong rows")
        if tessera.kernels.sum(a) != 0.5 * n * (n - 1) / 2:
            raise SystemExit("warm-up: the kernel's sum is wrong")


def _interpreters():
    from concurrent import interpreters
    q = interpreters.create_queue()
    interp = interpreters.create()
    try:
        interp.prepare_main(q=q)
        interp.exec("q.put(2 + 2)")
        if q.get() != 4 or interp.call(noop, 5) != 5:
            raise SystemExit("warm-up: an interpreter gave a wrong answer")
    finally:
        interp.close()


def main(seconds):
    import tessera
    end = time.monotonic() + seconds
    with tessera.InterpreterPool(2) as pool:
        _arrays(pool, tessera)
        _interpreters()
        _tasks(pool, end)


if __name__ == "__main__":
    main(float(sys.argv[1]) if len(sys.argv) > 1 else 2.0)
