"""timeout(), timeout_at() and Timeout, the same for the stdlib (3.11+) and the backport."""

from __future__ import annotations

import asyncio
from typing import Any, List

import pytest
from scenarios import cancel_once_started, crash_in_cleanup

import asyncio_compat
from asyncio_compat import ExceptionGroup


def test_expiry_raises_timeout_error(impl, run):
    """An expired block raises TimeoutError from the CancelledError; ``expired()`` is True."""

    async def main():
        with pytest.raises(TimeoutError) as info:
            async with impl.timeout(0.001) as cm:
                await asyncio.sleep(10)
        return info.value, cm.expired(), impl.cancelling(asyncio.current_task())

    exc, expired, count = run(main())
    assert isinstance(exc.__cause__, asyncio.CancelledError)
    assert (True, 0) == (expired, count)


def test_timeout_error_class(impl, run):
    """What ``timeout()`` raises is ``asyncio_compat.TimeoutError``: caught by ``except
    TimeoutError`` and ``except asyncio.TimeoutError`` alike."""

    async def main():
        try:
            async with impl.timeout(0):
                await asyncio.sleep(10)
        except asyncio.TimeoutError as exc:
            return exc
        return None

    exc = run(main())
    assert isinstance(exc, asyncio_compat.TimeoutError)
    assert isinstance(exc, TimeoutError)


def test_no_expiry(impl, run):
    """A block that ends in time returns normally; ``expired()`` is False."""

    async def main():
        async with impl.timeout(10) as cm:
            await asyncio.sleep(0)
        return cm.expired(), repr(cm)

    assert (False, "<Timeout [finished]>") == run(main())


def test_none_never_expires(impl, run):
    """``timeout(None)`` has no deadline: ``when()`` is None and the block runs to the end."""

    async def main():
        async with impl.timeout(None) as cm:
            await asyncio.sleep(0.01)
            return cm.when(), cm.expired(), repr(cm)

    assert (None, False, "<Timeout [active] when=None>") == run(main())


def test_past_deadline_fires_on_next_iteration(impl, run):
    """A deadline already past fires on the next iteration, not synchronously at entry."""
    log: List[str] = []

    async def main():
        loop = asyncio.get_running_loop()
        with pytest.raises(TimeoutError):
            async with impl.timeout_at(loop.time() - 1):
                log.append("entered")
                await asyncio.sleep(0)
                log.append("not reached")

    run(main())
    assert ["entered"] == log


def test_reschedule_values(impl, run):
    """``reschedule(x)`` makes ``when()`` return x."""

    async def main():
        loop = asyncio.get_running_loop()
        deadline = loop.time() + 10
        async with impl.timeout_at(deadline) as cm:
            values = [cm.when()]
            cm.reschedule(None)
            values.append(cm.when())
            cm.reschedule(deadline + 5)
            values.append(cm.when())
        return deadline, values

    deadline, values = run(main())
    assert [deadline, None, deadline + 5] == values


def test_reschedule_earlier_expires(impl, run):
    """Rescheduling to a near deadline makes the block expire there."""

    async def main():
        loop = asyncio.get_running_loop()
        with pytest.raises(TimeoutError):
            async with impl.timeout(None) as cm:
                cm.reschedule(loop.time() + 0.001)
                await asyncio.sleep(10)
        return cm.expired()

    assert run(main()) is True


def test_repr_states(impl, run):
    """``repr()`` follows the states: created, active (with the deadline), expired, finished."""

    async def main():
        loop = asyncio.get_running_loop()
        reprs = []
        cm = impl.timeout_at(None)
        reprs.append(repr(cm))
        async with cm:
            reprs.append(repr(cm))
        reprs.append(repr(cm))
        cm2 = impl.timeout_at(loop.time() - 1)
        with pytest.raises(TimeoutError):
            async with cm2:
                await asyncio.sleep(1)
        reprs.append(repr(cm2))
        when = 12345.6789
        reprs.append(repr(impl.timeout_at(when)))
        return reprs

    assert [
        "<Timeout [created]>",
        "<Timeout [active] when=None>",
        "<Timeout [finished]>",
        "<Timeout [expired]>",
        "<Timeout [created]>",
    ] == run(main())


def test_repr_rounds_deadline(impl, run):
    """An active timeout's repr shows the deadline rounded to milliseconds."""

    async def main():
        async with impl.timeout_at(1e12 + 0.123456) as cm:
            return repr(cm)

    assert "<Timeout [active] when=1000000000000.123>" == run(main())


