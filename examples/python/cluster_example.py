"""`tessera example cluster`: Tessera arrays on a Dask cluster, one `tessera serve` per node (run with /usr/bin/python3).

Starts N simulated nodes (cluster_nodes.py: a service and Dask worker processes on 127.0.0.K each) and a scheduler,
writes an HDF5 file of events (key int32, value float64, flag bool; gzip + shuffle), then:
  1. fills three distributed arrays from it, each node its own row blocks: on the nodes' GraalPy pools, then again
     with h5py in the nodes' Dask workers; checks every block's CRC-32 against the data written;
  2. scans them (WHERE flag AND value > t GROUP BY key SUM(value)) on the nodes' pools, partial sums reduced by Dask;
  3. runs the same query as numpy code in the Dask workers: a dask.array over the blocks, and per-block tasks;
  4. runs a threshold sweep in which every worker process of a node reads all of the node's rows, Tessera-backed and
     on plain Dask numpy chunks (the same rows loaded into the workers with h5py);
  5. times attaching a block against pickling it and against Dask moving it to another worker.
Prints the figures (placement, bytes moved between processes, memory per node, attach vs pickle, Tessera vs plain
Dask) and exits 1 if any result differs from the reference computed with numpy from the data as written.
"""
import argparse
import json
import os
import pickle
import re
import signal
import statistics
import sys
import threading
import time
import zlib

import cluster_nodes as cn

MIB = 1 << 20


def human(n):
    for unit, size in (("GiB", 1 << 30), ("MiB", 1 << 20), ("KiB", 1 << 10)):
        if abs(n) >= size:
            return f"{n / size:,.1f} {unit}"
    return f"{n:,.0f} B"


# --- functions that run in the Dask workers (cloudpickled with the task) --------------------------------------------

def crc_block(view, start):
    return zlib.crc32(view)


def scan_numpy(keys, values, flags, start, n_keys, threshold):
    import numpy as np
    m = flags & (values > threshold)
    return np.bincount(keys[m], weights=values[m], minlength=n_keys)


def sweep_tessera(groups, threshold, n_keys):
    """One threshold over all of a node's rows: attaches each block here (no copy) and scans it."""
    import numpy as np
    import tessera_dask as td
    out = np.zeros(n_keys)
    for kb, vb, fb in groups:
        out += scan_numpy(td.attach_block(kb), td.attach_block(vb), td.attach_block(fb), 0, n_keys, threshold)
    return out


def sweep_plain(threshold, n_keys, *tables):
    """The same over plain Dask chunks: (keys, values, flags) tuples that Dask brings to this worker."""
    import numpy as np
    out = np.zeros(n_keys)
    for k, v, f in tables:
        out += scan_numpy(k, v, f, 0, n_keys, threshold)
    return out


def load_plain(path, lo, hi):
    """A block's rows read with h5py into this worker's own memory: a plain Dask numpy chunk."""
    import h5py
    with h5py.File(path, "r") as f:
        return tuple(f[f"/events/{c}"][lo:hi] for c in ("key", "value", "flag"))


