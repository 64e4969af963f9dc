"""Writes the small HDF5 and Zarr v2 fixtures the formats tests read, with h5py and zarr-python (Debian's
python3-h5py and python3-zarr), and beside each dataset h5py's / zarr's own read of it as raw little-endian bytes:
the tests compare Tessera's read with those.

    /usr/bin/python3 formats/src/test/python/make_fixtures.py OUT_DIR

OUT_DIR gets fixtures.h5, zarr/NAME.zarr/, expected/ID.bin and manifest.json (one entry per dataset: id, kind, path,
dataset, format, shape, and "expect": "data", or "unsupported" with the word the error must name). The committed copy
is formats/src/test/resources/dev/tessera/formats/fixtures; FixturesTest also runs this script at test time when
/usr/bin/python3 has h5py and zarr, and checks both sets.
"""
import json
import os
import struct
import sys

import h5py
import numcodecs
import numpy as np
import zarr

OUT = sys.argv[1]
os.makedirs(os.path.join(OUT, "expected"), exist_ok=True)
manifest = []


def values(dtype, shape):
    """Deterministic values that use every byte of the type (so a byte-order or unshuffle mistake shows)."""
    n = int(np.prod(shape))
    i = np.arange(n, dtype=np.int64)
    base = (i * 7919 + 13) % 251
    dt = np.dtype(dtype)
    if dt.kind == "f":
        v = (base - 125) * 0.25 + i * 0.001
    elif dt.kind == "b":
        v = base % 3 == 0
    elif dt.kind == "u":
        v = base.astype(np.uint64) << np.uint64(8 * dt.itemsize - 8) | (i.astype(np.uint64) % np.uint64(256))
    else:
        v = (base - 125) << (8 * dt.itemsize - 8) | (i % 128)
    return np.asarray(v).astype(dt).reshape(shape)


def expect(id_, kind, path, dataset, data, expect="data", word=None):
    entry = {"id": id_, "kind": kind, "path": path, "dataset": dataset, "expect": expect}
    if data is not None:
        le = np.ascontiguousarray(data).astype(data.dtype.newbyteorder("<"))
        entry["format"] = data.dtype.char
        entry["shape"] = list(data.shape)
        with open(os.path.join(OUT, "expected", id_ + ".bin"), "wb") as f:
            f.write(le.tobytes())
    if word:
        entry["word"] = word
    manifest.append(entry)


def hdf5_lz4(raw, block=1 << 14):
    """The HDF5 LZ4 filter's framing: total size, block size (big-endian), then each block's stored size and bytes."""
    out = [struct.pack(">QI", len(raw), block)]
    for at in range(0, len(raw), block):
        piece = raw[at:at + block]
        comp = numcodecs.LZ4().encode(piece)[4:]  # numcodecs puts a 4-byte size first; the filter's block is raw
        if len(comp) >= len(piece):
            comp = piece
        out.append(struct.pack(">I", len(comp)) + comp)
    return b"".join(out)


