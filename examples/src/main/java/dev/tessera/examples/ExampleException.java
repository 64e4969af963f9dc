package dev.tessera.examples;

/** An example could not run (bad input file, a worker failed): the command prints the message as one line. */
public final class ExampleException extends RuntimeException {
    public ExampleException(String message) {
        super(message);
    }

    public ExampleException(String message, Throwable cause) {
        super(message, cause);
    }
}
