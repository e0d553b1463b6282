"""The benchmark questions across interpreters, from the ``<tag>.json`` of ``benchmarks/bench``.

    python benchmarks/chart.py [RESULTS_DIR] [--tables]

Redraws from the results alone (nothing is measured): writes ``summary.md`` into the
results folder, one section per question (TaskGroup cost, timeout cost, import time,
memory, wait_for, as_completed, the structured helpers, run() and Runner, the call graph)
with a table of one row per interpreter, the targets marked, and that question's figure,
``<question>.png`` (needs matplotlib; sized for the manual's text column). A measurement
that no question here names (a new one) gets a section and a figure of its own, of each
contender's ratio to its reference. Results written before a measurement existed show
n/a. To give a new measurement its targets, a question of its own: a ``Question`` in
``questions()``, naming the measurement, with its columns (and their targets) and its
panels.

``--tables`` also writes every ``<tag>.md`` again from its ``<tag>.json`` with the bench
package's renderer (and the ✓/✗ of its targets by the rule of this version), so that a
change of wording or layout reaches the committed results without running them again.
"""

from __future__ import annotations

import argparse
import glob
import json
import os
import re
import sys
from typing import Any, Callable, Dict, List, NamedTuple, Optional, Set, Tuple

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(HERE)
# summary.md is included by docs/benchmarks.md: its figures' paths are relative to docs/.
FIGURE_PATH = "../benchmarks/results/"
# The manual's text column is about 736 px wide (furo, 46em): a figure of 700 px is shown
# at full size there, and at half its size on a phone; 1 pt is 100/72 px, so the smallest
# text (9 pt) is 12.5 px.
DPI = 100
WIDTH_IN = 7.0
Result = Dict[str, Any]


def load(folder: str) -> List[Result]:
    results = []
    for path in glob.glob(os.path.join(folder, "*.json")):
        with open(path, encoding="utf-8") as f:
            results.append(json.load(f))
    results.sort(key=_order)
    return results


def _version(result: Result) -> Tuple[int, int]:
    major, minor = result["env"]["version"].split(".")[:2]
    return int(major), int(minor)


def _order(result: Result) -> Tuple[int, Tuple[int, int]]:
    return (0 if result["env"]["implementation"] == "CPython" else 1), _version(result)


def _label(result: Result) -> str:
    """The interpreter's tick label in a figure: ``3.12``, ``PyPy 3.9`` on two lines."""
    major, minor = _version(result)
    impl = "" if result["env"]["implementation"] == "CPython" else "PyPy\n"
    return f"{impl}{major}.{minor}"


def _name(result: Result) -> str:
    return f"{result['env']['implementation']} {result['env']['version']}"


def meets(value: float, target: float) -> bool:
    """The rule of every ✓/✗: the value as shown, two decimals, is at most the target."""
    return float(f"{value:.2f}") <= target


# --- the figures of the results ------------------------------------------------------------


def ratio(result: Result, measurement: str, key: str, ref: str) -> Optional[float]:
    """Median per-round ratio of contender *key* to contender *ref* in *measurement*."""
    for m in result.get("measurements", []):
        if m["name"] == measurement:
            r = m["ratios"].get(f"{key}/{ref}")
            return r["median"] if r else None
    return None


def memory(result: Result, key: str, ref: str = "create_task") -> Optional[float]:
    rows = {r["key"]: r for r in result.get("memory", {}).get("rows", [])}
    a, b = rows.get(key, {}).get("bytes"), rows.get(ref, {}).get("bytes")
    return a / b if a and b else None


def memory_bytes(result: Result, key: str = "backport") -> Optional[float]:
    rows = {r["key"]: r for r in result.get("memory", {}).get("rows", [])}
    return rows.get(key, {}).get("bytes")


def import_ms(result: Result, key: str = "asyncio_compat") -> Optional[float]:
    for row in result.get("import", {}).get("rows", []):
        if row["key"] == key:
            return float(row["ms"])
    return None


def modern(result: Result) -> bool:
    """3.11+: the targets are against the stdlib on the same interpreter."""
    return _version(result) >= (3, 11)


def amap_peak(result: Result, key: str) -> Optional[float]:
    """tracemalloc's peak (MiB) of *key* (structured, gather) over the generator."""
    for row in result.get("amap_memory", {}).get("rows", []):
        if row["key"] == key and row.get("peak"):
            return float(row["peak"]) / 2**20
    return None


def cheapest_peer(result: Result) -> Optional[str]:
    """The peer gather (quattro, anyio) with the lowest median ratio to asyncio.gather."""
    peers = [
        (value, key)
        for key in ("quattro", "anyio")
        for value in [ratio(result, "structured_gather", key, "gather")]
        if value is not None
    ]
    return min(peers)[1] if peers else None


