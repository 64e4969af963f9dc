package dev.tessera.workers;

/**
 * The pool cannot run tasks: a worker interpreter failed to start (its initializer raised, its sys.path could not
 * be read). Python sees tessera.BrokenInterpreterPool, a concurrent.futures.BrokenExecutor.
 */
public final class BrokenPoolException extends IllegalStateException {
    public BrokenPoolException(String message, Throwable cause) {
        super(message, cause);
    }
}
