"""The questions of the benchmark page: what each asks of the results, its columns (and
their targets), its note and its figure's panels; and the getters that read a figure out
of a ``<tag>.json``. ``benchmarks/chart.py`` writes summary.md and the figures from them.
To give a new measurement its targets, add a ``Question`` to ``questions()``."""

from __future__ import annotations

from typing import Any, Callable, Dict, List, NamedTuple, Optional, Tuple

Result = Dict[str, Any]


def _version(result: Result) -> Tuple[int, int]:
    major, minor = result["env"]["version"].split(".")[:2]
    return int(major), int(minor)


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
