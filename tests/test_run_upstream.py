"""Tests of tools/run_upstream.py: its except* lowering, AST rewriting, selection of tests,
skip-table conditions, run-time helpers, suite lookup and small end-to-end runs on suites
written here (not CPython's)."""

from __future__ import annotations

import ast
import asyncio
import os
import subprocess
import sys
import textwrap
import types
import unittest
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
TOOL = ROOT / "tools" / "run_upstream.py"
sys.path.insert(0, str(ROOT / "tools"))

import run_upstream  # noqa: E402
from upstream import compat, lowering, rewrite, selection, skips, worker  # noqa: E402
from upstream.compat import BaseExceptionGroup, ExceptionGroup  # noqa: E402


def lowered(source: str) -> dict:
    """Lower *source* (always, whatever the interpreter) and run it; return its namespace."""
    text, line_map = lowering.lower_except_star(textwrap.dedent(source))
    assert len(line_map) == len(text.split("\n"))
    namespace = {
        "_upstream_ExceptStar": compat.ExceptStar,
        "ExceptionGroup": ExceptionGroup,
        "BaseExceptionGroup": BaseExceptionGroup,
    }
    exec(compile(text, "<lowered>", "exec"), namespace)
    return namespace


# --- except* lowering --------------------------------------------------------------------


def test_lowering_matches_splits_and_reraises_the_rest():
    """A lowered except* runs each handler on its part of the group and re-raises the rest."""
    ns = lowered(
        """
        seen = []
        def f(exc):
            try:
                raise exc
            except* ValueError as e:
                seen.append(("value", [type(x) for x in e.exceptions]))
            except* (KeyError, IndexError):
                seen.append(("lookup",))
            else:
                seen.append(("else",))
            seen.append(("after",))
        """
    )
    f, seen = ns["f"], ns["seen"]
    f(ExceptionGroup("g", [ValueError(), KeyError()]))
    assert seen == [("value", [ValueError]), ("lookup",), ("after",)]
    del seen[:]
    with pytest.raises(ExceptionGroup) as info:
        f(ExceptionGroup("g", [ValueError(), TypeError()]))
    assert [type(x) for x in info.value.exceptions] == [TypeError]
    assert seen == [("value", [ValueError])]


def test_lowering_wraps_a_naked_exception_and_passes_others():
    """A lowered except* wraps a naked exception in a group, runs else, lets others through."""
    ns = lowered(
        """
        def f(exc):
            try:
                if exc is not None:
                    raise exc
            except* ValueError as e:
                return e
            else:
                return "no exception"
        """
    )
    group = ns["f"](ValueError("x"))
    assert isinstance(group, ExceptionGroup)
    assert [str(x) for x in group.exceptions] == ["x"]
    assert ns["f"](None) == "no exception"
    with pytest.raises(KeyError):
        ns["f"](KeyError())


def test_lowering_nested_finally_inline_and_name_unbound():
    """Nested lowered except*, inline handlers and finally work; the as-name is unbound after."""
    ns = lowered(
        """
        log = []
        def f():
            try:
                try:
                    raise ExceptionGroup("", [ValueError(), KeyError()])
                except* ValueError: log.append("inner")
                finally:
                    log.append("finally")
            except* KeyError as e:
                log.append("outer")
                try:
                    raise e
                except* KeyError:
                    log.append("nested in handler")
            return "e" in locals()
        """
    )
    assert ns["f"]() is False
    assert ns["log"] == ["inner", "finally", "outer", "nested in handler"]


def test_lowering_keeps_line_numbers():
    """The lowered tree keeps the original line numbers (tracebacks point into the file)."""
    source = "x = 1\ntry:\n    y = 1 / 0\nexcept* ZeroDivisionError:\n    z = 3\n"
    tree, stubbed = lowering.make_parseable(source, "<src>", lower=True)
    assert stubbed == {}
    assigns = {n.targets[0].id: n.lineno for n in ast.walk(tree) if isinstance(n, ast.Assign)}
    assert (assigns["x"], assigns["y"], assigns["z"]) == (1, 3, 5)


def test_unparseable_test_function_is_stubbed_out():
    """A test function this interpreter cannot parse becomes a skip; the others still run."""
    source = "def test_ok():\n    return 1\n\ndef test_bad():\n    x = = 2\n    return x\n"
    tree, stubbed = lowering.make_parseable(source, "<src>", lower=False)
    assert list(stubbed) == ["test_bad"]
    ns = {"_upstream_syntax_skip": compat.syntax_skip}
    exec(compile(tree, "<src>", "exec"), ns)
    assert ns["test_ok"]() == 1
    with pytest.raises(unittest.SkipTest, match="cannot parse"):
        ns["test_bad"]()


def test_unparseable_module_level_code_is_an_error():
    """Unparseable code outside a test function cannot be stubbed: an error."""
    with pytest.raises(lowering.LoweringError):
        lowering.make_parseable("x = = 1\n", "<src>", lower=False)


# --- AST rewriting -----------------------------------------------------------------------

