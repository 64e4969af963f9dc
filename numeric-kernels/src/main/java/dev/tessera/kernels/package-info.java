/**
 * Bulk operations over array memory at memory speed, from Java and (through buffer-protocol) from Python: one plain
 * loop per kernel and dtype over {@link dev.tessera.kernels.Strided} runs, and decompression straight into a view.
 * Knows nothing of Python.
 */
package dev.tessera.kernels;
