"""The service with CPython as its client, a unittest suite: python3 client_suite.py SOCKET CLIENT_DIR (run by
ArrayServiceTest, which checks that every test defined here ran). Checks are unittest's, which python -O keeps."""
import json
import socket
import subprocess
import sys
import time
import unittest

sock_path, client_dir = sys.argv[1:3]
sys.path.insert(0, client_dir)
import tessera_client as tc  # noqa: E402 (the client's directory comes from the command line)


def kib(path, key):
    with open(path) as f:
        for line in f:
            if line.startswith(key + ":"):
                return int(line.split()[1])
    raise KeyError(key)


class ServiceTestCase(unittest.TestCase):
    def setUp(self):
        self.c = tc.connect(sock_path)

    def tearDown(self):
        self.c.close()

    def expect_error(self, fn, type_, text=""):
        """The ServiceError that fn raises, checked to be of type_ with text in its message."""
        with self.assertRaises(tc.ServiceError) as cm:
            fn()
        self.assertEqual(cm.exception.type, type_, cm.exception.message)
        self.assertIn(text, cm.exception.message)
        return cm.exception


class Arrays(ServiceTestCase):
    def test_attach_fill_in_workers_read_and_write_here(self):
        c = self.c
        a = c.zeros("grid", (1000, 4), "float64")
        self.assertTrue(c.descriptors and c.passed_descriptor, "the JVM runs with sun.nio.ch exported: descriptors are passed")
        self.assertEqual(c.submit("fill_rows", "fill_2d", c.view("grid", 0, 500), 0), 500)
        self.assertEqual(c.submit("fill_rows", "fill_2d", c.view("grid", 500, 1000), 500), 500)
        self.assertEqual(a[999][3], 999 * 4 + 3)
        b = c.attach("grid")
        b[0][0] = -7.0
        self.assertEqual(a[0][0], -7.0)
        self.assertEqual(c.submit("fill_rows", "first", c.view("grid", 0, 1, readonly=True)), -7.0)
        self.assertEqual(c.list(), ["grid"])
        self.assertEqual(c.describe("grid")["bytes"], 32000)
        # release: this client's mappings go, the name goes
        del a, b
        c.release("grid")
        self.assertEqual(c.list(), [])
        self.expect_error(lambda: c.submit("fill_rows", "first", c.view("grid", 0, 1)), "ValueError", "no array named")
        self.assertEqual(c.metrics()["bytes_in_use"], 0)

    def test_refusals_leave_the_service_serving(self):
        c = self.c
        c.zeros("taken", 4)
        self.expect_error(lambda: c.zeros("taken", 4), "ValueError", "already exists")
        self.expect_error(lambda: c.zeros("bad", 4, "complex512"), "ValueError")
        self.expect_error(lambda: c.zeros("neg", (-1,)), "ValueError")
        self.expect_error(lambda: c.attach("nope"), "ValueError", "no array named 'nope'")
        e = self.expect_error(lambda: c.submit("fill_rows", "boom"), "ValueError", "bad job")
        self.assertIn("boom", e.traceback)
        self.expect_error(lambda: c.submit("no_such_module", "f"), "ModuleNotFoundError")
        c.zeros("rows", (10, 4))
        self.expect_error(lambda: c.submit("fill_rows", "fill_2d", c.view("rows", 0, 5000), 0), "IndexError", "not within")
        lease = c.view("rows", 0, 10)
        self.expect_error(lambda: c.submit("fill_rows", "fill_2d", lease, lease, 0), "BufferError")  # two writers on rows 0-10
        self.expect_error(lambda: c._call({"op": "fly"}), "ValueError", "unknown op")
        self.expect_error(lambda: c._call({"name": "x"}), "ValueError", "'op'")
        self.assertEqual(c.submit("fill_rows", "fill_2d", c.view("rows", 0, 10), 0), 10, "the service serves on")
        c.release("taken")
        c.release("rows")

    def test_a_client_dying_with_a_mapping_leaves_the_service_and_the_data(self):
        c = self.c
        a = c.zeros("shared", (4, 4), "float64")
        subprocess.run([sys.executable, "-c", f"""
import sys, os; sys.path.insert(0, {client_dir!r}); import tessera_client as tc
c = tc.connect({sock_path!r}); m = c.attach('shared'); m[1][1] = 123.0; os._exit(3)"""], check=False)
        self.assertEqual(a[1][1], 123.0)
        del a
        c.release("shared")

    def test_memory_goes_back_after_release_and_unmap(self):
        """A 256 MiB array filled by the workers and read here: after release and unmap the service's RSS falls and
        the machine's shared memory (/proc/meminfo Shmem) gives the pages back."""
        c = self.c
        n = 32 * 1024 * 1024
        rss0, shmem0 = kib(f"/proc/{c.service_pid}/status", "VmRSS"), kib("/proc/meminfo", "Shmem")
        big = c.zeros("rss", n, "float64")
        self.assertEqual(c.map("fill_rows", "arange", "rss", parts=2), [n // 2, n // 2])
        self.assertEqual((big[n - 1], big[12345]), (n - 1, 12345))
        rss1, shmem1 = kib(f"/proc/{c.service_pid}/status", "VmRSS"), kib("/proc/meminfo", "Shmem")
        self.assertGreater(rss1 - rss0, 200 * 1024, f"the service touched its pages: RSS {rss0} -> {rss1} KiB")
        self.assertGreater(shmem1 - shmem0, 200 * 1024, f"shared memory {shmem0} -> {shmem1} KiB")
        del big
        c.release("rss")
        deadline = time.monotonic() + 30
        while True:
            rss2, shmem2 = kib(f"/proc/{c.service_pid}/status", "VmRSS"), kib("/proc/meminfo", "Shmem")
            if (rss1 - rss2 > 200 * 1024 and shmem1 - shmem2 > 200 * 1024) or time.monotonic() > deadline:
                break
            time.sleep(0.1)
        self.assertGreater(rss1 - rss2, 200 * 1024, f"the service's RSS fell by the array: {rss1} -> {rss2} KiB")
        self.assertGreater(shmem1 - shmem2, 200 * 1024, f"the pages went back: Shmem {shmem1} -> {shmem2} KiB")
        print(f"RSS {rss0 // 1024} -> {rss1 // 1024} -> {rss2 // 1024} MiB; "
              f"Shmem {shmem0 // 1024} -> {shmem1 // 1024} -> {shmem2 // 1024} MiB", file=sys.stderr)


class Jobs(ServiceTestCase):
    def setUp(self):
        super().setUp()
        self.big = self.c.zeros("big", (1000, 4), "float64")

    def tearDown(self):
        del self.big
        self.c.release("big")
        super().tearDown()

    def test_a_map_over_rows_waited_for_or_followed(self):
        c = self.c
        self.assertEqual(c.map("fill_rows", "fill_2d", "big", parts=4), [250] * 4)
        self.assertEqual((self.big[999][3], self.big[0][0]), (999 * 4 + 3, 0))
        job = c.map("fill_rows", "fill_2d", "big", parts=3, wait=False)
        self.assertEqual(job.result(timeout=120), [333, 333, 334])
        self.assertEqual(job.progress(), (3, 3))
        self.assertTrue(job.done())
        self.expect_error(lambda: c.map("fill_rows", "fill_2d", "big", parts=0), "ValueError", "'parts'")
        self.expect_error(lambda: c._call({"op": "job", "job": 123456}), "ValueError", "no job 123456")

    def test_cancel_and_timeout_stop_a_job(self):
        c = self.c
        job = c.start("fill_rows", "spin", 120)
        time.sleep(0.2)
        self.assertEqual(job.progress(), (0, 1))
        self.assertFalse(job.done())
        self.assertTrue(job.cancel())
        self.expect_error(lambda: job.result(timeout=30), "CancelledError")
        self.expect_error(lambda: c.submit("fill_rows", "spin", 120, timeout=0.5), "TimeoutError", "timeout")

    def test_a_failing_part_leaves_the_others_to_run_and_is_retried_alone(self):
        c = self.c
        e = self.expect_error(lambda: c.map("fill_rows", "fail_from", "big", 500, parts=4), "ValueError", "refused")
        self.assertIn("fail_from", e.traceback)
        # every part ran: the failure says which completed and which failed, and a retry runs only those
        self.assertIsInstance(e, tc.PartsFailed)
        self.assertEqual(e.failed_ranges, [(500, 750), (750, 1000)])
        self.assertEqual(e.completed, {(0, 250): 0, (250, 500): 250})
        self.assertIn("2 of 4 parts failed; the first, rows [500, 750)", e.message)
        self.assertEqual(c.map("fill_rows", "fail_from", "big", 1000, ranges=e.failed_ranges), [500, 750])
        job = c.map("fill_rows", "fail_from", "big", 500, parts=4, wait=False)
        self.expect_error(lambda: job.result(timeout=60), "ValueError", "refused")
        self.assertEqual(job.status()["state"], "failed")


class Requests(unittest.TestCase):
    def test_malformed_and_oversized_requests_are_refused_and_the_connection_closed(self):
        for bad in (b"{not json\n", b"[1, 2]\n", b"x" * (1 << 20 + 1) + b"\n"):
            s = socket.socket(socket.AF_UNIX)
            s.connect(sock_path)
            try:
                s.sendall(bad)
            except (BrokenPipeError, ConnectionResetError):
                pass
            try:  # the refusal, then the end of the connection (a reset when the service closed with our bytes unread)
                reply = json.loads(s.makefile("rb").readline() or b'{"ok": false, "error": "closed"}')
                self.assertIs(reply["ok"], False)
                self.assertEqual(s.recv(1), b"", "the connection is closed after a malformed request")
            except ConnectionResetError:
                self.assertGreater(len(bad), 1 << 20, "only an oversized request is cut off unread")
            s.close()
        with tc.connect(sock_path) as c:
            self.assertEqual(c.metrics()["arrays"], 0)


if __name__ == "__main__":
    unittest.main(argv=sys.argv[:1])