def structured_vs_cheapest(result: Result) -> Optional[float]:
    peer = cheapest_peer(result)
    return ratio(result, "structured_gather", "structured", peer) if peer else None


# --- the questions -------------------------------------------------------------------------

Getter = Callable[[Result], Optional[float]]
Applies = Callable[[Result], bool]


def _none(result: Result) -> Optional[float]:
    return None


def _nothing(result: Result) -> str:
    return ""


class Column(NamedTuple):
    """A column of a question's table: one value per interpreter, maybe a target."""

    header: str
    get: Getter
    target: Getter = _none  # the target on that interpreter, if any: ✓/✗
    fmt: str = "{:.2f}"
    after: Callable[[Result], str] = _nothing  # e.g. which peer


class Series(NamedTuple):
    label: str
    get: Getter
    style: str


class Target(NamedTuple):
    value: float
    applies: Applies
    label: str = ""  # what the target is on, when the panel has more than one


class Panel(NamedTuple):
    title: str
    ylabel: str
    series: List[Series]
    targets: List[Target]
    log: bool = False  # a log scale, and the targets are milliseconds


class Question(NamedTuple):
    key: str  # the figure's file name, <key>.png
    heading: str
    ask: str  # the question, one sentence
    columns: List[Column]
    note: str  # what is measured and the targets, after the table
    panels: List[Panel]
    measurements: Tuple[str, ...]  # the measurements of benchmarks/bench it covers


def _r(measurement: str, key: str, ref: str) -> Getter:
    return lambda res: ratio(res, measurement, key, ref)


def _since(version: Tuple[int, int], get: Getter) -> Getter:
    return lambda res: get(res) if _version(res) >= version else None


def _old(res: Result) -> bool:
    return not modern(res)


def _every(res: Result) -> bool:
    return True


def _before_313(res: Result) -> bool:
    return _version(res) < (3, 13)


def _since_312(res: Result) -> bool:
    return _version(res) >= (3, 12)


def _since_313(res: Result) -> bool:
    return _version(res) >= (3, 13)


def _311_to_313(res: Result) -> bool:
    """asyncio has a Runner, and asyncio_compat hands back the backport's (3.14+: the
    stdlib's)."""
    return (3, 11) <= _version(res) < (3, 14) and res["env"]["implementation"] == "CPython"


def _fixed(value: float, applies: Applies = _every) -> Getter:
    """The target *value* on the interpreters where it *applies*."""
    return lambda res: value if applies(res) else None


BACKPORT = "asyncio_compat.backport"
NA_WHY = "n/a: not measured on that interpreter; its own table under *Per interpreter* says why."