H5 = os.path.join(OUT, "fixtures.h5")
with h5py.File(H5, "w") as f:
    for dt in ["i1", "i2", "i4", "i8", "u1", "u2", "u4", "u8", "f4", "f8"]:
        d = f.create_dataset(f"/dtypes/{dt}", data=values(dt, (600,)), chunks=(128,), compression="gzip", compression_opts=4,
                             shuffle=True)
    data = values("f8", (700,))
    f.create_dataset("/filters/none", data=data, chunks=(128,))
    f.create_dataset("/filters/gzip", data=data, chunks=(128,), compression="gzip", compression_opts=6)
    f.create_dataset("/filters/shuffle", data=data, chunks=(128,), shuffle=True)
    f.create_dataset("/filters/fletcher32", data=data, chunks=(128,), fletcher32=True)
    f.create_dataset("/filters/shuffle_gzip_fletcher32", data=data, chunks=(128,), compression="gzip", shuffle=True,
                     fletcher32=True)
    f.create_dataset("/filters/lzf", data=data, chunks=(128,), compression="lzf")
    f.create_dataset("/layout/contiguous", data=data)
    f.create_dataset("/nd/f8_2d", data=values("f8", (50, 40)), chunks=(16, 12), compression="gzip", shuffle=True)
    f.create_dataset("/nd/i4_3d", data=values("i4", (10, 9, 8)), chunks=(4, 4, 8), compression="gzip", shuffle=True)
    f.create_dataset("/nd/u2_rows", data=values("u2", (70, 6)), chunks=(16, 6), compression="gzip", shuffle=True)
    f.create_dataset("/bigendian/f8", data=values("f8", (600,)).astype(">f8"), chunks=(128,), compression="gzip", shuffle=True)
    f.create_dataset("/bigendian/i4", data=values("i4", (300, 3)).astype(">i4"), chunks=(64, 3), compression="gzip")
    m = f.create_dataset("/missing/f8", shape=(1000,), dtype="f8", chunks=(100,), compression="gzip", fillvalue=7.5)
    m[0:100] = values("f8", (100,))
    m[530:570] = values("f8", (40,))
    mi = f.create_dataset("/missing/i2_2d", shape=(40, 30), dtype="i2", chunks=(16, 16), fillvalue=-3)
    mi[0:16, 0:16] = values("i2", (16, 16))
    # registered third-party filters, written chunk by chunk with numcodecs' codecs (no HDF5 plugin needed)
    raw_f8 = values("f8", (700,))
    for name, fid, opts, encode in [
        ("zstd", 32015, (3,), lambda b: numcodecs.Zstd(level=3).encode(b)),
        ("lz4", 32004, (0,), hdf5_lz4),
        ("blosc", 32001, (2, 2, 8, 128 * 8, 5, 1, 1), lambda b: numcodecs.Blosc(cname="lz4", clevel=5, shuffle=1).encode(b)),
        ("blosc_zstd", 32001, (2, 2, 8, 128 * 8, 5, 0, 4), lambda b: numcodecs.Blosc(cname="zstd", clevel=3, shuffle=0).encode(b)),
    ]:
        d = f.create_dataset(f"/filters/{name}", shape=(700,), dtype="f8", chunks=(128,), compression=fid,
                             compression_opts=opts, allow_unknown_filter=True)
        for c in range(0, 700, 128):
            chunk = np.zeros(128, dtype="<f8")
            part = raw_f8[c:c + 128]
            chunk[:len(part)] = part
            d.id.write_direct_chunk((c,), encode(chunk.tobytes()), 0)

with h5py.File(H5, "r") as f:
    def visit(name, obj):
        if not isinstance(obj, h5py.Dataset):
            return
        path = "/" + name
        id_ = "h5" + path.replace("/", "_")
        if path == "/filters/lzf":
            expect(id_, "hdf5", "fixtures.h5", path, None, "unsupported", "lzf")
        elif path == "/layout/contiguous":
            expect(id_, "hdf5", "fixtures.h5", path, None, "unsupported", "contiguous")
        elif path.startswith("/filters/") and path.split("/")[-1] in ("zstd", "lz4", "blosc", "blosc_zstd"):
            expect(id_, "hdf5", "fixtures.h5", path, raw_f8)  # no plugin for h5py here: the data written is the reference
        else:
            expect(id_, "hdf5", "fixtures.h5", path, obj[...])
    f.visititems(visit)

