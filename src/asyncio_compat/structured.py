"""Structured replacements for ``asyncio.gather``, all built on a TaskGroup.

``asyncio.gather()`` leaves its other awaitables running when one fails, and its caller
can return while children still run. A ``TaskGroup`` fixes that, but it is not a
drop-in replacement (CPython gh-98641), so code that moves to it writes the same glue
each time. This module is that glue:

- :func:`gather` -- results as a tuple in argument order, typed per argument;
- :func:`amap` -- a bounded, lazy map of an async function over a (sync or async)
  iterable, results as a list in input order;
- :func:`race` -- the first *successful* result; the other contestants are cancelled;
- :func:`as_completed` -- an ``async with`` block that yields each child task as it
  finishes, and cancels the rest when left.

Each helper runs its work as the tasks of ``asyncio_compat.TaskGroup`` (``asyncio``'s own
on 3.15+, the backport before). No child outlives the call. The calling task stays the
calling task (``asyncio.current_task()`` is unchanged). When the caller is cancelled,
every child is cancelled and *awaited* before the ``CancelledError`` propagates, which
``asyncio.gather()`` does not do. When a child fails, its siblings are cancelled and the
errors come out as the group's ``ExceptionGroup``. ``KeyboardInterrupt`` and
``SystemExit`` propagate bare, as a TaskGroup propagates them.

Awaitables: a coroutine becomes a child task itself. Any other awaitable (a future, a
task, an object with ``__await__``) gets a child task that awaits it: cancelling that
child cancels what it awaits, and the child ends only once that has ended. Anything
else is a ``TypeError``, raised before any child starts, as is the same coroutine
given twice; the coroutines given to the call are then closed, so none warns that it
was never awaited (a coroutine that has started elsewhere is left alone).

What a child never got to: a child may be cancelled before its first step (a race won
in its winner's first step, a block left before its children ran, a sweep over all the
tasks). Its body never runs, so the helper sees to what it was given: a coroutine that
never started is closed, and a future or task the child was to await is cancelled and
awaited, as the child would have done, before the helper returns or raises. The one
case no helper can see to is the caller's own task cancelled before the helper's first
step (``task = create_task(gather(a(), b())); task.cancel()`` at once): the helper's
body never runs either, and the coroutines passed warn that they were never awaited,
as the argument of ``asyncio.wait_for()`` does then.

Cancelled children: a TaskGroup does not count a cancelled child as failed, and its
siblings go on. A child cancelled from elsewhere (someone cancelled that task or what it
awaited) has no result, however: ``gather`` and ``amap`` then raise a
``BaseExceptionGroup`` of the children's ``CancelledError`` once all children have ended,
rather than a bare ``CancelledError`` that would look like the caller's own cancellation
(which is what ``asyncio.gather()`` raises). With ``return_exceptions=True`` the
``CancelledError`` sits in that child's slot instead, as with ``asyncio.gather()``.

Names and contexts: the helpers take their awaitables positionally, as
``asyncio.gather()`` does, so there is no place for a ``name=`` or ``context=`` per
child (and ``amap``'s calls, with a *limit*, run in its worker tasks, not tasks of their
own). Each child task runs in a copy of the caller's context and gets asyncio's default
name. To name a child, or run it in a context of your own, create it by hand:
``tg.create_task(coro, name=..., context=...)`` in a ``TaskGroup``
(``examples/structured.py`` shows each helper beside the TaskGroup it replaces).

This module is not imported by ``import asyncio_compat``: it loads with
``from asyncio_compat import structured``.
"""

from __future__ import annotations

__all__ = ["AsCompleted", "amap", "as_completed", "gather", "race"]

import asyncio
import contextvars
import sys
from collections import deque
from types import CoroutineType as _CoroutineType

from . import TaskGroup
from ._structured import (
    _cancellation_error,
    _cancelled_children,
    _check_limit,
    _checked,
    _child,
    _children,
    _close,
    _outcome,
    _run_all,
    _settle,
    _start,
    _wind_up,
)