def questions() -> List[Question]:
    return [
        Question(
            "taskgroup",
            "TaskGroup cost",
            "What does the backport's `TaskGroup` cost to spawn and join a task, against "
            "`asyncio.gather` and the stdlib's own `asyncio.TaskGroup`, and when a task fails?",
            [
                Column(
                    "backport ÷ `asyncio.gather`",
                    _r("spawn", "backport", "gather"),
                    _fixed(1.00, _old),
                ),
                Column(
                    "backport ÷ `asyncio.TaskGroup`",
                    _r("spawn", "backport", "stdlib"),
                    _fixed(1.10, modern),
                ),
                Column(
                    "failure path: backport ÷ `asyncio.TaskGroup`",
                    _r("failure", "backport", "stdlib"),
                ),
            ],
            "Per task, spawning and joining 10,000 tasks of `sleep(0)`; the failure path is the "
            "time from one failing task of 1,000 to the `ExceptionGroup`, the other 999 "
            "cancelled. Targets: ≤ 1.00 x `asyncio.gather` on 3.8-3.10 and PyPy, ≤ 1.10 x "
            "`asyncio.TaskGroup` on 3.11+. n/a: no `asyncio.TaskGroup` before 3.11.",
            [
                Panel(
                    "TaskGroup: spawn + join 10,000 tasks",
                    "per task ÷ asyncio.gather",
                    [
                        (Series(f"{BACKPORT}.TaskGroup", _r("spawn", "backport", "gather"), "o-")),
                        Series("asyncio.TaskGroup", _r("spawn", "stdlib", "gather"), "s--"),
                        Series("taskgroup 0.2.2 (PyPI)", _r("spawn", "taskgroup", "gather"), "^:"),
                    ],
                    [Target(1.00, _old)],
                ),
                Panel(
                    "The backport against the stdlib (3.11+)",
                    "backport ÷ asyncio.TaskGroup",
                    [
                        Series("spawn + join, per task", _r("spawn", "backport", "stdlib"), "o-"),
                        Series(
                            "failure path: 1 of 1,000 tasks fails",
                            _r("failure", "backport", "stdlib"),
                            "D:",
                        ),
                    ],
                    [Target(1.10, modern, "spawn + join")],
                ),
            ],
            ("spawn", "failure"),
        ),
        Question(
            "timeout",
            "Timeout cost",
            "What does the backport's `timeout()` cost per use, against `async_timeout` and "
            "the stdlib's own `asyncio.timeout`?",
            [
                Column(
                    "backport ÷ `async_timeout`",
                    _r("timeout", "backport", "async_timeout"),
                    _fixed(1.00, _old),
                ),
                Column(
                    "backport ÷ `asyncio.timeout`",
                    _r("timeout", "backport", "stdlib"),
                    _fixed(1.10, modern),
                ),
                Column(
                    "expiring: backport ÷ `asyncio.timeout`", _r("expiry", "backport", "stdlib")
                ),
            ],
            "Per use of `timeout(10)` around `await sleep(0)`; expiring: `timeout(0)` around "
            "`await sleep(10)`. Targets: ≤ 1.00 x `async_timeout.timeout` on 3.8-3.10 and PyPy, "
            "≤ 1.10 x `asyncio.timeout` on 3.11+. n/a: no `asyncio.timeout` before 3.11.",
            [
                Panel(
                    "timeout(10) around sleep(0), per use",
                    "÷ async_timeout.timeout",
                    [
                        Series(
                            f"{BACKPORT}.timeout", _r("timeout", "backport", "async_timeout"), "o-"
                        ),
                        Series("asyncio.timeout", _r("timeout", "stdlib", "async_timeout"), "s--"),
                        Series(
                            "the backport, expiring",
                            _r("expiry", "backport", "async_timeout"),
                            "D:",
                        ),
                    ],
                    [Target(1.00, _old, "not expiring")],
                ),
                Panel(
                    "The backport against the stdlib (3.11+)",
                    "backport ÷ asyncio.timeout",
                    [
                        Series("not expiring", _r("timeout", "backport", "stdlib"), "o-"),
                        Series("expiring: timeout(0)", _r("expiry", "backport", "stdlib"), "D:"),
                    ],
                    [Target(1.10, modern, "not expiring")],
                ),
            ],
            ("timeout", "expiry"),
        ),
        Question(
            "import",
            "Import time",
            "How long does `import asyncio_compat` take, after `import asyncio`?",
            [
                Column("`asyncio_compat` (ms)", import_ms, lambda r: 1.0 if modern(r) else 5.0),
                Column("`exceptiongroup` alone (ms)", lambda r: import_ms(r, "exceptiongroup")),
                Column(
                    "`asyncio_compat.structured` (ms)",
                    lambda r: import_ms(r, "asyncio_compat.structured"),
                ),
            ],
            "CPU milliseconds that the import adds to `import asyncio`, in a fresh process "
            "(medians). `exceptiongroup` is asyncio_compat's dependency, where the exception "
            "groups come from before 3.11, and it is imported on first use only; "
            "`asyncio_compat.structured` is imported on first use too, and its column includes "
            "the package. Targets: ≤ 5 ms on 3.8-3.10 and PyPy, ≤ 1 ms on 3.11+.",
            [
                Panel(
                    "import after import asyncio",
                    "milliseconds added",
                    [
                        Series("asyncio_compat", import_ms, "o-"),
                        Series(
                            "asyncio_compat.structured",
                            lambda r: import_ms(r, "asyncio_compat.structured"),
                            "D-.",
                        ),
                        Series("exceptiongroup", lambda r: import_ms(r, "exceptiongroup"), "v:"),
                        Series("async_timeout", lambda r: import_ms(r, "async_timeout"), "s--"),
                        Series("taskgroup 0.2.2", lambda r: import_ms(r, "taskgroup"), "^:"),
                    ],
                    [Target(5.0, _old, "3.8-3.10, PyPy"), Target(1.0, modern, "3.11+")],
                    log=True,
                ),
            ],
            (),
        ),
        Question(
            "memory",
            "Memory per task",
            "How much memory does a pending task in the backport's `TaskGroup` hold, against "
            "the same task from `asyncio.create_task`?",
            [
                Column("backport ÷ `create_task`", lambda r: memory(r, "backport"), _fixed(1.10)),
                Column("`asyncio.TaskGroup` ÷ `create_task`", lambda r: memory(r, "stdlib")),
                Column("backport (bytes)", memory_bytes, fmt="{:.0f}"),
            ],
            "Bytes per pending task of 10,000 in a group, as tracemalloc counts them. Target: "
            "≤ 1.10 x `create_task` everywhere. n/a: no `asyncio.TaskGroup` before 3.11, no "
            "tracemalloc on PyPy.",
            [
                Panel(
                    "memory per pending task",
                    "bytes ÷ asyncio.create_task's",
                    [
                        Series(f"{BACKPORT}.TaskGroup", lambda r: memory(r, "backport"), "o-"),
                        Series("asyncio.TaskGroup", lambda r: memory(r, "stdlib"), "s--"),
                        Series("taskgroup 0.2.2 (PyPI)", lambda r: memory(r, "taskgroup"), "^:"),
                    ],
                    [Target(1.10, _every)],
                ),
            ],
            (),
        ),
        Question(
            "wait_for",
            "wait_for",
            "What does `wait_for()` cost per call, against the least it can cost (a "
            "`timeout()` around the same await) and the interpreter's own?",
            [
                Column("backport ÷ floor", _r("wait_for", "backport", "floor"), _fixed(1.05)),
                Column(
                    "`asyncio_compat.wait_for` ÷ floor",
                    _r("wait_for", "public", "floor"),
                    _fixed(1.05),
                ),
                Column(
                    "backport ÷ `asyncio.wait_for`",
                    _r("wait_for", "backport", "stdlib"),
                    _fixed(1.10, _since_312),
                ),
                Column("`asyncio.wait_for` ÷ floor", _r("wait_for", "stdlib", "floor")),
            ],
            "`await wait_for(sleep(0), 10)` per call, divided by its floor `async with "
            "asyncio_compat.timeout(10): await sleep(0)` or by the interpreter's own "
            "`asyncio.wait_for`. `asyncio_compat.wait_for` is the backport before 3.13 and the "
            "stdlib's from 3.13: the same code as another column, measured apart, so that the "
            "difference shows the noise. Targets: ≤ 1.05 x the floor everywhere, ≤ 1.10 x "
            "`asyncio.wait_for` on 3.12+.",
            [
                Panel(
                    "wait_for(sleep(0), 10), per call",
                    "÷ the floor: async with timeout(10)",
                    [
                        Series(f"{BACKPORT}.wait_for", _r("wait_for", "backport", "floor"), "o-"),
                        Series("asyncio_compat.wait_for", _r("wait_for", "public", "floor"), "D:"),
                        # Before 3.12 the interpreter's own is 2-3.5x: it would flatten the rest.
                        Series(
                            "asyncio.wait_for (3.12+)",
                            _since((3, 12), _r("wait_for", "stdlib", "floor")),
                            "s--",
                        ),
                    ],
                    [Target(1.05, _every)],
                ),
            ],
            ("wait_for",),
        ),
        Question(
            "as_completed",
            "as_completed",
            "What does `as_completed()` cost per task, against the interpreter's own?",
            [
                Column(
                    "`for`: backport ÷ the interpreter's",
                    _r("as_completed", "backport", "stdlib"),
                    lambda r: 1.00 if _before_313(r) else 1.10,
                ),
                Column(
                    "`async for`: backport ÷ the stdlib's",
                    _r("as_completed_async", "backport", "stdlib"),
                    _fixed(1.10),
                ),
            ],
            "Per task, over 10,000 tasks of `sleep(0)`: `for f in as_completed(tasks): await "
            "f`, and `async for` (the stdlib's from 3.13). Targets: ≤ 1.00 x the interpreter's "
            "own on 3.8-3.12 and PyPy, ≤ 1.10 x the stdlib's on 3.13+. n/a: no `async for` "
            "over the stdlib's before 3.13.",
            [
                Panel(
                    "as_completed over 10,000 tasks",
                    "per task ÷ the interpreter's own",
                    [
                        Series("the backport, for", _r("as_completed", "backport", "stdlib"), "o-"),
                        Series(
                            "the backport, async for (3.13+)",
                            _r("as_completed_async", "backport", "stdlib"),
                            "D:",
                        ),
                    ],
                    [
                        Target(1.00, _before_313, "3.8-3.12, PyPy"),
                        Target(1.10, _since_313, "3.13+"),
                    ],
                ),
            ],
            ("as_completed", "as_completed_async"),
        ),
        Question(
            "structured_gather",
            "structured.gather() cost",
            "What does `asyncio_compat.structured.gather()` cost per task, against "
            "`asyncio.gather`, a `TaskGroup` written by hand and the other libraries' gathers?",
            [
                Column(
                    "÷ `asyncio.gather`",
                    _r("structured_gather", "structured", "gather"),
                    _fixed(1.00),
                ),
                Column(
                    "÷ the cheapest peer",
                    structured_vs_cheapest,
                    _fixed(1.00),
                    after=lambda r: f" ({cheapest_peer(r)})" if cheapest_peer(r) else "",
                ),
                Column(
                    "`TaskGroup` by hand ÷ `asyncio.gather`",
                    _r("structured_gather", "by_hand", "gather"),
                ),
                Column(
                    "`quattro.gather` ÷ `asyncio.gather`",
                    _r("structured_gather", "quattro", "gather"),
                ),
            ],
            "Per task over 10,000 coroutines of `sleep(0)`; the cheapest peer is the peer "
            "gather with the lowest ratio on that interpreter (quattro on 3.9+, anyio 4.16+ on "
            "3.10+; anyio's is in the tables under *Per interpreter*). Target: ≤ 1.00 x both. "
            "n/a: the peer is not on that interpreter.",
            [
                Panel(
                    "gather of 10,000 coroutines",
                    "per task ÷ asyncio.gather",
                    [
                        Series(
                            "asyncio_compat.structured.gather",
                            _r("structured_gather", "structured", "gather"),
                            "o-",
                        ),
                        Series(
                            "TaskGroup by hand", _r("structured_gather", "by_hand", "gather"), "s--"
                        ),
                        Series(
                            "quattro.gather", _r("structured_gather", "quattro", "gather"), "^:"
                        ),
                    ],
                    [Target(1.00, _every)],
                ),
            ],
            ("structured_gather",),
        ),
        Question(
            "amap",
            "structured.amap() cost and memory",
            "What does `asyncio_compat.structured.amap()` with a limit of 100 cost per item, "
            "and in memory, against `asyncio.gather` over every item at once?",
            [
                Column(
                    "`amap` ÷ `asyncio.gather`", _r("amap", "structured", "gather"), _fixed(1.15)
                ),
                Column("`Semaphore` by hand ÷ gather", _r("amap", "semaphore", "gather")),
                Column("`amap` peak (MiB)", lambda r: amap_peak(r, "structured"), fmt="{:,.1f}"),
                Column(
                    "`asyncio.gather` peak (MiB)", lambda r: amap_peak(r, "gather"), fmt="{:,.0f}"
                ),
            ],
            "Per item: `amap(f, range(10_000), limit=100)`, and `asyncio.gather` with a "
            "`Semaphore(100)` written by hand, each divided by `asyncio.gather` over every "
            "`f(i)` at once. The peaks are tracemalloc's over a generator of {items} items. "
            "Target: ≤ 1.15 x `asyncio.gather`. n/a: no tracemalloc on PyPy.",
            [
                Panel(
                    "amap over range(10,000), limit=100",
                    "per item ÷ asyncio.gather",
                    [
                        Series(
                            "asyncio_compat.structured.amap",
                            _r("amap", "structured", "gather"),
                            "o-",
                        ),
                        Series("gather + Semaphore(100)", _r("amap", "semaphore", "gather"), "s--"),
                        Series(
                            "quattro, concurrency_limit=100", _r("amap", "quattro", "gather"), "^:"
                        ),
                    ],
                    [Target(1.15, _every)],
                ),
                Panel(
                    "traced memory peak over {items} items",
                    "MiB (tracemalloc)",
                    [
                        Series(
                            "structured.amap, limit=100", lambda r: amap_peak(r, "structured"), "o-"
                        ),
                        Series("asyncio.gather", lambda r: amap_peak(r, "gather"), "s--"),
                    ],
                    [],
                    log=True,
                ),
            ],
            ("amap",),
        ),
        Question(
            "runner",
            "run() and Runner cost",
            "What does the backport's `run()` cost per call of an empty coroutine, and its "
            "`Runner.run()`, against the interpreter's own `asyncio.run` and `asyncio.Runner`?",
            [
                Column(
                    "`run()`: backport ÷ `asyncio.run`",
                    _r("run", "backport", "stdlib"),
                    _fixed(1.05, _311_to_313),
                ),
                Column(
                    "`Runner.run()`: backport ÷ `asyncio.Runner`",
                    _r("runner", "backport", "stdlib"),
                    _fixed(1.05, _311_to_313),
                ),
                Column("`asyncio.run` ÷ itself", _r("run", "control", "stdlib")),
            ],
            "Per call of `run(empty())`, which makes an event loop, runs the main task and "
            "shuts down and closes the loop every time, and of `runner.run(empty())` in a "
            "runner kept open. `asyncio.run` ÷ itself is the interpreter's own measured twice "
            "in the same rounds: how far apart two identical contenders come out. Targets: "
            "≤ 1.05 x the interpreter's own on 3.11-3.13 (from 3.14, `asyncio_compat.run` and "
            "`Runner` are the stdlib's). n/a: no `asyncio.Runner` before 3.11.",
            [
                Panel(
                    "run() and Runner.run() of an empty coroutine, per call",
                    "backport ÷ the interpreter's own",
                    [
                        Series(f"{BACKPORT}.run", _r("run", "backport", "stdlib"), "o-"),
                        Series(f"{BACKPORT}.Runner.run", _r("runner", "backport", "stdlib"), "D:"),
                        Series("asyncio.run ÷ itself", _r("run", "control", "stdlib"), "s--"),
                    ],
                    [Target(1.05, _311_to_313)],
                ),
            ],
            ("run", "runner"),
        ),
        Question(
            "graph",
            "Call-graph cost",
            "What do the backport's `capture_call_graph()` and `format_call_graph()` cost per "
            "call, against 3.14's stdlib and against the least a capture can do?",
            [
                Column("capture ÷ the stdlib's", _r("graph_capture", "backport", "stdlib")),
                Column("format ÷ the stdlib's", _r("graph_format", "backport", "stdlib")),
                Column("capture ÷ a bare walk", _r("graph_capture", "backport", "bare")),
            ],
            "The backport's `capture_call_graph()` and `format_call_graph()` per call, on a "
            "task 20 coroutines deep in a `TaskGroup` of a task 5 deep (29 frames), divided "
            "by `asyncio`'s (3.14+) or by a bare walk, which follows the same `cr_await` "
            "chains and counts their frames: the least any capture does. `asyncio_compat`'s "
            "call-graph functions are the backport before 3.14.8 and the stdlib's from then. "
            "No targets. n/a: no `asyncio.capture_call_graph` before 3.14.",
            [
                Panel(
                    "capture_call_graph(task) of 29 frames, per call",
                    "÷ a bare walk of the same chains",
                    [
                        Series(
                            f"{BACKPORT}.capture_call_graph",
                            _r("graph_capture", "backport", "bare"),
                            "o-",
                        ),
                        Series(
                            "asyncio.capture_call_graph (3.14+)",
                            _r("graph_capture", "stdlib", "bare"),
                            "s--",
                        ),
                    ],
                    [],
                    # PyPy's is many times CPython's: on a linear axis it would flatten them.
                    log=True,
                ),
                Panel(
                    "capture_call_graph and format_call_graph: the backport against the stdlib",
                    "backport ÷ asyncio's (3.14+)",
                    [
                        Series("capture", _r("graph_capture", "backport", "stdlib"), "o-"),
                        Series("format", _r("graph_format", "backport", "stdlib"), "D:"),
                    ],
                    [],
                ),
            ],
            ("graph_capture", "graph_format"),
        ),
    ]


