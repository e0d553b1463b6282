"""asyncio_compat.structured: gather, amap, race and as_completed on a TaskGroup.

Every test runs on asyncio's loop and on uvloop (the ``run`` fixture), with the suite's
hygiene: no task left pending, nothing for the loop's exception handler, warnings are
errors (a coroutine never awaited fails the test), no garbage cycle through a TaskGroup.
"""

from __future__ import annotations

import asyncio
import inspect
import subprocess
import sys
import textwrap
from typing import Any, Coroutine, List, Optional

import pytest
from conftest import _new_loop
from scenarios import fail_after

import asyncio_compat
from asyncio_compat import BaseExceptionGroup, ExceptionGroup, structured

PYPY = sys.implementation.name == "pypy"


class Boom(Exception):
    pass


class BaseBoom(BaseException):
    pass


async def value_after(delay: float, value: Any, log: Optional[List[str]] = None) -> Any:
    """Return *value* after *delay* seconds, logging the start and the end in *log*."""
    if log is not None:
        log.append(f"start {value}")
    await asyncio.sleep(delay)
    if log is not None:
        log.append(f"end {value}")
    return value


async def cleanup_on_cancel(name: str, log: List[str], delay: float = 10) -> str:
    """Sleep *delay* seconds; if cancelled, log it, then clean up across an await."""
    try:
        await asyncio.sleep(delay)
    except asyncio.CancelledError:
        log.append(f"{name} cancelled")
        await asyncio.sleep(0.01)  # a cleanup that takes time: the caller must wait for it
        log.append(f"{name} cleaned up")
        raise
    return name


def cleanups(*names: str) -> List[str]:
    """What cleanup_on_cancel logs for *names*, sorted (a group cancels in no set order)."""
    return sorted([f"{n} cancelled" for n in names] + [f"{n} cleaned up" for n in names])


def closed(coro: Any) -> bool:
    return inspect.getcoroutinestate(coro) == inspect.CORO_CLOSED


def others() -> List[asyncio.Task[Any]]:
    """The tasks of the running loop, but the current one, that have not finished."""
    me = asyncio.current_task()
    return [t for t in asyncio.all_tasks() if t is not me and not t.done()]


class Concurrency:
    """Counts the calls in flight and remembers the highest count."""

    def __init__(self) -> None:
        self.now = 0
        self.highest = 0
        self.started: List[Any] = []

    async def call(self, item: Any, delay: float = 0.001) -> Any:
        self.started.append(item)
        self.now += 1
        self.highest = max(self.highest, self.now)
        try:
            await asyncio.sleep(delay)
        finally:
            self.now -= 1
        return item


async def cancel_caller_after(delay: float, coro: Coroutine[Any, Any, Any]) -> asyncio.Task[Any]:
    """Run *coro* as a task, cancel it after *delay* seconds, return it once done."""
    task = asyncio.ensure_future(coro)
    await asyncio.sleep(delay)
    task.cancel()
    await asyncio.wait([task])
    return task


# --- gather ----------------------------------------------------------------------------------


def test_gather_results_in_argument_order(run):
    """Results come as a tuple in argument order, whatever order the children finish in."""

    async def main():
        return await structured.gather(
            value_after(0.03, "a"), value_after(0.01, 1), value_after(0.02, None)
        )

    assert ("a", 1, None) == run(main())


def test_gather_of_nothing(run):
    """gather() of no awaitable returns an empty tuple."""

    async def main():
        return await structured.gather()

    assert () == run(main())


def test_gather_current_task_is_the_caller(run):
    """The caller stays the current task around the call; each child runs in a task of
    its own, none of them the caller."""

    async def where() -> Any:
        await asyncio.sleep(0)
        return asyncio.current_task()

    async def main():
        me = asyncio.current_task()
        children = await structured.gather(where(), where())
        return me, asyncio.current_task(), children

    me, after, children = run(main())
    assert me is after
    assert 3 == len({id(me), *map(id, children)})


def test_gather_first_failure_cancels_and_awaits_siblings(run):
    """The first error cancels the siblings; each finishes its cleanup before the group's
    ExceptionGroup reaches the caller."""
    log: List[str] = []

    async def main():
        try:
            await structured.gather(
                cleanup_on_cancel("a", log),
                fail_after(0.01, Boom("x")),
                cleanup_on_cancel("b", log),
            )
        except ExceptionGroup as group:
            log.append(f"caller: {group.exceptions!r}; running: {len(others())}")

    run(main())
    assert cleanups("a", "b") == sorted(log[:-1])
    assert "caller: (Boom('x'),); running: 0" == log[-1]


def test_gather_collects_every_error(run):
    """Errors raised together all come out, in one ExceptionGroup."""

    async def main():
        with pytest.raises(ExceptionGroup) as info:
            await structured.gather(
                fail_after(0, Boom(1)), fail_after(0, Boom(2)), value_after(1, 0)
            )
        return sorted(str(e) for e in info.value.exceptions)

    assert ["1", "2"] == run(main())


def test_gather_base_exception_group(run):
    """A child raising a BaseException that is not an Exception gives a BaseExceptionGroup."""

    async def main():
        with pytest.raises(BaseExceptionGroup) as info:
            await structured.gather(fail_after(0, BaseBoom()), value_after(1, 0))
        return info.value

    group = run(main())
    assert not isinstance(group, ExceptionGroup)
    assert [BaseBoom] == [type(e) for e in group.exceptions]


