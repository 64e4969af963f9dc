package dev.tessera.bench;

import dev.tessera.examples.Examples;

/** {@code RunExample NAME ARGS...}: runs one of the examples, as {@code tessera example} does. */
public final class RunExample {
    private RunExample() {
    }

    public static void main(String[] args) {
        System.exit(Examples.commandLine().execute(args));
    }
}
