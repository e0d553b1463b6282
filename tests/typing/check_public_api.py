# pyright: strict, reportUnnecessaryTypeIgnoreComment=true
"""Static types of the public API, checked by mypy (as 3.8 and as 3.13) and pyright in the
``type`` tox environment. Nothing here is run: pytest does not collect ``check_*.py``.

``assert_type`` pins a type exactly; an annotated assignment pins that a value fits a type
(for methods returning None, which mypy will not let a test use as a value). A line with
``# type: ignore[...]`` must be an error: unused ignores are errors in this file.
"""

from __future__ import annotations

import asyncio
import contextvars
import sys
from typing import Any, Awaitable, Callable, ContextManager, Coroutine, List, Optional

from typing_extensions import assert_type

import asyncio_compat
from asyncio_compat import (
    BaseExceptionGroup,
    ExceptionGroup,
    Runner,
    TaskGroup,
    Timeout,
    TimeoutError,
    add_note,
    as_completed,
    backport,
    cancelling,
    catch,
    format_exception,
    format_exception_only,
    print_exc,
    print_exception,
    run,
    suppress,
    timeout,
    timeout_at,
    uncancel,
    wait_for,
)


async def answer() -> int:
    return 42


async def name() -> str:
    return "x"


async def check_task_group() -> None:
    async with TaskGroup() as tg:
        assert_type(tg, TaskGroup)
        assert_type(tg.create_task(answer()), "asyncio.Task[int]")
        assert_type(tg.create_task(name(), name="n"), "asyncio.Task[str]")
        task = tg.create_task(answer(), name=None, context=contextvars.copy_context())
        assert_type(task, "asyncio.Task[int]")
        assert_type(await task, int)
        cancel: Callable[[], None] = tg.cancel
        cancel()
        tg.create_task(answer)  # type: ignore[arg-type]  # a coroutine function, not a coroutine


async def check_backport_task_group() -> None:
    async with backport.TaskGroup() as tg:
        assert_type(tg, backport.TaskGroup)
        assert_type(tg.create_task(answer()), "asyncio.Task[int]")
        cancel: Callable[[], None] = tg.cancel
        cancel()


async def check_timeout() -> None:
    assert_type(timeout(1.0), Timeout)
    assert_type(timeout(1), Timeout)
    assert_type(timeout(None), Timeout)
    assert_type(timeout_at(None), Timeout)
    assert_type(timeout_at(asyncio.get_running_loop().time() + 1), Timeout)
    async with timeout(1.0) as cm:
        assert_type(cm, Timeout)
        assert_type(cm.when(), Optional[float])
        assert_type(cm.expired(), bool)
        reschedule: Callable[[Optional[float]], None] = cm.reschedule
        reschedule(None)
    async with timeout_at(None) as cm_at:
        assert_type(cm_at, Timeout)
    timeout("1")  # type: ignore[arg-type]


async def check_backport_timeout() -> None:
    assert_type(backport.timeout(1.0), backport.Timeout)
    assert_type(backport.timeout_at(None), backport.Timeout)
    async with backport.timeout(None) as cm:
        assert_type(cm, backport.Timeout)
        assert_type(cm.when(), Optional[float])
        assert_type(cm.expired(), bool)
        reschedule: Callable[[Optional[float]], None] = cm.reschedule
        reschedule(1.0)


async def check_cancelling() -> None:
    task = asyncio.current_task()
    assert task is not None
    assert_type(cancelling(task), int)
    assert_type(uncancel(task), int)
    assert_type(backport.cancelling(task), int)
    assert_type(backport.uncancel(task), int)
    cancelling(answer())  # type: ignore[arg-type]


def check_run() -> None:
    assert_type(run(answer()), int)
    assert_type(run(name(), debug=True), str)
    assert_type(run(answer(), debug=None, loop_factory=asyncio.new_event_loop), int)
    assert_type(run(answer(), loop_factory=None), int)
    run(answer)  # type: ignore[arg-type]


def check_runner() -> None:
    with Runner() as runner:
        assert_type(runner, Runner)
        assert_type(runner.run(answer()), int)
        assert_type(runner.run(name(), context=contextvars.copy_context()), str)
        assert_type(runner.get_loop(), asyncio.AbstractEventLoop)
    with Runner(debug=True, loop_factory=asyncio.new_event_loop) as runner2:
        assert_type(runner2.run(answer()), int)
    close: Callable[[], None] = Runner(debug=None, loop_factory=None).close
    close()


