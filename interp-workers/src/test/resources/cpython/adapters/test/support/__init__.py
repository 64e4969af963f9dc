"""Stand-ins for the helpers of CPython's test.support that the ported tests use, written for Tessera (GraalPy 3.12,
interpreters in one JVM). Each says what it does differently, when it does."""

import contextlib
import functools
import gc
import sys
import time
import unittest

verbose = False
SHORT_TIMEOUT = 30.0
LONG_TIMEOUT = 300.0
Py_GIL_DISABLED = False  # every Tessera interpreter has a GIL of its own
Py_DEBUG = False


def _identity(func):
    return func


def requires_resource(resource):
    """Every resource the ported tests ask for ('walltime') is enabled."""
    return _identity


cpython_only = unittest.skip("CPython-only test (implementation details such as reference counting; this is GraalPy)")


def requires_gil_enabled(msg="needs the GIL"):
    return _identity  # each interpreter runs with its own GIL


def requires_subprocess():
    return unittest.skip("needs a child Python process started from sys.executable: Tessera's interpreters are "
                         "GraalPy contexts inside one JVM, with no python executable to start")


def requires_fork():
    return unittest.skip("needs os.fork(): there is no fork inside a JVM")


def force_not_colorized(func):
    return func


def check_sanitizer(*, address=False, memory=False, ub=False, thread=False):
    return False


def reap_children():
    pass


def gc_collect():
    """GraalPy frees objects when the JVM collects them: collect a few times, as for PyPy."""
    for _ in range(3):
        gc.collect()


def setswitchinterval(interval):
    return sys.setswitchinterval(interval)


def maybe_get_event_loop_policy():
    import asyncio.events
    return asyncio.events._event_loop_policy


def sleeping_retry(timeout, err_msg=None, /, *, init_delay=0.010, max_delay=1.0, error=True):
    """Yields until the caller breaks out; fails (or stops) once timeout seconds have passed."""
    deadline = time.monotonic() + timeout
    delay = init_delay
    while True:
        yield
        if time.monotonic() >= deadline:
            if error:
                raise AssertionError(f"timeout ({timeout:.1f} seconds): {err_msg}" if err_msg else
                                     f"timeout ({timeout:.1f} seconds)")
            break
        time.sleep(delay)
        delay = min(delay * 2, max_delay)


def load_package_tests(pkg_dir, loader, standard_tests, pattern):
    import os
    if pattern is None:
        pattern = "test*"
    top_dir = os.path.dirname(os.path.dirname(pkg_dir))
    package_tests = loader.discover(start_dir=pkg_dir, top_level_dir=top_dir, pattern=pattern)
    standard_tests.addTests(package_tests)
    return standard_tests
