/**
 * The only package that imports GraalPy's internal classes ({@code com.oracle.graal.python.*}), so that a GraalPy
 * upgrade changes one place: the buffer objects behind memoryviews ({@link dev.tessera.buffer.graalpy.ViewBuffer}),
 * host functions and host objects as Python calls and reads them, Python values to host form and back, arguments,
 * the GIL, and host failures raised as Python exceptions.
 */
package dev.tessera.buffer.graalpy;
