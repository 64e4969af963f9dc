"""Tessera's stand-in for CPython's `test` package: the adapters (test.support and what it needs) live here, and the
upstream test files, kept unmodified, in ../../upstream/test, which this package's path includes."""

import os as _os

__path__.append(_os.path.join(_os.path.dirname(_os.path.dirname(_os.path.dirname(_os.path.abspath(__file__)))),
                              "upstream", "test"))
