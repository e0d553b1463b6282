"""Call-graph introspection, ``asyncio.graph`` of CPython 3.14+ (gh-91048), on 3.8 and newer.

``capture_call_graph()`` gives a future's (or the current task's) call stack and, through
its "awaited by" links, the tasks waiting for it, recursively; ``format_call_graph()``
and ``print_call_graph()`` render it in 3.14's text.

Two things 3.14 added to the interpreter are missing before it, and are made up for here:

* Frames have no ``f_generator``. Whether a frame is a coroutine's, an async generator's,
  a generator's or a plain function's is read from its code's flags, and (before 3.11,
  where code has no ``co_qualname`` either) the qualified name from the coroutine walked
  through, the function the frame runs, or the objects referring to its code.
* Futures keep no awaited-by links: before 3.14 nothing in asyncio records them. They are
  recovered when a graph is captured, from the objects themselves (``_awaiters_of``): a
  task waiting on a future is in its done callbacks (and the future is the task's
  ``_fut_waiter``); a TaskGroup's child has the group's ``_on_task_done`` among them, and
  the group knows its parent task; ``gather``, ``shield``, ``wait``, the old ``wait_for``
  and ``as_completed`` leave closures there that lead to the future their caller awaits;
  so do this package's ``wait_for`` and ``as_completed``, whose iterator keeps the task
  that made it. What custom awaitables record through ``future_add_to_awaited_by()`` is
  added (``_awaitedby.py``).

From 3.14 the links are the stdlib's own records; the rest is the same code everywhere,
so that ``asyncio_compat.backport`` can be compared with the stdlib on 3.14+.
"""

from __future__ import annotations

__all__ = [
    "FrameCallGraphEntry",
    "FutureCallGraph",
    "capture_call_graph",
    "format_call_graph",
    "future_add_to_awaited_by",
    "future_discard_from_awaited_by",
    "print_call_graph",
]

import asyncio
import dataclasses
import functools
import gc
import inspect
import operator
import sys
import types
from asyncio import events, futures, tasks

from . import _ascompleted, _waitfor
from ._awaitedby import STDLIB_RECORDS as _STDLIB_RECORDS
from ._awaitedby import future_add_to_awaited_by, future_discard_from_awaited_by
from ._awaitedby import recorded_awaiters as _recorded_awaiters
from ._taskgroup import TaskGroup as _BackportTaskGroup

TYPE_CHECKING = False  # typing is not imported at run time (3.14+ asyncio does not)
if TYPE_CHECKING:
    from typing import (
        Any,
        Dict,
        Iterable,
        Iterator,
        List,
        Optional,
        Set,
        Tuple,
        Type,
        overload,
    )

    from _typeshed import SupportsWrite


# What 3.14 accepts as futures and tasks: the C and the pure-Python classes (the upstream
# tests swap asyncio.Future/Task for either) and their subclasses.
_FUTURES: Tuple[Type[asyncio.Future[Any]], ...] = tuple(
    {futures._PyFuture, futures.Future}  # type: ignore[attr-defined]
)
_TASKS: Tuple[Type[asyncio.Task[Any]], ...] = tuple({tasks._PyTask, tasks.Task})  # type: ignore[attr-defined]
_GROUPS: Tuple[type, ...] = (_BackportTaskGroup,)
if sys.version_info >= (3, 11):  # 3.11+: the stdlib's TaskGroup (bpo-46752)
    _GROUPS += (asyncio.TaskGroup,)

# Where f_generator (3.14) is missing, the code's flags tell whose frame it is.
_CO_COROUTINE = inspect.CO_COROUTINE
_CO_ASYNC_GENERATOR = inspect.CO_ASYNC_GENERATOR
_CO_GENERATOR = inspect.CO_GENERATOR  # also set for a @types.coroutine generator
_ASYNC_FRAME = _CO_COROUTINE | _CO_ASYNC_GENERATOR
_GENERATOR_FRAME = _CO_GENERATOR | _ASYNC_FRAME


@dataclasses.dataclass(frozen=True)
class FrameCallGraphEntry:
    """One frame of a call stack in a captured call graph."""

    # Explicit rather than dataclass(slots=True), which is 3.10's.
    __slots__ = ("frame",)
    frame: types.FrameType


