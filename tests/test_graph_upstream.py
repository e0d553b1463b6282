"""tools/run_upstream.py's part for CPython's ``test_asyncio/test_graph.py``: the two
adaptations before 3.14 (``frame.f_generator``; 3.14's private call-graph hooks, for which
this package's stand in), the test in a task of its own before 3.11, and a run of the real
file where the CPython test suite is installed."""

from __future__ import annotations

import ast
import asyncio
import importlib
import subprocess
import sys
import textwrap
import unittest
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tools"))

import run_upstream  # noqa: E402
from upstream import compat, rewrite  # noqa: E402

from asyncio_compat import backport  # noqa: E402

BEFORE_3_14 = sys.version_info < (3, 14)
HAS_C_TASK = hasattr(asyncio.tasks, "_CTask")


def dump(tree: ast.AST) -> str:
    return ast.dump(tree).replace(", kind=None", "")  # 3.8's Constant has a kind


def rewritten(source: str) -> str:
    tree = ast.parse(textwrap.dedent(source))
    rewrite.rewrite(tree, impl=True)
    return dump(tree)


def expected(source: str) -> str:
    return dump(ast.parse(textwrap.dedent(source)))


def test_f_generator():
    """``X.f_generator`` reads ``frame_generator(X)`` before 3.14, where frames lack it."""
    source = "g = entry.frame.f_generator"
    target = "g = _upstream_compat.frame_generator(entry.frame)" if BEFORE_3_14 else source
    assert expected(target) == rewritten(source)


def test_private_hooks():
    """The public hooks (read and assigned) are the implementation's before 3.14, the
    private ones and ``hasattr`` on them go through ``asyncio_private``, also when the
    module is a local name; ``X._asyncio_awaited_by`` is ``asyncio_awaited_by(X)``."""
    source = """
        futures = asyncio.futures
        saved = asyncio.future_add_to_awaited_by
        futures.future_add_to_awaited_by = futures._c_future_add_to_awaited_by
        asyncio.future_add_to_awaited_by = saved
        ok = hasattr(asyncio.futures, "_c_future_add_to_awaited_by")
        links = t._asyncio_awaited_by
    """
    hook = (
        "_upstream_impl.future_add_to_awaited_by"
        if BEFORE_3_14
        else "asyncio.future_add_to_awaited_by"
    )
    links = "_upstream_compat.asyncio_awaited_by(t)" if BEFORE_3_14 else "t._asyncio_awaited_by"
    target = f"""
        futures = asyncio.futures
        saved = {hook}
        futures.future_add_to_awaited_by = _upstream_compat.asyncio_private(
            futures, '_c_future_add_to_awaited_by'
        )
        {hook} = saved
        ok = _upstream_compat.asyncio_has_private(asyncio.futures, '_c_future_add_to_awaited_by')
        links = {links}
    """
    assert expected(target) == rewritten(source)


def test_graph_functions_are_the_implementations():
    """``asyncio.capture_call_graph`` and friends are the implementation's."""
    source = "asyncio.print_call_graph(asyncio.capture_call_graph(), file=buf)"
    target = "_upstream_impl.print_call_graph(_upstream_impl.capture_call_graph(), file=buf)"
    assert expected(target) == rewritten(source)


def test_frame_generator():
    """``frame_generator`` tells a plain, coroutine, async generator and generator frame
    apart, with the frame's code under 3.14's attribute names."""

    def plain():
        return sys._getframe()

    async def coro():
        return sys._getframe()

    async def agen():
        yield sys._getframe()

    def gen():
        yield sys._getframe()

    async def frames():
        found = [plain(), await coro()]
        async for frame in agen():
            found.append(frame)
        return [*found, next(gen())]

    loop = asyncio.new_event_loop()
    try:
        found = loop.run_until_complete(frames())
    finally:
        loop.close()
    [p, c, a, g] = [compat.frame_generator(f) for f in found]
    assert None is p
    assert ("coro", "agen", "gen") == (c.cr_code.co_name, a.ag_code.co_name, g.gi_code.co_name)
    assert not hasattr(a, "cr_code")


