"""asyncio_compat.structured: gather(), amap(), and amap's memory against gather's."""

from __future__ import annotations

import asyncio
import gc
from typing import Any, Dict, List, Optional, Tuple

import asyncio_compat

from . import common
from .common import PY, PYPY, Contender, Sample, _peer_version, _short, _sleep0, anyio, quattro

# 8. structured gather and amap --------------------------------------------------------------

# asyncio_compat.structured came later than the rest: until it exists (and imports), its rows
# are n/a with the reason, and everything else runs.
STRUCTURED: Optional[Any] = None
STRUCTURED_WHY = ""


def _load_structured() -> None:
    global STRUCTURED, STRUCTURED_WHY
    import importlib

    try:
        STRUCTURED = importlib.import_module("asyncio_compat.structured")
    except Exception as exc:  # ModuleNotFoundError until it is written
        STRUCTURED, STRUCTURED_WHY = None, _short(exc)


def _structured(name: str) -> Tuple[Any, str]:
    """(the helper *name* of asyncio_compat.structured, or None; why it is n/a)."""
    if STRUCTURED is None:
        return None, STRUCTURED_WHY
    helper = getattr(STRUCTURED, name, None)
    if helper is None:
        return None, f"asyncio_compat.structured has no {name}()"
    return helper, ""


def _also_structured(name: str) -> List[Tuple[str, str, Any, str]]:
    """--also MODULE: (key, label, MODULE.structured.<name> or None, why)."""
    if common.ALSO is None:
        return []
    import importlib

    label = f"{common.ALSO.__name__}.structured.{name}"
    try:
        module = importlib.import_module(f"{common.ALSO.__name__}.structured")
    except Exception as exc:
        return [("also", label, None, _short(exc))]
    helper = getattr(module, name, None)
    return [("also", label, helper, "" if helper else f"no {name}()")]


def _anyio_helper(name: str) -> Tuple[Any, str]:
    """anyio's *name* (gather, amap: anyio 4.16+, which needs 3.10+), or None and why."""
    if anyio is None:
        return None, "not installed"
    helper = getattr(anyio, name, None)
    if helper is None:
        return None, f"anyio {_peer_version(anyio, 'anyio')} has no {name}()"
    return helper, ""


def sgather_contenders(n: int) -> List[Contender]:
    """Results of *n* coroutines of ``sleep(0)``, in argument order, per task."""

    def call(gather: Any) -> Sample:
        async def sample() -> float:
            t0 = common.clock()
            results = await gather(*[_sleep0() for _ in range(n)])
            assert len(results) == n
            return common.clock() - t0

        return sample

    async def by_hand() -> float:
        # What everyone who migrates from gather writes: a list of tasks. The
        # coroutines are made first, all of them, as for the gathers.
        t0 = common.clock()
        coros = [_sleep0() for _ in range(n)]
        async with asyncio_compat.TaskGroup() as tg:
            tasks = [tg.create_task(coro) for coro in coros]
        results = [t.result() for t in tasks]
        assert len(results) == n
        return common.clock() - t0

    structured, why = _structured("gather")
    out = [
        Contender("gather", "asyncio.gather", call(asyncio.gather)),
        Contender(
            "structured",
            "asyncio_compat.structured.gather",
            call(structured) if structured else None,
            why,
        ),
    ]
    for key, label, helper, also_why in _also_structured("gather"):
        out.append(Contender(key, label, call(helper) if helper else None, also_why))
    out.append(Contender("by_hand", "asyncio_compat.TaskGroup + [t.result() ...]", by_hand))
    if quattro is not None:
        label = f"quattro.gather ({_peer_version(quattro, 'quattro')})"
        out.append(Contender("quattro", label, call(quattro.gather)))
    else:
        why = "needs 3.9+" if PY < (3, 9) else "not installed"
        out.append(Contender("quattro", "quattro.gather", None, why))
    helper, why = _anyio_helper("gather")
    out.append(Contender("anyio", "anyio.gather", call(helper) if helper else None, why))
    return out


async def _item(i: int) -> int:
    await asyncio.sleep(0)
    return i


AMAP_LIMIT = 100


