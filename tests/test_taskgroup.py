"""TaskGroup behaviour, the same for the stdlib and the backport (see conftest.py)."""

from __future__ import annotations

import asyncio
import contextvars
import gc
import sys
import weakref
from typing import Any, List

import pytest
from conftest import _new_loop
from scenarios import cancel_once_started, crash_in_cleanup, fail_after

from asyncio_compat import BaseExceptionGroup, ExceptionGroup, catch


class Boom(Exception):
    pass


class BaseBoom(BaseException):
    pass


def test_results_of_all_children(impl, run):
    """The group waits for every child; each task holds its own result."""

    async def main():
        async with impl.TaskGroup() as tg:
            tasks = [tg.create_task(asyncio.sleep(0.001 * i, result=i)) for i in range(5)]
        return [t.result() for t in tasks]

    assert [0, 1, 2, 3, 4] == run(main())


def test_current_task_is_unchanged(impl, run):
    """``asyncio.current_task()`` inside the group is the very task that entered it."""

    async def main():
        outside = asyncio.current_task()
        async with impl.TaskGroup():
            inside = asyncio.current_task()
            await asyncio.sleep(0)
            after_await = asyncio.current_task()
        return outside, inside, after_await, asyncio.current_task()

    outside, inside, after_await, after = run(main())
    assert outside is inside is after_await is after


def test_failure_cancels_siblings_and_body(impl, run):
    """One child failing cancels its siblings and the body; its error comes out in a group."""
    log: List[str] = []

    async def sibling():
        try:
            await asyncio.sleep(10)
        except asyncio.CancelledError:
            log.append("sibling cancelled")
            raise

    async def main():
        with pytest.raises(ExceptionGroup) as info:
            async with impl.TaskGroup() as tg:
                tg.create_task(sibling())
                tg.create_task(fail_after(0.001, Boom("x")))
                try:
                    await asyncio.sleep(10)
                except asyncio.CancelledError:
                    log.append("body cancelled")
                    raise
        return info.value

    eg = run(main())
    assert ["body cancelled", "sibling cancelled"] == sorted(log)
    assert "unhandled errors in a TaskGroup" == eg.message
    assert [Boom] == [type(e) for e in eg.exceptions]


def test_all_errors_collected(impl, run):
    """Children failing together all appear in the one ExceptionGroup, with the body's."""

    async def main():
        with pytest.raises(ExceptionGroup) as info:
            async with impl.TaskGroup() as tg:
                tg.create_task(fail_after(0, Boom("a")))
                tg.create_task(fail_after(0, ValueError("b")))
                await asyncio.sleep(0)
                await asyncio.sleep(0)
                raise KeyError("body")
        return info.value

    eg = run(main())
    assert {"a", "b", "'body'"} == {str(e) for e in eg.exceptions}


def test_code_after_failed_group_runs_uncancelled(impl, run):
    """After a failed group is handled, the parent task is not cancelled any more."""

    async def main():
        me = asyncio.current_task()
        try:
            async with impl.TaskGroup() as tg:
                tg.create_task(fail_after(0, Boom()))
                await asyncio.sleep(10)
        except ExceptionGroup:
            pass
        await asyncio.sleep(0.001)
        return impl.cancelling(me)

    assert 0 == run(main())


def test_base_exception_group_for_base_errors(impl, run):
    """A child raising a BaseException that is not an Exception yields a BaseExceptionGroup."""

    async def main():
        with pytest.raises(BaseExceptionGroup) as info:
            async with impl.TaskGroup() as tg:
                tg.create_task(fail_after(0, BaseBoom()))
        return info.value

    eg = run(main())
    assert not isinstance(eg, ExceptionGroup)
    assert [BaseBoom] == [type(e) for e in eg.exceptions]


@pytest.mark.parametrize("exc_type", [KeyboardInterrupt, SystemExit])
def test_keyboard_interrupt_and_system_exit_propagate_bare(impl, run, exc_type):
    """KeyboardInterrupt and SystemExit from the body leave the group bare, after the children."""
    log: List[str] = []

    async def child():
        try:
            await asyncio.sleep(10)
        finally:
            log.append("child done")

    async def main():
        with pytest.raises(exc_type):
            async with impl.TaskGroup() as tg:
                tg.create_task(child())
                await asyncio.sleep(0)
                raise exc_type()

    run(main())
    assert ["child done"] == log


