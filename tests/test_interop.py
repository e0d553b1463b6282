"""The public names used with the libraries our users combine them with."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
import textwrap
from typing import Any, List

import pytest

import asyncio_compat
from asyncio_compat import ExceptionGroup, TaskGroup, catch, timeout

anyio = pytest.importorskip("anyio")


class Boom(Exception):
    pass


async def _fail() -> None:
    await asyncio.sleep(0)
    raise Boom("child")


PYTEST_ASYNCIO_TEST = """
import asyncio

import pytest

import asyncio_compat
from asyncio_compat import ExceptionGroup, TaskGroup, timeout


async def fail():
    await asyncio.sleep(0)
    raise ValueError("child")


@pytest.mark.asyncio
async def test_group_and_timeout():
    me = asyncio.current_task()
    async with timeout(5):
        with pytest.raises(ExceptionGroup) as info:
            async with TaskGroup() as tg:
                tg.create_task(fail())
    assert [ValueError] == [type(e) for e in info.value.exceptions]
    assert me is asyncio.current_task()
    assert 0 == asyncio_compat.cancelling(me)
"""


def test_inside_pytest_asyncio(tmp_path):
    """A pytest-asyncio test can use TaskGroup and timeout, and pytest.raises(ExceptionGroup).

    It runs in a pytest of its own: pytest-asyncio leaves an event loop behind for the
    next test, which a later ``asyncio.run()`` would drop unclosed."""
    pytest.importorskip("pytest_asyncio")
    (tmp_path / "test_user.py").write_text(PYTEST_ASYNCIO_TEST)
    # The very asyncio_compat under test, installed or from a source tree.
    package_parent = os.path.dirname(os.path.dirname(asyncio_compat.__file__))
    env = dict(os.environ, PYTHONPATH=os.pathsep.join([package_parent, *sys.path]))
    result = subprocess.run(
        [
            *(sys.executable, "-m", "pytest", "-q", "-W", "error", "-p", "no:cacheprovider"),
            *("-o", "asyncio_default_fixture_loop_scope=function", "."),
        ],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert 0 == result.returncode, result.stdout + result.stderr
    assert "1 passed" in result.stdout


def test_our_group_inside_anyio_task_group():
    """Under ``anyio.run(backend="asyncio")``, our TaskGroup nested in an anyio task group
    reports its child's error as an ExceptionGroup the anyio group passes on."""

    async def main():
        caught: List[Any] = []
        with catch({Boom: caught.append}):
            async with anyio.create_task_group() as outer:
                outer.start_soon(anyio.sleep, 0)
                async with TaskGroup() as tg:
                    tg.create_task(_fail())
        return caught

    caught = anyio.run(main, backend="asyncio")
    assert 1 == len(caught)


def test_anyio_task_group_inside_ours():
    """An anyio task group nested in our TaskGroup: its failure cancels our other children."""

    async def failing_anyio_group():
        async with anyio.create_task_group() as inner:
            inner.start_soon(anyio.sleep, 10)
            await anyio.sleep(0)
            raise Boom("anyio body")

    async def main():
        async with TaskGroup() as tg:
            sleeper = tg.create_task(asyncio.sleep(10))
            tg.create_task(failing_anyio_group())
        return sleeper

    with pytest.raises(ExceptionGroup) as info:
        anyio.run(main, backend="asyncio")
    (inner,) = info.value.exceptions  # anyio 4 groups its own body's error too
    assert [Boom] == [type(e) for e in inner.exceptions]


def test_anyio_cancel_scope_around_our_group():
    """anyio's ``move_on_after`` cancels our TaskGroup's body and children; ours does not
    swallow anyio's cancellation, and the code after the scope runs."""

    async def main():
        log: List[str] = []
        with anyio.move_on_after(0.01) as scope:
            async with TaskGroup() as tg:
                tg.create_task(asyncio.sleep(10))
                await asyncio.sleep(10)
        log.append("after scope")
        return scope.cancelled_caught, log

    assert (True, ["after scope"]) == anyio.run(main, backend="asyncio")


def test_our_timeout_around_anyio_group():
    """Our ``timeout`` expiring around an anyio task group raises TimeoutError."""

    async def main():
        with pytest.raises(TimeoutError):
            async with timeout(0.01):
                async with anyio.create_task_group() as tg:
                    tg.start_soon(anyio.sleep, 10)
        return asyncio_compat.cancelling(asyncio.current_task())

    assert 0 == anyio.run(main, backend="asyncio")


def test_anyio_fail_after_inside_our_group():
    """anyio's ``fail_after`` inside one of our children raises anyio's TimeoutError there,
    which our group reports."""

    async def child():
        with anyio.fail_after(0.01):
            await anyio.sleep(10)

    async def main():
        with pytest.raises(ExceptionGroup) as info:
            async with TaskGroup() as tg:
                tg.create_task(child())
        return info.value

    eg = anyio.run(main, backend="asyncio")
    assert [TimeoutError] == [type(e) for e in eg.exceptions]


def test_uvloop_asyncio_run():
    """Under ``asyncio_compat.run(..., loop_factory=uvloop.new_event_loop)`` groups and
    timeouts behave the same."""
    uvloop = pytest.importorskip("uvloop")

    async def main():
        with pytest.raises(TimeoutError):
            async with timeout(0.001):
                async with TaskGroup() as tg:
                    tg.create_task(asyncio.sleep(10))
        return type(asyncio.get_running_loop()).__module__.split(".")[0]

    assert "uvloop" == asyncio_compat.run(main(), loop_factory=uvloop.new_event_loop)


@pytest.mark.skipif(sys.version_info < (3, 11), reason="except* is 3.11+ syntax (PEP 654)")
def test_except_star():
    """On 3.11+, ``except*`` takes the TaskGroup's ExceptionGroup apart."""
    source = textwrap.dedent(
        """
        async def main(TaskGroup, fail):
            caught = []
            try:
                async with TaskGroup() as tg:
                    tg.create_task(fail())
            except* Exception as eg:
                caught.extend(type(e).__name__ for e in eg.exceptions)
            return caught
        """
    )
    namespace: dict = {}
    exec(compile(source, "<except-star>", "exec"), namespace)
    assert ["Boom"] == asyncio_compat.run(namespace["main"](TaskGroup, _fail))