def test_enter_twice(impl, run):
    """Entering a Timeout twice raises RuntimeError('Timeout has already been entered')."""

    async def main():
        cm = impl.timeout(10)
        async with cm:
            with pytest.raises(RuntimeError, match=r"^Timeout has already been entered$"):
                async with cm:
                    pass

    run(main())


def test_reschedule_before_enter(impl, run):
    """``reschedule()`` before entering raises RuntimeError('Timeout has not been entered')."""

    async def main():
        cm = impl.timeout(10)
        with pytest.raises(RuntimeError, match=r"^Timeout has not been entered$"):
            cm.reschedule(1)

    run(main())


def test_reschedule_after_exit(impl, run):
    """``reschedule()`` after exit raises 'Cannot change state of finished Timeout'
    ('... expired Timeout' after expiry)."""

    async def main():
        async with impl.timeout(10) as cm:
            pass
        with pytest.raises(RuntimeError, match=r"^Cannot change state of finished Timeout$"):
            cm.reschedule(1)
        with pytest.raises(TimeoutError):
            async with impl.timeout(0) as cm2:
                await asyncio.sleep(1)
        with pytest.raises(RuntimeError, match=r"^Cannot change state of expired Timeout$"):
            cm2.reschedule(1)

    run(main())


def test_outside_a_task(impl, without_task):
    """Entering a timeout outside a task raises RuntimeError('Timeout should be used inside
    a task')."""

    async def main():
        cm = impl.timeout_at(None)
        await without_task(cm.__aenter__())

    loop = asyncio.new_event_loop()
    try:
        with pytest.raises(RuntimeError, match=r"^Timeout should be used inside a task$"):
            loop.run_until_complete(main())
    finally:
        loop.close()


def test_nested_only_expired_converts(impl, run):
    """With nested timeouts, only the one that expired turns the cancellation into TimeoutError."""

    async def main():
        async with impl.timeout(10) as outer:
            with pytest.raises(TimeoutError):
                async with impl.timeout(0.001) as inner:
                    await asyncio.sleep(10)
        return outer.expired(), inner.expired()

    assert (False, True) == run(main())


def test_nested_outer_expires(impl, run):
    """When the outer timeout expires, the inner one lets the CancelledError through."""

    async def main():
        with pytest.raises(TimeoutError):
            async with impl.timeout(0.001) as outer:
                try:
                    async with impl.timeout(10) as inner:
                        await asyncio.sleep(10)
                except TimeoutError:
                    raise AssertionError("inner converted") from None
        return outer.expired(), inner.expired()

    assert (True, False) == run(main())


def test_outside_cancellation_wins_over_expiry(impl, run):
    """A cancellation from outside landing while the expired block cleans up propagates
    as CancelledError, its request left. (Made by loop iterations, not timers: the
    cleanup lasts until the outside cancellation reaches it.)"""

    async def body(expired: asyncio.Event):
        async with impl.timeout(0.01):
            try:
                await asyncio.sleep(10)
            finally:
                expired.set()
                await asyncio.Event().wait()

    async def main():
        expired = asyncio.Event()
        task = asyncio.ensure_future(body(expired))
        await expired.wait()
        task.cancel()
        await asyncio.wait([task])
        return task.cancelled(), impl.cancelling(task)

    assert (True, 1) == run(main())


def test_cancelled_before_expiry_in_same_iteration(impl, run):
    """An outside ``cancel()`` made before the deadline fires propagates as CancelledError."""

    async def body(started: asyncio.Event):
        async with impl.timeout(10) as cm:
            started.set()
            await asyncio.sleep(10)
        return cm

    async def main():
        task = await cancel_once_started(body)
        return task.cancelled()

    assert run(main()) is True


def test_timeout_inside_cancelled_handler(impl, run):
    """A timeout entered while handling a cancellation still expires as TimeoutError
    (gh-102780: the count at entry is the baseline)."""

    async def body():
        try:
            await asyncio.sleep(10)
        except asyncio.CancelledError:
            with pytest.raises(TimeoutError):
                async with impl.timeout(0.001):
                    await asyncio.sleep(10)
            return "handled"

    async def main():
        task = asyncio.ensure_future(body())
        await asyncio.sleep(0)
        task.cancel()
        return await task

    assert "handled" == run(main())


