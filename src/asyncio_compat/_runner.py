"""``asyncio.Runner`` and ``asyncio.run()`` with 3.15's behaviour, for 3.8 and newer.

3.11 added ``asyncio.Runner`` (bpo-47062, gh-91218): an event loop kept open across
several ``run()`` calls, runs in a ``contextvars.Context`` shared by them, and a first
Ctrl-C that cancels the main task instead of tearing through it. 3.12 gave
``asyncio.run()`` the ``loop_factory`` argument (gh-99388) and the default executor five
minutes to shut down (bpo-38267). 3.13 stopped calling ``repr()`` on the result
(gh-112559). 3.14 made ``run()`` take any awaitable, and raise ``TypeError`` for anything
else (gh-120284); 3.15's is 3.14's.

``asyncio_compat`` exports these before 3.14; ``asyncio_compat.backport`` everywhere.
"""

from __future__ import annotations

import asyncio
import collections.abc
import contextvars
import enum
import inspect
import signal
import sys
import threading
import types
import warnings
import weakref
from asyncio import events
from types import FrameType, TracebackType
from typing import Any, Awaitable, Callable, Optional, Type, TypeVar, final

from ._cancelling import count_cancels

if sys.version_info < (3, 11):
    from ._cancelling import CountingTask, _CancelCounter, uncancel
    from ._context import run_in_context

__all__ = ["Runner", "run"]

_T = TypeVar("_T")

_SHUTDOWN_MESSAGE = "unhandled exception during asyncio.run() shutdown"
# bpo-38267 (3.12): how long close() lets the default executor's threads finish.
_THREAD_JOIN_TIMEOUT = 300
_NOT_AWAITABLE = "An asyncio.Future, a coroutine or an awaitable is required"


class _State(enum.Enum):
    CREATED = "created"
    INITIALIZED = "initialized"
    CLOSED = "closed"


def _is_coroutine(obj: object) -> bool:
    # gh-102748 (3.12): a plain generator is no coroutine; a types.coroutine-decorated one
    # (3.8-3.10's @asyncio.coroutine) is an awaitable, and gets wrapped.
    return type(obj) is types.CoroutineType or isinstance(obj, collections.abc.Coroutine)


async def _await(awaitable: Awaitable[_T]) -> _T:
    return await awaitable


