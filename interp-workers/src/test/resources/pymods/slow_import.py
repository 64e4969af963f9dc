"""A module whose import takes a while, and that says when it was imported (time.monotonic_ns is the JVM's
System.nanoTime clock)."""
import time

time.sleep(0.5)
IMPORTED_AT = time.monotonic_ns()


def imported_at():
    return IMPORTED_AT
