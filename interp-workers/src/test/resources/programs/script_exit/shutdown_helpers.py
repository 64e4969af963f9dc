"""What CPython's interpreter-shutdown tests import from their test module (test_concurrent_futures/test_shutdown.py)."""
import sys
import time


def sleep_and_print(t, msg):
    time.sleep(t)
    print(msg)
    sys.stdout.flush()
