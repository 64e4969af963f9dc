/**
 * What Python sees of the engine: the host functions behind {@code tessera.InterpreterPool}, its futures, queues and
 * a worker's task loop, the host objects Python holds (pool, task, target and queue handles), the {@code tessera}
 * package as each kind of interpreter gets it, and the main interpreter that runs a script. Imports the engine;
 * the engine does not import it.
 */
package dev.tessera.workers.python;
