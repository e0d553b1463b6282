"""Call-graph introspection: capture_call_graph() and format_call_graph(), per call.

The graph is that of a task 20 coroutines deep, a child of a TaskGroup in a task 5 deep
(29 frames in all); each sample builds it before its clock starts.
"""

from __future__ import annotations

import asyncio
import contextlib
from typing import Any, AsyncIterator, List

import asyncio_compat
from asyncio_compat import backport

from . import common
from .common import PY, Contender, Sample, _also

DEPTH = 20
PARENT_DEPTH = 5
CAPTURES = 500  # per sample


async def _nested(depth: int, event: asyncio.Event) -> None:
    if depth:
        await _nested(depth - 1, event)
    else:
        await event.wait()


@contextlib.asynccontextmanager
async def _deep_task(group: Any) -> AsyncIterator[Any]:
    """A task DEPTH coroutines deep, waiting in a *group* of a task PARENT_DEPTH deep."""
    event = asyncio.Event()
    child: List[Any] = []

    async def parent(depth: int) -> None:
        if depth:
            await parent(depth - 1)
            return
        async with group() as tg:
            child.append(tg.create_task(_nested(DEPTH, event)))
            await event.wait()

    top = asyncio.get_running_loop().create_task(parent(PARENT_DEPTH))
    for _ in range(8):  # until the child waits at the bottom of its chain
        await asyncio.sleep(0)
    try:
        yield child[0]
    finally:
        event.set()
        await top


def _bare_walk(task: Any) -> int:
    """The least a capture does: follow ``cr_await`` from the task's coroutine."""
    count = 0
    coro = task.get_coro()
    while coro is not None and hasattr(coro, "cr_await"):
        if coro.cr_frame is not None:
            count += 1
        coro = coro.cr_await
    return count


def _bare(task: Any) -> Any:
    # The child's chain and its parent's: the two that the graph holds.
    parent = backport.capture_call_graph(task).awaited_by[0].future
    return lambda: (_bare_walk(task), _bare_walk(parent))


def _calls(make: Any, group: Any = None) -> Sample:
    """CAPTURES calls of ``make(task)()`` per sample, on a graph built before the clock, in
    a *group*: asyncio_compat.TaskGroup, or --also's (whose links only its capture sees)."""

    async def sample() -> float:
        async with _deep_task(group or asyncio_compat.TaskGroup) as task:
            call = make(task)
            t0 = common.clock()
            for _ in range(CAPTURES):
                call()
            return common.clock() - t0

    return sample


def _of(function: Any) -> Any:
    return lambda task: lambda: function(task)


def _stdlib(name: str) -> Any:
    """asyncio's *name* (asyncio.graph, 3.14+), or None."""
    return getattr(asyncio, name, None) if PY >= (3, 14) else None


def capture_contenders() -> List[Contender]:
    stdlib = _stdlib("capture_call_graph")
    out = [
        Contender("bare", "bare walk of the same `cr_await` chains", _calls(_bare)),
        Contender(
            "backport",
            "asyncio_compat.backport.capture_call_graph",
            _calls(_of(backport.capture_call_graph)),
        ),
    ]
    out += [
        Contender(k, label, _calls(_of(f), common.ALSO.TaskGroup))
        for k, label, f in _also("capture_call_graph")
    ]
    out.append(
        Contender(
            "stdlib",
            "asyncio.capture_call_graph",
            _calls(_of(stdlib)) if stdlib else None,
            "no asyncio.capture_call_graph before 3.14",
        )
    )
    return out


def format_contenders() -> List[Contender]:
    stdlib = _stdlib("format_call_graph")
    out = [
        Contender(
            "stdlib",
            "asyncio.format_call_graph",
            _calls(_of(stdlib)) if stdlib else None,
            "no asyncio.format_call_graph before 3.14",
        ),
        Contender(
            "backport",
            "asyncio_compat.backport.format_call_graph",
            _calls(_of(backport.format_call_graph)),
        ),
    ]
    out += [
        Contender(k, label, _calls(_of(f), common.ALSO.TaskGroup))
        for k, label, f in _also("format_call_graph")
    ]
    return out
