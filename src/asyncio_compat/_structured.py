"""The machinery of :mod:`asyncio_compat.structured`: the checks of the arguments, and the
running of the children in a TaskGroup (with a limit, wrapped, and what a child cancelled
before its first step never got to)."""

from __future__ import annotations

import asyncio
import operator
import sys
from inspect import CORO_CREATED, GEN_CREATED, getcoroutinestate, getgeneratorstate
from types import AsyncGeneratorType as _AsyncGeneratorType
from types import CoroutineType as _CoroutineType
from types import GeneratorType as _GeneratorType

from . import TaskGroup

TYPE_CHECKING = False  # typing is not imported at run time (3.14+ asyncio does not)
if TYPE_CHECKING:
    from typing import (
        Any,
        Awaitable,
        Coroutine,
        Dict,
        Iterable,
        List,
        Optional,
        Sequence,
        TypeVar,
        Union,
    )

    _T = TypeVar("_T")
    _Coro = Coroutine[Any, Any, _T]
    _Task = asyncio.Task[_T]

if sys.version_info >= (3, 11):  # 3.11+: PEP 654 exception groups are builtins
    from builtins import BaseExceptionGroup
elif TYPE_CHECKING:
    from exceptiongroup import BaseExceptionGroup
else:
    from ._exceptions import BaseExceptionGroup  # exceptiongroup imported on first need


# --- arguments -------------------------------------------------------------------------


def _close(objects: Iterable[object]) -> None:
    # Coroutines that will never run: closed, they do not warn "never awaited". One that
    # has started is not ours to close (it runs, or ran, elsewhere): it is left alone.
    for obj in objects:
        if type(obj) is _CoroutineType:
            if getcoroutinestate(obj) == CORO_CREATED:
                obj.close()
        elif type(obj) is _GeneratorType:  # a generator-based coroutine
            if getgeneratorstate(obj) == GEN_CREATED:
                obj.close()
        elif asyncio.iscoroutine(obj):
            obj.close()  # type: ignore[attr-defined]


def _check_limit(limit: object, given: Sequence[object]) -> Optional[int]:
    if limit is None:
        return None
    try:
        if isinstance(limit, bool):
            raise TypeError
        value = operator.index(limit)  # type: ignore[arg-type]
    except TypeError:
        _close(given)
        raise TypeError(f"limit must be an int or None, not {type(limit).__name__}") from None
    if value < 1:
        _close(given)
        raise ValueError(f"limit must be at least 1, not {value}")
    return value


async def _await(awaitable: Awaitable[_T]) -> _T:
    # The child that runs an awaitable which is not a coroutine.
    return await awaitable


def _is_awaitable(obj: object) -> bool:
    return asyncio.iscoroutine(obj) or hasattr(type(obj), "__await__")


def _children(name: str, awaitables: Sequence[Awaitable[Any]]) -> Sequence[_Coro[Any]]:
    """The coroutines to run as children, one per awaitable, or TypeError."""
    first_seen: Dict[int, int] = {}
    for index, obj in enumerate(awaitables, 1):
        if not _is_awaitable(obj):
            _close(awaitables)
            raise TypeError(f"{name}() argument {index} is not awaitable: {type(obj).__name__}")
        if asyncio.iscoroutine(obj):
            # A coroutine runs once: the second child would fail with "cannot reuse already
            # awaited coroutine" after the first had started. A future may come twice.
            first = first_seen.setdefault(id(obj), index)
            if first != index:
                _close(awaitables)
                raise TypeError(
                    f"{name}() argument {index} is the coroutine of argument {first}: "
                    f"a coroutine can be awaited only once"
                )
    return [obj if asyncio.iscoroutine(obj) else _await(obj) for obj in awaitables]


def _checked(name: str, obj: Awaitable[_T]) -> Awaitable[_T]:
    # What func returned, if it can be awaited: a clear error here rather than the
    # "object can't be awaited" of an await, which names neither func nor the helper.
    if type(obj) is _CoroutineType or _is_awaitable(obj):
        return obj
    raise TypeError(f"{name}(): func returned {type(obj).__name__}, which is not awaitable")


def _child(name: str, obj: Awaitable[_T], futures: List[Any]) -> _Coro[_T]:
    # The child for what func returned; a future goes on *futures*, for _wind_up().
    if type(obj) is _CoroutineType or asyncio.iscoroutine(obj):
        return obj  # type: ignore[return-value]
    if hasattr(type(obj), "__await__"):
        if asyncio.isfuture(obj):
            futures.append(obj)
        return _await(obj)
    raise TypeError(f"{name}(): func returned {type(obj).__name__}, which is not awaitable")


