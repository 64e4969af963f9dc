"""tessera.hdf5 and tessera.zarr from Python: every fixture dataset equals h5py's / zarr's read, out= and
progress, the errors (FormatError, UnsupportedFilterError, FileNotFoundError, KeyError, TypeError, ValueError), and
a read interrupted by its progress callback. FIXTURES (the fixture directory) is set by FormatsPythonTest."""
import json
import os
import shutil
import tempfile
import unittest

import tessera

ROOT = FIXTURES  # noqa: F821 (set by the driver)
with open(os.path.join(ROOT, "manifest.json")) as f:
    MANIFEST = json.load(f)["datasets"]


def read(entry, **kw):
    path = os.path.join(ROOT, entry["path"])
    if entry["kind"] == "hdf5":
        return tessera.hdf5.read(path, entry["dataset"], **kw)
    return tessera.zarr.read(path, **kw)


def expected(entry):
    with open(os.path.join(ROOT, "expected", entry["id"] + ".bin"), "rb") as f:
        return f.read()


class Formats(unittest.TestCase):
    def test_every_fixture_equals_what_h5py_and_zarr_read(self):
        n = 0
        for e in MANIFEST:
            if e["expect"] == "unsupported":
                continue
            a = read(e, workers=2)
            self.assertEqual(tuple(e["shape"]), a.shape, e["id"])
            self.assertEqual(e["format"].replace("l", "q").replace("L", "Q"), a.format, e["id"]) if e["format"] not in "?" else None
            self.assertEqual(expected(e), bytes(memoryview(a).cast("B")), e["id"])
            a.release()
            n += 1
        self.assertGreater(n, 40)

    def test_out_and_progress(self):
        e = next(x for x in MANIFEST if x["id"] == "h5_missing_f8")
        out = tessera.empty(1000, "d")
        seen = []
        got = tessera.hdf5.read(os.path.join(ROOT, e["path"]), e["dataset"], workers=1, out=out,
                                progress=lambda done, total, nbytes: seen.append((done, total)))
        self.assertIs(got, out) if got is out else self.assertEqual(got.shape, out.shape)
        self.assertEqual(expected(e), bytes(memoryview(out).cast("B")))
        self.assertEqual((10, 10), seen[-1])
        with self.assertRaisesRegex(ValueError, "same format and number of elements"):
            tessera.hdf5.read(os.path.join(ROOT, e["path"]), e["dataset"], out=tessera.empty(999, "d"))
        with self.assertRaisesRegex(ValueError, "same format"):
            tessera.hdf5.read(os.path.join(ROOT, e["path"]), e["dataset"], out=tessera.empty(1000, "f"))
        with self.assertRaises(TypeError):
            tessera.hdf5.read(os.path.join(ROOT, e["path"]), e["dataset"], out=bytearray(8000))
        view = out.slice(0, 10)  # a writer holds part of out: the read cannot take all of it
        with self.assertRaises(BufferError):
            tessera.hdf5.read(os.path.join(ROOT, e["path"]), e["dataset"], out=out)
        view.release()

    def test_info(self):
        i = tessera.hdf5.info(os.path.join(ROOT, "fixtures.h5"), "/nd/f8_2d")
        self.assertEqual((50, 40), i["shape"])
        self.assertEqual((16, 12), i["chunks"])
        self.assertIn("deflate", i["filters"])
        z = tessera.zarr.info(os.path.join(ROOT, "zarr", "missing.zarr"))
        self.assertEqual(2, z["stored_chunks"])
        self.assertEqual(10, z["grid_chunks"])
        self.assertEqual(set(tessera.codecs()), {"inflate (zlib, deflate, gzip)", "zstd", "lz4", "blosc"})

    def test_errors_are_python_exceptions_naming_the_problem(self):
        h5 = os.path.join(ROOT, "fixtures.h5")
        with self.assertRaisesRegex(tessera.UnsupportedFilterError, "lzf"):
            tessera.hdf5.read(h5, "/filters/lzf")
        self.assertTrue(issubclass(tessera.UnsupportedFilterError, tessera.FormatError))
        self.assertTrue(issubclass(tessera.FormatError, ValueError))
        with self.assertRaisesRegex(tessera.UnsupportedFilterError, "bz2"):
            tessera.zarr.read(os.path.join(ROOT, "zarr", "bz2.zarr"))
        with self.assertRaises(FileNotFoundError):
            tessera.hdf5.read(os.path.join(ROOT, "nope.h5"), "/x")
        with self.assertRaises(FileNotFoundError):
            tessera.zarr.read(os.path.join(ROOT, "nope.zarr"))
        with self.assertRaises(KeyError):
            tessera.hdf5.read(h5, "/no/such/dataset")
        with self.assertRaises(KeyError):
            tessera.hdf5.read(h5, "/dtypes")  # a group
        with self.assertRaises(TypeError):
            tessera.hdf5.read(h5, 42)
        with self.assertRaises(TypeError):
            tessera.hdf5.read(42, "/x")
        with self.assertRaisesRegex(TypeError, "os.PathLike, not bytearray"):
            tessera.zarr.read(bytearray(b"x.zarr"))
        import pathlib
        by_path = tessera.hdf5.read(pathlib.Path(h5), "/filters/gzip")  # an os.PathLike is a path too
        with memoryview(by_path) as a, memoryview(tessera.hdf5.read(h5, "/filters/gzip")) as b:
            self.assertEqual(a.tobytes(), b.tobytes())
        with self.assertRaises(ValueError):
            tessera.hdf5.read(h5, "/filters/gzip", workers=0)
        with self.assertRaises(TypeError):
            tessera.hdf5.read(h5, "/filters/gzip", workers="2")
        with self.assertRaises(TypeError):
            tessera.hdf5.read(h5, "/filters/gzip", progress=3)

    def test_a_corrupt_chunk_raises_format_error_and_frees_the_array(self):
        d = tempfile.mkdtemp()
        try:
            z = os.path.join(d, "zstd.zarr")
            shutil.copytree(os.path.join(ROOT, "zarr", "zstd.zarr"), z)
            with open(os.path.join(z, "2"), "r+b") as f:
                f.seek(20)
                f.write(b"\xff" * 16)
            before = tessera._host.store_stats()[1]
            with self.assertRaisesRegex(tessera.FormatError, r"chunk \[512\]"):
                tessera.zarr.read(z, workers=2)
            self.assertEqual(before, tessera._host.store_stats()[1])
        finally:
            shutil.rmtree(d)

    def test_an_exception_in_the_progress_callback_stops_the_read(self):
        e = next(x for x in MANIFEST if x["id"] == "zarr_blosc_lz4_shuffle")
        before = tessera._host.store_stats()[1]

        def boom(done, total, nbytes):
            raise RuntimeError("stop here")
        with self.assertRaisesRegex(RuntimeError, "stop here"):
            read(e, progress=boom)
        self.assertEqual(before, tessera._host.store_stats()[1])


result = unittest.TextTestRunner(verbosity=1).run(unittest.defaultTestLoader.loadTestsFromTestCase(Formats))
print(f"SUITE: {result.testsRun} run, {len(result.failures)} failures, {len(result.errors)} errors, {len(result.skipped)} skipped")
