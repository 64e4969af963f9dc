"""Python-loop write rate through a Tessera view vs a bytearray memoryview, in the same interpreter.

    ./tessera run bench/python/write_rate.py [ELEMENTS] [ROUNDS]

Each round writes ELEMENTS float64 with `for i in range(n): mv[i] = i * 0.5` into each buffer, in turn.
The first rounds include JIT compilation; the figures quoted are medians over the second half of the rounds.
Each buffer has its own fill function so that neither one's compiled code is shared with the other's.
"""
import statistics
import sys
import time

import tessera


def fill_tessera(mv, n):
    for i in range(n):
        mv[i] = i * 0.5


def fill_bytearray(mv, n):
    for i in range(n):
        mv[i] = i * 0.5


def main():
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 10_000_000
    rounds = int(sys.argv[2]) if len(sys.argv) > 2 else 20
    array = tessera.zeros(n, "d")
    view = array.slice(0, n)
    tmv = memoryview(view)
    bmv = memoryview(bytearray(8 * n)).cast("d")
    t_rates, b_rates = [], []
    for r in range(rounds):
        t0 = time.perf_counter()
        fill_tessera(tmv, n)
        t1 = time.perf_counter()
        fill_bytearray(bmv, n)
        t2 = time.perf_counter()
        t_rates.append(n / (t1 - t0) / 1e6)
        b_rates.append(n / (t2 - t1) / 1e6)
        print(f"round {r:2d}: tessera view {t_rates[-1]:7.0f} M/s   bytearray {b_rates[-1]:7.0f} M/s", flush=True)
    assert tmv[n - 1] == (n - 1) * 0.5 and bytes(tmv) == bytes(bmv)
    half = rounds // 2
    t_med, b_med = statistics.median(t_rates[half:]), statistics.median(b_rates[half:])
    print(f"median of rounds {half}..{rounds - 1}: tessera view {t_med:.0f} M float64/s, "
          f"bytearray memoryview {b_med:.0f} M float64/s, ratio {t_med / b_med:.2f}")
    view.release()
    array.release()


main()
