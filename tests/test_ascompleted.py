"""as_completed(), the same for the backport and the stdlib (whose async iteration is
new in 3.13, and whose cancelled waits lose a result before 3.14: strict xfails)."""

from __future__ import annotations

import asyncio
import contextlib
import gc
import inspect
import threading
import weakref
from typing import Any, Iterator, List

import pytest

import asyncio_compat


async def value_after(value: Any, steps: int) -> Any:
    """Return *value* after *steps* iterations of the loop: an order of completion that no
    load on the machine can change, as timers a few milliseconds apart could."""
    for _ in range(steps):
        await asyncio.sleep(0)
    return value


async def fail_after(exc: BaseException, steps: int) -> None:
    await value_after(None, steps)
    raise exc


@contextlib.contextmanager
def closed_if_not_run(coros: List[Any]) -> Iterator[None]:
    """Close the coroutines if the block fails: the stdlib's ``as_completed`` before
    3.13 fails at ``async for`` before it has made tasks of them."""
    try:
        yield
    except BaseException:
        for coro in coros:
            if inspect.getcoroutinestate(coro) == inspect.CORO_CREATED:
                coro.close()
        raise


async def resolve_after(fut: asyncio.Future[Any], value: Any, steps: int) -> None:
    fut.set_result(await value_after(value, steps))


async def end(*tasks: asyncio.Future[Any]) -> None:
    """Cancel what a test left running and wait for it, for the suite's hygiene."""
    for task in tasks:
        task.cancel()
    await asyncio.gather(*tasks, return_exceptions=True)


def test_plain_iteration_in_finishing_order(impl, run):
    """``for`` yields coroutines that give the results in the order the awaitables
    finish, not the order they were given in."""

    async def main():
        aws = [value_after("slow", 30), value_after("fast", 10), value_after("mid", 20)]
        return [await next_done for next_done in impl.as_completed(aws)]

    assert ["fast", "mid", "slow"] == run(main())


@pytest.mark.newest("gh-77714")
def test_async_iteration_yields_the_given_tasks(impl, run):
    """``async for`` yields the very tasks and futures it was given, as they finish, so
    that a result can be matched to its input."""

    async def main():
        loop = asyncio.get_running_loop()
        slow = asyncio.ensure_future(value_after("slow", 20))
        fast = asyncio.ensure_future(value_after("fast", 10))
        fut = loop.create_future()
        resolver = asyncio.ensure_future(resolve_after(fut, "future", 30))
        given = [slow, fast, fut]
        order = [(given.index(done), done.result()) async for done in impl.as_completed(given)]
        await resolver
        return order

    assert [(1, "fast"), (0, "slow"), (2, "future")] == run(main())


@pytest.mark.newest("gh-77714")
def test_async_iteration_makes_tasks_of_coroutines(impl, run):
    """``async for`` over coroutines yields the tasks made for them, done."""

    async def main():
        aws = [value_after(1, 20), value_after(2, 10)]
        with closed_if_not_run(aws):
            done = [task async for task in impl.as_completed(aws)]
        return [isinstance(t, asyncio.Task) and t.done() for t in done], [t.result() for t in done]

    assert ([True, True], [2, 1]) == run(main())


def test_exceptions_come_with_their_awaitable(impl, run):
    """A failed awaitable raises its exception where its turn comes: from the awaited
    coroutine of ``for``, as the yielded task's exception in ``async for``."""

    async def main():
        aws = [fail_after(LookupError("lost"), 10), value_after("ok", 20)]
        seen: List[Any] = []
        for next_done in impl.as_completed(aws):
            try:
                seen.append(await next_done)
            except LookupError as exc:
                seen.append(exc)
        return seen

    first, second = run(main())
    assert (LookupError, "ok") == (type(first), second)


@pytest.mark.newest("gh-77714")
def test_exceptions_in_async_iteration(impl, run):
    """``async for`` yields a failed task like any other: the exception is the task's."""

    async def main():
        aws = [fail_after(LookupError("lost"), 10), value_after("ok", 20)]
        with closed_if_not_run(aws):
            return [
                type(t.exception()) if t.exception() else t.result()
                async for t in impl.as_completed(aws)
            ]

    assert [LookupError, "ok"] == run(main())


