"""Stand-ins for test.support.threading_helper."""

import threading
import unittest


def threading_setup():
    return (threading.active_count(),)


def threading_cleanup(*original):
    pass  # CPython waits for stray threads and reports them; Tessera's tests check their own threads


def join_thread(thread, timeout=300.0):
    thread.join(timeout)
    if thread.is_alive():
        raise AssertionError(f"failed to join the thread in {timeout:.1f} seconds")


def requires_working_threading(*, module=False):
    if module:
        return None
    return lambda func: func