TYPE_CHECKING = False  # typing is not imported at run time (3.14+ asyncio does not)
if TYPE_CHECKING:
    from typing import (
        Any,
        AsyncIterable,
        Awaitable,
        Callable,
        Coroutine,
        Generic,
        Iterable,
        Iterator,
        List,
        Literal,
        Optional,
        Sequence,
        Tuple,
        TypeVar,
        Union,
        overload,
    )

    from typing_extensions import Self

    _T = TypeVar("_T")
    _T1 = TypeVar("_T1")
    _T2 = TypeVar("_T2")
    _T3 = TypeVar("_T3")
    _T4 = TypeVar("_T4")
    _T5 = TypeVar("_T5")
    _T6 = TypeVar("_T6")
    _T7 = TypeVar("_T7")
    _T8 = TypeVar("_T8")
    _T9 = TypeVar("_T9")
    _T10 = TypeVar("_T10")
    _X = TypeVar("_X")
    _R = TypeVar("_R")
    _Coro = Coroutine[Any, Any, _T]
    _Task = asyncio.Task[_T]
    _BE = BaseException
else:

    class Generic:
        # ``class AsCompleted(Generic[_T])`` without importing typing: the base is object.
        def __class_getitem__(cls, item: object) -> type:
            return object

    _T = None


if sys.version_info >= (3, 11):  # 3.11+: PEP 654 exception groups are builtins
    from builtins import BaseExceptionGroup
elif TYPE_CHECKING:
    from exceptiongroup import BaseExceptionGroup
else:
    from ._exceptions import BaseExceptionGroup  # exceptiongroup imported on first need


# --- gather --------------------------------------------------------------------------------

