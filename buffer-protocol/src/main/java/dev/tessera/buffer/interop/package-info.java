/**
 * Truffle interop building blocks without GraalPy: member tables, meta types (the classes Python registers its own
 * classes for), and arrays of interop values.
 */
package dev.tessera.buffer.interop;
