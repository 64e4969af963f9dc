"""Run by ClientLifetimeTest with each CPython here: python3 lifetime_suite.py SOCKET CLIENT_DIR (a unittest suite).

A client's mapping of an array lives exactly as long as the arrays over it: it goes with the last numpy array (client
open or closed), close() leaves the mappings of arrays still alive valid and unmaps the rest, and once the owner
releases the array the machine's shared memory (/proc/meminfo Shmem) gets the pages back."""
import gc
import sys
import time
import unittest

sock_path, client_dir = sys.argv[1], sys.argv[2]
sys.path.insert(0, client_dir)
import tessera_client as tc

MIB = 1024 * 1024
N = 256 * MIB // 8  # float64: 256 MiB
SLACK_MIB = 64  # other processes of the machine move Shmem too


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


class ClientLifetime(unittest.TestCase):
    def setUp(self):
        gc.collect()
        self.owner = tc.connect(sock_path)
        self.shmem0 = shmem_mib()

    def tearDown(self):
        self.owner.close()

    def settles_back(self, what, seconds=30):
        """Waits until the machine's Shmem is back near where the test began."""
        deadline = time.monotonic() + seconds
        while shmem_mib() - self.shmem0 >= SLACK_MIB:
            if time.monotonic() > deadline:
                self.fail(f"{what}: Shmem {self.shmem0} -> {shmem_mib()} MiB")
            time.sleep(0.05)

    def test_attach_delete_close_release_gives_the_pages_back(self):
        # the case from the issue: a second client attaches the array, the array is deleted, the client closed, the
        # owner releases it: the pages go back (before: Shmem stayed up until the client object was collected)
        a = self.owner.zeros("life", N, "float64")
        a[:] = 1.0  # every page touched: 256 MiB of shared memory
        self.assertGreaterEqual(shmem_mib() - self.shmem0, 250)
        second = tc.connect(sock_path)
        b = second.attach("life")
        self.assertEqual(b[N - 1], 1.0)
        self.assertEqual(mappings("life"), 2)
        del b
        self.assertEqual(mappings("life"), 1, "the second client's mapping goes with its last array, the client open")
        self.assertEqual(second.mapped(), [])
        self.assertEqual(self.owner.mapped(), ["life"])
        second.close()
        del a
        self.assertEqual(mappings("life"), 0, "the owner's mapping goes with its array too")
        self.owner.release("life")
        self.settles_back("after attach, delete, close, release")
        print(f"attach, delete, close, release: Shmem {self.shmem0} -> {shmem_mib()} MiB with the second client "
              "object alive", flush=True)

    def test_an_array_alive_after_close_keeps_its_mapping_until_it_goes(self):
        a = self.owner.zeros("kept", N, "float64")
        a[:] = 2.0
        second = tc.connect(sock_path)
        view = second.attach("kept")[10:20]  # a slice keeps the mapping as well as the array it came from
        second.close()
        self.assertEqual(view.sum(), 20.0)
        self.assertEqual(mappings("kept"), 2, "an array alive after close() keeps its mapping")
        view[0] = 5.0
        self.assertEqual(a[10], 5.0, "writes through it reach the same pages")
        del view
        self.assertEqual(mappings("kept"), 1, "the mapping goes with the last array over it")
        del a
        self.owner.release("kept")
        self.settles_back("after release")

    def test_released_while_another_clients_array_lives_the_pages_go_with_it(self):
        a = self.owner.zeros("late", N, "float64")
        a[:] = 3.0
        second = tc.connect(sock_path)
        b = second.attach("late")
        del a
        self.owner.release("late")
        time.sleep(0.3)
        self.assertEqual(b[N // 2], 3.0)
        self.assertGreaterEqual(shmem_mib() - self.shmem0, 250, "a live array keeps the pages after release")
        second.close()
        self.assertEqual(b[0], 3.0, "and after its client closed")
        del b
        gc.collect()
        self.settles_back("once the last array went")

    def test_a_memoryviews_mapping_goes_with_it(self):
        # without numpy's help: a memoryview over the mapping behaves the same (the fallback when numpy is missing)
        small = self.owner.zeros("mv", 1024, "int32")
        m = memoryview(self.owner.attach("mv"))
        del small
        self.assertEqual(mappings("mv"), 1)
        m.release()
        del m
        gc.collect()
        self.assertEqual(mappings("mv"), 0, "a released memoryview's mapping goes")
        self.owner.release("mv")

    def test_many_attaches_hold_only_the_arrays_alive_and_close_unmaps_the_rest(self):
        self.owner.zeros("many", 1024, "int32")  # dropped at once: the owner keeps no mapping
        c = tc.connect(sock_path)
        for _ in range(200):
            x = c.attach("many")
        self.assertEqual(mappings("many"), 1, f"200 attaches, one array alive: {mappings('many')} mappings")
        del x
        c.close()
        self.assertEqual(mappings("many"), 0)
        self.owner.release("many")
        self.settles_back("after the last release")


if __name__ == "__main__":
    unittest.main(argv=sys.argv[:1], verbosity=2)