async def _wind_up(
    coros: Iterable[object] = (),
    futures: Iterable[object] = (),
    iterator: Optional[object] = None,
) -> bool:
    """After the group has exited: what its children never got to.

    A child cancelled before its first step (a contestant that lost to one that won in
    its first step, a block left before the children ran, a sweep of all tasks) never
    ran its body: the coroutine it would have awaited is still unstarted, and the
    future it would have awaited never saw the cancellation. The coroutines are closed
    (no "never awaited" warning); the futures are cancelled and awaited, as the child
    would have done. *iterator*, what amap took from its iterable, is closed if it is
    an (async) generator, as ``contextlib.aclosing()`` or ``closing()`` would: no async
    generator is left to the loop's finalizer (a task of its own, which would outlive
    the call), and a generator's ``finally`` runs before the call returns. (Any other
    iterator is left as it is: a file, say, is not amap's to close.)

    True if the caller was cancelled meanwhile: the waiting goes on, as a TaskGroup's,
    and the caller raises ``CancelledError`` unless an error already propagates.
    """
    _close(coros)
    interrupted = False
    pending = [f for f in futures if asyncio.isfuture(f) and not f.done()]
    for fut in pending:
        fut.cancel()
    while pending:  # all at once: a race of 5,000 tasks won at once must not take 5,000 steps
        try:
            await asyncio.wait(pending)
        except asyncio.CancelledError:
            interrupted = True
        pending = [f for f in pending if not f.done()]
    if type(iterator) is _AsyncGeneratorType:
        await iterator.aclose()  # type: ignore[attr-defined]
    elif type(iterator) is _GeneratorType:
        iterator.close()  # type: ignore[attr-defined]
    return interrupted


# --- running children --------------------------------------------------------------------


def _start(tg: TaskGroup, coros: Iterable[_Coro[Any]]) -> List[_Task[Any]]:
    # One task per coroutine; if starting one fails (an eager child's KeyboardInterrupt,
    # a task factory's error), the coroutines not yet started are closed.
    pending = iter(coros)
    create = tg.create_task
    try:
        # A comprehension: measurably cheaper per child than list(map(...)) here.
        return [create(coro) for coro in pending]
    except BaseException:
        _close(pending)
        raise


class _Slots:
    """How many more children may start now: a semaphore for one waiter, the body."""

    __slots__ = ("_waiter", "free")

    def __init__(self, limit: int) -> None:
        self.free = limit
        self._waiter: Optional[asyncio.Future[None]] = None

    def release(self, task: object) -> None:  # a child's done callback
        self.free += 1
        waiter = self._waiter
        if waiter is not None and not waiter.done():
            waiter.set_result(None)

    async def wait(self) -> None:
        self._waiter = asyncio.get_running_loop().create_future()
        try:
            await self._waiter
        finally:
            self._waiter = None


async def _start_limited(
    tg: TaskGroup, coros: Sequence[_Coro[Any]], limit: int, tasks: List[_Task[Any]]
) -> None:
    # Run in the group's body, in the calling task: it starts the children in order and
    # waits for a free slot before each one past the limit. If the body is interrupted
    # (a child failed, the caller is cancelled), the children not started are closed.
    slots = _Slots(limit)
    started = 0
    try:
        for coro in coros:
            if not slots.free:
                await slots.wait()
            task = tg.create_task(coro)
            started += 1
            slots.free -= 1
            task.add_done_callback(slots.release)
            tasks.append(task)
            del task
    finally:
        _close(coros[started:])


async def _run_all(coros: Sequence[_Coro[Any]], limit: Optional[int]) -> List[_Task[Any]]:
    tasks: List[_Task[Any]] = []
    async with TaskGroup() as tg:
        if limit is None or limit >= len(coros):
            tasks = _start(tg, coros)
        else:
            await _start_limited(tg, coros, limit, tasks)
    return tasks


def _cancellation_error(task: asyncio.Future[Any]) -> BaseException:
    try:
        task.result()
    except asyncio.CancelledError as exc:
        return exc
    raise AssertionError(f"{task!r} is not cancelled")  # pragma: no cover


def _cancelled_children(name: str, tasks: Iterable[asyncio.Future[Any]]) -> BaseException:
    errors = [_cancellation_error(task) for task in tasks if task.cancelled()]
    what = "a child was" if len(errors) == 1 else f"{len(errors)} children were"
    return BaseExceptionGroup(f"{name}(): {what} cancelled, with no result", errors)


async def _settle(coro: _Coro[_T]) -> Union[_T, BaseException]:
    # gather(return_exceptions=True): the child's error is its result; its cancellation,
    # KeyboardInterrupt and SystemExit still end it as they end any task.
    try:
        return await coro
    except (asyncio.CancelledError, KeyboardInterrupt, SystemExit):
        raise
    except BaseException as exc:
        return exc


def _outcome(task: _Task[Any]) -> Any:
    if task.cancelled():
        return _cancellation_error(task)
    return task.result()