SAMPLE = """
import asyncio
import unittest
from asyncio import taskgroups
from test.test_asyncio.utils import await_without_task

class T(unittest.IsolatedAsyncioTestCase):
    loop_factory = asyncio.EventLoop

async def f(task, tg: asyncio.TaskGroup):
    async with taskgroups.TaskGroup(), asyncio.timeout(1), asyncio.timeout_at(None):
        return task.cancelling(), task.uncancel(), asyncio.Timeout, asyncio.sleep
"""


def test_rewrite_points_everything_at_the_implementation():
    """TaskGroup/timeout names, task methods and compat names are all rewritten."""
    tree = ast.parse(SAMPLE)
    counts = rewrite.rewrite(tree, impl=True)
    code = ast.dump(tree)
    for name in ("TaskGroup", "timeout", "timeout_at", "Timeout"):
        assert f"attr='{name}'" in code
    assert counts["asyncio.TaskGroup"] == 1
    assert counts["from asyncio import taskgroups"] == 1
    assert counts["X.cancelling()"] == counts["X.uncancel()"] == 1
    assert counts["asyncio.EventLoop"] == counts["unittest.IsolatedAsyncioTestCase"] == 1
    source = ast.unparse(tree) if hasattr(ast, "unparse") else None
    if source is not None:
        assert "_upstream_impl.cancelling(task)" in source
        assert "taskgroups = _upstream_impl.taskgroups" in source
        assert "await_without_task = _upstream_compat.test_utils('await_without_task')" in source
        assert "asyncio.TaskGroup" not in source
        assert "asyncio.timeout" not in source
        assert "asyncio.sleep" in source


def test_rewrite_for_the_stdlib_only_touches_compat_names():
    """With the stdlib under test, only the compat names are rewritten."""
    tree = ast.parse(SAMPLE)
    counts = rewrite.rewrite(tree, impl=False)
    assert set(counts) == {
        "asyncio.EventLoop",
        "unittest.IsolatedAsyncioTestCase",
        "from test.test_asyncio.utils import await_without_task",
    }


EGROUP_SAMPLE = """
import traceback
import _colorize
from contextlib import *
from traceback import print_exc as pe
from test.support import nomemtest
from test.support.testcase import ExceptionIsLikeMixin

class T(ExceptionIsLikeMixin, unittest.TestCase):
    def test_it(self):
        self.assertIsSubclass(ExceptionGroup, BaseExceptionGroup)
        eg = ExceptionGroup("eg", [ValueError()])
        eg.add_note("note")
        with suppress(ValueError):
            traceback.print_exception(eg)
        return traceback.format_exception_only(eg), traceback.walk_tb, pe
"""


def test_rewrite_points_the_exception_group_names_at_the_implementation():
    """In an egroups file, the groups, traceback's formatting functions and suppress are
    the implementation's; add_note() is its function before 3.11; 3.14's assertions,
    test.support's names and _colorize come from compat."""
    tree = ast.parse(EGROUP_SAMPLE)
    counts = rewrite.rewrite(tree, impl=True, egroups=True)
    assert 2 == counts["ExceptionGroup"]
    assert 1 == counts["BaseExceptionGroup"]
    assert 1 == counts["traceback.print_exception"] == counts["traceback.format_exception_only"]
    assert 1 == counts["from contextlib import *"] == counts["from traceback import print_exc"]
    assert 1 == counts["self.assertIsSubclass()"] == counts["import _colorize"]
    assert (1 if sys.version_info < (3, 11) else 0) == counts["X.add_note()"]
    source = ast.unparse(tree) if hasattr(ast, "unparse") else None
    if source is not None:
        assert "from contextlib import *\nsuppress = _upstream_impl.suppress" in source
        assert "pe = _upstream_impl.print_exc" in source
        assert "nomemtest = _upstream_compat.support_name('nomemtest')" in source
        assert (
            "ExceptionIsLikeMixin = _upstream_compat.support_name('ExceptionIsLikeMixin', "
            "'test.support.testcase')"
        ) in source
        assert "_colorize = _upstream_compat.colorize_module()" in source
        assert "_upstream_compat.assert_method(self, 'assertIsSubclass')(" in source
        assert "traceback.walk_tb" in source  # not an exception-group name


def test_rewrite_leaves_the_exception_group_names_of_other_files():
    """Without egroups (the asyncio files) or for the stdlib, the names are left alone."""
    for impl, egroups in ((True, False), (False, True)):
        tree = ast.parse(EGROUP_SAMPLE)
        counts = rewrite.rewrite(tree, impl=impl, egroups=egroups)
        assert not {"ExceptionGroup", "traceback.print_exception"} & set(counts)


def test_check_refuses_leftover_builtin_groups():
    """check() refuses an egroups file left with a builtin group or a stdlib function."""
    tree = ast.parse("ExceptionGroup\ntraceback.print_exc()\nfrom contextlib import suppress\n")
    with pytest.raises(rewrite.RewriteError) as info:
        rewrite.check(tree, rewrite.Rewriter(impl=True, egroups=True))
    assert 3 == str(info.value).count("line")
    rewrite.check(tree, rewrite.Rewriter(impl=True))  # the asyncio files may use them


def test_check_refuses_leftover_stdlib_references():
    """check() refuses a module left with the stdlib's TaskGroup or a task method call."""
    tree = ast.parse("import asyncio.taskgroups\nasyncio.TaskGroup\nt.cancelling()\n")
    with pytest.raises(rewrite.RewriteError) as info:
        rewrite.check(tree, rewrite.Rewriter(impl=True))
    assert str(info.value).count("line") == 3


