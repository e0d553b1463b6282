"""Tests of tools/run_upstream.py: its except* lowering, AST rewriting, skip-table
conditions, suite lookup and a small end-to-end run on a suite written here (not CPython's)."""

from __future__ import annotations

import ast
import asyncio
import subprocess
import sys
import textwrap
import unittest
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
TOOL = ROOT / "tools" / "run_upstream.py"
sys.path.insert(0, str(ROOT / "tools"))

import run_upstream  # noqa: E402
from upstream import compat, lowering, rewrite, skips  # noqa: E402
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
    source = "x = 1\ntry:\n    y = 1 / 0\nexcept* ZeroDivisionError:\n    z = 3\n"
    tree, stubbed = lowering.make_parseable(source, "<src>", lower=True)
    assert stubbed == {}
    assigns = {n.targets[0].id: n.lineno for n in ast.walk(tree) if isinstance(n, ast.Assign)}
    assert (assigns["x"], assigns["y"], assigns["z"]) == (1, 3, 5)


def test_unparseable_test_function_is_stubbed_out():
    source = "def test_ok():\n    return 1\n\ndef test_bad():\n    x = = 2\n    return x\n"
    tree, stubbed = lowering.make_parseable(source, "<src>", lower=False)
    assert list(stubbed) == ["test_bad"]
    ns = {"_upstream_syntax_skip": compat.syntax_skip}
    exec(compile(tree, "<src>", "exec"), ns)
    assert ns["test_ok"]() == 1
    with pytest.raises(unittest.SkipTest, match="cannot parse"):
        ns["test_bad"]()


def test_unparseable_module_level_code_is_an_error():
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
    tree = ast.parse(SAMPLE)
    counts = rewrite.rewrite(tree, impl=False)
    assert set(counts) == {
        "asyncio.EventLoop",
        "unittest.IsolatedAsyncioTestCase",
        "from test.test_asyncio.utils import await_without_task",
    }


def test_check_refuses_leftover_stdlib_references():
    tree = ast.parse("import asyncio.taskgroups\nasyncio.TaskGroup\nt.cancelling()\n")
    with pytest.raises(rewrite.RewriteError) as info:
        rewrite.check(tree, rewrite.Rewriter(impl=True))
    assert str(info.value).count("line") == 3


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
    ],
)
def test_skip_conditions(condition, version, implementation, expected):
    env = skips.Env(implementation, version, "asyncio", "backport")
    assert skips.matches(condition, env) is expected


def test_skip_table_is_well_formed():
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
    async def whose_task():
        return asyncio.current_task()

    async def fails():
        raise LookupError("no task")

    async def main():
        assert await compat.await_without_task(whose_task()) is None
        with pytest.raises(LookupError, match="no task"):
            await compat.await_without_task(fails())

    asyncio.run(main())


# --- finding the suite, and end to end -----------------------------------------------------


def make_suite(root: Path, version: str, files: dict) -> Path:
    suite = root / version / "usr" / "lib" / f"python{version}" / "test" / "test_asyncio"
    suite.mkdir(parents=True)
    for name in run_upstream.TEST_FILES:
        (suite / name).write_text(textwrap.dedent(files.get(name, "")))
    return suite


def test_find_suite_picks_the_newest(tmp_path, monkeypatch):
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


def test_end_to_end(tmp_path):
    pytest.importorskip("asyncio_compat.backport")
    suite = make_suite(
        tmp_path,
        "3.15",
        {
            "test_taskgroups.py": "from asyncio_compat.backport import TaskGroup as BACKPORT\n"
            + textwrap.dedent(TASKGROUP_TESTS),
            "test_timeouts.py": TIMEOUT_TESTS,
        },
    )
    proc = subprocess.run(
        [sys.executable, str(TOOL), "--cpython-tests", str(suite), "--timeout", "1"],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        timeout=50,
        check=False,
    )
    out = proc.stdout
    assert proc.returncode == 1, out
    assert out.rstrip().splitlines()[-1] == "3 passed, 2 failed, 0 skipped", out
    assert "FAIL: test_taskgroups.TestTaskGroup.test_fails" in out
    assert "ERROR: test_taskgroups.TestTaskGroup.test_hangs" in out
    assert "UpstreamTestTimeout" in out
