/** JMH benchmarks of the Java-side primitives (views, queues, kernels, round trips), run by the bench. */
package dev.tessera.bench.jmh;
