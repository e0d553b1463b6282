"""Benchmark of call-graph introspection (asyncio.graph) on the interpreter that runs it.

    python benchmarks/bench_graph.py [--repeat N] [--before REF]

Prints ratios measured in this one process, each the ratio of the minima over N
interleaved repetitions (CPU time):

1. ``capture_call_graph(task)`` per frame of the graph: a task 20 coroutines deep,
   awaited by the parent task of a TaskGroup, itself 5 deep. The backport's against
   3.14's stdlib (3.14+), and, on every version, against a bare walk of the same
   ``cr_await`` chains (the least any capture costs). Also ``format_call_graph``.
2. ``TaskGroup.create_task`` (the backport's), before and after this change: the package
   as it is at git ``--before`` (default ``HEAD``), loaded under another name, against
   this checkout's (or ``$ASYNCIO_COMPAT_BENCH_SRC``'s). Per child, creating 1,000
   children in a group; and spawning and joining 1,000 children that
   ``await asyncio.sleep(0)``. Also the backport's
   ``as_completed()`` (``async for``) over 1,000 finished tasks. A second copy of
   "before" runs in the same rounds: its ratio is the noise of the measurement.
3. Capturing costs nothing when nobody captures: the same TaskGroup spawn and join with a
   graph captured once per group against none.
"""

from __future__ import annotations

import argparse
import asyncio
import importlib
import os
import subprocess
import sys
import tempfile
import time
from typing import Any, Callable, Dict, List, Optional

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
# This checkout's package ("after"), or the one given in $ASYNCIO_COMPAT_BENCH_SRC.
sys.path.insert(0, os.environ.get("ASYNCIO_COMPAT_BENCH_SRC") or os.path.join(ROOT, "src"))

from asyncio_compat import backport  # noqa: E402

DEPTH = 20
PARENT_DEPTH = 5
CHILDREN = 1000


def load_before(ref: str, into: str, name: str) -> Any:
    """The package at git *ref*, imported as *name*."""
    target = os.path.join(into, name)
    os.makedirs(target)
    files = subprocess.run(
        ["git", "-C", ROOT, "ls-tree", "--name-only", ref, "src/asyncio_compat/"],
        check=True,
        capture_output=True,
        text=True,
    ).stdout.split()
    for path in files:
        if not path.endswith(".py"):
            continue
        source = subprocess.run(
            ["git", "-C", ROOT, "show", f"{ref}:{path}"], check=True, capture_output=True
        ).stdout
        with open(os.path.join(target, os.path.basename(path)), "wb") as f:
            f.write(source)
    if into not in sys.path:
        sys.path.insert(0, into)
    return importlib.import_module(f"{name}.backport")


def minimum(functions: Dict[str, Callable[[], float]], repeat: int) -> Dict[str, float]:
    """The least time of each function over *repeat* interleaved rounds."""
    best = {name: float("inf") for name in functions}
    names = list(functions)
    for i in range(repeat):
        for name in names[i % len(names) :] + names[: i % len(names)]:
            best[name] = min(best[name], functions[name]())
    return best


async def nested(depth: int, ev: asyncio.Event) -> None:
    if depth:
        await nested(depth - 1, ev)
    else:
        await ev.wait()


def bare_walk(task: Any) -> int:
    # The least a capture does: follow cr_await from the task's coroutine.
    count = 0
    coro = task.get_coro()
    while coro is not None and hasattr(coro, "cr_await"):
        if coro.cr_frame is not None:
            count += 1
        coro = coro.cr_await
    return count


async def capture_bench(repeat: int) -> Dict[str, float]:
    ev = asyncio.Event()
    loop = asyncio.get_running_loop()
    results: Dict[str, float] = {}
    child: List[Any] = []

    async def parent(depth: int) -> None:
        if depth:
            await parent(depth - 1)
            return
        async with backport.TaskGroup() as tg:
            child.append(tg.create_task(nested(DEPTH, ev), name="child"))
            await ev.wait()

    top = loop.create_task(parent(PARENT_DEPTH))
    for _ in range(8):
        await asyncio.sleep(0)
    task = child[0]
    graph = backport.capture_call_graph(task)
    assert graph is not None
    frames = len(graph.call_stack) + len(graph.awaited_by[0].call_stack)
    parent_task = graph.awaited_by[0].future
    loops = 200

    def timed(call: Callable[[], Any]) -> Callable[[], float]:
        def run() -> float:
            t0 = time.process_time()
            for _ in range(loops):
                call()
            return (time.process_time() - t0) / loops / frames

        return run

    contenders = {
        "backport capture": timed(lambda: backport.capture_call_graph(task)),
        "bare walk": timed(lambda: (bare_walk(task), bare_walk(parent_task))),
        "backport format": timed(lambda: backport.format_call_graph(task)),
    }
    if sys.version_info >= (3, 14):
        contenders["stdlib capture"] = timed(lambda: asyncio.capture_call_graph(task))  # type: ignore[attr-defined]
        contenders["stdlib format"] = timed(lambda: asyncio.format_call_graph(task))  # type: ignore[attr-defined]
    results = minimum(contenders, repeat)
    results["frames"] = frames
    ev.set()
    await top
    return results


