"""`tessera run` through the service, a unittest suite: python3 run_suite.py SOCKET CLIENT_DIR SCRIPTS_DIR WORK_DIR
BUSY_POOL_SCRIPT (run by ArrayServiceTest, which checks that every test defined here ran): output, status, argv,
working directory, pools, a client that goes away. BUSY_POOL_SCRIPT is the interpreter's own test of a script that
leaves with its pool busy (os._exit 7), run here through the service. Checks are unittest's, which python -O keeps."""
import io
import os
import subprocess
import sys
import time
import unittest

sock_path, client_dir, scripts, work, busy_pool_script = sys.argv[1:6]
sys.path.insert(0, client_dir)
import tessera_client as tc  # noqa: E402 (the client's directory comes from the command line)


def run(name, *args):
    return run_file(os.path.join(scripts, name), *args)


def run_file(path, *args, inp=None):
    out, err = io.BytesIO(), io.BytesIO()
    status = tc.run_script(path, args, path=sock_path, out=out, err=err, inp=inp)
    return status, out.getvalue().decode(), err.getvalue().decode()


class Runs(unittest.TestCase):
    def setUp(self):
        os.chdir(work)

    def test_output_argv_and_the_clients_directory(self):
        status, out, err = run("echo_args.py", "-v", "two words")
        self.assertEqual(status, 0, (out, err))
        self.assertEqual(out, f"argv ['-v', 'two words'] cwd {work}\n")
        self.assertEqual(err, "to stderr\n")
        with open(os.path.join(work, "made_by_script.txt")) as f:
            self.assertEqual(f.read(), "written")

    def test_the_clients_input_is_the_scripts_stdin(self):
        status, out, err = run_file(os.path.join(scripts, "reads_stdin.py"), inp=io.BytesIO(b"line one\nline two\n"))
        self.assertEqual((status, out), (0, "first 'line one' rest 'line two\\n'\n"), err)
        # more than the service holds unread (1 MiB): it waits for the script to read
        import zlib
        big = bytes(range(256)) * 12_000 + b"\n"
        status, out, err = run_file(os.path.join(scripts, "reads_stdin.py"), "bytes", inp=io.BytesIO(big))
        self.assertEqual((status, out), (0, f"{len(big)} bytes, crc {zlib.crc32(big)}\n"), err)
        # no input given: end of file at once, as before
        status, out, err = run_file(os.path.join(scripts, "reads_stdin.py"))
        self.assertEqual((status, out), (0, "first None rest ''\n"), err)

    def test_the_command_line_client_ends_with_its_stdin_open_and_empty(self):
        # as a parent's pipe that is never written nor closed (a Java ProcessBuilder's default): the client's reader
        # of it must not keep the client from ending (it aborted at exit, holding stdin's buffer lock)
        p = subprocess.Popen([sys.executable, os.path.join(client_dir, "tessera_client.py"), "run",
                              os.path.join(scripts, "echo_args.py"), "x"], stdin=subprocess.PIPE,
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=dict(os.environ, TESSERA_SOCKET=sock_path))
        try:
            out, err = p.stdout.read(), p.stderr.read()  # to their end: the client exited (stdin still open)
            p.wait(timeout=60)
        finally:
            p.stdin.close()
        self.assertEqual((p.returncode, out.decode()), (0, f"argv ['x'] cwd {work}\n"), err.decode())

    def test_exit_statuses(self):
        self.assertEqual(run("exits.py", "sys.exit")[:2], (3, "before sys.exit\n"))
        self.assertEqual(run("exits.py", "os._exit")[:2], (5, "before os._exit\n"))
        status, out, err = run("exits.py", "raise")
        self.assertEqual(status, 1, err)
        self.assertIn("ValueError: raised in the script", err)
        self.assertIn("exits.py", err)
        self.assertEqual(run("exits.py", "fine")[:2], (0, "before fine\n"))

    def test_a_script_uses_a_pool(self):
        status, out, err = run("uses_pool.py")
        self.assertEqual((status, out), (0, "sum 328350\n"), err)

    def test_an_example_on_the_warm_engine_takes_paths_from_the_clients_directory(self):
        out, err = io.BytesIO(), io.BytesIO()
        status = tc.run_example(["scan", "--file", "missing.arrow"], path=sock_path, out=out, err=err)
        self.assertEqual(status, 2, err.getvalue())
        self.assertIn(f"{work}/missing.arrow", err.getvalue().decode())

    def test_a_missing_script_is_refused_before_anything_runs(self):
        with self.assertRaises(tc.ServiceError) as cm:
            tc.run_script(os.path.join(scripts, "no_such.py"), path=sock_path)
        self.assertEqual(cm.exception.type, "ValueError")
        self.assertIn("no such script", cm.exception.message)

    def test_a_worker_of_one_script_leaves_nothing_for_the_next(self):
        self.assertEqual(run("worker_state.py", "set")[:2], (0, "set set by the first script\nread set by the first script\n"))
        status, out, err = run("worker_state.py", "read")
        self.assertEqual((status, out), (0, "read None\n"), err)

    def test_a_script_that_kills_its_pool_leaves_the_service_serving_with_its_warm_workers_refilled(self):
        status, out, err = run_file(busy_pool_script)
        self.assertEqual((status, out), (7, "running True\n"), err)
        with tc.connect(sock_path) as c:
            taken = c.metrics()["warm_workers_taken"]
        self.assertGreaterEqual(taken, 2)
        self.assertEqual(run("uses_pool.py")[:2], (0, "sum 328350\n"))
        deadline = time.monotonic() + 120
        with tc.connect(sock_path) as c:
            while c.metrics()["warm_workers_ready"] != c.metrics()["warm_workers_kept"]:
                self.assertLess(time.monotonic(), deadline, "the warm workers were not made again")
                time.sleep(0.05)
            self.assertGreater(c.metrics()["warm_workers_taken"], taken, "the next script's pool took warm workers too")

    def test_a_script_started_as_the_last_one_ends_finds_its_pool_made_ahead(self):
        deadline = time.monotonic() + 120
        with tc.connect(sock_path) as c:
            while c.metrics()["warm_workers_ready"] != c.metrics()["warm_workers_kept"]:
                self.assertLess(time.monotonic(), deadline, "the warm workers were not all made")
                time.sleep(0.05)
        self.assertEqual(run("uses_pool.py")[:2], (0, "sum 328350\n"))  # a pool of 2 and its spare
        with tc.connect(sock_path) as c:  # nothing is made while the next script starts: what is left is for it
            self.assertGreaterEqual(c.metrics()["warm_workers_ready"], 3, "a script's pool took every warm worker")
        self.assertEqual(run("uses_pool.py")[:2], (0, "sum 328350\n"))

    def test_a_client_that_goes_away_stops_its_script(self):
        p = subprocess.Popen([sys.executable, os.path.join(client_dir, "tessera_client.py"), "run",
                              os.path.join(scripts, "forever.py")], stdout=subprocess.PIPE,
                             env={**os.environ, "TESSERA_SOCKET": sock_path})
        self.assertEqual(p.stdout.readline(), b"started\n")
        with tc.connect(sock_path) as c:
            self.assertEqual(c.metrics()["scripts_running"], 1)
        p.kill()
        p.wait()
        p.stdout.close()
        deadline = time.monotonic() + 30
        with tc.connect(sock_path) as c:
            while c.metrics()["scripts_running"] != 0:
                self.assertLess(time.monotonic(), deadline, "the script of a client that went away still runs")
                time.sleep(0.05)
        self.assertEqual(run("exits.py", "fine")[0], 0)  # and the service runs the next


if __name__ == "__main__":
    unittest.main(argv=sys.argv[:1])