def test_gather_caller_cancelled_awaits_children(run):
    """Cancelling the caller cancels every child and waits for their cleanup before the
    caller's CancelledError propagates (asyncio.gather returns at once)."""
    log: List[str] = []

    async def caller():
        try:
            await structured.gather(cleanup_on_cancel("a", log), cleanup_on_cancel("b", log))
        except asyncio.CancelledError:
            log.append(f"caller cancelled; running: {len(others()) - 1}")  # -1: main()
            raise

    async def main():
        task = await cancel_caller_after(0.01, caller())
        return task.cancelled()

    assert run(main())
    assert cleanups("a", "b") == sorted(log[:-1])
    assert "caller cancelled; running: 0" == log[-1]


def test_gather_child_cancelled_elsewhere(run):
    """A child cancelled from elsewhere does not stop its siblings, nor make the caller
    look cancelled: once all have ended, a BaseExceptionGroup holds its CancelledError."""
    log: List[str] = []

    async def main():
        victim = asyncio.ensure_future(asyncio.sleep(10))
        asyncio.get_running_loop().call_later(0.01, victim.cancel)
        with pytest.raises(BaseExceptionGroup) as info:
            await structured.gather(victim, value_after(0.02, "sibling", log))
        me = asyncio.current_task()
        assert me is not None
        return info.value, asyncio_compat.cancelling(me)

    group, cancelling = run(main())
    assert not isinstance(group, ExceptionGroup)
    assert [asyncio.CancelledError] == [type(e) for e in group.exceptions]
    assert ["start sibling", "end sibling"] == log
    assert 0 == cancelling


def test_gather_return_exceptions(run):
    """return_exceptions=True: no sibling is cancelled; each slot holds its result or its
    exception, and a child cancelled from elsewhere holds its CancelledError."""
    log: List[str] = []

    async def main():
        victim = asyncio.ensure_future(asyncio.sleep(10))
        asyncio.get_running_loop().call_later(0.01, victim.cancel)
        return await structured.gather(
            fail_after(0, Boom("x")),
            value_after(0.02, "slow", log),
            victim,
            fail_after(0, BaseBoom()),
            return_exceptions=True,
        )

    boom, slow, cancelled, base = run(main())
    assert "Boom('x')" == repr(boom)
    assert "slow" == slow
    assert isinstance(cancelled, asyncio.CancelledError)
    assert isinstance(base, BaseBoom)
    assert ["start slow", "end slow"] == log


def test_gather_return_exceptions_caller_cancelled(run):
    """return_exceptions=True: the caller's cancellation still cancels and awaits every
    child, and propagates."""
    log: List[str] = []

    async def main():
        task = await cancel_caller_after(
            0.01,
            structured.gather(
                cleanup_on_cancel("a", log), value_after(0, "b"), return_exceptions=True
            ),
        )
        return task.cancelled()

    assert run(main())
    assert ["a cancelled", "a cleaned up"] == log


@pytest.mark.parametrize("exc_type", [KeyboardInterrupt, SystemExit])
def test_gather_keyboard_interrupt_and_system_exit(run, exc_type):
    """KeyboardInterrupt and SystemExit in a child leave the loop at once, as from any
    task; then the group cancels and awaits the siblings and raises it bare (with
    return_exceptions=True too)."""
    for return_exceptions in (False, True):
        check_interrupt(run, exc_type, return_exceptions)


def check_interrupt(run: Any, exc_type: type, return_exceptions: bool) -> None:
    log: List[str] = []

    async def interrupt():
        await asyncio.sleep(0)
        raise exc_type()

    async def main():
        await structured.gather(
            interrupt(), cleanup_on_cancel("sibling", log), return_exceptions=return_exceptions
        )

    loop = _new_loop(run.loop_kind)
    loop.set_exception_handler(lambda _loop, context: run.handled.append(context))
    try:
        task = loop.create_task(main())
        with pytest.raises(exc_type):
            loop.run_until_complete(task)  # out of the child's step, as for any task
        assert not task.done()
        with pytest.raises(exc_type):
            loop.run_until_complete(task)  # out of the group, once the sibling is done
        assert exc_type is type(task.exception())
        assert [] == [t for t in asyncio.all_tasks(loop) if not t.done()]
    finally:
        loop.close()
    assert ["sibling cancelled", "sibling cleaned up"] == log


def test_gather_limit(run):
    """limit=N: at most N children run at once, started in argument order; the results
    keep argument order."""
    seen = Concurrency()

    async def main():
        delays = [0.03, 0.01, 0.02, 0.01, 0.0, 0.02, 0.01]
        return await structured.gather(*(seen.call(i, d) for i, d in enumerate(delays)), limit=3)

    assert (0, 1, 2, 3, 4, 5, 6) == run(main())
    assert 3 == seen.highest
    assert [0, 1, 2, 3, 4, 5, 6] == seen.started


def test_gather_limit_failure_closes_the_unstarted(run):
    """With a limit, a failure cancels the running children and closes the coroutines
    that never started (no "never awaited" warning)."""
    log: List[str] = []
    waiting = [value_after(0, i) for i in range(3)]

    async def main():
        with pytest.raises(ExceptionGroup) as info:
            await structured.gather(
                cleanup_on_cancel("a", log), fail_after(0.01, Boom()), *waiting, limit=2
            )
        return [type(e) for e in info.value.exceptions]

    assert [Boom] == run(main())
    assert ["a cancelled", "a cleaned up"] == log
    assert all(closed(c) for c in waiting)