if TYPE_CHECKING:

    @overload
    async def gather(
        aw1: Awaitable[_T1],
        /,
        *,
        return_exceptions: Literal[False] = False,
        limit: Optional[int] = None,
    ) -> Tuple[_T1]: ...
    @overload
    async def gather(
        aw1: Awaitable[_T1],
        aw2: Awaitable[_T2],
        /,
        *,
        return_exceptions: Literal[False] = False,
        limit: Optional[int] = None,
    ) -> Tuple[_T1, _T2]: ...
    @overload
    async def gather(
        aw1: Awaitable[_T1],
        aw2: Awaitable[_T2],
        aw3: Awaitable[_T3],
        /,
        *,
        return_exceptions: Literal[False] = False,
        limit: Optional[int] = None,
    ) -> Tuple[_T1, _T2, _T3]: ...
    @overload
    async def gather(
        aw1: Awaitable[_T1],
        aw2: Awaitable[_T2],
        aw3: Awaitable[_T3],
        aw4: Awaitable[_T4],
        /,
        *,
        return_exceptions: Literal[False] = False,
        limit: Optional[int] = None,
    ) -> Tuple[_T1, _T2, _T3, _T4]: ...
    @overload
    async def gather(
        aw1: Awaitable[_T1],
        aw2: Awaitable[_T2],
        aw3: Awaitable[_T3],
        aw4: Awaitable[_T4],
        aw5: Awaitable[_T5],
        /,
        *,
        return_exceptions: Literal[False] = False,
        limit: Optional[int] = None,
    ) -> Tuple[_T1, _T2, _T3, _T4, _T5]: ...
    @overload
    async def gather(
        aw1: Awaitable[_T1],
        aw2: Awaitable[_T2],
        aw3: Awaitable[_T3],
        aw4: Awaitable[_T4],
        aw5: Awaitable[_T5],
        aw6: Awaitable[_T6],
        /,
        *,
        return_exceptions: Literal[False] = False,
        limit: Optional[int] = None,
    ) -> Tuple[_T1, _T2, _T3, _T4, _T5, _T6]: ...
    @overload
    async def gather(
        aw1: Awaitable[_T1],
        aw2: Awaitable[_T2],
        aw3: Awaitable[_T3],
        aw4: Awaitable[_T4],
        aw5: Awaitable[_T5],
        aw6: Awaitable[_T6],
        aw7: Awaitable[_T7],
        /,
        *,
        return_exceptions: Literal[False] = False,
        limit: Optional[int] = None,
    ) -> Tuple[_T1, _T2, _T3, _T4, _T5, _T6, _T7]: ...
    @overload
    async def gather(
        aw1: Awaitable[_T1],
        aw2: Awaitable[_T2],
        aw3: Awaitable[_T3],
        aw4: Awaitable[_T4],
        aw5: Awaitable[_T5],
        aw6: Awaitable[_T6],
        aw7: Awaitable[_T7],
        aw8: Awaitable[_T8],
        /,
        *,
        return_exceptions: Literal[False] = False,
        limit: Optional[int] = None,
    ) -> Tuple[_T1, _T2, _T3, _T4, _T5, _T6, _T7, _T8]: ...
    @overload
    async def gather(
        aw1: Awaitable[_T1],
        aw2: Awaitable[_T2],
        aw3: Awaitable[_T3],
        aw4: Awaitable[_T4],
        aw5: Awaitable[_T5],
        aw6: Awaitable[_T6],
        aw7: Awaitable[_T7],
        aw8: Awaitable[_T8],
        aw9: Awaitable[_T9],
        /,
        *,
        return_exceptions: Literal[False] = False,
        limit: Optional[int] = None,
    ) -> Tuple[_T1, _T2, _T3, _T4, _T5, _T6, _T7, _T8, _T9]: ...
    @overload
    async def gather(
        aw1: Awaitable[_T1],
        aw2: Awaitable[_T2],
        aw3: Awaitable[_T3],
        aw4: Awaitable[_T4],
        aw5: Awaitable[_T5],
        aw6: Awaitable[_T6],
        aw7: Awaitable[_T7],
        aw8: Awaitable[_T8],
        aw9: Awaitable[_T9],
        aw10: Awaitable[_T10],
        /,
        *,
        return_exceptions: Literal[False] = False,
        limit: Optional[int] = None,
    ) -> Tuple[_T1, _T2, _T3, _T4, _T5, _T6, _T7, _T8, _T9, _T10]: ...
    @overload
    async def gather(
        aw1: Awaitable[_T1], /, *, return_exceptions: bool, limit: Optional[int] = None
    ) -> Tuple[Union[_T1, _BE]]: ...
    @overload
    async def gather(
        aw1: Awaitable[_T1],
        aw2: Awaitable[_T2],
        /,
        *,
        return_exceptions: bool,
        limit: Optional[int] = None,
    ) -> Tuple[Union[_T1, _BE], Union[_T2, _BE]]: ...
    @overload
    async def gather(
        aw1: Awaitable[_T1],
        aw2: Awaitable[_T2],
        aw3: Awaitable[_T3],
        /,
        *,
        return_exceptions: bool,
        limit: Optional[int] = None,
    ) -> Tuple[Union[_T1, _BE], Union[_T2, _BE], Union[_T3, _BE]]: ...
    @overload
    async def gather(
        aw1: Awaitable[_T1],
        aw2: Awaitable[_T2],
        aw3: Awaitable[_T3],
        aw4: Awaitable[_T4],
        /,
        *,
        return_exceptions: bool,
        limit: Optional[int] = None,
    ) -> Tuple[Union[_T1, _BE], Union[_T2, _BE], Union[_T3, _BE], Union[_T4, _BE]]: ...
    @overload
    async def gather(
        aw1: Awaitable[_T1],
        aw2: Awaitable[_T2],
        aw3: Awaitable[_T3],
        aw4: Awaitable[_T4],
        aw5: Awaitable[_T5],
        /,
        *,
        return_exceptions: bool,
        limit: Optional[int] = None,
    ) -> Tuple[
        Union[_T1, _BE], Union[_T2, _BE], Union[_T3, _BE], Union[_T4, _BE], Union[_T5, _BE]
    ]: ...
    @overload
    async def gather(
        aw1: Awaitable[_T1],
        aw2: Awaitable[_T2],
        aw3: Awaitable[_T3],
        aw4: Awaitable[_T4],
        aw5: Awaitable[_T5],
        aw6: Awaitable[_T6],
        /,
        *,
        return_exceptions: bool,
        limit: Optional[int] = None,
    ) -> Tuple[
        Union[_T1, _BE],
        Union[_T2, _BE],
        Union[_T3, _BE],
        Union[_T4, _BE],
        Union[_T5, _BE],
        Union[_T6, _BE],
    ]: ...
    @overload
    async def gather(
        *aws: Awaitable[_T], return_exceptions: Literal[False] = False, limit: Optional[int] = None
    ) -> Tuple[_T, ...]: ...
    @overload
    async def gather(
        *aws: Awaitable[_T], return_exceptions: bool, limit: Optional[int] = None
    ) -> Tuple[Union[_T, _BE], ...]: ...


