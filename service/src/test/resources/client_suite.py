"""Run by ArrayServiceTest with CPython: python3 client_suite.py SOCKET CLIENT_DIR. Prints CHECKS PASSED at the end."""
import json
import os
import socket
import subprocess
import sys
import time

sock_path, client_dir = sys.argv[1], sys.argv[2]
sys.path.insert(0, client_dir)
import tessera_client as tc


def expect_error(fn, type_, text=""):
    try:
        fn()
    except tc.ServiceError as e:
        assert e.type == type_ and text in e.message, (e.type, e.message)
        return e
    raise AssertionError(f"no {type_} raised")


with tc.connect(sock_path) as c:
    # attach, fill in parallel through the workers, read here, write here and seen there
    a = c.zeros("grid", (1000, 4), "float64")
    assert c.descriptors and c.passed_descriptor, "the JVM runs with sun.nio.ch exported: descriptors are passed"
    assert c.submit("fill_rows", "fill_2d", c.view("grid", 0, 500), 0) == 500
    assert c.submit("fill_rows", "fill_2d", c.view("grid", 500, 1000), 500) == 500
    assert a[999][3] == 999 * 4 + 3, a[999][3]
    b = c.attach("grid")
    b[0][0] = -7.0
    assert a[0][0] == -7.0 and c.submit("fill_rows", "first", c.view("grid", 0, 1, readonly=True)) == -7.0
    assert c.list() == ["grid"] and c.describe("grid")["bytes"] == 32000
    # jobs: a map over the array's rows in parallel, waited for or followed; cancel; timeout; a failing part
    c.zeros("big", (1000, 4), "float64")
    assert c.map("fill_rows", "fill_2d", "big", parts=4) == [250] * 4
    big = c.attach("big")
    assert big[999][3] == 999 * 4 + 3 and big[0][0] == 0
    job = c.map("fill_rows", "fill_2d", "big", parts=3, wait=False)
    assert job.result(timeout=120) == [333, 333, 334] and job.progress() == (3, 3) and job.done()
    job = c.start("fill_rows", "spin", 120)
    time.sleep(0.2)
    assert job.progress() == (0, 1) and not job.done()
    assert job.cancel()
    e = expect_error(lambda: job.result(timeout=30), "CancelledError")
    expect_error(lambda: c.submit("fill_rows", "spin", 120, timeout=0.5), "TimeoutError", "timeout")
    e = expect_error(lambda: c.map("fill_rows", "fail_from", "big", 500, parts=4), "ValueError", "refused")
    assert "fail_from" in e.traceback, e.traceback
    # every part ran: the failure says which completed and which failed, and a retry runs only those
    assert isinstance(e, tc.PartsFailed) and e.failed_ranges == [(500, 750), (750, 1000)], e.failed_ranges
    assert e.completed == {(0, 250): 0, (250, 500): 250}, e.completed
    assert "2 of 4 parts failed; the first, rows [500, 750)" in e.message, e.message
    assert c.map("fill_rows", "fail_from", "big", 1000, ranges=e.failed_ranges) == [500, 750]
    job = c.map("fill_rows", "fail_from", "big", 500, parts=4, wait=False)
    expect_error(lambda: job.result(timeout=60), "ValueError", "refused")
    assert job.status()["state"] == "failed"
    expect_error(lambda: c.map("fill_rows", "fill_2d", "big", parts=0), "ValueError", "'parts'")
    expect_error(lambda: c._call({"op": "job", "job": 123456}), "ValueError", "no job 123456")
    del big
    c.release("big")
    # refusals, each with the service alive afterwards
    expect_error(lambda: c.zeros("grid", 4), "ValueError", "already exists")
    expect_error(lambda: c.zeros("bad", 4, "complex512"), "ValueError")
    expect_error(lambda: c.zeros("neg", (-1,)), "ValueError")
    expect_error(lambda: c.attach("nope"), "ValueError", "no array named 'nope'")
    e = expect_error(lambda: c.submit("fill_rows", "boom"), "ValueError", "bad job")
    assert "boom" in e.traceback, e.traceback
    expect_error(lambda: c.submit("no_such_module", "f"), "ModuleNotFoundError")
    expect_error(lambda: c.submit("fill_rows", "fill_2d", c.view("grid", 0, 5000), 0), "IndexError", "not within")
    lease = c.view("grid", 0, 10)
    expect_error(lambda: c.submit("fill_rows", "fill_2d", lease, lease, 0), "BufferError")  # two writers on rows 0-10
    expect_error(lambda: c._call({"op": "fly"}), "ValueError", "unknown op")
    expect_error(lambda: c._call({"name": "x"}), "ValueError", "'op'")
    # a client that dies holding a mapping: the service lives, the data stays
    subprocess.run([sys.executable, "-c", f"""
import sys, os; sys.path.insert(0, {client_dir!r}); import tessera_client as tc
c = tc.connect({sock_path!r}); m = c.attach('grid'); m[1][1] = 123.0; os._exit(3)"""], check=False)
    assert a[1][1] == 123.0
    # release: this client's mappings go, the name goes
    del a, b
    c.release("grid")
    assert c.list() == []
    expect_error(lambda: c.submit("fill_rows", "first", c.view("grid", 0, 1)), "ValueError", "no array named")
    assert c.metrics()["bytes_in_use"] == 0