def test_gather_limit_caller_cancelled(run):
    """With a limit, cancelling the caller cancels and awaits the running children and
    closes those that never started."""
    log: List[str] = []
    waiting = [value_after(0, i) for i in range(3)]

    async def main():
        task = await cancel_caller_after(
            0.01, structured.gather(cleanup_on_cancel("a", log), *waiting, limit=1)
        )
        return task.cancelled()

    assert run(main())
    assert ["a cancelled", "a cleaned up"] == log
    assert all(closed(c) for c in waiting)


def test_gather_limit_with_return_exceptions(run):
    """limit and return_exceptions together: bounded, no sibling cancelled, errors in
    their slots."""
    seen = Concurrency()

    async def failing():
        await seen.call("x")
        raise Boom()

    async def main():
        return await structured.gather(
            seen.call(0), failing(), seen.call(2), seen.call(3), return_exceptions=True, limit=2
        )

    zero, boom, two, three = run(main())
    assert (0, 2, 3) == (zero, two, three)
    assert isinstance(boom, Boom)
    assert 2 == seen.highest


def test_gather_accepts_futures_tasks_and_awaitables(run):
    """Besides coroutines: futures and tasks (the same one more than once), and objects
    with __await__."""

    class Answer:
        def __await__(self):
            return value_after(0, 42).__await__()

    async def main():
        loop = asyncio.get_running_loop()
        future = loop.create_future()
        loop.call_later(0.01, future.set_result, "future")
        task = asyncio.ensure_future(value_after(0, "task"))
        return await structured.gather(future, task, task, Answer(), value_after(0, "coro"))

    assert ("future", "task", "task", 42, "coro") == run(main())


def test_gather_cancels_and_awaits_a_task_passed_in(run):
    """A task passed in is awaited by a child: when a sibling fails, that task is
    cancelled, and the call ends only once it has cleaned up."""
    log: List[str] = []

    async def main():
        task = asyncio.ensure_future(cleanup_on_cancel("passed", log))
        with pytest.raises(ExceptionGroup):
            await structured.gather(task, fail_after(0.01, Boom()))
        log.append(f"caller: passed task done: {task.done()}")

    run(main())
    assert ["passed cancelled", "passed cleaned up", "caller: passed task done: True"] == log


def test_not_awaitable_raises_type_error_and_closes(run):
    """An argument that is not awaitable: TypeError before anything starts, and the
    coroutines passed are closed."""
    log: List[str] = []

    async def main():
        coros = []
        for helper in ("gather", "race", "as_completed"):
            given = [value_after(0, 1, log), value_after(0, 2, log)]
            with pytest.raises(TypeError, match="argument 2 is not awaitable: int"):
                result = getattr(structured, helper)(given[0], 5, given[1])
                if inspect.isawaitable(result):
                    await result
            coros += given
        return coros

    coros = run(main())
    assert [] == log
    assert all(closed(c) for c in coros)


BAD_LIMITS = [
    (0, ValueError, "limit must be at least 1, not 0"),
    (-3, ValueError, "limit must be at least 1, not -3"),
    (1.5, TypeError, "limit must be an int or None, not float"),
    ("2", TypeError, "limit must be an int or None, not str"),
    (True, TypeError, "limit must be an int or None, not bool"),
]


def test_bad_limit(run):
    """A limit that is not a positive int: TypeError or ValueError before anything
    starts, and the coroutines passed are closed."""
    log: List[str] = []

    async def main():
        coros = []
        for helper in ("gather", "as_completed"):
            for limit, error, message in BAD_LIMITS:
                given = [value_after(0, 1, log), value_after(0, 2, log)]
                with pytest.raises(error, match=message):
                    result = getattr(structured, helper)(*given, limit=limit)
                    if inspect.isawaitable(result):
                        await result
                coros += given
        return coros

    coros = run(main())
    assert [] == log
    assert all(closed(c) for c in coros)


@pytest.mark.skipif(sys.version_info < (3, 12), reason="eager tasks are new in 3.12")
def test_with_eager_tasks(run):
    """Under asyncio.eager_task_factory (3.12+), where children start inside
    create_task: results, a failure, a race won before the others start."""
    if run.loop_kind != "asyncio":
        pytest.skip("eager_task_factory is asyncio's")

    async def now(value: Any) -> Any:
        return value

    async def main():
        asyncio.get_running_loop().set_task_factory(asyncio.eager_task_factory)  # type: ignore[attr-defined]
        results = await structured.gather(now(1), value_after(0, 2), now(3), limit=2)
        with pytest.raises(ExceptionGroup):
            await structured.gather(fail_after(0, Boom()), value_after(1, 0))
        later = value_after(0, "later")
        won = await structured.race(now("eager"), later)
        mapped = await structured.amap(now, range(5), limit=2)
        return results, won, closed(later), mapped

    assert ((1, 2, 3), "eager", True, [0, 1, 2, 3, 4]) == run(main())


# --- amap ----------------------------------------------------------------------------------


def test_amap_results_in_input_order(run):
    """Results come as a list in input order, with or without a limit, from a plain or
    an async iterable."""

    async def slow_double(x: int) -> int:
        await asyncio.sleep(0.001 * (7 - x))
        return 2 * x

    async def agen():
        for i in range(7):
            await asyncio.sleep(0)
            yield i

    async def main():
        return [
            await structured.amap(slow_double, range(7)),
            await structured.amap(slow_double, range(7), limit=3),
            await structured.amap(slow_double, agen()),
            await structured.amap(slow_double, agen(), limit=3),
            await structured.amap(slow_double, []),
            await structured.amap(slow_double, agen(), limit=100),
        ]

    expected = [0, 2, 4, 6, 8, 10, 12]
    assert [expected, expected, expected, expected, [], expected] == run(main())


