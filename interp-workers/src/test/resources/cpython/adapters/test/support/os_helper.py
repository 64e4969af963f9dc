"""Stand-ins for test.support.os_helper."""

import contextlib
import shutil
import tempfile


def rmtree(path):
    shutil.rmtree(path, ignore_errors=True)


@contextlib.contextmanager
def temp_dir(path=None, quiet=False):
    path = tempfile.mkdtemp() if path is None else path
    try:
        yield path
    finally:
        rmtree(path)
