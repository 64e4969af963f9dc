"""A client for `tessera serve`, for CPython (standard library only; numpy optional).

    import tessera_client
    with tessera_client.connect() as c:            # the service's socket (default path, or TESSERA_SOCKET)
        a = c.zeros("grid", (1000, 1000), "float64")   # a numpy array over the service's memory (memoryview without numpy)
        c.submit("fill_rows", "fill", c.view("grid", 0, 500), 0)   # runs in a worker, writes the same pages
        print(a[:2, :4])
        c.release("grid")                          # freed once every process has unmapped it

Arrays live in anonymous memory of the service (no file name anywhere); the client maps the descriptor the
service passes over the socket (SCM_RIGHTS), or else opens /proc/PID/fd/N, which only the same user may open.

As a command, `python3 tessera_client.py run SCRIPT [ARGS...]` runs a script in the service's warm main interpreter
(what `./tessera run` does when a service is running): output streams back, the exit status is the script's;
`python3 tessera_client.py example ARGS...` runs `tessera example ARGS` on the service's warm engine.
"""
import array
import json
import mmap
import os
import socket
import sys
import weakref

__all__ = ["connect", "Client", "Job", "ServiceError", "PartsFailed", "ServiceUnavailable", "default_socket", "run_script"]

PROTOCOL = 3


class ServiceError(Exception):
    """The service refused a request or a job failed: `.type` is the error's (Python) type name, `.traceback` the
    worker's traceback for a failed job."""

    def __init__(self, type, message, traceback=""):
        super().__init__(f"{type}: {message}" if message else type)
        self.type, self.message, self.traceback = type, message, traceback


class PartsFailed(ServiceError):
    """Some parts of a map failed; every part ran. `.type` and `.traceback` are the first failed part's; `completed`
    maps each (start, stop) that finished to its result, `failed` each one that did not to its ServiceError; retry
    just those with `client.map(module, function, name, *args, ranges=e.failed_ranges)` (as tessera's
    pool.map_slices raises SlicesFailed)."""

    def __init__(self, reply):
        super().__init__(reply["error"], reply["message"], reply.get("traceback", ""))
        self.completed, self.failed = {}, {}
        for part in reply["outcomes"]:
            rows = (part["start"], part["stop"])
            if "error" in part:
                self.failed[rows] = ServiceError(part["error"], part["message"], part.get("traceback", ""))
            else:
                self.completed[rows] = part["result"]

    @property
    def failed_ranges(self):
        return sorted(self.failed)


def _error(reply):
    """The exception a failed reply stands for."""
    if "outcomes" in reply:
        return PartsFailed(reply)
    return ServiceError(reply.get("error", "RuntimeError"), reply.get("message", ""), reply.get("traceback", ""))


class ServiceUnavailable(ConnectionError):
    """No service answers at the socket (or it does not run scripts): nothing was started."""


def default_socket():
    path = os.environ.get("TESSERA_SOCKET")
    if path:
        return path
    runtime = os.environ.get("XDG_RUNTIME_DIR")
    if runtime:
        return os.path.join(runtime, "tessera", "tessera.sock")
    import pwd  # the service (Java) uses /tmp and the user's name, whatever TMPDIR says
    return os.path.join("/tmp", f"tessera-{pwd.getpwuid(os.getuid()).pw_name}", "tessera.sock")


def connect(path=None, timeout=None):
    """Connects to a running service; raises ConnectionError saying how to start one if none is there."""
    path = path or default_socket()
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    s.settimeout(timeout)
    try:
        s.connect(path)
    except OSError as e:
        s.close()
        raise ServiceUnavailable(f"no tessera service at {path} ({e.strerror or e}); start one with ./tessera serve") from None
    return Client(s)