@dataclasses.dataclass(frozen=True)
class FutureCallGraph:
    """A future or task, its call stack (innermost frame first), and the graphs of the
    futures and tasks awaiting it."""

    __slots__ = ("awaited_by", "call_stack", "future")
    future: asyncio.Future[Any]
    call_stack: Tuple[FrameCallGraphEntry, ...]
    awaited_by: Tuple[FutureCallGraph, ...]


# --- awaited-by links -------------------------------------------------------------------

# "recorded": the stdlib's records (3.14.8+, _awaitedby.STDLIB_RECORDS); "recovered": from
# the objects only; "both": recovered and the hooks' table (before 3.14.8). Tests set
# "recovered" on 3.14+ to compare the recovery with the stdlib's records.
_LINKS = "recorded" if _STDLIB_RECORDS else "both"


def _nested_code(function: Any, name: str) -> Any:
    # The code of the function *name* defined inside *function*.
    for const in getattr(getattr(function, "__code__", None), "co_consts", ()):
        if isinstance(const, types.CodeType) and const.co_name == name:
            return const
    return None


def _helper_callbacks() -> Dict[Any, str]:
    # The closures that 3.8-3.13's helpers (and this package's wait_for) register on the
    # futures they wait for, and the free variable holding the future their caller
    # awaits (or the queue it reads).
    found = {}
    for module, functions, callback, variable in (
        (tasks, ("gather", "_gather"), "_done_callback", "outer"),  # 3.9-3.10: _gather()
        (tasks, ("shield",), "_inner_done_callback", "outer"),
        (tasks, ("_wait",), "_on_completion", "waiter"),
        (tasks, ("as_completed",), "_on_completion", "done"),  # before 3.13
        (_waitfor, ("_cancel_and_wait",), "release", "waiter"),
    ):
        for function in functions:
            code = _nested_code(getattr(module, function, None), callback)
            if code is not None and variable in code.co_freevars:
                found[code] = variable
    return found


_HELPER_CALLBACKS = _helper_callbacks()
_RELEASE_WAITER = getattr(tasks, "_release_waiter", None)  # wait_for / _cancel_and_wait
# 3.13: as_completed's iterator registers its bound _handle_completion.
_AS_COMPLETED_ITERATOR = getattr(tasks, "_AsCompletedIterator", None)
# This package's as_completed() iterator, which keeps the task that made it.
_OWN_AS_COMPLETED = getattr(_ascompleted, "_AsCompletedIterator", None) or getattr(
    _ascompleted, "AsCompleted", None
)


def _callbacks(fut: Any) -> List[Any]:
    try:
        callbacks = fut._callbacks  # the C future's is a fresh list of (callback, context)
    except AttributeError:
        return []
    return [c[0] if isinstance(c, tuple) else c for c in callbacks or ()]


def _cell(function: Any, variable: str) -> Any:
    try:
        index = function.__code__.co_freevars.index(variable)
        return function.__closure__[index].cell_contents
    except (ValueError, IndexError, TypeError):  # TypeError: no closure; ValueError: empty
        return None


def _queue_waiters(queue: Any) -> List[Tuple[bool, Any]]:
    return [(True, getter) for getter in list(getattr(queue, "_getters", ()))]