def _measurement(result: Result, name: str) -> Optional[Dict[str, Any]]:
    return next((m for m in result.get("measurements", []) if m["name"] == name), None)


_ROUNDS = re.compile(r" \(\d+ rounds\)$")


def _code(label: str) -> str:
    """A contender's label as the manual shows it: a bare name as code (which breaks
    anywhere in a narrow column)."""
    return f"`{label}`" if " " not in label and "`" not in label else label


def generic(results: List[Result], name: str) -> Question:
    """A question for a measurement that none of questions() names: every contender's
    ratio to the measurement's reference, as the newest interpreter labels them."""
    newest = [m for m in (_measurement(r, name) for r in results) if m][-1]
    ref, ref_label = newest["reference_key"], newest["reference"]
    others = [row for row in newest["rows"] if row["key"] != ref]
    styles = ["o-", "s--", "^:", "D-.", "v:", "P--"]
    title = _ROUNDS.sub("", newest["title"])
    plain = title.replace("`", "")
    return Question(
        name,
        title,
        f"What does each contender cost, against {_code(ref_label)}?",
        [
            Column(f"{_code(row['label'])} ÷ {_code(ref_label)}", _r(name, row["key"], ref))
            for row in others
        ],
        f"Medians of the per-round ratios to {_code(ref_label)}; the targets, if any, are in "
        "the tables under *Per interpreter*.",
        [
            Panel(
                plain,
                f"÷ {ref_label}",
                [
                    Series(row["label"], _r(name, row["key"], ref), styles[i % len(styles)])
                    for i, row in enumerate(others)
                ],
                [],
            )
        ],
        (name,),
    )