@pytest.mark.parametrize("exc_type", [KeyboardInterrupt, SystemExit])
def test_child_keyboard_interrupt_leaves_no_cycle(impl, run, exc_type):
    """A child's KeyboardInterrupt or SystemExit leaves the loop at once, as from any task;
    run again, the group cancels its waiting body, awaits the children and raises it bare,
    keeping no ``CancelledError`` alive in a cycle through its frame."""
    log: List[str] = []

    async def interrupt():
        await asyncio.sleep(0)
        raise exc_type()

    async def sibling():
        try:
            await asyncio.sleep(10)
        finally:
            log.append("sibling done")

    async def main():
        async with impl.TaskGroup() as tg:
            tg.create_task(interrupt())
            tg.create_task(sibling())
            await asyncio.sleep(10)  # cancelled by the failure: the group catches that

    loop = _new_loop(run.loop_kind)
    loop.set_exception_handler(lambda _loop, context: run.handled.append(context))
    try:
        task = loop.create_task(main())
        with pytest.raises(exc_type):
            loop.run_until_complete(task)  # out of the child's step
        with pytest.raises(exc_type):
            loop.run_until_complete(task)  # out of the group, once the sibling is done
        assert exc_type is type(task.exception())
        assert [] == [t for t in asyncio.all_tasks(loop) if not t.done()]
    finally:
        loop.close()
        task = None
    assert ["sibling done"] == log


def test_outside_cancellation_propagates(impl, run):
    """Cancelling the parent from outside cancels the children and propagates CancelledError;
    ``cancelling()`` keeps the outside request (gh-116720 semantics)."""
    seen: List[Any] = []

    async def parent(tg_started: asyncio.Event):
        async with impl.TaskGroup() as tg:
            child = tg.create_task(asyncio.sleep(10))
            tg_started.set()
            try:
                await asyncio.sleep(10)
            finally:
                seen.append(child)

    async def main():
        task = await cancel_once_started(parent)
        return task.cancelled(), impl.cancelling(task)

    assert (True, 1) == run(main())
    assert seen[0].cancelled()


def test_errors_win_over_outside_cancellation(impl, run):
    """A child error wins over an outside cancellation: the group raises the ExceptionGroup,
    and the parent keeps its pending cancellation."""

    async def parent(started: asyncio.Event):
        async with impl.TaskGroup() as tg:
            tg.create_task(crash_in_cleanup(Boom()))
            started.set()
            await asyncio.sleep(10)

    async def main():
        task = await cancel_once_started(parent)
        return task.exception(), impl.cancelling(task)

    exc, count = run(main())
    assert isinstance(exc, ExceptionGroup)
    assert [Boom] == [type(e) for e in exc.exceptions]
    assert 1 == count


@pytest.mark.newest("gh-116720")  # 3.13: the group gives an outside request back
@pytest.mark.parametrize("when", ["before the failure", "after the failure", "in the cleanup"])
def test_early_bound_cancel_outlives_the_exception_group(impl, run, when):
    """An outside ``cancel`` looked up before the group was entered (as
    ``loop.call_later(d, task.cancel)`` or a signal handler does), landing just before or
    just after a child's failure reaches the group, or while the group waits for a
    sibling's cleanup, is not the group's to swallow: the ExceptionGroup propagates and
    the parent's next await raises CancelledError, one request left (3.8-3.10: the group
    sees it arrive and counts it)."""

    async def main():
        me = asyncio.current_task()
        cancel = me.cancel  # bound before any group is active in the task
        loop = asyncio.get_running_loop()

        async def fail():
            if when == "before the failure":
                loop.call_soon(cancel)  # runs just before the group's done callback
            elif when == "after the failure":
                loop.call_soon(loop.call_soon, cancel)  # runs just after it
            raise Boom

        async def cleanup():
            try:
                await asyncio.sleep(10)
            finally:
                await asyncio.sleep(0)  # the parent is now waiting in the group's exit
                if when == "in the cleanup":
                    cancel()
                await asyncio.sleep(0)

        outcome = []
        try:
            async with impl.TaskGroup() as tg:
                tg.create_task(cleanup())
                tg.create_task(fail())
                await asyncio.sleep(10)
        except ExceptionGroup as exc:
            outcome.append([type(e) for e in exc.exceptions])
        try:
            await asyncio.sleep(0)
            outcome.append("next await ran")
        except asyncio.CancelledError:
            outcome.append("next await cancelled")
        outcome.append(impl.cancelling(me))
        return outcome

    assert [[Boom], "next await cancelled", 1] == run(main())