@pytest.mark.newest("gh-96037")
def test_timeout_error_inserted_into_replacing_exception(impl, run):
    """If another exception replaced the CancelledError while expiring, the TimeoutError is
    put into its ``__context__`` chain, between it and the CancelledError (gh-96037)."""

    async def main():
        with pytest.raises(ZeroDivisionError) as info:
            async with impl.timeout(0.001):
                try:
                    await asyncio.sleep(10)
                finally:
                    1 / 0  # noqa: B018
        return info.value

    exc = run(main())
    assert isinstance(exc.__context__, TimeoutError)
    assert isinstance(exc.__context__.__cause__, asyncio.CancelledError)
    assert exc.__context__.__context__ is exc.__context__.__cause__


@pytest.mark.newest("gh-96037")
def test_timeout_error_inserted_in_group_members(impl, run):
    """With a TaskGroup inside an expired timeout, each member of the ExceptionGroup gets the
    TimeoutError in its context chain, and so does the group (gh-96037)."""

    async def main():
        with pytest.raises(ExceptionGroup) as info:
            async with impl.timeout(0.01):
                async with impl.TaskGroup() as tg:
                    tg.create_task(crash_in_cleanup())
                    await asyncio.sleep(10)
        return info.value, impl.cancelling(asyncio.current_task())

    eg, count = run(main())
    assert 0 == count
    assert isinstance(eg.__context__, TimeoutError)
    member = eg.exceptions[0]
    assert isinstance(member, ZeroDivisionError)
    assert isinstance(member.__context__, TimeoutError)


def test_no_stray_cancel_after_group_error_in_expired_timeout(impl, run):
    """A group whose error re-cancels the parent inside an expired timeout leaves no
    cancellation behind once the timeout has withdrawn its own (gh-116720: the group gives
    the parent its cancellation back, the timeout's uncancel() withdraws it)."""

    async def main():
        with pytest.raises(ExceptionGroup):
            async with impl.timeout(0.01):
                async with impl.TaskGroup() as tg:
                    tg.create_task(crash_in_cleanup())
                    try:
                        raise ValueError
                    finally:
                        await asyncio.sleep(1)
        await asyncio.sleep(0)
        return impl.cancelling(asyncio.current_task())

    assert 0 == run(main())


def test_current_task_unchanged(impl, run):
    """Inside a timeout, ``asyncio.current_task()`` is the task that entered it."""

    async def main():
        me = asyncio.current_task()
        async with impl.timeout(1):
            inside = asyncio.current_task()
        return me is inside

    assert run(main()) is True


def test_wait_for_and_shield_keep_behaviour(impl, run):
    """``wait_for`` and ``shield`` behave as usual in a task where a timeout is active."""

    async def main():
        async with impl.timeout(10):
            inner = asyncio.ensure_future(asyncio.sleep(0.01, result="shielded"))
            with pytest.raises(asyncio.TimeoutError):
                await asyncio.wait_for(asyncio.shield(inner), 0.001)
            return await inner

    assert "shielded" == run(main())


def test_gather_cancellation_inside_timeout(impl, run):
    """An expiring timeout cancels a ``gather`` it waits on; the children are cancelled."""
    children: List[Any] = []

    async def main():
        children.extend(asyncio.ensure_future(asyncio.sleep(10)) for _ in range(3))
        with pytest.raises(TimeoutError):
            async with impl.timeout(0.001):
                await asyncio.gather(*children)
        return [c.cancelled() for c in children]

    assert [True, True, True] == run(main())


@pytest.mark.parametrize("order", ["before", "after"])
def test_early_bound_cancel_landing_with_the_expiry_wins(impl, run, order):
    """An outside ``cancel`` looked up before the task entered the timeout (as
    ``loop.call_later(d, task.cancel)`` or a signal handler does), landing in the loop
    iteration where the deadline fires, just before or just after it, wins over the
    deadline: CancelledError, with that one request left (3.8-3.10: the expiry sees it
    arrive and counts it)."""

    async def main():
        me = asyncio.current_task()
        cancel = me.cancel  # bound before any timeout is active in the task
        loop = asyncio.get_running_loop()
        try:
            async with impl.timeout(None) as cm:
                if order == "before":
                    loop.call_soon(cancel)
                cm.reschedule(loop.time())  # fires on the next iteration, in call order
                if order == "after":
                    loop.call_soon(cancel)
                await asyncio.sleep(10)
        except asyncio.CancelledError:
            return "CancelledError", impl.cancelling(me)
        except TimeoutError:
            return "TimeoutError", impl.cancelling(me)
        return "nothing", impl.cancelling(me)

    assert ("CancelledError", 1) == run(main())