@final
class Runner:
    """A context manager owning one event loop, to run awaitables in it one at a time.

    The loop is created on first use (``with``, :meth:`get_loop` or :meth:`run`) by
    *loop_factory*, or as a new default loop that is also made the current one; *debug*,
    if not ``None``, sets the loop's debug mode. Leaving the ``with`` block, or
    :meth:`close`, cancels the tasks still pending, finalizes asynchronous generators,
    gives the default executor five minutes to shut down and closes the loop.

    Every :meth:`run` call without a *context* runs in the same ``contextvars.Context``,
    so a context variable set by one run is seen by the next.

    ``asyncio_compat.run(main(), debug=True)`` is a shortcut for::

        with asyncio_compat.Runner(debug=True) as runner:
            runner.run(main())
    """

    def __init__(
        self,
        *,
        debug: Optional[bool] = None,
        loop_factory: Optional[Callable[[], asyncio.AbstractEventLoop]] = None,
    ) -> None:
        self._state = _State.CREATED
        self._debug = debug
        self._loop_factory = loop_factory
        self._loop: Optional[asyncio.AbstractEventLoop] = None
        self._context: Optional[contextvars.Context] = None
        self._interrupt_count = 0
        self._set_event_loop = False

    def __enter__(self) -> Runner:
        self._lazy_init()
        return self

    def __exit__(
        self,
        exc_type: Optional[Type[BaseException]],
        exc_val: Optional[BaseException],
        exc_tb: Optional[TracebackType],
    ) -> None:
        self.close()

    def close(self) -> None:
        """Cancel the pending tasks, finalize the loop's resources and close it.

        Does nothing if the loop was never created or is already closed.
        """
        if self._state is not _State.INITIALIZED:
            return
        loop = self._loop
        assert loop is not None
        try:
            _cancel_all_tasks(loop)
            loop.run_until_complete(loop.shutdown_asyncgens())
            loop.run_until_complete(_shutdown_default_executor(loop, _THREAD_JOIN_TIMEOUT))
        finally:
            if self._set_event_loop:
                events.set_event_loop(None)
            loop.close()
            self._loop = None
            self._state = _State.CLOSED

    def get_loop(self) -> asyncio.AbstractEventLoop:
        """Return the runner's event loop, creating it if needed."""
        self._lazy_init()
        assert self._loop is not None
        return self._loop

    def run(self, coro: Awaitable[_T], *, context: Optional[contextvars.Context] = None) -> _T:
        """Run *coro* as a task in the runner's loop until it completes; return its result.

        *coro* is a coroutine or any other awaitable (a future, an object with
        ``__await__``). The task runs in *context*, or in the runner's own context when it
        is ``None``. While it runs in the main thread, and if ``SIGINT`` has Python's
        default handler, a first Ctrl-C cancels the task, and ``KeyboardInterrupt`` is
        raised once the task has ended with that cancellation; a second Ctrl-C raises it
        at once.
        """
        if events._get_running_loop() is not None:
            # Fail fast, before anything is created.
            raise RuntimeError("Runner.run() cannot be called from a running event loop")

        self._lazy_init()
        if not _is_coroutine(coro):
            if not inspect.isawaitable(coro):
                raise TypeError(_NOT_AWAITABLE)
            coro = _await(coro)
        loop = self._loop
        assert loop is not None
        if context is None:
            context = self._context
            assert context is not None

        task = _create_task(loop, coro, context)

        sigint_handler: Optional[Callable[[int, Optional[FrameType]], None]] = None
        if (
            threading.current_thread() is threading.main_thread()
            and signal.getsignal(signal.SIGINT) is signal.default_int_handler
        ):

            def on_sigint(signum: int, frame: Optional[FrameType]) -> None:
                self._on_sigint(task)

            try:
                signal.signal(signal.SIGINT, on_sigint)
            except ValueError:
                # The main thread of an interpreter that does not handle signals
                # (an embedded one, or a subinterpreter: gh-91880).
                pass
            else:
                sigint_handler = on_sigint

        self._interrupt_count = 0
        try:
            result: _T = loop.run_until_complete(task)
            return result
        except asyncio.CancelledError:
            # Only our Ctrl-C cancelled the task: give the user the interrupt. A task that
            # cannot count its cancellations (a task factory's own class) gets the
            # CancelledError (gh-95097).
            if self._interrupt_count > 0 and _uncancel(task) == 0:
                raise KeyboardInterrupt()  # noqa: B904  (chained to it, as the stdlib's is)
            raise
        finally:
            if sigint_handler is not None and signal.getsignal(signal.SIGINT) is sigint_handler:
                signal.signal(signal.SIGINT, signal.default_int_handler)

    def _lazy_init(self) -> None:
        if self._state is _State.CLOSED:
            raise RuntimeError("Runner is closed")
        if self._state is _State.INITIALIZED:
            return
        if self._loop_factory is None:
            loop = events.new_event_loop()
            if not self._set_event_loop:
                # Once only (gh-95899): on 3.8-3.11 set_event_loop() also attaches the
                # child watcher.
                events.set_event_loop(loop)
                self._set_event_loop = True
        else:
            loop = self._loop_factory()
        if self._debug is not None:
            loop.set_debug(self._debug)
        self._loop = loop
        self._context = contextvars.copy_context()
        self._state = _State.INITIALIZED

    def _on_sigint(self, main_task: asyncio.Task[Any]) -> None:
        self._interrupt_count += 1
        if self._interrupt_count == 1 and not main_task.done():
            main_task.cancel()
            # The loop may be blocked in select() until its next timer: wake it up.
            assert self._loop is not None
            self._loop.call_soon_threadsafe(_do_nothing)
            return
        raise KeyboardInterrupt()


def _do_nothing() -> None:
    pass


if sys.version_info >= (3, 11):  # 3.11+: create_task(context=...) (gh-91150), counting tasks

    def _create_task(
        loop: asyncio.AbstractEventLoop, coro: Any, context: contextvars.Context
    ) -> asyncio.Task[Any]:
        return loop.create_task(coro, context=context)

    def _uncancel(task: Any) -> Optional[int]:
        method = getattr(task, "uncancel", None)
        return None if method is None else method()  # type: ignore[no-any-return]

else:
    # As asyncio's own create_task() makes a task (the TaskGroup's children too): 3.8-3.10's
    # asyncio no longer changes.
    _BASE_CREATE_TASK = asyncio.BaseEventLoop.create_task
    _TASK_CLASSES = tuple({asyncio.Task, getattr(asyncio.tasks, "_PyTask", asyncio.Task)})

    def _create_task(
        loop: asyncio.AbstractEventLoop, coro: Any, context: contextvars.Context
    ) -> asyncio.Task[Any]:
        # A task runs its coroutine in a copy of the current context: each step of the
        # wrapped one enters *context* itself, so its changes are kept there.
        wrapped = run_in_context(coro, context)
        if type(loop).create_task is _BASE_CREATE_TASK and not (
            loop._task_factory or loop._closed  # type: ignore[attr-defined]
        ):
            # The main task counts its cancellation requests in its class's own cancel(),
            # so that a `cancel` bound before anything asked for the count (a signal
            # handler's, say) counts too.
            task: asyncio.Task[Any] = CountingTask(wrapped, loop=loop)
            if task._source_traceback:  # type: ignore[attr-defined]
                del task._source_traceback[-1]  # type: ignore[attr-defined]
            return task
        task = loop.create_task(wrapped)
        if isinstance(task, _TASK_CLASSES):
            count_cancels(task)
        return task

    def _uncancel(task: Any) -> Optional[int]:
        if type(task) is CountingTask or isinstance(getattr(task, "cancel", None), _CancelCounter):
            return uncancel(task)
        method = getattr(task, "uncancel", None)
        return None if method is None else method()  # type: ignore[no-any-return]