def attach_vs_pickle(block, rounds):
    """In a worker of the block's node: attaching the block (a new mapping in this process; then the worker's kept
    one), each with its first full read, against pickling the same data (dumps + loads) and reading the copy."""
    import numpy as np
    import tessera_dask as td
    p = td.node()
    new, new_sum, kept, kept_sum, dumps, copy_sum = [], [], [], [], [], []
    for _ in range(rounds):
        p.forget([block.name])  # a process that never mapped it
        t0 = time.perf_counter()
        a = td.attach_block(block)
        t1 = time.perf_counter()
        a.sum()
        t2 = time.perf_counter()
        new.append(t1 - t0)
        new_sum.append(t2 - t0)
        del a
    for _ in range(rounds):
        t0 = time.perf_counter()
        a = td.attach_block(block)
        t1 = time.perf_counter()
        a.sum()
        t2 = time.perf_counter()
        kept.append(t1 - t0)
        kept_sum.append(t2 - t0)
    for _ in range(max(3, rounds // 3)):
        t0 = time.perf_counter()
        b = pickle.loads(pickle.dumps(a, protocol=pickle.HIGHEST_PROTOCOL))
        t1 = time.perf_counter()
        b.sum()
        t2 = time.perf_counter()
        dumps.append(t1 - t0)
        copy_sum.append(t2 - t0)
        del b
    med = statistics.median
    return {"bytes": int(a.nbytes), "attach": med(new), "attach_min": min(new), "attach_sum": med(new_sum),
            "kept": med(kept), "kept_sum": med(kept_sum), "pickle": med(dumps), "pickle_sum": med(copy_sum),
            "rounds": rounds}


def nbytes_of(x):
    return int(sum(getattr(v, "nbytes", 0) for v in (x if isinstance(x, tuple) else (x,))))


def transfer_state(dask_worker):
    return {"total": getattr(dask_worker, "transfer_outgoing_bytes_total", None),
            "log": [(e.get("who"), {str(k): int(v) for k, v in e.get("keys", {}).items()}, e.get("duration"))
                    for e in list(dask_worker.transfer_outgoing_log)]}


# --- measuring in the driver -------------------------------------------------------------------------------------------

class Phase:
    """Wall time, task placement (Dask's task stream), bytes moved between worker processes (their transfer logs and
    /proc/PID/io) and each node's peak memory (shared pages of its service + private memory of its workers)."""

    def __init__(self, ex, name, base=None):
        self.ex, self.name, self.base = ex, name, base
        self.expected = {}  # task key -> the node it must run on
        self.resolve = ex.node_of_key  # keys of tessera_dask's own tasks name their array and block

    def expect(self, futures_or_keys, node):
        for f in futures_or_keys if isinstance(futures_or_keys, (list, tuple)) else [futures_or_keys]:
            self.expected[str(getattr(f, "key", f))] = node

    def __enter__(self):
        from distributed import get_task_stream
        ex = self.ex
        self.transfers0 = ex.client.run(transfer_state)
        self.io0 = {pid: cn.io_bytes(pid) for pid in ex.worker_pids()}
        self.lo0 = cn.loopback_bytes()
        self.anon0 = self.base.anon0 if self.base else {pid: cn.status_kib(pid, "RssAnon") * 1024 for pid in ex.worker_pids()}
        self.stream = get_task_stream(ex.client)
        self.stream.__enter__()
        self.peak = {h: 0 for h in ex.hosts}
        self.shared_peak = {h: 0 for h in ex.hosts}
        self.private_peak = {h: 0 for h in ex.hosts}
        self._stop = threading.Event()
        self.sampler = threading.Thread(target=self._sample, daemon=True)
        self.sampler.start()
        self.t0 = time.perf_counter()
        return self

    def _sample(self):
        ex = self.ex
        while True:
            for h in ex.hosts:
                shared = cn.service_shared_bytes(ex.nodes.service_pid(h))
                private = sum(max(0, cn.status_kib(pid, "RssAnon") * 1024 - self.anon0.get(pid, 0)) for pid in ex.pids[h])
                self.shared_peak[h] = max(self.shared_peak[h], shared)
                self.private_peak[h] = max(self.private_peak[h], private)
                self.peak[h] = max(self.peak[h], shared + private)
            if self._stop.wait(0.05):
                return

    def __exit__(self, *exc):
        self.seconds = time.perf_counter() - self.t0
        self._stop.set()
        self.sampler.join()
        ex = self.ex
        self.stream.__exit__(*exc)
        self.tasks = list(self.stream.data)
        after = ex.client.run(transfer_state)
        self.moved_chunks = self.moved_other = self.to_driver = 0
        self.largest = 0
        for w, state in after.items():
            for who, keys, _ in state["log"][len(self.transfers0.get(w, {"log": []})["log"]):]:
                for k, n in keys.items():
                    if who is None:
                        self.to_driver += n
                    elif ex.is_chunk_key(k) or n >= MIB:  # a block's view, or a value computed from a whole chunk
                        self.moved_chunks += n
                    else:
                        self.moved_other += n
                    if who is not None:
                        self.largest = max(self.largest, n)
        self.outgoing = sum((st["total"] or 0) - (self.transfers0.get(w, {}).get("total") or 0) for w, st in after.items())
        self.wchar = sum(cn.io_bytes(pid)[1] - self.io0.get(pid, (0, 0))[1] for pid in ex.worker_pids())
        self.loopback = cn.loopback_bytes() - self.lo0
        self.rss_end = {pid: (cn.status_kib(pid, "VmRSS") * 1024, cn.status_kib(pid, "RssShmem") * 1024)
                        for pid in ex.worker_pids()}
        self.placed = self.placed_right = 0
        for t in self.tasks:
            key = str(t.get("key"))
            node = self.expected.get(key) or self.resolve(key)
            if node is None:
                continue
            self.placed += 1
            worker = t.get("worker", "")
            self.placed_right += worker.split("://")[-1].rsplit(":", 1)[0] == node
        ex.phases.append(self)
        return False

    def summary(self):
        return (f"{self.seconds:7.2f} s; tasks on their block's node {self.placed_right} of {self.placed}; "
                f"moved between workers: chunks {human(self.moved_chunks)}, other {human(self.moved_other)} "
                f"(largest {human(self.largest)}); loopback TCP {human(self.loopback)}; workers' write() {human(self.wchar)}")


class Example:
    def __init__(self, args, nodes):
        import tessera_dask as td
        self.args, self.nodes, self.client = args, nodes, nodes.client
        self.td = td
        self.info = td.attach(self.client)
        self.hosts = list(self.info)
        self.pids = {h: self.info[h]["pids"] for h in self.hosts}
        self.phases = []
        self.chunk_keys = set()
        self.failures = []
        self.arrays = {}

    def node_of_key(self, key):
        """The node of a tessera_dask task's block, from its key (tessera-KIND-ARRAY-BLOCK-TOKEN), else None."""
        m = re.match(r"^tessera-(?:fill|blocks|service|attach)-([A-Za-z0-9_.]+)-(\d+)-[0-9a-f]{10}", key)
        if m and m.group(1) in self.arrays and int(m.group(2)) < len(self.arrays[m.group(1)].blocks):
            return self.arrays[m.group(1)].blocks[int(m.group(2))].node
        return None

    def worker_pids(self):
        return [p for h in self.hosts for p in self.pids[h]]

    def is_chunk_key(self, key):
        return key in self.chunk_keys or key.startswith(("'tessera-attach", "tessera-attach", "plain-load"))

    def check(self, ok, what):
        print(f"  {'ok' if ok else 'WRONG'}: {what}")
        if not ok:
            self.failures.append(what)


def make_file(path, rows, chunk_rows, block_rows, n_keys, seed=29):
    """The events file, written block by block; returns per-block references computed from the data as written."""
    import h5py
    import numpy as np
    rng = np.random.default_rng(seed)
    refs = []
    with h5py.File(path, "w") as f:
        g = f.create_group("events")
        opts = dict(chunks=(chunk_rows,), compression="gzip", compression_opts=1, shuffle=True)
        dk = g.create_dataset("key", (rows,), "int32", **opts)
        dv = g.create_dataset("value", (rows,), "float64", **opts)
        df = g.create_dataset("flag", (rows,), "bool", **opts)
        for lo in range(0, rows, block_rows):
            hi = min(rows, lo + block_rows)
            k = rng.integers(0, n_keys, hi - lo, dtype=np.int32)
            v = np.round(rng.gamma(2.0, 50.0, hi - lo), 2)
            fl = rng.random(hi - lo) < 0.5
            dk[lo:hi], dv[lo:hi], df[lo:hi] = k, v, fl
            refs.append({"lo": lo, "hi": hi, "crc": {"key": zlib.crc32(k), "value": zlib.crc32(v), "flag": zlib.crc32(fl)},
                         "data": (k, v, fl)})
    return refs


def reference_scan(refs, n_keys, threshold):
    import numpy as np
    out = np.zeros(n_keys)
    for r in refs:
        k, v, fl = r["data"]
        out += scan_numpy(k, v, fl, 0, n_keys, threshold)
    return out


def run(args, serve_command):
    import numpy as np
    import dask.array as da

    block_rows = max(args.chunk_rows, (args.block_mb * MIB // 8) // args.chunk_rows * args.chunk_rows)
    data_dir = None
    print(f"tessera example cluster: {args.nodes} node(s) x ({args.workers_per_node} Dask worker processes, 1 thread each, "
          f"+ 1 tessera serve with {args.service_workers} GraalPy workers); {args.rows:,} rows, blocks of {block_rows:,} rows "
          f"({human(block_rows * 8)} of float64); {os.cpu_count()} cores on this machine")
    nodes = cn.Nodes(serve_command, nodes=args.nodes, workers_per_node=args.workers_per_node,
                     service_workers=args.service_workers, timeout=args.timeout)
    try:
        data_dir = os.path.join(nodes.dir, "data")
        os.makedirs(data_dir)
        path = os.path.join(data_dir, "events.h5")
        t0 = time.perf_counter()
        refs = make_file(path, args.rows, args.chunk_rows, block_rows, args.keys)
        print(f"wrote {path} ({human(os.path.getsize(path))}, gzip 1 + shuffle, chunks of {args.chunk_rows:,} rows) in "
              f"{time.perf_counter() - t0:.1f} s")
        nodes.allow_read = [data_dir]
        t0 = time.perf_counter()
        nodes.start()
        print(f"started {args.nodes} service(s), a scheduler and {args.nodes * args.workers_per_node} workers in "
              f"{time.perf_counter() - t0:.1f} s (logs in {nodes.dir})")
        ex = Example(args, nodes)
        return figures(ex, args, path, refs, block_rows, np, da)
    finally:
        nodes.stop()


def figures(ex, args, path, refs, block_rows, np, da):
    import distributed
    td, client, hosts = ex.td, ex.client, ex.hosts
    for h in hosts:
        print(f"  node {h}: service pid {ex.info[h]['service_pid']} at {ex.info[h]['socket']}, workers {ex.info[h]['workers']}")
    shmem0 = cn.meminfo_kib() * 1024
    value = td.DistArray.create(client, "value", (args.rows,), "float64", block_rows=block_rows, align=args.chunk_rows)
    key = td.DistArray.create(client, "key", (args.rows,), "int32", like=value)
    flag = td.DistArray.create(client, "flag", (args.rows,), "bool", like=value)
    arrays = {"key": key, "value": value, "flag": flag}
    ex.arrays.update(arrays)
    blocks_bytes = {h: sum(b.nbytes for a in arrays.values() for b in a.blocks if b.node == h) for h in hosts}
    print(f"created {len(value.blocks)} row blocks x 3 columns: " + ", ".join(
        f"{h}: {sum(1 for b in value.blocks if b.node == h)} ({human(blocks_bytes[h])})" for h in hosts))
    ex.check([b.node for b in value.blocks] == [b.node for b in key.blocks], "columns share the row layout")

    def verify_blocks(label):
        for name, a in arrays.items():
            fs = a.map_blocks(crc_block)
            got = client.gather(fs)
            want = [r["crc"][name] for r in refs]
            ex.check(got == want, f"{label}: the {len(got)} blocks of '{name}' equal the data written (CRC-32)")

    fill_s = {}
    for method, label in (("service", "pools, first"), ("service", "pools"), ("h5py", "h5py in the Dask workers")):
        with Phase(ex, f"fill ({label})") as ph:
            reports = td.fill_from_hdf5({f"/events/{n}": a for n, a in arrays.items()}, path, method=method,
                                        timeout=args.timeout * 10)
        fill_s[label] = ph.seconds
        by = {}
        for r in reports:
            by[r["node"]] = by.get(r["node"], 0) + r["bytes"]
        total = sum(by.values())
        print(f"fill ({label}): {human(total)} in {ph.seconds:.2f} s ({total / ph.seconds / MIB:,.0f} MiB/s); "
              + ", ".join(f"{h} {human(n)}" for h, n in by.items())
              + (f"; by the pools {human(sum(r['service_bytes'] for r in reports))}" if method == "service" else "")
              + ("  (the pools' first Python: compiled as it runs)" if label.endswith("first") else ""))
        ex.check(all(r["attempt"] == 1 for r in reports), f"fill ({label}): every block written once")
        verify_blocks(f"fill ({label})")

    # 2. the scan on the nodes' GraalPy pools, reduced by Dask (twice: the first compiles the pools' code as it runs)
    t = args.threshold
    want = reference_scan(refs, args.keys, t)
    for label in ("pools, first", "pools"):
        with Phase(ex, f"scan ({label})") as ph:
            parts = key.map_service("tessera_node_jobs", "scan", args.keys, t, others=(value, flag))
            for f, b in zip(parts, key.blocks):
                ph.expect(f, b.node)
            got = td.reduce(client, parts, leaf=td.add_parts).result()
        print(f"scan ({label}):{' ' * (18 - len(label))}{ph.summary()}")
        ex.check(np.allclose(got, want, rtol=1e-9, atol=1e-6), f"scan ({label}) = numpy on the data written "
                 f"({int((want != 0).sum())} keys, total {want.sum():,.2f})")

    # 3. numpy in the Dask workers: a dask.array over the blocks, and per-block tasks
    with Phase(ex, "numpy job (dask.array)") as ph:
        k, v, fl = key.to_dask(value, flag)
        chunk_block = {}  # chunk future's key -> its block's index
        for a in (key, value, flag):
            for fut, node, i in a.chunk_futures:
                ex.chunk_keys.add(str(fut.key))
                chunk_block[str(fut.key)] = i
                ph.expect(fut, node)  # the attach task and its getitems
        expr = da.bincount(k, weights=da.where(fl & (v > t), v, 0.0), minlength=args.keys)
        expect_on_blocks(ph, expr, value, chunk_block)
        got = expr.compute()
    print(f"numpy job (dask.array):   {ph.summary()}")
    ex.check(np.allclose(got, want, rtol=1e-9, atol=1e-6), "numpy job (dask.array over the blocks) = reference")

    with Phase(ex, "numpy job (map_blocks)") as ph:
        parts = key.map_blocks(scan_numpy, args.keys, t, others=(value, flag))
        for f, b in zip(parts, key.blocks):
            ph.expect(f, b.node)
        got = td.reduce(client, parts).result()
    print(f"numpy job (per block):    {ph.summary()}")
    ex.check(np.allclose(got, want, rtol=1e-9, atol=1e-6), "numpy job (per-block tasks) = reference")

    # 4. the threshold sweep: every worker process of a node reads all of the node's rows
    thresholds = [float(x) for x in np.linspace(25, 200, args.sweep)]
    wants = [reference_scan(refs, args.keys, x) for x in thresholds]
    groups = {h: [(key.blocks[i], value.blocks[i], flag.blocks[i]) for i, b in enumerate(value.blocks) if b.node == h]
              for h in hosts}
    with Phase(ex, "sweep (Tessera)") as ph_t:
        futures = []
        for x in thresholds:
            per_node = []
            for h in hosts:
                f = td.pinned(client, sweep_tessera, groups[h], x, args.keys, block_node=h)
                ph_t.expect(f, h)
                per_node.append(f)
            futures.append(td.reduce(client, per_node))
        got = client.gather(futures)
    print(f"sweep, Tessera-backed:    {ph_t.summary()}")
    ex.check(all(np.allclose(g, w, rtol=1e-9, atol=1e-6) for g, w in zip(got, wants)),
             f"sweep of {len(thresholds)} thresholds (Tessera) = reference")
    # plain Dask numpy chunks: the same rows, loaded into the workers' own memory
    # 5. attach vs pickling one block: the float64 column's first block (64 MiB by default), and Dask moving its
    #    attached view (held by one worker since the dask.array job) to another worker
    vb = value.blocks[0]
    ab = td.pinned(client, attach_vs_pickle, vb, args.rounds, block_node=vb.node).result()
    fut = value.chunk_futures[0][0]
    holders = list(client.who_has([fut]).get(str(fut.key), ()))
    others = ([w for w in ex.info[vb.node]["workers"] if w not in holders]
              or [w for h in hosts for w in ex.info[h]["workers"] if w not in holders])
    moved = moved_log = None
    if others:
        before = client.run(transfer_state)
        t0 = time.perf_counter()
        client.submit(nbytes_of, fut, workers=[others[0]], allow_other_workers=False, pure=False).result()
        moved = time.perf_counter() - t0
        durations = [d for w, st in client.run(transfer_state).items()
                     for who, keys, d in st["log"][len(before.get(w, {"log": []})["log"]):] if str(fut.key) in keys]
        moved_log = max(durations) if durations else None
        moved_to = "a worker of the same node" if others[0] in ex.info[vb.node]["workers"] else "a worker of another node"

    key.release(), value.release(), flag.release()
    time.sleep(1)
    with Phase(ex, "load (plain Dask)") as ph_l:
        tables = {}
        for i, b in enumerate(value.blocks):
            f = client.submit(load_plain, path, b.row0, b.row0 + b.rows, key=f"plain-load-{i}", workers=[b.node],
                              allow_other_workers=False, pure=False)
            ph_l.expect(f, b.node)
            tables.setdefault(b.node, []).append(f)
        distributed.wait([f for fs in tables.values() for f in fs])
    print(f"load, plain Dask (h5py):  {ph_l.summary()}")
    with Phase(ex, "sweep (plain Dask)", base=ph_l) as ph_p:  # the workers' memory counted from before the load
        futures = []
        for x in thresholds:
            per_node = []
            for h in hosts:
                f = client.submit(sweep_plain, x, args.keys, *tables[h], workers=[h], allow_other_workers=False, pure=False)
                ph_p.expect(f, h)
                per_node.append(f)
            futures.append(td.reduce(client, per_node))
        got = client.gather(futures)
    print(f"sweep, plain Dask chunks: {ph_p.summary()}")
    ex.check(all(np.allclose(g, w, rtol=1e-9, atol=1e-6) for g, w in zip(got, wants)),
             f"sweep of {len(thresholds)} thresholds (plain Dask) = reference")
    client.cancel([f for fs in tables.values() for f in fs])
    del tables, futures

    # figures
    shm_now = cn.meminfo_kib() * 1024
    print()
    print("figures (goal table of issue 29):")
    pinned = [p for p in ex.phases if p.placed]
    placed, right = sum(p.placed for p in pinned), sum(p.placed_right for p in pinned)
    print(f"  tasks on a block run on its node (goal 100%): {right} of {placed} "
          f"({100.0 * right / max(placed, 1):.1f}%), over {', '.join(p.name for p in pinned)}")
    tess = [p for p in ex.phases if "plain" not in p.name]
    print(f"  chunk bytes moved between processes, node-local work (goal 0): {human(sum(p.moved_chunks for p in tess))} "
          f"of chunks (or values of 1 MiB and more) in Dask's transfer logs; other values {human(sum(p.moved_other for p in tess))} (partial results), "
          f"to the driver {human(sum(p.to_driver for p in tess))} (workers' transfer_outgoing_bytes_total: "
          f"{human(sum(p.outgoing for p in tess))} in all); all loopback TCP of the machine "
          f"{human(sum(p.loopback for p in tess))} (/proc/net/dev); write() by the workers "
          f"{human(sum(p.wchar for p in tess))} (/proc/PID/io: nothing spilled); over {len(tess)} phases on "
          f"{human(sum(blocks_bytes.values()))} of blocks")
    print(f"    plain Dask sweep for comparison: chunks moved {human(ph_p.moved_chunks)}, loopback TCP {human(ph_p.loopback)}")
    print(f"  memory per node (goal: one copy of its blocks in shared memory + flat private memory per worker):")
    for h in hosts:
        print(f"    {h}: blocks {human(blocks_bytes[h])}; its service's shared pages at most "
              f"{human(max(p.shared_peak[h] for p in tess))}; its {len(ex.pids[h])} workers' private memory grew at most "
              f"{human(max(p.private_peak[h] for p in tess))} in a Tessera phase (numpy temporaries), "
              f"{human(ph_p.private_peak[h])} in the plain Dask sweep")
    rss = max(ph_t.rss_end.values())
    print(f"    what Dask sees: after the Tessera sweep a worker's RSS is up to {human(rss[0])}, of which {human(rss[1])} "
          f"the node's shared pages it maps (hence --memory-limit 0)")
    print(f"    machine Shmem: {human(shmem0)} before, {human(shm_now)} after release")
    ratio = ab["pickle"] / ab["attach"]
    line = (f"  attach a {human(ab['bytes'])} block vs pickle it (goal >= 100x faster): attach {ab['attach'] * 1e3:.3f} ms "
            f"(a new mapping; median of {ab['rounds']}, min {ab['attach_min'] * 1e3:.3f}), pickle dumps+loads "
            f"{ab['pickle'] * 1e3:.1f} ms: {ratio:,.0f}x")
    if moved is not None:
        line += (f"; Dask moving it to {moved_to} {moved * 1e3:.0f} ms end to end"
                 + (f" ({moved_log * 1e3:.0f} ms in its transfer log)" if moved_log else "")
                 + f": {moved / ab['attach']:,.0f}x")
    print(line)
    print(f"    with a first full read (sum): new mapping {ab['attach_sum'] * 1e3:.1f} ms, the worker's kept mapping "
          f"{ab['kept_sum'] * 1e3:.1f} ms (attach {ab['kept'] * 1e3:.3f} ms), pickled copy {ab['pickle_sum'] * 1e3:.1f} ms: "
          f"{ab['pickle_sum'] / ab['attach_sum']:,.1f}x and {ab['pickle_sum'] / ab['kept_sum']:,.0f}x")
    mem_t = sum(ph_t.peak[h] for h in hosts)
    mem_p = sum(ph_p.peak[h] for h in hosts)
    print(f"  the same job, Tessera-backed vs plain Dask numpy chunks (goal: ahead, half the memory): sweep of "
          f"{len(thresholds)} thresholds over every node's rows: {ph_t.seconds:.2f} s vs {ph_p.seconds:.2f} s "
          f"({ph_p.seconds / ph_t.seconds:.2f}x); node memory at peak {human(mem_t)} vs {human(mem_p)} "
          f"({mem_p / max(mem_t, 1):.2f}x; Tessera: shared pages + workers' growth, plain: workers' growth); "
          f"loading: Tessera fill {fill_s['pools']:.2f} s (pools; first {fill_s['pools, first']:.2f} s) / "
          f"{fill_s['h5py in the Dask workers']:.2f} s (h5py), plain Dask h5py load {ph_l.seconds:.2f} s")
    print(f"  times ({args.nodes} node(s), {os.cpu_count()} cores): " + "; ".join(f"{p.name} {p.seconds:.2f} s" for p in ex.phases))
    ex.check(right == placed, f"every task on a block ran on its block's node ({right} of {placed})")
    ex.check(sum(p.moved_chunks for p in tess) == 0, "no chunk moved between processes in the Tessera-backed phases "
             "(Dask's transfer logs)")
    one_copy = all(blocks_bytes[h] <= max(p.shared_peak[h] for p in tess) <= blocks_bytes[h] * 1.01 + MIB for h in hosts)
    ex.check(one_copy, "each node's shared memory is one copy of its blocks (its service's pages, whoever maps them)")
    result = {"nodes": args.nodes, "rows": args.rows, "workers_per_node": args.workers_per_node,
              "service_workers": args.service_workers, "block_rows": block_rows,
              "phases": {p.name: {"seconds": p.seconds, "placed": p.placed, "placed_right": p.placed_right,
                                  "moved_chunks": p.moved_chunks, "moved_other": p.moved_other, "wchar": p.wchar,
                                  "peak": p.peak, "shared_peak": p.shared_peak, "private_peak": p.private_peak}
                         for p in ex.phases},
              "attach_vs_pickle": ab, "moved_seconds": moved, "failures": ex.failures}
    if args.json:
        with open(args.json, "w") as f:
            json.dump(result, f, indent=1)
    print()
    if ex.failures:
        print(f"tessera example cluster: {len(ex.failures)} check(s) FAILED: " + "; ".join(ex.failures))
        return 1
    print("tessera example cluster: every result verified")
    return 0


def expect_on_blocks(ph, expr, array, block_of):
    """The tasks of the (optimized) graph that read one block's chunks directly must run on that block's node."""
    import dask
    from dask.core import get_dependencies
    (opt,) = dask.optimize(expr)
    graph = dict(opt.__dask_graph__())
    for key in graph:
        deps = {str(d) for d in get_dependencies(graph, key)}
        blocks = {block_of[d] for d in deps if d in block_of}
        if len(blocks) == 1 and deps <= set(block_of):
            ph.expect(str(key), array.blocks[blocks.pop()].node)


def dev_serve_command():
    """The service command from a build of this tree (cli/target), for running this file directly."""
    target = os.path.join(cn.ROOT, "cli", "target")
    java = os.path.join(os.environ.get("JAVA_HOME", "/usr/lib/jvm/temurin-25-jdk-amd64"), "bin", "java")
    with open(os.path.join(target, "jvm.flags")) as f:
        flags = f.read().split()
    jars = [os.path.join(target, n) for n in os.listdir(target) if n.startswith("cli-") and n.endswith(".jar")]
    with open(os.path.join(target, "launcher.classpath")) as f:
        cp = ":".join(jars + [p for p in f.read().strip().split(":") if p.endswith(".jar")])
    return [java, *flags, "-Xss8m", f"-Dtessera.root={cn.ROOT}", "-cp", cp, "dev.tessera.cli.Main"]


def main(argv):
    ap = argparse.ArgumentParser(prog="tessera example cluster", description=__doc__.split("\n")[0])
    ap.add_argument("--nodes", type=int, default=2)
    ap.add_argument("--rows", type=int, default=32 << 20)
    ap.add_argument("--workers-per-node", type=int, default=2)
    ap.add_argument("--service-workers", type=int, default=2)
    ap.add_argument("--block-mb", type=int, default=64, help="MiB of float64 per row block (default 64)")
    ap.add_argument("--chunk-rows", type=int, default=256 << 10)
    ap.add_argument("--keys", type=int, default=64)
    ap.add_argument("--threshold", type=float, default=100.0)
    ap.add_argument("--sweep", type=int, default=8, help="thresholds in the sweep (default 8)")
    ap.add_argument("--rounds", type=int, default=15, help="rounds of attach and of pickling (default 15)")
    ap.add_argument("--timeout", type=float, default=60.0, help="seconds a worker waits on its service (default 60)")
    ap.add_argument("--serve-command", help="JSON list: the command that runs `tessera` (given by the Java example)")
    ap.add_argument("--json", help="also write the figures to this file")
    args = ap.parse_args(argv)
    if args.nodes < 1 or args.nodes > 200 or args.rows < 1 or args.workers_per_node < 1:
        print("tessera: --nodes 1..200, --rows and --workers-per-node at least 1", file=sys.stderr)
        return 2
    try:
        import distributed  # noqa: F401
        import h5py  # noqa: F401
        import numpy  # noqa: F401
    except ImportError as e:
        print(f"tessera: the cluster example needs Dask, h5py and numpy for {sys.executable} ({e}); on Debian: "
              f"apt-get install python3-distributed python3-h5py", file=sys.stderr)
        return 2
    serve = json.loads(args.serve_command) if args.serve_command else dev_serve_command()
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))  # stopped from outside: the nodes stop too (finally)
    try:
        return run(args, serve)
    except RuntimeError as e:
        print(f"tessera: {e}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