def _recovered(fut: Any) -> List[Tuple[bool, Any]]:
    """The waiters 3.14 would have recorded for *fut*, read from *fut*'s done callbacks:
    ``(False, waiter)``, or ``(True, other)`` for a future or task whose own waiters stand
    for *fut*'s (the future a helper's caller awaits, a queue's getter)."""
    found: List[Tuple[bool, Any]] = []
    for callback in _callbacks(fut):
        owner = getattr(callback, "__self__", None)
        if owner is not None:
            if isinstance(owner, _FUTURES):
                # A task's wakeup: the task awaits fut (3.14: Task.__step records it).
                if getattr(owner, "_fut_waiter", None) is fut:
                    found.append((False, owner))
            elif isinstance(owner, _GROUPS):
                # A TaskGroup's child is awaited by the group's parent task (3.14:
                # TaskGroup.create_task records it, _on_task_done forgets it).
                if getattr(callback, "__name__", None) == "_on_task_done":
                    parent = getattr(owner, "_parent_task", None)
                    if parent is not None:
                        found.append((False, parent))
            elif _AS_COMPLETED_ITERATOR is not None and isinstance(owner, _AS_COMPLETED_ITERATOR):
                found += _queue_waiters(getattr(owner, "_done", None))
            elif _OWN_AS_COMPLETED is not None and isinstance(owner, _OWN_AS_COMPLETED):
                # 3.14 links the awaitables to the task that called as_completed(), until
                # each is done: the iterator keeps that task, or else (an older iterator)
                # the tasks waiting in it stand for it.
                task = getattr(owner, "_task", None)
                if task is not None:
                    found.append((False, task))
                else:
                    found += _queue_waiters(getattr(owner, "_done", None))
                    found += [(True, waiter) for waiter in list(getattr(owner, "_waiters", ()))]
            continue
        if isinstance(callback, functools.partial):
            if callback.func is _RELEASE_WAITER and callback.args:
                found.append((True, callback.args[0]))
            continue
        variable = _HELPER_CALLBACKS.get(getattr(callback, "__code__", None))
        if variable is not None:
            awaited = _cell(callback, variable)
            if variable == "done":
                found += _queue_waiters(awaited)
            elif awaited is not None and not awaited.done():
                # 3.14 records the task that called the helper; the task awaiting the
                # helper's future is that one, unless the future was passed on.
                found.append((True, awaited))
    return found


def _awaiters_of(fut: Any) -> List[Any]:
    # Depth first, in the order the links are found, on a list of iterators rather than
    # the C stack: helpers' futures can be nested as deep as the program likes.
    found: List[Any] = []
    seen: Set[int] = set()
    pending: List[Iterator[Tuple[bool, Any]]] = [iter([(True, fut)])]
    while pending:
        item = next(pending[-1], None)
        if item is None:
            pending.pop()
            continue
        expand, obj = item
        if not expand:
            found.append(obj)
        elif id(obj) not in seen:
            seen.add(id(obj))
            links: List[Tuple[bool, Any]] = []
            if _LINKS != "recovered":
                links += [(False, waiter) for waiter in _recorded_awaiters(obj)]
            if _LINKS != "recorded":
                links += _recovered(obj)
            pending.append(iter(links))
    return found


def awaited_by(fut: asyncio.Future[Any]) -> List[asyncio.Future[Any]]:
    """The futures and tasks awaiting *fut*, each once (3.14's ``_asyncio_awaited_by``)."""
    if _LINKS == "recorded":
        return _recorded_awaiters(fut)
    return list(dict.fromkeys(_awaiters_of(fut)))


# --- capturing ----------------------------------------------------------------------------


def _in_context_class() -> Any:
    # The wrapper that runs a coroutine inside a given context before 3.11's
    # create_task(context=) (gh-91150): the main task of asyncio_compat.run() and a
    # TaskGroup child made with context= run one. Only there if _context was imported.
    return getattr(sys.modules.get(f"{__package__}._context"), "_InContext", None)


def _coroutine_stack(coro: Any) -> List[FrameCallGraphEntry]:
    # The chain of awaits of a suspended coroutine, outermost first. Like 3.14, the walk
    # stops at anything that is no coroutine (a future's iterator, an async generator's
    # asend/athrow, a generator): only a running coroutine is seen inside those.
    stack = []
    entry = FrameCallGraphEntry
    names = _QUALNAMES
    in_context = _in_context_class()
    while coro is not None:
        if in_context is not None and type(coro) is in_context:
            coro = coro._coro  # the user's coroutine, as 3.11+ would run it
        elif hasattr(coro, "cr_await"):
            frame = coro.cr_frame
            if frame is not None:  # None once finished (gh-156408)
                stack.append(entry(frame))
                name = getattr(coro, "__qualname__", None)
                if names is not None and isinstance(name, str) and frame.f_code not in names:
                    _remember_qualname(frame.f_code, name)
            coro = coro.cr_await
        elif hasattr(coro, "ag_await"):
            frame = coro.ag_frame
            if frame is not None:
                stack.append(entry(frame))
            coro = coro.ag_await
        else:
            break
    return stack


