# pyright: strict, reportUnnecessaryTypeIgnoreComment=true
"""Static types of call-graph introspection (``asyncio.graph``'s names, as typeshed types
them for 3.14) and of ``asyncio_compat.tasktree``, checked by mypy (as 3.8 and as 3.13)
and pyright in the ``type`` tox environment. Nothing here is run.
"""

from __future__ import annotations

import asyncio
import io
import sys
import types
from typing import Any, Callable, Optional, Tuple

from typing_extensions import assert_type

from asyncio_compat import tasktree
from asyncio_compat.backport import (
    FrameCallGraphEntry,
    FutureCallGraph,
    capture_call_graph,
    format_call_graph,
    future_add_to_awaited_by,
    future_discard_from_awaited_by,
    print_call_graph,
)


async def check_graph(
    fut: asyncio.Future[int], task: asyncio.Task[str], frame: types.FrameType
) -> None:
    graph = capture_call_graph()
    assert_type(graph, Optional[FutureCallGraph])
    assert_type(capture_call_graph(fut, depth=2, limit=-1), Optional[FutureCallGraph])
    assert_type(capture_call_graph(task, limit=None), Optional[FutureCallGraph])
    if graph is not None:
        assert_type(graph.future, "asyncio.Future[Any]")
        assert_type(graph.call_stack, Tuple[FrameCallGraphEntry, ...])
        assert_type(graph.awaited_by, Tuple[FutureCallGraph, ...])
        for entry in graph.call_stack:
            assert_type(entry.frame, types.FrameType)
    entry = FrameCallGraphEntry(frame)
    assert_type(FutureCallGraph(fut, (entry,), ()), FutureCallGraph)
    assert_type(format_call_graph(), str)
    assert_type(format_call_graph(fut, depth=1, limit=0), str)
    # Functions returning None: their types fit these (mypy refuses None as a value).
    printer: Callable[..., None] = print_call_graph
    printer(task, file=io.StringIO(), depth=1, limit=3)
    print_call_graph(file=sys.stderr)
    link: Callable[[asyncio.Future[Any], asyncio.Future[Any]], None] = future_add_to_awaited_by
    link = future_discard_from_awaited_by
    link(fut, task)


def check_task_tree(loop: asyncio.AbstractEventLoop) -> None:
    assert_type(tasktree.format_task_tree(), str)
    assert_type(tasktree.format_task_tree(loop, limit=2, depth=1), str)
    assert_type(tasktree.format_task_tree(loop, full_paths=True), str)
    printer: Callable[..., None] = tasktree.print_task_tree
    printer(loop, file=io.StringIO(), limit=0)
    dump = tasktree.dump_on_signal()
    assert_type(dump, tasktree.SignalDump)
    other = tasktree.dump_on_signal(10, loop=loop, file=sys.stdout, limit=3, full_paths=True)
    assert_type(other, tasktree.SignalDump)
    with tasktree.dump_on_signal(file=io.StringIO()) as same:
        assert_type(same, tasktree.SignalDump)
    uninstall: Callable[[], None] = dump.uninstall
    uninstall()


def check_any(value: Any) -> None:
    # Anything goes where the stdlib takes any future.
    capture_call_graph(value)
