"""Tessera arrays on a Dask cluster: one `tessera serve` per node, the node's Dask worker processes attached to it.

A node is one service and the Dask workers of the same user on that machine. Arrays are cut into row blocks that live
in the services of different nodes (anonymous shared memory: no file name anywhere); every task on a block runs on the
block's node (`workers=[host]`, `allow_other_workers=False`) and maps the block's pages there, so no chunk is pickled
between processes and every process of a node shares one copy.

Per node (a real cluster; `tessera example cluster` does the same on loopback addresses 127.0.0.K):

    tessera serve --socket S --sys-path TESSERA/service/python [--allow-read DATA_DIR]
    TESSERA_SOCKET=S PYTHONPATH=TESSERA/service/python dask worker SCHEDULER \\
        --preload-nanny tessera_dask --preload tessera_dask --memory-limit 0 --nthreads 1 --nworkers 2

(`--memory-limit 0`: Dask counts the node's shared pages in each worker's RSS and would spill or kill them. The
scheduler with DASK_DISTRIBUTED__SCHEDULER__WORK_STEALING=False: stealing moves a task, and the chunk it reads, to
another worker.) Then:

    import distributed, tessera_dask as td
    client = distributed.Client(SCHEDULER)
    td.attach(client)                                  # every worker attached to its node's service (or registers)
    x = td.DistArray.create(client, "x", (rows,), "float64")
    td.fill_from_hdf5({"/data/x": x}, "file.h5")      # each node fills its blocks with its own pool
    parts = x.map_service("tessera_node_jobs", "total")   # jobs on each node's GraalPy pool, one per block
    total = td.reduce(client, parts, td.add_all)       # partial results reduced by Dask
    d = x.to_dask()                                    # a dask.array whose chunks are views of the nodes' memory
    x.release()

Writes are ledgered: a writing task that Dask runs again (its worker died) refuses by default, or, for idempotent
writes such as a fill, runs again and says so in its result (`attempt`).
"""
import dataclasses
import json
import logging
import math
import operator
import os
import socket
import stat
import threading
import time
import uuid

import tessera_client

__all__ = ["TesseraNode", "attach", "node", "nodes", "pinned", "attach_block", "Block", "DistArray", "plan_blocks",
           "map_blocks", "map_service", "fill_from_hdf5", "reduce", "add_all", "add_parts", "NodeError", "NotAttached",
           "BlockExists", "BlockReleased", "RepeatedWrite", "JobFailed", "JobTimeout", "dask_setup"]

PLUGIN = "tessera"
log = logging.getLogger("tessera_dask")

try:
    from distributed.diagnostics.plugin import WorkerPlugin as _PluginBase
except ImportError:  # the module's other parts need no Dask
    _PluginBase = object


# --- errors: each says which node, and pickles (Dask sends a task's exception to the client) -----------------------

class _NodeMessage(Exception):
    def __init__(self, message, node=None):
        super().__init__(message)
        self.node = node

    def __reduce__(self):
        return type(self), (self.args[0], self.node)


class NodeError(_NodeMessage, ConnectionError):
    """A node's service cannot be reached, went away or stopped answering (`.node` is its host)."""


class NotAttached(_NodeMessage, RuntimeError):
    """This Dask worker has no Tessera node (no preload, no registered plugin)."""


class BlockExists(_NodeMessage, ValueError):
    """A block's name is taken in its node's service."""


class BlockReleased(_NodeMessage, ValueError):
    """A block was released (or its service restarted without it)."""


class RepeatedWrite(_NodeMessage, RuntimeError):
    """A writing task ran again on rows an earlier attempt had begun to write (Dask retried it after its worker died)."""


class JobFailed(_NodeMessage, RuntimeError):
    """A node's service refused a request or a job on its pool failed: the message has the node, the Python type and
    message, then the worker's traceback; `.type` is that type's name."""

    def __init__(self, message, node=None, type=None):
        super().__init__(message, node)
        self.type = type

    def __reduce__(self):
        return type(self), (self.args[0], self.node, self.type)


class JobTimeout(_NodeMessage, TimeoutError):
    """A job on a node's pool ran past the timeout it was given (and was cancelled)."""


# --- the node: a worker plugin ----------------------------------------------------------------------------------------

def check_socket(path, node="this node"):
    """Refuses, saying why, a path that is not a service of this process's user (before any byte is sent)."""
    me = _user(os.getuid())
    try:
        st = os.stat(path)
    except FileNotFoundError:
        raise tessera_client.ServiceUnavailable(
            f"node {node}: no tessera service at {path} (nothing there); start one with `tessera serve --socket {path}` "
            f"or set TESSERA_SOCKET") from None
    except PermissionError:
        raise PermissionError(f"node {node}: {path} cannot be reached by user {me} (its directory is another user's); "
                              f"a Dask worker attaches only to a service of its own user") from None
    if not stat.S_ISSOCK(st.st_mode):
        raise tessera_client.ServiceUnavailable(f"node {node}: {path} is not a socket, so not a tessera service")
    if st.st_uid != os.getuid():
        raise PermissionError(f"node {node}: the service at {path} belongs to user {_user(st.st_uid)}, this worker runs "
                              f"as {me}: a Dask worker attaches only to a service of its own user")


