# The end-to-end demo run by `./tessera demo`: fill a host array from Python through a writable view.
import time
import tessera


def write(mv, n):
    for i in range(n):
        mv[i] = i * 0.5


def fill(n, rounds=6):
    """Fills the array `rounds` times (the first round includes JIT compilation); returns the seconds of each."""
    a = tessera.zeros(n, "d", name="demo")
    seconds = []
    with a.slice(0, n) as view:        # a writable lease on all n rows
        mv = memoryview(view)          # a real memoryview over host memory, format 'd'
        for _ in range(rounds):
            t0 = time.perf_counter()
            write(mv, n)
            seconds.append(time.perf_counter() - t0)
    checksum = 0.0
    for x in memoryview(a):            # read back through a read-only view
        checksum += x
    return a, checksum, tuple(seconds)


def release(a):
    """Give the memory back, then show what Python sees afterwards: a clear error, not a crash."""
    a.release()
    try:
        memoryview(a)[0]
    except ValueError as e:
        return f"ValueError: {e}"
    return "no error"
