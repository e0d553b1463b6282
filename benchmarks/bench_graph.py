"""What a change to the call-graph links costs the backport's TaskGroup: before and after.

    python benchmarks/bench_graph.py [--repeat N] [--before REF]

The cost of ``capture_call_graph()`` and ``format_call_graph()`` themselves, against 3.14's
stdlib, is measured with the rest (``benchmarks/bench``'s ``graph_capture`` and
``graph_format``, in the results). This script is for a change to the package: it prints
ratios measured in this one process, each the ratio of the minima over N interleaved
repetitions (CPU time):

1. ``TaskGroup.create_task`` (the backport's), before and after this change: the package
   as it is at git ``--before`` (default ``HEAD``), loaded under another name, against
   this checkout's (or ``$ASYNCIO_COMPAT_BENCH_SRC``'s). Per child, creating 1,000
   children in a group; and spawning and joining 1,000 children that
   ``await asyncio.sleep(0)``. Also the backport's
   ``as_completed()`` (``async for``) over 1,000 finished tasks. A second copy of
   "before" runs in the same rounds: its ratio is the noise of the measurement.
2. Capturing costs nothing when nobody captures: the same TaskGroup spawn and join with a
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
        print(f"\n1. per child or task, {CHILDREN} of them, after / before ({args.before}):")
        for what in ("create_task", "spawn+join", "as_completed"):
            b, a, c = (tg[f"{what} {k}"] for k in ("before", "after", "control"))
            print(
                f"   {what:12} {b * 1e9:7.0f} ns -> {a * 1e9:7.0f} ns: {a / b:.3f}"
                f"   (the same code twice: {c / b:.3f})"
            )
        one = tg["spawn+join after, one capture"] / tg["spawn+join after"]
        print("\n2. spawn+join with one capture_call_graph() per group / without:")
        print(f"   {one:.3f}")
    finally:
        loop.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