WAITFOR_SAMPLE = """
import asyncio
from asyncio import tasks, wait_for as wf
from asyncio.tasks import as_completed, sleep
from test import support
from test.test_asyncio import utils as test_utils

async def f(cond, aws):
    await asyncio.wait_for(cond.wait_for(bool), support.LONG_TIMEOUT)
    for x in tasks.as_completed(aws):
        await x
    async for x in asyncio.as_completed(aws):
        await wf(x, None)
    return tasks._PyTask, asyncio.new_event_loop()

class T(test_utils.TestCase):
    def new_task(self, loop, coro, context=None, eager_start=None):
        return self.__class__.Task(coro, loop=loop, context=context, eager_start=eager_start)
"""


def _run_rewritten(source: str, impl: bool) -> tuple:
    tree = ast.parse(source)
    counts = rewrite.rewrite(tree, impl=impl)
    fake = types.SimpleNamespace(wait_for=object(), as_completed=object())
    namespace = {"_upstream_impl": fake, "_upstream_compat": compat}
    exec(compile(tree, "<sample>", "exec"), namespace)
    return tree, counts, fake, namespace


def test_rewrite_points_wait_for_and_as_completed_at_the_implementation():
    """asyncio.wait_for/as_completed, tasks.as_completed and their imports (from asyncio and
    asyncio.tasks) reach the implementation; a Condition's wait_for and the other names of
    asyncio.tasks do not."""
    tree, counts, fake, ns = _run_rewritten(WAITFOR_SAMPLE, impl=True)
    assert fake.wait_for is ns["wf"]
    assert fake.as_completed is ns["as_completed"]
    assert asyncio.tasks.sleep is ns["sleep"]
    assert asyncio.tasks is ns["tasks"]
    expected = {
        "asyncio.wait_for": 1,
        "asyncio.as_completed": 1,
        "tasks.as_completed": 1,
        "from asyncio import wait_for": 1,
        "from asyncio.tasks import as_completed": 1,
    }
    assert expected == {k: counts[k] for k in expected}
    rewrite.check(tree, rewrite.Rewriter(impl=True))
    if hasattr(ast, "unparse"):  # 3.9+
        source = ast.unparse(tree)
        assert "_upstream_impl.wait_for(cond.wait_for(bool)" in source
        assert "for x in _upstream_impl.as_completed(aws)" in source


def test_rewrite_of_the_test_package_and_task_variants():
    """The test package's modules become compat's, private names of asyncio.tasks go
    through asyncio_private(), Task(context=, eager_start=) through make_task(), and
    asyncio.new_event_loop() makes a loop of the kind under test: with the stdlib under
    test too."""
    for impl in (True, False):
        _, counts, _, ns = _run_rewritten(WAITFOR_SAMPLE, impl=impl)
        assert compat.test_support is ns["support"]
        assert compat.test_utils_module is ns["test_utils"]
        assert issubclass(ns["T"], compat.TestCase)
        expected = {
            "tasks._private": 1,
            "X.Task(context=, eager_start=)": 1,
            "asyncio.new_event_loop": 1,
            "from test import support": 1,
            "from test.test_asyncio import utils": 1,
        }
        assert expected == {k: counts[k] for k in expected}
        assert impl == ("asyncio.wait_for" in counts)


RUNNERS_SAMPLE = """
import asyncio

class Policy(asyncio.events._AbstractEventLoopPolicy):
    pass

def current():
    return asyncio.events._get_event_loop_policy()

def run(coro):
    return asyncio.run(coro)

def runner():
    return asyncio.Runner
"""


def test_rewrite_of_the_runner_tests():
    """asyncio.Runner and asyncio.run reach the implementation, and 3.14's private policy
    names stand for the public ones of 3.8-3.13 (test_runners.py)."""
    tree = ast.parse(RUNNERS_SAMPLE)
    counts = rewrite.rewrite(tree, impl=True)
    fake = types.SimpleNamespace(Runner=object(), run=lambda coro: ("ran", coro))
    namespace = {"_upstream_impl": fake, "_upstream_compat": compat}
    exec(compile(tree, "<sample>", "exec"), namespace)
    expected = {
        "asyncio.Runner": 1,
        "asyncio.run": 1,
        "asyncio.events._AbstractEventLoopPolicy": 1,
        "asyncio.events._get_event_loop_policy": 1,
    }
    assert expected == {k: counts[k] for k in expected}
    assert fake.Runner is namespace["runner"]()
    assert ("ran", 1) == namespace["run"](1)
    assert issubclass(namespace["Policy"], compat.AbstractEventLoopPolicy)
    assert compat.get_event_loop_policy() is namespace["current"]()