async def gather(  # type: ignore[misc]
    *aws: Awaitable[Any], return_exceptions: bool = False, limit: Optional[int] = None
) -> Tuple[Any, ...]:
    """Run the awaitables concurrently as the tasks of a TaskGroup; return their results.

    The results come as a tuple in argument order, typed per argument (up to 10
    arguments; beyond, ``tuple[T, ...]``). When a child fails, the others are cancelled,
    all are awaited, and the errors are raised as the group's ``ExceptionGroup``
    (``BaseExceptionGroup`` if one is not an ``Exception``). When the caller is
    cancelled, every child is cancelled and awaited before ``CancelledError`` propagates.

    *return_exceptions*: if true, no child is cancelled for another's error: each slot
    holds the child's result or the exception it raised, its ``CancelledError`` if it was
    cancelled from elsewhere (as with ``asyncio.gather()``). ``KeyboardInterrupt`` and
    ``SystemExit`` still propagate, and the caller's own cancellation still cancels every
    child and propagates.

    *limit*: at most this many children run at once, started in argument order; the
    others wait, not yet started. ``None`` (the default) starts them all at once.

    Unlike ``asyncio.gather()``, a child cancelled from elsewhere does not make the
    caller look cancelled: once the others have ended, a ``BaseExceptionGroup`` holds its
    ``CancelledError`` (see the module's documentation). A coroutine may be passed only
    once (twice is a ``TypeError``); a future or task may be passed more than once. An
    argument that is not awaitable, or a *limit* that is not a positive int, raises
    ``TypeError`` or ``ValueError`` before anything starts, and closes the coroutines
    passed. A coroutine whose child never started (cancelled first) is closed; a future
    or task whose child never awaited it is cancelled and awaited before gather returns.

    There is no ``name=`` or ``context=`` per child: the awaitables are positional, as in
    ``asyncio.gather()``. For them, create the tasks in a ``TaskGroup`` by hand.
    """
    coros: Sequence[_Coro[Any]] = aws  # type: ignore[assignment]
    for aw in aws:
        if type(aw) is not _CoroutineType:
            coros = _children("gather", aws)
            break
    else:
        if len(set(aws)) < len(aws):  # the same coroutine twice: _children() says which
            _children("gather", aws)
    if limit is not None:
        limit = _check_limit(limit, coros)
    if return_exceptions or coros is not aws:
        # Wrapped children (_settle, _await) may be cancelled before their first step,
        # leaving what they wrap unstarted: _wind_up() sees to it.
        children = list(map(_settle, coros)) if return_exceptions else coros
        try:
            tasks = await _run_all(children, limit)
        except BaseException:
            await _wind_up(coros, aws)
            raise
        if await _wind_up(coros, aws):
            raise asyncio.CancelledError
        if return_exceptions:
            return tuple([_outcome(t) for t in tasks])
    elif limit is not None and limit < len(coros):
        tasks = await _run_all(coros, limit)
    else:
        # The hot path: one task per argument, no wrapper, nothing per child but the task.
        tasks = []
        async with TaskGroup() as tg:
            tasks = _start(tg, coros)
    try:
        return tuple([t.result() for t in tasks])
    except asyncio.CancelledError:
        raise _cancelled_children("gather", tasks) from None


# --- amap ----------------------------------------------------------------------------------


async def _work(
    func: Callable[[Any], Awaitable[Any]],
    pairs: Iterator[Tuple[int, Any]],
    results: List[Any],
    index: int,
    item: Any,
) -> None:
    # One of amap's workers: it maps its first item, then takes the next ones from the
    # iterator the workers share, until it is exhausted.
    results[index] = await _checked("amap", func(item))
    append = results.append
    for index, item in pairs:
        append(None)
        results[index] = await _checked("amap", func(item))


class _AsyncSource:
    """An async iterator shared by amap's workers: one ``__anext__`` at a time."""

    __slots__ = ("_anext", "_lock", "exhausted", "iterator", "results")

    def __init__(self, iterable: AsyncIterable[Any], results: List[Any]) -> None:
        iterator = type(iterable).__aiter__(iterable)
        if not hasattr(type(iterator), "__anext__"):
            raise TypeError(
                f"amap() argument 2's __aiter__() returned {type(iterator).__name__}, "
                f"which is not an async iterator"
            )
        self.iterator = iterator
        self._anext = iterator.__anext__
        self._lock = asyncio.Lock()
        self.exhausted = False
        self.results = results

    async def next(self) -> Optional[Tuple[int, Any]]:
        """The next item and the index of its result, or None once exhausted."""
        async with self._lock:
            if self.exhausted:
                return None
            try:
                item = await self._anext()
            except StopAsyncIteration:
                self.exhausted = True
                return None
            results = self.results
            results.append(None)
            return len(results) - 1, item


async def _async_work(
    func: Callable[[Any], Awaitable[Any]], source: _AsyncSource, index: int, item: Any
) -> None:
    results = source.results
    while True:
        results[index] = await _checked("amap", func(item))
        pair = await source.next()
        if pair is None:
            return
        index, item = pair


