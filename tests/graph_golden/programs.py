"""The programs of the golden call-graph test, and the normalisation of their text.

Each program is ``async def program(api, out)``: it runs on the event loop, uses
``api.TaskGroup``, ``api.timeout``, ``api.wait_for``, ``api.as_completed`` and
``api.format_call_graph`` (the stdlib's on 3.15 when the golden text is made, the
backport's or ``asyncio_compat``'s elsewhere) and asyncio's own ``gather``, ``shield``
and tasks, and appends ``(label, text)`` to *out* for each graph it formats. Each
leaves nothing running. The scheduling is made deterministic with events and a few
``sleep(0)``.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import re
import types
from typing import Any, Awaitable, Callable, Dict, Iterator, List, Tuple

Out = List[Tuple[str, str]]
Program = Callable[[Any, Out], Awaitable[None]]

PROGRAMS: Dict[str, Program] = {}


def program(function: Program) -> Program:
    PROGRAMS[function.__name__] = function
    return function


async def settle() -> None:
    """Let every task run up to its next real wait."""
    for _ in range(8):
        await asyncio.sleep(0)


def stdlib_api() -> Any:
    """The stdlib's names (3.14+ for the graph functions)."""
    return types.SimpleNamespace(
        TaskGroup=asyncio.TaskGroup,  # type: ignore[attr-defined]
        timeout=asyncio.timeout,  # type: ignore[attr-defined]
        wait_for=asyncio.wait_for,
        as_completed=asyncio.as_completed,
        format_call_graph=asyncio.format_call_graph,  # type: ignore[attr-defined]
    )


def module_api(module: Any) -> Any:
    """The same names from ``asyncio_compat`` or ``asyncio_compat.backport``."""
    names = ("TaskGroup", "timeout", "wait_for", "as_completed", "format_call_graph")
    return types.SimpleNamespace(**{name: getattr(module, name) for name in names})


# --- the programs -------------------------------------------------------------------------


@program
async def taskgroup_tree(api: Any, out: Out) -> None:
    """Nested TaskGroups: a leaf's graph from inside it and from the main task, with limits."""
    release = asyncio.Event()
    tasks: Dict[str, asyncio.Task[Any]] = {}

    async def leaf(name: str) -> None:
        if name == "leaf-2":
            await asyncio.sleep(0)
            out.append(("leaf-2, its own graph", api.format_call_graph()))
        await release.wait()

    async def branch() -> None:
        async with api.TaskGroup() as tg:
            for name in ("leaf-1", "leaf-2"):
                tasks[name] = tg.create_task(leaf(name), name=name)

    async with api.TaskGroup() as tg:
        tg.create_task(branch(), name="branch")
        await settle()
        leaf1 = tasks["leaf-1"]
        out.append(("leaf-1, from the main task", api.format_call_graph(leaf1)))
        out.append(("limit=1", api.format_call_graph(leaf1, limit=1)))
        out.append(("limit=-1", api.format_call_graph(leaf1, limit=-1)))
        out.append(("limit=0", api.format_call_graph(leaf1, limit=0)))
        out.append(("the main task, depth=1", api.format_call_graph()))
        out.append(("the main task, limit=-1", api.format_call_graph(limit=-1)))
        release.set()


@program
async def gather_children(api: Any, out: Out) -> None:
    """gather(): its children are awaited by the task that awaits it."""
    release = asyncio.Event()
    children: Dict[str, asyncio.Task[Any]] = {}

    async def child(name: str) -> None:
        task = asyncio.current_task()
        assert task is not None
        task.set_name(name)
        children[name] = task
        await release.wait()

    async def probe() -> None:
        await settle()
        out.append(("a gather() child", api.format_call_graph(children["a"])))
        release.set()

    watcher = asyncio.ensure_future(probe())
    await asyncio.gather(child("a"), child("b"))
    await watcher


@program
async def gather_survivor(api: Any, out: Out) -> None:
    """A child that outlives a failed gather() is awaited by nobody (gh-157213)."""

    async def fail() -> None:
        raise ValueError

    survivor = asyncio.ensure_future(asyncio.Event().wait())
    with contextlib.suppress(ValueError):
        await asyncio.gather(survivor, fail())
    out.append(("the survivor", api.format_call_graph(survivor)))
    survivor.cancel()
    await asyncio.gather(survivor, return_exceptions=True)


@program
async def shielded(api: Any, out: Out) -> None:
    """shield(): the shielded task is awaited by the task awaiting the shield."""

    async def inner() -> None:
        await asyncio.sleep(0)
        out.append(("inside the shielded task", api.format_call_graph()))

    async def outer() -> None:
        await asyncio.shield(inner())

    await outer()


@program
async def timeouts(api: Any, out: Out) -> None:
    """timeout() leaves no frame; a task awaited directly is awaited by its awaiter."""

    async def inner() -> None:
        async with api.timeout(10):
            await asyncio.sleep(0)
            out.append(("inside timeout(), in an awaited task", api.format_call_graph()))

    async with api.timeout(10):
        await asyncio.create_task(inner(), name="inner")