@pytest.mark.parametrize("asynchronous", [False, True])
def test_amap_limit_and_lazy_consumption(run, asynchronous):
    """limit=k: at most k calls in flight (exactly min(k, n) at the peak), and the input
    is taken lazily: never more than k items ahead of the calls finished."""
    for limit, items in [(3, 10), (5, 2), (1, 4)]:
        check_amap_limit(run, asynchronous, limit, items)


def check_amap_limit(run: Any, asynchronous: bool, limit: int, items: int) -> None:
    seen = Concurrency()
    ahead: List[int] = []
    finished: List[int] = []

    async def call(i: int) -> int:
        await seen.call(i, 0.001 * (i % 3))
        finished.append(i)
        return i

    def taken(i: int) -> int:
        ahead.append(i + 1 - len(finished))
        return i

    async def agen():
        for i in range(items):
            yield taken(i)

    async def main():
        source = agen() if asynchronous else (taken(i) for i in range(items))
        return await structured.amap(call, source, limit=limit)

    assert list(range(items)) == run(main())
    assert min(limit, items) == seen.highest
    assert min(limit, items) == max(ahead)
    assert list(range(items)) == seen.started


@pytest.mark.parametrize("limit", [None, 2])
def test_amap_failure_cancels_the_rest(run, limit):
    """A failing call cancels the calls in flight, stops taking items, and the errors come
    out as an ExceptionGroup."""
    log: List[str] = []
    taken: List[int] = []

    async def call(i: int) -> None:
        if i == 1:
            await asyncio.sleep(0.01)
            raise Boom(i)
        await cleanup_on_cancel(str(i), log)

    def items():
        for i in range(100):
            taken.append(i)
            yield i

    async def main():
        with pytest.raises(ExceptionGroup) as info:
            await structured.amap(call, items(), limit=limit)
        return [repr(e) for e in info.value.exceptions]

    assert ["Boom(1)"] == run(main())
    if limit is None:
        assert 100 == len(taken)
        assert 99 == len(log) // 2
    else:
        assert [0, 1] == taken
        assert ["0 cancelled", "0 cleaned up"] == log


@pytest.mark.parametrize("asynchronous", [False, True])
def test_amap_caller_cancelled(run, asynchronous):
    """Cancelling the caller cancels every call in flight and waits for their cleanup."""
    for limit in (None, 3):
        check_amap_caller_cancelled(run, asynchronous, limit)


def check_amap_caller_cancelled(run: Any, asynchronous: bool, limit: Optional[int]) -> None:
    log: List[str] = []

    async def call(i: int) -> str:
        return await cleanup_on_cancel(str(i), log)

    async def agen():
        for i in range(3):
            yield i

    async def main():
        source = agen() if asynchronous else range(3)
        task = await cancel_caller_after(0.01, structured.amap(call, source, limit=limit))
        if asynchronous:
            await source.aclose()  # like ``async for``, amap leaves the iterator open
        return task.cancelled()

    assert run(main())
    assert cleanups("0", "1", "2") == sorted(log)


@pytest.mark.parametrize("limit", [None, 2])
def test_amap_call_cancelled_elsewhere(run, limit):
    """A call cancelled from elsewhere: the other calls go on, then a BaseExceptionGroup
    holds its CancelledError."""
    done: List[int] = []

    async def call(i: int) -> int:
        if i == 0:
            fut = asyncio.get_running_loop().create_future()
            asyncio.get_running_loop().call_later(0.01, fut.cancel)
            await fut
        await asyncio.sleep(0.001)
        done.append(i)
        return i

    async def main():
        with pytest.raises(BaseExceptionGroup) as info:
            await structured.amap(call, range(5), limit=limit)
        return info.value

    group = run(main())
    assert not isinstance(group, ExceptionGroup)
    assert [asyncio.CancelledError] == [type(e) for e in group.exceptions]
    assert [1, 2, 3, 4] == sorted(done)


def test_amap_errors_of_the_input(run):
    """An error raised by the iterable itself, or a func whose result is not awaitable,
    fails the call like a failing child."""

    def broken():
        yield 1
        raise Boom("input")

    async def double(x: int) -> int:
        return 2 * x

    async def main():
        errors = []
        for limit in (None, 1):
            with pytest.raises(ExceptionGroup) as info:
                await structured.amap(double, broken(), limit=limit)
            errors.append(repr(info.value.exceptions[0]))
            with pytest.raises(ExceptionGroup) as info:
                await structured.amap(lambda x: x, [1], limit=limit)
            errors.append(type(info.value.exceptions[0]).__name__)
        return errors

    assert ["Boom('input')", "TypeError", "Boom('input')", "TypeError"] == run(main())


AMAP_BAD_ARGUMENTS: List[Any] = [
    (None, True, {}, TypeError, "amap\\(\\) argument 1 must be callable, not NoneType"),
    (abs, 5, {}, TypeError, "must be an iterable or an async iterable, not int"),
    (abs, True, {"limit": 0}, ValueError, "limit must be at least 1, not 0"),
    (abs, True, {"limit": 2.0}, TypeError, "limit must be an int or None, not float"),
]


