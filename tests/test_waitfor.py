"""wait_for(), the same for the backport and the stdlib (whose old design, before 3.12,
is a strict xfail where a test pins the newest behaviour)."""

from __future__ import annotations

import asyncio
from typing import Any, Generator, List

import pytest

import asyncio_compat


async def value_after(value: Any, delay: float) -> Any:
    await asyncio.sleep(delay)
    return value


async def slow_cleanup(log: List[str]) -> None:
    try:
        await asyncio.sleep(10)
    except asyncio.CancelledError:
        await asyncio.sleep(0.01)  # cleanup that itself waits
        log.append("cleaned up")
        raise


class Ready:
    """An awaitable that is neither a coroutine nor a future."""

    def __init__(self, value: Any) -> None:
        self.value = value

    def __await__(self) -> Generator[Any, None, Any]:
        yield  # one bare suspension, as asyncio.sleep(0)
        return self.value


def test_result_in_time(impl, run):
    """A coroutine that finishes before the deadline gives its result, and so does any
    coroutine when the timeout is ``None``."""

    async def main():
        return (
            await impl.wait_for(value_after("a", 0), 10),
            await impl.wait_for(value_after("b", 0.01), None),
        )

    assert ("a", "b") == run(main())


def test_awaitables_that_are_not_coroutines(impl, run):
    """A future, a task and a plain awaitable object are awaited as a coroutine is."""

    async def main():
        loop = asyncio.get_running_loop()
        fut = loop.create_future()
        loop.call_later(0.01, fut.set_result, "future")
        task = asyncio.ensure_future(value_after("task", 0.01))
        return [
            await impl.wait_for(fut, 10),
            await impl.wait_for(task, 10),
            await impl.wait_for(Ready("awaitable"), 10),
            await impl.wait_for(Ready("no timeout"), None),
        ]

    assert ["future", "task", "awaitable", "no timeout"] == run(main())


@pytest.mark.newest("gh-96764")
def test_coroutine_runs_in_callers_task(impl, run):
    """A coroutine is awaited in the caller's own task, not wrapped in a task of its own
    (3.12): ``current_task()`` inside it is the caller."""

    async def whose_task():
        return asyncio.current_task()

    async def main():
        return await impl.wait_for(whose_task(), 10) is asyncio.current_task()

    assert run(main())


def test_expiry_cancels_and_waits_for_the_cleanup(impl, run):
    """At the deadline the awaitable is cancelled, its cleanup awaited, and
    ``TimeoutError`` raised from the ``CancelledError``; the caller's cancellation count
    is back to zero."""
    log: List[str] = []

    async def main():
        with pytest.raises(TimeoutError) as info:
            await impl.wait_for(slow_cleanup(log), 0.01)
        log.append("wait_for raised")
        return info.value, impl.cancelling(asyncio.current_task())

    exc, count = run(main())
    assert ["cleaned up", "wait_for raised"] == log
    assert isinstance(exc, asyncio.TimeoutError)
    assert isinstance(exc.__context__, asyncio.CancelledError)
    assert 0 == count


def test_timeout_error_class(impl, run):
    """What an expired ``wait_for`` raises is caught by ``except TimeoutError``, by
    ``except asyncio.TimeoutError`` and by ``except asyncio_compat.TimeoutError``."""

    async def main():
        with pytest.raises(asyncio_compat.TimeoutError) as info:
            await impl.wait_for(asyncio.sleep(10), 0.001)
        return info.value

    exc = run(main())
    assert isinstance(exc, TimeoutError)
    assert isinstance(exc, asyncio.TimeoutError)


@pytest.mark.parametrize("delay", [0, -1])
def test_zero_or_negative_timeout_never_starts_a_coroutine(impl, run, delay):
    """With a timeout of 0 or below a coroutine is cancelled before its first step:
    ``TimeoutError``, and not a line of it runs."""
    started: List[bool] = []

    async def work():
        started.append(True)

    async def main():
        with pytest.raises(TimeoutError) as info:
            await impl.wait_for(work(), delay)
        return info.value

    exc = run(main())
    assert [] == started
    assert isinstance(exc.__cause__, asyncio.CancelledError)


def test_zero_timeout_takes_a_done_future_as_it_is(impl, run):
    """With a timeout of 0 a future already done gives its result, or raises its
    exception, without ``TimeoutError``."""

    async def main():
        loop = asyncio.get_running_loop()
        done, failed = loop.create_future(), loop.create_future()
        done.set_result("done")
        failed.set_exception(LookupError("failed"))
        with pytest.raises(LookupError):
            await impl.wait_for(failed, 0)
        return await impl.wait_for(done, 0)

    assert "done" == run(main())


def test_zero_timeout_cancels_a_task_and_waits_for_it(impl, run):
    """With a timeout of 0 a running task is cancelled and awaited to its end, cleanup
    included, before ``TimeoutError`` is raised."""
    log: List[str] = []

    async def main():
        task = asyncio.ensure_future(slow_cleanup(log))
        await asyncio.sleep(0)
        with pytest.raises(TimeoutError):
            await impl.wait_for(task, 0)
        log.append("wait_for raised")
        return task.cancelled()

    assert run(main())
    assert ["cleaned up", "wait_for raised"] == log