class Client:
    def __init__(self, sock):
        self._sock = sock
        self._buffer = bytearray()
        self._fds = []  # descriptors that came with the reply being read
        # name -> weak references to this client's mappings of it: a mapping lives exactly as long as the arrays
        # over it (numpy's base, a memoryview's export), so it goes with the last of them, client open or not
        self._maps = {}
        hello = self._call({"op": "hello"})
        if hello.get("protocol") != PROTOCOL:
            raise ServiceError("RuntimeError", f"the service speaks protocol {hello.get('protocol')}, this client {PROTOCOL}")
        self.service_pid = hello["pid"]
        self.scripts = hello.get("scripts", False)
        self.descriptors = hello.get("descriptors", False)  # arrays' memory comes over the socket (SCM_RIGHTS)
        self.frames = hello["frames"]  # a run's frame kinds by name: stdout, stderr, exit
        self.passed_descriptor = None  # how the last array was mapped: True passed, False reopened by path

    def _read_exactly(self, n):
        while len(self._buffer) < n:
            data = self._sock.recv(max(65536, n - len(self._buffer)))
            if not data:
                raise ConnectionError("the service closed the connection")
            self._buffer += data
        data = bytes(self._buffer[:n])
        del self._buffer[:n]
        return data

    def _readline(self):
        """One reply line; descriptors passed with it land in self._fds."""
        while True:
            end = self._buffer.find(b"\n")
            if end >= 0:
                line = bytes(self._buffer[:end])
                del self._buffer[:end + 1]
                return line
            data, ancillary, _, _ = self._sock.recvmsg(65536, socket.CMSG_SPACE(4 * array.array("i").itemsize))
            for level, kind, payload in ancillary:
                if level == socket.SOL_SOCKET and kind == socket.SCM_RIGHTS:
                    fds = array.array("i")
                    fds.frombytes(payload[:len(payload) - len(payload) % fds.itemsize])
                    self._fds.extend(fds)
            if not data:
                raise ConnectionError("the service closed the connection")
            self._buffer += data

    def _call(self, request):
        self._sock.sendall((json.dumps(request) + "\n").encode())
        for fd in self._fds:
            os.close(fd)  # left from an earlier reply that did not want one
        self._fds = []
        reply = json.loads(self._readline())
        if not reply.get("ok"):
            raise _error(reply)
        return reply

    def _open(self, d):
        """A descriptor of the array's memory: the one passed with the reply, else reopened through /proc."""
        self.passed_descriptor = bool(self._fds)
        if self._fds:
            fd = self._fds.pop(0)
        else:
            fd = os.open(d["path"], os.O_RDWR)
        # A number in /proc can be reused once the array is released: make sure this is the array asked for.
        target = os.readlink(f"/proc/self/fd/{fd}")
        if not target.startswith(f"/memfd:tessera:{d['name']} ") and target != f"/memfd:tessera:{d['name']}":
            os.close(fd)
            raise ServiceError("ValueError", f"array '{d['name']}' was released while it was being attached")
        return fd

    def _map(self, d):
        """A numpy array (or a memoryview cast to the dtype and shape) over the array's pages."""
        fd = self._open(d)
        try:
            m = mmap.mmap(fd, max(d["bytes"], 1), mmap.MAP_SHARED, mmap.PROT_READ | mmap.PROT_WRITE)
        finally:
            os.close(fd)  # the mapping keeps the memory; the descriptor is not needed
        maps = self._maps.setdefault(d["name"], [])
        maps[:] = [r for r in maps if r() is not None]
        maps.append(weakref.ref(m))
        shape = tuple(d["shape"])
        try:
            import numpy
            return numpy.frombuffer(m, dtype=d["dtype"], count=_count(shape)).reshape(shape)
        except ImportError:
            return memoryview(m)[:d["bytes"]].cast(d["format"], shape)

    def zeros(self, name, shape, dtype="float64"):
        """A new named array, zero-filled, mapped into this process."""
        shape = (shape,) if isinstance(shape, int) else tuple(shape)
        return self._map(self._call({"op": "create", "name": name, "shape": list(shape), "dtype": str(dtype)}))

    def attach(self, name):
        """An existing named array, mapped into this process (no copy: pages are shared)."""
        return self._map(self._call({"op": "attach", "name": name}))

    def describe(self, name):
        return self._call({"op": "describe", "name": name})

    def list(self):
        return [d["name"] for d in self._call({"op": "list"})["arrays"]]

    def release(self, name):
        """Frees the array in the service; its memory goes once this and every other process has unmapped it
        (this client drops its own mappings of it first, when nothing else here refers to them)."""
        self._call({"op": "release", "name": name})
        _unmap_unused(self._maps.pop(name, []))

    @staticmethod
    def view(name, start=None, stop=None, readonly=False):
        """An argument for submit(): rows [start, stop) of a named array, as a memoryview in the worker."""
        v = {"array": name, "readonly": bool(readonly)}
        if start is not None:
            v["start"] = start
        if stop is not None:
            v["stop"] = stop
        return v

    def submit(self, module, function, *args, timeout=None):
        """Runs module.function(*args) in a worker of the service and returns its result (a failure raises
        ServiceError with the worker's traceback; past `timeout` seconds the task is stopped: TimeoutError)."""
        return self._call({"op": "submit", "module": module, "function": function, "args": list(args),
                           "timeout": timeout})["result"]

    def start(self, module, function, *args, timeout=None):
        """As submit(), without waiting: a Job to follow, cancel or wait for."""
        r = self._call({"op": "submit", "module": module, "function": function, "args": list(args),
                        "timeout": timeout, "wait": False})
        return Job(self, r["job"])

    def map(self, module, function, name, *args, parts=None, ranges=None, readonly=False, timeout=None, wait=True):
        """Runs module.function(view, start, *args) over the named array cut into `parts` row ranges (default: one
        per worker; or `ranges`, a list of (start, stop)), in parallel; returns the parts' results in order, or with
        wait=False a Job whose progress counts parts done. Every part runs even when others fail; then PartsFailed
        says which completed and which failed (retry with ranges=e.failed_ranges)."""
        request = {"op": "map", "module": module, "function": function, "array": name, "args": list(args),
                   "parts": parts, "readonly": bool(readonly), "timeout": timeout, "wait": bool(wait)}
        if ranges is not None:
            request["ranges"] = [[lo, hi] for lo, hi in ranges]
        r = self._call(request)
        return r["result"] if wait else Job(self, r["job"])

    def metrics(self):
        r = self._call({"op": "metrics"})
        r.pop("ok", None)
        return r

    def mapped(self):
        """Names of the arrays this client has mapped and some array here still uses."""
        return sorted(name for name, maps in self._maps.items() if any(r() is not None for r in maps))

    def close(self):
        """Closes the connection and unmaps every mapping no array uses any more; arrays still alive keep theirs
        (valid after close) until they go."""
        for fd in self._fds:
            os.close(fd)
        self._fds = []
        self._sock.close()
        maps, self._maps = self._maps, {}
        for refs in maps.values():
            _unmap_unused(refs)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()