def test_amap_bad_arguments(run):
    """Bad arguments: TypeError/ValueError before anything starts or is taken."""
    taken: List[int] = []

    def items():
        taken.append(1)
        yield 1

    async def main():
        for func, iterable, kwargs, error, message in AMAP_BAD_ARGUMENTS:
            with pytest.raises(error, match=message):
                await structured.amap(func, items() if iterable is True else iterable, **kwargs)

    run(main())
    assert [] == taken


@pytest.mark.skipif(PYPY, reason="tracemalloc does not trace PyPy's allocations")
def test_amap_memory_is_bounded_by_limit(run):
    """amap over a generator, limit=100: traced memory does not grow with the input's
    length. The peak over 1,000,000 items, less the result list, stays within 64 KiB of
    the peak over 10,000 items (which holds the 100 workers and their calls); a
    coroutine or task per item held at once would cost hundreds of MB."""
    import tracemalloc

    if run.loop_kind != "asyncio":
        pytest.skip("measured once per interpreter, on asyncio's loop")

    async def nothing(i: int) -> None:
        if not i % 8:  # the calls interleave, without a million trips through the loop
            await asyncio.sleep(0)

    async def peak(n: int) -> int:
        tracemalloc.start()
        try:
            results = await structured.amap(nothing, (i for i in range(n)), limit=100)
            peak = tracemalloc.get_traced_memory()[1]
        finally:
            tracemalloc.stop()
        assert n == len(results)
        return peak - sys.getsizeof(results)

    small = run(peak(10_000))
    large = run(peak(1_000_000))
    assert large - small < 64 * 1024, (small, large)


# --- race ----------------------------------------------------------------------------------


def test_race_first_success_wins(run):
    """The first contestant to succeed wins, even after another failed; the others are
    cancelled and have cleaned up before race returns."""
    log: List[str] = []

    async def main():
        won = await structured.race(
            fail_after(0, Boom()),
            cleanup_on_cancel("slow", log),
            value_after(0.01, "fast"),
            cleanup_on_cancel("slower", log, 20),
        )
        log.append(f"caller: {won}; running: {len(others())}")

    run(main())
    assert cleanups("slow", "slower") == sorted(log[:-1])
    assert "caller: fast; running: 0" == log[-1]


def test_race_leaves_no_cancellation_behind(run):
    """Once race has returned, the caller has no cancellation request left: its next
    await is not interrupted."""

    async def main():
        won = await structured.race(value_after(0, "a"), value_after(1, "b"))
        me = asyncio.current_task()
        assert me is not None
        count = asyncio_compat.cancelling(me)
        await asyncio.sleep(0)
        return won, count

    assert ("a", 0) == run(main())


def test_race_all_fail(run):
    """Every contestant fails: an ExceptionGroup of all the errors, in argument order."""

    async def main():
        with pytest.raises(ExceptionGroup) as info:
            await structured.race(fail_after(0.02, Boom(1)), fail_after(0, Boom(2)))
        return [repr(e) for e in info.value.exceptions]

    assert ["Boom(1)", "Boom(2)"] == run(main())


def test_race_cancelled_contestant_loses(run):
    """A contestant cancelled from elsewhere loses; if all lose, its CancelledError is in
    the (Base)ExceptionGroup with the others' errors."""

    async def main():
        victim = asyncio.ensure_future(asyncio.sleep(10))
        asyncio.get_running_loop().call_later(0.01, victim.cancel)
        other = asyncio.ensure_future(asyncio.sleep(10))
        asyncio.get_running_loop().call_later(0.01, other.cancel)
        won = await structured.race(other, value_after(0.02, "ok"))
        with pytest.raises(BaseExceptionGroup) as info:
            await structured.race(victim, fail_after(0, Boom()))
        return won, [type(e) for e in info.value.exceptions]

    assert ("ok", [asyncio.CancelledError, Boom]) == run(main())


def test_race_caller_cancelled(run):
    """Cancelling the caller cancels and awaits every contestant."""
    log: List[str] = []

    async def main():
        task = await cancel_caller_after(
            0.01, structured.race(cleanup_on_cancel("a", log), cleanup_on_cancel("b", log))
        )
        return task.cancelled()

    assert run(main())
    assert cleanups("a", "b") == sorted(log)


def test_race_base_exception_ends_it(run):
    """A BaseException that is not an Exception ends the race as it ends a TaskGroup."""
    log: List[str] = []

    async def main():
        with pytest.raises(BaseExceptionGroup) as info:
            await structured.race(fail_after(0.01, BaseBoom()), cleanup_on_cancel("a", log))
        return [type(e) for e in info.value.exceptions]

    assert [BaseBoom] == run(main())
    assert ["a cancelled", "a cleaned up"] == log


def test_race_needs_a_contestant(run):
    """race() with no awaitable raises ValueError."""

    async def main():
        with pytest.raises(ValueError, match="at least one awaitable"):
            await structured.race()

    run(main())


# --- as_completed --------------------------------------------------------------------------


def test_as_completed_yields_tasks_as_they_finish(run):
    """Each child task is yielded once, done, in the order they finish."""

    async def after_steps(steps: int, value: str) -> str:
        # Loop iterations, not timers: a loaded machine cannot reorder them.
        for _ in range(steps):
            await asyncio.sleep(0)
        return value

    async def main():
        order = []
        async with structured.as_completed(
            after_steps(30, "c"), after_steps(10, "a"), after_steps(20, "b")
        ) as done:
            async for task in done:
                assert task.done()
                order.append(task.result())
        return order

    assert ["a", "b", "c"] == run(main())


