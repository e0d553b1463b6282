"""Every task of an event loop as one tree, from inside the program; and a dump of it to
stderr on a signal, for a program that hangs.

This module holds this package's own helpers, which the stdlib has no counterpart of
(``asyncio_compat`` itself holds the stdlib's names only). It works on every version
this package supports, on the awaited-by links of ``asyncio.graph`` (3.14) or, before
3.14, on the links ``asyncio_compat.capture_call_graph()`` recovers::

    from asyncio_compat import tasktree

    async def main() -> None:
        tasktree.dump_on_signal()  # kill -USR1 <pid> prints the tree to stderr
        ...

The tree is what ``python -m asyncio pstree PID`` shows on 3.14 from outside the
process: each task that nothing awaits is a root; under a task come the frames of its
coroutine stack, outermost first, and under the frame where it waits, the tasks it
awaits; a task that awaits no other task ends with the frame it is suspended in::

    └── (T) Task-1
        └──  main /srv/app.py:40
            └──  TaskGroup.__aexit__ .../taskgroups.py:72
                └──  TaskGroup._aexit .../taskgroups.py:121
                    ├── (T) fetch-1
                    │   └──  fetch /srv/app.py:21
                    │       └──  Event.wait .../locks.py:213
                    └── (T) fetch-2
                        └──  ...

A task awaited by several tasks is shown in full under the first, and as
``(T) name (see above)`` under the others; a task in a cycle of waits (a deadlock) as
``(T) name (awaits itself: a cycle)`` where it comes round again.
"""

from __future__ import annotations

__all__ = ["SignalDump", "dump_on_signal", "format_task_tree", "print_task_tree"]

import asyncio
import operator
import os
import signal
import sys
import threading
import traceback
import types
from asyncio import events, tasks

from . import _graph

TYPE_CHECKING = False  # typing is not imported at run time (3.14+ asyncio does not)
if TYPE_CHECKING:
    from typing import Any, Dict, List, Optional, Set, TextIO, Tuple

    from _typeshed import SupportsWrite
    from typing_extensions import Self

    _Node = Tuple[str, int]  # ("task", id) or ("frame", serial number)


def _stack(task: Any, current: Any, frame: Optional[types.FrameType]) -> List[types.FrameType]:
    """*task*'s frames, outermost first: the live ones from *frame* for the running task."""
    if task is current and frame is not None:
        entries = _graph._live_stack(frame)
        entries.reverse()
    else:
        entries = _graph._coroutine_stack(task.get_coro())
    return [entry.frame for entry in entries]


def _waiting_tasks(task: Any, ours: Set[int]) -> List[Any]:
    # The tasks of this loop awaiting *task*: through a plain future (a custom awaitable's
    # link), the tasks awaiting that future.
    found: List[Any] = []
    pending = list(_graph.awaited_by(task))
    seen = {id(task)}
    while pending:
        waiter = pending.pop(0)
        if id(waiter) in seen:
            continue
        seen.add(id(waiter))
        if id(waiter) in ours:
            found.append(waiter)
        elif not isinstance(waiter, _graph._TASKS):
            pending += _graph.awaited_by(waiter)
    return found


class _Tree:
    def __init__(self) -> None:
        self.labels: Dict[_Node, str] = {}
        self.children: Dict[_Node, List[_Node]] = {}
        self._frames: Dict[Tuple[_Node, str], _Node] = {}

    def frame_node(self, parent: _Node, label: str) -> _Node:
        key = (parent, label)
        node = self._frames.get(key)
        if node is None:
            node = self._frames[key] = ("frame", len(self._frames))
            self.labels[node] = label
            self.children.setdefault(parent, []).append(node)
        return node

    def add_child(self, parent: _Node, child: _Node) -> None:
        kids = self.children.setdefault(parent, [])
        if child not in kids:
            kids.append(child)


def _frame_label(frame: types.FrameType, names: Dict[Any, str]) -> str:
    return f"{names[frame.f_code]} {frame.f_code.co_filename}:{frame.f_lineno}"


def _task_label(task: Any) -> str:
    if isinstance(task, _graph._TASKS):
        return f"(T) {task.get_name()}"
    return f"(F) Future(id={id(task):#x})"


