"""The backport itself, on every interpreter, whatever ``asyncio_compat``'s gates pick.

The conformance suite runs the same tests against these names and the stdlib's; users
may import from here to pin the backport.
"""

from __future__ import annotations

__all__ = [
    "FrameCallGraphEntry",
    "FutureCallGraph",
    "Runner",
    "TaskGroup",
    "Timeout",
    "as_completed",
    "cancelling",
    "capture_call_graph",
    "format_call_graph",
    "future_add_to_awaited_by",
    "future_discard_from_awaited_by",
    "print_call_graph",
    "run",
    "timeout",
    "timeout_at",
    "uncancel",
    "wait_for",
]

from ._ascompleted import as_completed
from ._cancelling import cancelling, uncancel
from ._graph import (
    FrameCallGraphEntry,
    FutureCallGraph,
    capture_call_graph,
    format_call_graph,
    future_add_to_awaited_by,
    future_discard_from_awaited_by,
    print_call_graph,
)
from ._runner import Runner, run
from ._taskgroup import TaskGroup
from ._timeout import Timeout, timeout, timeout_at
from ._waitfor import wait_for
