"""Runs CPython's own tests of concurrent.interpreters and of the executors, unmodified, against Tessera.

    ./tessera run interp-workers/src/test/resources/cpython/run_upstream.py [interpreters|futures] [ID_FILTER,...]

The upstream files are in upstream/test (python/cpython, as the search index stores them: test_interpreters/test_api.py
at 00c8ccb, test_queues.py at 01ef6c6 (its 3.14 text), utils.py (3.14 alpha, imports test.support.interpreters),
test_concurrent_futures/test_interpreter_pool.py (3.14), executor.py, util.py, test_wait.py, test_as_completed.py and
test_init.py (3.13's), _crossinterp_definitions.py and _code_definitions.py). What Tessera lacks of CPython's test
environment is supplied by adapters (adapters/: test.support stand-ins, pipes that work across interpreters, a
cross-interpreter event), and by what this runner does:

- it runs the test classes about interpreters: every class of test_api and test_queues, and the interpreter-pool
  classes of the executor tests, for concurrent.futures.InterpreterPoolExecutor (upstream's InterpreterPoolMixin) and
  for tessera.InterpreterPool (TesseraPool*: the same upstream tests with Tessera's own pool as executor_type); the
  thread- and process-pool classes the upstream modules also define test GraalPy's own executors and are not run;
- create_event() of the interpreter-pool mixins returns a cross-interpreter event (upstream 3.14 skips those tests);
- every interpreter gets the cross-interpreter pipes first (installed in each new interpreter before its first use);
- the tests listed in skips.txt with kind "skip" are skipped with the reason given there (they need what no Tessera
  interpreter has: a child python process, fork, threads in a worker, CPython's C-API test modules, reference
  counting). Tests that upstream itself skips are listed there too, with kind "upstream-skip".

It prints one line per test (RESULT <outcome> <id>), then the summary lines that the JUnit driver
(UpstreamSuitesTest) checks against skips.txt: the skipped and failing tests must be exactly those listed.
"""

import os
import sys
import time
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
ADAPTERS = os.path.join(HERE, "adapters")
UPSTREAM = os.path.join(HERE, "upstream")

# Two groups, each run in a main interpreter of its own (UpstreamSuitesTest runs both): tests leave interpreters,
# queues and threads behind, and the executor tests must not meet what the interpreter tests left.
GROUPS = {
    "interpreters": ["test.test_interpreters.test_api", "test.test_interpreters.test_queues"],
    "futures": ["test.test_concurrent_futures.test_interpreter_pool", "test.test_concurrent_futures.test_wait",
                "test.test_concurrent_futures.test_as_completed", "test.test_concurrent_futures.test_init"],
}


def read_expectations(path):
    """{test id: (kind, reason)} from skips.txt: kind<TAB>id<TAB>reason; # starts a comment."""
    out = {}
    with open(path, encoding="utf-8") as f:
        for line in f:
            line = line.rstrip("\n")
            if not line.strip() or line.startswith("#"):
                continue
            kind, test_id, reason = line.split("\t", 2)
            out[test_id] = (kind, reason)
    return out


def test_id(test):
    cls = type(test)
    return f"{cls.__module__.rpartition('.')[2]}.{cls.__qualname__}.{test._testMethodName}"


def install_adapters():
    """What the upstream tests expect of their environment, supplied for Tessera."""
    import asyncio
    if not hasattr(asyncio, "_set_event_loop_policy"):  # 3.14's private name of set_event_loop_policy
        asyncio._set_event_loop_policy = asyncio.set_event_loop_policy

    import _tessera_pipes
    _tessera_pipes.install()

    import _interpreters
    create = _interpreters.create

    def create_with_pipes(*args, **kwargs):
        interpid = create(*args, **kwargs)
        excinfo = _interpreters.exec(interpid, "__import__('_tessera_pipes').install()")  # leaves no name in __main__
        assert excinfo is None, excinfo
        return interpid

    _interpreters.create = create_with_pipes