async def amap(
    func: Callable[[_X], Awaitable[_R]],
    iterable: Union[Iterable[_X], AsyncIterable[_X]],
    /,
    *,
    limit: Optional[int] = None,
) -> List[_R]:
    """Await ``func(item)`` for each item of *iterable*, concurrently; return the results.

    The results come as a list in input order. *iterable* may be a plain or an async
    iterable; it is consumed lazily, as calls finish.

    *limit*: at most this many calls in flight. ``limit`` worker tasks of a TaskGroup
    each await one call at a time, taking the next item as they finish, so memory is
    bounded by *limit* and not by the input's length (apart from the result list). The
    calls of one worker run in that worker's task, one after the other: a context
    variable one call sets is seen by the worker's later calls, and
    ``asyncio.current_task()`` is the worker. ``None`` (the default): each call gets a
    task of its own, all started at once (for an async iterable, as its items arrive).

    Failure is as for :func:`gather`: the first error cancels the other calls and the
    workers, and all errors come out as an ``ExceptionGroup``; the caller's cancellation
    cancels and awaits them all. A call cancelled from elsewhere has no result: the other
    calls go on, then a ``BaseExceptionGroup`` holds its ``CancelledError``. A *func*
    that is not callable, an *iterable* that is not iterable (or whose ``__aiter__``
    returns no async iterator), or a bad *limit* raises ``TypeError``/``ValueError``
    before anything starts. A *func* result that cannot be awaited fails its call with
    ``TypeError("amap(): func returned int, which is not awaitable")``, with or without
    a *limit*; a future *func* returned whose child never ran (amap stopped first) is
    cancelled and awaited.

    amap owns the iteration it starts: when it stops before the end (a call failed, the
    caller was cancelled), it closes the generator or async generator it was iterating
    -- ``await agen.aclose()`` -- before it returns, as ``contextlib.aclosing()`` would.
    The generator's ``finally`` runs then, in the caller's task, and no task of the
    loop's async-generator finalizer outlives the call. Any other iterator (a file, an
    iterator of one's own) is left as it is.

    The name: ``amap``, not ``map``, so that ``from asyncio_compat.structured import *``
    does not shadow the builtin. anyio 4.16 has an ``amap(func, args)`` with the same
    shape and results, without a limit; aiometer's ``amap(func, args, max_at_once=...)``
    is an async context manager that yields results in completion order, and its
    ``run_all`` takes the limit and returns a list in input order.
    """
    if not callable(func):
        raise TypeError(f"amap() argument 1 must be callable, not {type(func).__name__}")
    if limit is not None:
        limit = _check_limit(limit, ())
    if hasattr(type(iterable), "__aiter__"):
        return await _amap_async(func, iterable, limit)  # type: ignore[arg-type]
    try:
        iterator = iter(iterable)  # type: ignore[arg-type]
    except TypeError:
        raise TypeError(
            f"amap() argument 2 must be an iterable or an async iterable, "
            f"not {type(iterable).__name__}"
        ) from None
    futures: List[Any] = []
    if limit is None:
        tasks: List[_Task[Any]] = []
        try:
            async with TaskGroup() as tg:
                create = tg.create_task
                for item in iterator:
                    tasks.append(create(_child("amap", func(item), futures)))
        except BaseException:
            await _wind_up((), futures, iterator)
            raise
        if await _wind_up((), futures, iterator):
            raise asyncio.CancelledError
        return _results_of("amap", tasks)

    results: List[Any] = []
    workers: List[_Task[None]] = []
    pairs = enumerate(iterator)
    try:
        async with TaskGroup() as tg:
            # Each worker starts with an item of its own: no idle worker for a short input.
            for index, item in pairs:
                results.append(None)
                workers.append(tg.create_task(_work(func, pairs, results, index, item)))
                if len(workers) == limit:
                    break
    except BaseException:
        await _wind_up((), (), iterator)
        raise
    if await _wind_up((), (), iterator):
        raise asyncio.CancelledError
    if any(worker.cancelled() for worker in workers):
        raise _cancelled_children("amap", workers)
    return results


