"""The ratios across interpreters, from the ``<tag>.json`` files that bench.py wrote.

    python benchmarks/chart.py [RESULTS_DIR]

Writes ``ratios.png`` (needs matplotlib) and ``summary.md`` (one row per interpreter in
each of three tables: issue 6's TaskGroup/timeout/import/memory, issue 10's wait_for and
as_completed, issue 11's asyncio_compat.structured; the targets marked) into the results
folder, and prints the summary. Results written before a measurement existed show n/a.
"""

from __future__ import annotations

import glob
import json
import os
import sys
from typing import Any, Dict, List, Optional, Tuple

HERE = os.path.dirname(os.path.abspath(__file__))


def load(folder: str) -> List[Dict[str, Any]]:
    results = []
    for path in glob.glob(os.path.join(folder, "*.json")):
        with open(path, encoding="utf-8") as f:
            results.append(json.load(f))
    results.sort(key=_order)
    return results


def _version(result: Dict[str, Any]) -> Tuple[int, int]:
    major, minor = result["env"]["version"].split(".")[:2]
    return int(major), int(minor)


def _order(result: Dict[str, Any]) -> Tuple[int, Tuple[int, int]]:
    return (0 if result["env"]["implementation"] == "CPython" else 1), _version(result)


def _label(result: Dict[str, Any]) -> str:
    major, minor = _version(result)
    impl = "" if result["env"]["implementation"] == "CPython" else "PyPy "
    return f"{impl}{major}.{minor}"


def ratio(result: Dict[str, Any], measurement: str, key: str, ref: str) -> Optional[float]:
    """Median per-round ratio of contender *key* to contender *ref* in *measurement*."""
    for m in result.get("measurements", []):
        if m["name"] == measurement:
            r = m["ratios"].get(f"{key}/{ref}")
            return r["median"] if r else None
    return None


def memory(result: Dict[str, Any], key: str, ref: str = "create_task") -> Optional[float]:
    rows = {r["key"]: r for r in result.get("memory", {}).get("rows", [])}
    a, b = rows.get(key, {}).get("bytes"), rows.get(ref, {}).get("bytes")
    return a / b if a and b else None


def import_ms(result: Dict[str, Any], key: str = "asyncio_compat") -> Optional[float]:
    for row in result.get("import", {}).get("rows", []):
        if row["key"] == key:
            return float(row["ms"])
    return None


def modern(result: Dict[str, Any]) -> bool:
    """3.11+: the targets are against the stdlib on the same interpreter."""
    return _version(result) >= (3, 11)


def amap_peak(result: Dict[str, Any], key: str) -> Optional[float]:
    """tracemalloc's peak (MiB) of *key* (structured, gather) over the generator."""
    for row in result.get("amap_memory", {}).get("rows", []):
        if row["key"] == key and row.get("peak"):
            return float(row["peak"]) / 2**20
    return None


def cheapest_peer(result: Dict[str, Any]) -> Optional[str]:
    """The peer gather (quattro, anyio) with the lowest median ratio to asyncio.gather."""
    peers = [
        (value, key)
        for key in ("quattro", "anyio")
        for value in [ratio(result, "structured_gather", key, "gather")]
        if value is not None
    ]
    return min(peers)[1] if peers else None


def structured_vs_cheapest(result: Dict[str, Any]) -> Optional[float]:
    peer = cheapest_peer(result)
    return ratio(result, "structured_gather", "structured", peer) if peer else None


# --- summary.md --------------------------------------------------------------------------


def _cell(value: Optional[float], target: Optional[float] = None, fmt: str = "{:.2f}") -> str:
    if value is None:
        return "n/a"
    text = fmt.format(value)
    if target is not None:
        text += " ✓" if value <= target else " ✗"
    return text