def _user(uid):
    try:
        import pwd
        return pwd.getpwuid(uid).pw_name
    except (KeyError, ImportError):
        return str(uid)


class TesseraNode(_PluginBase):
    """Worker plugin: attaches a Dask worker to its node's `tessera serve`.

    The socket is `sockets[host]`, else `socket`, else $TESSERA_SOCKET, else the service's default path. Setup refuses
    (the worker is not attached, and registration raises) a path that is missing, not a socket, another user's, or
    that does not answer as a tessera service. Each thread of the worker gets its own connection (tasks run in
    threads); teardown closes them all. `timeout` bounds every wait on the service (a service that stops answering
    fails the task in at most that many seconds)."""

    name = PLUGIN

    def __init__(self, socket=None, sockets=None, timeout=None):
        self.socket = socket
        self.sockets = dict(sockets or {})
        self.timeout = float(timeout if timeout is not None else os.environ.get("TESSERA_TIMEOUT", 60))

    def __getstate__(self):  # only the settings travel (register_plugin pickles the plugin)
        return {"socket": self.socket, "sockets": self.sockets, "timeout": self.timeout}

    def _place(self, address):
        from distributed.comm import get_address_host
        self.worker_address = address
        self.node = get_address_host(address)
        self.path = self.sockets.get(self.node) or self.socket or tessera_client.default_socket()
        self._lock = threading.Lock()
        self._local = threading.local()
        self._clients = []
        # block name -> (identity of its anonymous file, numpy array over it): the worker keeps each block it
        # attached mapped, so that the next task on it pays neither the mapping nor its first touch (a fresh mapping
        # of 64 MiB in 4 KiB pages costs tens to hundreds of ms to read once); dropped on release (forget)
        self.mapped = {}

    def forget(self, names=None):
        """Drops this worker's mappings of these blocks (all: None); their pages go once no process maps them."""
        with self._lock:
            for name in list(self.mapped) if names is None else names:
                self.mapped.pop(name, None)

    def probe(self, address):
        """Refuses, saying why, when a process at `address` could not attach (used by a nanny's preload)."""
        self._place(address)
        check_socket(self.path, self.node)
        try:
            self.client()
        finally:
            self.close_all()

    def setup(self, worker):
        self._place(worker.address)
        check_socket(self.path, self.node)
        c = self.client()  # proves the service answers
        self.service_pid = c.service_pid
        try:
            self.pool_workers = int(c.metrics().get("workers", 1))
        except Exception as e:
            self.close_all()
            raise NodeError(f"node {self.node}: {self.path} does not answer as a tessera service ({e})", self.node) from None
        limit = getattr(getattr(worker, "memory_manager", None), "memory_limit", None)
        if limit:
            log.warning("tessera: worker %s has a memory limit (%d bytes) and Dask counts the node's shared pages in its "
                        "RSS: it may spill or be restarted needlessly; run workers with --memory-limit 0", worker.address, limit)
        log.info("tessera: worker %s attached to %s (service pid %d)", worker.address, self.path, self.service_pid)

    def client(self):
        """This thread's connection to the node's service (made on first use)."""
        c = getattr(self._local, "client", None)
        if c is None:
            try:
                c = tessera_client.connect(self.path, timeout=self.timeout)
            except tessera_client.ServiceUnavailable as e:
                raise NodeError(f"node {self.node}: {e}", self.node) from None
            except tessera_client.ServiceError as e:  # e.g. PermissionError: the service serves another user
                raise NodeError(f"node {self.node}: the service at {self.path} refused this worker: {e}", self.node) from None
            except (OSError, ValueError) as e:  # silent, closed, or not speaking the protocol
                if getattr(self, "service_pid", None) is not None and isinstance(e, ConnectionError):
                    raise NodeError(f"node {self.node}: the tessera service at {self.path} (pid {self.service_pid}) went "
                                    f"away ({type(e).__name__}: {e})", self.node) from None
                raise NodeError(f"node {self.node}: {self.path} does not answer as a tessera service "
                                f"({type(e).__name__}: {e})", self.node) from None
            self._local.client = c
            with self._lock:
                self._clients.append(c)
        return c

    def drop_client(self):
        """Forgets this thread's connection (after it failed); the next call makes a new one."""
        c = getattr(self._local, "client", None)
        self._local.client = None
        if c is not None:
            with self._lock:
                if c in self._clients:
                    self._clients.remove(c)
            try:
                c.close()
            except OSError:
                pass

    def close_all(self):
        self.forget()
        with self._lock:
            clients, self._clients = self._clients, []
        for c in clients:
            try:
                c.close()
            except OSError:
                pass

    def teardown(self, worker):
        self.close_all()


async def dask_setup(server):
    """`dask worker --preload tessera_dask`: attaches each worker at start; a worker that cannot attach does not start
    (Dask would only log a failed preload and start the worker unattached). With `--preload-nanny tessera_dask` too,
    the nanny checks the service first and stops, saying why, instead of starting workers that cannot attach."""
    from distributed import Nanny
    if isinstance(server, Nanny):
        TesseraNode().probe(server.address)
        return
    try:
        await server.plugin_add(TesseraNode(), name=PLUGIN, catch_errors=False)
    except Exception as e:
        log.error("tessera: this worker cannot attach to its node's service, so it does not start: %s", e)
        raise SystemExit(f"tessera: {e}") from None


