"""The training run for the start-up cache: ./tessera runs it once per build with -XX:AOTCacheOutput, and the
JVM keeps every class this loads and links (the JDK's, Truffle's, GraalPy's, Tessera's) ready for later starts.
It touches what a typical script touches: arrays and views, kernels, a pool with its workers, futures and queues.
"""
import tessera


def fill(view, start):
    for i in range(len(view)):
        view[i] = (start + i) * 0.5
    return len(view)


def relay(q, n):
    for i in range(n):
        q.put(i)
    return n


if __name__ == "__main__":
    a = tessera.zeros(100_000, "d")
    with a.slice(0, 10) as view:
        memoryview(view)[0] = 1.0
    with tessera.InterpreterPool(2) as pool:
        assert sum(pool.map_slices(fill, a)) == len(a)
        q = tessera.create_queue()
        f = pool.submit(relay, q, 100)
        assert sum(q.get() for _ in range(100)) == sum(range(100))
        assert f.result() == 100
    assert tessera.kernels.sum(a) > 0
    a.release()
