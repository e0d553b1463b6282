"""The interleaved rounds, and the ratios and rows of a measurement made of them."""

from __future__ import annotations

import asyncio
import gc
import statistics
from typing import Any, Dict, List, Optional, Tuple

from .common import Contender, _short

# Measurements whose samples are short, and whose targets are close to 1 (wait_for, run()
# and Runner: 1.05), run this many times --rounds: the median of more per-round ratios
# moves less.
MORE_ROUNDS = {
    "wait_for": 5,
    "as_completed": 2,
    "as_completed_async": 2,
    "run": 3,
    "runner": 3,
    "graph_capture": 3,
    "graph_format": 3,
}


# The interleaved rounds ---------------------------------------------------------------------


def _once(loop: asyncio.AbstractEventLoop, sample: Any) -> float:
    """One sample: a coroutine, run in *loop*, or a plain call."""
    out = sample()
    return out if isinstance(out, float) else loop.run_until_complete(out)


def run_rounds(
    loop: asyncio.AbstractEventLoop, contenders: List[Contender], rounds: int, warmup: int
) -> None:
    """Run every contender once per round, rotating the order; keep the measured times."""
    live = []
    for c in contenders:
        if c.sample is None:
            continue
        try:  # the first warm-up round also finds the contenders that do not work here
            _once(loop, c.sample)
        except Exception as exc:
            c.sample, c.why = None, _short(exc)
            continue
        live.append(c)
    for r in range(warmup - 1 + rounds):
        k = r % len(live) if live else 0
        for c in live[k:] + live[:k]:
            if c.sample is None:
                continue
            gc.collect()
            try:
                elapsed = _once(loop, c.sample)
            except Exception as exc:  # it worked once, then not: n/a, and no times
                c.sample, c.why, c.times = None, _short(exc), []
                continue
            if r >= warmup - 1:
                c.times.append(elapsed)


def _quartiles(values: List[float]) -> Tuple[float, float, float]:
    if len(values) < 2:
        return values[0], values[0], values[0]
    q1, q2, q3 = statistics.quantiles(values, n=4, method="inclusive")
    return q1, q2, q3


def ratio(c: Contender, ref: Optional[Contender]) -> Optional[Dict[str, float]]:
    """The median (and quartiles) of the per-round ratios of *c* to *ref*."""
    if ref is None or not c.times or not ref.times or c is ref:
        return None
    q1, med, q3 = _quartiles([a / b for a, b in zip(c.times, ref.times)])
    return {"median": med, "q1": q1, "q3": q3}


def measurement(
    name: str,
    title: str,
    unit: str,
    per: int,
    contenders: List[Contender],
    ref_key: str,
) -> Dict[str, Any]:
    by_key = {c.key: c for c in contenders}
    ref = by_key.get(ref_key)
    stdlib = by_key.get("stdlib")
    rows = []
    for c in contenders:
        rows.append(
            {
                "key": c.key,
                "label": c.label,
                "na": c.why if not c.times else None,
                "median": statistics.median(c.times) / per if c.times else None,
                "ratio_ref": ratio(c, ref),
                "ratio_stdlib": ratio(c, stdlib),
            }
        )
    return {
        "name": name,
        "title": title,
        "unit": unit,
        "reference": ref.label if ref else None,
        "reference_key": ref_key,
        "rows": rows,
    }