def node():
    """The Tessera node of the Dask worker running the calling task."""
    from distributed import get_worker
    w = get_worker()
    p = w.plugins.get(PLUGIN)
    if p is None or not hasattr(p, "path"):
        raise NotAttached(f"Dask worker {w.address} is not attached to a tessera service: start it with "
                          f"`--preload tessera_dask` or call tessera_dask.attach(client)")
    return p


def _register(client, plugin):
    """register_plugin where Dask has it (2023.x+), else register_worker_plugin (2022.12)."""
    if hasattr(client, "register_plugin"):
        return client.register_plugin(plugin, name=PLUGIN)
    return client.register_worker_plugin(plugin, name=PLUGIN)


def _node_info(dask_worker=None):
    p = dask_worker.plugins.get(PLUGIN)
    if p is None or not hasattr(p, "path"):
        return None
    return {"node": p.node, "socket": p.path, "service_pid": p.service_pid, "pid": os.getpid(),
            "pool_workers": p.pool_workers}


def attach(client, socket=None, sockets=None, timeout=None):
    """Makes sure every worker is attached to its node's service: workers started with the preload already are; the
    others get the plugin now (registration raises, saying why, when a worker cannot attach). Returns nodes(client)."""
    info = client.run(_node_info)
    if any(v is None for v in info.values()):
        _register(client, TesseraNode(socket=socket, sockets=sockets, timeout=timeout))
    return nodes(client)


def nodes(client):
    """{host: {"socket", "service_pid", "workers": [addresses], "pids": [...], "pool_workers"}} of attached workers."""
    out = {}
    for address, info in sorted(client.run(_node_info).items()):
        if info is None:
            continue
        n = out.setdefault(info["node"], {"socket": info["socket"], "service_pid": info["service_pid"],
                                          "pool_workers": info["pool_workers"], "workers": [], "pids": []})
        n["workers"].append(address)
        n["pids"].append(info["pid"])
    return dict(sorted(out.items(), key=lambda kv: _host_key(kv[0])))


_attached_nodes = nodes


def _host_key(host):
    try:
        return tuple(int(p) for p in host.split("."))
    except ValueError:
        return (host,)


# --- errors from the service, named by node ---------------------------------------------------------------------------

class _NodeCalls:
    """Runs service calls of a task, turning failures into errors that name the node and the block."""

    def __init__(self, p, what):
        self.p, self.what = p, what

    def __enter__(self):
        return self.p

    def __exit__(self, kind, e, tb):
        if e is None or isinstance(e, _NodeMessage):
            return False
        p = self.p
        if isinstance(e, tessera_client.ServiceError):
            if e.type == "ValueError" and "no array named" in e.message:
                raise BlockReleased(f"node {p.node}: {self.what}: {e.message}", p.node) from None
            if e.type == "ValueError" and "already exists" in e.message:
                raise BlockExists(f"node {p.node}: {self.what}: {e.message}", p.node) from None
            text = e.message if e.message.startswith("node ") else f"node {p.node}: {e.message}"
            raise JobFailed(f"{e.type}: {text} ({self.what})" + (f"\n{e.traceback}" if e.traceback else ""),
                            p.node, e.type) from None
        if isinstance(e, (ConnectionError, socket.timeout, json.JSONDecodeError)):
            p.drop_client()  # the connection is of no further use; the next task makes a new one
            gone = "did not answer" if isinstance(e, socket.timeout) else "went away"
            raise NodeError(f"node {p.node}: the tessera service at {p.path} (pid {p.service_pid}) {gone} while "
                            f"{self.what} ({type(e).__name__}: {e})", p.node) from None
        return False


def _on(block_node, what):
    p = node()
    if p.node != block_node:  # never happens with the restrictions below; never silently compute elsewhere
        raise RuntimeError(f"a task for node {block_node} ran on {p.node} ({p.worker_address})")
    return _NodeCalls(p, what)


# --- the catalog ------------------------------------------------------------------------------------------------------

@dataclasses.dataclass(frozen=True)
class Block:
    """One row block of a distributed array: where it lives and what it holds."""
    node: str
    name: str
    row0: int
    shape: tuple
    dtype: str

    @property
    def rows(self):
        return self.shape[0]

    @property
    def nbytes(self):
        import numpy
        return math.prod(self.shape) * numpy.dtype(self.dtype).itemsize


