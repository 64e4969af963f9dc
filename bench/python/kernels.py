"""tessera.kernels against numpy (measured in the same run) and against plain Java's memory bandwidth.

    ./tessera run bench/python/kernels.py [--quick | --tiny] [--reference FILE] [--json FILE] [--no-peer]

Each figure is the best of repeated calls after a first pass over all kernels (warm-up), in GB/s of the array the kernel runs over (8 bytes per
float64, 4 per int32). The numpy peer (kernels_numpy.py, run with python3) does the same operations on arrays of the
same size with the same method. --reference FILE is the plain-Java bandwidth reference that `tessera bench` measures
(fill and sum over a MemorySegment, 1 and 2 threads): fill and sum must reach 85% of it.
"""
import json
import os
import sys
import time
import zlib

import benchrows
import tessera
from tessera import kernels as K

HERE = os.path.dirname(os.path.abspath(__file__))


def _at(start_at):
    """Waits for the common start (time.monotonic is the process's clock, the same in every interpreter), as the
    plain-Java reference's threads wait at a barrier; when this worker started."""
    while time.monotonic() < start_at:
        pass
    return time.monotonic()


def fill_half(view, value, start_at):  # runs in a worker; when its kernel ran
    t0 = _at(start_at)
    K.fill(view, value)
    return t0, time.monotonic()


def sum_half(view, start_at):  # runs in a worker
    t0 = _at(start_at)
    K.sum(view)
    return t0, time.monotonic()


def chunks_of(data_bytes, chunk):
    return [zlib.compress(data_bytes[i:i + chunk], 4) for i in range(0, len(data_bytes), chunk)]


