"""Counting cancellation requests: ``cancelling(task)`` / ``uncancel(task)``."""

from __future__ import annotations

import asyncio
import sys
from typing import Any, List

import pytest


def test_each_request_counts(impl, run):
    """Every accepted ``cancel()`` adds one; ``uncancel()`` takes one back, never below zero."""

    async def main():
        task = asyncio.ensure_future(asyncio.sleep(10))
        counts = [impl.cancelling(task)]
        task.cancel()
        task.cancel()
        counts.append(impl.cancelling(task))
        counts.append(impl.uncancel(task))
        counts.append(impl.uncancel(task))
        counts.append(impl.uncancel(task))
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task
        return counts

    assert [0, 2, 1, 0, 0] == run(main())


def test_cancel_of_done_task_is_not_counted(impl, run):
    """``cancel()`` on a finished task returns False and leaves the count alone."""

    async def main():
        task = asyncio.ensure_future(asyncio.sleep(0))
        impl.cancelling(task)
        await task
        return task.cancel(), impl.cancelling(task)

    assert (False, 0) == run(main())


def test_counts_requests_inside_group_from_any_source(impl, run):
    """In a task where a group is active, cancels from ``gather``, ``wait_for`` and another
    task all count, and the task is the same object throughout."""

    async def body(entered: asyncio.Event):
        me = asyncio.current_task()
        async with impl.TaskGroup():
            entered.set()
            try:
                await asyncio.sleep(10)
            except asyncio.CancelledError:
                return me is asyncio.current_task(), impl.cancelling(me)
        return None

    async def main():
        entered = asyncio.Event()
        loop = asyncio.get_running_loop()
        task = loop.create_task(body(entered))
        await entered.wait()
        outer = asyncio.gather(task)
        outer.cancel()
        result = await task
        with pytest.raises(asyncio.CancelledError):
            await outer
        return result

    assert (True, 1) == run(main())


def test_task_factory_untouched(impl, run):
    """Groups and timeouts never install or replace the loop's task factory."""
    created: List[Any] = []

    def factory(loop: Any, coro: Any, **kwargs: Any) -> Any:
        task = asyncio.Task(coro, loop=loop, **kwargs)
        created.append(task)
        return task

    async def main():
        loop = asyncio.get_running_loop()
        loop.set_task_factory(factory)
        async with impl.TaskGroup() as tg:
            child = tg.create_task(asyncio.sleep(0))
            async with impl.timeout(1):
                await asyncio.sleep(0)
        same_factory = loop.get_task_factory() is factory
        loop.set_task_factory(None)
        return same_factory, child in created

    assert (True, True) == run(main())


def test_children_count_every_request(impl, run):
    """A group's child counts each ``cancel()`` it accepts, also with a task factory set
    (3.8-3.10: the loop makes that child, and an instance ``cancel`` counts)."""

    def factory(loop: Any, coro: Any, **kwargs: Any) -> Any:
        return asyncio.Task(coro, loop=loop, **kwargs)

    async def count(with_factory: bool) -> List[int]:
        loop = asyncio.get_running_loop()
        if with_factory:
            loop.set_task_factory(factory)
        try:
            async with impl.TaskGroup() as tg:
                child = tg.create_task(asyncio.sleep(10))
                counts = [impl.cancelling(child)]
                child.cancel()
                child.cancel()
                counts.append(impl.cancelling(child))
        finally:
            loop.set_task_factory(None)
        counts.append(impl.cancelling(child))
        return counts

    async def main():
        return await count(False), await count(True)

    assert ([0, 2, 2], [0, 2, 2]) == run(main())


def test_child_looks_like_a_task_of_create_task(impl, run):
    """A group's child is an ``asyncio.Task`` whose repr reads like one of
    ``loop.create_task()``, with its name."""

    async def main():
        async with impl.TaskGroup() as tg:
            child = tg.create_task(asyncio.sleep(0), name="worker")
            plain = tg.create_task(asyncio.sleep(0))
            return isinstance(child, asyncio.Task), repr(child)[:29], repr(plain)[:19]

    expected = (True, "<Task pending name='worker' c", "<Task pending name=")
    actual = run(main())
    assert expected == actual


