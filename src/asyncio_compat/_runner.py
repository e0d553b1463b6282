"""``asyncio.Runner`` and ``asyncio.run()`` with 3.12's API, for 3.8 and newer.

3.11 added ``asyncio.Runner`` (gh-91218): an event loop kept open across several
``run()`` calls, runs in a ``contextvars.Context`` shared by them, and a first Ctrl-C
that cancels the main task instead of tearing through it. 3.12 gave ``asyncio.run()``
the ``loop_factory`` argument (gh-99388).

``Runner`` here is this package's own implementation, importable on every version so
that the tests can hold it against the stdlib's; ``asyncio_compat`` exports it before
3.11 only. ``run()`` is exported on 3.11, where it wraps the stdlib's ``Runner``, and
before, where it wraps this one.
"""

from __future__ import annotations

import asyncio
import contextvars
import enum
import signal
import sys
import threading
from asyncio import events
from types import FrameType, TracebackType
from typing import Any, Callable, Coroutine, Optional, Type, TypeVar, final

from ._cancelling import count_cancels, uncancel

if sys.version_info < (3, 11):
    from ._context import run_in_context

__all__ = ["Runner", "run"]

_T = TypeVar("_T")

_SHUTDOWN_MESSAGE = "unhandled exception during asyncio.run() shutdown"


class _State(enum.Enum):
    CREATED = "created"
    INITIALIZED = "initialized"
    CLOSED = "closed"


@final
class Runner:
    """A context manager owning one event loop, to run coroutines in it one at a time.

    The loop is created on first use (``with``, :meth:`get_loop` or :meth:`run`) by
    *loop_factory*, or as a new default loop that is also made the current one; *debug*,
    if not ``None``, sets the loop's debug mode. Leaving the ``with`` block, or
    :meth:`close`, cancels the tasks still pending, finalizes asynchronous generators,
    shuts the default executor down and closes the loop.

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
            loop.run_until_complete(_shutdown_default_executor(loop))
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

    def run(
        self, coro: Coroutine[Any, Any, _T], *, context: Optional[contextvars.Context] = None
    ) -> _T:
        """Run *coro* as a task in the runner's loop until it completes; return its result.

        The task runs in *context*, or in the runner's own context when it is ``None``.
        While it runs in the main thread, and if ``SIGINT`` has Python's default handler,
        a first Ctrl-C cancels the task, and ``KeyboardInterrupt`` is raised once the
        task has ended with that cancellation; a second Ctrl-C raises it at once.
        """
        if not asyncio.iscoroutine(coro):
            raise ValueError(f"a coroutine was expected, got {coro!r}")
        if events._get_running_loop() is not None:
            # Fail fast, before anything is created.
            raise RuntimeError("Runner.run() cannot be called from a running event loop")

        self._lazy_init()
        loop = self._loop
        assert loop is not None
        if context is None:
            context = self._context
            assert context is not None

        task = _create_task(loop, coro, context)
        # Count the cancellation requests of the task from the start: that tells a
        # cancellation that is only our Ctrl-C one from one that somebody else asked for.
        count_cancels(task)

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
                # (an embedded one, or a subinterpreter).
                pass
            else:
                sigint_handler = on_sigint

        self._interrupt_count = 0
        try:
            return loop.run_until_complete(task)
        except asyncio.CancelledError:
            if self._interrupt_count > 0 and uncancel(task) == 0:
                # Only our Ctrl-C cancelled the task: give the user the interrupt.
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
                # Once only: on 3.8-3.11 set_event_loop() also attaches the child watcher.
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


if sys.version_info >= (3, 11):  # 3.11+: create_task(context=...) (gh-91150)

    def _create_task(
        loop: asyncio.AbstractEventLoop,
        coro: Coroutine[Any, Any, _T],
        context: contextvars.Context,
    ) -> asyncio.Task[_T]:
        return loop.create_task(coro, context=context)

else:

    def _create_task(
        loop: asyncio.AbstractEventLoop,
        coro: Coroutine[Any, Any, _T],
        context: contextvars.Context,
    ) -> asyncio.Task[_T]:
        # A task runs its coroutine in a copy of the current context: each step of the
        # wrapped one enters *context* itself, so its changes are kept there.
        return loop.create_task(run_in_context(coro, context))


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


async def _shutdown_default_executor(loop: asyncio.AbstractEventLoop) -> None:
    shutdown = getattr(loop, "shutdown_default_executor", None)
    if shutdown is not None:  # 3.9+ (bpo-34037), and uvloop
        await shutdown()
        return
    # 3.8: wait for the default executor's threads without blocking the loop, which
    # must keep running for the jobs that still call back into it.
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
            loop.call_soon_threadsafe(finish, error)
        else:
            loop.call_soon_threadsafe(finish, None)

    thread = threading.Thread(target=shutdown_executor, name="asyncio_compat-executor-shutdown")
    thread.start()
    try:
        await done
    finally:
        thread.join()


_BaseRunner: Any
if sys.version_info >= (3, 11):  # 3.11's Runner is complete; only its run() lacks loop_factory
    _BaseRunner = asyncio.Runner
else:
    _BaseRunner = Runner


def run(
    main: Coroutine[Any, Any, _T],
    *,
    debug: Optional[bool] = None,
    loop_factory: Optional[Callable[[], asyncio.AbstractEventLoop]] = None,
) -> _T:
    """Run the coroutine *main* in a new event loop and return its result.

    The loop comes from *loop_factory*, or is a new default loop; *debug*, if not
    ``None``, sets its debug mode. Before returning, the tasks still pending are
    cancelled, asynchronous generators finalized, the default executor shut down and
    the loop closed. Cannot be called while an event loop is running in this thread.

    Example::

        async def main():
            await asyncio.sleep(1)
            print("hello")

        asyncio_compat.run(main())
    """
    if events._get_running_loop() is not None:
        # Fail fast, before anything is created.
        raise RuntimeError("asyncio.run() cannot be called from a running event loop")
    with _BaseRunner(debug=debug, loop_factory=loop_factory) as runner:
        result: _T = runner.run(main)
        return result


Runner.__module__ = "asyncio_compat"
run.__module__ = "asyncio_compat"
