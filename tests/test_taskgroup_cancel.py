"""``TaskGroup.cancel()`` (3.15, gh-108951): ending a group early without an error."""

from __future__ import annotations

import asyncio
from typing import Any, List

import pytest
from scenarios import cancel_once_started, crash_in_cleanup

from asyncio_compat import ExceptionGroup

pytestmark = pytest.mark.newest("gh-108951")


class Boom(Exception):
    pass


def test_cancel_from_body(impl, run):
    """``cancel()`` from the body cancels the children and the body; the ``async with``
    exits without CancelledError and the parent is not left cancelled."""
    log: List[str] = []

    async def child():
        try:
            await asyncio.sleep(10)
        except asyncio.CancelledError:
            log.append("child cancelled")
            raise

    async def main():
        async with impl.TaskGroup() as tg:
            tg.create_task(child())
            await asyncio.sleep(0)
            tg.cancel()
            try:
                await asyncio.sleep(10)
            except asyncio.CancelledError:
                log.append("body cancelled")
                raise
        log.append("after group")
        await asyncio.sleep(0)
        return impl.cancelling(asyncio.current_task())

    assert 0 == run(main())
    assert ["child cancelled", "body cancelled", "after group"] == log


def test_cancel_from_body_without_await(impl, run):
    """``cancel()`` as the body's last statement: the group exits cleanly and no stray
    CancelledError reaches the next ``await`` after it (gh-116720's withdrawal)."""

    async def main():
        async with impl.TaskGroup() as tg:
            tg.cancel()
        await asyncio.sleep(0)
        await asyncio.sleep(0)
        return impl.cancelling(asyncio.current_task())

    assert 0 == run(main())


def test_cancel_from_child(impl, run):
    """A child calling ``cancel()`` stops its siblings and the body, and is itself cancelled
    (the request lands on it too, even though it returns without another await)."""
    log: List[str] = []

    async def stopper(tg: Any):
        await asyncio.sleep(0.001)
        tg.cancel()
        log.append("stopper returns")
        return "stopped"

    async def main():
        async with impl.TaskGroup() as tg:
            sleeper = tg.create_task(asyncio.sleep(10))
            stopping = tg.create_task(stopper(tg))
            await asyncio.sleep(10)
        return sleeper.cancelled(), stopping.cancelled()

    assert (True, True) == run(main())
    assert ["stopper returns"] == log


def test_cancel_before_entering(impl, run):
    """``cancel()`` before ``async with`` cancels the group as soon as it is entered."""
    log: List[str] = []

    async def main():
        tg = impl.TaskGroup()
        tg.cancel()
        async with tg:
            try:
                await asyncio.sleep(10)
            except asyncio.CancelledError:
                log.append("body cancelled")
                raise
        log.append("after group")

    run(main())
    assert ["body cancelled", "after group"] == log


def test_cancel_is_idempotent(impl, run):
    """Calling ``cancel()`` repeatedly, and after the group exited, changes nothing more."""

    async def main():
        async with impl.TaskGroup() as tg:
            tg.create_task(asyncio.sleep(10))
            tg.cancel()
            tg.cancel()
        tg.cancel()
        await asyncio.sleep(0)
        return impl.cancelling(asyncio.current_task())

    assert 0 == run(main())


def test_create_task_after_cancel(impl, run):
    """After ``cancel()`` the group is shutting down: ``create_task`` raises RuntimeError."""

    async def main():
        async with impl.TaskGroup() as tg:
            tg.cancel()
            coro = asyncio.sleep(0)
            with pytest.raises(RuntimeError, match="is shutting down"):
                tg.create_task(coro)
        return coro.cr_frame

    assert run(main()) is None


def test_cancel_with_failing_child(impl, run):
    """A child error raised while the group is cancelled still comes out as an ExceptionGroup."""

    async def main():
        with pytest.raises(ExceptionGroup) as info:
            async with impl.TaskGroup() as tg:
                tg.create_task(crash_in_cleanup(Boom()))
                await asyncio.sleep(0)
                tg.cancel()
        return [type(e) for e in info.value.exceptions], impl.cancelling(asyncio.current_task())

    assert ([Boom], 0) == run(main())