def _build(
    loop: asyncio.AbstractEventLoop, frame: Optional[types.FrameType], limit: Optional[int]
) -> Tuple[_Tree, List[_Node], Dict[int, Any]]:
    # The running task's stack is the live frames, if it runs here (in this thread).
    current = tasks.current_task(loop) if loop is events._get_running_loop() else None
    by_id = {id(t): t for t in tasks.all_tasks(loop)}
    if current is not None:
        by_id[id(current)] = current
    stacks = {key: _stack(task, current, frame) for key, task in by_id.items()}
    if limit is not None:
        stacks = {key: stack[-limit:] if limit > 0 else [] for key, stack in stacks.items()}
    names = _graph.frame_names(f for stack in stacks.values() for f in stack)
    tree = _Tree()
    for key, task in by_id.items():
        tree.labels[("task", key)] = _task_label(task)
    ours = set(by_id)
    awaited = set()
    awaiting = set()
    for key, task in by_id.items():
        for waiter in _waiting_tasks(task, ours):
            awaited.add(key)
            awaiting.add(id(waiter))
            node: _Node = ("task", id(waiter))
            for f in stacks[id(waiter)]:
                node = tree.frame_node(node, _frame_label(f, names))
            tree.add_child(node, ("task", key))
    for key in by_id:
        if key not in awaiting:
            node = ("task", key)
            for f in stacks[key]:
                node = tree.frame_node(node, _frame_label(f, names))
    order = sorted(by_id, key=lambda k: (by_id[k].get_name(), k))
    roots: List[_Node] = [("task", k) for k in order if k not in awaited]
    # Tasks that all wait for one another (a deadlock) have no root: one of each such
    # cycle becomes one, in the order of the names.
    roots += [("task", k) for k in order if k in awaited]
    return tree, roots, by_id


def _render(tree: _Tree, roots: List[_Node], by_id: Dict[int, Any]) -> List[str]:
    # Depth first on a list rather than the C stack: a chain of thousands of tasks
    # awaiting one another is as deep as that.
    lines: List[str] = []
    shown: Set[_Node] = set()
    path: Set[_Node] = set()  # the tasks from the root down to here

    def sort_key(node: _Node) -> Tuple[int, str, int]:
        if node[0] == "frame":
            return (0, "", node[1])
        return (1, by_id[node[1]].get_name(), node[1])

    # (node, prefix, last child); a None prefix: leaving the task *node*.
    todo: List[Tuple[_Node, Optional[str], bool]] = []
    for root in reversed(roots):
        todo.append((root, "", True))
    while todo:
        node, prefix, last = todo.pop()
        if prefix is None:
            path.discard(node)
            continue
        if not prefix and node in shown:  # a root already shown under another
            continue
        branch = "└── " if last else "├── "
        label = tree.labels[node]
        if node[0] == "task":
            if node in path:
                lines.append(f"{prefix}{branch}{label} (awaits itself: a cycle)")
                continue
            if node in shown:
                lines.append(f"{prefix}{branch}{label} (see above)")
                continue
            shown.add(node)
            path.add(node)
            todo.append((node, None, last))
        else:
            label = f" {label}"
        lines.append(f"{prefix}{branch}{label}")
        kids = sorted(tree.children.get(node, []), key=sort_key)
        inner = prefix + ("    " if last else "│   ")
        for i in range(len(kids) - 1, -1, -1):
            todo.append((kids[i], inner, i == len(kids) - 1))
    return lines


def _check_limit(limit: Any) -> Optional[int]:
    if limit is None:
        return None
    checked = operator.index(limit)  # "'str' object cannot be interpreted as an integer"
    if checked < 0:
        raise ValueError(f"limit must be None or at least 0, not {checked}")
    return checked


def _check_loop(loop: Any) -> None:
    if loop is not None and not isinstance(loop, asyncio.AbstractEventLoop):
        raise TypeError(f"loop must be an asyncio event loop, not {type(loop).__name__}")


def format_task_tree(
    loop: Optional[asyncio.AbstractEventLoop] = None,
    *,
    limit: Optional[int] = None,
    depth: int = 1,
) -> str:
    """Return every unfinished task of *loop* (the running loop by default) as a tree of
    awaited-by links, each with the frames it is suspended in.

    *limit* keeps the innermost *limit* frames of each task's stack (0: none). The task
    calling this function is shown with its live frames, from the caller on (*depth*
    frames up, as for ``capture_call_graph()``). ``""`` when the loop has no task.
    """
    _check_loop(loop)
    limit = _check_limit(limit)
    depth = operator.index(depth)
    if loop is None:
        loop = events.get_running_loop()
    frame: Optional[types.FrameType] = sys._getframe(depth)
    try:
        tree, roots, by_id = _build(loop, frame, limit)
    finally:
        del frame
    return "\n".join(_render(tree, roots, by_id))