async def noop() -> None:
    pass


async def sleeper() -> None:
    await asyncio.sleep(0)


def taskgroup_bench(
    groups: Dict[str, Any], completers: Dict[str, Any], repeat: int
) -> Dict[str, float]:
    def create(group: Any) -> Callable[[], float]:
        def run() -> float:
            async def body() -> float:
                async with group() as tg:
                    coros = [noop() for _ in range(CHILDREN)]
                    t0 = time.process_time()
                    for coro in coros:
                        tg.create_task(coro)
                    return (time.process_time() - t0) / CHILDREN

            return asyncio.get_event_loop().run_until_complete(body())

        return run

    def spawn(group: Any, capture: bool = False) -> Callable[[], float]:
        def run() -> float:
            async def body() -> float:
                t0 = time.process_time()
                async with group() as tg:
                    for _ in range(CHILDREN):
                        last = tg.create_task(sleeper())
                    if capture:
                        backport.capture_call_graph(last)
                return (time.process_time() - t0) / CHILDREN

            return asyncio.get_event_loop().run_until_complete(body())

        return run

    def completing(as_completed: Any) -> Callable[[], float]:
        def run() -> float:
            async def body() -> float:
                tasks = [asyncio.ensure_future(noop()) for _ in range(CHILDREN)]
                t0 = time.process_time()
                async for _ in as_completed(tasks):
                    pass
                return (time.process_time() - t0) / CHILDREN

            return asyncio.get_event_loop().run_until_complete(body())

        return run

    contenders: Dict[str, Callable[[], float]] = {}
    for name, group in groups.items():
        contenders[f"create_task {name}"] = create(group)
        contenders[f"spawn+join {name}"] = spawn(group)
        contenders[f"as_completed {name}"] = completing(completers[name])
    contenders["spawn+join after, one capture"] = spawn(groups["after"], capture=True)
    return minimum(contenders, repeat)


def main(argv: Optional[List[str]] = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repeat", type=int, default=40, help="rounds (default 40)")
    parser.add_argument("--before", default="HEAD", help="git ref of 'before' (default HEAD)")
    args = parser.parse_args(argv)
    impl = sys.implementation.name
    print(f"{impl} {sys.version.split()[0]}, {args.repeat} rounds, minima, CPU time")

    loop = asyncio.new_event_loop()
    asyncio.set_event_loop(loop)
    try:
        cap = loop.run_until_complete(capture_bench(args.repeat))
        frames = int(cap["frames"])
        print(f"\n1. capture_call_graph of a task {DEPTH} deep under a group {PARENT_DEPTH} deep:")
        print(f"   {frames} frames; per frame:")
        for name in ("backport capture", "backport format", "stdlib capture", "stdlib format"):
            if name in cap:
                print(f"   {name:18} {cap[name] * 1e9:8.0f} ns")
        print(f"   {'bare walk':18} {cap['bare walk'] * 1e9:8.0f} ns")
        print(f"   backport capture / bare walk: {cap['backport capture'] / cap['bare walk']:.2f}")
        if "stdlib capture" in cap:
            ratio = cap["backport capture"] / cap["stdlib capture"]
            print(f"   backport capture / 3.14+ stdlib capture: {ratio:.2f}")
            ratio = cap["backport format"] / cap["stdlib format"]
            print(f"   backport format / 3.14+ stdlib format: {ratio:.2f}")

        with tempfile.TemporaryDirectory() as tmp:
            before = load_before(args.before, tmp, "asyncio_compat_before")
            # A second copy of "before": how far apart two identical contenders come out.
            control = load_before(args.before, tmp, "asyncio_compat_control")
            groups = {
                "before": before.TaskGroup,
                "after": backport.TaskGroup,
                "control": control.TaskGroup,
            }
            completers = {
                "before": before.as_completed,
                "after": backport.as_completed,
                "control": control.as_completed,
            }
            tg = taskgroup_bench(groups, completers, args.repeat)
        print(f"\n2. per child or task, {CHILDREN} of them, after / before ({args.before}):")
        for what in ("create_task", "spawn+join", "as_completed"):
            b, a, c = (tg[f"{what} {k}"] for k in ("before", "after", "control"))
            print(
                f"   {what:12} {b * 1e9:7.0f} ns -> {a * 1e9:7.0f} ns: {a / b:.3f}"
                f"   (the same code twice: {c / b:.3f})"
            )
        one = tg["spawn+join after, one capture"] / tg["spawn+join after"]
        print("\n3. spawn+join with one capture_call_graph() per group / without:")
        print(f"   {one:.3f}")
    finally:
        loop.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
