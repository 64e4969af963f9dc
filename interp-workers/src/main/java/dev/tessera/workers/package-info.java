/**
 * The engine and its Java API: pools of worker interpreters ({@link dev.tessera.workers.InterpreterPool} and its parts),
 * tasks and their futures, the queues between interpreters, waiting without losing a wake-up
 * ({@link dev.tessera.workers.WaitSet}), deadlines, the memory guard, and maps over an array's rows. What Python
 * sees of it is the {@code python} package's job, reached through {@link dev.tessera.workers.PythonFaces} only.
 */
package dev.tessera.workers;
