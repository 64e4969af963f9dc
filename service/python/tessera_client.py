"""A client for `tessera serve`, for CPython (standard library only; numpy optional).

    import tessera_client
    with tessera_client.connect() as c:            # the service's socket (default path, or TESSERA_SOCKET)
        a = c.zeros("grid", (1000, 1000), "float64")   # a numpy array over the service's memory (memoryview without numpy)
        c.submit("fill_rows", "fill", c.view("grid", 0, 500), 0)   # runs in a worker, writes the same pages
        print(a[:2, :4])
        c.release("grid")                          # freed once every process has unmapped it

Arrays live in anonymous memory of the service (no file name anywhere); the client maps the service's descriptor
through /proc/PID/fd/N, which only a process of the same user may open.
"""
import json
import mmap
import os
import socket

__all__ = ["connect", "Client", "ServiceError", "default_socket"]

PROTOCOL = 1
_FORMATS = {"float64": "d", "float32": "f", "int64": "q", "int32": "i", "int16": "h", "int8": "b",
            "uint64": "Q", "uint32": "I", "uint16": "H", "uint8": "B", "bool": "?"}


class ServiceError(Exception):
    """The service refused a request or a job failed: `.type` is the error's (Python) type name, `.traceback` the
    worker's traceback for a failed job."""

    def __init__(self, type, message, traceback=""):
        super().__init__(f"{type}: {message}" if message else type)
        self.type, self.message, self.traceback = type, message, traceback


def default_socket():
    path = os.environ.get("TESSERA_SOCKET")
    if path:
        return path
    runtime = os.environ.get("XDG_RUNTIME_DIR")
    if runtime:
        return os.path.join(runtime, "tessera", "tessera.sock")
    import getpass
    import tempfile
    return os.path.join(tempfile.gettempdir(), f"tessera-{getpass.getuser()}", "tessera.sock")


def connect(path=None, timeout=None):
    """Connects to a running service; raises ConnectionError saying how to start one if none is there."""
    path = path or default_socket()
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    s.settimeout(timeout)
    try:
        s.connect(path)
    except OSError as e:
        s.close()
        raise ConnectionError(f"no tessera service at {path} ({e.strerror or e}); start one with ./tessera serve") from None
    return Client(s)


class Client:
    def __init__(self, sock):
        self._sock = sock
        self._file = sock.makefile("rb")
        self._maps = {}
        hello = self._call({"op": "hello"})
        if hello.get("protocol") != PROTOCOL:
            raise ServiceError("RuntimeError", f"the service speaks protocol {hello.get('protocol')}, this client {PROTOCOL}")
        self.service_pid = hello["pid"]

    def _call(self, request):
        self._sock.sendall((json.dumps(request) + "\n").encode())
        line = self._file.readline()
        if not line:
            raise ConnectionError("the service closed the connection")
        reply = json.loads(line)
        if not reply.get("ok"):
            raise ServiceError(reply.get("error", "RuntimeError"), reply.get("message", ""), reply.get("traceback", ""))
        return reply

    def _map(self, d):
        """A numpy array (or a memoryview cast to the dtype and shape) over the array's pages."""
        fd = os.open(d["path"], os.O_RDWR)
        try:
            m = mmap.mmap(fd, max(d["bytes"], 1), mmap.MAP_SHARED, mmap.PROT_READ | mmap.PROT_WRITE)
        finally:
            os.close(fd)  # the mapping keeps the memory; the descriptor is not needed
        self._maps.setdefault(d["name"], []).append(m)
        shape = tuple(d["shape"])
        try:
            import numpy
            return numpy.frombuffer(m, dtype=d["dtype"], count=_count(shape)).reshape(shape)
        except ImportError:
            return memoryview(m)[:d["bytes"]].cast(_FORMATS[d["dtype"]], shape)

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
        for m in self._maps.pop(name, []):
            try:
                m.close()
            except BufferError:
                pass  # a numpy array still uses it: unmapped when that array goes

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
        """Runs module.function(*args) in a worker of the service and returns its result."""
        return self._call({"op": "submit", "module": module, "function": function, "args": list(args),
                           "timeout": timeout})["result"]

    def metrics(self):
        r = self._call({"op": "metrics"})
        r.pop("ok", None)
        return r

    def close(self):
        self._file.close()
        self._sock.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()


def _count(shape):
    n = 1
    for d in shape:
        n *= d
    return n
