"""Simulated nodes on one machine for `tessera example cluster` and its tests (Debian's /usr/bin/python3 + Dask).

Node k (1-based) is one `tessera serve` (its own process and socket directory) and Dask worker processes bound to
127.0.0.(k+1), so that Dask's placement by host (`workers=[host]`) works as it does on separate machines; the
scheduler listens on 127.0.0.1. Every process started here is ended by its id when the nodes stop.
"""
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
CLIENT_DIR = os.path.join(ROOT, "service", "python")
sys.path.insert(0, CLIENT_DIR)
import tessera_client  # noqa: E402


class Nodes:
    """Starts services, a scheduler and workers; `client` is a distributed.Client to them; stop() ends them all."""

    def __init__(self, serve_command, nodes=2, workers_per_node=2, service_workers=2, allow_read=(), timeout=30.0,
                 python="/usr/bin/python3", base=None, quiet=True, preload=True):
        self.serve_command = list(serve_command)
        self.count, self.workers_per_node, self.service_workers = nodes, workers_per_node, service_workers
        self.allow_read, self.timeout, self.python, self.quiet, self.preload = list(allow_read), timeout, python, quiet, preload
        self.dir = tempfile.mkdtemp(prefix="tessera-cluster-", dir=base)
        self.procs = {}  # name -> Popen, all started in their own session
        self.client = None
        self.hosts = [f"127.0.0.{k + 1}" for k in range(1, nodes + 1)]
        self.sockets = {h: os.path.join(self.dir, f"node-{k}", "tessera.sock") for k, h in enumerate(self.hosts, 1)}

    # -- processes --
    def _start(self, name, argv, env=None):
        log = open(os.path.join(self.dir, f"{name}.log"), "wb")
        p = subprocess.Popen(argv, stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, env=env,
                             start_new_session=True, cwd=self.dir)
        log.close()
        self.procs[name] = p
        return p

    def log_tail(self, name, lines=15):
        try:
            with open(os.path.join(self.dir, f"{name}.log"), "rb") as f:
                return "\n".join(f.read().decode(errors="replace").splitlines()[-lines:])
        except OSError:
            return ""

    def start_services(self):
        for k, host in enumerate(self.hosts, 1):
            argv = self.serve_command + ["serve", "--socket", self.sockets[host], "--workers", str(self.service_workers),
                                         "--sys-path", CLIENT_DIR, "--no-scripts"]
            for d in self.allow_read:
                argv += ["--allow-read", d]
            self._start(f"service-{k}", argv)
        deadline = time.monotonic() + 300
        for k, host in enumerate(self.hosts, 1):
            p = self.procs[f"service-{k}"]
            while True:
                if p.poll() is not None:
                    raise RuntimeError(f"the service of node {host} exited with status {p.returncode}:\n"
                                       + self.log_tail(f"service-{k}"))
                try:
                    with tessera_client.connect(self.sockets[host], timeout=10):
                        break
                except (ConnectionError, OSError):
                    if time.monotonic() > deadline:
                        raise RuntimeError(f"the service of node {host} did not start within 300 s:\n"
                                           + self.log_tail(f"service-{k}"))
                    time.sleep(0.2)

    def service_pid(self, host):
        return self.procs[f"service-{self.hosts.index(host) + 1}"].pid

    def worker_env(self, host, socket=None):
        env = dict(os.environ)
        env.pop("PYTHONHOME", None)
        env["PYTHONPATH"] = CLIENT_DIR
        env["TESSERA_SOCKET"] = socket or self.sockets[host]
        env["TESSERA_TIMEOUT"] = str(self.timeout)
        return env

    def start_dask(self):
        self.scheduler_file = os.path.join(self.dir, "scheduler.json")
        self._start("scheduler", [self.python, "-m", "distributed.cli.dask_scheduler", "--host", "127.0.0.1", "--port", "0",
                                  "--no-dashboard", "--scheduler-file", self.scheduler_file],
                    env=dict(os.environ, PYTHONPATH=CLIENT_DIR,
                             # stealing balances load by moving a task, and the chunk it reads, to another worker
                             DASK_DISTRIBUTED__SCHEDULER__WORK_STEALING="False"))
        for k, host in enumerate(self.hosts, 1):
            self.start_workers(host, f"workers-{k}")
        import distributed
        deadline = time.monotonic() + 120
        while not os.path.exists(self.scheduler_file):
            if self.procs["scheduler"].poll() is not None or time.monotonic() > deadline:
                raise RuntimeError("the Dask scheduler did not start:\n" + self.log_tail("scheduler"))
            time.sleep(0.1)
        self.client = distributed.Client(scheduler_file=self.scheduler_file, timeout=60)
        self.wait_for_workers(self.count * self.workers_per_node)
        return self.client

    def start_workers(self, host, name, socket=None, count=None, preload=None):
        argv = [self.python, "-m", "distributed.cli.dask_worker", "--scheduler-file", self.scheduler_file, "--host", host,
                "--nworkers", str(count or self.workers_per_node), "--nthreads", "1", "--memory-limit", "0",
                "--no-dashboard", "--local-directory", os.path.join(self.dir, name), "--death-timeout", "60"]
        if self.preload if preload is None else preload:
            argv += ["--preload-nanny", "tessera_dask", "--preload", "tessera_dask"]
        return self._start(name, argv, env=self.worker_env(host, socket))

    def wait_for_workers(self, n, timeout=180):
        deadline = time.monotonic() + timeout
        while len(self.client.scheduler_info()["workers"]) < n:
            for name, p in self.procs.items():
                if name.startswith("workers-") and p.poll() is not None:
                    raise RuntimeError(f"{name} exited with status {p.returncode}:\n" + self.log_tail(name))
            if time.monotonic() > deadline:
                raise RuntimeError(f"{len(self.client.scheduler_info()['workers'])} of {n} Dask workers came up")
            time.sleep(0.2)

    def start(self):
        self.start_services()
        self.start_dask()
        return self

    def stop(self):
        if self.client is not None:
            try:
                self.client.close(timeout=10)
            except Exception:
                pass
            self.client = None
        order = sorted(self.procs, key=lambda n: (not n.startswith("workers-"), n != "scheduler"))
        for name in order:  # workers first, then the scheduler, then the services (SIGTERM: they free their arrays)
            p = self.procs[name]
            if p.poll() is None:
                p.send_signal(signal.SIGTERM)
        for name in order:
            p = self.procs[name]
            try:
                p.wait(timeout=30)
            except subprocess.TimeoutExpired:
                try:
                    os.killpg(p.pid, signal.SIGKILL)  # the session this process leads (its Dask worker children)
                except ProcessLookupError:
                    pass
                p.wait(timeout=30)
        for name, p in self.procs.items():  # children of a CLI that exited (a nanny's workers) in its session
            try:
                os.killpg(p.pid, signal.SIGKILL)
            except (ProcessLookupError, PermissionError):
                pass
        self.procs = {}
        shutil.rmtree(self.dir, ignore_errors=True)

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.stop()