def every_question(results: List[Result]) -> List[Question]:
    """questions(), then one of generic() for each measurement that they do not name."""
    out = questions()
    named: Set[str] = {m for q in out for m in q.measurements}
    for r in results:
        for m in r.get("measurements", []):
            if m["name"] not in named:
                named.add(m["name"])
                out.append(generic(results, m["name"]))
    return out


# --- summary.md ----------------------------------------------------------------------------


def _cell(value: Optional[float], target: Optional[float] = None, fmt: str = "{:.2f}") -> str:
    if value is None:
        return "n/a"
    text = fmt.format(value)
    if target is not None:
        text += " ✓" if meets(value, target) else " ✗"
    return text


def _table(header: List[str], rows: List[List[str]]) -> List[str]:
    out = ["| " + " | ".join(header) + " |", "| --- |" + " ---: |" * (len(header) - 1)]
    out += ["| " + " | ".join(row) + " |" for row in rows]
    return out


def _items(results: List[Result]) -> str:
    counts = {r["amap_memory"]["items"] for r in results if r.get("amap_memory")}
    return " or ".join(f"{n:,}" for n in sorted(counts)) or "1,000,000"


def section(results: List[Result], q: Question, width: Optional[int]) -> List[str]:
    """A question's section of summary.md: the table, the note, the figure if drawn."""
    rows = [
        [_name(r)]
        + [
            _cell(c.get(r), c.target(r), c.fmt) + (c.after(r) if c.get(r) is not None else "")
            for c in q.columns
        ]
        for r in results
    ]
    out = [
        f"## {q.heading}",
        "",
        q.ask,
        "",
        *_table(["interpreter"] + [c.header for c in q.columns], rows),
    ]
    out += ["", q.note.format(items=_items(results))]
    if width:
        names = "; ".join(s.label for p in q.panels for s in p.series)
        out += [
            "",
            f"```{{figure}} {FIGURE_PATH}{q.key}.png",
            f":width: {width}px",
            f":alt: {q.heading.replace('`', '')}, per interpreter: {names}",
            "",
            "The same figures across interpreters (lower is better)"
            + (
                "; red dashes: a target, over the interpreters it applies to"
                if any(p.targets for p in q.panels)
                else ""
            )
            + ". Click for the full size.",
            "```",
        ]
    return [*out, ""]