# memory: a 256 MiB array filled by the workers and read here; after release and unmap, the service's RSS falls
# and the machine's shared memory (/proc/meminfo Shmem) gives the pages back
def kib(path, key):
    with open(path) as f:
        for line in f:
            if line.startswith(key + ":"):
                return int(line.split()[1])
    raise KeyError(key)


with tc.connect(sock_path) as c:
    n = 32 * 1024 * 1024
    rss0, shmem0 = kib(f"/proc/{c.service_pid}/status", "VmRSS"), kib("/proc/meminfo", "Shmem")
    big = c.zeros("rss", n, "float64")
    assert c.map("fill_rows", "arange", "rss", parts=2) == [n // 2, n // 2]
    assert big[n - 1] == n - 1 and big[12345] == 12345
    rss1, shmem1 = kib(f"/proc/{c.service_pid}/status", "VmRSS"), kib("/proc/meminfo", "Shmem")
    assert rss1 - rss0 > 200 * 1024, f"the service touched its pages: RSS {rss0} -> {rss1} KiB"
    assert shmem1 - shmem0 > 200 * 1024, f"shared memory {shmem0} -> {shmem1} KiB"
    del big
    c.release("rss")
    deadline = time.monotonic() + 30
    while True:
        rss2, shmem2 = kib(f"/proc/{c.service_pid}/status", "VmRSS"), kib("/proc/meminfo", "Shmem")
        if (rss1 - rss2 > 200 * 1024 and shmem1 - shmem2 > 200 * 1024) or time.monotonic() > deadline:
            break
        time.sleep(0.1)
    assert rss1 - rss2 > 200 * 1024, f"the service's RSS fell by the array: {rss1} -> {rss2} KiB"
    assert shmem1 - shmem2 > 200 * 1024, f"the pages went back: Shmem {shmem1} -> {shmem2} KiB"
    print(f"RSS {rss0 // 1024} -> {rss1 // 1024} -> {rss2 // 1024} MiB; Shmem {shmem0 // 1024} -> {shmem1 // 1024} -> {shmem2 // 1024} MiB")

# malformed and oversized requests: refused with a reply, the connection closed, the service alive
for bad in (b"{not json\n", b"[1, 2]\n", b"x" * (1 << 20 + 1) + b"\n"):
    s = socket.socket(socket.AF_UNIX)
    s.connect(sock_path)
    try:
        s.sendall(bad)
    except (BrokenPipeError, ConnectionResetError):
        pass
    try:  # the refusal, then the end of the connection (a reset when the service closed with our bytes unread)
        reply = json.loads(s.makefile("rb").readline() or b'{"ok": false, "error": "closed"}')
        assert reply["ok"] is False, reply
        assert s.recv(1) == b"", "the connection is closed after a malformed request"
    except ConnectionResetError:
        assert len(bad) > 1 << 20, "only an oversized request is cut off unread"
    s.close()
with tc.connect(sock_path) as c:
    assert c.metrics()["arrays"] == 0
print("CHECKS PASSED")