def _cancel_all_tasks(loop: asyncio.AbstractEventLoop) -> None:
    tasks = asyncio.all_tasks(loop)
    if not tasks:
        return
    for task in tasks:
        task.cancel()
    loop.run_until_complete(asyncio.gather(*tasks, return_exceptions=True))
    for task in tasks:
        if task.cancelled():
            continue
        exc = task.exception()
        if exc is not None:
            loop.call_exception_handler(
                {"message": _SHUTDOWN_MESSAGE, "exception": exc, "task": task}
            )


_TAKES_TIMEOUT: weakref.WeakKeyDictionary[type, bool] = weakref.WeakKeyDictionary()


def _takes_timeout(loop: asyncio.AbstractEventLoop) -> bool:
    # Whether the loop's shutdown_default_executor() has bpo-38267's timeout (asyncio's
    # from 3.12, uvloop's): once per loop class.
    cls = type(loop)
    known = _TAKES_TIMEOUT.get(cls)
    if known is None:
        try:
            method: Any = getattr(cls, "shutdown_default_executor", None)
            params = inspect.signature(method).parameters
        except (TypeError, ValueError):
            known = False
        else:
            known = "timeout" in params
        _TAKES_TIMEOUT[cls] = known
    return known


def _shutdown_default_executor(loop: asyncio.AbstractEventLoop, timeout: float) -> Awaitable[None]:
    # What close() runs to completion: the loop's own coroutine where it has one.
    shutdown: Any = getattr(loop, "shutdown_default_executor", None)  # 3.9+ (bpo-34037)
    if _takes_timeout(loop):
        return shutdown(timeout)  # type: ignore[no-any-return]
    if isinstance(loop, asyncio.BaseEventLoop):
        return _shutdown_executor_thread(loop, timeout)
    if shutdown is None:  # a 3.8 loop of another kind: nothing to wait for
        return _do_nothing_async()
    return shutdown()  # type: ignore[no-any-return]


async def _do_nothing_async() -> None:
    pass


async def _shutdown_executor_thread(loop: asyncio.BaseEventLoop, timeout: float) -> None:
    # asyncio's loop before 3.12: what 3.12's shutdown_default_executor(timeout) does
    # (with gh-111358's fix: the timeout bounds the wait), in a thread of our own; the
    # loop keeps running for the jobs that still call back into it.
    loop._executor_shutdown_called = True  # type: ignore[attr-defined]  # 3.9+ (bpo-34037)
    executor = getattr(loop, "_default_executor", None)
    if executor is None:
        return
    done: asyncio.Future[None] = loop.create_future()

    def finish(error: Optional[BaseException]) -> None:
        if done.done():
            return
        if error is None:
            done.set_result(None)
        else:
            done.set_exception(error)

    def shutdown_executor() -> None:
        try:
            executor.shutdown(wait=True)
        except BaseException as error:
            if not loop.is_closed():
                loop.call_soon_threadsafe(finish, error)
        else:
            if not loop.is_closed():
                loop.call_soon_threadsafe(finish, None)

    expired = []

    def expire() -> None:
        expired.append(True)
        done.cancel()

    thread = threading.Thread(target=shutdown_executor, name="asyncio_compat-executor-shutdown")
    thread.start()
    timer = loop.call_later(timeout, expire)
    try:
        await done
    except asyncio.CancelledError:
        if not expired:
            raise
        warnings.warn(
            f"The executor did not finishing joining its threads within {timeout} seconds.",
            RuntimeWarning,
            stacklevel=2,
        )
        executor.shutdown(wait=False)
    else:
        thread.join()
    finally:
        timer.cancel()


def run(
    main: Awaitable[_T],
    *,
    debug: Optional[bool] = None,
    loop_factory: Optional[Callable[[], asyncio.AbstractEventLoop]] = None,
) -> _T:
    """Run the awaitable *main* in a new event loop and return its result.

    The loop comes from *loop_factory*, or is a new default loop; *debug*, if not
    ``None``, sets its debug mode. Before returning, the tasks still pending are
    cancelled, asynchronous generators finalized, the default executor given five
    minutes to shut down and the loop closed. Cannot be called while an event loop is
    running in this thread.

    Example::

        async def main():
            await asyncio.sleep(1)
            print("hello")

        asyncio_compat.run(main())
    """
    if events._get_running_loop() is not None:
        # Fail fast, before anything is created.
        raise RuntimeError("asyncio.run() cannot be called from a running event loop")
    with Runner(debug=debug, loop_factory=loop_factory) as runner:
        return runner.run(main)


Runner.__module__ = "asyncio_compat"
run.__module__ = "asyncio_compat"
