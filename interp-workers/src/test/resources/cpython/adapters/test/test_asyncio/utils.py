"""Stand-ins for the two helpers of test.test_asyncio.utils the ported tests use."""

import asyncio
import unittest


def run_briefly(loop):
    async def once():
        pass
    task = loop.create_task(once())
    try:
        loop.run_until_complete(task)
    finally:
        task.cancel()


class TestCase(unittest.TestCase):
    @staticmethod
    def close_loop(loop):
        if not loop.is_closed():
            executor = getattr(loop, "_default_executor", None)
            if executor is not None:
                executor.shutdown(wait=True)
            loop.close()

    def set_event_loop(self, loop, *, cleanup=True):
        if loop is None:
            raise AssertionError("loop is None")
        asyncio.set_event_loop(None)
        if cleanup:
            self.addCleanup(self.close_loop, loop)

    def tearDown(self):
        asyncio.set_event_loop(None)