@pytest.mark.newest("gh-155433")
def test_outside_cancellation_after_cancel_propagates(impl, run):
    """An outside cancellation arriving after ``cancel()`` still propagates as CancelledError
    (gh-155433), and the parent's count keeps the outside request."""

    async def slow_cleanup():
        try:
            await asyncio.sleep(10)
        finally:
            await asyncio.sleep(0.01)

    async def body(started: asyncio.Event):
        async with impl.TaskGroup() as tg:
            tg.create_task(slow_cleanup())
            await asyncio.sleep(0)
            started.set()
            tg.cancel()
        return "group swallowed the outside cancellation"

    async def main():
        task = await cancel_once_started(body, delay=0.001)
        return task.cancelled(), impl.cancelling(task)

    assert (True, 1) == run(main())


def test_outside_cancellation_before_cancel_propagates(impl, run):
    """An outside cancellation that arrived first is not swallowed by a later ``cancel()``."""

    async def body(started: asyncio.Event):
        async with impl.TaskGroup() as tg:
            tg.create_task(asyncio.sleep(10))
            started.set()
            try:
                await asyncio.sleep(10)
            finally:
                tg.cancel()

    async def main():
        task = await cancel_once_started(body)
        return task.cancelled(), impl.cancelling(task)

    assert (True, 1) == run(main())


def test_cancel_nested_inner_only(impl, run):
    """Cancelling an inner group ends only it; the outer group's body goes on."""

    async def main():
        async with impl.TaskGroup() as outer:
            outer_child = outer.create_task(asyncio.sleep(0.01, result="outer child done"))
            async with impl.TaskGroup() as inner:
                inner_child = inner.create_task(asyncio.sleep(10))
                inner.cancel()
            after_inner = "outer body goes on"
        return inner_child.cancelled(), after_inner, outer_child.result()

    assert (True, "outer body goes on", "outer child done") == run(main())


def test_cancel_from_another_task(impl, run):
    """A task outside the group may cancel it; its parent exits the group normally."""

    async def body(box: List[Any], entered: asyncio.Event):
        async with impl.TaskGroup() as tg:
            box.append(tg)
            tg.create_task(asyncio.sleep(10))
            entered.set()
            await asyncio.sleep(10)
        return "exited normally"

    async def main():
        box: List[Any] = []
        entered = asyncio.Event()
        task = asyncio.ensure_future(body(box, entered))
        await entered.wait()
        box[0].cancel()
        return await task, impl.cancelling(task)

    assert ("exited normally", 0) == run(main())


def test_cancel_then_timeout_expires(impl, run):
    """A timeout expiring while a cancelled group winds down is still a TimeoutError."""

    async def stubborn():
        try:
            await asyncio.sleep(10)
        finally:
            await asyncio.sleep(0.05)

    async def main():
        with pytest.raises(TimeoutError):
            async with impl.timeout(0.01):
                async with impl.TaskGroup() as tg:
                    tg.create_task(stubborn())
                    await asyncio.sleep(0)
                    tg.cancel()
                await asyncio.sleep(10)
        return impl.cancelling(asyncio.current_task())

    assert 0 == run(main())


@pytest.mark.parametrize("order", ["before", "after"])
def test_early_bound_cancel_landing_with_cancel_propagates(impl, run, order):
    """An outside ``cancel`` looked up before the group was entered (as
    ``loop.call_later(d, task.cancel)`` or a signal handler does), landing in the loop
    iteration where another task calls ``cancel()``, just before or just after it, is not
    the group's to swallow: the parent ends cancelled, that one request left (3.8-3.10:
    ``cancel()`` sees it arrive and counts it)."""

    async def body(bound: List[Any], box: List[Any], entered: asyncio.Event):
        bound.append(asyncio.current_task().cancel)  # type: ignore[union-attr]
        async with impl.TaskGroup() as tg:
            box.append(tg)
            tg.create_task(asyncio.sleep(10))
            entered.set()
            await asyncio.sleep(10)
        return "group swallowed the outside cancellation"

    async def main():
        bound: List[Any] = []
        box: List[Any] = []
        entered = asyncio.Event()
        task = asyncio.ensure_future(body(bound, box, entered))
        await entered.wait()
        loop = asyncio.get_running_loop()
        if order == "before":
            loop.call_soon(bound[0])
            loop.call_soon(box[0].cancel)
        else:
            loop.call_soon(box[0].cancel)
            loop.call_soon(bound[0])
        await asyncio.wait([task])
        return task.cancelled(), impl.cancelling(task)

    assert (True, 1) == run(main())
