"""The worker process: load the upstream test files rewritten, run them, report each
test as a JSON line in the results file (read by ``run_upstream.py``'s parent process).

Each test runs under two watchdogs armed when it starts (and covering its event loop's
teardown, until the next test starts): after ``timeout`` seconds ``SIGALRM`` raises
``UpstreamTestTimeout`` inside it (the test errors and the run goes on); after
``timeout + grace`` seconds ``faulthandler`` dumps every thread's traceback and ends the
process, and the parent records the hang and starts a new worker after that test.
"""

from __future__ import annotations

import ast
import builtins
import faulthandler
import fnmatch
import importlib.util
import json
import os
import signal
import sys
import time
import traceback
import types
import unittest
from typing import (
    Any,
    Dict,
    Iterator,
    List,
    NamedTuple,
    Optional,
    Sequence,
    TextIO,
    Tuple,
    Union,
)

from . import compat, lowering, rewrite, selection, skips


class TestFile(NamedTuple):
    name: str  # in test_asyncio/ (in test/ for the egroups files)
    needs: Tuple[str, ...]  # what it tests: skipped if the implementation lacks one
    # only these tests of the file
    select: Optional[Union[selection.Selection, selection.Selections]] = None
    # its IsolatedAsyncioTestCase runs each test in a task of its own before 3.11 too (as
    # unittest does from 3.11): for the tests that look at that task's stack and waiters
    own_task: bool = False
    # a file of test/ that tests asyncio_compat's exception-group names (rewrite.py)
    egroups: bool = False


TEST_FILES = (
    TestFile("test_taskgroups.py", ("TaskGroup",)),
    TestFile("test_timeouts.py", ("timeout",)),
    TestFile("test_waitfor.py", ("wait_for",)),
    # its as_completed tests, in each Task/Future variant of the file (C/Python, subclassed)
    TestFile(
        "test_tasks.py",
        ("as_completed",),
        selection.Selection("BaseTaskTests", "test_as_completed*"),
    ),
    # call-graph introspection (asyncio.graph, 3.14): both its C and Python classes
    TestFile("test_graph.py", ("capture_call_graph",), own_task=True),
    TestFile("test_runners.py", ("Runner", "run")),
    # exception groups: exceptiongroup's before 3.11, the builtins after (a sanity run)
    TestFile("test_exception_group.py", ("ExceptionGroup",), egroups=True),
    # format_exception & co. on groups, in the pure-Python reporting class (not the
    # interpreter's own printing, CExcReportingTests / TestFallbackTracebackFormat)
    TestFile(
        "test_traceback.py",
        ("format_exception",),
        selection.Selections(
            (
                selection.Selection("TracebackCases", "test_format_exception_group*"),
                selection.Selection("BaseExceptionReportingTests", "test_exception_group_*"),
                selection.Selection(
                    "TracebackFormatMixin", "test_exception_group_deep_recursion_traceback"
                ),
            ),
            exclude=("CExcReportingTests", "TestFallbackTracebackFormat"),
        ),
        egroups=True,
    ),
    # contextlib.suppress (exceptiongroup's before 3.12.1): all of TestSuppress, groups too
    TestFile(
        "test_contextlib.py",
        ("suppress",),
        selection.Selection("TestSuppress", "test*"),
        egroups=True,
    ),
)
WORKER_SKIPPED = 10  # exit status: the run is SKIPPED (impl or loop not available here)


class UpstreamTestTimeout(Exception):
    """Raised inside a test that ran longer than the per-test timeout."""


