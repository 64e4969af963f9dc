"""Writes examples/src/main/resources/dev/tessera/examples/detector.h5, the dataset `tessera example fill` uses when
it is given no file: 2^20 float64 "detector counts" in 64 chunks of 16,384, deflate level 4 with byte shuffle, as
h5py writes them (libver 'earliest', a version-1 B-tree chunk index). Needs h5py (Debian: apt-get install
python3-h5py); Tessera itself never does.

    /usr/bin/python3 examples/python/make_detector_h5.py OUT.h5
"""
import sys

import h5py
import numpy as np

n = 1 << 20
i = np.arange(n, dtype=np.float64)
data = np.floor(1000 * np.sin(i / 2000.0)) + (i % 7) * 0.25  # detector-like counts on a quarter grid
with h5py.File(sys.argv[1], "w", libver="earliest") as f:
    d = f.create_dataset("/detector/samples", data=data, chunks=(16384,), compression="gzip", compression_opts=4,
                         shuffle=True)
    d.attrs["about"] = "Tessera example fixture: 2^20 float64 samples in 64 chunks, deflate (level 4) with byte shuffle"
