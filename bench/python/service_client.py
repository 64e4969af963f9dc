"""The service's goals, measured from CPython against a running `./tessera serve --sys-path bench/python`:

    ./tessera serve --sys-path bench/python &
    python3 bench/python/service_client.py [--gib 1] [--jobs 2000]

Prints: attaching a large array (median of 20; RSS of this process before and after touching it), a trivial job's
round trip (median and p99) beside ProcessPoolExecutor(2)'s, and `./tessera run hello.py` warm (through the service)
and cold (TESSERA_NO_SERVICE=1), each the median of a few wall-clock runs.
"""
import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ProcessPoolExecutor

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, os.path.join(ROOT, "service", "python"))
import tessera_client  # noqa: E402


def rss_mib():
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return float("nan")


def noop(x):
    return x


def percentile(values, p):
    values = sorted(values)
    return values[min(len(values) - 1, int(len(values) * p))]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--gib", type=float, default=1.0)
    ap.add_argument("--jobs", type=int, default=2000)
    ap.add_argument("--runs", type=int, default=5)
    a = ap.parse_args()
    with tessera_client.connect() as c:
        n = int(a.gib * (1 << 30)) // 8
        c.zeros("bench_big", n, "float64")
        times = []
        for _ in range(20):
            t = time.perf_counter()
            m = c.attach("bench_big")
            times.append(time.perf_counter() - t)
            del m
        r0 = rss_mib()
        m = c.attach("bench_big")
        r1 = rss_mib()
        m[::512] = 1.0  # one write per 4 KiB page
        r2 = rss_mib()
        print(f"attach {a.gib:g} GiB: median {statistics.median(times) * 1e3:.2f} ms (max {max(times) * 1e3:.2f} ms), "
              f"descriptor passed: {c.passed_descriptor}; RSS here {r0:.0f} -> {r1:.0f} MiB attached -> {r2:.0f} MiB touched")
        del m
        c.release("bench_big")

        for _ in range(200):
            c.submit("tiny_task", "noop", 1)
        rt = []
        for i in range(a.jobs):
            t = time.perf_counter()
            c.submit("tiny_task", "noop", i)
            rt.append(time.perf_counter() - t)
    with ProcessPoolExecutor(2) as ex:
        for _ in range(200):
            ex.submit(noop, 1).result()
        prt = []
        for i in range(a.jobs):
            t = time.perf_counter()
            ex.submit(noop, i).result()
            prt.append(time.perf_counter() - t)
    print(f"trivial job round trip: median {statistics.median(rt) * 1e3:.3f} ms, p99 {percentile(rt, 0.99) * 1e3:.3f} ms; "
          f"ProcessPoolExecutor(2) median {statistics.median(prt) * 1e3:.3f} ms, p99 {percentile(prt, 0.99) * 1e3:.3f} ms")

    with tempfile.TemporaryDirectory() as d:
        hello = os.path.join(d, "hello.py")
        with open(hello, "w") as f:
            f.write('print("hello")\n')
        for label, env in (("warm (service)", {}), ("cold", {"TESSERA_NO_SERVICE": "1"})):
            walls = []
            for _ in range(a.runs if not env else min(a.runs, 3)):
                t = time.perf_counter()
                out = subprocess.run([os.path.join(ROOT, "tessera"), "run", hello], capture_output=True, text=True,
                                     env={**os.environ, **env})
                walls.append(time.perf_counter() - t)
                assert out.returncode == 0 and out.stdout == "hello\n", (out.returncode, out.stdout, out.stderr)
                time.sleep(1.5)  # the service makes its next spare
            print(f"./tessera run hello.py, {label}: median {statistics.median(walls) * 1e3:.0f} ms "
                  f"(runs: {', '.join(f'{w * 1e3:.0f}' for w in walls)} ms)")


if __name__ == "__main__":
    main()
