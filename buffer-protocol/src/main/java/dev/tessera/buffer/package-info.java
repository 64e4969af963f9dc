/**
 * Python meets host memory: the shared engine ({@link dev.tessera.buffer.PythonRuntime}), the PEP 3118 description
 * of a view ({@link dev.tessera.buffer.BufferSpec}), the {@code tessera} package assembled in each interpreter
 * ({@link dev.tessera.buffer.TesseraPackage}) and the one table of which Python exception a host failure is
 * ({@link dev.tessera.buffer.HostErrors}). The GraalPy side of it all is in the {@code graalpy} package.
 */
package dev.tessera.buffer;
