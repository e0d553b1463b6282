"""The command line: what to measure, and the results written."""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import platform
import sys
import time
from typing import Any, Dict, List, Optional

import asyncio_compat

from . import common, structured
from .common import HERE, PYPY, TAG, _is, _peer_version, anyio, async_timeout, quattro, taskgroup
from .graph import CAPTURES, DEPTH, PARENT_DEPTH, capture_contenders, format_contenders
from .groups import expiry_contenders, failure_contenders, spawn_contenders, timeout_contenders
from .imports import measure_import
from .memory import measure_memory
from .render import ab_summary, render
from .rounds import MORE_ROUNDS, measurement, ratio, run_rounds
from .runner import run_contenders, runner_contenders
from .structured import AMAP_LIMIT, amap_contenders, measure_amap_memory, sgather_contenders
from .verdicts import verdicts
from .waiting import ascompleted_async_contenders, ascompleted_contenders, waitfor_contenders


def environment() -> Dict[str, Any]:
    peers = []
    for mod, name in (
        (taskgroup, "taskgroup"),
        (async_timeout, "async-timeout"),
        (anyio, "anyio"),
        (quattro, "quattro"),
    ):
        peers.append(f"{name} {_peer_version(mod, name)}" if mod else f"{name} missing")
    return {
        "tag": TAG,
        "implementation": platform.python_implementation(),
        "version": platform.python_version(),
        "machine": f"{platform.system()} {platform.machine()}",
        "asyncio_compat": asyncio_compat.__version__,
        "TaskGroup_is": _is(asyncio_compat.TaskGroup, getattr(asyncio, "TaskGroup", None)),
        "timeout_is": _is(asyncio_compat.timeout, getattr(asyncio, "timeout", None)),
        "wait_for_is": _is(asyncio_compat.wait_for, asyncio.wait_for),
        "as_completed_is": _is(asyncio_compat.as_completed, asyncio.as_completed),
        "structured": (
            "present" if structured.STRUCTURED is not None else f"n/a: {structured.STRUCTURED_WHY}"
        ),
        "peers": ", ".join(peers),
    }


def _previous(folder: str) -> Dict[str, Any]:
    """The results of this interpreter in *folder*, to merge a measurement into."""
    path = os.path.join(folder, f"{TAG}.json")
    try:
        with open(path, encoding="utf-8") as f:
            previous: Dict[str, Any] = json.load(f)
    except FileNotFoundError:
        raise SystemExit(f"--merge: no {path} to merge into: measure everything first") from None
    return previous


def _merged(before: Dict[str, Any], new: Dict[str, Any]) -> Dict[str, Any]:
    """*before* with the measurements of *new* in place of its own of the same name (new
    ones at the end), and *new*'s import, memory and amap_memory if measured."""
    fresh = {m["name"]: m for m in new["measurements"]}
    kept = [fresh.pop(m["name"], m) for m in before["measurements"]]
    out = dict(before, measurements=kept + list(fresh.values()))
    for key in ("import", "memory", "amap_memory"):
        if key in new:
            out[key] = new[key]
    return out