async def _amap_async(
    func: Callable[[Any], Awaitable[Any]], iterable: AsyncIterable[Any], limit: Optional[int]
) -> List[Any]:
    results: List[Any] = []
    source = _AsyncSource(iterable, results)
    tasks: List[_Task[Any]] = []
    futures: List[Any] = []
    try:
        async with TaskGroup() as tg:
            if limit is None:
                create = tg.create_task
                while True:
                    pair = await source.next()
                    if pair is None:
                        break
                    tasks.append(create(_child("amap", func(pair[1]), futures)))
            else:
                while len(tasks) < limit:
                    pair = await source.next()
                    if pair is None:
                        break
                    tasks.append(tg.create_task(_async_work(func, source, *pair)))
    except BaseException:
        await _wind_up((), futures, source.iterator)
        raise
    if await _wind_up((), futures, source.iterator):
        raise asyncio.CancelledError
    if limit is None:
        return _results_of("amap", tasks)
    if any(task.cancelled() for task in tasks):
        raise _cancelled_children("amap", tasks)
    return results


def _results_of(name: str, tasks: List[_Task[Any]]) -> List[Any]:
    try:
        return [t.result() for t in tasks]
    except asyncio.CancelledError:
        raise _cancelled_children(name, tasks) from None


# --- race ----------------------------------------------------------------------------------


class _Race:
    __slots__ = ("errors", "group", "value", "won")

    def __init__(self, contestants: int) -> None:
        self.won = False
        self.value: Any = None
        self.group: Optional[TaskGroup] = None
        self.errors: List[Optional[BaseException]] = [None] * contestants


async def _contestant(race: _Race, index: int, coro: _Coro[Any]) -> None:
    try:
        value = await coro
    except Exception as exc:
        # An ordinary error loses this contestant the race, and ends nothing else.
        race.errors[index] = exc
        return
    if not race.won:
        race.won = True
        race.value = value
        assert race.group is not None
        race.group.cancel()


if TYPE_CHECKING:

    @overload
    async def race(aw1: Awaitable[_T1], /) -> _T1: ...
    @overload
    async def race(aw1: Awaitable[_T1], aw2: Awaitable[_T2], /) -> Union[_T1, _T2]: ...
    @overload
    async def race(
        aw1: Awaitable[_T1], aw2: Awaitable[_T2], aw3: Awaitable[_T3], /
    ) -> Union[_T1, _T2, _T3]: ...
    @overload
    async def race(
        aw1: Awaitable[_T1], aw2: Awaitable[_T2], aw3: Awaitable[_T3], aw4: Awaitable[_T4], /
    ) -> Union[_T1, _T2, _T3, _T4]: ...
    @overload
    async def race(
        aw1: Awaitable[_T1],
        aw2: Awaitable[_T2],
        aw3: Awaitable[_T3],
        aw4: Awaitable[_T4],
        aw5: Awaitable[_T5],
        /,
    ) -> Union[_T1, _T2, _T3, _T4, _T5]: ...
    @overload
    async def race(
        aw1: Awaitable[_T1],
        aw2: Awaitable[_T2],
        aw3: Awaitable[_T3],
        aw4: Awaitable[_T4],
        aw5: Awaitable[_T5],
        aw6: Awaitable[_T6],
        /,
    ) -> Union[_T1, _T2, _T3, _T4, _T5, _T6]: ...
    @overload
    async def race(*aws: Awaitable[_T]) -> _T: ...


