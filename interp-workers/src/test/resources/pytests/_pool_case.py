"""What the suites here share: a test case with a pool of its own. (PythonSuitesTest runs every test_*.py file in a
main interpreter and checks unittest's summary against the tests the file defines and the skips it marks.)"""
import unittest

import tessera


class PoolTestCase(unittest.TestCase):
    """A test case whose tests share one pool of `workers` workers (`self.pool`), shut down after the last."""

    workers = 2

    @classmethod
    def setUpClass(cls):
        cls.pool = tessera.InterpreterPool(cls.workers)

    @classmethod
    def tearDownClass(cls):
        cls.pool.shutdown()
