"""TaskGroup with the behaviour of the newest CPython, ``cancel()`` included."""

from __future__ import annotations

__all__ = ["TaskGroup"]

import asyncio
import contextvars
import sys
from asyncio import futures as _futures

# Before 3.14 a child's link to the parent is read from its done callback (_graph.py).
from ._awaitedby import AWAITED_BY as _AWAITED_BY
from ._cancelling import cancelling, count_cancels, settle_withdrawn, uncancel

if sys.version_info < (3, 11):  # bpo-46771 (3.11): tasks count their own cancellations
    from ._cancelling import cancel_watching, count_since, count_uncounted

TYPE_CHECKING = False  # typing is not imported at run time (3.14+ asyncio does not)
if TYPE_CHECKING:
    from typing import Any, Callable, Coroutine, Optional, Set, TypeVar

    _T = TypeVar("_T")
    _Coro = Coroutine[Any, Any, _T]

if sys.version_info >= (3, 11):  # 3.11+: PEP 654 exception groups are builtins
    from builtins import BaseExceptionGroup
elif TYPE_CHECKING:
    from exceptiongroup import BaseExceptionGroup
else:
    from ._exceptions import BaseExceptionGroup  # exceptiongroup imported on first failure


if sys.version_info < (3, 11):  # bpo-46771 (3.11): tasks count their own cancellations
    from ._cancelling import CountingTask

    # Children are created counting: a group cancels them and they may nest groups. On a
    # loop whose create_task is asyncio's own and has no task factory, a child is made as
    # BaseEventLoop.create_task makes a task, reading its private attributes: 3.8-3.10's
    # asyncio no longer changes.
    _BASE_CREATE_TASK = asyncio.BaseEventLoop.create_task

    def _new_child(loop: Any, coro: Any, name: Optional[str]) -> asyncio.Task[Any]:
        if type(loop).create_task is _BASE_CREATE_TASK and not (loop._task_factory or loop._closed):
            task = CountingTask(coro, loop=loop, name=name)
            if task._source_traceback:  # type: ignore[attr-defined]
                del task._source_traceback[-1]  # type: ignore[attr-defined]
            return task
        created: asyncio.Task[Any] = loop.create_task(coro, name=name)
        count_cancels(created)
        return created


def _is_base_error(exc: BaseException) -> bool:
    # What a task lets through bare; everything else it stores as its exception.
    return isinstance(exc, (SystemExit, KeyboardInterrupt))