def test_duplicates_count_once(impl, run):
    """The same awaitable given twice runs once and is yielded once."""

    async def main():
        same = value_after("same", 0)
        aws = [same, same, value_after("other", 10)]
        return sorted([await c for c in impl.as_completed(aws)])

    assert ["other", "same"] == run(main())


@pytest.mark.newest("gh-77714")
def test_duplicates_count_once_in_async_iteration(impl, run):
    """The same awaitable given twice runs once and is yielded once by ``async for``."""

    async def main():
        same = value_after("same", 0)
        aws = [same, same, value_after("other", 10)]
        with closed_if_not_run(aws):
            return sorted([await t async for t in impl.as_completed(aws)])

    assert ["other", "same"] == run(main())


def test_empty(impl, run):
    """Nothing given, nothing yielded, by either kind of iteration."""

    async def main():
        plain = list(impl.as_completed([]))
        if hasattr(impl.as_completed([]), "__aiter__"):  # 3.13+ (gh-77714)
            assert [] == [t async for t in impl.as_completed([])]
        return plain

    assert [] == run(main())


def test_plain_iteration_timeout(impl, run):
    """When the timeout passes first, the awaitables not yet done raise ``TimeoutError``,
    one per awaited coroutine; they are not cancelled."""

    async def main():
        slow = asyncio.ensure_future(asyncio.sleep(10))
        results: List[Any] = []
        for next_done in impl.as_completed([value_after("fast", 0), slow], timeout=0.01):
            try:
                results.append(await next_done)
            except asyncio_compat.TimeoutError as exc:
                results.append(type(exc))
        still_running = not slow.done()
        await end(slow)
        return results, still_running

    assert (["fast", asyncio_compat.TimeoutError], True) == run(main())


@pytest.mark.newest("gh-77714")
def test_async_iteration_timeout(impl, run):
    """``async for`` raises ``TimeoutError`` when the timeout passes before the next
    awaitable is done; what finished before was yielded."""

    async def main():
        slow = asyncio.ensure_future(asyncio.sleep(10))
        fast = asyncio.ensure_future(value_after("fast", 0))
        seen = []
        with pytest.raises(TimeoutError):
            async for task in impl.as_completed([fast, slow], timeout=0.01):
                seen.append(task)
        await end(slow)
        return seen == [fast]

    assert run(main())


def test_timeout_not_reached(impl, run):
    """A timeout that everything beats changes nothing."""

    async def main():
        aws = [value_after(1, 0), value_after(2, 10)]
        return [await c for c in impl.as_completed(aws, timeout=10)]

    assert [1, 2] == run(main())


def test_iteration_can_stop_and_resume(impl, run):
    """The iterator keeps its place: a loop that breaks out can be followed by another
    over the same iterator, which yields the rest."""

    async def main():
        iterator = impl.as_completed([value_after(i, i * 10) for i in range(3)])
        first = []
        for next_done in iterator:
            first.append(await next_done)
            break
        return first, [await c for c in iterator]

    assert ([0], [1, 2]) == run(main())


def test_concurrent_waits(impl, run):
    """The coroutines of plain iteration may be awaited concurrently: each gets a
    different result."""

    async def main():
        waits = list(impl.as_completed([value_after("a", 10), value_after("b", 10)]))
        return sorted(await asyncio.gather(*waits))

    assert ["a", "b"] == run(main())


@pytest.mark.newest("as_completed-cancelled-wait")
def test_cancelled_async_wait_loses_nothing(impl, run):
    """An ``async for`` step whose wait is cancelled gives its place back: the iteration
    still yields every awaitable afterwards."""

    async def main():
        loop = asyncio.get_running_loop()
        a, b = loop.create_future(), loop.create_future()
        iterator = impl.as_completed([a, b])
        step = asyncio.ensure_future(iterator.__anext__())
        await asyncio.sleep(0)
        step.cancel()
        with pytest.raises(asyncio.CancelledError):
            await step
        a.set_result("a")
        b.set_result("b")
        return sorted([await f async for f in iterator])

    assert ["a", "b"] == run(main())