def test_as_completed_break_cancels_and_awaits_the_rest(run):
    """Leaving the block early cancels the children still running and waits for their
    cleanup; the block exits without an error, and the caller runs on uncancelled."""
    log: List[str] = []

    async def main():
        async with structured.as_completed(
            cleanup_on_cancel("a", log), value_after(0, "first"), cleanup_on_cancel("b", log)
        ) as done:
            async for task in done:
                log.append(task.result())
                break
        log.append(f"after the block; running: {len(others())}")
        await asyncio.sleep(0)
        me = asyncio.current_task()
        assert me is not None
        return asyncio_compat.cancelling(me)

    assert 0 == run(main())
    assert "first" == log[0]
    assert cleanups("a", "b") == sorted(log[1:-1])
    assert "after the block; running: 0" == log[-1]


def test_as_completed_not_iterated(run):
    """Leaving the block without iterating cancels and awaits every child."""
    log: List[str] = []

    async def main():
        async with structured.as_completed(cleanup_on_cancel("a", log)):
            await asyncio.sleep(0)

    run(main())
    assert ["a cancelled", "a cleaned up"] == log


def test_as_completed_error_in_the_block(run):
    """An error raised in the block cancels and awaits the rest, and comes out in the
    group's ExceptionGroup, as from a TaskGroup's body."""
    log: List[str] = []

    async def main():
        with pytest.raises(ExceptionGroup) as info:
            async with structured.as_completed(
                value_after(0, 1), cleanup_on_cancel("a", log)
            ) as done:
                async for _task in done:
                    raise Boom()
        return [type(e) for e in info.value.exceptions]

    assert [Boom] == run(main())
    assert ["a cancelled", "a cleaned up"] == log


def test_as_completed_failing_child(run):
    """A failing child cancels the others and interrupts the block; the errors come out
    of ``async with`` as an ExceptionGroup."""
    log: List[str] = []

    async def main():
        with pytest.raises(ExceptionGroup) as info:
            async with structured.as_completed(
                fail_after(0.01, Boom()), cleanup_on_cancel("a", log)
            ) as done:
                async for task in done:
                    log.append(f"yielded {task!r}")
        return [type(e) for e in info.value.exceptions]

    assert [Boom] == run(main())
    assert ["a cancelled", "a cleaned up"] == log


def test_as_completed_caller_cancelled(run):
    """Cancelling the caller cancels and awaits every child; CancelledError propagates."""
    log: List[str] = []

    async def caller():
        async with structured.as_completed(
            cleanup_on_cancel("a", log), cleanup_on_cancel("b", log)
        ) as done:
            async for _task in done:
                pass

    async def main():
        return (await cancel_caller_after(0.01, caller())).cancelled()

    assert run(main())
    assert cleanups("a", "b") == sorted(log)


def test_as_completed_limit(run):
    """limit=N: at most N children run at once, started in argument order as others
    finish; every child is still yielded."""
    seen = Concurrency()

    async def main():
        delays = [0.03, 0.01, 0.02, 0.01, 0.0]
        results = []
        async with structured.as_completed(
            *(seen.call(i, d) for i, d in enumerate(delays)), limit=2
        ) as done:
            async for task in done:
                results.append(task.result())
        return sorted(results)

    assert [0, 1, 2, 3, 4] == run(main())
    assert 2 == seen.highest
    assert [0, 1, 2, 3, 4] == seen.started


def test_as_completed_limit_break_closes_the_unstarted(run):
    """With a limit, leaving the block closes the coroutines that never started."""
    waiting = [value_after(0, i) for i in range(3)]

    async def main():
        async with structured.as_completed(value_after(0, "x"), *waiting, limit=1) as done:
            async for task in done:
                return task.result()
        return None

    assert "x" == run(main())
    assert all(closed(c) for c in waiting)


def test_as_completed_limit_failure_closes_the_unstarted(run):
    """With a limit, a failing child closes the coroutines that never started."""
    waiting = [value_after(0, i) for i in range(3)]

    async def main():
        with pytest.raises(ExceptionGroup):
            async with structured.as_completed(fail_after(0, Boom()), *waiting, limit=1) as done:
                async for _task in done:
                    pass

    run(main())
    assert all(closed(c) for c in waiting)


def test_as_completed_child_cancelled_elsewhere(run):
    """A child cancelled from elsewhere is yielded cancelled; the others go on."""

    async def main():
        victim = asyncio.ensure_future(asyncio.sleep(10))
        asyncio.get_running_loop().call_later(0.01, victim.cancel)
        outcomes = []
        async with structured.as_completed(victim, value_after(0.02, "ok")) as done:
            async for task in done:
                outcomes.append("cancelled" if task.cancelled() else task.result())
        return outcomes

    assert ["cancelled", "ok"] == run(main())


def test_as_completed_of_nothing(run):
    """With no awaitable, the iteration ends at once."""

    async def main():
        async with structured.as_completed() as done:
            return [task async for task in done]

    assert [] == run(main())