def load_test_module(
    path: str,
    impl: types.SimpleNamespace,
    lower: bool,
    log: Optional[TextIO] = None,
    select: Optional[Union[selection.Selection, selection.Selections]] = None,
    egroups: bool = False,
) -> types.ModuleType:
    """Read *path*, make it parseable here, keep the *select* tests (all without), point
    it at *impl* and execute it as a module."""
    import tokenize

    with tokenize.open(path) as f:  # honours a coding cookie
        source = f.read()
    tree, stubbed = lowering.make_parseable(source, path, lower)
    pruned = None
    if select is not None:
        pruned = selection.prune(tree, select)
        left = {n.name for n in ast.walk(tree) if isinstance(n, ast.FunctionDef)}
        left.update(n.name for n in ast.walk(tree) if isinstance(n, ast.AsyncFunctionDef))
        stubbed = {name: why for name, why in stubbed.items() if name in left}
    counts = rewrite.rewrite(tree, impl=impl.name != "stdlib", egroups=egroups)
    if log is not None:
        name = os.path.basename(path)
        if select is not None and pruned is not None:
            cut = ", ".join(f"{n} {what}" for what, n in sorted(pruned.items()))
            log.write(f"  {name}: only {select.base}.{select.tests}: dropped {cut}\n")
        done = ", ".join(f"{what} x{n}" for what, n in sorted(counts.items()))
        log.write(f"  {name}: rewrote {done or 'nothing'}\n")
    code = compile(tree, path, "exec", dont_inherit=True)
    name = os.path.splitext(os.path.basename(path))[0]
    module = types.ModuleType(name)
    module.__file__ = path
    # a loader lets linecache (tracebacks, warnings) read the original file's lines
    module.__spec__ = importlib.util.spec_from_file_location(name, path)
    module.__loader__ = module.__spec__.loader if module.__spec__ else None
    namespace: Dict[str, Any] = module.__dict__
    namespace.update(
        _upstream_impl=impl,
        _upstream_compat=compat,
        _upstream_ExceptStar=compat.ExceptStar,
        _upstream_syntax_skip=compat.syntax_skip,
    )
    if not hasattr(builtins, "ExceptionGroup"):
        namespace.update(
            ExceptionGroup=compat.ExceptionGroup, BaseExceptionGroup=compat.BaseExceptionGroup
        )
    if not hasattr(builtins, "anext"):  # 3.10+
        namespace.update(anext=compat.anext)
    sys.modules[name] = module
    exec(code, namespace)
    module._upstream_stubbed = stubbed  # type: ignore[attr-defined]
    return module


def iter_tests(suite: unittest.TestSuite) -> Iterator[unittest.TestCase]:
    for item in suite:
        if isinstance(item, unittest.TestSuite):
            yield from iter_tests(item)
        else:
            yield item


def short_id(test: unittest.TestCase) -> str:
    """``Class.method``: what the skip table and the reports name."""
    return f"{type(test).__name__}.{test._testMethodName}"


def apply_skips(module: types.ModuleType, env: skips.Env) -> None:
    """Mark the tests of the skip table (and the stubbed ones) as skipped, per class."""
    loader = unittest.TestLoader()
    for obj in list(vars(module).values()):
        if not (isinstance(obj, type) and issubclass(obj, unittest.TestCase)):
            continue
        if obj.__module__ != module.__name__:
            continue
        for method in loader.getTestCaseNames(obj):
            reason = skips.skip_reason(f"{obj.__name__}.{method}", env)
            if reason is not None:
                original = getattr(obj, method)
                setattr(obj, method, unittest.skip(reason)(original))


def mark_own_task(module: types.ModuleType) -> None:
    """Have the module's async test classes run each test in a task of its own (see
    ``compat.IsolatedAsyncioTestCase``)."""
    for obj in list(vars(module).values()):
        if isinstance(obj, type) and issubclass(obj, compat.IsolatedAsyncioTestCase):
            obj._upstream_test_in_own_task = True


def matches_k(test_id: str, patterns: Sequence[str]) -> bool:
    """unittest's ``-k``: fnmatch if the pattern has a wildcard, else substring."""
    if not patterns:
        return True
    for pattern in patterns:
        if "*" not in pattern:
            pattern = f"*{pattern}*"
        if fnmatch.fnmatchcase(test_id, pattern):
            return True
    return False


