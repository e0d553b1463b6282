"""The table of one interpreter (``<tag>.md``), and the --also summary."""

from __future__ import annotations

import re
from typing import Any, Callable, Dict, List, Optional

from . import common
from .verdicts import meets

# Report -------------------------------------------------------------------------------------


# Between quartiles: a hyphen that does not break, so that a narrow column of the manual
# wraps between a median and its quartiles, never inside the range.
DASH = "\u2011"


def _fmt_ratio(r: Optional[Dict[str, float]]) -> str:
    if r is None:
        return ""
    # From 10 on, one decimal: the column stays as narrow as for the ratios near 1.
    d = 1 if r["median"] >= 10 else 2
    return f"{r['median']:.{d}f} ({r['q1']:.{d}f}{DASH}{r['q3']:.{d}f})"


def _fmt_ms(ms: float) -> str:
    """Milliseconds to four figures at most: the column stays narrow."""
    return f"{ms:.2f}" if ms < 10 else f"{ms:.1f}"


def _fmt_time(seconds: Optional[float]) -> str:
    if seconds is None:
        return ""
    us = seconds * 1e6
    return f"{us:.2f} µs" if us < 100 else f"{us:.0f} µs"


# A name of code: dotted, with an underscore, called, given a value, or a class of
# exceptions or groups (`t.result()`, `wait(FIRST_EXCEPTION)`, `concurrency_limit=100`,
# `ExceptionGroup`).
_CODE = re.compile(r"(?<![\w.])[A-Za-z_][\w.]*(?:\([\w.]*\))?(?:=\w+)?")


def _code_names(text: str) -> str:
    """*text* with its names of code as code, which the manual breaks anywhere (a narrow
    column then still fits a phone), outside the code it has already."""

    def code(m: Any) -> str:
        name = m.group().rstrip(".")
        tail = m.group()[len(name) :]
        if any(c in name for c in "._(=") or name.endswith(("Error", "Exception", "Group")):
            return f"`{name}`{tail}"
        return m.group()

    parts = text.split("`")
    for i in range(0, len(parts), 2):
        parts[i] = _CODE.sub(code, parts[i])
    return "`".join(parts)


def render(result: Dict[str, Any]) -> str:
    env = result["env"]
    lines = [
        f"### {env['implementation']} {env['version']} ({env['machine']})",
        "",
        f"asyncio_compat {env['asyncio_compat']} (`asyncio_compat.TaskGroup` is "
        f"{env['TaskGroup_is']}, `asyncio_compat.timeout` {env['timeout_is']}); "
        f"{env['peers']}. Ratios: medians of the per-round ratios of CPU time over "
        f"{result['rounds']} interleaved rounds in one process, quartiles in brackets; "
        "lower is better. Times: medians, for scale only.",
        "",
    ]
    # Each measurement is a row of its own, in bold, above its contenders: four columns (three
    # where nothing is divided by the stdlib) fit a phone's width.
    rows: List[List[str]] = []

    def add(cell: str, label: str, value: str, ref: str = "", std: str = "") -> None:
        if cell:
            rows.append([f"**{_code_names(cell)}**", "", "", ""])
        rows.append([_code_names(label), _code_names(value), ref, std])

    for m in result["measurements"]:
        for i, row in enumerate(m["rows"]):
            cell = m["title"] if i == 0 else ""
            if row["na"] is not None:
                add(cell, row["label"], f"n/a: {row['na']}")
                continue
            is_ref = row["label"] == m["reference"]
            ref = "1 (reference)" if is_ref else _fmt_ratio(row["ratio_ref"])
            add(cell, row["label"], _fmt_time(row["median"]), ref, _fmt_ratio(row["ratio_stdlib"]))
    imp = result.get("import")
    for i, row in enumerate(imp["rows"] if imp else []):
        cell = ""
        if i == 0:
            cell = (
                f"import after `import asyncio` ({imp['asyncio_ms']:.1f} ms here), "
                f"ms added, {imp['runs']} fresh processes"
            )
        ms, q1, q3 = (_fmt_ms(row[k]) for k in ("ms", "q1", "q3"))
        add(cell, f"`{row['label']}`", f"{ms} ms ({q1}{DASH}{q3})")
    mem = result.get("memory")
    cell = f"memory per pending task ({result['n_tasks']:,} tasks)"
    if mem and mem.get("na"):
        add(cell, "", f"n/a: {mem['na']}")
    std = _row_by(mem["rows"], "stdlib") if mem else None
    for i, row in enumerate(mem["rows"] if mem else []):
        if row.get("na"):
            add(cell if i == 0 else "", row["label"], f"n/a: {row['na']}")
            continue
        ref = "1 (reference)" if row["key"] == "create_task" else f"{row['ratio']:.2f}"
        by_std = ""
        if std and std.get("bytes") and row["key"] != "stdlib":
            by_std = f"{row['bytes'] / std['bytes']:.2f}"
        add(cell if i == 0 else "", row["label"], f"{row['bytes']:.0f} B", ref, by_std)

    _render_amap_memory(result.get("amap_memory"), add)
    header = ["contender", "median", "÷ reference", "÷ stdlib"]
    width = 4 if any(row[3] for row in rows) else 3
    for row in [header[:width], ["---"] + ["---:"] * (width - 1), *(r[:width] for r in rows)]:
        lines.append("| " + " | ".join(row) + " |")
    lines += ["", "Targets on this interpreter (✓: the value shown is at most the target):", ""]
    for v in result["verdicts"]:
        if v["value"] is None:
            why = f" ({v['why']})" if v.get("why") else ""
            lines.append(f"- {v['what']}: n/a{why}")
            continue
        mark = "✓ met" if meets(v["value"], v["target"]) else "✗ **missed**"
        if v.get("within_noise"):
            mark += " (the target lies between the quartiles)"
        if v["unit"] == "flag":
            lines.append(f"- {v['what']}: {v['value']:.0f} (target 0): {mark}")
            continue
        unit = " ms" if v["unit"] == "ms" else ""
        lines.append(
            f"- {v['what']}: {v['value']:.2f}{unit} (target ≤ {v['target']:.2f}{unit}): {mark}"
        )
    if imp and imp.get("rows"):
        added = imp["rows"][0]["modules_added"]
        subs = imp["rows"][0].get("submodules_added", [])
        lines += [
            "",
            f"`import asyncio_compat` loads: {', '.join(added) or 'nothing new'}"
            + (f" (submodules: {', '.join(subs)})" if subs else "")
            + ".",
        ]
    if imp and imp.get("breakdown"):
        top = ", ".join(f"{name} {ms:.2f} ms" for name, ms in imp["breakdown"][:6])
        lines.append(f"Largest self times under `-X importtime`: {top}.")
    return "\n".join(lines) + "\n"