def test_as_completed_misuse(run):
    """Iterating outside the block, or entering twice: RuntimeError (iterating without
    entering closes the coroutines, which then never run)."""
    coro = value_after(0, 1)

    async def main():
        errors = []
        with pytest.raises(RuntimeError, match="must be entered before it is iterated") as info:
            async for _task in structured.as_completed(coro):
                pass
        errors.append(str(info.value).split(":")[0])
        cm = structured.as_completed(value_after(0, 2))
        async with cm as done:
            with pytest.raises(RuntimeError, match="entered only once"):
                async with cm:
                    pass
            results = [task.result() async for task in done]
        with pytest.raises(RuntimeError, match="after its block has exited"):
            await done.__anext__()
        return errors, results

    assert (["as_completed() must be entered before it is iterated"], [2]) == run(main())
    assert closed(coro)


# --- the module ----------------------------------------------------------------------------


def test_public_names_are_documented():
    """Every name of __all__ exists and has a docstring (the manual is built from them)."""
    missing = [n for n in structured.__all__ if not (getattr(structured, n).__doc__ or "").strip()]
    assert ["AsCompleted", "amap", "as_completed", "gather", "race"] == sorted(structured.__all__)
    assert [] == missing


def test_as_completed_type_is_subscriptable():
    """AsCompleted[int] works at run time too, as asyncio.Task[int] does (3.9+)."""
    alias = structured.AsCompleted[int]
    assert alias is structured.AsCompleted or structured.AsCompleted is alias.__origin__


