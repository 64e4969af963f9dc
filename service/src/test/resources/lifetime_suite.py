"""Run by ClientLifetimeTest with CPython: python3 lifetime_suite.py SOCKET CLIENT_DIR. Prints CHECKS PASSED at the end.

A client's mapping of an array lives exactly as long as the arrays over it: it goes with the last numpy array (client
open or closed), close() leaves the mappings of arrays still alive valid and unmaps the rest, and once the owner
releases the array the machine's shared memory (/proc/meminfo Shmem) gets the pages back."""
import gc
import sys
import time

sock_path, client_dir = sys.argv[1], sys.argv[2]
sys.path.insert(0, client_dir)
import tessera_client as tc

MIB = 1024 * 1024
N = 256 * MIB // 8  # float64: 256 MiB


def mappings(name):
    """This process's mappings of the array's memory (an anonymous file shows as /memfd:tessera:NAME (deleted))."""
    with open("/proc/self/maps") as f:
        return sum(1 for line in f if line.rstrip().endswith((f"/memfd:tessera:{name} (deleted)", f"/memfd:tessera:{name}")))


def shmem_mib():
    with open("/proc/meminfo") as f:
        for line in f:
            if line.startswith("Shmem:"):
                return int(line.split()[1]) // 1024
    raise KeyError("Shmem")


def settles(check, what, seconds=30):
    deadline = time.monotonic() + seconds
    while not check():
        assert time.monotonic() < deadline, what
        time.sleep(0.05)


owner = tc.connect(sock_path)
shmem0 = shmem_mib()

# the case from the issue: a second client attaches the array, the array is deleted, the client closed, the owner
# releases it: the pages go back (before: Shmem stayed up until the client object was collected)
a = owner.zeros("life", N, "float64")
a[:] = 1.0  # every page touched: 256 MiB of shared memory
assert shmem_mib() - shmem0 >= 250, (shmem0, shmem_mib())
second = tc.connect(sock_path)
b = second.attach("life")
assert b[N - 1] == 1.0 and mappings("life") == 2, mappings("life")
del b
assert mappings("life") == 1, "the second client's mapping goes with its last array, the client still open"
assert second.mapped() == [] and owner.mapped() == ["life"], (second.mapped(), owner.mapped())
second.close()
del a
assert mappings("life") == 0, "the owner's mapping goes with its array too"
owner.release("life")
settles(lambda: shmem_mib() - shmem0 < 64, f"Shmem back after release: {shmem0} -> {shmem_mib()} MiB")
print(f"attach, delete, close, release: Shmem {shmem0} -> {shmem_mib()} MiB with the second client object alive")

# an array that outlives its client's close(): still valid, its mapping kept; gone once the array goes
a = owner.zeros("kept", N, "float64")
a[:] = 2.0
second = tc.connect(sock_path)
view = second.attach("kept")[10:20]  # a slice keeps the mapping as well as the array it came from
second.close()
assert view.sum() == 20.0 and mappings("kept") == 2, "an array alive after close() keeps its mapping"
view[0] = 5.0
assert a[10] == 5.0, "and writes through it reach the same pages"
del view
assert mappings("kept") == 1, "the mapping goes with the last array over it"
del a
owner.release("kept")
settles(lambda: shmem_mib() - shmem0 < 64, f"Shmem back: {shmem0} -> {shmem_mib()} MiB")

# released by the owner while another client's array is alive: the pages stay for that array, then go with it
a = owner.zeros("late", N, "float64")
a[:] = 3.0
second = tc.connect(sock_path)
b = second.attach("late")
del a
owner.release("late")
time.sleep(0.3)
assert b[N // 2] == 3.0 and shmem_mib() - shmem0 >= 250, "a live array keeps the pages after release"
second.close()
assert b[0] == 3.0, "and after its client closed"
del b
gc.collect()
settles(lambda: shmem_mib() - shmem0 < 64, f"Shmem back once the last array went: {shmem0} -> {shmem_mib()} MiB")

# without numpy's help: a memoryview over the mapping behaves the same (the fallback when numpy is missing)
small = owner.zeros("mv", 1024, "int32")
m = memoryview(owner.attach("mv"))
del small
assert mappings("mv") == 1
m.release()
del m
gc.collect()
assert mappings("mv") == 0, "a released memoryview's mapping goes"

# close() unmaps what nothing uses; many attaches in a loop hold at most the arrays still referenced
c = tc.connect(sock_path)
for _ in range(200):
    x = c.attach("mv")
assert mappings("mv") == 1, f"200 attaches, one array alive: {mappings('mv')} mappings"
del x
c.close()
assert mappings("mv") == 0
owner.release("mv")
owner.close()
assert shmem_mib() - shmem0 < 64, (shmem0, shmem_mib())
print("CHECKS PASSED")
