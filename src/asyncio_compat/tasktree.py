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

The tree holds what ``python -m asyncio pstree PID`` shows on 3.14 from outside the
process, drawn so that each task's lines stay together: each task that nothing awaits is a
root; under a task come first the frames of its coroutine stack, outermost first (the
last is the one it is suspended in), then the tasks it awaits (a ``TaskGroup``'s
children, the tasks it gathers or awaits), each drawn the same way::

    └── (T) Task-1
        ├──  main app.py:40
        ├──  TaskGroup.__aexit__ asyncio/taskgroups.py:72
        ├──  TaskGroup._aexit asyncio/taskgroups.py:121
        ├── (T) fetch-1
        │   ├──  fetch app.py:21
        │   └──  Event.wait asyncio/locks.py:213
        └── (T) fetch-2
            └──  ...

A file is shown relative to the working directory, site-packages or the stdlib,
whichever holds it, as tracebacks are shortened elsewhere (``full_paths=True`` shows it
in full). A task waiting at the end of ``async with`` (in ``__aexit__``, a TaskGroup
waiting for its children) shows the ``async with`` line on every version, as 3.10+ report
it; 3.8 and 3.9 report the last line run in the block's body there, which is corrected.

A task awaited by several tasks is shown in full under the first, and as
``(T) name (see above)`` under the others; a task in a cycle of waits (a deadlock) as
``(T) name (awaits itself: a cycle)`` where it comes round again.
"""

from __future__ import annotations

__all__ = ["SignalDump", "dump_on_signal", "format_task_tree", "print_task_tree"]

import asyncio
import contextlib
import dis
import operator
import os
import signal
import site
import sys
import sysconfig
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


# --- where a frame is ---------------------------------------------------------------------


def _path_roots() -> List[str]:
    """The folders a path is shown relative to: the working directory, site-packages and
    the stdlib, each ending with a separator, longest first (site-packages is inside the
    stdlib's folder, a virtualenv may be inside the working directory)."""
    roots = {os.path.dirname(os.__file__), os.path.dirname(os.path.dirname(asyncio.__file__))}
    for key in ("stdlib", "platstdlib", "purelib", "platlib"):
        roots.add(sysconfig.get_path(key))
    roots.update(getattr(site, "getsitepackages", list)())  # not in old virtualenvs' site
    if site.ENABLE_USER_SITE:
        roots.add(site.getusersitepackages())
    with contextlib.suppress(OSError):  # a working directory that was removed
        roots.add(os.getcwd())
    # Not the file system's root (a service started in /): its files stay absolute.
    found = {
        os.path.join(os.path.normcase(root), "")
        for root in roots
        if root and os.path.dirname(root) != root
    }
    return sorted(found, key=len, reverse=True)


def _short_path(path: str, roots: List[str]) -> str:
    # As tracebacks are shortened elsewhere (pytest, rich): the path below the
    # working directory, site-packages or the stdlib, whichever is closest; a path that
    # is already relative (3.8's __main__ run as ``python app.py``) stays as it is.
    if not os.path.isabs(path):
        return path
    cased = os.path.normcase(path)
    for root in roots:
        if cased.startswith(root):
            return path[len(root) :]
    return path


def _async_with_line(code: types.CodeType, lasti: int) -> Optional[int]:
    """The line of the ``async with`` whose ``__aexit__`` the instruction at *lasti* awaits,
    or None if it awaits something else (3.8 and 3.9's bytecode, CPython's and PyPy's).

    Before 3.10 (PEP 626) the code that calls and awaits ``__aexit__`` has no line of its
    own: a frame suspended there reports the last line run before it, the last line of the
    block's body (or the line that raised), where 3.10+ report the ``async with`` line.
    """
    instructions = list(dis.get_instructions(code))
    at = next((n for n, i in enumerate(instructions) if i.offset == lasti), -1)
    if 0 <= at < len(instructions) - 1 and instructions[at].opname != "YIELD_FROM":
        at += 1  # a suspended frame's f_lasti is the instruction before (3.9)
    if at < 6 or instructions[at].opname != "YIELD_FROM":
        return None
    ops = [i.opname for i in instructions[at - 6 : at]]
    if ops[-2:] != ["GET_AWAITABLE", "LOAD_CONST"]:
        return None
    call = instructions[at - 3]
    # SETUP_ASYNC_WITH's target is the block's handler: where 3.8 calls __aexit__ on
    # every way out, and 3.9 on the way out by an exception (WITH_EXCEPT_START).
    blocks = [(i.offset, i.argval) for i in instructions if i.opname == "SETUP_ASYNC_WITH"]
    if call.opname in ("WITH_CLEANUP_START", "WITH_EXCEPT_START"):
        setups = [start for start, handler in blocks if handler == call.offset]
    elif ops[:4] == ["LOAD_CONST", "DUP_TOP", "DUP_TOP", "CALL_FUNCTION"] and call.arg == 3:
        setups = []  # 3.9's way out at the end of the body: __aexit__(None, None, None)
    else:
        return None
    if not setups:
        # The end of the body (3.9), or a return, break or continue leaving it early:
        # inside the innermost block around it.
        setups = [max((s for s, h in blocks if s < call.offset < h), default=-1)]
    line = None
    for offset, start_line in dis.findlinestarts(code):
        if offset > setups[0]:
            break
        line = start_line
    return line if setups[0] >= 0 else None


# The instructions that can call __aexit__ three before the YIELD_FROM that awaits it.
_EXIT_CALLS = {
    dis.opmap[name]
    for name in ("WITH_CLEANUP_START", "WITH_EXCEPT_START", "CALL_FUNCTION")
    if name in dis.opmap
}


def _lineno(frame: types.FrameType) -> Optional[int]:
    if sys.version_info < (3, 10):  # PEP 626: see _async_with_line()
        # A look at the raw bytecode first (two bytes an instruction), so that only a
        # frame that may be in an __aexit__ is disassembled.
        code, lasti = frame.f_code, frame.f_lasti
        raw = code.co_code
        if not any(0 <= at < len(raw) and raw[at] in _EXIT_CALLS for at in (lasti - 6, lasti - 4)):
            return frame.f_lineno
        line = _async_with_line(code, lasti)
        if line is not None:
            return line
    return frame.f_lineno


# --- the tree -----------------------------------------------------------------------------


class _Task:
    """One task of the tree: its label, its frames' labels (outermost first), and the
    keys of the tasks it awaits."""

    __slots__ = ("awaits", "frames", "label", "name")

    def __init__(self, task: Any, frames: List[str]) -> None:
        self.name: str = task.get_name() if isinstance(task, _graph._TASKS) else ""
        self.label = _task_label(task)
        self.frames = frames
        self.awaits: List[int] = []


def _frame_label(frame: types.FrameType, names: Dict[Any, str], roots: Optional[List[str]]) -> str:
    path = frame.f_code.co_filename
    if roots is not None:
        path = _short_path(path, roots)
    return f"{names[frame.f_code]} {path}:{_lineno(frame)}"


def _task_label(task: Any) -> str:
    if isinstance(task, _graph._TASKS):
        return f"(T) {task.get_name()}"
    return f"(F) Future(id={id(task):#x})"


def _build(
    loop: asyncio.AbstractEventLoop,
    frame: Optional[types.FrameType],
    limit: Optional[int],
    full_paths: bool,
) -> Tuple[Dict[int, _Task], List[int]]:
    # The running task's stack is the live frames, if it runs here (in this thread).
    current = tasks.current_task(loop) if loop is events._get_running_loop() else None
    by_id = {id(t): t for t in tasks.all_tasks(loop)}
    if current is not None:
        by_id[id(current)] = current
    stacks = {key: _stack(task, current, frame) for key, task in by_id.items()}
    if limit is not None:
        stacks = {key: stack[-limit:] if limit > 0 else [] for key, stack in stacks.items()}
    names = _graph.frame_names(f for stack in stacks.values() for f in stack)
    roots = None if full_paths else _path_roots()
    nodes = {
        key: _Task(task, [_frame_label(f, names, roots) for f in stacks[key]])
        for key, task in by_id.items()
    }
    ours = set(by_id)
    awaited = set()
    for key, task in by_id.items():
        for waiter in _waiting_tasks(task, ours):
            awaited.add(key)
            nodes[id(waiter)].awaits.append(key)
    for node in nodes.values():
        node.awaits.sort(key=lambda k: (nodes[k].name, k))
    order = sorted(by_id, key=lambda k: (nodes[k].name, k))
    tops = [k for k in order if k not in awaited]
    # Tasks that all wait for one another (a deadlock) have no root: one of each such
    # cycle becomes one, in the order of the names.
    tops += [k for k in order if k in awaited]
    return nodes, tops


def _render(nodes: Dict[int, _Task], tops: List[int]) -> List[str]:
    # Depth first on a list rather than the C stack: a chain of thousands of tasks
    # awaiting one another is as deep as that.
    lines: List[str] = []
    shown: Set[int] = set()
    path: Set[int] = set()  # the tasks from the root down to here

    # (a task's key or a frame's label, prefix, last line of its level); a None prefix:
    # leaving the task.
    todo: List[Tuple[Any, Optional[str], bool]] = [(key, "", True) for key in reversed(tops)]
    while todo:
        item, prefix, last = todo.pop()
        if prefix is None:
            path.discard(item)
            continue
        branch = "└── " if last else "├── "
        if isinstance(item, str):  # a frame
            lines.append(f"{prefix}{branch} {item}")
            continue
        if not prefix and item in shown:  # a root already shown under another
            continue
        node = nodes[item]
        if item in path:
            lines.append(f"{prefix}{branch}{node.label} (awaits itself: a cycle)")
            continue
        if item in shown:
            lines.append(f"{prefix}{branch}{node.label} (see above)")
            continue
        shown.add(item)
        path.add(item)
        todo.append((item, None, last))
        lines.append(f"{prefix}{branch}{node.label}")
        # The task's own lines: its frames, outermost first, then the tasks it awaits.
        kids: List[Any] = [*node.frames, *node.awaits]
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
    full_paths: bool = False,
) -> str:
    """Return every unfinished task of *loop* (the running loop by default) as a tree of
    awaited-by links, each with the frames it is suspended in.

    *limit* keeps the innermost *limit* frames of each task's stack (0: none). The task
    calling this function is shown with its live frames, from the caller on (*depth*
    frames up, as for ``capture_call_graph()``). ``""`` when the loop has no task.

    A file is shown relative to the working directory, site-packages or the stdlib
    (``app.py:40``, ``aiohttp/client.py:123``, ``asyncio/tasks.py:665``), or in full
    with a true *full_paths*.
    """
    _check_loop(loop)
    limit = _check_limit(limit)
    depth = operator.index(depth)
    if loop is None:
        loop = events.get_running_loop()
    frame: Optional[types.FrameType] = sys._getframe(depth)
    try:
        nodes, tops = _build(loop, frame, limit, bool(full_paths))
    finally:
        del frame
    return "\n".join(_render(nodes, tops))