def tessera_mixins():
    """The interpreter-pool mixins: upstream's (InterpreterPoolExecutor) and one for tessera.InterpreterPool."""
    import functools

    import tessera
    from _tessera_events import Event
    from test.test_concurrent_futures import util

    def create_event(self):
        return Event()

    util.InterpreterPoolMixin.create_event = create_event

    class TesseraPoolMixin(util.ExecutorMixin):
        # the workers of a Tessera pool import from the directories given to it (create() passes the main
        # interpreter's sys.path to its dedicated interpreters)
        executor_type = functools.partial(tessera.InterpreterPool, spare_workers=0, sys_path=(ADAPTERS, UPSTREAM))

        def assertTaskRaises(self, exctype):
            # Tessera's own pool raises tessera.ExecutionFailed naming the worker's exception type (documented), as
            # the first 3.14 InterpreterPoolExecutor tests expected of that executor (they overrode this the same way)
            return self.assertRaisesRegex(tessera.ExecutionFailed, exctype.__name__)

    TesseraPoolMixin.create_event = create_event
    TesseraPoolMixin.__module__ = util.__name__
    return util.InterpreterPoolMixin, TesseraPoolMixin


def collect(modules):
    """The test classes to run, by module."""
    import importlib

    from test.test_concurrent_futures import executor, util
    interpreter_pool, tessera_pool = tessera_mixins()
    classes = []
    for name in modules:
        module = importlib.import_module(name)
        short = name.rpartition(".")[2]
        if short.startswith("test_") and name.startswith("test.test_concurrent_futures"):
            if short == "test_interpreter_pool":
                picked = [module.InterpreterPoolExecutorTest, module.AsyncioTest]
                # upstream's ExecutorTest with Tessera's own pool as the executor
                cls = type("TesseraPoolExecutorTest", (tessera_pool, executor.ExecutorTest, util.BaseTestCase),
                           {"__module__": name})
                setattr(module, cls.__name__, cls)
                picked.append(cls)
            else:
                mixins = [getattr(module, n) for n in {"test_wait": ["WaitTests"], "test_as_completed": ["AsCompletedTests"],
                          "test_init": ["InitializerMixin", "FailingInitializerMixin"]}[short]]
                before = set(vars(module))
                for mixin in mixins:
                    executors = (tessera_pool,) if short != "test_wait" else (interpreter_pool, tessera_pool)
                    util.create_executor_tests(vars(module), mixin, executor_mixins=executors)
                names = set(vars(module)) - before
                names |= {n for n in vars(module) if n.startswith("InterpreterPool") and isinstance(getattr(module, n), type)}
                picked = [getattr(module, n) for n in sorted(names)]
        else:
            picked = [obj for n, obj in sorted(vars(module).items())
                      if isinstance(obj, type) and issubclass(obj, unittest.TestCase) and obj.__module__ == name
                      and n not in ("TestBase",)]
        classes.extend(picked)
    return classes


class Result(unittest.TextTestResult):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.outcomes = {}

    def _record(self, test, outcome, detail=""):
        tid = test_id(test) if isinstance(test, unittest.TestCase) else str(test)
        previous = self.outcomes.get(tid)
        if previous in ("fail", "error"):
            return  # a failing subtest keeps the test failing
        self.outcomes[tid] = outcome
        self.stream.write(f"RESULT {outcome} {tid}{(' ' + detail) if detail else ''}\n")
        self.stream.flush()

    def startTest(self, test):
        self._started = time.monotonic()
        self.current = test_id(test)
        self.stream.write(f"START {self.current}\n")
        self.stream.flush()
        super().startTest(test)

    def addSuccess(self, test):
        super().addSuccess(test)
        if test_id(test) not in self.outcomes:
            self._record(test, "pass", f"{time.monotonic() - self._started:.1f}s")

    def addFailure(self, test, err):
        super().addFailure(test, err)
        self._record(test, "fail")

    def addError(self, test, err):
        super().addError(test, err)
        self._record(test, "error")

    def addSubTest(self, test, subtest, err):
        super().addSubTest(test, subtest, err)
        if err is not None:
            self._record(test, "fail" if issubclass(err[0], test.failureException) else "error", str(subtest))

    def addSkip(self, test, reason):
        super().addSkip(test, reason)
        if isinstance(test, unittest.case._SubTest):  # one subtest skipped: the test itself still runs
            self.stream.write(f"SUBTEST-SKIP {test_id(test.test_case)} {test._subDescription()}: {reason}\n")
            return
        self._record(test, "skip", reason.splitlines()[0] if reason else "")

    def addExpectedFailure(self, test, err):
        super().addExpectedFailure(test, err)
        self._record(test, "expected-failure")

    def addUnexpectedSuccess(self, test):
        super().addUnexpectedSuccess(test)
        self._record(test, "unexpected-success")


