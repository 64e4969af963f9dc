"""Stand-ins for test.support.import_helper."""

import importlib
import unittest


def import_module(name, deprecated=False, *, required_on=()):
    try:
        return importlib.import_module(name)
    except ImportError as e:
        raise unittest.SkipTest(str(e))
