/**
 * {@code tessera example}: the real uses, each run on its own data and checked against an independent computation
 * (a parallel HDF5 fill, an Arrow scan, a request server, memory given back on release).
 */
package dev.tessera.examples;