def test_check_refuses_leftover_wait_for_and_as_completed():
    """check() refuses each way of reaching the stdlib's wait_for/as_completed, and lets a
    Condition's wait_for be."""
    tree = ast.parse(
        "from asyncio import tasks, wait_for\n"
        "import asyncio.tasks as t\n"
        "asyncio.as_completed\n"
        "tasks.wait_for\n"
        "t.as_completed\n"
        "asyncio.tasks.wait_for\n"
        "from asyncio.tasks import as_completed\n"
        "cond.wait_for\n"
    )
    with pytest.raises(rewrite.RewriteError) as info:
        rewrite.check(tree, rewrite.Rewriter(impl=True))
    assert 6 == str(info.value).count("line")
    assert "line 8" not in str(info.value)


# --- selecting tests of a file -------------------------------------------------------------

TASKS_SAMPLE = """
import unittest
from types import GenericAlias
from test.support import threading_helper

def helper():
    return 1

class BaseTaskTests:
    Task = None

    def setUp(self):
        pass

    def test_as_completed(self):
        pass

    def test_gather(self):
        pass

class SetMethodsTest:
    def test_set_result(self):
        pass

class CTask_Tests(BaseTaskTests, SetMethodsTest, unittest.TestCase):
    Task = 1

    @threading_helper.requires_working_threading()
    def test_threads(self):
        pass

class GatherTestsBase:
    def test_gather(self):
        return GenericAlias

class FutureGatherTests(GatherTestsBase, unittest.TestCase):
    pass

class Empty(unittest.TestCase):
    pass

class Dummy:
    pass
"""


def _classes(tree: ast.Module) -> dict:
    return {
        n.name: [getattr(m, "name", type(m).__name__) for m in n.body]
        for n in tree.body
        if isinstance(n, ast.ClassDef)
    }


def test_prune_keeps_the_selected_tests_in_every_variant():
    """The mixin keeps its selected tests and non-test members; its variants and their
    other mixins lose the other tests; other test classes go, and so do the imports only
    they used."""
    tree = ast.parse(TASKS_SAMPLE)
    counts = selection.prune(tree, selection.Selection("BaseTaskTests", "test_as_completed*"))
    expected = {
        "BaseTaskTests": ["Assign", "setUp", "test_as_completed"],
        "SetMethodsTest": ["Pass"],
        "CTask_Tests": ["Assign"],
        "Dummy": ["Pass"],
    }
    assert expected == _classes(tree)
    imports = [a.name for n in tree.body if isinstance(n, ast.ImportFrom) for a in n.names]
    assert [] == imports
    assert {"test classes not selected": 3, "test methods not selected": 3} == {
        k: counts[k] for k in ("test classes not selected", "test methods not selected")
    }
    assert 2 == counts["unused imports"]
    namespace: dict = {}
    exec(compile(tree, "<pruned>", "exec"), namespace)  # nothing it needs is gone
    assert 1 == namespace["helper"]()


def test_prune_refuses_a_file_without_the_selected_tests():
    """A file that lost the mixin or its selected tests is an error, not an empty run."""
    with pytest.raises(selection.SelectionError, match="no class"):
        selection.prune(ast.parse(TASKS_SAMPLE), selection.Selection("Other", "test_*"))
    with pytest.raises(selection.SelectionError, match="no test method"):
        selection.prune(ast.parse(TASKS_SAMPLE), selection.Selection("BaseTaskTests", "test_wait*"))


def test_worker_and_parent_agree_on_the_files():
    """The parent looks for the files the worker loads."""
    assert run_upstream.TEST_FILES == tuple(f.name for f in worker.TEST_FILES if not f.egroups)
    assert run_upstream.EGROUP_FILES == tuple(f.name for f in worker.TEST_FILES if f.egroups)


TRACEBACK_SAMPLE = """
import _colorize
import re
from test.support import captured_output, requires_subprocess

color_overrides = {"reset": "z"}
colors = {color_overrides.get(k, k): v for k, v in _colorize.default_theme.items()}
boundaries = re.compile("x")
kept = 1

class TracebackCases(unittest.TestCase):
    def setUp(self):
        _colorize.COLORIZE = False

    def test_format_exception_group(self):
        return kept

    def test_format_other(self):
        pass

class BaseExceptionReportingTests:
    def test_exception_group_basic(self):
        pass

    def test_simple(self):
        return boundaries

class PyExcReportingTests(BaseExceptionReportingTests, unittest.TestCase):
    def get_report(self, e):
        return captured_output

class CExcReportingTests(BaseExceptionReportingTests, unittest.TestCase):
    pass

class TestColorizedTraceback(unittest.TestCase):
    def test_colors(self):
        return colors, requires_subprocess
"""


def test_prune_with_several_selections():
    """Selections keep the union of their parts' tests and variants, drop the excluded
    variants, and the module-level assignments and imports that only dropped tests used."""
    tree = ast.parse(TRACEBACK_SAMPLE)
    picks = selection.Selections(
        (
            selection.Selection("TracebackCases", "test_format_exception_group*"),
            selection.Selection("BaseExceptionReportingTests", "test_exception_group_*"),
        ),
        exclude=("CExcReportingTests",),
    )
    counts = selection.prune(tree, picks)
    expected = {
        "TracebackCases": ["setUp", "test_format_exception_group"],
        "BaseExceptionReportingTests": ["test_exception_group_basic"],
        "PyExcReportingTests": ["get_report"],
    }
    assert expected == _classes(tree)
    assigned = [t.id for n in tree.body if isinstance(n, ast.Assign) for t in n.targets]
    assert ["kept"] == assigned
    imports = [
        a.name for n in tree.body if isinstance(n, (ast.Import, ast.ImportFrom)) for a in n.names
    ]
    assert ["_colorize", "captured_output"] == imports
    assert 3 == counts["unused module-level assignments"]
    assert 2 == counts["test classes not selected"]
    assert picks.keeps("test_exception_group_basic")
    assert not picks.keeps("test_simple")


