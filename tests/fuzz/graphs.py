"""Differential fuzzing of call graphs: random structures of tasks, and the text
``format_call_graph()`` gives of each task once every task waits.

A structure is JSON data: a tree of nodes, each what one coroutine does, the root being
the main task of ``run()``:

- ``["event"]``, ``["queue"]``, ``["lock"]``, ``["future"]``: a leaf, waiting for the
  program's release on an ``Event``, a ``Queue.get()``, a held ``Lock`` or a plain future;
  ``["event", limit]`` first formats its own graph (its live frames) with *limit*;
- ``["task", child]``: a new task runs *child*, awaited (a chain);
- ``["group", [children], context]``: a TaskGroup of tasks, each made with
  ``context=copy_context()`` if *context*;
- ``["gather", [children]]``, ``["wait", [children]]``: ``gather()`` / ``wait()`` of tasks;
- ``["shield", child]``, ``["wait_for", child]``: ``shield()`` of a task, ``wait_for()``
  of a coroutine (a timeout that never expires);
- ``["as_completed", [children], async]``: awaits each of ``as_completed()`` of tasks,
  through the plain iterator or, if *async*, the async one.

Every task is named by its place in the tree (``t``, ``t.0``, ``t.0.1``, ...). Once all
wait, a loop callback (where no task runs) formats the graph of every task, by name, and
the leaves' own graphs follow; the text is normalised as the golden test does (file
paths, line numbers, ids, waiters' order). The program is then released and must end
cleanly.

The reference is the text of CPython 3.15's stdlib (``asyncio.run``, its TaskGroup,
``wait_for``, ``as_completed`` and ``format_call_graph``): ``regen.py --graphs`` stores
it in ``expected/graphs.jsonl``. Everywhere the backport's names, with
``asyncio_compat.run()``, must give the same text, on asyncio's loop and uvloop.
"""

from __future__ import annotations

import asyncio
import contextvars
import json
import os
import random
import re
import sys
from typing import Any, Callable, Dict, List, Optional

try:
    from graph_golden import programs  # as pytest imports it (tests/ on sys.path)
except ImportError:  # python -m tests.fuzz.regen --graphs, from the repository root
    from tests.graph_golden import programs  # type: ignore[no-redef]

Node = List[Any]

LEAVES = ("event", "queue", "lock", "future")
EXPECTED = os.path.join(os.path.dirname(os.path.abspath(__file__)), "expected", "graphs.jsonl")


def generate(rng: random.Random, depth: int = 0, budget: Optional[List[int]] = None) -> Node:
    """A random structure of at most about 12 tasks, at most 5 levels deep."""
    if budget is None:
        budget = [12]
    if depth and (depth >= 5 or budget[0] <= 0 or rng.random() < 0.1 + 0.15 * depth):
        leaf = rng.choice(LEAVES)
        if leaf == "event" and rng.random() < 0.5:
            # The leaf formats its own graph (the live frames) as it starts waiting.
            return [leaf, rng.choice([None, None, 1, -1, 0])]
        return [leaf]
    kind = rng.choice(
        ["task", "group", "gather", "shield", "wait", "wait_for", "as_completed", "task"]
    )
    if kind in ("task", "shield", "wait_for"):
        budget[0] -= 1
        return [kind, generate(rng, depth + 1, budget)]
    children = []
    for _ in range(rng.randint(1, 3)):
        budget[0] -= 1
        children.append(generate(rng, depth + 1, budget))
    if kind == "group":
        return [kind, children, rng.random() < 0.5]
    if kind == "as_completed":
        return [kind, children, rng.random() < 0.5]
    return [kind, children]


def structure(seed: int) -> Node:
    return generate(random.Random(seed))


FORMAT = 1


def regen(count: int, first_seed: int, output: str = EXPECTED) -> int:
    """Store 3.15's graphs of *count* seeded structures; refuse if the backport differs."""
    from asyncio_compat import backport

    assert STDLIB_REFERENCE, "the reference is CPython 3.15's stdlib"
    entries = []
    status = 0
    for seed in range(first_seed, first_seed + count):
        node = structure(seed)
        expected = trace(stdlib_api(), node)
        if trace(stdlib_api(), node) != expected:
            print(f"graphs: seed {seed}: two runs of the stdlib differ")
            status = 1
        elif trace(module_api(backport), node) != expected:
            print(f"graphs: seed {seed}: the backport differs from the stdlib:\n{source(node)}")
            status = 1
        entries.append({"seed": seed, "structure": node, "trace": expected})
    if status:
        return status
    header = {
        "format": FORMAT,
        "python": sys.version.split()[0],
        "count": len(entries),
        "first_seed": first_seed,
        "note": "made by python -m tests.fuzz.regen --graphs: CPython 3.15 stdlib graphs",
    }
    with open(output, "w", encoding="utf-8", newline="\n") as f:
        f.write(json.dumps(header, sort_keys=True) + "\n")
        for entry in entries:
            f.write(json.dumps(entry, separators=(",", ":")) + "\n")
    print(f"wrote {len(entries)} structures to {output}")
    return 0


def load(path: str = EXPECTED) -> List[Dict[str, Any]]:
    """The stored entries: ``{"seed", "structure", "trace"}``."""
    with open(path, encoding="utf-8") as f:
        header = json.loads(f.readline())
        if header.get("format") != FORMAT:
            raise ValueError(f"{path}: format {header.get('format')!r}, expected {FORMAT}")
        return [json.loads(line) for line in f if line.strip()]


def stdlib_api() -> Any:
    """3.15's own names (3.14+ for the graph functions)."""
    api = programs.stdlib_api()
    api.run = asyncio.run
    return api