class TaskGroup:
    """An asynchronous context manager holding a group of tasks.

    Tasks added with :meth:`create_task` are awaited when the ``async with`` block
    exits. If any of them fails with an exception other than ``CancelledError``, the
    others and the block itself are cancelled, and all their exceptions come out
    together as one ``ExceptionGroup`` (``BaseExceptionGroup`` if one is not an
    ``Exception``). ``KeyboardInterrupt`` and ``SystemExit`` propagate bare.
    :meth:`cancel` ends the group early without an error.
    """

    def __init__(self) -> None:
        self._entered = False
        self._exiting = False
        self._aborting = False
        self._cancel_on_enter = False
        self._loop: Optional[asyncio.AbstractEventLoop] = None
        self._parent_task: Optional[asyncio.Task[Any]] = None
        self._parent_cancel_requested = False
        # Before 3.11: the parent's count on entry, None if a request was pending then.
        self._parent_since: Optional[int] = None
        self._tasks: Set[asyncio.Task[Any]] = set()
        self._errors: Optional[list[BaseException]] = []
        self._base_error: Optional[BaseException] = None
        self._on_completed_fut: Optional[asyncio.Future[bool]] = None
        # Set while entered (a bound method is a cycle through this group).
        self._on_done: Optional[Callable[[asyncio.Task[Any]], None]] = None
        self._done_context: Optional[contextvars.Context] = None

    def __repr__(self) -> str:
        info = [""]
        if self._tasks:
            info.append(f"tasks={len(self._tasks)}")
        if self._errors:
            info.append(f"errors={len(self._errors)}")
        if self._aborting:
            info.append("cancelling")
        elif self._entered:
            info.append("entered")
        return f"<TaskGroup{' '.join(info)}>"

    async def __aenter__(self) -> TaskGroup:
        if self._entered:
            raise RuntimeError(f"TaskGroup {self!r} has already been entered")
        if self._loop is None:
            self._loop = asyncio.get_running_loop()
        self._parent_task = asyncio.current_task(self._loop)
        if self._parent_task is None:
            raise RuntimeError(f"TaskGroup {self!r} cannot determine the parent task")
        if sys.version_info < (3, 11):
            self._parent_since = count_since(self._parent_task)
        else:
            count_cancels(self._parent_task)
        self._on_done = self._on_task_done
        self._done_context = contextvars.copy_context()
        self._entered = True
        if self._cancel_on_enter:
            self.cancel()
        return self

    async def __aexit__(self, et: Any, exc: Any, tb: Any) -> Optional[bool]:
        del tb  # the traceback holds the frames that hold this group
        try:
            return await self._aexit(et, exc)
        finally:
            # The errors hold tracebacks whose frames hold this group and the parent
            # task: drop them so a failed group leaves no reference cycle (3.14).
            self._parent_task = None
            self._errors = None
            self._base_error = None
            self._on_done = None
            exc = None

    # Named as the stdlib's (3.12+): the frames of a call graph read the same.
    async def _aexit(self, et: Any, exc: Any) -> Optional[bool]:
        # No local may hold the parent task or the errors: the tracebacks of the errors
        # raised from here hold this frame, and so would hold them in a cycle.
        self._exiting = True

        if exc is not None and _is_base_error(exc) and self._base_error is None:
            self._base_error = exc

        # A CancelledError out of the body is ours to swallow only if we asked for it.
        cancelled_exc = exc if et is not None and issubclass(et, asyncio.CancelledError) else None

        if et is not None and not self._aborting:
            # The body failed, or the parent is cancelled from outside: stop the children.
            self._abort()

        # Awaiting the children can be interrupted more than once: by each outside
        # cancellation of the parent, and by our own request if it lands here.
        last_cancel: Optional[BaseException] = None
        while self._tasks:
            if self._on_completed_fut is None:
                self._on_completed_fut = self._get_loop().create_future()
            if sys.version_info < (3, 11):
                since = count_since(self._get_parent())
            try:
                await self._on_completed_fut
            except asyncio.CancelledError as ex:
                if sys.version_info < (3, 11):
                    if since is not None and cancelling(self._get_parent()) == since:
                        # Only a request made while we waited cancels our own future;
                        # one the count missed was made by a cancel() looked up before
                        # counting started. 3.11+ counts it, and so it outlives the
                        # ExceptionGroup below: count it here.
                        count_uncounted(self._get_parent())
                last_cancel = ex
                if not self._aborting:
                    cancelled_exc = ex
                    self._abort()
            self._on_completed_fut = None

        if self._base_error is not None:
            try:
                raise self._base_error
            finally:
                # Every local holding an error: this frame is in the traceback of what is
                # raised here.
                exc = last_cancel = cancelled_exc = None

        if self._parent_cancel_requested:
            if uncancel(self._get_parent()) == 0:
                # Every request left was ours (gh-116720): nothing to propagate.
                if getattr(self._parent_task, "_must_cancel", False):
                    cancelled_exc = await settle_withdrawn(self._get_parent())
                else:
                    cancelled_exc = None
            elif cancelled_exc is None:
                # gh-155433: a request that is not ours remains, and was delivered to
                # us while we waited: it must go on propagating.
                cancelled_exc = last_cancel
        last_cancel = None

        try:
            if cancelled_exc is not None and not self._errors:
                try:
                    raise cancelled_exc
                finally:
                    exc = None
        finally:
            cancelled_exc = None

        assert self._errors is not None
        if et is not None and not issubclass(et, asyncio.CancelledError):
            assert exc is not None
            self._errors.append(exc)

        if self._errors:
            # A cancellation from outside must survive the ExceptionGroup: give it back
            # to the parent, keeping the count where it was.
            if cancelling(self._get_parent()):
                uncancel(self._get_parent())
                self._get_parent().cancel()
            try:
                if et is not None and issubclass(et, GeneratorExit) and len(self._errors) == 1:
                    # gh-135736 (3.15): an async generator closed inside the group
                    # must see its own GeneratorExit, or aclose() would fail.
                    assert exc is not None
                    raise exc
                raise BaseExceptionGroup("unhandled errors in a TaskGroup", self._errors) from None
            finally:
                exc = None
        # Whatever else the body raised was a CancelledError this group asked for.
        return True

    def _get_parent(self) -> asyncio.Task[Any]:
        assert self._parent_task is not None
        return self._parent_task

    def _get_loop(self) -> asyncio.AbstractEventLoop:
        assert self._loop is not None
        return self._loop

    def create_task(
        self,
        coro: Coroutine[Any, Any, _T],
        *,
        name: Optional[str] = None,
        context: Optional[Any] = None,
        **kwargs: Any,
    ) -> asyncio.Task[_T]:
        """Create a task in this group running *coro*, and return it.

        Like ``asyncio.create_task``: *name* names the task and *context* is the
        ``contextvars.Context`` it runs in.
        """
        if not self._entered:
            coro.close()
            raise RuntimeError(f"TaskGroup {self!r} has not been entered")
        if self._exiting and not self._tasks:
            coro.close()
            raise RuntimeError(f"TaskGroup {self!r} is finished")
        if self._aborting:
            coro.close()
            raise RuntimeError(f"TaskGroup {self!r} is shutting down")
        loop = self._loop
        assert loop is not None
        task: asyncio.Task[Any]
        if name is None and context is None and not kwargs:
            if sys.version_info >= (3, 11):
                task = loop.create_task(coro)
            elif type(loop).create_task is _BASE_CREATE_TASK and not (
                loop._task_factory or loop._closed  # type: ignore[attr-defined]
            ):
                # _new_child(loop, coro, None), inlined: the call costs ~5% of a child's
                # whole life on 3.8 (and debug mode's traceback ends here, as it should).
                task = CountingTask(coro, loop=loop)
            else:
                task = _new_child(loop, coro, None)
        else:
            task = _spawn(loop, coro, name, context, kwargs)
        if _AWAITED_BY:  # looked up at each call, as the stdlib's (its tests swap it)
            _futures.future_add_to_awaited_by(task, self._parent_task)  # type: ignore[attr-defined]
        # The done callback is always scheduled, even for a task that finished eagerly:
        # a failure must not cancel the parent before create_task returns (gh-128550).
        self._tasks.add(task)
        # One bound method and one context for all children, not one each per child.
        assert self._on_done is not None
        task.add_done_callback(self._on_done, context=self._done_context)
        if self._aborting and not task.done():
            # gh-155418: an eager task cancelled the group before it joined the group.
            task.cancel()
        try:
            return task
        finally:
            # gh-128552: task.exception().__traceback__ would hold this frame, and it the task.
            del task

    def _abort(self) -> None:
        self._aborting = True
        for t in self._tasks:
            if not t.done():
                t.cancel()

    def _on_task_done(self, task: asyncio.Task[Any]) -> None:
        self._tasks.discard(task)
        if _AWAITED_BY:
            _futures.future_discard_from_awaited_by(task, self._parent_task)  # type: ignore[attr-defined]

        fut = self._on_completed_fut
        if fut is not None and not self._tasks and not fut.done():
            fut.set_result(True)

        if task.cancelled():
            return
        exc = task.exception()
        if exc is None:
            return

        parent = self._get_parent()
        assert self._errors is not None
        self._errors.append(exc)
        if _is_base_error(exc) and self._base_error is None:
            self._base_error = exc

        if parent.done():
            self._get_loop().call_exception_handler(
                {
                    "message": f"Task {task!r} has errored out but its parent "
                    f"task {parent} is already completed",
                    "exception": exc,
                    "task": task,
                }
            )
            return

        if not self._aborting and not self._parent_cancel_requested:
            # Interrupt the body; __aexit__ withdraws this request again, so that code
            # after the group runs on as if the parent had never been cancelled.
            self._abort()
            self._parent_cancel_requested = True
            if sys.version_info < (3, 11):
                # A request that bypassed the count must outlive ours, as on 3.11+.
                cancel_watching(parent, self._parent_since)
            else:
                parent.cancel()

    def cancel(self) -> None:
        """Cancel the group: its unfinished tasks and its body.

        The ``async with`` then exits without ``CancelledError``. Called before the
        group is entered, the group is cancelled as soon as it is entered; called
        again, or after the group has exited, it does nothing.
        """
        if not self._entered:
            self._cancel_on_enter = True
            return
        if self._exiting and not self._tasks:
            return
        if not self._aborting:
            self._abort()
            if self._parent_task is not None and not self._parent_cancel_requested:
                self._parent_cancel_requested = True
                if sys.version_info < (3, 11):
                    cancel_watching(self._parent_task, self._parent_since)
                else:
                    self._parent_task.cancel()


TaskGroup.__module__ = "asyncio_compat"


def _spawn(
    loop: asyncio.AbstractEventLoop,
    coro: _Coro[_T],
    name: Optional[str],
    context: Any,
    kwargs: dict[str, Any],
) -> asyncio.Task[_T]:
    if sys.version_info >= (3, 11):  # 3.11+: gh-91150 loop.create_task(context=...)
        if context is not None:
            kwargs["context"] = context
        if name is not None:
            kwargs["name"] = name
        return loop.create_task(coro, **kwargs)
    else:
        if kwargs:
            coro.close()
            raise TypeError(f"create_task() got unexpected keyword arguments {sorted(kwargs)}")
        if context is not None:
            from ._context import run_in_context  # rarely needed: not at import time

            coro = run_in_context(coro, context)
        return _new_child(loop, coro, name)
