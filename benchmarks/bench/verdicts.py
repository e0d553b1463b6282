"""The targets, and whether each is met on this interpreter."""

from __future__ import annotations

from typing import Any, Callable, Dict, List, Optional

from .common import PY, STDLIB_GROUP
from .structured import AMAP_LIMIT

# The targets of TaskGroup, timeout, import and memory: ratios to the reference (3.8-3.10,
# PyPy 3.9: asyncio.gather and async_timeout) or to the stdlib (3.11+), and milliseconds for
# the import.
if PY >= (3, 11):
    TARGETS = {"taskgroup": 1.10, "timeout": 1.10, "import_ms": 1.0, "memory": 1.10}
else:
    TARGETS = {"taskgroup": 1.00, "timeout": 1.00, "import_ms": 5.0, "memory": 1.10}
# wait_for, as_completed and asyncio_compat.structured: on every interpreter.
TARGETS.update(
    {
        "wait_for_stdlib": 1.10,  # backport ÷ asyncio.wait_for, 3.12+
        "wait_for_floor": 1.05,  # ÷ `async with timeout(10)` around the same await
        "as_completed_own": 1.00,  # backport ÷ the interpreter's own, 3.8-3.12
        "as_completed_stdlib": 1.10,  # backport ÷ the stdlib's, 3.12+
        "structured_gather": 1.00,  # ÷ asyncio.gather, and ÷ the cheapest peer
        "amap": 1.15,  # amap(limit=100) ÷ asyncio.gather
        "runner": 1.05,  # run() and Runner.run() ÷ the stdlib's, 3.11-3.13
    }
)


def meets(value: float, target: float) -> bool:
    """The rule of every ✓/✗ (benchmarks/chart.py's too): the value as shown, to two
    decimals, is at most the target."""
    return float(f"{value:.2f}") <= target


def _row(m: Dict[str, Any], key: str) -> Optional[Dict[str, Any]]:
    for row in m["rows"]:
        if row["key"] == key:
            return row
    return None


def verdicts(result: Dict[str, Any]) -> List[Dict[str, Any]]:
    """The targets on this interpreter, met or missed (by the value as rendered)."""
    out = []
    ms = {m["name"]: m for m in result["measurements"]}

    def check(
        what: str, value: Optional[Dict[str, float]], target: float, unit: str, why: str = ""
    ) -> None:
        if value is None:
            out.append({"what": what, "target": target, "value": None, "met": None, "why": why})
            return
        med = value["median"]
        noise = unit != "flag" and value.get("q1", med) <= target <= value.get("q3", med)
        out.append(
            {
                "what": what,
                "target": target,
                "unit": unit,
                "value": med,
                "met": meets(med, target),
                "within_noise": noise,
            }
        )

    backport_tg = _row(ms["spawn"], "backport")
    backport_to = _row(ms["timeout"], "backport")
    if STDLIB_GROUP:
        check(
            "TaskGroup per task ÷ asyncio.TaskGroup",
            backport_tg and backport_tg["ratio_stdlib"],
            TARGETS["taskgroup"],
            "x",
        )
        check(
            "timeout per use ÷ asyncio.timeout",
            backport_to and backport_to["ratio_stdlib"],
            TARGETS["timeout"],
            "x",
        )
    else:
        check(
            "TaskGroup per task ÷ asyncio.gather",
            backport_tg and backport_tg["ratio_ref"],
            TARGETS["taskgroup"],
            "x",
        )
        check(
            "timeout per use ÷ async_timeout.timeout",
            backport_to and backport_to["ratio_ref"],
            TARGETS["timeout"],
            "x",
        )
    imp = result["import"]["rows"][0]
    check(
        "import asyncio_compat after asyncio, ms added",
        {"median": imp["ms"], "q1": imp["q1"], "q3": imp["q3"]},
        TARGETS["import_ms"],
        "ms",
    )
    mem = result["memory"]
    mem_row = next((r for r in mem["rows"] if r["key"] == "backport"), None)
    check(
        "memory per pending task in a backport TaskGroup ÷ create_task",
        {"median": mem_row["ratio"]} if mem_row and mem_row.get("ratio") else None,
        TARGETS["memory"],
        "x",
    )
    _verdicts_helpers(result, ms, check)
    _verdicts_runner(ms, check)
    return out