# --- skip table --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("condition", "version", "implementation", "expected"),
    [
        ("<3.14 | pypy", (3, 13, 0), "cpython", True),
        ("<3.14 | pypy", (3, 14, 0), "cpython", False),
        ("<3.14 | pypy", (3, 15, 0), "pypy", True),
        ("3.12 | 3.13.0", (3, 12, 9), "cpython", True),
        ("3.12 | 3.13.0", (3, 13, 1), "cpython", False),
        (">=3.12.1 & cpython", (3, 12, 1), "cpython", True),
        ("uvloop & 3.13", (3, 13, 0), "cpython", False),
        ("impl=toplevel & 3.13", (3, 13, 0), "cpython", False),
    ],
)
def test_skip_conditions(condition, version, implementation, expected):
    """The skip table's conditions: versions, implementations, | and &."""
    env = skips.Env(implementation, version, "asyncio", "backport")
    assert skips.matches(condition, env) is expected


def test_skip_condition_on_the_toplevel_implementation():
    """``impl=toplevel`` holds in a run of --impl toplevel only."""
    toplevel = skips.Env("cpython", (3, 13, 0), "asyncio", "toplevel")
    backport = skips.Env("cpython", (3, 13, 0), "asyncio", "backport")
    assert (True, False) == (
        skips.matches("impl=toplevel & 3.13", toplevel),
        skips.matches("impl=toplevel & 3.13", backport),
    )


@pytest.mark.parametrize(
    ("condition", "release", "expected"),
    [
        ("exceptiongroup<1.4", (1, 3, 2), True),
        ("exceptiongroup<1.4", (1, 4, 0), False),
        ("exceptiongroup>=1.3", (1, 3), True),
        ("exceptiongroup<1.4", (), False),  # not installed
        ("<3.11 & exceptiongroup<1.4", (1, 3, 2), False),  # on 3.13
    ],
)
def test_skip_condition_on_the_exceptiongroup_release(condition, release, expected):
    """The exceptiongroup term compares the installed release; false without one."""
    env = skips.Env("cpython", (3, 13, 0), "asyncio", "backport", release)
    assert skips.matches(condition, env) is expected


def test_skip_table_is_well_formed():
    """Every skip-table entry parses, names Class.method and gives a reason."""
    env = skips.Env.current()
    for entry in skips.SKIPS:
        skips.matches(entry.where, env)  # parses
        assert "." in entry.tests
        assert entry.reason
    old = skips.Env("cpython", (3, 11, 7), "asyncio", "backport")
    assert skips.skip_reason("TestEagerTaskTaskGroup.test_taskgroup_01", old)
    assert skips.skip_reason("TestTaskGroup.test_taskgroup_01", old) is None


# --- run-time support --------------------------------------------------------------------


def test_await_without_task():
    """await_without_task() runs an awaitable outside any task, result or exception."""

    async def whose_task():
        return asyncio.current_task()

    async def fails():
        raise LookupError("no task")

    async def main():
        assert await compat.await_without_task(whose_task()) is None
        with pytest.raises(LookupError, match="no task"):
            await compat.await_without_task(fails())

    asyncio.run(main())


def test_test_loop_moves_its_clock_by_the_generator():
    """TestLoop sends each timer's deadline into the test's generator and moves its clock
    by the step the generator yields back; close() finds the generator done."""
    deadlines = []

    def gen():
        when = yield
        deadlines.append(when)
        yield 0.5

    loop = compat.TestLoop(gen)
    try:
        assert "done" == loop.run_until_complete(asyncio.sleep(0.5, "done"))
        assert 0.5 == loop.time()
    finally:
        loop.close()
    assert [0.5] == deadlines


def test_test_loop_refuses_steps_left_at_close():
    """A TestLoop whose generator still has steps when the loop closes is an error: the
    test expected timers that never came."""

    def gen():
        yield
        yield 0

    loop = compat.TestLoop(gen)
    loop.run_until_complete(asyncio.sleep(0))
    with pytest.raises(AssertionError, match="steps left"):
        loop.close()
    assert loop.is_closed()


def test_make_task_drops_only_the_unsupported_defaults():
    """make_task() leaves out context=None before 3.11 and eager_start=None before 3.12;
    a value is always passed on."""
    calls = []

    def task_class(*args, **kwargs):
        calls.append((args, kwargs))

    compat.make_task(task_class, "coro", name="n", context=None, eager_start=None)
    compat.make_task(task_class, "coro", eager_start=True)
    expected = {"name": "n"}
    if sys.version_info >= (3, 11):
        expected["context"] = None
    if sys.version_info >= (3, 12):
        expected["eager_start"] = None
    assert [(("coro",), expected), (("coro",), {"eager_start": True})] == calls