def _render_amap_memory(mem: Optional[Dict[str, Any]], add: Callable[..., None]) -> None:
    """The rows of the traced memory peak of amap against gather (added through *add*)."""
    if not mem:
        return
    cell = f"traced memory peak over a generator of {mem['items']:,} items"
    if mem.get("na"):
        add(cell, "", f"n/a: {mem['na']}")
        return
    rows = {row["key"]: row for row in mem["rows"]}
    base = rows.get("gather", {}).get("peak")
    for i, row in enumerate(mem["rows"]):
        label = row["label"]
        if row.get("na"):
            add(cell if i == 0 else "", label, f"n/a: {row['na']}")
            continue
        value = f"{row['peak'] / 2**20:,.1f} MiB ({row['peak'] / mem['items']:.0f} B per item)"
        ref = "1 (reference)" if row["key"] == "gather" else ""
        if row["key"] != "gather" and base:
            ref = f"{row['peak'] / base:.4f}"
        add(cell if i == 0 else "", label, value, ref)


def ab_summary(result: Dict[str, Any]) -> str:
    """--also: the patched copy's ratios to asyncio_compat.backport, measurement by measurement."""
    assert common.ALSO is not None
    lines = [
        f"A/B: {common.ALSO.__name__}.backport ÷ asyncio_compat.backport, and .structured for "
        f"structured_gather and amap ({result['env']['tag']})"
    ]
    for m in result["measurements"]:
        ratios, ref = m["ratios"], m["reference_key"]
        # the helpers' rows: the copy's structured module against asyncio_compat.structured
        base = "structured" if m["name"] in ("structured_gather", "amap") else "backport"
        text = f"  {m['name']:8} {_fmt_ratio(ratios.get(f'also/{base}')) or 'n/a'}"
        for other in dict.fromkeys((ref, "stdlib")):
            before, after = ratios.get(f"{base}/{other}"), ratios.get(f"also/{other}")
            if before and after:
                text += f"; ÷ {other}: {before['median']:.2f} -> {after['median']:.2f}"
        lines.append(text)
    imp = result.get("import")
    if imp:
        ms = {row["key"]: row for row in imp["rows"]}
        a, b = ms.get(common.ALSO.__name__), ms.get("asyncio_compat")
        if a and b:
            lines.append(f"  import   {a['ms']:.2f} ms vs {b['ms']:.2f} ms")
    mem = result.get("memory")
    if mem and mem.get("rows"):
        rows = {row["key"]: row for row in mem["rows"]}
        a, b, c = rows.get("also", {}), rows.get("backport", {}), rows.get("create_task", {})
        if a.get("bytes") and b.get("bytes") and c.get("bytes"):
            lines.append(
                f"  memory   {a['bytes']:.0f} B vs {b['bytes']:.0f} B per task "
                f"({a['bytes'] / c['bytes']:.2f} vs {b['bytes'] / c['bytes']:.2f} x create_task)"
            )
    return "\n".join(lines) + "\n"


def _row_by(rows: List[Dict[str, Any]], key: str) -> Optional[Dict[str, Any]]:
    return next((r for r in rows if r["key"] == key), None)