def print_task_tree(
    loop: Optional[asyncio.AbstractEventLoop] = None,
    *,
    file: Optional[SupportsWrite[str]] = None,
    limit: Optional[int] = None,
    depth: int = 1,
    full_paths: bool = False,
) -> None:
    """Print :func:`format_task_tree` to *file* (``sys.stdout`` by default)."""
    _check_loop(loop)
    limit = _check_limit(limit)
    depth = operator.index(depth)
    _graph.check_file(file)
    text = format_task_tree(loop, limit=limit, depth=depth + 1, full_paths=full_paths)
    print(text, file=file)  # type: ignore[arg-type]


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
        full_paths: bool = False,
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
        self.full_paths = full_paths
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
            text = format_task_tree(self.loop, limit=self.limit, full_paths=self.full_paths)
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
    full_paths: bool = False,
) -> SignalDump:
    """Print the task tree of *loop* (the running loop by default) to *file* (stderr by
    default) each time the process gets the signal *signum* (``SIGUSR1`` by default).

    The handler is the loop's own (``loop.add_signal_handler``): the dump runs as a
    callback of the loop, between two steps of its tasks. A loop that is blocked in
    synchronous code therefore cannot dump; ``faulthandler.register(signal.SIGUSR2)``
    shows the threads' stacks then. Returns a :class:`SignalDump`, whose ``uninstall()``
    undoes this; a ``ValueError`` if the loop already handles the signal. *limit* and
    *full_paths* are :func:`format_task_tree`'s.
    """
    if signum is None:
        signum = getattr(signal, "SIGUSR1", None)
        if signum is None:
            raise ValueError("dump_on_signal(): no SIGUSR1 on this platform: pass a signal")
    _check_loop(loop)
    if loop is None:
        loop = events.get_running_loop()
    dump = SignalDump(loop, signum, file, limit, full_paths)
    if signum in getattr(loop, "_signal_handlers", ()):  # asyncio's Unix loops
        raise ValueError(f"dump_on_signal(): the loop already handles signal {signum}")
    dump._install()
    return dump