def amap_contenders(n: int) -> List[Contender]:
    """``amap(f, range(n), limit=100)`` against gather over all of ``f(i)`` at once."""

    async def gather() -> float:
        t0 = common.clock()
        results = await asyncio.gather(*[_item(i) for i in range(n)])
        assert results[-1] == n - 1
        return common.clock() - t0

    def amap(helper: Any, **kwargs: Any) -> Sample:
        async def sample() -> float:
            t0 = common.clock()
            results = await helper(_item, range(n), **kwargs)
            assert results[-1] == n - 1
            return common.clock() - t0

        return sample

    async def semaphore() -> float:
        # The bounded fan-out that people write by hand.
        sem = asyncio.Semaphore(AMAP_LIMIT)

        async def bounded(i: int) -> int:
            async with sem:
                return await _item(i)

        t0 = common.clock()
        results = await asyncio.gather(*[bounded(i) for i in range(n)])
        assert results[-1] == n - 1
        return common.clock() - t0

    async def quattro_limited() -> float:
        t0 = common.clock()
        results = await quattro.gather(*[_item(i) for i in range(n)], concurrency_limit=AMAP_LIMIT)
        assert results[-1] == n - 1
        return common.clock() - t0

    helper, why = _structured("amap")
    out = [
        Contender("gather", "asyncio.gather, all at once", gather),
        Contender(
            "structured",
            f"asyncio_compat.structured.amap, limit={AMAP_LIMIT}",
            amap(helper, limit=AMAP_LIMIT) if helper else None,
            why,
        ),
    ]
    for key, label, also, also_why in _also_structured("amap"):
        sample = amap(also, limit=AMAP_LIMIT) if also else None
        out.append(Contender(key, f"{label}, limit={AMAP_LIMIT}", sample, also_why))
    out.append(
        Contender(
            "structured_unlimited",
            "asyncio_compat.structured.amap, no limit",
            amap(helper) if helper else None,
            why,
        )
    )
    out.append(
        Contender("semaphore", f"asyncio.gather + Semaphore({AMAP_LIMIT}), by hand", semaphore)
    )
    if quattro is not None:
        import inspect

        version = _peer_version(quattro, "quattro")
        label = f"quattro.gather ({version}), concurrency_limit={AMAP_LIMIT}"
        if "concurrency_limit" in inspect.signature(quattro.gather).parameters:
            out.append(Contender("quattro", label, quattro_limited))
        else:  # quattro 26.1 added it, and needs 3.10+
            why = f"quattro {version} has no concurrency_limit"
            out.append(Contender("quattro", label, None, why))
    anyio_amap, why = _anyio_helper("amap")
    out.append(
        Contender(
            "anyio",
            "anyio.amap (no limit)",
            amap(anyio_amap) if anyio_amap else None,
            why,
        )
    )
    return out


# 9. amap's memory ---------------------------------------------------------------------------


async def _nothing(i: int) -> None:
    await asyncio.sleep(0)


async def _peak(how: str, helper: Any, n: int) -> Tuple[int, float]:
    """(tracemalloc's peak in bytes, CPU seconds) of *how* over a generator of *n* items."""
    import tracemalloc

    gc.collect()
    tracemalloc.start()
    try:
        t0 = common.clock()
        items = (i for i in range(n))
        if how == "gather":  # it needs every coroutine at once
            results = await asyncio.gather(*[_nothing(i) for i in items])
        else:
            results = await helper(_nothing, items, limit=AMAP_LIMIT)
        elapsed = common.clock() - t0
        assert len(results) == n
        peak = tracemalloc.get_traced_memory()[1]
        del results
    finally:
        tracemalloc.stop()
    return peak, elapsed


def measure_amap_memory(loop: asyncio.AbstractEventLoop, n: int) -> Dict[str, Any]:
    if PYPY:
        return {"na": "tracemalloc does not trace PyPy's allocations", "rows": [], "items": n}
    helper, why = _structured("amap")
    cases = [
        ("structured", f"asyncio_compat.structured.amap, limit={AMAP_LIMIT}", helper, why),
        ("gather", "asyncio.gather, all at once", asyncio.gather, ""),
    ]
    rows = []
    for key, label, fn, na in cases:
        if fn is None:
            rows.append({"key": key, "label": label, "na": na})
            continue
        try:
            loop.run_until_complete(_peak(key, fn, n // 100))  # warm-up
            peak, elapsed = loop.run_until_complete(_peak(key, fn, n))
        except Exception as exc:
            rows.append({"key": key, "label": label, "na": _short(exc)})
            continue
        rows.append({"key": key, "label": label, "peak": peak, "seconds": elapsed})
        gc.collect()
    return {"rows": rows, "items": n}
