"""as_completed() with the behaviour of CPython 3.14 and newer.

3.13 made ``as_completed()``'s result an asynchronous iterator too, which yields the
tasks and futures it was given, so that a result can be matched to its input
(gh-77714); 3.14 made a wait that is cancelled give its place back, so that no result
is lost from the count, and recorded the awaited-by links of ``asyncio.graph``.
"""

from __future__ import annotations

__all__ = ["as_completed"]

import asyncio
import collections
import inspect
import sys
import threading
from asyncio import futures as _futures

from ._awaitedby import AWAITED_BY

TYPE_CHECKING = False  # typing is not imported at run time (3.14+ asyncio does not)
if TYPE_CHECKING:
    from typing import (
        Any,
        Awaitable,
        Coroutine,
        Deque,
        Generic,
        Iterable,
        NoReturn,
        Optional,
        Set,
        TypeVar,
        overload,
    )

    from typing_extensions import Self

    _T = TypeVar("_T")
    _F = TypeVar("_F", bound="asyncio.Future[Any]", covariant=True)
else:
    _T = _F = None

    class Generic:
        """``AsCompleted[...]`` at run time, without importing typing."""

        __slots__ = ()

        def __class_getitem__(cls, params: object) -> type:
            return cls


# bpo-46771 (3.11) made asyncio.TimeoutError the builtin; before, ours subclasses both
if sys.version_info >= (3, 11):
    from builtins import TimeoutError
else:
    from ._exceptions import TimeoutError

_get_running_loop = asyncio._get_running_loop


class Queue:
    """The done futures of one ``as_completed()``, first in first out: named, and read
    through ``get()``, as the ``asyncio.Queue`` of 3.14's, so that a call graph shows the
    same frames; and lighter. A wait that is cancelled leaves nothing behind (its future
    is dropped, as 3.14's queue drops it: polling with ``wait_for(anext(it), t)`` must not
    pile them up), and hands the item it may have been woken for to the next one."""

    __slots__ = ("_getters", "_items", "_loop", "_stale")

    def __init__(self, loop: asyncio.AbstractEventLoop) -> None:
        self._loop = loop
        self._items: Deque[Optional[asyncio.Future[Any]]] = collections.deque()
        # Waits blocked on no item, first come first served (as asyncio.Queue's).
        self._getters: Deque[asyncio.Future[None]] = collections.deque()
        # How many of the getters may be cancelled ones, left to be dropped together.
        self._stale = 0

    def put_nowait(self, item: Optional[asyncio.Future[Any]]) -> None:
        self._items.append(item)
        self._wake()

    async def get(self) -> Optional[asyncio.Future[Any]]:
        # Until there is an item for us; it is taken with no suspension between.
        while not self._items:
            getter = self._loop.create_future()
            self._getters.append(getter)
            try:
                await getter
            except BaseException:
                if getter.cancel() or getter.cancelled():
                    self._drop_cancelled()
                elif self._items:
                    # Woken for an item it will not take: the item goes to the next wait.
                    # (If a wait that did not queue took it meanwhile, no one is woken: a
                    # wait woken for nothing would queue again, behind the others.)
                    self._wake()
                raise
        return self._items.popleft()

    def _drop_cancelled(self) -> None:
        # Once half the getters may be cancelled, the queue keeps only the others: as
        # little is kept as with a removal per cancelled wait, but 5,000 waits cancelled
        # in the reverse order of their arrival cost 5,000 steps, not 12.5 million.
        self._stale += 1
        if self._stale * 2 >= len(self._getters):
            self._getters = collections.deque([g for g in self._getters if not g.done()])
            self._stale = 0

    def _wake(self) -> None:
        getters = self._getters
        while getters:
            getter = getters.popleft()
            if not getter.done():
                getter.set_result(None)
                return


