/**
 * One decoder per compression format ({@link dev.tessera.codecs.Codecs}): the native library through FFM where the
 * machine has it (libdeflate, libzstd, liblz4, c-blosc; {@code NativeLibrary} loads them, never JNI) and a pure-Java
 * fallback where it does not (the JDK's Inflater, aircompressor, Tessera's Blosc 1 reader), so that every format
 * decodes on any machine and {@code tessera info} says which is in use. {@link dev.tessera.codecs.Shuffle} undoes
 * HDF5's and Blosc's byte shuffle a word at a time. Decoders write into caller-owned native memory and never past
 * the bounds they are given.
 */
package dev.tessera.codecs;