def test_imported_on_first_use_only():
    """``import asyncio_compat`` does not import the module; importing it imports
    neither typing (where asyncio itself does not) nor exceptiongroup."""
    code = textwrap.dedent(
        """
        import asyncio, sys
        typing_before = "typing" in sys.modules
        import asyncio_compat
        assert "asyncio_compat.structured" not in sys.modules
        from asyncio_compat import structured
        print(typing_before, "typing" in sys.modules, "exceptiongroup" in sys.modules)
        """
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout.split()
    typing_before, typing_after, exceptiongroup = out
    assert typing_before == typing_after
    assert "False" == exceptiongroup


# --- what a child never got to -------------------------------------------------------------


async def now(value: Any) -> Any:
    """Return *value* in the first step: a cache hit."""
    return value


async def sweep(value: Any) -> Any:
    """Cancel every other task of the loop but the caller's, in the first step, as a
    shutdown's sweep over ``asyncio.all_tasks()`` would; return *value*."""
    me, caller = asyncio.current_task(), CALLER[0]
    for task in asyncio.all_tasks():
        if task is not me and task is not caller:
            task.cancel()
    return value


CALLER: List[Any] = [None]


def test_race_won_in_first_step_closes_and_ends_the_rest(run):
    """A contestant that wins in its first step (a cache hit) cancels the others before
    they have started: the coroutines given are closed (none warns "never awaited"), and
    a task given is cancelled and awaited before race returns."""

    async def main():
        loser = value_after(1, "db")
        given = asyncio.ensure_future(value_after(1, "replica"))
        won = await structured.race(now("cache"), loser, given)
        return won, closed(loser), given.cancelled()

    assert ("cache", True, True) == run(main())


@pytest.mark.parametrize("return_exceptions", [False, True])
def test_gather_limit_caller_cancelled_closes_the_waiting(run, return_exceptions):
    """With a limit, the caller cancelled while the first child runs: the coroutines
    still waiting for a slot are closed, with return_exceptions=True too (whose children
    wrap them)."""
    log: List[str] = []
    waiting = [value_after(0, i) for i in range(3)]

    async def main():
        call = structured.gather(
            cleanup_on_cancel("a", log), *waiting, return_exceptions=return_exceptions, limit=1
        )
        task = await cancel_caller_after(0.01, call)
        return task.cancelled()

    assert run(main())
    assert ["a cancelled", "a cleaned up"] == log
    assert [True, True, True] == [closed(c) for c in waiting]


def test_children_cancelled_before_their_first_step(run):
    """Children cancelled from elsewhere before their first step (a sweep over all the
    tasks): the coroutines they wrap are closed, the futures they would have awaited are
    cancelled and awaited, before the helper returns or raises."""

    async def main():
        CALLER[0] = asyncio.current_task()
        outcomes = []
        # gather(return_exceptions=True): each child wraps its coroutine
        late = value_after(0, "late")
        given = asyncio.ensure_future(value_after(1, "task"))
        first, second, third = await structured.gather(
            sweep("first"), late, given, return_exceptions=True
        )
        outcomes.append(
            (first, type(second).__name__, type(third).__name__, closed(late), given.cancelled())
        )
        # gather(): a future's child never awaits it
        given = asyncio.ensure_future(value_after(1, "task"))
        with pytest.raises(BaseExceptionGroup):
            await structured.gather(sweep("first"), given)
        outcomes.append(given.cancelled())
        return outcomes

    try:
        assert [("first", "CancelledError", "CancelledError", True, True), True] == run(main())
    finally:
        CALLER[0] = None


def test_as_completed_left_at_once_ends_the_futures_given(run):
    """A block left before its children have run (here, at once) cancels them before
    their first step: a task given is cancelled and awaited before the block exits, as
    it is when its child has started."""

    async def main():
        given = asyncio.ensure_future(value_after(1, "task"))
        coro = value_after(1, "coro")
        async with structured.as_completed(given, coro):
            pass
        return given.cancelled(), closed(coro)

    assert (True, True) == run(main())


@pytest.mark.parametrize("asynchronous", [False, True])
def test_amap_failure_ends_the_futures_func_returned(run, asynchronous):
    """func returned futures for some items, then failed at the call for the next one
    (limit=None, where each result gets a child as it comes): the futures are cancelled
    before amap raises, though their children never ran."""
    made: List[Any] = []

    def func(i: int) -> Any:
        if i == 2:
            raise Boom("at the call")
        made.append(asyncio.ensure_future(value_after(1, i)))
        return made[-1]

    async def items():
        for i in range(4):
            yield i

    async def main():
        with pytest.raises(ExceptionGroup) as info:
            await structured.amap(func, items() if asynchronous else range(4))
        return [type(e) for e in info.value.exceptions], [f.cancelled() for f in made]

    assert ([Boom], [True, True]) == run(main())


@pytest.mark.parametrize("limit", [None, 2])
@pytest.mark.parametrize("how", ["failure", "caller cancelled"])
def test_amap_closes_the_async_generator_it_stops_early(run, limit, how):
    """amap that stops while an async generator waits at a ``yield`` (a call failed, the
    caller was cancelled) closes it before returning, as ``contextlib.aclosing()``
    would: its ``finally`` has run, and no task of the loop's async-generator finalizer
    is left."""
    log: List[str] = []

    async def items():
        try:
            for i in range(100):
                yield i
        finally:
            await asyncio.sleep(0)  # an async cleanup needs a task: amap's, not the loop's
            log.append("generator closed")

    def func(i: int) -> Any:
        if i == 1 and how == "failure":
            raise Boom("at the call")  # (limit=None: in amap's own task, after the yield)
        return asyncio.sleep(10, i)

    async def main():
        if how == "failure":
            with pytest.raises(ExceptionGroup):
                await structured.amap(func, items(), limit=limit)
        else:
            call = structured.amap(func, items(), limit=limit)
            assert (await cancel_caller_after(0.01, call)).cancelled()
        log.append("amap returned")
        return others()

    assert [] == run(main())
    assert ["generator closed", "amap returned"] == log


def test_amap_closes_the_generator_it_stops_early(run):
    """The same for a plain generator: its ``finally`` runs before amap raises, not when
    the garbage is collected."""
    log: List[str] = []

    def items():
        try:
            yield from range(100)
        finally:
            log.append("generator closed")

    async def func(i: int) -> int:
        if i == 3:
            raise Boom()
        return i

    async def main():
        for limit in (None, 2):
            generator = items()
            with pytest.raises(ExceptionGroup):
                await structured.amap(func, generator, limit=limit)
            log.append("amap raised")

    run(main())
    assert ["generator closed", "amap raised"] * 2 == log


def test_amap_func_not_returning_an_awaitable(run):
    """A func whose result cannot be awaited: the same clear TypeError with or without a
    limit, over a plain or an async iterable."""

    async def items():
        yield 1

    async def main():
        messages = []
        for limit in (None, 2):
            for iterable in ([1], items()):
                with pytest.raises(ExceptionGroup) as info:
                    await structured.amap(lambda x: x, iterable, limit=limit)
                messages += [f"{type(e).__name__}: {e}" for e in info.value.exceptions]
        return messages

    assert ["TypeError: amap(): func returned int, which is not awaitable"] * 4 == run(main())


def test_amap_aiter_returning_no_async_iterator(run):
    """An async iterable whose ``__aiter__`` returns something without ``__anext__``:
    the TypeError of a bad argument, before anything starts."""
    called: List[int] = []

    class Bad:
        def __aiter__(self) -> Any:
            return self  # __aiter__ without __anext__

    async def func(i: int) -> int:
        called.append(i)
        return i

    async def main():
        with pytest.raises(TypeError) as info:
            await structured.amap(func, Bad())
        return str(info.value)

    expected = "amap() argument 2's __aiter__() returned Bad, which is not an async iterator"
    assert expected == run(main())
    assert [] == called


def test_the_same_coroutine_twice(run):
    """The same coroutine passed twice: a TypeError saying so before anything starts,
    and the coroutines passed are closed (a future may be passed twice)."""
    log: List[str] = []

    async def main():
        messages, coros = [], []
        for helper in ("gather", "race", "as_completed"):
            same, other = value_after(0, 1, log), value_after(0, 2, log)
            with pytest.raises(TypeError) as info:
                result = getattr(structured, helper)(other, same, same)
                if inspect.isawaitable(result):
                    await result
            messages.append(str(info.value))
            coros += [same, other]
        fut = asyncio.get_running_loop().create_future()
        fut.set_result("f")
        return messages, await structured.gather(fut, fut), [closed(c) for c in coros]

    messages, twice, closed_ = run(main())
    assert [
        f"{helper}() argument 3 is the coroutine of argument 2: "
        "a coroutine can be awaited only once"
        for helper in ("gather", "race", "as_completed")
    ] == messages
    assert ("f", "f") == twice
    assert [True] * 6 == closed_
    assert [] == log


def test_bad_argument_leaves_a_running_coroutine_alone(run):
    """A bad argument closes the coroutines passed that have not started; one already
    running in another task is not closed under it."""

    async def main():
        running = value_after(0.01, "ran")
        task = asyncio.ensure_future(running)
        await asyncio.sleep(0)
        with pytest.raises(TypeError):
            await structured.gather(running, 5)
        state = inspect.getcoroutinestate(running)
        if state == inspect.CORO_CLOSED:
            task.cancel()  # closed under its task: it would never wake up
            return state, None
        return state, await task

    assert (inspect.CORO_SUSPENDED, "ran") == run(main())
