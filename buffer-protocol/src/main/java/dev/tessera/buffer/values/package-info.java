/**
 * What may cross between interpreters, in host form: shareable values (None, bool, int, float, str, bytes, tuples),
 * views and handles; their checks and their conversion from and to Java values. Knows nothing of GraalPy.
 */
package dev.tessera.buffer.values;