class Job:
    """A job running in the service (from Client.start or Client.map(wait=False)), shaped like a
    concurrent.futures.Future: done(), result(timeout), cancel(), plus progress()."""

    def __init__(self, client, job_id):
        self._client, self.id = client, job_id
        self._last = None

    def status(self, wait=None):
        """The job's state ('running', 'done', 'failed', 'cancelled', 'timed_out'), parts done and parts; waits up
        to `wait` seconds for it to end first."""
        r = self._client._call({"op": "job", "job": self.id, "wait": wait})
        self._last = r
        return r

    def progress(self):
        """(parts done, parts)."""
        r = self.status()
        return r["done"], r["parts"]

    def done(self):
        return self.status()["ended"]

    def cancel(self):
        """Stops the parts not yet done (a running one is interrupted); True if the job ended cancelled."""
        return self._client._call({"op": "cancel", "job": self.id})["state"] == "cancelled"

    def result(self, timeout=None):
        """The job's result once it ends (a list of part results for map); its failure as ServiceError;
        TimeoutError if it has not ended within `timeout` seconds (the job goes on)."""
        import time
        deadline = None if timeout is None else time.monotonic() + timeout
        while True:
            left = 60.0 if deadline is None else max(0.0, deadline - time.monotonic())
            r = self.status(wait=min(left, 60.0))
            if r["ended"]:
                if r["state"] == "done":
                    return r["result"]
                raise _error(r)
            if deadline is not None and time.monotonic() >= deadline:
                raise TimeoutError(f"job {self.id} has not ended within {timeout} s")


def run_script(script, args=(), path=None, out=None, err=None, inp=None):
    """Runs a script in the service's warm main interpreter, streaming its output to out/err (binary streams;
    default this process's stdout/stderr) and `inp` (a binary stream, e.g. sys.stdin.buffer; default none: the
    script reads end of file at once) to its standard input; returns its exit status. Closing the connection (e.g.
    Ctrl-C here) stops the script in the service."""
    return _launch({"op": "run", "script": os.path.abspath(script), "args": [str(a) for a in args]}, path, out, err,
                   inp)