@pytest.mark.newest("as_completed-cancelled-wait")
def test_cancelled_plain_wait_loses_nothing(impl, run):
    """A coroutine of plain iteration cancelled while it waits gives its place back: the
    iteration still yields a coroutine for every awaitable afterwards."""

    async def main():
        loop = asyncio.get_running_loop()
        a, b = loop.create_future(), loop.create_future()
        iterator = impl.as_completed([a, b])
        step = asyncio.ensure_future(next(iterator))
        await asyncio.sleep(0)
        step.cancel()
        with pytest.raises(asyncio.CancelledError):
            await step
        a.set_result("a")
        b.set_result("b")
        return sorted([await c for c in iterator])

    assert ["a", "b"] == run(main())


def test_wait_woken_then_cancelled_passes_the_result_on(impl, run):
    """A wait cancelled after the result it was woken for arrived does not keep that
    result from a wait that is still going on."""

    async def main():
        loop = asyncio.get_running_loop()
        a, b = loop.create_future(), loop.create_future()
        first, second = impl.as_completed([a, b])
        first_wait = asyncio.ensure_future(first)
        second_wait = asyncio.ensure_future(second)
        await asyncio.sleep(0)
        a.set_result("a")
        first_wait.cancel()  # in the same iteration as its wake-up
        with pytest.raises(asyncio.CancelledError):
            await first_wait
        return await second_wait

    assert "a" == run(main())


@pytest.mark.newest("gh-77714")
def test_bad_argument(impl, run):
    """A single awaitable rather than an iterable of them is a ``TypeError`` that says
    so, raised by the call itself (before 3.13, a generator raised it at its first step)."""

    async def main():
        fut = asyncio.get_running_loop().create_future()
        coro = value_after(0, 0)
        messages = []
        for bad in (fut, coro):
            with pytest.raises(TypeError) as info:
                impl.as_completed(bad)
            messages.append(str(info.value))
        coro.close()
        return messages

    expected = [
        "expects an iterable of awaitables, not Future",
        "expects an iterable of awaitables, not coroutine",
    ]
    assert expected == run(main())


def test_not_an_awaitable_in_the_iterable(impl, run):
    """An item of the iterable that cannot be awaited is a ``TypeError`` before any
    iteration."""

    async def main():
        with pytest.raises(TypeError):
            list(impl.as_completed([42]))

    run(main())


async def cancelled_wait(iterator: Any) -> weakref.ref[Any]:
    """Start a wait of plain iteration, cancel it while it waits; return a weak reference
    to what it waited on (from a frame of its own, which keeps nothing once returned)."""
    step = asyncio.ensure_future(next(iterator))
    await asyncio.sleep(0)
    waited_on = weakref.ref(step._fut_waiter)  # type: ignore[attr-defined]
    step.cancel()
    with pytest.raises(asyncio.CancelledError):
        await step
    return waited_on


@pytest.mark.newest("as_completed-cancelled-wait")
def test_cancelled_waits_leave_nothing_behind(impl, run):
    """Each wait that is cancelled lets go of the future it waited on, as 3.14's queue
    does: polling the iterator with short waits keeps nothing alive, and a later wait
    still gets the result."""

    async def main():
        fut = asyncio.get_running_loop().create_future()
        iterator = impl.as_completed([fut])
        waited_on = [await cancelled_wait(iterator) for _ in range(100)]
        await asyncio.sleep(0)  # 3.15's loop holds the last step's error until its next run
        gc.collect()  # the errors' tracebacks make cycles with the waits' frames
        kept = sum(ref() is not None for ref in waited_on)
        fut.set_result("done")
        return kept, [await c for c in iterator]

    assert (0, ["done"]) == run(main())