def main(argv: Optional[List[str]] = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=9, help="measured rounds (default 9)")
    parser.add_argument(
        "--warmup", type=int, default=5 if PYPY else 1, help="warm-up rounds (1; PyPy 5)"
    )
    parser.add_argument(
        "--clock",
        choices=["cpu", "wall"],
        default="cpu",
        help="cpu: this process's CPU time (default); wall: time.perf_counter",
    )
    parser.add_argument("--tasks", type=int, default=10_000, help="tasks per group")
    parser.add_argument("--uses", type=int, default=2_000, help="timeouts per sample")
    parser.add_argument("--calls", type=int, default=2_000, help="wait_for calls per sample")
    parser.add_argument(
        "--runs", type=int, default=200, help="run() and Runner.run() calls per sample"
    )
    parser.add_argument(
        "--items",
        type=int,
        default=1_000_000,
        help="amap's and gather's items for the traced memory peak (default 1,000,000)",
    )
    parser.add_argument("--import-runs", type=int, default=8, help="fresh processes each")
    parser.add_argument("--quick", action="store_true", help="3 rounds, smaller samples")
    parser.add_argument(
        "--also",
        metavar="MODULE",
        help="a patched copy of the package, importable as MODULE: its backport runs in the "
        "same rounds, and the results end with its ratios to asyncio_compat.backport",
    )
    parser.add_argument("--out", default=os.path.join(HERE, "results"), help="output folder")
    parser.add_argument(
        "--only",
        help="comma-separated: spawn,timeout,expiry,failure,wait_for,as_completed,"
        "as_completed_async,structured_gather,amap,run,runner,graph_capture,graph_format,import,"
        "memory,amap_memory",
    )
    parser.add_argument(
        "--merge",
        action="store_true",
        help="with --only: put what is measured into <out>/<tag>.json in place of what it "
        "had (the rest kept as measured before), and write <tag>.md and the targets again",
    )
    args = parser.parse_args(argv)
    if args.quick:
        args.rounds, args.tasks, args.uses, args.import_runs = 3, 2_000, 500, 4
        args.calls, args.items, args.runs = 500, 100_000, 50
    if args.clock == "wall":
        common.clock = time.perf_counter
    only = set(args.only.split(",")) if args.only else None
    if args.merge and (only is None or args.also):
        parser.error("--merge needs --only, and no --also")
    before = _previous(args.out) if args.merge else None
    if args.also:
        import importlib

        common.ALSO = importlib.import_module(args.also)
        importlib.import_module(f"{args.also}.backport")

    def wanted(name: str) -> bool:
        return only is None or name in only

    structured._load_structured()

    loop = asyncio.new_event_loop()
    asyncio.set_event_loop(loop)
    result: Dict[str, Any] = {
        "env": environment(),
        "rounds": args.rounds,
        "n_tasks": args.tasks,
        "measurements": [],
    }
    print(f"{TAG}: {sys.version.split()[0]} ({sys.executable})", file=sys.stderr, flush=True)

    plan = [
        (
            "spawn",
            f"TaskGroup: spawn + join {args.tasks:,} tasks of `sleep(0)`, per task",
            "per task",
            args.tasks,
            lambda: spawn_contenders(args.tasks),
            "gather",
        ),
        (
            "timeout",
            "`timeout(10)` around `sleep(0)`, per use",
            "per use",
            args.uses,
            lambda: timeout_contenders(args.uses),
            "async_timeout",
        ),
        (
            "expiry",
            "`timeout(0)` around `sleep(10)`: expires, per use",
            "per use",
            args.uses // 5,
            lambda: expiry_contenders(args.uses // 5),
            "async_timeout",
        ),
        (
            "failure",
            "failure: 1 of 1,000 tasks fails, 999 cancelled: to the ExceptionGroup",
            "per group",
            1,
            lambda: failure_contenders(1_000, 1),
            "by_hand",
        ),
        (
            "wait_for",
            "`await wait_for(sleep(0), 10)`, per call",
            "per call",
            args.calls,
            lambda: waitfor_contenders(args.calls),
            "floor",
        ),
        (
            "as_completed",
            f"`for f in as_completed(tasks): await f`, {args.tasks:,} tasks of `sleep(0)`, "
            "per task",
            "per task",
            args.tasks,
            lambda: ascompleted_contenders(args.tasks),
            "stdlib",
        ),
        (
            "as_completed_async",
            f"`async for t in as_completed(tasks)`, {args.tasks:,} tasks, per task",
            "per task",
            args.tasks,
            lambda: ascompleted_async_contenders(args.tasks),
            "stdlib",
        ),
        (
            "structured_gather",
            f"structured `gather()` of {args.tasks:,} coroutines of `sleep(0)`, per task",
            "per task",
            args.tasks,
            lambda: sgather_contenders(args.tasks),
            "gather",
        ),
        (
            "amap",
            f"`amap(f, range({args.tasks:,}), limit={AMAP_LIMIT})`, per item",
            "per item",
            args.tasks,
            lambda: amap_contenders(args.tasks),
            "gather",
        ),
        (
            "run",
            f"`run()` of an empty coroutine, {args.runs} calls per sample, per call",
            "per call",
            args.runs,
            lambda: run_contenders(args.runs),
            "stdlib",
        ),
        (
            "runner",
            f"`Runner.run()` of an empty coroutine in a runner kept open, {args.runs} calls "
            "per sample, per call",
            "per call",
            args.runs,
            lambda: runner_contenders(args.runs),
            "stdlib",
        ),
        (
            "graph_capture",
            f"`capture_call_graph(task)`, a task {DEPTH} deep in a TaskGroup of a task "
            f"{PARENT_DEPTH} deep, per call",
            "per call",
            CAPTURES,
            capture_contenders,
            "bare",
        ),
        (
            "graph_format",
            "`format_call_graph(task)`, the same task, per call",
            "per call",
            CAPTURES,
            format_contenders,
            "stdlib",
        ),
    ]
    # The rounds that a title does not mention: those of this run, or of the results merged into.
    base_rounds = before["rounds"] if before else args.rounds
    for name, title, unit, per, make, ref in plan:
        if not wanted(name):
            continue
        t0 = time.perf_counter()
        contenders = make()
        rounds = args.rounds * MORE_ROUNDS.get(name, 1)
        run_rounds(loop, contenders, rounds, args.warmup)
        asyncio.set_event_loop(loop)  # run() and Runner leave no loop set when they close
        if rounds != base_rounds:
            title += f" ({rounds} rounds)"
        m = measurement(name, title, unit, per, contenders, ref)
        m["rounds"] = rounds
        m["ratios"] = {}
        for a in contenders:
            for b in contenders:
                r = ratio(a, b)
                if r is not None:
                    m["ratios"][f"{a.key}/{b.key}"] = r
        result["measurements"].append(m)
        print(f"  {name}: {time.perf_counter() - t0:.1f}s", file=sys.stderr, flush=True)

    if wanted("import"):
        t0 = time.perf_counter()
        result["import"] = measure_import(args.import_runs)
        print(f"  import: {time.perf_counter() - t0:.1f}s", file=sys.stderr, flush=True)
    if wanted("memory"):
        t0 = time.perf_counter()
        result["memory"] = measure_memory(loop, args.tasks, 1)
        print(f"  memory: {time.perf_counter() - t0:.1f}s", file=sys.stderr, flush=True)
    if wanted("amap_memory"):
        t0 = time.perf_counter()
        result["amap_memory"] = measure_amap_memory(loop, args.items)
        print(f"  amap_memory: {time.perf_counter() - t0:.1f}s", file=sys.stderr, flush=True)
    # A contender that failed (n/a) may have left tasks behind: end them before closing.
    leftovers = asyncio.all_tasks(loop)
    for task in leftovers:
        task.cancel()
    loop.run_until_complete(asyncio.gather(*leftovers, return_exceptions=True))
    loop.close()

    if before is not None:
        result = _merged(before, result)
    elif only is not None:
        if common.ALSO is not None:
            print(ab_summary(result))
        else:
            print(json.dumps(result, indent=1, default=str))
        return 0
    result["verdicts"] = verdicts(result)
    text = render(result)
    os.makedirs(args.out, exist_ok=True)
    with open(os.path.join(args.out, f"{TAG}.md"), "w", encoding="utf-8") as f:
        f.write(text)
    with open(os.path.join(args.out, f"{TAG}.json"), "w", encoding="utf-8") as f:
        json.dump(result, f, indent=1, sort_keys=True)
        f.write("\n")
    print(text)
    if common.ALSO is not None:
        print(ab_summary(result))
    return 0