def test_asyncio_private_stands_in_for_a_missing_name():
    """asyncio_private() gives the real private name, or a stand-in that fails when
    called, naming what is missing."""
    assert asyncio.tasks._PyTask is compat.asyncio_private(asyncio.tasks, "_PyTask")
    missing = compat.asyncio_private(asyncio.tasks, "_no_such_function")
    with pytest.raises(AttributeError, match=r"asyncio\.tasks\._no_such_function"):
        missing()


def test_anext_and_the_test_package_stand_ins():
    """compat.anext() awaits the next item; the test package's modules are compat's own
    helpers first (3.8 has no support.LONG_TIMEOUT, PyPy no test package)."""

    class Numbers:
        async def __anext__(self):
            return 1

    assert 1 == asyncio.run(compat.anext(Numbers()))
    assert compat.TestCase is compat.test_utils_module.TestCase
    assert compat.TestLoop is compat.test_utils("TestLoop")
    assert 300.0 == compat.test_support.LONG_TIMEOUT


def test_test_support_fallbacks():
    """test.support's names are the interpreter's where it has them, else compat's own;
    3.14's assertions work on older unittest."""
    assert compat.support_name("exceeds_recursion_limit")() > sys.getrecursionlimit()
    assert compat.support_name("skip_wasi_stack_overflow")()(len) is len
    with pytest.raises(ImportError, match="no fallback"):
        compat.support_name("no_such_helper")
    mixin = compat.support_name("ExceptionIsLikeMixin", "test.support.testcase")

    class Case(mixin, unittest.TestCase):
        def runTest(self):
            pass

    case = Case()
    case.assertExceptionIsLike(
        ExceptionGroup("eg", [ValueError(1)]), ExceptionGroup("eg", [ValueError(1)])
    )
    with pytest.raises(AssertionError):
        case.assertExceptionIsLike(
            ExceptionGroup("eg", [ValueError(1)]), ExceptionGroup("eg", [TypeError(1)])
        )
    compat.assert_method(case, "assertIsSubclass")(ExceptionGroup, BaseExceptionGroup)
    with pytest.raises(AssertionError):
        compat.assert_method(case, "assertNotHasAttr")(case, "runTest")
    with compat.support_name("captured_output")("stderr") as err:
        print("x", file=sys.stderr)
    assert "x\n" == err.getvalue()


def test_exception_group_names_of_each_implementation():
    """The backport is tested with asyncio_compat's names, the stdlib with its own, the
    taskgroup package with none (its files are skipped)."""
    asyncio_compat = pytest.importorskip("asyncio_compat")
    ours = compat.exception_group_names("backport")
    assert asyncio_compat.ExceptionGroup is ours["ExceptionGroup"]
    assert asyncio_compat.suppress is ours["suppress"]
    assert {None} == set(compat.exception_group_names("taskgroup").values())
    import contextlib

    assert contextlib.suppress is compat.exception_group_names("stdlib")["suppress"]


# --- finding the suite, and end to end -----------------------------------------------------


def make_suite(root: Path, version: str, files: dict) -> Path:
    suite = root / version / "usr" / "lib" / f"python{version}" / "test" / "test_asyncio"
    suite.mkdir(parents=True)
    for name in run_upstream.TEST_FILES:
        (suite / name).write_text(textwrap.dedent(files.get(name, "")))
    return suite


def test_find_suite_picks_the_newest(tmp_path, monkeypatch):
    """The newest suite found is used; a given folder may be above test_asyncio."""
    make_suite(tmp_path, "3.14", {})
    newest = make_suite(tmp_path, "3.15", {})
    monkeypatch.setenv("DEBIAN_CPYTHON_ROOT", str(tmp_path))
    monkeypatch.delenv(run_upstream.ENV_VAR, raising=False)
    assert run_upstream.find_suite(None)[0] == str(newest)
    assert run_upstream.find_suite(str(newest.parent.parent))[0] == str(newest)
    with pytest.raises(run_upstream.UsageError):
        run_upstream.find_suite(str(tmp_path / "nowhere"))
    assert run_upstream.main(["--cpython-tests", str(tmp_path / "nowhere")]) == 2


def test_no_suite_is_a_skip(tmp_path, monkeypatch, capsys):
    """No suite is a SKIPPED run: exit 0, or 3 with --strict."""
    monkeypatch.setenv("DEBIAN_CPYTHON_ROOT", str(tmp_path))
    monkeypatch.delenv(run_upstream.ENV_VAR, raising=False)
    assert run_upstream.main([]) == 0
    assert run_upstream.SKIP_HINT in capsys.readouterr().out
    assert run_upstream.main(["--strict"]) == 3


TASKGROUP_TESTS = """
    import asyncio
    import time
    import unittest
    from asyncio import taskgroups

    class TestTaskGroup(unittest.IsolatedAsyncioTestCase):
        loop_factory = asyncio.EventLoop

        async def test_group(self):
            async def boom():
                raise ZeroDivisionError
            try:
                async with taskgroups.TaskGroup() as tg:
                    tg.create_task(boom())
            except* ZeroDivisionError as e:
                self.assertEqual(len(e.exceptions), 1)
            self.assertEqual(asyncio.current_task().cancelling(), 0)

        async def test_uses_the_backport(self):
            self.assertIs(asyncio.TaskGroup, BACKPORT)

        async def test_fails(self):
            self.assertEqual(1, 2)

        async def test_hangs(self):
            time.sleep(60)
"""