@program
async def waits_for(api: Any, out: Out) -> None:
    """wait_for() on a task; wait_for(fut, 0) still links the waiter (gh-157058)."""
    release = asyncio.Event()
    cleanup = asyncio.Event()

    async def worker() -> None:
        await release.wait()

    async def stubborn() -> None:
        try:
            await asyncio.Event().wait()
        finally:
            await cleanup.wait()

    async def waiter(task: asyncio.Task[Any]) -> None:
        with contextlib.suppress(asyncio.TimeoutError):
            await api.wait_for(task, 0)

    worked = asyncio.create_task(worker(), name="worker")
    slow = asyncio.create_task(stubborn(), name="stubborn")

    async def probe() -> None:
        await settle()
        out.append(("a task under wait_for()", api.format_call_graph(worked)))
        out.append(("a task under wait_for(task, 0)", api.format_call_graph(slow)))
        release.set()
        cleanup.set()

    watcher = asyncio.create_task(probe(), name="probe")
    zero = asyncio.create_task(waiter(slow), name="waiter")
    await api.wait_for(worked, 10)
    await asyncio.gather(watcher, zero, slow, return_exceptions=True)


@program
async def as_completed_iteration(api: Any, out: Out) -> None:
    """as_completed(), iterated with async for and with for."""
    release = asyncio.Event()

    async def job() -> None:
        await release.wait()

    async def probe(task: asyncio.Task[Any], label: str) -> None:
        await settle()
        out.append((label, api.format_call_graph(task)))
        release.set()

    first = asyncio.create_task(job(), name="first")
    watcher = asyncio.create_task(probe(first, "async for"), name="probe")
    async for _ in api.as_completed([first]):
        pass
    await watcher

    release.clear()
    second = asyncio.create_task(job(), name="second")
    watcher = asyncio.create_task(probe(second, "for"), name="probe")
    for next_done in api.as_completed([second]):
        await next_done
    await watcher


@program
async def generators(api: Any, out: Out) -> None:
    """Async generator frames; a sync generator does not end the walk (gh-156988); a
    task suspended in an async generator shows only its own frames."""
    release = asyncio.Event()

    def numbers() -> Iterator[int]:
        out.append(("inside a sync generator", api.format_call_graph()))
        yield 1

    async def helper() -> None:
        await asyncio.sleep(0)
        out.append(("called from an async generator", api.format_call_graph()))
        for _ in numbers():
            pass

    async def agen() -> Any:
        for i in range(2):
            yield i
            if i == 1:
                await helper()
        await release.wait()

    async def consume() -> None:
        async for _ in agen():
            pass

    consumer = asyncio.create_task(consume(), name="consumer")
    await settle()
    out.append(("a task suspended in an async generator", api.format_call_graph(consumer)))
    release.set()
    await consumer


@program
async def depth_and_plain_future(api: Any, out: Out) -> None:
    """depth skips frames; a plain future awaited by two tasks."""
    fut = asyncio.get_running_loop().create_future()

    def report() -> None:
        out.append(("depth=2", api.format_call_graph(depth=2)))

    async def waiter() -> None:
        await fut

    report()
    tasks = [asyncio.create_task(waiter(), name=f"waiter-{i}") for i in range(2)]
    await settle()
    out.append(("a future awaited by two tasks", api.format_call_graph(fut)))
    fut.set_result(None)
    await asyncio.gather(*tasks)


# --- running and normalising --------------------------------------------------------------

HERE = os.path.abspath(__file__)
_FILE = re.compile(r"File '(?P<path>[^']*)', line \d+, in ")
_ID = re.compile(r"id=0x[0-9a-f]+")
_TASK_N = re.compile(r"Task-\d+")


def _path(match: re.Match[str]) -> str:
    path = match.group("path")
    where = os.path.basename(path) if os.path.abspath(path) == HERE else "<library>"
    return f"File '{where}', line N, in "


def _blocks(lines: List[str], indent: str) -> List[List[str]]:
    # The entries of an "Awaited by:" list: lines starting at *indent* + "* ".
    blocks: List[List[str]] = []
    for line in lines:
        if line.startswith(indent + "* "):
            blocks.append([line])
        else:
            blocks[-1].append(line)
    return blocks


def _sort_awaited_by(lines: List[str], indent: str = "") -> List[str]:
    # 3.14 keeps a future's waiters in a set: their order is not part of the text.
    result: List[str] = []
    i = 0
    while i < len(lines):
        line = lines[i]
        result.append(line)
        i += 1
        if line == indent + "  + Awaited by:":
            child = indent + "    "
            j = i
            while j < len(lines) and lines[j].startswith(child):
                j += 1
            blocks = [_sort_awaited_by(b, child) for b in _blocks(lines[i:j], child)]
            result += [line for block in sorted(blocks) for line in block]
            i = j
    return result


def normalise(text: str) -> str:
    """*text* without what differs between interpreters and runs: file paths (the
    programs' file keeps its name), line numbers, ids, default task numbers, and the
    order of a future's waiters."""
    text = _FILE.sub(_path, text)
    text = _ID.sub("id=0x…", text)
    text = _TASK_N.sub("Task-N", text)
    return "\n".join(_sort_awaited_by(text.split("\n")))


def run_program(name: str, api: Any) -> List[Tuple[str, str]]:
    """Run one program on a new asyncio loop; its normalised graphs."""
    out: Out = []
    loop = asyncio.new_event_loop()
    try:
        loop.run_until_complete(PROGRAMS[name](api, out))
    finally:
        loop.close()
    return [(label, normalise(text)) for label, text in out]


def render(graphs: List[Tuple[str, str]]) -> str:
    """The golden file's text for one program's graphs."""
    return "".join(f"### {label}\n{text}\n" for label, text in graphs)