def summary(results: List[Result], figures: Optional[Dict[str, int]] = None) -> str:
    """summary.md: a section per question, with the figures of *figures* (key -> width)."""
    figures = figures or {}
    lines = [
        "Each table has one row per interpreter: the backport (`asyncio_compat.backport`, or "
        "the helper named) divided by the named reference, as medians of per-round ratios of "
        "CPU time in one process; lower is better. ✓ or ✗: whether the figure as shown, to "
        "two decimals, is at most the target on that interpreter (≤ 1.10 is met by 1.10, "
        "missed by 1.11).",
        "",
    ]
    for q in every_question(results):
        lines += section(results, q, figures.get(q.key))
    return "\n".join(lines).rstrip("\n") + "\n"


# --- the figures ---------------------------------------------------------------------------


def _spans(xs: List[int]) -> List[Tuple[int, int]]:
    """Runs of consecutive positions, as (first, last)."""
    spans: List[Tuple[int, int]] = []
    for x in xs:
        if spans and spans[-1][1] == x - 1:
            spans[-1] = (spans[-1][0], x)
        else:
            spans.append((x, x))
    return spans


def _draw_panel(ax: Any, results: List[Result], panel: Panel, items: str) -> None:
    import matplotlib.ticker

    xs = list(range(len(results)))
    # CPython's versions are joined by lines; PyPy stands apart, behind a divider.
    runs = [
        [x for x, r in zip(xs, results) if r["env"]["implementation"] == impl]
        for impl in ("CPython", "PyPy")
    ]
    # Matplotlib's own colours but its red, which marks the targets.
    colours = ["C0", "C1", "C2", "C4", "C5", "C6", "C7", "C8", "C9"]
    for i, (name, get, style) in enumerate(panel.series):
        color = colours[i % len(colours)]
        label: Optional[str] = name  # once per series
        for run in runs:
            points = [(x, get(results[x])) for x in run]
            points = [(x, y) for x, y in points if y is not None]
            if not points:
                continue
            ax.plot(
                *zip(*points),
                style,
                color=color,
                label=label,
                markersize=6,
                linewidth=1.6,
            )
            label = None
    for target in panel.targets:
        # Over the interpreters it applies to that have a figure here.
        on = [
            x
            for x, r in zip(xs, results)
            if target.applies(r) and any(s.get(r) is not None for s in panel.series)
        ]
        value = f"{target.value:g} ms" if panel.log else f"{target.value:.2f}"
        label = f"target ≤ {value}" + (f" ({target.label})" if target.label else "")
        for run in runs:
            for first, last in _spans([x for x in run if x in on]):
                ax.hlines(
                    target.value,
                    first - 0.4,
                    last + 0.4,
                    colors="red",
                    linestyles="dashed",
                    label=label,
                )
                label = None
    if runs[0] and runs[1]:
        ax.axvline(max(runs[0]) + 0.5, color="black", linewidth=0.5)
    if panel.log:
        ax.set_yscale("log")
        ax.yaxis.set_major_locator(matplotlib.ticker.LogLocator(subs=(1.0, 2.0, 5.0)))
        ax.yaxis.set_major_formatter(matplotlib.ticker.FormatStrFormatter("%g"))
        ax.yaxis.set_minor_formatter(matplotlib.ticker.NullFormatter())
    else:
        ax.axhline(1.0, color="grey", linewidth=0.6)
    ax.set_title(panel.title.format(items=items), fontsize=11)
    ax.set_ylabel(panel.ylabel, fontsize=10)
    ax.set_xticks(xs)
    ax.set_xticklabels([_label(r) for r in results])
    ax.tick_params(labelsize=10)
    ax.set_xlim(-0.5, len(xs) - 0.5)
    ax.grid(axis="y", alpha=0.3)
    ax.margins(y=0.12)
    ax.legend(
        fontsize=9,
        loc="upper center",
        bbox_to_anchor=(0.5, -0.2),
        ncol=2,
        frameon=False,
    )


