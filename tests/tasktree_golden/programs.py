"""The programs of the golden task-tree test, and the normalisation of their text.

Each program is ``async def program(api, out)``: it runs on the event loop with
``api.TaskGroup`` and ``api.wait_for`` and the awaited-by hooks (``asyncio_compat``'s, which
are the stdlib's on 3.15, or ``asyncio_compat.backport``'s) and asyncio's own ``gather``, appends
``(label, tree)`` to *out* for each tree it takes from a callback of the loop (where
every task is suspended), and leaves nothing running.

Only what legitimately differs between interpreters is normalised: the folder of this
file, the library's files and their line numbers (``<library>``: the stdlib's frames on
3.15, the backport's elsewhere, with the same names), default task names and ids. The
lines of this file stay: a frame waits on the same line everywhere.
"""

from __future__ import annotations

import asyncio
import os
import re
import types
from typing import Any, Awaitable, Callable, Dict, List, Tuple

from asyncio_compat import tasktree

Out = List[Tuple[str, str]]
Program = Callable[[Any, Out], Awaitable[None]]

PROGRAMS: Dict[str, Program] = {}


def program(function: Program) -> Program:
    PROGRAMS[function.__name__] = function
    return function


def module_api(module: Any) -> Any:
    """The names the programs use, from ``asyncio_compat`` or its backport."""
    names = ("TaskGroup", "wait_for", "future_add_to_awaited_by", "future_discard_from_awaited_by")
    return types.SimpleNamespace(**{name: getattr(module, name) for name in names})


async def settle() -> None:
    """Let every task run up to its next real wait."""
    for _ in range(8):
        await asyncio.sleep(0)


async def tree(label: str, out: Out) -> None:
    """The task tree, taken in a callback of the loop."""
    await settle()
    loop = asyncio.get_running_loop()
    done = loop.create_future()
    loop.call_soon(lambda: done.set_result(tasktree.format_task_tree(loop)))
    out.append((label, await done))


async def wait(release: asyncio.Event) -> None:
    await release.wait()


# --- the programs -------------------------------------------------------------------------


@program
async def taskgroup_children(api: Any, out: Out) -> None:
    """A TaskGroup's children come after their parent's whole stack, not under a frame."""
    release = asyncio.Event()

    async def parent() -> None:
        async with api.TaskGroup() as tg:
            tg.create_task(wait(release), name="child-1")
            tg.create_task(wait(release), name="child-2")
            await wait(release)

    task = asyncio.create_task(parent(), name="parent")
    await tree("the parent waits in its body", out)
    release.set()
    await task


@program
async def wait_for_around_taskgroup(api: Any, out: Out) -> None:
    """A wait_for() around a coroutine that waits at the end of its TaskGroup; and a
    TaskGroup's body waiting in a wait_for()."""
    release = asyncio.Event()

    async def group() -> None:
        async with api.TaskGroup() as tg:
            tg.create_task(wait(release), name="child")

    async def body() -> None:
        async with api.TaskGroup() as tg:
            tg.create_task(wait(release), name="helper")
            await api.wait_for(asyncio.sleep(3600), 3600)

    outer = asyncio.create_task(api.wait_for(group(), 3600), name="outer")
    inner = asyncio.create_task(body(), name="inner")
    await tree("wait_for around a group, and in a group", out)
    release.set()
    await outer
    inner.cancel()
    await asyncio.gather(inner, return_exceptions=True)


@program
async def gather_children(api: Any, out: Out) -> None:
    """A task awaiting gather() over two tasks and one of them again."""
    release = asyncio.Event()
    first = asyncio.create_task(wait(release), name="first")
    second = asyncio.create_task(wait(release), name="second")

    async def gathering() -> None:
        await asyncio.gather(first, second)

    async def also() -> None:
        await first

    tasks = [
        asyncio.create_task(gathering(), name="gathering"),
        asyncio.create_task(also(), name="also"),
    ]
    await tree("gather", out)
    release.set()
    await asyncio.gather(*tasks)


