"""Writes examples/src/test/resources/dev/tessera/examples/layouts.h5: small datasets in the layouts `tessera example
fill` must read (or refuse, saying why). Needs h5py (Debian: apt-get install python3-h5py); Tessera itself never does.

    /usr/bin/python3 examples/python/make_test_h5.py OUT.h5
"""
import sys

import h5py
import numpy as np

with h5py.File(sys.argv[1], "w") as f:  # libver 'latest' here: version-4 chunk indexes (the fixture uses version 1)
    f.create_dataset("big_endian_int16", data=np.arange(-5000, 5000, dtype=">i2"), chunks=(1000,), compression="gzip")
    f.create_dataset("uint32_shuffled", data=np.arange(10_000, dtype="<u4") * 40_000, chunks=(999,),
                     compression="gzip", shuffle=True)  # the last chunk is partial
    f.create_dataset("rows_float32", data=np.arange(3000, dtype="<f4").reshape(300, 10) / 7, chunks=(64, 10),
                     compression="gzip", shuffle=True)
    f.create_dataset("uncompressed_int64", data=np.arange(5000, dtype="<i8") ** 2, chunks=(512,))
    f.create_dataset("tiles_float64", data=np.zeros((100, 100)), chunks=(10, 10), compression="gzip")
    f.create_dataset("contiguous_float64", data=np.arange(100, dtype="<f8"))
    f.create_dataset("lzf_float64", data=np.arange(1000, dtype="<f8"), chunks=(100,), compression="lzf")