TIMEOUT_TESTS = """
    import asyncio
    import unittest

    class TimeoutTests(unittest.IsolatedAsyncioTestCase):
        async def test_timeout(self):
            with self.assertRaises(TimeoutError):
                async with asyncio.timeout(0.01):
                    await asyncio.sleep(1)
"""

WAITFOR_TESTS = """
    import asyncio
    import unittest
    from test import support
    from asyncio_compat.backport import wait_for as BACKPORT

    class AsyncioWaitForTest(unittest.IsolatedAsyncioTestCase):
        async def test_wait_for(self):
            self.assertIs(asyncio.wait_for, BACKPORT)
            with self.assertRaises(asyncio.TimeoutError):
                await asyncio.wait_for(asyncio.sleep(support.LONG_TIMEOUT), 0.01)
"""

# as test_tasks.py: a mixin of tests made a TestCase per Task class, on a virtual clock
TASKS_TESTS = """
    import asyncio
    from asyncio import tasks
    from test.test_asyncio import utils as test_utils
    from asyncio_compat.backport import as_completed as BACKPORT

    class BaseTaskTests:
        Task = None

        def new_task(self, loop, coro, name="TestTask", context=None, eager_start=None):
            return self.__class__.Task(
                coro, loop=loop, name=name, context=context, eager_start=eager_start
            )

        def setUp(self):
            super().setUp()
            self.loop = self.new_test_loop()
            self.loop.set_task_factory(self.new_task)

        def test_as_completed_on_the_virtual_clock(self):
            def gen():
                yield
                yield 0.1

            loop = self.new_test_loop(gen)

            async def main():
                self.assertIs(asyncio.as_completed, BACKPORT)
                return [await f for f in asyncio.as_completed([asyncio.sleep(0.1, "x")])]

            self.assertEqual(["x"], loop.run_until_complete(self.new_task(loop, main())))
            self.assertAlmostEqual(0.1, loop.time())

        def test_not_selected(self):
            self.fail("not an as_completed test")

    class PyTask_PyFuture_Tests(BaseTaskTests, test_utils.TestCase):
        Task = tasks._PyTask
        all_tasks = staticmethod(tasks._not_on_any_interpreter)

    class GatherTests(test_utils.TestCase):
        def test_as_completed_elsewhere(self):
            self.fail("not a BaseTaskTests test")
"""


def _run_tool(*args: str, env: dict | None = None) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, str(TOOL), *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        timeout=50,
        check=False,
        env=env,
    )


def test_end_to_end(tmp_path):
    """A run over a suite written here: passes, failures, a hang, and of the as_completed
    file only the selected tests, in its Task variant."""
    pytest.importorskip("asyncio_compat.backport")
    suite = make_suite(
        tmp_path,
        "3.15",
        {
            "test_taskgroups.py": "from asyncio_compat.backport import TaskGroup as BACKPORT\n"
            + textwrap.dedent(TASKGROUP_TESTS),
            "test_timeouts.py": TIMEOUT_TESTS,
            "test_waitfor.py": WAITFOR_TESTS,
            "test_tasks.py": TASKS_TESTS,
        },
    )
    proc = _run_tool("--cpython-tests", str(suite), "--timeout", "1")
    out = proc.stdout
    assert proc.returncode == 1, out
    assert out.rstrip().splitlines()[-1] == "5 passed, 2 failed, 0 skipped", out
    assert "FAIL: test_taskgroups.TestTaskGroup.test_fails" in out
    assert "ERROR: test_taskgroups.TestTaskGroup.test_hangs" in out
    assert "UpstreamTestTimeout" in out
    listed = _run_tool("--cpython-tests", str(suite), "--list", "-k", "test_tasks").stdout
    expected = ["test_tasks.PyTask_PyFuture_Tests.test_as_completed_on_the_virtual_clock"]
    assert expected == [line for line in listed.splitlines() if line.startswith("test_tasks.")]


def test_files_are_skipped_where_the_implementation_lacks_their_subject(tmp_path):
    """An implementation without wait_for/as_completed (the taskgroup package) skips
    test_waitfor.py and test_tasks.py with that reason, and --strict exits 3."""
    pytest.importorskip("asyncio_compat.backport")
    suite = make_suite(
        tmp_path / "suite",
        "3.15",
        {"test_waitfor.py": WAITFOR_TESTS, "test_tasks.py": TASKS_TESTS},
    )
    package = tmp_path / "path" / "taskgroup"
    package.mkdir(parents=True)
    (package / "__init__.py").write_text(
        "from asyncio_compat.backport import TaskGroup, Timeout, timeout, timeout_at\n"
        "__version__ = 'stand-in'\n"
    )
    path = [str(package.parent), *sys.path]
    env = dict(os.environ, PYTHONPATH=os.pathsep.join(p for p in path if p))
    args = ["--cpython-tests", str(suite), "--impl", "taskgroup", "-k", "test_waitfor"]
    proc = _run_tool(*args, "-k", "test_tasks", "--strict", env=env)
    out = proc.stdout
    assert 3 == proc.returncode, out
    assert "0 passed, 0 failed, 2 skipped" == out.rstrip().splitlines()[-1], out
    assert "- the taskgroup package stand-in has no wait_for:\n    test_waitfor.py: all" in out
    assert "- the taskgroup package stand-in has no as_completed:" in out
    assert 0 == _run_tool(*args, env=env).returncode


