/**
 * {@code tessera bench}: every scenario in a child JVM beside its peer (CPython, numpy, h5py), the report and its
 * charts. Benchmarks, not tests: nothing here asserts a time.
 */
package dev.tessera.bench;