@pytest.mark.newest("as_completed-needs-a-running-loop")
def test_outside_a_running_loop(impl):
    """Called with no running loop, ``as_completed()`` raises ``RuntimeError`` before it
    reads its argument, whatever that is: that no loop is set, or that none runs. A single
    awaitable is still the ``TypeError`` it is in a loop."""

    def attempt(fs: Any) -> str:
        try:
            impl.as_completed(fs)
        except (RuntimeError, TypeError) as exc:
            return f"{type(exc).__name__}: {exc}"
        return "no error"

    loop = asyncio.new_event_loop()
    fut = loop.create_future()
    unread = iter([fut])
    try:
        asyncio.set_event_loop(None)
        not_set = [attempt(fs) for fs in (fut, set(), [42], 42, unread)]
        asyncio.set_event_loop(loop)
        not_running = [attempt(fs) for fs in (fut, {fut}, [42], unread)]
    finally:
        asyncio.set_event_loop(None)
        loop.close()
    thread = threading.current_thread().name
    no_loop = f"RuntimeError: There is no current event loop in thread {thread!r}."
    assert [
        "TypeError: expects an iterable of awaitables, not Future",
        no_loop,
        no_loop,
        no_loop,
        no_loop,
    ] == not_set
    assert [
        "TypeError: expects an iterable of awaitables, not Future",
        "RuntimeError: no running event loop",
        "RuntimeError: no running event loop",
        "RuntimeError: no running event loop",
    ] == not_running
    assert [fut] == list(unread)


@pytest.mark.newest("as_completed-cancelled-wait")
def test_concurrent_waits_cancelled_in_any_order(impl, run):
    """Of many concurrent waits, those cancelled (in the reverse order of their arrival)
    are let go of, and the one left still gets the result; each cancelled wait gave its
    place back."""

    async def main():
        loop = asyncio.get_running_loop()
        futs = [loop.create_future() for _ in range(10)]
        iterator = impl.as_completed(futs)
        steps = [asyncio.ensure_future(next(iterator)) for _ in range(10)]
        await asyncio.sleep(0)
        waited_on = [weakref.ref(step._fut_waiter) for step in steps]  # type: ignore[attr-defined]
        for step in reversed(steps[1:]):
            step.cancel()
        await asyncio.gather(*steps[1:], return_exceptions=True)
        del step, steps[1:]  # a cancelled task keeps its error, whose traceback the wait
        await asyncio.sleep(0)  # 3.15's loop holds the last step's error until its next run
        for _ in range(3):  # PyPy frees a chain of frames and errors over several
            gc.collect()
        kept = [ref() is not None for ref in waited_on]
        for i, fut in enumerate(futs):
            fut.set_result(i)
        first = await steps[0]
        return kept, sorted([first] + [await c for c in iterator])

    assert ([True] + [False] * 9, list(range(10))) == run(main())


@pytest.mark.newest("gh-77714")
def test_wait_woken_then_cancelled_keeps_the_others_in_line(impl, run):
    """A wait woken for an item, then cancelled, while a step that did not have to wait
    took the item: no other wait is woken for nothing, so the waits keep their order
    (the next items go to the next waits in line)."""

    async def main():
        loop = asyncio.get_running_loop()
        futs = [loop.create_future() for _ in range(4)]
        iterator = impl.as_completed(futs)
        first, second, third = (asyncio.ensure_future(iterator.__anext__()) for _ in range(3))
        await asyncio.sleep(0)  # the three wait, in this order
        futs[0].set_result(0)
        await asyncio.sleep(0)  # futs[0] is queued, and the first wait woken for it
        taken = await iterator.__anext__()  # ... but this step takes it, without waiting
        first.cancel()
        with pytest.raises(asyncio.CancelledError):
            await first
        futs[1].set_result(1)
        futs[2].set_result(2)
        second_got, third_got = await second, await third
        futs[3].set_result(3)
        return [futs.index(f) for f in (taken, second_got, third_got)]

    assert [0, 1, 2] == run(main())