class JsonResult(unittest.TestResult):
    """Writes ``start``/``end`` events, one JSON object a line, flushed at once."""

    def __init__(self, out: TextIO, verbose: bool, timeout: float, grace: float) -> None:
        super().__init__()
        self.out = out
        self.verbose = verbose
        self.timeout = timeout
        self.grace = grace
        self.current: Optional[Dict[str, Any]] = None
        self.last_ended: Optional[str] = None
        self.armed = False

    def event(self, **data: Any) -> None:
        self.out.write(json.dumps(data) + "\n")
        self.out.flush()

    def startTest(self, test: unittest.TestCase) -> None:
        super().startTest(test)
        self.arm()
        self.current = {"id": test.id(), "outcome": "pass", "detail": "", "t0": time.time()}
        self.event(e="start", id=test.id())
        if self.verbose:
            sys.stdout.write(f"{test.id()} ... ")
            sys.stdout.flush()

    def _show(self, test_id: str, outcome: str, detail: str, duration: float, start: bool) -> None:
        if self.verbose:
            word = {"pass": "ok", "skip": "skipped", "xfail": "expected failure"}
            text = word.get(outcome, outcome.upper())
            if outcome == "skip":
                text += f" {detail!r}"
            sys.stdout.write(f"{test_id} ... " if start else "")
            sys.stdout.write(f"{text} ({duration:.2f}s)\n")
        else:
            mark = {"pass": ".", "skip": "s", "xfail": "x", "fail": "F", "error": "E"}
            sys.stdout.write(mark.get(outcome, "u"))
        sys.stdout.flush()

    def arm(self) -> None:
        self.armed = True
        faulthandler.dump_traceback_later(self.timeout + self.grace, exit=True)
        if hasattr(signal, "setitimer"):
            signal.setitimer(signal.ITIMER_REAL, self.timeout)

    def disarm(self) -> None:
        if hasattr(signal, "setitimer"):
            signal.setitimer(signal.ITIMER_REAL, 0)
        if self.armed:  # PyPy 3.9's cancel_dump_traceback_later() hangs if nothing is armed
            faulthandler.cancel_dump_traceback_later()
            self.armed = False

    def _set(self, outcome: str, detail: str) -> None:
        current = self.current
        assert current is not None
        rank = ("pass", "skip", "xfail", "fail", "uxpass", "error")
        if rank.index(outcome) >= rank.index(current["outcome"]):
            current["outcome"] = outcome
        if detail:
            current["detail"] += detail

    def _error_text(self, err: Any, test: unittest.TestCase) -> str:
        return self._exc_info_to_string(err, test)

    def addError(self, test: Any, err: Any) -> None:
        super().addError(test, err)
        if self.current is None or not isinstance(test, unittest.TestCase):
            # a class or module fixture (setUpClass, tearDownModule, ...)
            self.event(e="end", id=str(test), outcome="error", detail=self._error_text(err, test))
            return
        self._set("error", self._error_text(err, test))

    def addFailure(self, test: Any, err: Any) -> None:
        super().addFailure(test, err)
        self._set("fail", self._error_text(err, test))

    def addSubTest(self, test: Any, subtest: Any, err: Any) -> None:
        super().addSubTest(test, subtest, err)
        if err is not None:
            failed = issubclass(err[0], test.failureException)
            self._set("fail" if failed else "error", f"[{subtest}]\n{self._error_text(err, test)}")

    def addSkip(self, test: Any, reason: str) -> None:
        super().addSkip(test, reason)
        if self.current is None:  # 3.12+ skips a test without startTest()/stopTest()
            self.event(e="end", id=test.id(), outcome="skip", detail=reason, duration=0)
            self._show(test.id(), "skip", reason, 0.0, start=True)
            return
        self._set("skip", reason)

    def upstream_crashed(self, test: unittest.TestCase, err: Any) -> None:
        """An error outside the test proper: making or closing its event loop."""
        detail = self._error_text(err, test)
        if self.current is None and self.last_ended == test.id():  # closing the loop
            self.event(
                e="end", id=f"{test.id()} (event loop teardown)", outcome="error", detail=detail
            )
            self._show(test.id() + " (event loop teardown)", "error", "", 0.0, start=True)
            return
        if self.current is None:  # making the loop, before startTest()
            self.startTest(test)
        self._set("error", f"raised while making the test's event loop:\n{detail}")
        self.stopTest(test)

    def addExpectedFailure(self, test: Any, err: Any) -> None:
        super().addExpectedFailure(test, err)
        self._set("xfail", "")

    def addUnexpectedSuccess(self, test: Any) -> None:
        super().addUnexpectedSuccess(test)
        self._set("uxpass", "unexpected success")

    def stopTest(self, test: unittest.TestCase) -> None:
        super().stopTest(test)
        current = self.current
        self.current = None
        if current is None:
            return
        self.last_ended = current["id"]
        duration = time.time() - current.pop("t0")
        self.event(e="end", duration=round(duration, 3), **current)
        self._show(current["id"], current["outcome"], current["detail"], duration, start=False)