def _check_future(future: Any) -> None:
    if not isinstance(future, _FUTURES):
        raise TypeError(f"{future!r} object does not appear to be compatible with asyncio.Future")


def _suspended_stack(future: Any, limit: Optional[int]) -> Tuple[FrameCallGraphEntry, ...]:
    stack: List[FrameCallGraphEntry] = []
    get_coro = getattr(future, "get_coro", None)
    if get_coro is not None and limit != 0:
        stack = _coroutine_stack(get_coro())
    if limit is not None:
        if limit > 0:
            stack = stack[:limit]
        elif limit < 0:
            stack = stack[limit:]
    stack.reverse()
    return tuple(stack)


def _build_graph(
    future: Any, call_stack: Tuple[FrameCallGraphEntry, ...], limit: Optional[int]
) -> FutureCallGraph:
    # *future*'s graph, its waiters' graphs built depth first on a list rather than the
    # C stack, so that a chain of thousands of tasks awaiting one another is no
    # RecursionError (3.14's recursion gives up at about 900).
    path = {id(future)}
    # (future, its call stack, the waiters to follow, their graphs so far, on the path)
    todo: List[Tuple[Any, Tuple[FrameCallGraphEntry, ...], List[Any], List[Any], bool]]
    todo = [(future, call_stack, awaited_by(future), [], True)]
    while True:
        fut, stack, waiters, graphs, on_path = todo[-1]
        if len(graphs) < len(waiters):
            parent = waiters[len(graphs)]
            _check_future(parent)
            # A waiter already on the path is a cycle of waits, a deadlock: 3.14 recurses
            # until RecursionError; here it is shown again, without its waiters.
            follow = id(parent) not in path
            if follow:
                path.add(id(parent))
            parents = awaited_by(parent) if follow else []
            todo.append((parent, _suspended_stack(parent, limit), parents, [], follow))
            continue
        todo.pop()
        if on_path:
            path.discard(id(fut))
        graph = FutureCallGraph(fut, stack, tuple(graphs))
        if not todo:
            return graph
        todo[-1][3].append(graph)


def _live_stack(frame: Optional[types.FrameType]) -> List[FrameCallGraphEntry]:
    # The running task's frames from *frame* out to its outermost coroutine, innermost
    # first: the walk ends at a coroutine (or async generator) frame called from a frame
    # that is no generator's, which is the task stepping it (or the loop). A synchronous
    # generator's frame does not end it (gh-156988).
    stack = []
    try:
        while frame is not None:
            stack.append(FrameCallGraphEntry(frame))
            if frame.f_code.co_flags & _ASYNC_FRAME:
                back = frame.f_back
                if back is not None and not back.f_code.co_flags & _GENERATOR_FRAME:
                    break
            frame = frame.f_back
    finally:
        del frame
    return stack


if TYPE_CHECKING:

    @overload
    def capture_call_graph(
        future: None = None, /, *, depth: int = 1, limit: Optional[int] = None
    ) -> Optional[FutureCallGraph]: ...
    @overload
    def capture_call_graph(
        future: asyncio.Future[Any], /, *, depth: int = 1, limit: Optional[int] = None
    ) -> Optional[FutureCallGraph]: ...


def capture_call_graph(
    future: Optional[asyncio.Future[Any]] = None,
    /,
    *,
    depth: int = 1,
    limit: Optional[int] = None,
) -> Optional[FutureCallGraph]:
    """Capture the async call graph of *future*, or of the current task.

    The graph is a ``FutureCallGraph(future, call_stack, awaited_by)``: *call_stack* is
    a tuple of ``FrameCallGraphEntry(frame)``, innermost first, and *awaited_by* a tuple
    of the graphs of the futures and tasks awaiting *future*.

    Without *future*, the graph is the current task's, and None outside any task
    (``RuntimeError`` outside a running event loop). For the current task, *depth* skips
    that many frames from the top of the stack (1: this function's own).

    *limit* keeps at most ``abs(limit)`` entries of each call stack: the outermost ones
    when it is positive, the innermost ones when it is negative; 0 captures no call
    stack, only the awaited-by links.
    """
    depth, limit = _check_arguments(future, depth, limit)
    loop = events._get_running_loop()
    if future is not None:
        # The current task is running: its stack is the live frames, not its awaits.
        if loop is None or future is not tasks.current_task(loop=loop):
            return _build_graph(future, _suspended_stack(future, limit), limit)
    else:
        if loop is None:
            raise RuntimeError(
                "capture_call_graph() is called outside of a running event loop "
                "and no *future* to introspect was provided"
            )
        future = tasks.current_task(loop=loop)
    if future is None:
        return None
    _check_future(future)

    call_stack = _live_stack(sys._getframe(depth) if limit != 0 else None)
    if limit is not None:
        # The live stack is innermost first: keep the same ends as for a suspended one.
        if limit > 0:
            call_stack = call_stack[-limit:]
        elif limit < 0:
            call_stack = call_stack[:-limit]
    return _build_graph(future, tuple(call_stack), limit)


