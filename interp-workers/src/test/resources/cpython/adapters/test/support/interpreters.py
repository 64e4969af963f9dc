"""test.support.interpreters, the name older upstream helpers import concurrent.interpreters by (3.13)."""

import sys

from concurrent import interpreters as _interpreters

sys.modules[__name__] = _interpreters
