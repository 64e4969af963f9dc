"""The query `tessera example scan` runs in workers:

    SELECT key, SUM(value) FROM table WHERE flag AND value > threshold GROUP BY key

over one worker's rows, with tessera.kernels (workers have no numpy): one mask for `value > threshold`, anded
with the flags, then a masked group-by sum. Nothing but the one-byte-per-row mask is materialised (numpy would
write `m = flags & (values > t); np.bincount(keys[m], values[m], minlength=n)`, copying the selected rows). The
host adds up the workers' partial sums.
"""
from tessera import kernels


def scan(keys, values, flags, n_keys, threshold):
    """keys (int32), values (float64), flags (bool): memoryviews of the same rows. Returns a tuple of n_keys sums."""
    mask = bytearray(len(values))
    kernels.where(mask, values, ">", threshold)                      # value > threshold
    kernels.logical_and(mask, mask, flags)                          # AND flag
    return kernels.group_sum(keys, values, n_keys, where=mask)       # GROUP BY key