def draw(results: List[Result], q: Question, path: str) -> None:
    """Draws *q*'s figure into *path*: the panels one under the other, 700 px wide."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    heights = [3.0 + 0.22 * -(-len(p.series) // 2) for p in q.panels]
    fig, axes = plt.subplots(
        len(q.panels),
        1,
        figsize=(WIDTH_IN, sum(heights)),
        gridspec_kw={"height_ratios": heights},
        layout="constrained",
        squeeze=False,
    )
    for ax, panel in zip(axes[:, 0], q.panels):
        _draw_panel(ax, results, panel, _items(results))
    fig.savefig(path, dpi=DPI)
    plt.close(fig)


def png_width(path: str) -> Optional[int]:
    """The width in pixels of the PNG at *path* (its IHDR chunk), None if there is none."""
    try:
        with open(path, "rb") as f:
            head = f.read(24)
    except OSError:
        return None
    if head[:8] != b"\x89PNG\r\n\x1a\n" or head[12:16] != b"IHDR":
        return None
    return int.from_bytes(head[16:20], "big")


def rewrite_tables(folder: str) -> None:
    """Every ``<tag>.md`` again from its ``<tag>.json`` (the bench package's render and rule)."""
    try:
        import asyncio_compat  # noqa: F401
    except ImportError:  # the bench package imports it: this checkout's will do
        sys.path.insert(0, os.path.join(REPO, "src"))
    sys.path.insert(0, HERE)
    from bench.render import render

    for path in sorted(glob.glob(os.path.join(folder, "*.json"))):
        with open(path, encoding="utf-8") as f:
            result = json.load(f)
        for v in result.get("verdicts", []):
            if v.get("value") is not None:
                v["met"] = meets(v["value"], v["target"])
        with open(path, "w", encoding="utf-8") as f:
            json.dump(result, f, indent=1, sort_keys=True)
            f.write("\n")
        with open(path[: -len(".json")] + ".md", "w", encoding="utf-8") as f:
            f.write(render(result))
        print(f"wrote {path[: -len('.json')]}.md", file=sys.stderr)


def main(argv: Optional[List[str]] = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("folder", nargs="?", default=os.path.join(HERE, "results"))
    parser.add_argument(
        "--tables", action="store_true", help="also write each <tag>.md again from its .json"
    )
    args = parser.parse_args(argv)
    results = load(args.folder)
    if not results:
        print(f"no results in {args.folder}", file=sys.stderr)
        return 1
    if args.tables:
        rewrite_tables(args.folder)
    keys = [q.key for q in every_question(results)]
    try:
        for q in every_question(results):
            draw(results, q, os.path.join(args.folder, f"{q.key}.png"))
        print(f"wrote {', '.join(k + '.png' for k in keys)} in {args.folder}", file=sys.stderr)
    except ImportError:
        print("matplotlib is not installed: the figures are those drawn before", file=sys.stderr)
    figures = {}
    for key in keys:
        width = png_width(os.path.join(args.folder, f"{key}.png"))
        if width:
            figures[key] = width
    text = summary(results, figures)
    with open(os.path.join(args.folder, "summary.md"), "w", encoding="utf-8") as f:
        f.write(text)
    print(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