def measure(n, seconds):
    r = {}
    a = tessera.zeros(n, "d")
    b = tessera.zeros(n, "d")
    i32 = tessera.zeros(n, "i")
    mask = tessera.zeros(n, "?")
    out = tessera.zeros(n, "d")
    keys = tessera.zeros(n, "i")
    f32 = tessera.zeros(n, "f")
    with a.slice() as v, b.slice() as w, i32.slice() as iv, mask.slice() as m, out.slice() as o, keys.slice() as kv, \
            f32.slice() as fv:
        K.arange(v, 0.0, 1.0 / n)          # values in [0, 1)
        K.arange(kv, 0, 1)
        mk = memoryview(kv)
        for i in range(0, n, 4096):        # keys cycling 0..999 (filled a block at a time)
            K.fill(mk[i:i + 4096], (i // 4096) % 1000)
        d8, d4 = 8 * n, 4 * n
        r["fill_float64"] = benchrows.best_rate(d8, lambda: K.fill(v, 1.5), seconds)
        r["fill_int32"] = benchrows.best_rate(d4, lambda: K.fill(iv, 7), seconds)
        r["sum_float64"] = benchrows.best_rate(d8, lambda: K.sum(v), seconds)
        r["sum_int32"] = benchrows.best_rate(d4, lambda: K.sum(iv), seconds)
        K.arange(v, 0.0, 1.0 / n)
        r["arange_float64"] = benchrows.best_rate(d8, lambda: K.arange(w, 0.0, 0.5), seconds)
        r["copy_float64"] = benchrows.best_rate(d8, lambda: K.copy(w, v), seconds)
        r["cast_float64_to_float32"] = benchrows.best_rate(d8, lambda: K.cast(fv, v), seconds)
        r["byteswap_float64"] = benchrows.best_rate(d8, lambda: K.byteswap(w), seconds)
        r["count_where_float64"] = benchrows.best_rate(d8, lambda: K.count_where(v, ">", 0.5), seconds)
        r["where_float64"] = benchrows.best_rate(d8, lambda: K.where(m, v, ">", 0.5), seconds)
        r["compress_float64"] = benchrows.best_rate(d8, lambda: K.compress(o, v, m), seconds)
        r["histogram_float64"] = benchrows.best_rate(d8, lambda: K.histogram(v, 100, 0.0, 1.0), seconds)
        r["group_sum_float64"] = benchrows.best_rate(d8, lambda: K.group_sum(kv, v, 1000), seconds)
        # zlib chunks of 128 KiB of smooth float64 data (as HDF5 stores them), decompressed into place
        raw = bytes(memoryview(a).cast("B"))
        chunk = 128 * 1024
        packed = chunks_of(raw, chunk)
        mw = memoryview(w).cast("B")

        def inflate_all():
            for j, c in enumerate(packed):
                K.decompress_into(mw[j * chunk:(j + 1) * chunk], c, "zlib")
        r["decompress_zlib_float64"] = benchrows.best_rate(d8, inflate_all, seconds, 3)
        assert bytes(mw) == raw
    with tessera.InterpreterPool(2) as pool:
        half = n // 2

        def two(fn, *args, aligned):
            """Both halves in workers; the seconds from the first kernel's start to the last one's end. Aligned, both
            start at a common instant 5 ms ahead (the plain-Java reference times its threads' loops from a barrier);
            timed by the caller (best_rate's own clock), the tasks' crossing and wake-ups count too, and on 2 cores in
            a process's first seconds often one worker running both halves while the compilers hold the other core."""
            start_at = time.monotonic() + (0.005 if aligned else 0.0)
            fs = [pool.submit(fn, a.slice(0, half) if fn is fill_half else a.readonly(0, half), *args, start_at),
                  pool.submit(fn, a.slice(half, n) if fn is fill_half else a.readonly(half, n), *args, start_at)]
            spans = [f.result() for f in fs]
            return max(e for _, e in spans) - min(s for s, _ in spans)
        r["fill_float64_2_workers_call"] = benchrows.best_rate(d8, lambda: two(fill_half, 2.5, aligned=False), seconds)
        r["fill_float64_2_workers"] = benchrows.best_rate(d8, lambda: two(fill_half, 2.5, aligned=True), seconds,
                                                          own_seconds=True)
        r["sum_float64_2_workers_call"] = benchrows.best_rate(d8, lambda: two(sum_half, aligned=False), seconds)
        r["sum_float64_2_workers"] = benchrows.best_rate(d8, lambda: two(sum_half, aligned=True), seconds, own_seconds=True)
    for x in (a, b, i32, mask, out, keys, f32):
        x.release()
    return r


LABELS = {
    "fill_float64": "fill, float64", "fill_int32": "fill, int32", "sum_float64": "sum, float64",
    "sum_int32": "sum, int32", "arange_float64": "arange, float64", "copy_float64": "copy, float64",
    "cast_float64_to_float32": "cast float64 -> float32", "byteswap_float64": "byteswap, float64",
    "count_where_float64": "count_where(>), float64", "where_float64": "where(>) into a bool mask, float64",
    "compress_float64": "compress by a mask (half kept), float64", "histogram_float64": "histogram, 100 bins, float64",
    "group_sum_float64": "group_sum, 1000 keys, float64", "decompress_zlib_float64": "decompress_into, zlib chunks of 128 KiB",
    "fill_float64_2_workers": "fill, float64, 2 workers (kernels from a common start, as plain Java's threads)",
    "sum_float64_2_workers": "sum, float64, 2 workers (kernels from a common start, as plain Java's threads)",
    "fill_float64_2_workers_call": "fill, float64, 2 workers, the two tasks timed by the caller",
    "sum_float64_2_workers_call": "sum, float64, 2 workers, the two tasks timed by the caller",
}
REFERENCE_OF = {"fill_float64": "fill_1", "sum_float64": "sum_1", "fill_float64_2_workers": "fill_2",
                "sum_float64_2_workers": "sum_2"}


def main():
    quick = "--quick" in sys.argv
    tiny = "--tiny" in sys.argv
    json_out = sys.argv[sys.argv.index("--json") + 1] if "--json" in sys.argv else None
    reference = {}
    if "--reference" in sys.argv:
        with open(sys.argv[sys.argv.index("--reference") + 1]) as f:
            reference = json.load(f)
    n = 1 << 14 if tiny else 1 << 23 if quick else 1 << 25
    seconds = 0.05 if tiny else 0.5 if quick else 1.5
    measure(n, seconds / 4)  # a first pass compiles every kernel's loops (the JIT is busiest early on)
    r = measure(n, seconds)
    peer = {} if tiny or "--no-peer" in sys.argv else benchrows.run_peer(
        [benchrows.PYTHON, os.path.join(HERE, "kernels_numpy.py"), str(n), str(seconds)])
    rows = []
    for key, label in LABELS.items():
        name, value = benchrows.peer_value(peer, key)
        if key in REFERENCE_OF and REFERENCE_OF[key] in reference:
            ref = reference[REFERENCE_OF[key]] * 1e9
            rows.append(benchrows.row(f"kernel_{key}_vs_java", f"{label} (vs plain Java)", "GB/s", r[key], ref,
                                      "plain Java over a MemorySegment", ">= 85% of plain Java", r[key] >= 0.85 * ref))
        if name is not None or key not in REFERENCE_OF:
            rows.append(benchrows.row(f"kernel_{key}", label, "GB/s", r[key], value, name,
                                      "ahead of numpy" if value is not None else "", None if value is None else r[key] > value))
    print(f"{'kernel (n = %d)' % n:48} {'Tessera':>11} {'peer':>11}  {'goal':22} met")
    for row in rows:
        peer_text = "-" if row["peer"] is None else f"{row['peer'] / 1e9:.2f}"
        met = "" if row["met"] is None else "yes" if row["met"] else "no"
        print(f"{row['label']:48} {row['tessera'] / 1e9:11.2f} {peer_text:>11}  {row['goal']:22} {met}")
    print("GB/s of the array each kernel runs over; peer: numpy, or plain Java where the label says so")
    if "error" in peer:
        print(f"numpy peer: {peer['error']}")
    benchrows.write(json_out, rows, {"peer_error": peer.get("error"), "elements": n})


if __name__ == "__main__":
    main()
