"""wait_for() with the behaviour of CPython 3.13 and newer.

3.12 rewrote ``wait_for`` as a ``timeout()`` around an ``await`` (gh-96764): no inner
task, so no cancellation swallowed when the result and the caller's cancellation race
(gh-86296), no awaitable left running, no late return. 3.13 then fixed ``timeout()``
itself (gh-96037, gh-116720). This is that design on the backport's ``timeout()``
before 3.13, and on the stdlib's, which is the same, from 3.13.
"""

from __future__ import annotations

__all__ = ["wait_for"]

import asyncio
import sys
from asyncio import futures as _futures

from ._awaitedby import AWAITED_BY

TYPE_CHECKING = False  # typing is not imported at run time (3.14+ asyncio does not)
if TYPE_CHECKING:
    from typing import Any, Awaitable, Optional, TypeVar

    _T = TypeVar("_T")

if sys.version_info >= (3, 13):  # 3.13+: gh-96037 and gh-116720 are in the stdlib's timeout()
    from asyncio import timeout
else:
    from ._timeout import timeout

# bpo-46771 (3.11) made asyncio.TimeoutError the builtin; before, ours subclasses both
if sys.version_info >= (3, 11):
    from builtins import TimeoutError
else:
    from ._exceptions import TimeoutError


async def wait_for(fut: Awaitable[_T], timeout: Optional[float]) -> _T:
    """Wait for the awaitable *fut*, at most *timeout* seconds, and return its result.

    At the deadline *fut* is cancelled and ``TimeoutError`` is raised; wrap *fut* in
    ``asyncio.shield()`` to keep it running. ``None`` waits without a limit. A coroutine
    is awaited in the caller's task, not wrapped in a task of its own.

    A *timeout* of 0 or less does not start a coroutine: *fut* is made a future (as
    ``asyncio.ensure_future()``), its result returned if it is already done, else it is
    cancelled and awaited until it ends, and ``TimeoutError`` raised.

    If the caller is cancelled while it waits, *fut* is cancelled too, and the
    cancellation propagates. If *fut* suppresses a cancellation and returns a value
    instead, that value is returned.
    """
    if timeout is not None and timeout <= 0:
        future = asyncio.ensure_future(fut)
        if future.done():
            return future.result()
        await _cancel_and_wait(future)
        try:
            return future.result()
        except asyncio.CancelledError as exc:
            raise TimeoutError from exc

    async with _timeout(timeout):
        return await fut


_timeout = timeout  # the parameter of wait_for() hides the module's name


async def _cancel_and_wait(fut: asyncio.Future[Any]) -> None:
    # Await the end of the cancelled *fut* through a future of our own: awaiting fut
    # itself would cancel it again if we were cancelled, and could not be interrupted.
    loop = asyncio.get_running_loop()
    waiter = loop.create_future()

    def release(_: object) -> None:
        if not waiter.done():
            waiter.set_result(None)

    fut.add_done_callback(release)
    task = asyncio.current_task() if AWAITED_BY else None
    if AWAITED_BY:  # gh-157058 (3.14): awaiting the waiter is no link to fut: make one
        # Looked up at each call, as the stdlib's (its tests swap it).
        _futures.future_add_to_awaited_by(fut, task)  # type: ignore[attr-defined]
    try:
        fut.cancel()
        await waiter
    finally:
        fut.remove_done_callback(release)
        if AWAITED_BY:
            _futures.future_discard_from_awaited_by(fut, task)  # type: ignore[attr-defined]


wait_for.__module__ = "asyncio_compat"