def _check_arguments(future: Any, depth: Any, limit: Any) -> Tuple[int, Optional[int]]:
    # At the call, with the messages 3.14 gives where it fails later (or not at all: it
    # ignores *depth* for a future that is not the current task).
    if future is not None:
        _check_future(future)
    depth = operator.index(depth)  # "'str' object cannot be interpreted as an integer"
    if limit is not None:
        limit = operator.index(limit)
    return depth, limit


# --- formatting ---------------------------------------------------------------------------

# Code objects have co_qualname from 3.11 (bpo-44530). Before, the names found are kept
# here, code -> qualified name (emptied when it grows large).
_QUALNAMES: Optional[Dict[Any, str]] = None if hasattr(types.CodeType, "co_qualname") else {}


def _remember_qualname(code: Any, name: str) -> None:
    assert _QUALNAMES is not None
    if len(_QUALNAMES) > 4096:
        _QUALNAMES.clear()
    _QUALNAMES[code] = name


def _unwrapped(value: Any) -> List[Any]:
    # The functions a class attribute or a global may stand for.
    found = []
    for _ in range(8):
        if isinstance(value, (staticmethod, classmethod)):
            value = value.__func__
        if isinstance(value, property):
            found += [value.fget, value.fset, value.fdel]
            break
        found.append(value)
        value = getattr(value, "__wrapped__", None)
        if value is None:
            break
    return found


def _function_qualname(frame: types.FrameType) -> Optional[str]:
    # The function whose code the frame runs, as a module global or a method of the
    # class of its first argument, without searching the heap.
    code = frame.f_code
    candidates = _unwrapped(frame.f_globals.get(code.co_name))
    if code.co_argcount and code.co_varnames:
        try:
            first = frame.f_locals.get(code.co_varnames[0])
        except Exception:  # a frame's locals cannot fail to read, but be safe in a dump
            first = None
        if first is not None:
            cls = first if isinstance(first, type) else type(first)
            name = code.co_name
            names = [name]
            if name.startswith("__") and not name.endswith("__"):
                names += [f"_{k.__name__.lstrip('_')}{name}" for k in cls.__mro__]
            for klass in cls.__mro__:
                for attr in names:
                    candidates += _unwrapped(klass.__dict__.get(attr))
    for candidate in candidates:
        if getattr(candidate, "__code__", None) is code:
            return str(candidate.__qualname__)
    return None


def _referrer_qualnames(codes: Iterable[Any]) -> Dict[Any, str]:
    # One search of the heap for the functions and generators running these codes.
    wanted = set(codes)
    found: Dict[Any, str] = {}
    for referrer in gc.get_referrers(*wanted):
        code = getattr(referrer, "__code__", None)
        if code is None:
            code = getattr(referrer, "gi_code", None) or getattr(referrer, "cr_code", None)
            code = code or getattr(referrer, "ag_code", None)
        if code in wanted and code not in found:
            name = getattr(referrer, "__qualname__", None)
            if isinstance(name, str):
                found[code] = name
    return found