def _na(m: Optional[Dict[str, Any]], key: str) -> str:
    """Why the row *key* of measurement *m* has no ratio."""
    row = _row(m, key) if m else None
    return (row or {}).get("na") or ""


def _verdicts_helpers(
    result: Dict[str, Any], ms: Dict[str, Dict[str, Any]], check: Callable[..., None]
) -> None:
    """The targets of wait_for, as_completed and asyncio_compat.structured, through
    the caller's check()."""

    def r(measurement: str, a: str, b: str) -> Optional[Dict[str, float]]:
        m = ms.get(measurement)
        return m["ratios"].get(f"{a}/{b}") if m else None

    own = f"{PY[0]}.{PY[1]}'s own"
    if PY >= (3, 12):
        check(
            "wait_for per call: backport ÷ asyncio.wait_for",
            r("wait_for", "backport", "stdlib"),
            TARGETS["wait_for_stdlib"],
            "x",
        )
    check(
        "wait_for per call: backport ÷ the floor (`async with timeout(10)`)",
        r("wait_for", "backport", "floor"),
        TARGETS["wait_for_floor"],
        "x",
    )
    check(
        "wait_for per call: asyncio_compat.wait_for ÷ the floor",
        r("wait_for", "public", "floor"),
        TARGETS["wait_for_floor"],
        "x",
    )
    if PY < (3, 13):
        check(
            f"as_completed per task, `for`: backport ÷ asyncio.as_completed ({own})",
            r("as_completed", "backport", "stdlib"),
            TARGETS["as_completed_own"],
            "x",
        )
    if PY >= (3, 12):
        check(
            "as_completed per task, `for`: backport ÷ asyncio.as_completed",
            r("as_completed", "backport", "stdlib"),
            TARGETS["as_completed_stdlib"],
            "x",
        )
    if PY >= (3, 13):
        check(
            "as_completed per task, `async for`: backport ÷ asyncio.as_completed",
            r("as_completed_async", "backport", "stdlib"),
            TARGETS["as_completed_stdlib"],
            "x",
        )
    sg = ms.get("structured_gather")
    check(
        "structured.gather per task ÷ asyncio.gather",
        r("structured_gather", "structured", "gather"),
        TARGETS["structured_gather"],
        "x",
        _na(sg, "structured"),
    )
    # The cheapest peer is the one with the lowest median ratio to asyncio.gather here.
    peers = [
        (p["median"], key)
        for key in ("quattro", "anyio")
        for p in [r("structured_gather", key, "gather")]
        if p is not None
    ]
    cheapest = min(peers)[1] if peers else None
    check(
        f"structured.gather per task ÷ the cheapest peer ({cheapest or 'none here'})",
        r("structured_gather", "structured", cheapest) if cheapest else None,
        TARGETS["structured_gather"],
        "x",
        _na(sg, "structured") or ("" if cheapest else "no peer gather on this interpreter"),
    )
    check(
        f"structured.amap(limit={AMAP_LIMIT}) per item ÷ asyncio.gather",
        r("amap", "structured", "gather"),
        TARGETS["amap"],
        "x",
        _na(ms.get("amap"), "structured"),
    )
    imp = result.get("import", {}).get("rows", [])
    if imp:
        loaded = "asyncio_compat.structured" in imp[0].get("submodules_added", [])
        check(
            "`import asyncio_compat` loads asyncio_compat.structured (1 = yes)",
            {"median": 1.0 if loaded else 0.0},
            0.0,
            "flag",
        )


def _verdicts_runner(ms: Dict[str, Dict[str, Any]], check: Callable[..., None]) -> None:
    """run() and Runner.run() against the stdlib's, through the caller's check(): on
    3.11-3.13, where asyncio has a Runner and asyncio_compat hands back the backport's
    (the stdlib's from 3.14)."""
    if not (3, 11) <= PY[:2] < (3, 14):
        return
    for name, what in (
        ("run", "run() per call: backport ÷ asyncio.run"),
        ("runner", "Runner.run() per call: backport ÷ asyncio.Runner.run"),
    ):
        m = ms.get(name)
        why = _na(m, "backport") or _na(m, "stdlib") or ("" if m else "not measured")
        check(what, m["ratios"].get("backport/stdlib") if m else None, TARGETS["runner"], "x", why)
