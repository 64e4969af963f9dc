"""The query `tessera example scan` runs in workers:

    SELECT key, SUM(value) FROM table WHERE flag AND value > threshold GROUP BY key

over one worker's rows, with tessera.kernels (workers have no numpy): keep the flagged rows, then those above the
threshold, then sum per key. The host adds up the workers' partial sums.
"""
from tessera import kernels


def scan(keys, values, flags, n_keys, threshold):
    """keys (int32), values (float64), flags (bool): memoryviews of the same rows. Returns a tuple of n_keys sums."""
    flagged = kernels.count_where(flags, "!=", 0)                    # WHERE flag
    k1 = memoryview(bytearray(4 * flagged)).cast("i")
    v1 = memoryview(bytearray(8 * flagged)).cast("d")
    kernels.compress(k1, keys, flags)
    kernels.compress(v1, values, flags)
    above = memoryview(bytearray(flagged)).cast("?")
    kept = kernels.where(above, v1, ">", threshold)                  # AND value > threshold
    k2 = memoryview(bytearray(4 * kept)).cast("i")
    v2 = memoryview(bytearray(8 * kept)).cast("d")
    kernels.compress(k2, k1, above)
    kernels.compress(v2, v1, above)
    return kernels.group_sum(k2, v2, n_keys)                         # GROUP BY key