def test_stand_ins():
    """Before 3.14 the private hooks are this package's, the C ones only where a C Task
    exists; from 3.14 they are asyncio's own."""
    futures, tasks = asyncio.futures, asyncio.tasks
    if BEFORE_3_14:
        assert backport.future_add_to_awaited_by is compat.asyncio_private(
            futures, "_py_future_add_to_awaited_by"
        )
        current_task = getattr(tasks, "_py_current_task", tasks.current_task)
        assert current_task is compat.asyncio_private(tasks, "_py_current_task")
        assert HAS_C_TASK == compat.asyncio_has_private(futures, "_c_future_add_to_awaited_by")
    else:
        assert futures._py_future_add_to_awaited_by is compat.asyncio_private(
            futures, "_py_future_add_to_awaited_by"
        )
    assert not compat.asyncio_has_private(futures, "_no_such_name")


def test_asyncio_awaited_by():
    """``asyncio_awaited_by`` is the frozenset of a future's waiters, or None."""

    async def main():
        loop = asyncio.get_running_loop()
        fut, waiter = loop.create_future(), loop.create_future()
        before = compat.asyncio_awaited_by(fut)
        backport.future_add_to_awaited_by(fut, waiter)
        after = compat.asyncio_awaited_by(fut)
        backport.future_discard_from_awaited_by(fut, waiter)
        return before, after == frozenset([waiter])

    loop = asyncio.new_event_loop()
    try:
        assert (None, True) == loop.run_until_complete(main())
    finally:
        loop.close()


def test_test_in_its_own_task():
    """A class marked by the worker runs each test in a task of its own, whose coroutine
    is the test method's (3.11+ unittest's way), on every version."""
    seen = []

    class Case(compat.IsolatedAsyncioTestCase):
        _upstream_test_in_own_task = True

        async def test_it(self):
            task = asyncio.current_task()
            assert task is not None
            seen.append(task.get_coro().cr_code.co_name)  # type: ignore[union-attr]

    result = unittest.TestResult()
    Case("test_it").run(result)
    assert ([], [], ["test_it"]) == (result.errors, result.failures, seen)


AS_COMPLETED_FRAMES = hasattr(
    importlib.import_module("asyncio_compat._ascompleted"), "_AsCompletedIterator"
)


@pytest.mark.timeout(300)
def test_cpython_test_graph():
    """CPython's own test_graph.py passes against the backport here, in both its classes
    (but for the skip table's entries); until the backport's as_completed() waits in
    frames named as 3.14's, its two as_completed tests fail in each class."""
    suite, _ = run_upstream.find_suite(None)
    if suite is None:
        pytest.skip("no CPython test suite on this machine")
    proc = subprocess.run(
        [sys.executable, str(ROOT / "tools" / "run_upstream.py"), "-k", "test_graph."],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        timeout=280,
        check=False,
    )
    out = proc.stdout
    last = out.rstrip().splitlines()[-1]
    failed = sorted(line.split()[-1] for line in out.splitlines() if line.startswith("  FAIL "))
    if AS_COMPLETED_FRAMES:
        assert [] == failed, out
        assert 0 == proc.returncode, out
        assert " 0 failed, " in last, out
    else:
        classes = ["TestCallStackC", "TestCallStackPy"] if HAS_C_TASK else ["TestCallStackPy"]
        assert [
            f"test_graph.{cls}.{test}"
            for cls in classes
            for test in ("test_stack_as_completed", "test_stack_as_completed_timeout")
        ] == failed, out


def test_parent_requires_the_file():
    """The parent looks for test_graph.py in the suite with the other files."""
    assert "test_graph.py" in run_upstream.TEST_FILES


def test_load_impl_has_the_graph_names():
    """The backport's namespace has the call-graph names; the stdlib's only from 3.14."""
    assert backport.capture_call_graph is compat.load_impl("backport").capture_call_graph
    if sys.version_info >= (3, 11):
        stdlib = compat.load_impl("stdlib")
        assert (sys.version_info >= (3, 14)) == (stdlib.capture_call_graph is not None)
