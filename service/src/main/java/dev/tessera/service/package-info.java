/**
 * {@code tessera serve}: named arrays in anonymous shared memory for CPython processes of the same user, jobs over
 * them in the worker pool, and scripts in warm main interpreters, over a Unix socket (and loopback HTTP); the wire
 * format is written once, in {@link dev.tessera.service.Protocol}.
 */
package dev.tessera.service;