def summary(results: List[Dict[str, Any]]) -> str:
    lines = [
        "| interpreter | TaskGroup ÷ gather | TaskGroup ÷ stdlib | timeout ÷ async_timeout "
        "| timeout ÷ stdlib | expiring timeout ÷ stdlib | failure path ÷ stdlib "
        "| import (ms added) | exceptiongroup's import alone (ms) "
        "| memory per task ÷ create_task |",
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    for r in results:
        new = modern(r)
        tg_target = 1.10 if new else 1.00
        lines.append(
            "| "
            + " | ".join(
                [
                    f"{r['env']['implementation']} {r['env']['version']}",
                    _cell(ratio(r, "spawn", "backport", "gather"), None if new else tg_target),
                    _cell(ratio(r, "spawn", "backport", "stdlib"), tg_target if new else None),
                    _cell(ratio(r, "timeout", "backport", "async_timeout"), None if new else 1.00),
                    _cell(ratio(r, "timeout", "backport", "stdlib"), 1.10 if new else None),
                    _cell(ratio(r, "expiry", "backport", "stdlib")),
                    _cell(ratio(r, "failure", "backport", "stdlib")),
                    _cell(import_ms(r), 1.0 if new else 5.0),
                    _cell(import_ms(r, "exceptiongroup")),
                    _cell(memory(r, "backport"), 1.10),
                ]
            )
            + " |"
        )
    lines += [
        "",
        "Backport (`asyncio_compat.backport`) ÷ the named reference, medians of per-round ratios "
        "of CPU time in one process; lower is better. ✓/✗: the target of issue 6 on that "
        "interpreter (3.8-3.10 and PyPy: TaskGroup ≤ 1.00 x gather, timeout ≤ 1.00 x "
        "async_timeout, import ≤ 5 ms; 3.11+: ≤ 1.10 x the stdlib, import ≤ 1 ms; memory "
        "≤ 1.10 x create_task everywhere). n/a: not on that interpreter (no stdlib TaskGroup "
        "before 3.11, no tracemalloc on PyPy). The import columns are CPU milliseconds in a "
        "fresh process after `import asyncio`; exceptiongroup is asyncio_compat's dependency, "
        "where the exception groups come from before 3.11.",
    ]
    lines += ["", *summary_10(results), "", *summary_11(results)]
    return "\n".join(lines) + "\n"


def _table(header: List[str], rows: List[List[str]]) -> List[str]:
    out = ["| " + " | ".join(header) + " |", "| --- |" + " ---: |" * (len(header) - 1)]
    out += ["| " + " | ".join(row) + " |" for row in rows]
    return out


def _name(result: Dict[str, Any]) -> str:
    return f"{result['env']['implementation']} {result['env']['version']}"


def summary_10(results: List[Dict[str, Any]]) -> List[str]:
    """Issue 10: wait_for per call and as_completed per task."""
    rows = []
    for r in results:
        v = _version(r)
        rows.append(
            [
                _name(r),
                _cell(ratio(r, "wait_for", "backport", "floor"), 1.05),
                _cell(ratio(r, "wait_for", "public", "floor"), 1.05),
                _cell(ratio(r, "wait_for", "backport", "stdlib"), 1.10 if v >= (3, 12) else None),
                _cell(ratio(r, "wait_for", "stdlib", "floor")),
                _cell(
                    ratio(r, "as_completed", "backport", "stdlib"),
                    1.00 if v < (3, 13) else 1.10,
                ),
                _cell(ratio(r, "as_completed_async", "backport", "stdlib"), 1.10),
            ]
        )
    header = [
        "interpreter",
        "wait_for: backport ÷ floor",
        "asyncio_compat.wait_for ÷ floor",
        "wait_for: backport ÷ stdlib",
        "the interpreter's wait_for ÷ floor",
        "as_completed `for`: backport ÷ the interpreter's",
        "as_completed `async for`: backport ÷ stdlib",
    ]
    return [
        "Issue 10: `wait_for` and `as_completed`",
        "",
        *_table(header, rows),
        "",
        "`await wait_for(sleep(0), 10)` per call, divided by its floor `async with "
        "asyncio_compat.timeout(10): await sleep(0)` or by the interpreter's own "
        "`asyncio.wait_for`; `as_completed` over 10,000 tasks of `sleep(0)` per task, "
        "divided by the interpreter's own (`async for`: the stdlib's, 3.13+). ✓/✗: the "
        "targets of issue 10 (wait_for ≤ 1.05 x the floor everywhere and ≤ 1.10 x the "
        "stdlib's on 3.12+; as_completed ≤ 1.00 x the interpreter's own on 3.8-3.12 and "
        "PyPy 3.9, ≤ 1.10 x the stdlib's on 3.13+). `asyncio_compat.wait_for` is the "
        "backport before 3.13 and the stdlib's from 3.13: the same code as one of the other "
        "columns, measured apart, so the difference between the two shows the noise.",
    ]


def summary_11(results: List[Dict[str, Any]]) -> List[str]:
    """Issue 11: asyncio_compat.structured's gather and amap."""
    counts = {r["amap_memory"]["items"] for r in results if r.get("amap_memory")}
    items = " or ".join(f"{n:,}" for n in sorted(counts)) or "1,000,000"
    rows = []
    for r in results:
        peer = cheapest_peer(r)
        rows.append(
            [
                _name(r),
                _cell(ratio(r, "structured_gather", "structured", "gather"), 1.00),
                _cell(structured_vs_cheapest(r), 1.00) + (f" ({peer})" if peer else ""),
                _cell(ratio(r, "structured_gather", "by_hand", "gather")),
                _cell(ratio(r, "structured_gather", "quattro", "gather")),
                _cell(ratio(r, "structured_gather", "anyio", "gather")),
                _cell(ratio(r, "amap", "structured", "gather"), 1.15),
                _cell(ratio(r, "amap", "semaphore", "gather")),
                _cell(amap_peak(r, "structured"), fmt="{:,.1f}"),
                _cell(amap_peak(r, "gather"), fmt="{:,.0f}"),
                _cell(import_ms(r, "asyncio_compat.structured")),
            ]
        )
    header = [
        "interpreter",
        "structured.gather ÷ asyncio.gather",
        "structured.gather ÷ the cheapest peer",
        "TaskGroup by hand ÷ gather",
        "quattro.gather ÷ gather",
        "anyio.gather ÷ gather",
        "amap(limit=100) ÷ gather",
        "gather + Semaphore(100) ÷ gather",
        "amap(limit=100) peak (MiB)",
        "gather peak (MiB)",
        "import asyncio_compat.structured (ms added)",
    ]
    return [
        "Issue 11: `asyncio_compat.structured`",
        "",
        *_table(header, rows),
        "",
        "Per task over 10,000 coroutines of `sleep(0)`: `gather()` divided by `asyncio.gather`"
        " and by the cheapest peer gather on that interpreter (quattro 3.9+, anyio 4.16+ on "
        "3.10+); `amap(f, range(10_000), limit=100)` divided by `asyncio.gather` over every "
        "`f(i)`. ✓/✗: the targets of issue 11 (gather ≤ 1.00 x both, amap ≤ 1.15 x gather). "
        f"The peaks are tracemalloc's over a generator of {items} items (no tracemalloc on "
        "PyPy); the import column is the CPU milliseconds that `import "
        "asyncio_compat.structured` (the package included) adds to `import asyncio`, in a "
        "fresh process. n/a: the module or the peer is not on that interpreter (see its table "
        "in this folder for why).",
    ]


# --- ratios.png --------------------------------------------------------------------------

# (title, y label, [(series label, getter, style)], [(target, applies to 3.11+?)])
Getter = Any


def _panels() -> List[Tuple[str, str, List[Tuple[str, Getter, str]], List[Tuple[float, Any]]]]:
    def r(measurement: str, key: str, ref: str) -> Getter:
        return lambda res: ratio(res, measurement, key, ref)

    old, new, every = (lambda res: not modern(res)), modern, (lambda res: True)

    def before_313(res: Dict[str, Any]) -> bool:
        return _version(res) < (3, 13)

    def since_313(res: Dict[str, Any]) -> bool:
        return _version(res) >= (3, 13)

    def since(version: Tuple[int, int], get: Getter) -> Getter:
        return lambda res: get(res) if _version(res) >= version else None

    return [
        (
            "TaskGroup: spawn + join 10,000 tasks",
            "per task ÷ asyncio.gather",
            [
                ("asyncio_compat.backport", r("spawn", "backport", "gather"), "o-"),
                ("asyncio.TaskGroup", r("spawn", "stdlib", "gather"), "s--"),
                ("taskgroup 0.2.2 (PyPI)", r("spawn", "taskgroup", "gather"), "^:"),
            ],
            [(1.00, old)],
        ),
        (
            "timeout(10) around sleep(0)",
            "per use ÷ async_timeout.timeout",
            [
                ("asyncio_compat.backport", r("timeout", "backport", "async_timeout"), "o-"),
                ("asyncio.timeout", r("timeout", "stdlib", "async_timeout"), "s--"),
            ],
            [(1.00, old)],
        ),
        (
            "timeout(0) that expires",
            "per use ÷ async_timeout.timeout",
            [
                ("asyncio_compat.backport", r("expiry", "backport", "async_timeout"), "o-"),
                ("asyncio.timeout", r("expiry", "stdlib", "async_timeout"), "s--"),
            ],
            [],
        ),
        (
            "backport ÷ stdlib (3.11+)",
            "backport ÷ the stdlib's",
            [
                ("TaskGroup spawn + join", r("spawn", "backport", "stdlib"), "o-"),
                ("timeout, not expiring", r("timeout", "backport", "stdlib"), "s-"),
                ("timeout, expiring", r("expiry", "backport", "stdlib"), "D:"),
                ("failure path", r("failure", "backport", "stdlib"), "^--"),
                ("memory per task", lambda res: memory(res, "backport", "stdlib"), "v-."),
                ("wait_for (3.12+)", since((3, 12), r("wait_for", "backport", "stdlib")), "P-"),
                (
                    "as_completed, for (3.12+)",
                    since((3, 12), r("as_completed", "backport", "stdlib")),
                    "X:",
                ),
                ("as_completed, async for", r("as_completed_async", "backport", "stdlib"), "*--"),
            ],
            [(1.10, new)],
        ),
        (
            "failure: 1 of 1,000 tasks fails",
            "to the ExceptionGroup ÷ by hand",
            [
                ("asyncio_compat.backport", r("failure", "backport", "by_hand"), "o-"),
                ("asyncio.TaskGroup", r("failure", "stdlib", "by_hand"), "s--"),
                ("taskgroup 0.2.2 (PyPI)", r("failure", "taskgroup", "by_hand"), "^:"),
            ],
            [],
        ),
        (
            "memory per pending task",
            "bytes ÷ asyncio.create_task's",
            [
                ("asyncio_compat.backport", lambda res: memory(res, "backport"), "o-"),
                ("asyncio.TaskGroup", lambda res: memory(res, "stdlib"), "s--"),
                ("taskgroup 0.2.2 (PyPI)", lambda res: memory(res, "taskgroup"), "^:"),
            ],
            [(1.10, every)],
        ),
        (
            "import after `import asyncio`",
            "milliseconds added",
            [
                ("asyncio_compat", import_ms, "o-"),
                ("async_timeout", lambda res: import_ms(res, "async_timeout"), "s--"),
                ("taskgroup 0.2.2", lambda res: import_ms(res, "taskgroup"), "^:"),
                (
                    "asyncio_compat.structured",
                    lambda res: import_ms(res, "asyncio_compat.structured"),
                    "D-.",
                ),
            ],
            [(5.0, old), (1.0, new)],
        ),
        (
            "wait_for(sleep(0), 10), per call",
            "÷ `async with timeout(10)` (floor)",
            [
                ("asyncio_compat.backport", r("wait_for", "backport", "floor"), "o-"),
                ("asyncio_compat.wait_for", r("wait_for", "public", "floor"), "D:"),
                # Before 3.12 the interpreter's own is 2-3.5x: it would flatten the others.
                (
                    "asyncio.wait_for (3.12+)",
                    since((3, 12), r("wait_for", "stdlib", "floor")),
                    "s--",
                ),
            ],
            [(1.05, every)],
        ),
        (
            "as_completed over 10,000 tasks",
            "per task ÷ the interpreter's own",
            [
                ("backport, for", r("as_completed", "backport", "stdlib"), "o-"),
                (
                    "backport, async for (3.13+)",
                    r("as_completed_async", "backport", "stdlib"),
                    "D:",
                ),
            ],
            [(1.00, before_313), (1.10, since_313)],
        ),
        (
            "structured gather of 10,000 coroutines",
            "per task ÷ asyncio.gather",
            [
                ("asyncio_compat.structured", r("structured_gather", "structured", "gather"), "o-"),
                ("TaskGroup by hand", r("structured_gather", "by_hand", "gather"), "s--"),
                ("quattro.gather", r("structured_gather", "quattro", "gather"), "^:"),
            ],
            [(1.00, every)],
        ),
        (
            "amap over range(10,000), limit=100",
            "per item ÷ asyncio.gather",
            [
                ("asyncio_compat.structured.amap", r("amap", "structured", "gather"), "o-"),
                ("gather + Semaphore(100)", r("amap", "semaphore", "gather"), "s--"),
                ("quattro, concurrency_limit=100", r("amap", "quattro", "gather"), "^:"),
            ],
            [(1.15, every)],
        ),
        (
            "traced peak over 1,000,000 items",
            "MiB (tracemalloc)",
            [
                ("structured.amap, limit=100", lambda res: amap_peak(res, "structured"), "o-"),
                ("asyncio.gather", lambda res: amap_peak(res, "gather"), "s--"),
            ],
            [],
        ),
    ]


def _spans(xs: List[int]) -> List[Tuple[int, int]]:
    """Runs of consecutive positions, as (first, last)."""
    spans: List[Tuple[int, int]] = []
    for x in xs:
        if spans and spans[-1][1] == x - 1:
            spans[-1] = (spans[-1][0], x)
        else:
            spans.append((x, x))
    return spans


def draw(results: List[Dict[str, Any]], path: str) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    import matplotlib.ticker

    labels = [_label(r) for r in results]
    xs = list(range(len(results)))
    panels = _panels()
    cols = 4
    rows = -(-(len(panels) + 1) // cols)  # and the note
    fig, axes = plt.subplots(rows, cols, figsize=(20, 4.75 * rows))
    flat = axes.flatten()
    # CPython's versions are joined by lines; PyPy stands apart, behind a divider.
    runs = [
        [x for x, r in zip(xs, results) if r["env"]["implementation"] == impl]
        for impl in ("CPython", "PyPy")
    ]
    for ax, (title, ylabel, series, targets) in zip(flat, panels):
        for name, get, style in series:
            color = None
            for run in runs:
                points = [(x, get(results[x])) for x in run]
                points = [(x, y) for x, y in points if y is not None]
                if not points:
                    continue
                (line,) = ax.plot(
                    *zip(*points),
                    style,
                    color=color,
                    label=None if color else name,
                    markersize=6,
                    linewidth=1.5,
                )
                color = line.get_color()
        for target, applies in targets:
            for run in runs:
                on = [x for x in run if applies(results[x])]
                for first, last in _spans(on):
                    ax.hlines(target, first - 0.4, last + 0.4, colors="red", linestyles="dashed")
            on = [x for x, r in zip(xs, results) if applies(r)]
            if on:
                ax.annotate(
                    f"target ≤ {target:g}",
                    (min(on) - 0.4, target),
                    textcoords="offset points",
                    xytext=(0, 3),
                    ha="left",
                    color="red",
                    fontsize=8,
                )
        if runs[0] and runs[1]:
            ax.axvline(max(runs[0]) + 0.5, color="black", linewidth=0.5)
        if "milliseconds" in ylabel or "MiB" in ylabel:
            ax.set_yscale("log")
            ax.yaxis.set_major_locator(matplotlib.ticker.LogLocator(subs=(1.0, 2.0, 5.0)))
            ax.yaxis.set_major_formatter(matplotlib.ticker.FormatStrFormatter("%g"))
            ax.yaxis.set_minor_formatter(matplotlib.ticker.NullFormatter())
        else:
            ax.axhline(1.0, color="grey", linewidth=0.6)
        ax.set_title(title, fontsize=11)
        ax.set_ylabel(ylabel)
        ax.set_xticks(xs)
        ax.set_xticklabels(labels, fontsize=8.5)
        ax.set_xlim(-0.5, len(xs) - 0.5)
        ax.grid(axis="y", alpha=0.3)
        ax.legend(fontsize=7.5, loc="best")
    for ax in flat[len(panels) :]:
        ax.axis("off")
    note = flat[len(panels)]
    note.text(
        0.0,
        0.95,
        "asyncio_compat benchmark (issues 6, 10, 11)\n\n"
        "Each point: the median of per-round ratios,\n"
        "one process per interpreter, interleaved\n"
        "rounds, CPU time. Lower is better.\n\n"
        "Red dashes: targets, drawn over the\n"
        "interpreters they apply to (3.8-3.10 and\n"
        "PyPy against gather / async_timeout,\n"
        "3.11+ against the stdlib).\n\n"
        "anyio's task group, fail_after, gather\n"
        "and amap (2-5x), and the wait_for of\n"
        "3.8-3.11 and PyPy (2-3.5x the floor)\n"
        "are in the tables: benchmarks/results/*.md",
        va="top",
        fontsize=10,
        family="monospace",
    )
    fig.suptitle("asyncio_compat: ratios across interpreters", fontsize=14)
    fig.tight_layout(rect=(0, 0, 1, 0.96))
    fig.savefig(path, dpi=90)
    plt.close(fig)


def main(argv: Optional[List[str]] = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    folder = argv[0] if argv else os.path.join(HERE, "results")
    results = load(folder)
    if not results:
        print(f"no results in {folder}", file=sys.stderr)
        return 1
    text = summary(results)
    with open(os.path.join(folder, "summary.md"), "w", encoding="utf-8") as f:
        f.write(text)
    print(text)
    try:
        draw(results, os.path.join(folder, "ratios.png"))
    except ImportError:
        print("matplotlib is not installed: no ratios.png", file=sys.stderr)
        return 0
    print(f"wrote {os.path.join(folder, 'ratios.png')}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