class _AsCompletedIterator(Generic[_T, _F]):
    """What :func:`as_completed` returns: both an iterator and an asynchronous iterator.

    ``async for`` yields each given task or future (or the task made for a coroutine)
    as it finishes. ``for`` yields coroutines instead, each of which returns the result
    (or raises the exception) of the next awaitable to finish.
    """

    # Named, and waiting in Queue.get(), as 3.14's: a call graph shows the same frames
    # (_AsCompletedIterator.__anext__, _wait_for_one, Queue.get) for both.
    __slots__ = ("_done", "_left", "_task", "_timeout_handle", "_todo")

    def __init__(self, aws: Iterable[Awaitable[Any]], timeout: Optional[float]) -> None:
        loop = _get_running_loop() or _no_running_loop()
        # The awaitables' done futures, or None for each one the timeout cut off.
        self._done = Queue(loop)
        self._timeout_handle: Optional[asyncio.TimerHandle] = None
        # The task that awaits the awaitables until each is done (3.14's link): recorded
        # through the hooks from 3.14, read from _on_completion's self before.
        self._task = asyncio.current_task(loop)
        todo: Set[asyncio.Future[Any]] = {asyncio.ensure_future(aw, loop=loop) for aw in set(aws)}
        # One bound method for all: one each would be as many more objects for the garbage
        # collector to track, which costs a full collection per 10,000 awaitables on 3.11/3.12.
        on_completion = self._on_completion
        for fut in todo:
            fut.add_done_callback(on_completion)
            if AWAITED_BY:  # looked up at each call, as the stdlib's (its tests swap it)
                _futures.future_add_to_awaited_by(fut, self._task)  # type: ignore[attr-defined]
        if todo and timeout is not None:
            self._timeout_handle = loop.call_later(timeout, self._on_timeout)
        self._todo = todo
        # How many more items iteration hands out (a wait cancelled gives its place back).
        self._left = len(todo)

    def __iter__(self) -> Self:
        return self

    def __aiter__(self) -> Self:
        return self

    def __next__(self) -> Coroutine[Any, Any, _T]:
        if not self._left:
            raise StopIteration
        self._left -= 1
        return self._wait_for_one(resolve=True)  # type: ignore[return-value]

    async def __anext__(self) -> _F:
        if not self._left:
            raise StopAsyncIteration
        self._left -= 1
        return await self._wait_for_one()  # type: ignore[no-any-return]

    async def _wait_for_one(self, resolve: bool = False) -> Any:
        done = self._done
        if done._items:  # no need to wait: no coroutine for get()
            fut = done._items.popleft()
        else:
            try:
                fut = await done.get()
            except BaseException:
                # 3.14: a cancelled wait gives its place back.
                self._left += 1
                raise
        if fut is None:
            raise TimeoutError
        return fut.result() if resolve else fut

    def _on_completion(self, fut: asyncio.Future[Any]) -> None:
        if not self._todo:
            return  # the timeout came first
        self._todo.remove(fut)
        if AWAITED_BY:
            _futures.future_discard_from_awaited_by(fut, self._task)  # type: ignore[attr-defined]
        self._done.put_nowait(fut)
        if not self._todo and self._timeout_handle is not None:
            self._timeout_handle.cancel()

    def _on_timeout(self) -> None:
        for fut in self._todo:
            fut.remove_done_callback(self._on_completion)
            if AWAITED_BY:
                _futures.future_discard_from_awaited_by(fut, self._task)  # type: ignore[attr-defined]
            self._done.put_nowait(None)
        self._todo.clear()


AsCompleted = _AsCompletedIterator


def _no_running_loop() -> NoReturn:
    # Outside a running loop, 3.14+ asks asyncio.get_event_loop() for the loop, which raises
    # where none is set, and then current_task(), which raises where one is: either way a
    # RuntimeError before the iterable is read. Before 3.14, get_event_loop() would make a
    # loop (with a DeprecationWarning on 3.12 and 3.13) where 3.14's raises: its answer is
    # read from the default policy instead.
    if sys.version_info >= (3, 14):
        asyncio.get_event_loop()
    else:
        policy = asyncio.get_event_loop_policy()
        if not isinstance(policy, asyncio.events.BaseDefaultEventLoopPolicy):
            policy.get_event_loop()  # a policy of one's own decides
        elif policy._local._loop is None:  # type: ignore[attr-defined]
            raise RuntimeError(
                f"There is no current event loop in thread {threading.current_thread().name!r}."
            )
    raise RuntimeError("no running event loop")


if TYPE_CHECKING:
    # typeshed types async iteration as yielding Future[T] whatever was given, and plain
    # iteration as yielding futures (typeshed #15644, #15646): these say what happens.
    # A coroutine is an Awaitable, typed as yielding a Future (a Task at run time): an
    # overload of its own would make mypy infer Any, as the Any of Coroutine[Any, Any, T]
    # matches two overloads with different returns.
    @overload
    def as_completed(
        fs: Iterable[asyncio.Task[_T]], *, timeout: Optional[float] = None
    ) -> AsCompleted[_T, asyncio.Task[_T]]: ...
    @overload
    def as_completed(
        fs: Iterable[asyncio.Future[_T]], *, timeout: Optional[float] = None
    ) -> AsCompleted[_T, asyncio.Future[_T]]: ...
    @overload
    def as_completed(
        fs: Iterable[Awaitable[_T]], *, timeout: Optional[float] = None
    ) -> AsCompleted[_T, asyncio.Future[_T]]: ...


def as_completed(fs: Any, *, timeout: Optional[float] = None) -> Any:
    """Run the awaitables of the iterable *fs* concurrently; iterate over them as they
    finish.

    ``async for`` yields the tasks and futures of *fs* themselves (and a task for
    each coroutine), so a result can be matched to what it came from::

        async for task in as_completed(tasks):
            print(task.get_name(), task.result())

    ``for`` yields coroutines, each of which returns the result (or raises the
    exception) of the next one to finish, as before Python 3.13::

        for next_done in as_completed(tasks):
            result = await next_done

    Duplicates in *fs* count once. When *timeout* (seconds) passes before everything is
    done, iteration raises ``TimeoutError`` for each awaitable not yet done, which is
    not cancelled. A wait that is cancelled loses nothing: the awaitable it waited
    for is yielded by the next step of the iteration. Called with no running event
    loop, it raises ``RuntimeError`` (as from 3.14), before it reads *fs*.
    """
    if inspect.isawaitable(fs):
        raise TypeError(f"expects an iterable of awaitables, not {type(fs).__name__}")
    return AsCompleted(fs, timeout)


_AsCompletedIterator.__module__ = as_completed.__module__ = "asyncio_compat"
