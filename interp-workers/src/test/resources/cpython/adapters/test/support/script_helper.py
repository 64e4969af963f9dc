"""Stand-ins for test.support.script_helper: scripts are written as upstream does; running them needs a child Python
process, which Tessera does not have (its interpreters live in one JVM), so those tests are skipped."""

import os
import unittest


def make_script(script_dir, script_basename, source, omit_suffix=False):
    name = script_basename + ("" if omit_suffix else ".py")
    path = os.path.join(script_dir, name)
    with open(path, "w", encoding="utf-8") as f:
        f.write(source)
    return path


def _no_child_python(*args, **kwargs):
    raise unittest.SkipTest("needs a child Python process started from sys.executable: Tessera's interpreters are "
                            "GraalPy contexts inside one JVM, with no python executable to start")


assert_python_ok = _no_child_python
assert_python_failure = _no_child_python
