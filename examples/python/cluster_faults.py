"""Faults and bad input for Tessera on Dask (run with /usr/bin/python3; prints CHECKS PASSED when every check held).

    /usr/bin/python3 cluster_faults.py [--serve-command JSON]

Two simulated nodes (cluster_nodes.py). Checks: a worker pointed at a wrong socket, at another user's service, or
that cannot reach its service is refused, saying why; a block name taken on one node and a released block are clear
errors and leave nothing behind; a writing task that Dask runs again after its worker died is refused (or, declared
idempotent, runs again and says so), never silently applied twice; a Dask worker killed while it maps a block does not
keep the memory once the block is released; a node's service that stops answering or is killed mid-job fails the
tasks on its blocks within the timeout with an error naming the node, nothing hangs, and the other node's blocks are
intact.
"""
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import zlib

import cluster_nodes as cn

TIMEOUT = 8.0  # seconds a worker waits on its service before it says the node did not answer
passed = []


def must(ok, what):
    """A check that holds under python -O too (assert statements are removed there)."""
    if not ok:
        raise AssertionError(what)


def check(ok, what):
    must(ok, what)
    passed.append(what)
    print(f"  ok: {what}", flush=True)


def raises(fn, kind, *texts, within=None):
    """Runs fn; it must raise `kind` (a class, or a class name for errors that come back from Dask) with every text in
    its message, within `within` seconds. Returns the error."""
    t0 = time.monotonic()
    try:
        fn()
    except Exception as e:
        took = time.monotonic() - t0
        name_ok = isinstance(e, kind) if isinstance(kind, type) else type(e).__name__ == kind
        must(name_ok, f"expected {kind}, got {type(e).__name__}: {e}")
        for t in texts:
            must(t in str(e), f"'{t}' not in: {e}")
        must(within is None or took <= within, f"took {took:.1f} s (limit {within} s): {e}")
        return e
    raise AssertionError(f"no {kind} raised")


def fill_arange(view, start):
    import numpy as np
    view[:] = np.arange(start, start + len(view), dtype=view.dtype)
    return len(view)


def crc(view, start):
    return zlib.crc32(view)


def add_one_slowly(view, start, pid_dir):
    """A writing job that is not idempotent: adds 1 to its rows, then waits to be killed (its pid in pid_dir)."""
    view += 1
    with open(os.path.join(pid_dir, f"{start}.pid"), "w") as f:
        f.write(str(os.getpid()))
    time.sleep(30)
    return "done"


def set_seven_slowly(view, start, pid_dir):
    """An idempotent writing job (sets its rows to 7), also waiting to be killed the first time."""
    view[:] = 7
    marker = os.path.join(pid_dir, f"{start}.pid")
    if not os.path.exists(marker):
        with open(marker, "w") as f:
            f.write(str(os.getpid()))
        time.sleep(30)
    return "set"


def service_arrays(sock):
    import tessera_client as tc
    with tc.connect(sock) as c:
        return sorted(c.list())


def kill_when_written(pid_dir, name, timeout=60):
    deadline = time.monotonic() + timeout
    path = os.path.join(pid_dir, name)
    while not os.path.exists(path) or not open(path).read():
        must(time.monotonic() < deadline, f"no task wrote {path}")
        time.sleep(0.05)
    pid = int(open(path).read())
    os.kill(pid, signal.SIGKILL)
    return pid


def main(argv):
    serve = json.loads(argv[argv.index("--serve-command") + 1]) if "--serve-command" in argv else None
    if serve is None:
        import cluster_example
        serve = cluster_example.dev_serve_command()
    nodes = cn.Nodes(serve, nodes=2, workers_per_node=2, service_workers=1, timeout=TIMEOUT)
    scratch = tempfile.mkdtemp(prefix="tessera-faults-")
    try:
        nodes.start()
        run(nodes, scratch)
    finally:
        nodes.stop()
        shutil.rmtree(scratch, ignore_errors=True)
    print(f"CHECKS PASSED ({len(passed)})")
    return 0