@program
async def end_of_async_with(api: Any, out: Out) -> None:
    """A task waiting at the end of ``async with TaskGroup()`` shows the ``async with``
    line: after a body of several lines, after a nested block, after an exception, on a
    return or a break from the body."""
    release = asyncio.Event()

    async def stubborn() -> None:
        try:
            await release.wait()
        except asyncio.CancelledError:
            await release.wait()  # it finishes its work before it goes
            raise

    async def lines() -> None:
        async with api.TaskGroup() as tg:
            tg.create_task(wait(release), name="lines-child")
            total = 1
            total += 1

    async def nested() -> None:
        async with api.TaskGroup() as outer:
            async with api.TaskGroup() as inner:
                inner.create_task(stubborn(), name="nested-inner-child")
            outer.create_task(wait(release), name="nested-outer-child")

    async def failing() -> None:
        async with api.TaskGroup() as tg:
            tg.create_task(stubborn(), name="failing-child")
            await asyncio.sleep(0)
            raise ValueError("the body fails")

    tasks = [
        asyncio.create_task(lines(), name="lines"),
        asyncio.create_task(failing(), name="failing"),
    ]
    await tree("a body of several lines; a body that failed", out)
    release.set()
    await asyncio.gather(*tasks, return_exceptions=True)
    release.clear()
    task = asyncio.create_task(nested(), name="nested")
    await settle()
    task.cancel()  # the inner group's exit waits for its stubborn child
    await tree("a nested group's exit, after a cancel", out)
    release.set()
    await asyncio.gather(task, return_exceptions=True)
    release.clear()

    async def returning() -> int:
        async with api.TaskGroup() as outer:
            outer.create_task(wait(release), name="returning-outer-child")
            async with api.TaskGroup() as inner:
                inner.create_task(wait(release), name="returning-inner-child")
                return 1

    async def breaking() -> None:
        for _ in range(3):
            async with api.TaskGroup() as tg:
                tg.create_task(wait(release), name="breaking-child")
                break

    tasks = [
        asyncio.create_task(returning(), name="returning"),
        asyncio.create_task(breaking(), name="breaking"),
    ]
    await tree("leaving a group by return and by break", out)
    release.set()
    await asyncio.gather(*tasks)


@program
async def deadlock(api: Any, out: Out) -> None:
    """Two tasks each awaiting the other (a cycle: here one of the links is made by hand,
    as a custom awaitable makes it, since a real one cannot be undone), and a third
    awaiting one of them."""
    gate = asyncio.get_running_loop().create_future()
    tasks: Dict[str, asyncio.Task[Any]] = {}

    async def alice() -> None:
        await gate  # waits for bob, through a custom awaitable's link

    async def bob() -> None:
        await tasks["alice"]

    async def onlooker() -> None:
        await tasks["bob"]

    for function in (alice, bob, onlooker):
        tasks[function.__name__] = asyncio.create_task(function(), name=function.__name__)
    api.future_add_to_awaited_by(tasks["bob"], tasks["alice"])
    await tree("a deadlock", out)
    api.future_discard_from_awaited_by(tasks["bob"], tasks["alice"])
    gate.set_result(None)
    await asyncio.gather(*tasks.values())


# --- the text -----------------------------------------------------------------------------

_HERE = os.path.splitext(os.path.basename(__file__))[0] + ".py"
_PLACE = re.compile(r" (\S+):(\d+)$", re.MULTILINE)
_ID = re.compile(r"id=0x[0-9a-f]+")
_TASK_N = re.compile(r"Task-\d+")


def _place(match: re.Match[str]) -> str:
    path, line = match.groups()
    if os.path.basename(path) == _HERE:
        return f" {_HERE}:{line}"
    return " <library>"


def normalise(text: str) -> str:
    """*text* without what differs between interpreters and runs (the module's
    docstring)."""
    text = _PLACE.sub(_place, text)
    text = _ID.sub("id=0x…", text)
    return _TASK_N.sub("Task-N", text)


def run_program(name: str, api: Any) -> Out:
    """Run one program on a new asyncio loop; its normalised trees."""
    out: Out = []
    loop = asyncio.new_event_loop()
    try:
        loop.run_until_complete(PROGRAMS[name](api, out))
    finally:
        loop.close()
    return [(label, normalise(text)) for label, text in out]


def render(trees: Out) -> str:
    """The golden file's text for one program's trees."""
    return "".join(f"### {label}\n{text}\n" for label, text in trees)
