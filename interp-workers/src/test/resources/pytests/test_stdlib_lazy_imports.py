"""concurrent.futures and threading load without logging, traceback and re (the overlay runs GraalPy's own modules
with those imports moved to their first use: in a new process they cost 1.5 s before a first pool's first result),
and what used them still works: concurrent.futures' LOGGER logs a raising done-callback, threading's excepthook prints
an uncaught exception's traceback. Run by PythonSuitesTest."""
import concurrent.futures
import io
import sys
import threading
import unittest

import tessera

# Run in a worker from source, so that the worker imports nothing of this file (and so not unittest, which needs re).
FRESH_IMPORTS = tessera.source('''
def fresh_imports():
    import sys
    import concurrent.futures
    import threading
    heavy = ("logging", "traceback", "re", "tokenize", "enum", "linecache")
    return sorted(m for m in heavy if m in sys.modules)
''', "fresh_imports")


class LazyImports(unittest.TestCase):
    def test_a_fresh_interpreter_imports_futures_and_threading_without_logging_traceback_or_re(self):
        with tessera.InterpreterPool(1) as pool:
            self.assertEqual(pool.submit(FRESH_IMPORTS).result(), [])

    def test_a_raising_done_callback_is_still_logged(self):
        def raises(_):
            raise ValueError("from the callback")

        f = concurrent.futures.Future()
        f.add_done_callback(raises)
        with self.assertLogs("concurrent.futures", level="ERROR") as logs:
            f.set_result(1)
        self.assertEqual(len(logs.records), 1)
        self.assertIn("exception calling callback for", logs.output[0])
        self.assertIn("ValueError: from the callback", logs.output[0])
        self.assertEqual(type(sys.modules["concurrent.futures._base"].LOGGER).__name__, "Logger",
                         "the real logger took the stand-in's place")

    def test_an_uncaught_exception_in_a_thread_still_prints_its_traceback(self):
        def boom():
            raise ValueError("from a thread")

        err, sys.stderr = sys.stderr, io.StringIO()
        try:
            t = threading.Thread(target=boom, name="the-thread")
            t.start()
            t.join()
            printed = sys.stderr.getvalue()
        finally:
            sys.stderr = err
        self.assertIn("Exception in thread the-thread", printed)
        self.assertIn("Traceback (most recent call last)", printed)
        self.assertIn("ValueError: from a thread", printed)

    def test_the_edited_modules_keep_their_line_numbers(self):
        # A traceback through them shows the lines that ran: an edit that dropped or added a line showed every
        # later frame one line early (concurrent.futures' `result` as `elif self._state == FINISHED:`).
        import concurrent.futures._base as base
        for function, first in ((base.Future.result, "    def result(self, timeout=None):\n"),
                                (base.Future.set_exception, "    def set_exception(self, exception):\n"),
                                (threading.Thread.start, "    def start(self):\n"),
                                (threading.excepthook, "    def excepthook(args, /):\n")):
            code = function.__code__
            with open(code.co_filename, encoding="utf-8") as f:
                lines = f.readlines()
            self.assertEqual(lines[code.co_firstlineno - 1], first, f"{code.co_filename}:{code.co_firstlineno}")


if __name__ == "__main__":
    unittest.main()