def _qualnames(frames: Iterable[types.FrameType]) -> Dict[Any, str]:
    """code -> qualified name, for the codes of *frames* (before 3.11)."""
    assert _QUALNAMES is not None
    names: Dict[Any, str] = {}
    unknown = []
    for frame in frames:
        code = frame.f_code
        if code in names:
            continue
        name = _QUALNAMES.get(code) or _function_qualname(frame)
        if name is None:
            unknown.append(code)
        else:
            names[code] = name
    if unknown:
        names.update(_referrer_qualnames(unknown))
    for code in unknown:
        names.setdefault(code, code.co_name)
    for code, name in names.items():
        _remember_qualname(code, name)
    return names


def _frames(graph: FutureCallGraph) -> List[types.FrameType]:
    found: List[types.FrameType] = []
    todo = [graph]
    while todo:
        graph = todo.pop()
        found += [entry.frame for entry in graph.call_stack]
        todo += graph.awaited_by
    return found


def _render(graph: FutureCallGraph, names: Optional[Dict[Any, str]], lines: List[str]) -> None:
    # 3.14's text, depth first on a list rather than the C stack (a chain of thousands of
    # tasks). *names*: code -> qualified name, where code has no co_qualname.
    todo = [(graph, 0)]
    while todo:
        graph, level = todo.pop()
        indent = "    " * level
        future = graph.future
        if isinstance(future, _TASKS):
            lines.append(f"{indent}* Task(name={future.get_name()!r}, id={id(future):#x})")
        else:
            lines.append(f"{indent}* Future(id={id(future):#x})")
        if graph.call_stack:
            lines.append(f"{indent}  + Call stack:")
            for entry in graph.call_stack:
                frame = entry.frame
                code = frame.f_code
                name = code.co_qualname if names is None else names[code]  # type: ignore[attr-defined]
                flags = code.co_flags
                if flags & _CO_COROUTINE:
                    name = f"async {name}"
                elif flags & _CO_ASYNC_GENERATOR:
                    name = f"async generator {name}"
                elif flags & _CO_GENERATOR:
                    name = f"generator {name}"
                lines.append(
                    f"{indent}  |   File {code.co_filename!r}, line {frame.f_lineno}, in {name}()"
                )
        if graph.awaited_by:
            lines.append(f"{indent}  + Awaited by:")
            todo += [(parent, level + 1) for parent in reversed(graph.awaited_by)]


def frame_names(frames: Iterable[types.FrameType]) -> Dict[Any, str]:
    """code -> qualified name for the codes of *frames*."""
    if _QUALNAMES is None:
        return {frame.f_code: frame.f_code.co_qualname for frame in frames}  # type: ignore[attr-defined]
    return _qualnames(frames)


def format_call_graph(
    future: Optional[asyncio.Future[Any]] = None,
    /,
    *,
    depth: int = 1,
    limit: Optional[int] = None,
) -> str:
    """Return the async call graph of *future*, or of the current task, as text.

    The arguments are those of :func:`capture_call_graph`. Without a task, ``""``.
    """
    depth, limit = _check_arguments(future, depth, limit)  # before depth + 1
    graph = capture_call_graph(future, depth=depth + 1, limit=limit)
    if graph is None:
        return ""
    lines: List[str] = []
    try:
        names = None if _QUALNAMES is None else _qualnames(_frames(graph))
        _render(graph, names, lines)
    finally:
        del graph  # it holds frames: let them go at once
    return "\n".join(lines)


def print_call_graph(
    future: Optional[asyncio.Future[Any]] = None,
    /,
    *,
    file: Optional[SupportsWrite[str]] = None,
    depth: int = 1,
    limit: Optional[int] = None,
) -> None:
    """Print the async call graph of *future*, or of the current task, to *file*
    (``sys.stdout`` by default)."""
    depth, limit = _check_arguments(future, depth, limit)
    check_file(file)
    print(format_call_graph(future, depth=depth, limit=limit), file=file)  # type: ignore[arg-type]


def check_file(file: Any) -> None:
    """*file* is None or has a ``write()``: the error ``print()`` gives, at the call."""
    if file is not None and not callable(getattr(file, "write", None)):
        raise AttributeError(f"{type(file).__name__!r} object has no attribute 'write'")


for _name in ("FrameCallGraphEntry", "FutureCallGraph"):
    globals()[_name].__module__ = "asyncio_compat"
capture_call_graph.__module__ = format_call_graph.__module__ = "asyncio_compat"
print_call_graph.__module__ = "asyncio_compat"
del _name
