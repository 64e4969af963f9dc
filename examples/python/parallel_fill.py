"""Fill one host array in parallel: each worker interpreter gets its own writable slice.

    ./tessera run examples/python/parallel_fill.py [ELEMENTS] [WORKERS] [ROUNDS]

Each round fills the whole array again; the first rounds include JIT compilation.
"""
import sys
import time

import tessera


def fill(mv, start):
    """Runs in a worker: mv is a memoryview over rows [start, start + len(mv)) of the host array."""
    for i in range(len(mv)):
        mv[i] = (start + i) * 0.5
    return len(mv)


if __name__ == "__main__":           # workers import this file too; only the main interpreter runs this block
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 20_000_000
    workers = int(sys.argv[2]) if len(sys.argv) > 2 else 2
    rounds = int(sys.argv[3]) if len(sys.argv) > 3 else 5
    a = tessera.zeros(n, "d")
    with tessera.InterpreterPool(workers) as pool:
        print(f"{workers} workers started in {pool.startup_seconds:.2f} s")
        step = -(-n // workers)
        for r in range(rounds):
            attempt = f"round {r}" + (" (includes JIT warm-up)" if r == 0 else "")
            t0 = time.perf_counter()
            futures = [pool.submit(fill, a.slice(lo, min(lo + step, n)), lo) for lo in range(0, n, step)]
            filled = sum(f.result() for f in futures)
            seconds = time.perf_counter() - t0
            print(f"{attempt}: {filled:,} float64 in {seconds:.2f} s = {filled / seconds / 1e6:.0f} M/s")
    checksum = tessera.kernels.sum(a)  # exact here: every partial sum is a multiple of 0.5 below 2**52
    expected = 0.5 * n * (n - 1) / 2
    print(f"checksum {checksum:.1f}, expected {expected:.1f}: {'OK' if checksum == expected else 'MISMATCH'}")
    a.release()
    sys.exit(0 if checksum == expected else 1)
