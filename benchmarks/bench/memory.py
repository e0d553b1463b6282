"""Memory per pending task in a group, against create_task."""

from __future__ import annotations

import asyncio
import gc
import statistics
from typing import Any, Dict, List, Tuple

from .common import PYPY, _short, anyio
from .groups import _taskgroup_classes

# 5. Memory ----------------------------------------------------------------------------------


async def _waiter(event: asyncio.Event) -> None:
    await event.wait()


async def _held_by(how: str, cls: Any, n: int) -> float:
    """Bytes per pending task that *how* holds, from tracemalloc's count."""
    import tracemalloc

    event = asyncio.Event()
    loop = asyncio.get_running_loop()
    gc.collect()
    tracemalloc.start()
    try:
        base = tracemalloc.get_traced_memory()[0]
        if how == "create_task":
            tasks = [loop.create_task(_waiter(event)) for _ in range(n)]
            await asyncio.sleep(0)
            held = tracemalloc.get_traced_memory()[0] - base
            event.set()
            await asyncio.wait(tasks)
            del tasks
        elif how == "anyio":
            async with anyio.create_task_group() as tg:
                for _ in range(n):
                    tg.start_soon(_waiter, event)
                await asyncio.sleep(0)
                held = tracemalloc.get_traced_memory()[0] - base
                event.set()
        else:
            async with cls() as tg:
                for _ in range(n):
                    tg.create_task(_waiter(event))
                await asyncio.sleep(0)
                held = tracemalloc.get_traced_memory()[0] - base
                event.set()
    finally:
        tracemalloc.stop()
    return held / n


def measure_memory(loop: asyncio.AbstractEventLoop, n: int, repeats: int) -> Dict[str, Any]:
    if PYPY:
        return {"na": "tracemalloc does not trace PyPy's allocations", "rows": []}
    cases: List[Tuple[str, str, Any]] = [("create_task", "asyncio.create_task, in a list", None)]
    cases += [(k, label, cls) for k, label, cls in _taskgroup_classes()]
    cases.append(("anyio", "anyio task group", anyio))
    rows = []
    for key, label, cls in cases:
        how = key if key in ("create_task", "anyio") else "group"
        if cls is None and how != "create_task":
            rows.append({"key": key, "label": label, "na": "not installed"})
            continue
        try:
            loop.run_until_complete(_held_by(how, cls, n // 10))  # warm-up
            values = [loop.run_until_complete(_held_by(how, cls, n)) for _ in range(repeats)]
        except Exception as exc:
            rows.append({"key": key, "label": label, "na": _short(exc)})
            continue
        rows.append({"key": key, "label": label, "bytes": statistics.median(values)})
    base = rows[0].get("bytes")
    for row in rows:
        if row.get("bytes") is not None and base:
            row["ratio"] = row["bytes"] / base
    return {"rows": rows}
