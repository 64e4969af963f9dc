"""The training run for the start-up cache: ./tessera runs it once per build with -XX:AOTCacheOutput, and the
JVM keeps every class this loads and links (the JDK's, Truffle's, GraalPy's, Tessera's) ready for later starts.
It touches what a typical script touches: arrays and views, kernels, a pool with its workers, futures and queues,
and reads of HDF5 chunks with every filter (the formats tests' small fixtures, whose directory the launcher passes as
the first argument): a user's first read then finds the decoders' native bindings and jhdf loaded (measured: the
native decoders 0.45-0.59 -> 0.24-0.34 s in a cold `tessera run`).
"""
import os
import sys

import tessera


def fill(view, start):
    for i in range(len(view)):
        view[i] = (start + i) * 0.5
    return len(view)


def relay(q, n):
    for i in range(n):
        q.put(i)
    return n


def read_formats(fixtures):
    if not os.path.isdir(fixtures):  # the cache is still made, without the formats' classes
        print(f"aot training: no fixtures at {fixtures!r}; HDF5 reads not trained", file=sys.stderr)
        return
    # HDF5 only: with Zarr reads in the training too, the scan example's kernels in workers ran 40% slower in every
    # later process (median round 49-59 against 74-97 M/s, 4 runs each; why is not known), where the HDF5 reads
    # cost nothing measurable. Its filters load every native decoder that Zarr uses as well.
    h5 = os.path.join(fixtures, "fixtures.h5")
    for name in ("filters/shuffle_gzip_fletcher32", "filters/zstd", "filters/lz4", "filters/blosc", "dtypes/i4"):
        tessera.hdf5.read(h5, name, workers=2).release()


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
    read_formats(sys.argv[1] if len(sys.argv) > 1 else "")
