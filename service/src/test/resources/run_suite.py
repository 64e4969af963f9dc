"""Run by ArrayServiceTest with CPython: python3 run_suite.py SOCKET CLIENT_DIR SCRIPTS_DIR WORK_DIR.
`tessera run` through the service: output, status, argv, working directory, pools, a client that goes away."""
import io
import os
import subprocess
import sys
import time

sock_path, client_dir, scripts, work = sys.argv[1:5]
sys.path.insert(0, client_dir)
import tessera_client as tc

os.chdir(work)


def run(name, *args):
    out, err = io.BytesIO(), io.BytesIO()
    status = tc.run_script(os.path.join(scripts, name), args, path=sock_path, out=out, err=err)
    return status, out.getvalue().decode(), err.getvalue().decode()


status, out, err = run("echo_args.py", "-v", "two words")
assert status == 0, (status, out, err)
assert out == f"argv ['-v', 'two words'] cwd {work}\n", out
assert err == "to stderr\n", err
assert open(os.path.join(work, "made_by_script.txt")).read() == "written"

assert run("exits.py", "sys.exit")[:2] == (3, "before sys.exit\n")
assert run("exits.py", "os._exit")[:2] == (5, "before os._exit\n")
status, out, err = run("exits.py", "raise")
assert status == 1 and "ValueError: raised in the script" in err and "exits.py" in err, (status, err)
assert run("exits.py", "fine")[:2] == (0, "before fine\n")

status, out, err = run("uses_pool.py")
assert (status, out) == (0, "sum 328350\n"), (status, out, err)

# `tessera example` on the warm engine: relative paths are the client's
out, err = io.BytesIO(), io.BytesIO()
status = tc.run_example(["scan", "--file", "missing.arrow"], path=sock_path, out=out, err=err)
assert status == 2 and f"{work}/missing.arrow" in err.getvalue().decode(), (status, err.getvalue())

# a missing script is refused before anything runs
try:
    tc.run_script(os.path.join(scripts, "no_such.py"), path=sock_path)
    raise AssertionError("a missing script ran")
except tc.ServiceError as e:
    assert e.type == "ValueError" and "no such script" in e.message, e

# a client that goes away stops its script in the service
p = subprocess.Popen([sys.executable, os.path.join(client_dir, "tessera_client.py"), "run",
                      os.path.join(scripts, "forever.py")], stdout=subprocess.PIPE, env={**os.environ, "TESSERA_SOCKET": sock_path})
assert p.stdout.readline() == b"started\n"
with tc.connect(sock_path) as c:
    assert c.metrics()["scripts_running"] == 1
p.kill()
p.wait()
deadline = time.monotonic() + 30
with tc.connect(sock_path) as c:
    while c.metrics()["scripts_running"] != 0:
        assert time.monotonic() < deadline, "the script of a client that went away still runs"
        time.sleep(0.05)
assert run("exits.py", "fine")[0] == 0  # and the service runs the next
print("CHECKS PASSED")