def plan_blocks(name, shape, dtype, node_hosts, block_rows=None, block_bytes=64 << 20, align=1):
    """Row blocks for an array: about `block_bytes` each (or `block_rows`, rounded to a multiple of `align`), spread
    over the nodes in contiguous runs (node 0 the first rows)."""
    import numpy
    shape = (shape,) if isinstance(shape, int) else tuple(int(d) for d in shape)
    if not shape or shape[0] < 1:
        raise ValueError(f"a distributed array needs at least one row, not shape {shape}")
    if not node_hosts:
        raise ValueError("no nodes: no Dask worker is attached to a tessera service")
    row_bytes = math.prod(shape[1:]) * numpy.dtype(dtype).itemsize
    if block_rows is None:
        block_rows = max(1, block_bytes // max(row_bytes, 1))
    block_rows = max(align, block_rows // align * align)
    count = -(-shape[0] // block_rows)
    blocks = []
    for i in range(count):
        lo, hi = i * block_rows, min(shape[0], (i + 1) * block_rows)
        blocks.append(Block(node_hosts[i * len(node_hosts) // count], f"{name}#{i}", lo, (hi - lo,) + shape[1:], str(numpy.dtype(dtype))))
    return blocks


def pinned(client, fn, *args, block_node, key=None, retries=0, **kwargs):
    """client.submit(fn, *args) restricted to the Dask workers of one node (`workers=[host]`,
    `allow_other_workers=False`): a task that reads a block there maps it instead of receiving a copy."""
    if key is not None:
        kwargs["key"] = key
    return client.submit(fn, *args, workers=[block_node], allow_other_workers=False, pure=False, retries=retries, **kwargs)


_pinned = pinned


def attach_block(block, writable=False):
    """In a task on the block's node: a numpy array over the block's pages in this process (read-only unless
    writable). The worker keeps its mapping for later tasks until the block is released."""
    with _on(block.node, f"attaching '{block.name}'") as p:
        return _attach(p.client(), block, writable, p)


def _token():
    return uuid.uuid4().hex[:10]


class DistArray:
    """A distributed array: row blocks in the services of several nodes, and the catalog of them (`blocks`)."""

    def __init__(self, client, name, shape, dtype, blocks):
        self.client, self.name, self.shape, self.dtype, self.blocks = client, name, tuple(shape), dtype, list(blocks)
        self._views = []  # futures of attached chunks (to_dask): cancelled on release
        self.chunk_futures = []  # (future, node, block index) of every chunk future to_dask made for this array
        self.released = False

    @classmethod
    def create(cls, client, name, shape, dtype="float64", *, nodes=None, block_rows=None, block_bytes=64 << 20,
               align=1, like=None):
        """Creates the blocks (zero-filled) in their nodes' services, through tasks pinned to each node. A name taken
        on any node raises BlockExists and creates nothing. `like`: another DistArray whose row layout to share (its
        columns then go together in map_blocks, map_service and to_dask)."""
        import numpy
        shape = (shape,) if isinstance(shape, int) else tuple(int(d) for d in shape)
        dtype = str(numpy.dtype(dtype))
        if like is not None:
            if like.shape[0] != shape[0]:
                raise ValueError(f"'{name}' has {shape[0]} rows, '{like.name}' {like.shape[0]}: not the same layout")
            blocks = [Block(b.node, f"{name}#{i}", b.row0, (b.rows,) + shape[1:], dtype) for i, b in enumerate(like.blocks)]
        else:
            hosts = list(nodes) if nodes is not None else list(_attached_nodes(client))
            blocks = plan_blocks(name, shape, dtype, hosts, block_rows, block_bytes, align)
        by_node = _by_node(blocks)
        token = _token()
        futures = {n: _pinned(client, _create_task, bs, block_node=n, key=f"tessera-create-{name}-{n}-{token}")
                   for n, bs in by_node.items()}
        errors = []
        for n, f in futures.items():
            try:
                f.result()
            except Exception as e:
                errors.append(e)
        if errors:  # nothing half-made: the nodes that succeeded give their blocks back
            ok = [n for n, f in futures.items() if f.status == "finished"]
            _release_blocks(client, {n: [b.name for b in by_node[n]] for n in ok}, name)
            raise errors[0]
        return cls(client, name, shape, dtype, blocks)

    @property
    def nodes(self):
        return sorted({b.node for b in self.blocks}, key=_host_key)

    @property
    def nbytes(self):
        return sum(b.nbytes for b in self.blocks)

    def _check(self):
        if self.released:
            raise BlockReleased(f"distributed array '{self.name}' was released")

    def to_dask(self, *others):
        """A dask.array over the blocks (with `others`, a tuple of them, one per array, sharing the row layout): each
        chunk is a numpy view of its node's memory, attached by a task pinned to the node (all arrays' chunks of a row
        block in one task, so one worker holds them together). The attached views stay mapped until release() of any
        of the arrays given together (which ends the dask.arrays of all of them)."""
        import dask.array as da
        arrays = (self,) + others
        for a in arrays:
            a._check()
            _same_layout(self, a)
        token = _token()
        columns = [[] for _ in arrays]
        for i, b in enumerate(self.blocks):
            group = [a.blocks[i] for a in arrays]
            key = f"tessera-attach-{self.name}-{i}-{token}"
            f = _pinned(self.client, _attach_task, group, block_node=b.node, key=key)
            for a in arrays:  # releasing any of them drops the views of all (they are held together)
                a._views.append(f)
            self.chunk_futures.append((f, b.node, i))
            for j, a in enumerate(arrays):
                part = f
                if len(arrays) > 1:  # a cheap getitem where the views are (pinned: never moves a chunk)
                    part = _pinned(self.client, operator.getitem, f, j, block_node=b.node, key=f"{key}-{j}")
                    a._views.append(part)
                    a.chunk_futures.append((part, b.node, i))
                columns[j].append(da.from_delayed(part, shape=a.blocks[i].shape, dtype=a.dtype))
        result = tuple(da.concatenate(c, axis=0) for c in columns)
        return result[0] if len(arrays) == 1 else result

    def map_blocks(self, func, *args, others=(), writes=False, on_retry="refuse", retries=0, **kwargs):
        """See map_blocks()."""
        return map_blocks(func, (self,) + tuple(others), *args, writes=writes, on_retry=on_retry, retries=retries, **kwargs)

    def map_service(self, module, function, *args, others=(), parts=None, readonly=True, timeout=None,
                    on_retry="refuse"):
        """See map_service()."""
        return map_service(module, function, (self,) + tuple(others), *args, parts=parts, readonly=readonly,
                           timeout=timeout, on_retry=on_retry)

    def release(self):
        """Drops the attached chunks, then frees every block (and write ledger) in its node's service; memory goes
        once no process maps it. Nodes that cannot be reached are skipped (their services hold nothing new)."""
        if self.released:
            return
        self.released = True
        if self._views:
            self.client.cancel(self._views)
            self._views = []
            self.chunk_futures = []
        _release_blocks(self.client, {n: [b.name for b in bs] for n, bs in _by_node(self.blocks).items()}, self.name)

    def __repr__(self):
        return f"DistArray({self.name!r}, shape={self.shape}, dtype={self.dtype}, blocks={len(self.blocks)} on {self.nodes})"


def _same_layout(a, b):
    if [(x.node, x.row0, x.rows) for x in a.blocks] != [(x.node, x.row0, x.rows) for x in b.blocks]:
        raise ValueError(f"'{a.name}' and '{b.name}' do not share their row blocks (create one with like=the other)")


def _by_node(blocks):
    out = {}
    for b in blocks:
        out.setdefault(b.node, []).append(b)
    return out


def _release_blocks(client, names_by_node, prefix):
    names = [n for ns in names_by_node.values() for n in ns]
    client.run(_forget_task, names, on_error="ignore")  # the workers' own mappings first: then the pages can go
    token = _token()
    futures = [_pinned(client, _release_task, names, prefix, block_node=n, key=f"tessera-release-{prefix}-{n}-{token}")
               for n, names in names_by_node.items()]
    released = 0
    for f in futures:
        try:
            released += f.result(timeout=120)
        except Exception as e:  # a node that is gone holds nothing to free; say so and go on
            log.warning("tessera: release of '%s': %s", prefix, e)
    return released


# --- tasks (run in the workers, pinned to the block's node) -----------------------------------------------------------

def _create_task(blocks):
    made = []
    with _on(blocks[0].node, f"creating blocks of '{blocks[0].name.rsplit('#', 1)[0]}'") as p:
        c = p.client()
        try:
            for b in blocks:
                try:
                    c.zeros(b.name, b.shape, b.dtype)  # the mapping goes at once: nothing here uses it
                except tessera_client.ServiceError as e:
                    if e.type == "ValueError" and "already exists" in e.message:
                        raise BlockExists(f"node {p.node}: a block named '{b.name}' already exists in its service (another "
                                          f"distributed array of that name?); nothing was created", p.node) from None
                    raise
                made.append(b.name)
        except BaseException:
            for name in made:
                try:
                    c.release(name)
                except Exception:
                    pass
            raise
    return len(made)


def _release_task(names, prefix):
    """Releases the blocks and the write ledgers of the array (names 'BLOCK!w...')."""
    with _on(node().node, f"releasing blocks of '{prefix}'") as p:
        c = p.client()
        wanted = set(names)
        released = 0
        for name in c.list():
            if name in wanted or name.split("!", 1)[0] in wanted:
                try:
                    c.release(name)
                    released += 1
                except tessera_client.ServiceError as e:
                    if "no array named" not in e.message:
                        raise
    return released


def _attach(c, b, writable=True, p=None):
    """A numpy array over the block's pages: this worker's mapping of it when it still maps the same array (same
    anonymous file: a name released and made again is mapped anew), else a new one, kept for the next task."""
    import mmap
    import numpy
    d = c._call({"op": "attach", "name": b.name})
    fd = c._open(d)  # checked to be the array asked for
    try:
        identity = os.fstat(fd).st_ino
        cached = p.mapped.get(b.name) if p is not None else None
        if cached is not None and cached[0] == identity:
            a = cached[1]
        else:
            m = mmap.mmap(fd, max(d["bytes"], 1), mmap.MAP_SHARED, mmap.PROT_READ | mmap.PROT_WRITE)
            a = numpy.frombuffer(m, dtype=d["dtype"], count=math.prod(d["shape"])).reshape(tuple(d["shape"]))
            if p is not None:
                with p._lock:
                    p.mapped[b.name] = (identity, a)
    finally:
        os.close(fd)
    if tuple(a.shape) != tuple(b.shape) or str(a.dtype) != b.dtype:
        raise BlockReleased(f"block '{b.name}' was released and its name reused (now {a.dtype}{list(a.shape)}, "
                            f"the catalog says {b.dtype}{list(b.shape)})", b.node)
    a = a.view()
    if not writable:
        a.flags.writeable = False
    return a


def _forget_task(names, dask_worker=None):
    p = dask_worker.plugins.get(PLUGIN)
    if p is not None and hasattr(p, "mapped"):
        p.forget(names)
    return True


def _attach_task(blocks):
    with _on(blocks[0].node, f"attaching '{blocks[0].name}'") as p:
        c = p.client()
        views = tuple(_attach(c, b, True, p) for b in blocks)
    return views[0] if len(views) == 1 else views


def _claim_write(c, p, block, token, on_retry):
    """The write ledger: a one-element array per (block, writing job) in the node's service, made by the first attempt
    before it writes (creation is atomic in the service), counting attempts. Returns the attempt number."""
    ledger = f"{block.name}!w{token}"
    try:
        mark = c.zeros(ledger, 1, "int64")
    except tessera_client.ServiceError as e:
        if not (e.type == "ValueError" and "already exists" in e.message):
            raise
        mark = c.attach(ledger)
    attempt = int(mark[0]) + 1
    mark[0] = attempt
    del mark
    if attempt > 1:
        what = (f"node {p.node}: rows {block.row0}..{block.row0 + block.rows} of '{block.name}' were already (perhaps "
                f"partly) written by attempt {attempt - 1} of this job (Dask ran the task again after its worker died)")
        if on_retry == "refuse":
            raise RepeatedWrite(what + "; the job is not declared idempotent, so it is not run twice: check the rows "
                                "and run it again yourself (or pass on_retry='redo')", p.node)
        log.warning("tessera: %s; running it again (on_retry='redo')", what)
    return attempt


def _map_blocks_task(func, blocks, args, kwargs, write_token, on_retry):
    b0 = blocks[0]
    with _on(b0.node, f"attaching '{b0.name}'") as p:
        c = p.client()
        attempt = _claim_write(c, p, b0, write_token, on_retry) if write_token else 1
        views = [_attach(c, b, bool(write_token), p) for b in blocks]
    result = func(*views, b0.row0, *args, **kwargs)
    del views
    return {"result": result, "attempt": attempt} if write_token else result


def _service_task(module, function, blocks, args, parts, readonly, timeout, write_token, on_retry):
    b0 = blocks[0]
    with _on(b0.node, f"running {module}.{function} on '{b0.name}'") as p:
        c = p.client()
        attempt = _claim_write(c, p, b0, write_token, on_retry) if write_token else 1
        # The rows split as the service's own map splits them (RowMap.split: sizes differing by at most one row, none
        # empty); one job per part rather than the service's `map` because a part here is the same rows of several
        # arrays (the columns of one table), and `map` views one. A failed part fails the block's Dask task, which is
        # the unit Dask retries (the write ledger above guards the rows), so the first failure cancels the others.
        parts = max(1, min(parts or p.pool_workers, b0.rows))
        requests = []
        for k in range(parts):
            lo, hi = b0.rows * k // parts, b0.rows * (k + 1) // parts
            views = [c.view(b.name, lo, hi, readonly=readonly) for b in blocks]
            requests.append((module, function, [*views, b0.row0 + lo, *args]))
        results = _run_jobs(c, p, requests, timeout)
    return {"result": results, "attempt": attempt} if write_token else results


def _run_jobs(c, p, requests, timeout):
    """Starts the jobs on the node's pool and waits for all; the first failure cancels the rest and is raised. A write
    lease still held by an earlier attempt's job (its Dask task died, the job did not) is waited for, up to timeout."""
    deadline = None if timeout is None else time.monotonic() + timeout
    lease_wait = time.monotonic() + (timeout or p.timeout)
    jobs = []
    try:
        for module, function, args in requests:
            while True:
                try:
                    jobs.append(c.start(module, function, *args, timeout=timeout))
                    break
                except tessera_client.ServiceError as e:
                    if e.type != "BufferError" or time.monotonic() > lease_wait:
                        raise
                    time.sleep(0.05)  # an earlier attempt's job still holds these rows
        results = []
        poll = max(0.05, min(5.0, p.timeout / 2))
        for job in jobs:
            while True:
                left = poll if deadline is None else max(0.0, min(poll, deadline - time.monotonic()))
                r = job.status(wait=left)
                if r["ended"]:
                    break
                if deadline is not None and time.monotonic() > deadline:
                    raise JobTimeout(f"node {p.node}: job {job.id} has not ended within {timeout} s (cancelled)", p.node)
            if r["state"] != "done":
                raise tessera_client.ServiceError(r["error"], f"node {p.node}: {r['message']}", r.get("traceback", ""))
            results.append(r["result"])
        return results
    except BaseException:
        for job in jobs:
            try:
                job.cancel()
            except Exception:
                pass
        raise


# --- jobs over distributed arrays (run from the driver) --------------------------------------------------------------

def map_blocks(func, arrays, *args, writes=False, on_retry="refuse", retries=0, **kwargs):
    """func(*views, first_row, *args, **kwargs) once per row block, in a Dask worker of the block's node, over numpy
    views of the blocks of `arrays` (same layout; read-only unless writes=True). Returns the futures, one per block
    (with writes: {"result", "attempt"}). Writing tasks are never retried by Dask on purpose (retries=0), and one that
    Dask runs again after its worker died raises RepeatedWrite (on_retry='redo': runs again and says so)."""
    arrays = _arrays(arrays)
    client = arrays[0].client
    token = _token()
    futures = []
    for i, b in enumerate(arrays[0].blocks):
        group = [a.blocks[i] for a in arrays]
        futures.append(_pinned(client, _map_blocks_task, func, group, args, kwargs, token if writes else None, on_retry,
                               block_node=b.node, key=f"tessera-blocks-{arrays[0].name}-{i}-{token}",
                               retries=0 if writes else retries))
    if writes:
        _forget_ledgers_later(client, arrays[0], token, futures)
    return futures


def map_service(module, function, arrays, *args, parts=None, readonly=True, timeout=None, on_retry="refuse"):
    """module.function(*views, first_row, *args) on each node's GraalPy pool, the block cut into `parts` row ranges
    (default: one per pool worker) run in parallel; one Dask task per block, pinned to its node, waits for them and
    returns the parts' results (a list). Writing jobs (readonly=False) are ledgered as in map_blocks."""
    arrays = _arrays(arrays)
    client = arrays[0].client
    token = _token()
    writes = not readonly
    futures = []
    for i, b in enumerate(arrays[0].blocks):
        group = [a.blocks[i] for a in arrays]
        futures.append(_pinned(client, _service_task, module, function, group, args, parts, readonly, timeout,
                               token if writes else None, on_retry, block_node=b.node,
                               key=f"tessera-service-{arrays[0].name}-{i}-{token}"))
    if writes:
        _forget_ledgers_later(client, arrays[0], token, futures)
    return futures


def _arrays(arrays):
    arrays = (arrays,) if isinstance(arrays, DistArray) else tuple(arrays)
    for a in arrays:
        a._check()
        _same_layout(arrays[0], a)
    return arrays


def _forget_ledgers_later(client, array, token, futures):
    """Once every task of a writing job ended, its ledger entries are released (pinned to their nodes)."""
    names = {n: [f"{b.name}!w{token}" for b in bs] for n, bs in _by_node(array.blocks).items()}
    remaining = [len(futures)]
    lock = threading.Lock()

    def one_done(_):
        with lock:
            remaining[0] -= 1
            last = remaining[0] == 0
        if last:
            for n, ns in names.items():
                f = _pinned(client, _release_names_task, ns, block_node=n, key=f"tessera-ledger-{array.name}-{n}-{token}")
                f.add_done_callback(lambda f: f.exception() if f.status == "error" else None)

    for f in futures:
        f.add_done_callback(one_done)


def _release_names_task(names):
    with _on(node().node, "releasing write ledgers") as p:
        c = p.client()
        for name in names:
            try:
                c.release(name)
            except tessera_client.ServiceError as e:
                if "no array named" not in e.message:
                    raise
    return len(names)


def reduce(client, futures, combine=None, leaf=None, arity=4):
    """Combines the futures' results with Dask: a tree of tasks `combine(list)` (default add_all), each result first
    mapped by `leaf` (e.g. add_parts for map_service's per-block lists of parts). Partial results are small: these
    tasks go where Dask likes. Returns a future of the final result."""
    combine = combine or add_all
    level = list(futures)
    if not level:
        raise ValueError("nothing to reduce")
    first = True
    while first or len(level) > 1:
        level = [client.submit(_combine, level[i:i + arity], combine, leaf if first else None, pure=False)
                 for i in range(0, len(level), arity)]
        first = False
    return level[0]


def _combine(items, combine, leaf):
    return combine([leaf(x) for x in items] if leaf else items)


def add_all(parts):
    """Element-wise sum of partial results of one shape (numbers, or lists/tuples/arrays of them)."""
    import numpy
    total = None
    for p in parts:
        p = numpy.asarray(p, dtype="float64")
        total = p if total is None else total + p
    return total


def add_parts(block_result):
    """One block's map_service result (its parts' results) added up."""
    return add_all(block_result)


# --- a parallel HDF5 fill across nodes ---------------------------------------------------------------------------------

def fill_from_hdf5(datasets, path, method="service", timeout=None):
    """Fills distributed arrays from datasets of an HDF5 file: {dataset path: DistArray}. Each node fills its own
    blocks: method "service" on its GraalPy pool (chunks' stored bytes read and decompressed straight into the
    block's pages; chunks the pool cannot take, e.g. the dataset's last partial chunk, by h5py in the Dask worker),
    method "h5py" with h5py in the node's Dask workers (read_direct into the block's pages). The file must be
    readable on every node at `path` (and by each service: `--allow-read DIR`). A fill is idempotent: a task that
    Dask runs again after its worker died fills again and says so (its report's "attempt").
    Returns per-block reports {"array", "block", "node", "bytes", "service_bytes", "h5py_bytes", "seconds", "attempt"}."""
    if method not in ("service", "h5py"):
        raise ValueError(f"fill method '{method}': 'service' or 'h5py'")
    path = os.path.abspath(path)
    token = _token()
    futures = []
    for dataset, array in datasets.items():
        array._check()
        for i, b in enumerate(array.blocks):
            futures.append(_pinned(array.client, _fill_block, b, path, dataset, method, token, timeout,
                                   block_node=b.node, key=f"tessera-fill-{array.name}-{i}-{token}"))
    try:
        return [f.result() for f in futures]
    finally:
        for array in datasets.values():
            _release_blocks(array.client, {n: [f"{b.name}!w{token}" for b in bs] for n, bs in _by_node(array.blocks).items()},
                            array.name)


def _fill_block(block, path, dataset, method, token, timeout):
    """One block from one dataset: the fill step that a faster host-side reader can replace."""
    import h5py
    import numpy
    t0 = time.perf_counter()
    with h5py.File(path, "r") as f:
        d = f[dataset]
        if d.shape[1:] != block.shape[1:] or d.shape[0] < block.row0 + block.rows:
            raise ValueError(f"{path}:{dataset} has shape {d.shape}; block '{block.name}' wants rows "
                             f"{block.row0}..{block.row0 + block.rows} of shape {block.shape[1:]}")
        whole = [(block.row0, block.row0 + block.rows)]
        plan = _chunk_plan(d, block) if method == "service" else {"chunks": [], "rest": whole}
    service_bytes = 0
    view = None
    with _on(block.node, f"filling '{block.name}' from {path}:{dataset}") as p:
        c = p.client()
        attempt = _claim_write(c, p, block, token, "redo")
        if plan["chunks"]:  # on the node's pool, in parallel: stored bytes read and decompressed into the pages
            requests = []
            for part in _split(plan["chunks"], p.pool_workers):
                lo, hi = part[0][2], part[-1][3]
                rel = [(off, size, a - lo, b - lo) for off, size, a, b in part]
                requests.append(("tessera_node_jobs", "fill_chunks",
                                 [c.view(block.name, lo, hi), block.row0 + lo, path, plan["codec"], plan["shuffle"], rel]))
            service_bytes = sum(_run_jobs(c, p, requests, timeout))
        if plan["rest"]:
            view = _attach(c, block, True, p)
    h5py_bytes = 0
    if plan["rest"]:  # here, with h5py: straight into the block's pages
        with h5py.File(path, "r") as f:
            d = f[dataset]
            for lo, hi in plan["rest"]:
                d.read_direct(view, source_sel=numpy.s_[lo:hi], dest_sel=numpy.s_[lo - block.row0:hi - block.row0])
                h5py_bytes += (hi - lo) * view.itemsize * math.prod(view.shape[1:])
        del view
    return {"array": block.name.rsplit("#", 1)[0], "block": block.name, "node": block.node, "attempt": attempt,
            "bytes": service_bytes + h5py_bytes, "service_bytes": service_bytes, "h5py_bytes": h5py_bytes,
            "seconds": time.perf_counter() - t0, "method": method}


def _chunk_plan(d, block):
    """Which of the block's rows the pool can decompress straight from the file (whole stored chunks with deflate
    and shuffle only, native byte order), and which rows h5py fills instead."""
    import numpy
    rest = [(block.row0, block.row0 + block.rows)]
    filters = set(getattr(d, "_filters", {}) or {})
    if (d.chunks is None or not filters <= {"gzip", "shuffle"} or d.chunks[1:] != d.shape[1:]
            or not d.dtype.isnative or numpy.dtype(block.dtype) != d.dtype):
        return {"chunks": [], "rest": rest, "codec": "", "shuffle": False}
    rows_per_chunk = d.chunks[0]
    chunks, rest = [], []
    lo, hi = block.row0, block.row0 + block.rows
    r = lo - lo % rows_per_chunk
    while r < hi:
        c_lo, c_hi = max(r, lo), min(r + rows_per_chunk, hi)
        whole = c_lo == r and r + rows_per_chunk <= d.shape[0] and c_hi == r + rows_per_chunk
        info = d.id.get_chunk_info_by_coord((r,) + (0,) * (len(d.shape) - 1)) if whole else None
        if info is not None and info.byte_offset is not None and info.filter_mask == 0:
            chunks.append((info.byte_offset, info.size, c_lo - block.row0, c_hi - block.row0))
        else:
            rest.append((c_lo, c_hi))
        r += rows_per_chunk
    return {"chunks": chunks, "rest": _merge(rest), "codec": "zlib" if "gzip" in filters else "",
            "shuffle": "shuffle" in filters}


def _merge(ranges):
    out = []
    for lo, hi in ranges:
        if out and out[-1][1] == lo:
            out[-1] = (out[-1][0], hi)
        else:
            out.append((lo, hi))
    return out


def _split(chunks, parts):
    """Contiguous runs of chunks, about equal in stored bytes."""
    parts = max(1, min(parts, len(chunks)))
    total = sum(c[1] for c in chunks)
    out, run, acc = [], [], 0
    for c in chunks:
        run.append(c)
        acc += c[1]
        if len(out) < parts - 1 and acc >= total * (len(out) + 1) / parts:
            out.append(run)
            run = []
    if run:
        out.append(run)
    return out