async def race(*aws: Awaitable[Any]) -> Any:  # type: ignore[misc]
    """Run the awaitables concurrently; return the first *successful* result.

    As soon as one contestant returns, the others are cancelled and awaited, and its
    value is returned. A contestant that raises an ``Exception`` (or is cancelled from
    elsewhere) loses, and the others race on. If every contestant loses, their errors
    come out together, in argument order, as an ``ExceptionGroup`` (a
    ``BaseExceptionGroup`` if one of them is a ``CancelledError``). A ``BaseException``
    that is not an ``Exception`` -- ``KeyboardInterrupt``, ``SystemExit``, ... -- ends the
    race as it ends a TaskGroup. When the caller is cancelled, every contestant is
    cancelled and awaited before ``CancelledError`` propagates. With no awaitable,
    ``ValueError``; an argument that is not awaitable, or a coroutine given twice, raises
    ``TypeError`` before anything starts, closing the coroutines passed. A contestant
    that had not started when the race was won (the winner won in its first step, a
    cache hit) is closed if it is a coroutine, and cancelled and awaited if it is a task
    or future.

    Why the first success and not the first completion: a race asks several sources for
    the same answer (mirrors, replicas, a cache and a database) so that one slow or
    broken source cannot hold the caller up. If the first one to finish may fail the
    whole race, one broken source does exactly that. Where any error should end the
    race, write it as a ``TaskGroup`` whose winner calls ``tg.cancel()``: a failing
    child then stops the group, as always.

    The peers: trio has no race; its idiom is a nursery whose tasks each store their
    result and cancel the nursery's cancel scope, so the first to *finish* wins, and an
    error propagates out of the nursery. anyio has no race either (it has ``gather`` and
    ``as_completed`` from 4.16); the idiom is a task group and
    ``tg.cancel_scope.cancel()``, with trio's semantics. aiotools has
    ``race(coros, *, continue_on_error=False)``: by default the first to complete wins,
    an error included (JavaScript's ``Promise.race``); with ``continue_on_error=True``
    the first success wins and it returns the errors seen before it, raising an
    ``ExceptionGroup`` if all fail (this is ``Promise.any``, and this function); it
    needs Python 3.11+. Here ``tg.cancel()`` (Python 3.15's, backported) ends the race
    on every version.
    """
    coros = _children("race", aws)
    if not coros:
        raise ValueError("race() needs at least one awaitable")
    state = _Race(len(coros))
    tasks: List[_Task[None]] = []
    try:
        try:
            async with TaskGroup() as tg:
                state.group = tg
                pending = iter(enumerate(coros))
                try:
                    for index, coro in pending:
                        if state.won:  # an eager contestant has already won
                            coro.close()
                            continue
                        tasks.append(tg.create_task(_contestant(state, index, coro)))
                except BaseException:
                    _close(coro for _, coro in pending)
                    raise
        except BaseException:
            await _wind_up(coros, aws)
            raise
        # A winner in its first step cancels the contestants that have not started yet:
        # what they would have awaited is closed, or cancelled and awaited, here.
        if await _wind_up(coros, aws):
            raise asyncio.CancelledError
        if state.won:
            return state.value
        errors = [
            error if error is not None else _cancellation_error(task)
            for error, task in zip(state.errors, tasks)
        ]
        raise BaseExceptionGroup("race(): every contestant failed", errors)
    finally:
        # The errors' tracebacks hold the contestants' frames, and they this state.
        state.group = state.value = None
        state.errors = []


# --- as_completed --------------------------------------------------------------------------

_NEW, _ENTERED, _EXITED = 0, 1, 2