def run(nodes, scratch):
    import distributed
    import numpy as np
    import tessera_dask as td
    client = nodes.client
    n1, n2 = nodes.hosts
    info = td.attach(client)
    check(sorted(info) == [n1, n2] and all(len(info[h]["workers"]) == 2 for h in info), "both nodes attached, 2 workers each")

    # --- workers that must not attach ---------------------------------------------------------------------------------
    print("a worker pointed at the wrong socket, another user's service, a socket that is no service:")
    p = nodes.start_workers("127.0.0.9", "wrong-socket", socket=os.path.join(scratch, "nothing-here.sock"), count=1)
    try:
        p.wait(timeout=90)
    except subprocess.TimeoutExpired:
        pass
    log = nodes.log_tail("wrong-socket", 200)
    check(p.poll() not in (None, 0) and "no tessera service at" in log and "nothing-here.sock" in log and "127.0.0.9" in log,
          f"a worker started with a wrong socket stops at once (status {p.poll()}), naming the node and the path")
    check(all(not a.startswith("tcp://127.0.0.9") for a in client.scheduler_info()["workers"]),
          "and it never joins the cluster")
    if p.poll() is None:
        os.killpg(p.pid, signal.SIGKILL)
        p.wait()

    # not a tessera service: a socket that accepts and says nothing
    mute_path = os.path.join(scratch, "mute.sock")
    mute = socket.socket(socket.AF_UNIX)
    mute.bind(mute_path)
    mute.listen(8)
    try:
        e = raises(lambda: client.run(_setup_plugin, mute_path, 2.0, workers=[info[n1]["workers"][0]]), "NodeError",
                   "does not answer as a tessera service", n1)
        check(True, f"a socket that is not a tessera service is refused: {str(e)[:110]}...")
    finally:
        mute.close()

    if os.getuid() == 0 and shutil.which("setpriv"):
        # a socket that belongs to another user (made by user nobody)
        other = os.path.join(scratch, "other")
        os.makedirs(other)
        os.chmod(scratch, 0o755)
        os.chown(other, 65534, 65534)
        other_sock = os.path.join(other, "s.sock")
        listener = subprocess.Popen(["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups", sys.executable, "-c",
                                     "import socket, sys, time; s = socket.socket(socket.AF_UNIX); s.bind(sys.argv[1]); "
                                     "s.listen(); print('up', flush=True); time.sleep(60)", other_sock],
                                    stdout=subprocess.PIPE)
        try:
            must(listener.stdout.readline().strip() == b"up", "the other user's listener started")
            e = raises(lambda: client.run(_setup_plugin, other_sock, 2.0, workers=[info[n1]["workers"][0]]),
                       PermissionError, "belongs to user nobody", "its own user")
            check(True, f"another user's service is refused before a byte is sent: {str(e)[:100]}...")
        finally:
            listener.kill()
            listener.wait()
        # and a worker of another user cannot even reach ours (its directory is 0700)
        r = subprocess.run(["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups", sys.executable, "-c",
                            "import sys; sys.path.insert(0, sys.argv[2]); import tessera_dask as td; td.check_socket(sys.argv[1])",
                            info[n1]["socket"], cn.CLIENT_DIR], capture_output=True, text=True, cwd="/")
        check(r.returncode != 0 and "cannot be reached by user nobody" in r.stderr,
              "a worker of another user cannot reach this user's service, and is told why")
    else:
        print("  (skipped: acting as another user needs root and setpriv)")

    # --- names: a clash, a released block ------------------------------------------------------------------------------
    print("block names: a clash, a released block:")
    x = td.DistArray.create(client, "x", (1 << 20,), "float64", block_rows=1 << 18)
    check(sorted({b.node for b in x.blocks}) == [n1, n2], "x has blocks on both nodes")
    raises(lambda: td.DistArray.create(client, "x", (1 << 20,), "float64", block_rows=1 << 18), td.BlockExists,
           "already exists", "x#")
    check(True, "creating 'x' again: BlockExists, naming the node and the block")
    import tessera_client as tc
    with tc.connect(nodes.sockets[n2]) as c:
        c.zeros("y#3", 4, "int8")  # taken on node 2 only, behind the catalog's back
    before1 = service_arrays(nodes.sockets[n1])
    e = raises(lambda: td.DistArray.create(client, "y", (1 << 20,), "float64", block_rows=1 << 18), td.BlockExists,
               f"node {n2}", "'y#3'", "nothing was created")
    check(service_arrays(nodes.sockets[n1]) == before1 and service_arrays(nodes.sockets[n2]).count("y#2") == 0,
          "a name taken on one node: nothing of the new array is left on any node")
    x.release()
    raises(lambda: x.map_blocks(crc), td.BlockReleased, "'x' was released")
    raises(lambda: x.to_dask(), td.BlockReleased, "'x' was released")
    check(not [n for n in service_arrays(nodes.sockets[n1]) if n.startswith("x#")], "released: x's blocks are gone")
    z = td.DistArray.create(client, "z", (1 << 20,), "float64", block_rows=1 << 18)
    with tc.connect(nodes.sockets[n2]) as c:
        c.release(z.blocks[-1].name)  # released behind the catalog's back
    futures = z.map_blocks(crc)
    e = raises(lambda: futures[-1].result(timeout=60), td.BlockReleased, f"node {n2}", z.blocks[-1].name, "no array named")
    check(futures[0].result(timeout=60) == zlib.crc32(np.zeros(1 << 18)), "a block released elsewhere: BlockReleased "
          "for its tasks, naming node and block; the others run")
    z.release()

    # --- a Dask worker killed while it maps a block: the memory comes back once released --------------------------------
    print("a Dask worker killed holding mappings:")
    shmem0 = cn.meminfo_kib() * 1024
    big = td.DistArray.create(client, "big", (32 << 20,), "float64", nodes=[n1], block_rows=32 << 20)  # 256 MiB
    big.map_blocks(fill_arange, writes=True)[0].result(timeout=120)
    chunks = big.to_dask()
    distributed.wait(big._views, timeout=60)
    holder = list(client.who_has(big._views).values())[0][0]
    pid = client.run(os.getpid, workers=[holder])[holder]
    check(cn.meminfo_kib() * 1024 - shmem0 > 200 << 20, "the 256 MiB block is in shared memory, mapped by worker "
          f"{holder}")
    os.kill(pid, signal.SIGKILL)
    deadline = time.monotonic() + 60
    while holder in client.scheduler_info()["workers"] and time.monotonic() < deadline:
        time.sleep(0.1)
    check(float(chunks[-1].compute()) == float((32 << 20) - 1), "after its worker died Dask attaches the block again "
          "on another worker of the node, data intact")
    del chunks
    big.release()
    deadline = time.monotonic() + 30
    while cn.meminfo_kib() * 1024 - shmem0 > 32 << 20 and time.monotonic() < deadline:
        time.sleep(0.1)
    check(cn.meminfo_kib() * 1024 - shmem0 < 32 << 20, f"released: the machine's Shmem is back ({(cn.meminfo_kib() * 1024 - shmem0) >> 20} MiB above before)")
    nodes.wait_for_workers(4)

    # --- writing jobs that Dask runs again -----------------------------------------------------------------------------
    print("Dask's retries and writing jobs:")
    pid_dir = os.path.join(scratch, "pids")
    os.makedirs(pid_dir)
    w = td.DistArray.create(client, "w", (1 << 16,), "int64", nodes=[n1], block_rows=1 << 16)
    f = w.map_blocks(add_one_slowly, pid_dir, writes=True)[0]
    kill_when_written(pid_dir, "0.pid")
    e = raises(lambda: f.result(timeout=90), td.RepeatedWrite, "already", "attempt 1", "not run twice")
    check(True, f"a non-idempotent write retried by Dask after its worker died is refused: {str(e)[:90]}...")
    check(w.map_blocks(lambda v, s: int(v.sum()))[0].result(timeout=60) == 1 << 16, "its rows were added to once, not twice")
    nodes.wait_for_workers(4)
    os.remove(os.path.join(pid_dir, "0.pid"))
    f = w.map_blocks(set_seven_slowly, pid_dir, writes=True, on_retry="redo")[0]
    kill_when_written(pid_dir, "0.pid")
    r = f.result(timeout=90)
    check(r == {"result": "set", "attempt": 2}, f"an idempotent write (on_retry='redo') runs again and says so: {r}")
    nodes.wait_for_workers(4)
    s = td.DistArray.create(client, "s", (1 << 16,), "float64", nodes=[n1], block_rows=1 << 16)
    futures = s.map_service("tessera_node_jobs", "spin", 3.0, readonly=False)
    time.sleep(1.0)
    processing = client.processing()
    victim = [a for a, keys in processing.items() if any(str(futures[0].key) in str(k) for k in keys)]
    check(len(victim) == 1, f"the service job's Dask task runs on {victim}")
    os.kill(client.run(os.getpid, workers=victim)[victim[0]], signal.SIGKILL)
    raises(lambda: futures[0].result(timeout=90), td.RepeatedWrite, "not run twice")
    check(True, "a writing service job whose Dask task died is not started again on the same rows")
    nodes.wait_for_workers(4)
    for a in (w, s):
        a.release()
    check(not [n for n in service_arrays(nodes.sockets[n1]) if "!w" in n], "no write ledger is left behind")

    # --- a node's service that stops answering, then dies mid-job --------------------------------------------------------
    print("a node's service stops answering, then is killed mid-job:")
    v = td.DistArray.create(client, "v", (1 << 20,), "float64", block_rows=1 << 18)
    v.map_blocks(fill_arange, writes=True)
    crcs = client.gather(v.map_blocks(crc))
    svc2 = nodes.service_pid(n2)
    os.kill(svc2, signal.SIGSTOP)
    try:
        futures = v.map_blocks(crc)
        on2 = [f for f, b in zip(futures, v.blocks) if b.node == n2]
        on1 = [f for f, b in zip(futures, v.blocks) if b.node == n1]
        e = raises(lambda: on2[0].result(timeout=TIMEOUT * 4), td.NodeError, f"node {n2}", "answer",
                   within=TIMEOUT * 3)
        check(True, f"a frozen service: its blocks' tasks fail within the timeout ({TIMEOUT:.0f} s): {str(e)[:100]}...")
        check(client.gather(on1) == crcs[:len(on1)], "the other node's tasks run meanwhile")
    finally:
        os.kill(svc2, signal.SIGCONT)
    futures = v.map_service("tessera_node_jobs", "spin", 4.0)
    time.sleep(1.5)
    os.kill(svc2, signal.SIGKILL)
    t0 = time.monotonic()
    for f, b in zip(futures, v.blocks):
        if b.node == n2:
            e = raises(lambda: f.result(timeout=TIMEOUT * 4), td.NodeError, f"node {n2}", within=TIMEOUT * 3)
            must("went away" in str(e) or "no tessera service" in str(e), str(e))
        else:
            must(f.result(timeout=60) == [b.row0], f"the other node's job: {f.result()}")
    check(True, f"a killed service: its blocks' running jobs fail with NodeError naming {n2} "
          f"({time.monotonic() - t0:.1f} s), the other node's jobs finish")
    futures = v.map_blocks(crc)
    for f, b in zip(futures, v.blocks):
        if b.node == n2:
            raises(lambda: f.result(timeout=TIMEOUT * 4), td.NodeError, f"node {n2}", within=TIMEOUT * 3)
    check([f.result() for f, b in zip(futures, v.blocks) if b.node == n1] == crcs[:sum(b.node == n1 for b in v.blocks)],
          "new tasks on the dead node fail at once; the other node's blocks are intact")
    v.release()  # node 2 cannot be reached: said in the log, node 1's blocks freed
    check(not [n for n in service_arrays(nodes.sockets[n1]) if n.startswith("v#")], "and released on the live node")


def _setup_plugin(path, timeout, dask_worker=None):
    """Sets up a TesseraNode for `path` in a worker (not registered), so its refusal comes back."""
    import tessera_dask as td
    p = td.TesseraNode(socket=path, timeout=timeout)
    p.setup(dask_worker)
    p.teardown(dask_worker)
    return True


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