def _default_sigint() -> None:
    """Python's own Ctrl-C handler, as in an interactive run, when the worker started with
    SIGINT ignored (a background job of a shell, some CI runners): the Runner tests
    interrupt themselves (``_thread.interrupt_main()``), which does nothing then, and a
    Runner installs its handler only over Python's own (as CPython's regrtest does,
    gh-154167)."""
    if signal.getsignal(signal.SIGINT) in (signal.SIG_IGN, signal.SIG_DFL):
        signal.signal(signal.SIGINT, signal.default_int_handler)


def _on_alarm(signum: int, frame: Any) -> None:
    raise UpstreamTestTimeout("the test is still running after the per-test timeout")


def main(args: Any) -> int:
    """Run as the worker: *args* are run_upstream.py's parsed options."""
    verbose_header = not args.resume_after
    if not sys.warnoptions:  # as unittest.main() does
        import warnings

        warnings.simplefilter("default")
    try:
        impl = compat.load_impl(args.impl)
        loop_text = compat.configure(args.loop)
    except compat.Unavailable as err:
        print(f"SKIPPED: {err}")
        return WORKER_SKIPPED
    log = sys.stdout if verbose_header else None
    if log:
        log.write(f"implementation: {impl.description}\nloop: {loop_text}\n")
    env = skips.Env.current(loop=args.loop, impl=args.impl)
    loader = unittest.TestLoader()
    tests: List[unittest.TestCase] = []
    modules: List[types.ModuleType] = []
    not_loaded: List[Tuple[str, str]] = []  # (pseudo test id, why): the file is skipped
    for test_file in TEST_FILES:
        missing = [n for n in test_file.needs if getattr(impl, n, None) is None]
        if missing:
            why = f"{impl.description.split(' (')[0]} has no {' or '.join(missing)}"
            not_loaded.append((f"{test_file.name}: all its tests", why))
            if log:
                log.write(f"  {test_file.name}: SKIPPED, {why}\n")
            continue
        path = os.path.join(args.suite, test_file.name)
        if test_file.egroups:  # in test/, above test_asyncio/
            path = os.path.join(os.path.dirname(args.suite), test_file.name)
            if not os.path.isfile(path):  # not in the suite (3.11 added the first)
                if log:
                    log.write(f"  {test_file.name}: not in this suite\n")
                continue
        module = load_test_module(
            path, impl, args.lower, log, test_file.select, egroups=test_file.egroups
        )
        if test_file.own_task:
            mark_own_task(module)
        if not args.ignore_skip_table:
            apply_skips(module, env)
        loaded = iter_tests(loader.loadTestsFromModule(module))
        select = test_file.select
        if select is not None:  # the file also adds tests at run time
            loaded = (t for t in loaded if select.keeps(t._testMethodName))
        tests.extend(loaded)
        modules.append(module)
    stubbed = {n: r for m in modules for n, r in m._upstream_stubbed.items()}
    if log and stubbed:
        for name, reason in stubbed.items():
            log.write(f"  {name}: {reason}\n")
    tests = [t for t in tests if matches_k(t.id(), args.k)]
    not_loaded = [(i, why) for i, why in not_loaded if matches_k(i, args.k)]
    if args.list:
        for test_id, why in not_loaded:
            print(f"{test_id}  [skipped: {why}]")
        for test in tests:
            method = getattr(test, test._testMethodName)
            skip_why = getattr(method, "__unittest_skip_why__", None)
            print(test.id() + (f"  [skipped: {skip_why}]" if skip_why else ""))
        return 0
    if args.resume_after:
        ids = [t.id() for t in tests]
        tests = tests[ids.index(args.resume_after) + 1 :]
    with open(args.results, "a", encoding="utf-8") as out:
        result = JsonResult(out, args.verbose, args.timeout, args.grace)
        result.event(e="plan", ids=[t.id() for t in tests])
        if not args.resume_after:
            for test_id, why in not_loaded:
                result.event(e="end", id=test_id, outcome="skip", detail=why, unavailable=True)
                result._show(test_id, "skip", why, 0.0, start=True)
        if hasattr(signal, "SIGALRM"):
            signal.signal(signal.SIGALRM, _on_alarm)
        _default_sigint()
        try:
            unittest.TestSuite(tests).run(result)
        except BaseException:
            traceback.print_exc()
            raise
        finally:
            result.disarm()
        if not args.verbose:
            sys.stdout.write("\n")
        result.event(e="done")
    return 0