def check_exception_groups() -> None:
    group = ExceptionGroup("msg", [ValueError(1)])
    assert_type(group, ExceptionGroup[ValueError])
    assert_type(group.message, str)
    base: BaseExceptionGroup[ValueError] = group
    plain: Exception = group
    del base, plain
    match, rest = group.split(ValueError)
    assert match is None or isinstance(match, ExceptionGroup)
    assert rest is None or isinstance(rest, ExceptionGroup)
    ExceptionGroup("msg", [KeyboardInterrupt()])  # type: ignore[type-var]


def check_timeout_error() -> None:
    error = TimeoutError()
    as_builtin: OSError = error
    as_asyncio: asyncio.TimeoutError = error
    del as_builtin, as_asyncio
    assert issubclass(asyncio_compat.TimeoutError, Exception)


def check_catch_and_suppress() -> None:
    def on_value(group: BaseExceptionGroup[ValueError]) -> None:
        del group

    def on_any(group: BaseExceptionGroup[Any]) -> None:
        del group

    handled: ContextManager[None] = catch({ValueError: on_value})
    with handled:
        pass
    with catch({(KeyError, IndexError): on_any, TypeError: lambda group: None}):
        pass
    with suppress(ValueError, KeyError):
        pass
    suppressing: ContextManager[None] = suppress(ValueError)
    with suppressing:
        pass


def check_notes_and_traceback() -> None:
    note: Callable[[BaseException, str], None] = add_note
    exc = ValueError("x")
    note(exc, "a note")
    add_note(exc, 1)  # type: ignore[arg-type]
    assert_type(format_exception(exc), List[str])
    assert_type(format_exception_only(exc), List[str])
    print_exception(exc, file=sys.stderr)
    print_exc(file=sys.stderr)


def check_backport_names_match_public_ones() -> None:
    # The backport's classes and functions fit wherever the public ones are annotated.
    make_group: Callable[[], object] = backport.TaskGroup
    make_timeout: Callable[[Optional[float]], object] = backport.timeout
    count: Callable[[asyncio.Task[Any]], int] = backport.cancelling
    del make_group, make_timeout, count


def check_run_coroutine_type() -> None:
    coro: Coroutine[Any, Any, int] = answer()
    assert_type(run(coro), int)
    assert_type(asyncio_compat.run(answer()), int)


async def check_wait_for() -> None:
    # wait_for returns the awaitable's own type, whatever the awaitable is.
    assert_type(await wait_for(answer(), 1.0), int)
    assert_type(await wait_for(name(), None), str)
    task: asyncio.Task[int] = asyncio.ensure_future(answer())
    assert_type(await wait_for(task, 0), int)
    assert_type(await wait_for(asyncio.sleep(0, 1.5), 0), float)
    future: asyncio.Future[str] = asyncio.get_running_loop().create_future()
    assert_type(await backport.wait_for(future, 1), str)
    awaitable: Awaitable[bytes] = asyncio.sleep(0, b"")
    assert_type(await backport.wait_for(awaitable, 1), bytes)
    await wait_for(answer(), "1")  # type: ignore[arg-type]


async def check_as_completed() -> None:
    # Plain iteration yields coroutines of the results; async iteration yields the given
    # tasks and futures themselves (typeshed #15644 and #15646 get both wrong).
    tasks = [asyncio.ensure_future(answer()), asyncio.ensure_future(answer())]
    for next_done in as_completed(tasks):
        waiting: Coroutine[Any, Any, int] = next_done
        assert_type(await waiting, int)
    async for done in as_completed(tasks):
        assert_type(done, "asyncio.Task[int]")
        assert_type(done.result(), int)
    futures: List[asyncio.Future[str]] = []
    async for fut in backport.as_completed(futures, timeout=1.0):
        assert_type(fut, "asyncio.Future[str]")
    async for made in as_completed([name(), name()]):
        # A Task at run time; typed as the Future it is (see _ascompleted's overloads).
        assert_type(made, "asyncio.Future[str]")
    awaitables: List[Awaitable[bytes]] = []
    async for some in as_completed(awaitables):
        assert_type(await some, bytes)
    for coro in backport.as_completed([name()]):
        assert_type(await coro, str)
    as_completed(answer())  # type: ignore[call-overload]