def watchdog(result, limit=300):
    """Prints every thread's Python stack when one test has run for more than `limit` seconds (once per test)."""
    import threading
    import traceback

    def watch():
        reported = None
        while True:
            time.sleep(15)
            started, current = getattr(result, "_started", None), getattr(result, "current", None)
            if started is None or current == reported or time.monotonic() - started < limit:
                continue
            reported = current
            lines = [f"WATCHDOG {current} has run for {time.monotonic() - started:.0f} s; stacks:"]
            for ident, frame in sys._current_frames().items():
                lines.append(f"--- thread {ident}")
                lines.extend(traceback.format_stack(frame))
            sys.stdout.write("\n".join(lines) + "\n")
            sys.stdout.flush()

    threading.Thread(target=watch, name="run_upstream-watchdog", daemon=True).start()


def main():
    sys.path[0:0] = [ADAPTERS, UPSTREAM]
    for name in [n for n in sys.modules if n == "test" or n.startswith("test.")]:
        del sys.modules[name]  # GraalPy's own test package (3.12) must not shadow the stand-ins
    install_adapters()
    args = sys.argv[1:]
    group = args.pop(0) if args and args[0] in GROUPS else None
    modules = GROUPS[group] if group else GROUPS["interpreters"] + GROUPS["futures"]
    shorts = tuple(m.rpartition(".")[2] + "." for m in modules)
    expectations = {tid: e for tid, e in read_expectations(os.path.join(HERE, "skips.txt")).items()
                    if tid.startswith(shorts)}
    filters = args[0].split(",") if args else None
    name_filter = (lambda tid: any(f in tid for f in filters)) if filters else None

    suite = unittest.TestSuite()
    loader = unittest.TestLoader()
    for cls in collect(modules):
        for test in loader.loadTestsFromTestCase(cls):
            tid = test_id(test)
            if name_filter and not name_filter(tid):
                continue
            kind, reason = expectations.get(tid, (None, None))
            if kind == "skip":
                setattr(type(test), test._testMethodName,
                        unittest.skip(reason)(getattr(type(test), test._testMethodName)))
            suite.addTest(test)

    results = []

    class WatchedResult(Result):
        def __init__(self, *args, **kwargs):
            super().__init__(*args, **kwargs)
            results.append(self)
            watchdog(self)

    runner = unittest.TextTestRunner(stream=sys.stdout, verbosity=0, resultclass=WatchedResult)
    t0 = time.monotonic()
    result = runner.run(suite)
    outcomes = result.outcomes
    skipped = sorted(t for t, o in outcomes.items() if o == "skip")
    failing = sorted(t for t, o in outcomes.items() if o in ("fail", "error", "unexpected-success"))
    passed = [t for t, o in outcomes.items() if o in ("pass", "expected-failure")]
    not_skipped = len(outcomes) - len(skipped)
    print(f"UPSTREAM: {len(passed)} passed, {len(failing)} failed, {len(skipped)} skipped of {len(outcomes)} "
          f"({100.0 * len(passed) / max(1, not_skipped):.1f}% of those not skipped passed) in "
          f"{time.monotonic() - t0:.0f} s")
    for tid in failing:
        if expectations.get(tid, ("",))[0] != "fail":
            print(f"UNLISTED-FAILURE {tid}")
    for tid in skipped:
        if expectations.get(tid, ("",))[0] not in ("skip", "upstream-skip"):
            print(f"UNLISTED-SKIP {tid}")
    for tid, (kind, _) in sorted(expectations.items()):
        if name_filter and not name_filter(tid):
            continue
        got = outcomes.get(tid)
        if got is None:
            print(f"LISTED-NOT-RUN {tid}")
        elif kind == "fail" and got not in ("fail", "error", "unexpected-success"):
            print(f"LISTED-FAILURE-PASSES {tid}")
        elif kind in ("skip", "upstream-skip") and got != "skip":
            print(f"LISTED-SKIP-RAN {tid}")
    print(f"SUITE: {result.testsRun} run, {len(result.failures)} failures, {len(result.errors)} errors, "
          f"{len(result.skipped)} skipped")
    return 0


if __name__ == "__main__":
    sys.exit(main())