# -- what the operating system says --------------------------------------------------------------------------------

def meminfo_kib(key="Shmem"):
    with open("/proc/meminfo") as f:
        for line in f:
            if line.startswith(key + ":"):
                return int(line.split()[1])
    raise KeyError(key)


def status_kib(pid, key):
    try:
        with open(f"/proc/{pid}/status") as f:
            for line in f:
                if line.startswith(key + ":"):
                    return int(line.split()[1])
    except OSError:
        return 0
    return 0


def io_bytes(pid):
    """(rchar, wchar) of a process: every byte it read or wrote through system calls, sockets included."""
    out = {}
    try:
        with open(f"/proc/{pid}/io") as f:
            for line in f:
                k, v = line.split(":")
                out[k] = int(v)
    except OSError:
        return 0, 0
    return out.get("rchar", 0), out.get("wchar", 0)


def loopback_bytes():
    """Bytes sent over the loopback interface by every process of the machine (/proc/net/dev): what TCP between this
    machine's Dask processes carried (socket sends do not show in /proc/PID/io, which counts read() and write())."""
    with open("/proc/net/dev") as f:
        for line in f:
            name, _, rest = line.partition(":")
            if name.strip() == "lo":
                return int(rest.split()[8])  # transmitted bytes
    return 0


def service_shared_bytes(pid):
    """Bytes of memory that the service's arrays hold (the pages allocated in its anonymous files), read from the
    descriptors it keeps: exactly one copy per node, whoever maps them."""
    total = 0
    fd_dir = f"/proc/{pid}/fd"
    try:
        fds = os.listdir(fd_dir)
    except OSError:
        return 0
    for fd in fds:
        try:
            if os.readlink(f"{fd_dir}/{fd}").startswith("/memfd:tessera:"):
                total += os.stat(f"{fd_dir}/{fd}").st_blocks * 512
        except OSError:
            pass
    return total


def children(pid):
    """Direct and indirect child processes of pid."""
    out, todo = [], [pid]
    while todo:
        p = todo.pop()
        try:
            with open(f"/proc/{p}/task/{p}/children") as f:
                kids = [int(x) for x in f.read().split()]
        except OSError:
            kids = []
        out += kids
        todo += kids
    return out


def dumps(obj):
    return json.dumps(obj, indent=1, default=str)