class AsCompleted(Generic[_T]):
    """What :func:`as_completed` returns: an async context manager to iterate.

    ``async with as_completed(*aws) as done`` starts the children in a TaskGroup;
    ``async for task in done`` yields each child task as it finishes. Leaving the block
    cancels the children still running and awaits them.
    """

    def __init__(
        self, coros: Sequence[_Coro[_T]], limit: Optional[int], futures: Sequence[Any] = ()
    ) -> None:
        self._coros: Sequence[_Coro[_T]] = coros  # in argument order, the unstarted last
        # The futures given, for _wind_up(): a child cancelled before its first step (the
        # block left at once) never passed the cancellation on to its future.
        self._futures = futures
        self._started = 0
        self._running = 0
        self._limit = limit
        self._state = _NEW
        self._group: Optional[TaskGroup] = None
        self._context: Optional[contextvars.Context] = None
        self._finished: deque[_Task[_T]] = deque()
        self._to_yield = len(coros)
        self._waiter: Optional[asyncio.Future[None]] = None

    def __repr__(self) -> str:
        state = ("new", "entered", "exited")[self._state]
        return f"<AsCompleted {state} running={self._running} to_yield={self._to_yield}>"

    async def __aenter__(self) -> Self:
        if self._state != _NEW:
            raise RuntimeError("as_completed() can be entered only once")
        self._state = _ENTERED
        group = TaskGroup()
        try:
            await group.__aenter__()
        except BaseException:
            self._state = _EXITED
            self._close_unstarted()
            raise
        self._group = group
        # Children started later, from a done callback, start in this context too.
        self._context = contextvars.copy_context()
        first = len(self._coros) if self._limit is None else min(self._limit, len(self._coros))
        try:
            for _ in range(first):
                self._start_next()
        except BaseException as error:
            # (An eager child's KeyboardInterrupt.) The block will not run, nor exit: the
            # group exits here, awaiting the children already started.
            self._state = _EXITED
            self._close_unstarted()
            try:
                try:
                    await group.__aexit__(type(error), error, error.__traceback__)
                finally:
                    await _wind_up((), self._futures)
                raise
            finally:
                self._group = None
                error = None  # type: ignore[assignment]
        return self

    async def __aexit__(self, et: Any, exc: Any, tb: Any) -> Optional[bool]:
        self._state = _EXITED
        self._close_unstarted()
        group = self._group
        assert group is not None
        if et is None and self._running:
            # Left early (break, return): the rest is cancelled, without an error.
            group.cancel()
        try:
            try:
                suppress = await group.__aexit__(et, exc, tb)
            except BaseException:
                await _wind_up((), self._futures)
                raise
            if await _wind_up((), self._futures) and (et is None or suppress):
                raise asyncio.CancelledError
            return suppress
        finally:
            self._group = None
            self._coros = self._futures = ()
            self._finished.clear()
            exc = tb = None

    def __aiter__(self) -> Self:
        self._check_iterable()
        return self

    async def __anext__(self) -> _Task[_T]:
        self._check_iterable()
        finished = self._finished
        while not finished:
            if not self._to_yield:
                raise StopAsyncIteration
            self._waiter = asyncio.get_running_loop().create_future()
            try:
                await self._waiter
            finally:
                self._waiter = None
        self._to_yield -= 1
        return finished.popleft()

    def _check_iterable(self) -> None:
        if self._state == _NEW:
            self._state = _EXITED
            self._close_unstarted()
            raise RuntimeError(
                "as_completed() must be entered before it is iterated: "
                "async with as_completed(...) as done: async for task in done: ..."
            )
        if self._state == _EXITED:
            raise RuntimeError("as_completed() is iterated after its block has exited")

    def _start_next(self) -> None:
        assert self._group is not None
        coro = self._coros[self._started]
        self._started += 1
        task = self._group.create_task(coro)
        self._running += 1
        task.add_done_callback(self._on_done, context=self._context)

    def _on_done(self, task: _Task[_T]) -> None:
        self._running -= 1
        self._finished.append(task)
        waiter = self._waiter
        if waiter is not None and not waiter.done():
            waiter.set_result(None)
        if self._state == _ENTERED and self._started < len(self._coros):
            try:
                self._start_next()
            except RuntimeError:
                # The group is shutting down (a child failed): nothing more starts.
                self._close_unstarted()

    def _close_unstarted(self) -> None:
        unstarted = self._coros[self._started :]
        self._to_yield -= len(unstarted)
        self._coros = self._coros[: self._started]
        _close(unstarted)


if TYPE_CHECKING:
    pass
elif sys.version_info >= (3, 9):  # 3.9+: PEP 585, AsCompleted[int] as asyncio.Future[int] is
    from types import GenericAlias

    AsCompleted.__class_getitem__ = classmethod(GenericAlias)
else:
    AsCompleted.__class_getitem__ = classmethod(lambda cls, item: cls)


def as_completed(*aws: Awaitable[_T], limit: Optional[int] = None) -> AsCompleted[_T]:
    """Run the awaitables as the tasks of a TaskGroup; iterate over them as they finish.

    Use it as an async context manager, and iterate over what it gives::

        async with structured.as_completed(fetch(a), fetch(b), fetch(c)) as done:
            async for task in done:
                print(task.result())
                if good_enough(task.result()):
                    break  # the others are cancelled and awaited

    Each child task is yielded once it has finished: ``task.result()`` does not wait.
    Leaving the block -- the iteration's end, ``break``, ``return``, an error, a
    cancellation -- cancels the children still running, and awaits them all before the
    block exits. A child that fails stops everything as in a TaskGroup: the others are
    cancelled, the block is interrupted, and the errors come out of ``async with`` as an
    ``ExceptionGroup``; an error the code expects belongs inside the child. A child
    cancelled from elsewhere is yielded cancelled.

    *limit*: at most this many children run at once, started in argument order as
    others finish. To tell the tasks apart, have each child return what identifies its
    work (or compare ``task.get_coro()`` with the coroutines passed). Iterating outside
    the ``async with`` block raises ``RuntimeError``. An argument that is not awaitable,
    a coroutine given twice, or a bad *limit*, raises ``TypeError``/``ValueError`` at
    once, closing the coroutines passed. A task or future given whose child had not
    started when the block was left is cancelled and awaited before the block exits.

    Not to be confused with ``asyncio_compat.as_completed``, the stdlib's function (or
    its backport), which yields awaitables and leaves the unfinished tasks running when
    the loop is left.
    """
    coros = _children("as_completed", aws)
    if limit is not None:
        limit = _check_limit(limit, coros)
    return AsCompleted(coros, limit, [aw for aw in aws if asyncio.isfuture(aw)])