def module_api(module: Any) -> Any:
    """``asyncio_compat.backport``'s (or ``asyncio_compat``'s) names, with its ``run()``."""
    import asyncio_compat

    api = programs.module_api(module)
    api.run = asyncio_compat.run
    return api


class _Program:
    def __init__(self, api: Any) -> None:
        self.api = api
        self.release = asyncio.Event()
        self.queue: asyncio.Queue[None] = asyncio.Queue()
        self.lock = asyncio.Lock()
        self.future = asyncio.get_running_loop().create_future()
        self.queue_leaves = 0
        self.own: Dict[str, str] = {}

    def task(self, node: Node, name: str) -> asyncio.Task[Any]:
        return asyncio.get_running_loop().create_task(self.run(node, name), name=name)

    def run(self, node: Node, name: str) -> Any:
        return getattr(self, f"_{node[0]}")(node, name)

    async def _event(self, node: Node, name: str) -> None:
        if len(node) > 1:
            self.own[name] = self.api.format_call_graph(limit=node[1])
        await self.release.wait()

    async def _queue(self, node: Node, name: str) -> None:
        self.queue_leaves += 1
        await self.queue.get()

    async def _lock(self, node: Node, name: str) -> None:
        async with self.lock:
            pass

    async def _future(self, node: Node, name: str) -> None:
        await self.future

    async def _task(self, node: Node, name: str) -> None:
        await self.task(node[1], f"{name}.0")

    async def _group(self, node: Node, name: str) -> None:
        async with self.api.TaskGroup() as tg:
            for i, child in enumerate(node[1]):
                coro = self.run(child, f"{name}.{i}")
                if node[2]:
                    tg.create_task(coro, name=f"{name}.{i}", context=contextvars.copy_context())
                else:
                    tg.create_task(coro, name=f"{name}.{i}")

    async def _gather(self, node: Node, name: str) -> None:
        await asyncio.gather(*(self.task(c, f"{name}.{i}") for i, c in enumerate(node[1])))

    async def _wait(self, node: Node, name: str) -> None:
        await asyncio.wait([self.task(c, f"{name}.{i}") for i, c in enumerate(node[1])])

    async def _shield(self, node: Node, name: str) -> None:
        await asyncio.shield(self.task(node[1], f"{name}.0"))

    async def _wait_for(self, node: Node, name: str) -> None:
        await self.api.wait_for(self.run(node[1], f"{name}.0"), 3600)

    async def _as_completed(self, node: Node, name: str) -> None:
        tasks = [self.task(c, f"{name}.{i}") for i, c in enumerate(node[1])]
        if node[2]:
            async for done in self.api.as_completed(tasks):
                await done
        else:
            for next_done in self.api.as_completed(tasks):
                await next_done

    def graphs(self) -> List[str]:
        lines = []
        by_name = {t.get_name(): t for t in asyncio.all_tasks()}
        for name in sorted(by_name):
            lines.append(f"### {name}")
            lines += normalise(self.api.format_call_graph(by_name[name])).split("\n")
        for name in sorted(self.own):
            lines.append(f"### {name}, its own graph")
            lines += normalise(self.own[name]).split("\n")
        return lines

    async def settle(self) -> None:
        # Long enough for the deepest structure to be in place (each level takes a few
        # steps of the loop).
        for _ in range(64):
            await asyncio.sleep(0)

    def set_free(self) -> None:
        self.release.set()
        for _ in range(self.queue_leaves):
            self.queue.put_nowait(None)
        if not self.future.done():
            self.future.set_result(None)


async def _main(api: Any, node: Node, out: List[str]) -> None:
    current = asyncio.current_task()
    assert current is not None
    current.set_name("t")
    program = _Program(api)
    await program.lock.acquire()
    loop = asyncio.get_running_loop()

    async def probe() -> None:
        await program.settle()
        done = loop.create_future()

        def callback() -> None:
            try:
                done.set_result(program.graphs())
            except BaseException as exc:
                done.set_exception(exc)

        loop.call_soon(callback)
        try:
            out.extend(await done)
        finally:
            program.set_free()
            program.lock.release()

    prober = loop.create_task(probe(), name="~probe")
    await program.run(node, "t")
    await prober


def trace(api: Any, node: Node, loop_factory: Optional[Callable[[], Any]] = None) -> List[str]:
    """The normalised graphs of every task of *node*'s program, run with *api*."""
    out: List[str] = []
    if loop_factory is None:
        api.run(_main(api, node, out))
    else:
        api.run(_main(api, node, out), loop_factory=loop_factory)
    return out


_HERE = os.path.abspath(__file__)
_FILE = re.compile(r"File '(?P<path>[^']*)', line \d+, in ")


def _path(match: re.Match[str]) -> str:
    path = match.group("path")
    where = os.path.basename(path) if os.path.abspath(path) == _HERE else "<library>"
    return f"File '{where}', line N, in "


def normalise(text: str) -> str:
    """The golden test's normalisation, this file keeping its name."""
    text = _FILE.sub(_path, text)
    return programs.normalise(text)


def source(node: Node, indent: str = "") -> str:
    """A structure as indented text, for a failure's report."""
    leaf = node[0] in LEAVES
    head = node[0] + "".join(f" {x}" for x in node[1 if leaf else 2 :])
    lines = [indent + head]
    children = [] if leaf else node[1]
    if children and isinstance(children[0], str):
        children = [children]
    for child in children:
        lines.append(source(child, indent + "    "))
    return "\n".join(lines)


# The reference: 3.15's stdlib (3.14 has asyncio.graph, gh-91048, but its links before
# 3.14.8 miss cases: gh-152569, gh-157213, gh-157058, gh-156988, gh-156408, gh-155143).
STDLIB_REFERENCE = sys.version_info >= (3, 15)