ZARR = [
    ("zlib", "f8", (1000,), (128,), numcodecs.Zlib(level=5), {}),
    ("gzip", "i4", (1000,), (300,), numcodecs.GZip(level=5), {}),
    ("zstd", "f8", (1000,), (256,), numcodecs.Zstd(level=3), {}),
    ("lz4", "u2", (1000,), (256,), numcodecs.LZ4(), {}),
    ("none", "i8", (500,), (128,), None, {}),
    ("blosc_lz4_shuffle", "f8", (5000,), (1024,), numcodecs.Blosc(cname="lz4", clevel=5, shuffle=1), {}),
    ("blosc_zstd_noshuffle", "f4", (5000,), (1024,), numcodecs.Blosc(cname="zstd", clevel=3, shuffle=0), {}),
    ("blosc_blosclz_shuffle", "i8", (5000,), (1024,), numcodecs.Blosc(cname="blosclz", clevel=5, shuffle=1), {}),
    ("blosc_zlib_shuffle", "u4", (3000,), (1000,), numcodecs.Blosc(cname="zlib", clevel=5, shuffle=1), {}),
    ("blosc_lz4_bitshuffle", "f8", (2000,), (512,), numcodecs.Blosc(cname="lz4", clevel=5, shuffle=2), {}),
    ("blosc_small", "f8", (10,), (10,), numcodecs.Blosc(cname="lz4", clevel=5, shuffle=1), {}),
    ("nd_2d", "f8", (50, 40), (16, 12), numcodecs.Zstd(level=1), {}),
    ("nd_3d_nested", "i2", (10, 9, 8), (4, 4, 8), numcodecs.Zlib(level=1), {"dimension_separator": "/"}),
    ("bool", "b1", (777,), (100,), numcodecs.Zlib(level=1), {}),
    ("bigendian", ">f8", (600,), (128,), numcodecs.Zstd(level=1), {}),
    ("i1", "i1", (600,), (128,), numcodecs.Zstd(level=1), {}),
    ("u8", "u8", (600,), (128,), numcodecs.Zstd(level=1), {}),
]
os.makedirs(os.path.join(OUT, "zarr"), exist_ok=True)
for name, dt, shape, chunks, comp, extra in ZARR:
    path = os.path.join("zarr", name + ".zarr")
    z = zarr.open(os.path.join(OUT, path), mode="w", shape=shape, chunks=chunks, dtype=dt, compressor=comp, **extra)
    z[...] = values(dt, shape)
    expect("zarr_" + name, "zarr", path, None, zarr.open(os.path.join(OUT, path), mode="r")[...],
           "pure_java_unsupported" if name.endswith("bitshuffle") else "data", "bit shuffle" if name.endswith("bitshuffle") else None)

# fill_value for chunks never written
path = os.path.join("zarr", "missing.zarr")
z = zarr.open(os.path.join(OUT, path), mode="w", shape=(1000,), chunks=(100,), dtype="f8", compressor=numcodecs.Zlib(), fill_value=-2.5)
z[100:200] = values("f8", (100,))
z[950:1000] = values("f8", (50,))
expect("zarr_missing", "zarr", path, None, zarr.open(os.path.join(OUT, path), mode="r")[...])
path = os.path.join("zarr", "missing_nan.zarr")
z = zarr.open(os.path.join(OUT, path), mode="w", shape=(30, 20), chunks=(8, 8), dtype="f4", compressor=numcodecs.Zstd(), fill_value=float("nan"))
z[0:8, 8:16] = values("f4", (8, 8))
expect("zarr_missing_nan", "zarr", path, None, zarr.open(os.path.join(OUT, path), mode="r")[...])
# what Tessera refuses, by name
path = os.path.join("zarr", "forder.zarr")
zarr.open(os.path.join(OUT, path), mode="w", shape=(20, 20), chunks=(10, 10), dtype="f8", order="F")[...] = values("f8", (20, 20))
expect("zarr_forder", "zarr", path, None, None, "unsupported", "order F")
path = os.path.join("zarr", "delta_filter.zarr")
zarr.open(os.path.join(OUT, path), mode="w", shape=(100,), chunks=(50,), dtype="i4", filters=[numcodecs.Delta(dtype="i4")])[...] = values("i4", (100,))
expect("zarr_delta_filter", "zarr", path, None, None, "unsupported", "delta")
path = os.path.join("zarr", "bz2.zarr")
zarr.open(os.path.join(OUT, path), mode="w", shape=(100,), chunks=(50,), dtype="i4", compressor=numcodecs.BZ2())[...] = values("i4", (100,))
expect("zarr_bz2", "zarr", path, None, None, "unsupported", "bz2")

with open(os.path.join(OUT, "manifest.json"), "w") as f:
    json.dump({"h5py": h5py.__version__, "zarr": zarr.__version__, "numcodecs": numcodecs.__version__, "datasets": manifest}, f, indent=1)
print(f"{len(manifest)} datasets in {OUT}")