def test_nested_groups_cancelled_from_inner_failure(impl, run):
    """A failure in an inner group propagates through the outer group, cancelling all."""
    log: List[str] = []

    async def long(name: str):
        try:
            await asyncio.sleep(10)
        except asyncio.CancelledError:
            log.append(name)
            raise

    async def inner_group():
        async with impl.TaskGroup() as inner:
            inner.create_task(long("inner sibling"))
            inner.create_task(fail_after(0.001, Boom()))

    async def main():
        with pytest.raises(ExceptionGroup) as info:
            async with impl.TaskGroup() as outer:
                outer.create_task(long("outer sibling"))
                outer.create_task(inner_group())
        return info.value

    eg = run(main())
    assert ["inner sibling", "outer sibling"] == sorted(log)
    assert isinstance(eg.exceptions[0], ExceptionGroup)
    assert [Boom] == [type(e) for e in eg.exceptions[0].exceptions]


def test_nested_groups_cancelled_from_outside(impl, run):
    """Cancelling the task that holds two nested groups cancels both levels once."""

    async def parent(started: asyncio.Event):
        async with impl.TaskGroup() as outer:
            outer.create_task(asyncio.sleep(10))
            async with impl.TaskGroup() as inner:
                inner.create_task(asyncio.sleep(10))
                started.set()
                await asyncio.sleep(10)

    async def main():
        task = await cancel_once_started(parent)
        return task.cancelled(), impl.cancelling(task)

    assert (True, 1) == run(main())


def test_create_task_name_and_context(impl, run):
    """``create_task(name=, context=)``: the task has the name and runs *in* the context."""
    var: contextvars.ContextVar[str] = contextvars.ContextVar("var", default="unset")

    async def child():
        seen = var.get()
        var.set("set by child")
        return seen, asyncio.current_task().get_name()

    async def main():
        ctx = contextvars.copy_context()
        ctx.run(var.set, "given")
        async with impl.TaskGroup() as tg:
            task = tg.create_task(child(), name="worker", context=ctx)
        return task.result(), task.get_name(), ctx[var], var.get()

    (seen, inner_name), name, ctx_value, own_value = run(main())
    assert ("given", "worker", "worker") == (seen, inner_name, name)
    assert ("set by child", "unset") == (ctx_value, own_value)


@pytest.mark.newest("gh-115957")
def test_not_entered(impl, run):
    """``create_task`` on a group not entered raises RuntimeError and closes the coroutine."""

    async def main():
        tg = impl.TaskGroup()
        coro = asyncio.sleep(0)
        with pytest.raises(RuntimeError, match="has not been entered"):
            tg.create_task(coro)
        return coro

    assert_closed(run(main()))


def test_entered_twice(impl, run):
    """Entering a group twice raises RuntimeError('... has already been entered')."""

    async def main():
        tg = impl.TaskGroup()
        async with tg:
            with pytest.raises(RuntimeError, match="has already been entered"):
                async with tg:
                    pass

    run(main())


@pytest.mark.newest("gh-115957")
def test_finished(impl, run):
    """``create_task`` on a finished group raises RuntimeError('... is finished') and closes
    the coroutine."""

    async def main():
        async with impl.TaskGroup() as tg:
            pass
        coro = asyncio.sleep(0)
        with pytest.raises(RuntimeError, match="is finished"):
            tg.create_task(coro)
        return coro

    assert_closed(run(main()))


def assert_closed(coro: Any) -> None:
    """Assert *coro* was closed (no 'never awaited' warning), closing it either way."""
    frame = coro.cr_frame
    coro.close()
    assert frame is None


@pytest.mark.newest("gh-115957")
def test_shutting_down(impl, run):
    """``create_task`` on a group that is cancelling its tasks raises '... is shutting down'
    and closes the coroutine."""
    errors: List[str] = []
    closed: List[bool] = []

    async def spawner(tg):
        try:
            await asyncio.sleep(10)
        except asyncio.CancelledError:
            coro = asyncio.sleep(0)
            try:
                tg.create_task(coro)
            except RuntimeError as exc:
                errors.append(str(exc))
            closed.append(coro.cr_frame is None)
            coro.close()
            raise

    async def main():
        with pytest.raises(ExceptionGroup):
            async with impl.TaskGroup() as tg:
                tg.create_task(spawner(tg))
                tg.create_task(fail_after(0, Boom()))

    run(main())
    assert 1 == len(errors)
    assert errors[0].endswith("is shutting down")
    assert [True] == closed