def run_example(args, path=None, out=None, err=None):
    """`tessera example ARGS` on the service's warm engine; returns its exit status."""
    return _launch({"op": "example", "args": [str(a) for a in args]}, path, out, err)


def _launch(request, path, out, err, inp=None):
    out = out or sys.stdout.buffer
    err = err or sys.stderr.buffer
    with connect(path) as c:
        if not c.scripts:
            raise ServiceUnavailable("the service was started with --no-scripts")
        forward = inp is not None and "stdin" in c.frames  # a service that takes no input: the script reads end of file
        c._call({**request, "cwd": os.getcwd(), **({"stdin": True} if forward else {})})
        if forward:
            _forward_input(c, inp)
        streams = {c.frames["stdout"]: out, c.frames["stderr"]: err}
        exit_kind = c.frames["exit"]
        while True:
            header = c._read_exactly(5)  # a frame: its kind (one byte), its length (4 bytes, big-endian), its bytes
            kind, size = header[0], int.from_bytes(header[1:], "big")
            data = c._read_exactly(size)
            if kind == exit_kind:
                return int.from_bytes(data, "big", signed=True)
            stream = streams.get(kind)
            if stream is not None:
                stream.write(data)
                stream.flush()


def _forward_input(c, inp):
    """Sends `inp` to the running script as stdin frames, then the end frame, from a thread of its own (the script
    may read its input while it writes output, or never read it; a daemon thread is left blocked in a read of a
    terminal that nobody types into when the script ends)."""
    import threading
    data_kind, end_kind = c.frames["stdin"], c.frames["stdin_end"]
    try:  # a file's descriptor, read without its buffer's lock: a thread blocked holding that lock (a terminal or an
        fd = inp.fileno()  # open pipe with nothing to read) makes CPython abort at exit ("could not acquire lock")
        read = lambda n: os.read(fd, n)  # noqa: E731
    except (AttributeError, OSError, ValueError):  # io.UnsupportedOperation is an OSError and a ValueError
        read = getattr(inp, "read1", inp.read)

    def pump():
        try:
            while True:
                data = read(65536)
                if not data:
                    break
                c._sock.sendall(bytes([data_kind]) + len(data).to_bytes(4, "big") + data)
            c._sock.sendall(bytes([end_kind]) + bytes(4))
        except (OSError, ValueError):
            pass  # the run ended and the connection closed, or this input was closed

    threading.Thread(target=pump, name="tessera-client-stdin", daemon=True).start()


def _unmap_unused(refs):
    """Unmaps the mappings still alive that no array uses; one an array uses goes with that array."""
    for r in refs:
        m = r()
        if m is not None:
            try:
                m.close()
            except BufferError:
                pass  # exported to an array (numpy's base, a memoryview): unmapped when that array goes


def _count(shape):
    n = 1
    for d in shape:
        n *= d
    return n


def _main(argv):
    """`tessera_client.py run SCRIPT ARGS...` (exit status: the script's). With `--or-exec LAUNCHER` first, a
    missing service hands the run to LAUNCHER (./tessera) with TESSERA_NO_SERVICE=1: a cold run."""
    launcher = None
    if argv[:1] == ["--or-exec"]:
        launcher, argv = argv[1], argv[2:]
    if not (len(argv) >= 2 and argv[0] == "run" or argv[:1] == ["example"]):
        print("usage: tessera_client.py [--or-exec LAUNCHER] (run SCRIPT [ARGS...] | example [ARGS...])", file=sys.stderr)
        return 2
    if argv[0] == "run" and not os.path.isfile(argv[1]):
        print(f"tessera: no such script: {argv[1]}", file=sys.stderr)
        return 2
    try:
        stdin = sys.stdin.buffer if sys.stdin is not None else None  # None: the launcher's stdin was closed
        return run_script(argv[1], argv[2:], inp=stdin) if argv[0] == "run" else run_example(argv[1:])
    except ServiceUnavailable as e:  # nothing ran: a cold run instead, when a launcher was named
        if launcher is None:
            print(f"tessera: {e}", file=sys.stderr)
            return 2
        os.environ["TESSERA_NO_SERVICE"] = "1"
        os.execv(launcher, [launcher, *argv])
    except (ConnectionError, ServiceError) as e:  # the service refused the run, or went away during it
        print(f"tessera: {e}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":
    sys.exit(_main(sys.argv[1:]))