async def suppresses_cancellation(value: Any) -> Any:
    try:
        await asyncio.sleep(10)
    except asyncio.CancelledError:
        return value


@pytest.mark.parametrize("delay", [0.01, 0])
def test_suppressed_cancellation_returns_the_value(impl, run, delay):
    """An awaited task that suppresses the deadline's cancellation and returns a value
    makes ``wait_for`` return that value, as ``timeout()`` does."""

    async def main():
        task = asyncio.ensure_future(suppresses_cancellation(42))
        await asyncio.sleep(0)
        return await impl.wait_for(task, delay), impl.cancelling(asyncio.current_task())

    assert (42, 0) == run(main())


def test_caller_cancelled_cancels_the_awaited_task(impl, run):
    """Cancelling the caller while it waits cancels the awaited task too, and the
    ``CancelledError`` propagates."""

    async def main():
        inner = asyncio.ensure_future(asyncio.sleep(10))
        caller = asyncio.ensure_future(impl.wait_for(inner, 10))
        await asyncio.sleep(0)
        caller.cancel()
        with pytest.raises(asyncio.CancelledError):
            await caller
        await asyncio.sleep(0)
        return inner.cancelled()

    assert run(main())


@pytest.mark.newest("gh-96764")
def test_cancellation_racing_the_result_is_not_swallowed(impl, run):
    """gh-86296: a caller cancelled in the same loop iteration as its awaitable finishes
    is cancelled; the old ``wait_for`` returned the result and lost the cancellation."""
    reached: List[str] = []

    async def caller(fut):
        await impl.wait_for(fut, 10)
        reached.append("after wait_for")

    async def main():
        fut = asyncio.get_running_loop().create_future()
        task = asyncio.ensure_future(caller(fut))
        await asyncio.sleep(0)
        fut.set_result("result")
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task
        return fut.result()

    assert "result" == run(main())
    assert [] == reached


@pytest.mark.newest("gh-96037")
def test_exception_replacing_the_cancellation_keeps_timeout_error_in_context(impl, run):
    """When the awaitable answers the deadline's cancellation with another exception,
    that exception propagates, with a ``TimeoutError`` in its context chain (3.13)."""

    async def fails_when_cancelled():
        try:
            await asyncio.sleep(10)
        except asyncio.CancelledError:
            raise LookupError("cleanup failed") from None

    async def main():
        with pytest.raises(LookupError) as info:
            await impl.wait_for(fails_when_cancelled(), 0.01)
        return info.value

    exc = run(main())
    assert isinstance(exc.__context__, TimeoutError)
    assert isinstance(exc.__context__.__context__, asyncio.CancelledError)


@pytest.mark.newest("gh-96764")
def test_outside_cancellation_wins_over_the_deadline(impl, run):
    """A caller cancelled from outside while its ``wait_for`` is expiring -- the
    awaitable's cleanup is running -- stays cancelled: the deadline does not turn that
    cancellation into ``TimeoutError``, and the awaitable has ended when the caller has
    (the old design left it running). The race is made by loop iterations, not timers:
    the cleanup lasts until the caller's cancellation reaches it, if it does."""

    async def main():
        cleanup_started = asyncio.Event()

        async def cleanup_until_cancelled():
            try:
                await asyncio.sleep(10)
            except asyncio.CancelledError:
                cleanup_started.set()  # the deadline has passed
                await asyncio.Event().wait()

        async def caller():
            await impl.wait_for(cleanup_until_cancelled(), 0.01)

        task = asyncio.ensure_future(caller())
        await cleanup_started.wait()
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task
        # The old design's inner task still runs its cleanup: the run finds it pending.

    run(main())


def test_in_a_task_group(impl, run):
    """An expired ``wait_for`` in a child fails the group with its ``TimeoutError``
    and cancels the siblings; a ``wait_for`` around a group cancels the whole group."""

    async def main():
        with pytest.raises(asyncio_compat.ExceptionGroup) as info:
            async with impl.TaskGroup() as tg:
                sibling = tg.create_task(asyncio.sleep(10))
                tg.create_task(impl.wait_for(asyncio.sleep(10), 0.01))
        assert sibling.cancelled()

        async def group():
            async with impl.TaskGroup() as tg:
                tg.create_task(asyncio.sleep(10))
                tg.create_task(asyncio.sleep(10))

        with pytest.raises(TimeoutError):
            await impl.wait_for(group(), 0.01)
        return [type(e) for e in info.value.exceptions]

    assert [asyncio_compat.TimeoutError] == run(main())


def test_not_awaitable(impl, run):
    """Something that cannot be awaited raises ``TypeError``, whatever the timeout."""

    async def main():
        for delay in (None, 10, 0):
            with pytest.raises(TypeError):
                await impl.wait_for(42, delay)

    run(main())
