"""Coroutines the behaviour tests share (imported as ``scenarios``: tests/ is on sys.path)."""

from __future__ import annotations

import asyncio
from typing import Any, Awaitable, Callable, Optional


async def fail_after(delay: float, exc: BaseException) -> None:
    """Sleep *delay* seconds, then raise *exc*."""
    await asyncio.sleep(delay)
    try:
        raise exc
    finally:
        del exc  # the traceback holds this frame: no cycle through its locals


async def crash_in_cleanup(exc: Optional[BaseException] = None) -> None:
    """Sleep until cancelled, then raise *exc* (ZeroDivisionError by default) while unwinding."""
    try:
        await asyncio.sleep(10)
    finally:
        try:
            raise exc if exc is not None else ZeroDivisionError("in cleanup")
        finally:
            del exc  # the traceback holds this frame: no cycle through its locals


async def cancel_once_started(
    body: Callable[[asyncio.Event], Awaitable[Any]], *, delay: float = 0
) -> asyncio.Future[Any]:
    """Run ``body(started)`` as a task, cancel it once it sets *started* (and *delay* more
    seconds have passed), and return the task when it is done."""
    started = asyncio.Event()
    task = asyncio.ensure_future(body(started))
    await started.wait()
    if delay:
        await asyncio.sleep(delay)
    task.cancel()
    await asyncio.wait([task])
    return task