# --- --impl toplevel ----------------------------------------------------------------------


def test_toplevel_implementation_is_the_packages_own_names():
    """--impl toplevel hands the tests every name of asyncio_compat.__all__ as the gates
    give it on this interpreter (the stdlib's object or the backport's), and says which
    are the stdlib's."""
    asyncio_compat = pytest.importorskip("asyncio_compat")
    impl = compat.load_impl("toplevel")
    expected = {name: getattr(asyncio_compat, name) for name in asyncio_compat.__all__}
    actual = {name: getattr(impl, name) for name in asyncio_compat.__all__}
    assert expected == actual
    assert asyncio_compat.TaskGroup is impl.taskgroups.TaskGroup
    assert asyncio_compat.timeout is impl.timeouts.timeout
    stdlib = "TaskGroup" if asyncio_compat.TaskGroup is getattr(asyncio, "TaskGroup", None) else ""
    assert ("the stdlib's" in impl.description, stdlib in impl.description) == (True, True)


TOPLEVEL_TESTS = """
    import asyncio
    import unittest
    import asyncio_compat

    class TestTaskGroup(unittest.IsolatedAsyncioTestCase):
        async def test_is_the_toplevel_name(self):
            self.assertIs(asyncio.TaskGroup, asyncio_compat.TaskGroup)
            self.assertIs(asyncio.wait_for, asyncio_compat.wait_for)
            self.assertIs(asyncio.as_completed, asyncio_compat.as_completed)
            self.assertIs(asyncio.capture_call_graph, asyncio_compat.capture_call_graph)
            async with asyncio.TaskGroup() as tg:
                task = tg.create_task(asyncio.sleep(0, "done"))
            self.assertEqual("done", task.result())
"""


def test_end_to_end_toplevel(tmp_path):
    """A run of --impl toplevel points the tests at asyncio_compat's own names, whichever
    objects they are here; the files of the names it has all run."""
    pytest.importorskip("asyncio_compat")
    files = {"test_taskgroups.py": TOPLEVEL_TESTS, "test_tasks.py": TASKS_TESTS}
    suite = make_suite(tmp_path, "3.15", files)
    args = ["--cpython-tests", str(suite), "--impl", "toplevel", "--strict"]
    proc = _run_tool(*args, "-k", "test_taskgroups")
    out = proc.stdout
    assert 0 == proc.returncode, out
    assert "1 passed, 0 failed, 0 skipped" == out.rstrip().splitlines()[-1], out
    assert "implementation: asyncio_compat " in out


EXCEPTION_GROUP_TESTS = """
    import unittest
    import asyncio_compat
    from test.support import exceeds_recursion_limit

    class TestExceptionGroupTypeHierarchy(unittest.TestCase):
        def test_names(self):
            self.assertIs(asyncio_compat.ExceptionGroup, ExceptionGroup)
            self.assertIsSubclass(ExceptionGroup, BaseExceptionGroup)
            self.assertGreater(exceeds_recursion_limit(), 0)

        def test_split(self):
            try:
                raise ExceptionGroup("eg", [ValueError(1), TypeError(2)])
            except* ValueError as e:
                self.assertIsInstance(e, asyncio_compat.ExceptionGroup)
            except* TypeError:
                pass
"""

CONTEXTLIB_TESTS = """
    import unittest
    import asyncio_compat
    from contextlib import *

    class TestSuppress(unittest.TestCase):
        def test_exception_groups(self):
            self.assertIs(asyncio_compat.suppress, suppress)
            with self.assertRaises(ExceptionGroup):
                with suppress(ValueError):
                    raise ExceptionGroup("eg", [ValueError(1), TypeError(2)])

    class TestExitStack(unittest.TestCase):
        def test_not_selected(self):
            self.fail("not a suppress test")
"""


def test_end_to_end_exception_group_files(tmp_path):
    """The exception-group files above test_asyncio run against asyncio_compat's names
    (only TestSuppress of test_contextlib.py); a suite without test_traceback.py runs
    the others."""
    pytest.importorskip("asyncio_compat")
    suite = make_suite(tmp_path, "3.15", {"test_tasks.py": TASKS_TESTS})
    (suite.parent / "test_exception_group.py").write_text(textwrap.dedent(EXCEPTION_GROUP_TESTS))
    (suite.parent / "test_contextlib.py").write_text(textwrap.dedent(CONTEXTLIB_TESTS))
    proc = _run_tool(
        "--cpython-tests", str(suite), "-v", "-k", "test_exception_group", "-k", "test_contextlib"
    )
    out = proc.stdout
    assert 0 == proc.returncode, out
    assert "3 passed, 0 failed, 0 skipped" == out.rstrip().splitlines()[-1], out
    assert "test_traceback.py: not in this suite" in out
    assert "test_contextlib.TestSuppress.test_exception_groups ... ok" in out
