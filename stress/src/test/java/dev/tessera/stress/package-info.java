/**
 * JCStress proofs of the concurrent parts (the lease table, an array closed while accessed, the bounded queue), run
 * in a child JVM by {@link dev.tessera.stress.ConcurrencyProofsTest}.
 */
package dev.tessera.stress;
