"""timeout(), timeout_at() and Timeout with the behaviour of CPython 3.13 and newer."""

from __future__ import annotations

__all__ = ["Timeout", "timeout", "timeout_at"]

import asyncio
import sys

from ._cancelling import cancelling, settle_withdrawn, uncancel

if sys.version_info < (3, 11):  # bpo-46771 (3.11): tasks count their own cancellations
    from ._cancelling import cancel_watching, count_since

TYPE_CHECKING = False  # typing is not imported at run time (3.14+ asyncio does not)
if TYPE_CHECKING:
    from types import TracebackType
    from typing import Any, Optional, Type

# 3.11+: PEP 654 exception groups are builtins; bpo-46771 made TimeoutError asyncio's
if sys.version_info >= (3, 11):
    from builtins import ExceptionGroup, TimeoutError

    def _members(exc: BaseException) -> tuple[BaseException, ...]:
        return exc.exceptions if isinstance(exc, ExceptionGroup) else ()

else:
    from ._exceptions import TimeoutError

    def _members(exc: BaseException) -> tuple[BaseException, ...]:
        # Not imported for this: no exceptiongroup imported, no group of its to look at.
        exceptiongroup = sys.modules.get("exceptiongroup")
        if exceptiongroup is not None and isinstance(exc, exceptiongroup.ExceptionGroup):
            return exc.exceptions  # type: ignore[no-any-return]
        return ()


# The states of a Timeout, as its repr names them (plain strings: an Enum costs import time).
_CREATED = "created"
_ENTERED = "active"
_EXPIRING = "expiring"
_EXPIRED = "expired"
_EXITED = "finished"


class Timeout:
    """An asynchronous context manager that cancels its block at a deadline.

    The expired block's ``CancelledError`` becomes ``TimeoutError`` as it leaves the
    ``async with``. Make one with :func:`timeout` or :func:`timeout_at`.
    """

    def __init__(self, when: Optional[float]) -> None:
        """Set the deadline *when*, in ``loop.time()``'s clock; ``None`` never expires.

        A deadline already past expires on the next iteration of the loop.
        """
        self._state = _CREATED
        self._handle: Optional[asyncio.Handle] = None
        self._task: Optional[asyncio.Task[Any]] = None
        self._when = when
        self._cancelling = 0
        # Before 3.11: the count on entry, None if a request was pending then (_on_timeout
        # could not tell it from one that bypassed the count).
        self._since: Optional[int] = None

    def when(self) -> Optional[float]:
        """Return the deadline, or ``None`` for none."""
        return self._when

    def reschedule(self, when: Optional[float]) -> None:
        """Move the deadline to *when* (``None``: no deadline)."""
        if self._state is not _ENTERED:
            if self._state is _CREATED:
                raise RuntimeError("Timeout has not been entered")
            raise RuntimeError(f"Cannot change state of {self._state} Timeout")
        self._when = when
        if self._handle is not None:
            self._handle.cancel()
            self._handle = None
        if when is not None:
            loop = asyncio.get_running_loop()
            if when <= loop.time():
                self._handle = loop.call_soon(self._on_timeout)
            else:
                self._handle = loop.call_at(when, self._on_timeout)

    def expired(self) -> bool:
        """Did the deadline pass while the block ran?"""
        return self._state in (_EXPIRING, _EXPIRED)

    def __repr__(self) -> str:
        info = ""
        if self._state is _ENTERED:
            when = round(self._when, 3) if self._when is not None else None
            info = f" when={when}"
        return f"<Timeout [{self._state}]{info}>"

    async def __aenter__(self) -> Timeout:
        if self._state is not _CREATED:
            raise RuntimeError("Timeout has already been entered")
        task = asyncio.current_task()
        if task is None:
            raise RuntimeError("Timeout should be used inside a task")
        self._state = _ENTERED
        self._task = task
        if sys.version_info < (3, 11):  # counting starts here
            self._since = count_since(task)
            self._cancelling = cancelling(task) if self._since is None else self._since
        else:
            self._cancelling = cancelling(task)
        self.reschedule(self._when)
        return self

    async def __aexit__(
        self,
        exc_type: Optional[Type[BaseException]],
        exc_val: Optional[BaseException],
        exc_tb: Optional[TracebackType],
    ) -> Optional[bool]:
        assert self._state in (_ENTERED, _EXPIRING)
        if self._handle is not None:
            self._handle.cancel()
            self._handle = None

        if self._state is _ENTERED:
            self._state = _EXITED
            return None

        self._state = _EXPIRED
        assert self._task is not None
        # Only a cancellation that is ours alone becomes TimeoutError: a request made
        # by anyone else since we entered wins, and keeps propagating.
        left = uncancel(self._task)
        if left == 0 and getattr(self._task, "_must_cancel", False):
            cancelled = await settle_withdrawn(self._task)
            if cancelled is not None:
                raise cancelled
        if left <= self._cancelling and exc_type is not None:
            if issubclass(exc_type, asyncio.CancelledError):
                raise TimeoutError from exc_val
            if exc_val is not None:
                # Something replaced our CancelledError (a finally, an ExceptionGroup):
                # leave a TimeoutError in its context chain (gh-96037, 3.13).
                _insert_timeout_error(exc_val)
                for exc in _members(exc_val):
                    _insert_timeout_error(exc)
        return None

    def _on_timeout(self) -> None:
        assert self._state is _ENTERED
        task = self._task
        assert task is not None
        if sys.version_info < (3, 11):
            # A cancel() looked up before counting started (call_later(d, task.cancel))
            # is not counted, and its request would be taken for ours: 3.11+ counts it,
            # so that it wins over the deadline.
            cancel_watching(task, self._since)
        else:
            task.cancel()
        self._state = _EXPIRING
        self._handle = None


Timeout.__module__ = "asyncio_compat"


def _insert_timeout_error(exc: BaseException) -> None:
    # Put a TimeoutError between the first CancelledError in the chain and what it caused.
    while exc.__context__ is not None:
        context = exc.__context__
        if isinstance(context, asyncio.CancelledError):
            timeout_error = TimeoutError()
            timeout_error.__context__ = timeout_error.__cause__ = context
            exc.__context__ = timeout_error
            return
        exc = context


def timeout(delay: Optional[float]) -> Timeout:
    """Cancel the ``async with`` block if it runs longer than *delay* seconds.

    ``None`` means no limit. The cancellation turns into ``TimeoutError`` where it
    leaves the outermost expired block::

        async with timeout(10):
            await long_running_task()
    """
    loop = asyncio.get_running_loop()
    return Timeout(loop.time() + delay if delay is not None else None)


def timeout_at(when: Optional[float]) -> Timeout:
    """Cancel the ``async with`` block at the loop time *when* (``None``: never).

    *when* is in ``loop.time()``'s clock, not the system's.
    """
    return Timeout(when)


timeout.__module__ = timeout_at.__module__ = "asyncio_compat"
