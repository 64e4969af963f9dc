"""Makes the datasets of `tessera bench`'s formats scenario, in the run, with Debian's h5py and zarr-python:
ROWS float64 "detector counts" (a sine with noise, on a quarter grid) as

  fill.h5:/data          gzip level 4 + byte shuffle, chunks of 65,536 rows (h5py's defaults otherwise)
  fill_zstd.zarr         Zarr v2, numcodecs Zstd(level=3), chunks of 65,536
  fill_blosc.zarr        Zarr v2, numcodecs Blosc(cname='lz4', clevel=5, shuffle=SHUFFLE), chunks of 65,536

    /usr/bin/python3 bench/python/make_formats_fixture.py ROWS OUT_DIR

Prints one JSON line: {"rows": N, "bytes": raw bytes, "h5_bytes": ..., "h5py": version, "zarr": version}.
"""
import json
import os
import sys

import numpy as np

rows, out = int(sys.argv[1]), sys.argv[2]
os.makedirs(out, exist_ok=True)
i = np.arange(rows, dtype=np.float64)
data = np.floor(1000 * np.sin(i / 2000.0) + np.random.default_rng(26).normal(0, 40, rows)) + (i % 7) * 0.25
info = {"rows": rows, "bytes": data.nbytes}
try:
    import h5py
    with h5py.File(os.path.join(out, "fill.h5"), "w") as f:
        f.create_dataset("/data", data=data, chunks=(65536,), compression="gzip", compression_opts=4, shuffle=True)
    info["h5_bytes"] = os.path.getsize(os.path.join(out, "fill.h5"))
    info["h5py"] = h5py.__version__
except ImportError as e:
    info["h5py_missing"] = str(e)
try:
    import numcodecs
    import zarr
    for name, comp in [("zstd", numcodecs.Zstd(level=3)),
                       ("blosc", numcodecs.Blosc(cname="lz4", clevel=5, shuffle=numcodecs.Blosc.SHUFFLE))]:
        z = zarr.open(os.path.join(out, f"fill_{name}.zarr"), mode="w", shape=(rows,), chunks=(65536,), dtype="<f8", compressor=comp)
        z[:] = data
    info["zarr"] = zarr.__version__
except ImportError as e:
    info["zarr_missing"] = str(e)
print(json.dumps(info))
