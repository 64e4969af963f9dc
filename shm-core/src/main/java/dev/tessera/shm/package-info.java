/**
 * Off-heap typed arrays and their lifetime: one FFM shared arena per array (closed, it refuses every access), names,
 * a byte limit and accounting ({@link dev.tessera.shm.ArrayStore}), views and write leases on rows, anonymous shared
 * memory for other processes, Arrow export. Knows nothing of Python.
 */
package dev.tessera.shm;