def test_child_source_traceback_ends_in_the_group(impl, run):
    """In debug mode a child's ``_source_traceback`` ends at the group's ``create_task()``,
    called from the code that asked for the task, as the stdlib's does."""
    if run.loop_kind == "uvloop" and impl.name == "backport" and sys.version_info < (3, 11):
        pytest.skip("3.8-3.10 on uvloop: the traceback ends in the backport's _new_child()")

    async def main():
        asyncio.get_running_loop().set_debug(True)
        async with impl.TaskGroup() as tg:
            child = tg.create_task(asyncio.sleep(0))
        frames = child._source_traceback  # type: ignore[attr-defined]
        return frames[-1].name, frames[-2].name

    assert ("create_task", "main") == run(main())


@pytest.mark.skipif(sys.version_info < (3, 9), reason="cancel(msg) is 3.9+ (bpo-31033)")
def test_cancel_message_kept(impl, run):
    """``task.cancel(msg)`` on a task with an active group delivers the message."""

    async def body(entered: asyncio.Event):
        async with impl.TaskGroup():
            entered.set()
            try:
                await asyncio.sleep(10)
            except asyncio.CancelledError as exc:
                return exc.args
        return None

    async def main():
        entered = asyncio.Event()
        task = asyncio.ensure_future(body(entered))
        await entered.wait()
        task.cancel("stop it")
        return await task

    assert ("stop it",) == run(main())


def test_uncancel_to_zero_withdraws_pending_request_of_python_task(impl, run):
    """``uncancel()`` reaching zero withdraws a request not yet delivered (gh-116720), on a
    task whose ``_must_cancel`` can be written (pure-Python tasks, PyPy; C tasks from 3.13)."""
    if impl.name == "stdlib" and sys.version_info < (3, 13):
        pytest.skip("the stdlib's uncancel() withdraws only from 3.13 (gh-116720)")
    py_task = getattr(asyncio.tasks, "_PyTask", asyncio.Task)

    holder: List[Any] = []

    async def body():
        me = holder[0]  # a pure-Python task is not current_task() for the C accelerator
        me.cancel()
        impl.uncancel(me)
        await asyncio.sleep(0)
        return "not cancelled"

    async def main():
        loop = asyncio.get_running_loop()
        task = py_task(body(), loop=loop)
        holder.append(task)
        impl.cancelling(task)
        return await task

    assert "not cancelled" == run(main())


def test_group_inside_timeout_counts_match(impl, run):
    """Counts seen at each level of a timeout holding a failing group, and after."""
    counts: List[int] = []

    async def fail():
        raise ValueError

    async def main():
        me = asyncio.current_task()
        try:
            async with impl.timeout(10):
                async with impl.TaskGroup() as tg:
                    tg.create_task(fail())
                    try:
                        await asyncio.sleep(10)
                    except asyncio.CancelledError:
                        counts.append(impl.cancelling(me))
                        raise
        except Exception:
            counts.append(impl.cancelling(me))
        return counts

    assert [1, 0] == run(main())


@pytest.mark.parametrize("lookup", ["bound early", "looked up at the call"])
def test_requests_through_an_early_bound_cancel(impl, run, lookup):
    """Two outside requests made while the task waits inside a timeout count two -- but
    before 3.11, through a ``task.cancel`` bound before a timeout or group was first
    active in the task (``loop.call_later(d, task.cancel)``, a signal handler), the
    backport counts none: the documented limit (docs/how-it-works.md), pinned so that
    a change is noticed. ``lambda: task.cancel()`` counts both everywhere."""

    async def main():
        me = asyncio.current_task()
        bound = me.cancel
        cancel = bound if lookup == "bound early" else lambda: me.cancel()
        loop = asyncio.get_running_loop()
        async with impl.timeout(10):
            loop.call_soon(cancel)
            loop.call_soon(cancel)
            try:
                await asyncio.sleep(10)
            except asyncio.CancelledError:
                count = impl.cancelling(me)
        while impl.uncancel(me):
            pass
        return count

    limited = lookup == "bound early" and impl.name == "backport" and sys.version_info < (3, 11)
    assert (0 if limited else 2) == run(main())