def print_task_tree(
    loop: Optional[asyncio.AbstractEventLoop] = None,
    *,
    file: Optional[SupportsWrite[str]] = None,
    limit: Optional[int] = None,
    depth: int = 1,
) -> None:
    """Print :func:`format_task_tree` to *file* (``sys.stdout`` by default)."""
    _check_loop(loop)
    limit = _check_limit(limit)
    depth = operator.index(depth)
    _graph.check_file(file)
    print(format_task_tree(loop, limit=limit, depth=depth + 1), file=file)  # type: ignore[arg-type]


class SignalDump:
    """A dump of the task tree on a signal, made by :func:`dump_on_signal`.

    :meth:`uninstall` (or leaving a ``with`` block) removes it and puts back what the
    signal did before.
    """

    def __init__(
        self,
        loop: asyncio.AbstractEventLoop,
        signum: int,
        file: Optional[TextIO],
        limit: Optional[int],
    ) -> None:
        # Checked here, not when the signal comes: a dump must not fail on its arguments.
        if not isinstance(loop, asyncio.AbstractEventLoop):
            raise TypeError(f"loop must be an asyncio event loop, not {type(loop).__name__}")
        signum = operator.index(signum)
        limit = _check_limit(limit)
        _graph.check_file(file)
        self.loop = loop
        self.signum = signum
        self.file = file
        self.limit = limit
        self._previous: Any = signal.getsignal(signum)
        self._by_loop = False
        self._installed = False

    def _install(self) -> None:
        try:
            self.loop.add_signal_handler(self.signum, self.dump)
        except NotImplementedError:
            # No add_signal_handler (Windows' proactor loop): a Python signal handler
            # that only schedules the dump on the loop, which is safe from a handler.
            if threading.current_thread() is not threading.main_thread():
                raise RuntimeError(
                    "dump_on_signal(): this loop cannot handle signals, and only the "
                    "main thread can set a signal handler"
                ) from None
            signal.signal(self.signum, self._on_signal)
        else:
            self._by_loop = True
        self._installed = True

    def _on_signal(self, signum: int, frame: Any) -> None:
        self.loop.call_soon_threadsafe(self.dump)

    def dump(self) -> None:
        """Write the tree now (the signal's handler, run by the loop)."""
        out = self.file if self.file is not None else sys.stderr
        try:
            name = signal.Signals(self.signum).name
        except ValueError:
            name = str(self.signum)
        try:
            text = format_task_tree(self.loop, limit=self.limit)
            count = len(tasks.all_tasks(self.loop))
            out.write(f"asyncio task tree of pid {os.getpid()} on {name} ({count} tasks):\n")
            out.write(f"{text}\n" if text else "(no task)\n")
        except Exception:
            # A dump must never take the loop down: report its own failure instead.
            out.write(f"asyncio task tree of pid {os.getpid()} on {name}: failed\n")
            traceback.print_exc(file=out)
        out.flush()

    def uninstall(self) -> None:
        """Stop dumping on the signal; what the signal did before is back. Idempotent."""
        if not self._installed:
            return
        self._installed = False
        if self._by_loop and not self.loop.is_closed():
            self.loop.remove_signal_handler(self.signum)
        if self._previous is not None:  # None: a handler not set from Python
            signal.signal(self.signum, self._previous)

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.uninstall()


def dump_on_signal(
    signum: Optional[int] = None,
    *,
    loop: Optional[asyncio.AbstractEventLoop] = None,
    file: Optional[TextIO] = None,
    limit: Optional[int] = None,
) -> SignalDump:
    """Print the task tree of *loop* (the running loop by default) to *file* (stderr by
    default) each time the process gets the signal *signum* (``SIGUSR1`` by default).

    The handler is the loop's own (``loop.add_signal_handler``): the dump runs as a
    callback of the loop, between two steps of its tasks. A loop that is blocked in
    synchronous code therefore cannot dump; ``faulthandler.register(signal.SIGUSR2)``
    shows the threads' stacks then. Returns a :class:`SignalDump`, whose ``uninstall()``
    undoes this; a ``ValueError`` if the loop already handles the signal.
    """
    if signum is None:
        signum = getattr(signal, "SIGUSR1", None)
        if signum is None:
            raise ValueError("dump_on_signal(): no SIGUSR1 on this platform: pass a signal")
    _check_loop(loop)
    if loop is None:
        loop = events.get_running_loop()
    dump = SignalDump(loop, signum, file, limit)
    if signum in getattr(loop, "_signal_handlers", ()):  # asyncio's Unix loops
        raise ValueError(f"dump_on_signal(): the loop already handles signal {signum}")
    dump._install()
    return dump