def test_outside_a_task(impl, without_task):
    """Entering a group outside a task raises RuntimeError('... cannot determine the parent
    task')."""
    loop = asyncio.new_event_loop()
    try:
        tg = impl.TaskGroup()
        coro = tg.__aenter__()
        with pytest.raises(RuntimeError, match="cannot determine the parent task"):
            loop.run_until_complete(without_task(coro))
    finally:
        loop.close()


def test_repr_states(impl, run):
    """``repr()`` reads ``<TaskGroup>``, ``<TaskGroup entered>``, ``<TaskGroup tasks=1 entered>``,
    and ``<TaskGroup tasks=1 errors=1 cancelling>`` while aborting."""
    seen: List[str] = []

    async def main():
        tg = impl.TaskGroup()
        seen.append(repr(tg))
        try:
            async with tg:
                seen.append(repr(tg))
                tg.create_task(asyncio.sleep(10))
                seen.append(repr(tg))
                tg.create_task(fail_after(0, Boom()))
                try:
                    await asyncio.sleep(10)
                except asyncio.CancelledError:
                    seen.append(repr(tg))
                    raise
        except ExceptionGroup:
            pass

    run(main())
    assert [
        "<TaskGroup>",
        "<TaskGroup entered>",
        "<TaskGroup tasks=1 entered>",
        "<TaskGroup tasks=1 errors=1 cancelling>",
    ] == seen


@pytest.mark.newest("refcycles")
@pytest.mark.skipif(
    sys.implementation.name != "cpython", reason="PyPy frees nothing without its collector"
)
def test_failed_group_leaves_no_cycle(impl, run):
    """After a failed group is handled and released, no reference cycle keeps its errors or
    its parent task alive: they are freed without the garbage collector."""
    refs: List[Any] = []

    async def body():
        async with impl.TaskGroup() as tg:
            tg.create_task(fail_after(0, Boom()))
            await asyncio.sleep(1)

    async def main():
        task = asyncio.ensure_future(body())
        await asyncio.wait([task])
        try:
            task.result()
        except ExceptionGroup as eg:
            refs.append(weakref.ref(eg.exceptions[0]))
        refs.append(weakref.ref(task))
        del task

    gc.collect()
    assert not gc.isenabled()  # the run fixture holds automatic collection off
    run(main())
    assert [None, None] == [r() for r in refs]


def test_catch_handles_group(impl, run):
    """``catch`` takes the TaskGroup's ExceptionGroup apart by type."""
    handled: List[Any] = []

    async def main():
        with catch({Boom: lambda eg: handled.append([str(e) for e in eg.exceptions])}):
            async with impl.TaskGroup() as tg:
                tg.create_task(fail_after(0, Boom("one")))

    run(main())
    assert [["one"]] == handled


def test_parent_done_before_child_fails(impl, run):
    """A child that outlives a finished parent and then fails is reported to the loop's
    exception handler (the group cannot raise it any more)."""
    # The stdlib can only reach this by misuse; the backport must not crash either.

    async def main():
        tg = impl.TaskGroup()
        await tg.__aenter__()
        tg.create_task(fail_after(0.001, Boom()))

    async def outer():
        await asyncio.ensure_future(main())
        await asyncio.sleep(0.01)

    run(outer())
    assert 1 == len(run.handled)
    assert isinstance(run.handled[0]["exception"], Boom)
    run.handled.clear()
    # A group never exited keeps its errors and its parent: that cycle is the misuse's.
    run.collect()


def test_children_run_concurrently(impl, run):
    """Children start in creation order and interleave at each await."""
    log: List[str] = []

    async def worker(name: str):
        log.append(f"{name} start")
        await asyncio.sleep(0)
        log.append(f"{name} end")

    async def main():
        async with impl.TaskGroup() as tg:
            tg.create_task(worker("a"))
            tg.create_task(worker("b"))

    run(main())
    assert ["a start", "b start", "a end", "b end"] == log
