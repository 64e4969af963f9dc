"""Worker side of `tessera example fill`: take chunks from a queue, read their compressed bytes from the HDF5 file,
and decompress them straight into the slice of the host array that the queue item lends (a writable view: the
leases of different chunks never overlap). The host releases each slice when the chunk is reported done."""
from tessera import kernels


def fill_chunks(chunks, done, path, byteswap, fail_chunk=-1):
    """Fills chunks until it takes None; returns how many it filled. fail_chunk injects a failure (for tests).

    A chunk item is (index, view, file_offset, size, codec, shuffle): codec is "zlib" (HDF5's deflate filter) or ""
    for a chunk stored as it is."""
    filled = 0
    with open(path, "rb") as f:
        while True:
            item = chunks.get()
            if item is None:
                return filled
            index, view, offset, size, codec, shuffle = item
            if index == fail_chunk:
                raise OSError(f"injected failure reading chunk {index}")
            f.seek(offset)
            data = f.read(size)
            if len(data) != size:
                raise OSError(f"chunk {index}: the file ends {size - len(data)} bytes early")
            if codec:
                n = kernels.decompress_into(view, data, codec, shuffle)
            else:
                raw = memoryview(view).cast("B")
                raw[:len(data)] = data
                raw.release()
                n = len(data)
            if byteswap:
                kernels.byteswap(view)
            view.release()
            done.put((index, n))
            filled += 1
