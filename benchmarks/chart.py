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
``questions()`` (``benchmarks/bench/questions.py``), naming the measurement, with its
columns (and their targets) and its panels.

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
from typing import Any, Dict, List, Optional, Set, Tuple

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(HERE)
# summary.md is included by docs/benchmarks.md: its figures' paths are relative to docs/.
FIGURE_PATH = "../benchmarks/results/"
# The manual's text column is about 736 px wide (furo, 46em): a figure of 700 px is shown
# at full size there, and at half its size on a phone; 1 pt is 100/72 px, so the smallest
# text (9 pt) is 12.5 px.
DPI = 100
WIDTH_IN = 7.0

sys.path.insert(0, HERE)  # the bench package (its questions need no asyncio_compat)
from bench.questions import (  # noqa: E402
    Column,
    Panel,
    Question,
    Result,
    Series,
    _r,
    _version,
    questions,
)


def load(folder: str) -> List[Result]:
    results = []
    for path in glob.glob(os.path.join(folder, "*.json")):
        with open(path, encoding="utf-8") as f:
            results.append(json.load(f))
    results.sort(key=_order)
    return results


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
