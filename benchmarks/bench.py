"""Benchmark of asyncio_compat against the stdlib and its peers, on the interpreter running it.

    python benchmarks/bench.py [--rounds N] [--out DIR] [--quick] [--only NAMES] [--also MODULE]

Everything is measured in this one process, in interleaved rounds: each round runs every
contender of a measurement once, in an order that rotates from round to round, so that a
slow spell of a shared machine hits them all alike. What counts is the median of the
per-round ratios of two contenders; times are printed only for scale.

1. TaskGroup: spawn and join 10,000 tasks that each ``await asyncio.sleep(0)``, per task;
   against ``asyncio.gather`` over the same coroutines and, on 3.11+, asyncio.TaskGroup.
2. timeout: enter and leave ``timeout(10)`` around ``await asyncio.sleep(0)``, per use;
   against ``async_timeout.timeout`` and, on 3.11+, ``asyncio.timeout``. Also a timeout
   that expires (``timeout(0)`` around ``await asyncio.sleep(10)``).
3. Failure path: 999 sleeping tasks and one that fails, time to the ExceptionGroup;
   against ``create_task`` + ``asyncio.wait(FIRST_EXCEPTION)`` + cancelling the rest by
   hand and, on 3.11+, asyncio.TaskGroup.
4. Import: ``import asyncio_compat`` after ``import asyncio``, in fresh processes.
5. Memory: bytes per pending task held by a group of 10,000 (tracemalloc), against the
   same tasks from ``asyncio.create_task`` kept in a list.
6. wait_for: ``await wait_for(sleep(0), 10)`` per call with the backport's,
   ``asyncio_compat.wait_for`` (the stdlib's from 3.13) and the interpreter's own, against
   the floor ``async with asyncio_compat.timeout(10): await asyncio.sleep(0)``.
7. as_completed: 10,000 tasks of ``sleep(0)``, made before the clock starts,
   per task: ``for f in as_completed(tasks): await f`` with the backport's and the
   interpreter's own; ``async for`` with the backport's and, on 3.13+, the stdlib's.
8. asyncio_compat.structured: ``gather()`` of 10,000 coroutines of ``sleep(0)``
   against ``asyncio.gather``, a hand-written TaskGroup collect, ``quattro.gather`` (3.9+)
   and ``anyio.gather`` (anyio 4.16+, 3.10+); ``amap(f, range(10_000), limit=100)``
   against ``asyncio.gather`` over every ``f(i)`` (and a Semaphore by hand, quattro's
   ``concurrency_limit``, ``anyio.amap``); tracemalloc's peak of ``amap`` over a generator
   of 1,000,000 items, ``limit=100``, against ``asyncio.gather`` over the same. Until the
   module exists (and imports), its rows are n/a with the reason.

The peers -- the ``taskgroup`` package, ``async-timeout``, anyio's task group,
``fail_after``, ``gather`` and ``amap``, ``quattro.gather`` -- run in the same rounds where
installed; one that fails is "n/a".

Times are this process's CPU time (``--clock wall`` for wall time): on a shared machine the
time spent waiting for a core is left out, and the samples never wait for anything else.

Writes ``<out>/<tag>.md`` (the table, also printed) and ``<out>/<tag>.json`` (for
``benchmarks/chart.py``), where the tag is e.g. ``cpython3.12`` or ``pypy3.9``.

To try a change to the package, copy ``src/asyncio_compat`` to a folder on PYTHONPATH under
another name (say ``asyncio_compat_b``) and pass ``--also asyncio_compat_b``: its backport
runs in the same rounds, and its ratios to ``asyncio_compat.backport`` are printed last
(``--only spawn,timeout`` limits the run to some measurements; ``--only wait_for,amap``
prints the JSON of those alone and writes nothing).
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import json
import os
import platform
import re
import statistics
import subprocess
import sys
import time
from typing import Any, Awaitable, Callable, Dict, List, Optional, Tuple

import asyncio_compat
from asyncio_compat import backport

try:
    import async_timeout
except ImportError:  # pragma: no cover - peers are optional
    async_timeout = None  # type: ignore[assignment]
try:
    import taskgroup
except ImportError:  # pragma: no cover
    taskgroup = None  # type: ignore[assignment]
try:
    import anyio
except ImportError:  # pragma: no cover
    anyio = None  # type: ignore[assignment]
try:  # the peer of structured.gather: 3.9+, on the taskgroup package before 3.11
    import quattro
except ImportError:  # pragma: no cover
    quattro = None  # type: ignore[assignment]

# CPU time of this process: on a shared machine, time spent waiting for a core is not
# counted (the samples never wait for I/O or timers). --clock wall measures wall time.
clock = time.process_time

HERE = os.path.dirname(os.path.abspath(__file__))
PY = sys.version_info
STDLIB_GROUP = PY >= (3, 11)  # asyncio.TaskGroup and asyncio.timeout exist from 3.11
PYPY = sys.implementation.name == "pypy"
TAG = f"{sys.implementation.name}{PY[0]}.{PY[1]}"

if PY >= (3, 11):
    from builtins import BaseExceptionGroup
else:
    from exceptiongroup import BaseExceptionGroup

# What the timeouts raise on expiry: the builtin (3.11+, anyio), asyncio's (async-timeout
# before 3.11), or asyncio_compat's subclass of both.
TIMEOUT_ERRORS = (TimeoutError, asyncio.TimeoutError)

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
    }
)


# --- the work ---------------------------------------------------------------------------


async def _sleep0() -> None:
    await asyncio.sleep(0)


async def _sleep_long() -> None:
    await asyncio.sleep(3600)


async def _fail() -> None:
    raise ValueError("boom")


Sample = Callable[[], Awaitable[float]]  # runs once, returns the seconds it took


class Contender:
    """One implementation in a measurement: a label and a coroutine function per sample."""

    def __init__(self, key: str, label: str, sample: Optional[Sample], why: str = "") -> None:
        self.key = key
        self.label = label
        self.sample = sample
        self.why = why  # why it is n/a
        self.times: List[float] = []


# --also MODULE: a second copy of the package (a patched one, installed under another
# name) whose backport runs in the same rounds, as "also".
ALSO: Optional[Any] = None


def _also(what: str) -> List[Tuple[str, str, Any]]:
    if ALSO is None:
        return []
    return [("also", f"{ALSO.__name__}.backport.{what}", getattr(ALSO.backport, what))]


def _taskgroup_classes() -> List[Tuple[str, str, Any]]:
    """The TaskGroup implementations: (key, label, class)."""
    groups = [("backport", "asyncio_compat.backport.TaskGroup", backport.TaskGroup)]
    groups += _also("TaskGroup")
    if STDLIB_GROUP:
        groups.append(("stdlib", "asyncio.TaskGroup", asyncio.TaskGroup))  # type: ignore[attr-defined]
    groups.append(("taskgroup", "taskgroup.TaskGroup (PyPI 0.2.2)", _peer(taskgroup, "TaskGroup")))
    return groups


def _group_contenders(group: Any, anyio_group: Any) -> List[Contender]:
    """The task-group contenders of a measurement: each TaskGroup class, then anyio's."""
    out = [
        Contender(key, label, group(cls) if cls else None, "not installed")
        for key, label, cls in _taskgroup_classes()
    ]
    out.append(
        Contender("anyio", "anyio task group", anyio_group if anyio else None, "not installed")
    )
    return out


def _peer(module: Any, name: str) -> Any:
    return getattr(module, name) if module is not None else None


# 1. TaskGroup spawn + join ------------------------------------------------------------------


def spawn_contenders(n: int) -> List[Contender]:
    async def gather() -> float:
        t0 = clock()
        await asyncio.gather(*[_sleep0() for _ in range(n)])
        return clock() - t0

    def group(cls: Any) -> Sample:
        async def sample() -> float:
            t0 = clock()
            async with cls() as tg:
                for _ in range(n):
                    tg.create_task(_sleep0())
            return clock() - t0

        return sample

    async def anyio_group() -> float:
        t0 = clock()
        async with anyio.create_task_group() as tg:
            for _ in range(n):
                tg.start_soon(_sleep0)
        return clock() - t0

    return [Contender("gather", "asyncio.gather", gather), *_group_contenders(group, anyio_group)]


# 2. timeout ---------------------------------------------------------------------------------


def _timeout_factories() -> List[Tuple[str, str, Any]]:
    out: List[Tuple[str, str, Any]] = [
        ("backport", "asyncio_compat.backport.timeout", backport.timeout)
    ]
    out += _also("timeout")
    if STDLIB_GROUP:
        out.append(("stdlib", "asyncio.timeout", asyncio.timeout))  # type: ignore[attr-defined]
    out.append(("async_timeout", "async_timeout.timeout", _peer(async_timeout, "timeout")))
    out.append(("taskgroup", "taskgroup.timeout (PyPI 0.2.2)", _peer(taskgroup, "timeout")))
    # anyio's fail_after is a plain context manager (`with`): the samples below know it.
    out.append(("anyio", "anyio.fail_after", _peer(anyio, "fail_after")))
    return out


def timeout_contenders(n: int) -> List[Contender]:
    async def bare() -> float:
        t0 = clock()
        for _ in range(n):
            await asyncio.sleep(0)
        return clock() - t0

    def use(factory: Any) -> Sample:
        async def sample() -> float:
            sleep = asyncio.sleep
            t0 = clock()
            for _ in range(n):
                async with factory(10):
                    await sleep(0)
            return clock() - t0

        async def sample_sync() -> float:
            sleep = asyncio.sleep
            t0 = clock()
            for _ in range(n):
                with factory(10):
                    await sleep(0)
            return clock() - t0

        return sample_sync if factory is _peer(anyio, "fail_after") else sample

    out = [Contender("bare", "no timeout (sleep(0) alone)", bare)]
    for key, label, factory in _timeout_factories():
        out.append(Contender(key, label, use(factory) if factory else None, "not installed"))
    return out


def expiry_contenders(n: int) -> List[Contender]:
    def expire(factory: Any) -> Sample:
        async def sample() -> float:
            sleep = asyncio.sleep
            t0 = clock()
            for _ in range(n):
                try:
                    async with factory(0):
                        await sleep(10)
                except TIMEOUT_ERRORS:
                    pass
                else:
                    raise AssertionError("the timeout did not expire")
            return clock() - t0

        async def sample_sync() -> float:
            sleep = asyncio.sleep
            t0 = clock()
            for _ in range(n):
                try:
                    with factory(0):
                        await sleep(10)
                except TIMEOUT_ERRORS:
                    pass
                else:
                    raise AssertionError("the timeout did not expire")
            return clock() - t0

        return sample_sync if factory is _peer(anyio, "fail_after") else sample

    return [
        Contender(key, label, expire(factory) if factory else None, "not installed")
        for key, label, factory in _timeout_factories()
    ]


# 3. Failure path ----------------------------------------------------------------------------


def _check(group: BaseException) -> None:
    """The group must hold the one ValueError, or the contender does not work here."""
    errors = getattr(group, "exceptions", ())
    if len(errors) != 1 or not isinstance(errors[0], ValueError):
        raise group


def failure_contenders(n: int, groups: int) -> List[Contender]:
    async def by_hand() -> float:
        loop = asyncio.get_running_loop()
        t0 = clock()
        for _ in range(groups):
            tasks = [loop.create_task(_sleep_long()) for _ in range(n - 1)]
            tasks.append(loop.create_task(_fail()))
            done, pending = await asyncio.wait(tasks, return_when=asyncio.FIRST_EXCEPTION)
            for t in pending:
                t.cancel()
            await asyncio.wait(pending)
            errors = [t.exception() for t in done if not t.cancelled() and t.exception()]
            assert errors
        return clock() - t0

    def group(cls: Any) -> Sample:
        async def sample() -> float:
            t0 = clock()
            for _ in range(groups):
                try:
                    async with cls() as tg:
                        for _ in range(n - 1):
                            tg.create_task(_sleep_long())
                        tg.create_task(_fail())
                except BaseExceptionGroup as group:
                    _check(group)
                else:
                    raise AssertionError("no ExceptionGroup")
            return clock() - t0

        return sample

    async def anyio_group() -> float:
        t0 = clock()
        for _ in range(groups):
            try:
                async with anyio.create_task_group() as tg:
                    for _ in range(n - 1):
                        tg.start_soon(_sleep_long)
                    tg.start_soon(_fail)
            except BaseExceptionGroup as group:
                _check(group)
            else:
                raise AssertionError("no ExceptionGroup")
        return clock() - t0

    by_hand_label = "create_task + wait(FIRST_EXCEPTION) + cancel"
    return [Contender("by_hand", by_hand_label, by_hand), *_group_contenders(group, anyio_group)]


# 6. wait_for --------------------------------------------------------------------------------


def waitfor_contenders(n: int) -> List[Contender]:
    """``await wait_for(sleep(0), 10)`` per call, and its floor: the timeout it is made of."""

    def use(wait_for: Any) -> Sample:
        async def sample() -> float:
            sleep = asyncio.sleep
            t0 = clock()
            for _ in range(n):
                await wait_for(sleep(0), 10)
            return clock() - t0

        return sample

    async def floor() -> float:
        # 3.12+'s wait_for is this timeout around the await (gh-96764): nothing can cost less.
        sleep, timeout = asyncio.sleep, asyncio_compat.timeout
        t0 = clock()
        for _ in range(n):
            async with timeout(10):
                await sleep(0)
        return clock() - t0

    public = asyncio_compat.wait_for
    timeout_is = _is(asyncio_compat.timeout, getattr(asyncio, "timeout", None))
    floor_label = f"floor: `async with asyncio_compat.timeout(10)` ({timeout_is})"
    out = [
        Contender("floor", floor_label, floor),
        Contender("backport", "asyncio_compat.backport.wait_for", use(backport.wait_for)),
    ]
    out += [Contender(k, label, use(f)) for k, label, f in _also("wait_for")]
    public_label = f"asyncio_compat.wait_for ({_is(public, asyncio.wait_for)})"
    out.append(Contender("public", public_label, use(public)))
    out.append(Contender("stdlib", f"asyncio.wait_for ({_own()})", use(asyncio.wait_for)))
    return out


def _own() -> str:
    """How the rows of the interpreter's own wait_for and as_completed are labelled."""
    return f"{PY[0]}.{PY[1]}'s own"


# 7. as_completed ----------------------------------------------------------------------------


def _started(n: int) -> List[asyncio.Task[None]]:
    """*n* tasks of ``sleep(0)``, created (not yet run: the caller has not yielded)."""
    loop = asyncio.get_running_loop()
    return [loop.create_task(_sleep0()) for _ in range(n)]


def ascompleted_contenders(n: int) -> List[Contender]:
    """``for f in as_completed(tasks): await f`` over *n* tasks; the tasks are made untimed."""

    def plain(as_completed: Any) -> Sample:
        async def sample() -> float:
            tasks = _started(n)
            t0 = clock()
            for f in as_completed(tasks):
                await f
            return clock() - t0

        return sample

    out = [
        Contender("stdlib", f"asyncio.as_completed ({_own()}), `for`", plain(asyncio.as_completed)),
        Contender(
            "backport", "asyncio_compat.backport.as_completed, `for`", plain(backport.as_completed)
        ),
    ]
    out += [Contender(k, f"{label}, `for`", plain(f)) for k, label, f in _also("as_completed")]
    return out


def ascompleted_async_contenders(n: int) -> List[Contender]:
    """``async for t in as_completed(tasks): t.result()``: the stdlib's from 3.13 (gh-77714)."""

    def async_iteration(as_completed: Any) -> Sample:
        async def sample() -> float:
            tasks = _started(n)
            t0 = clock()
            async for t in as_completed(tasks):
                t.result()
            return clock() - t0

        return sample

    stdlib = async_iteration(asyncio.as_completed) if PY >= (3, 13) else None
    out = [
        Contender(
            "stdlib",
            f"asyncio.as_completed ({_own()}), `async for`",
            stdlib,
            "no async iteration before 3.13",
        ),
        Contender(
            "backport",
            "asyncio_compat.backport.as_completed, `async for`",
            async_iteration(backport.as_completed),
        ),
    ]
    out += [
        Contender(k, f"{label}, `async for`", async_iteration(f))
        for k, label, f in _also("as_completed")
    ]
    return out


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
    if ALSO is None:
        return []
    import importlib

    label = f"{ALSO.__name__}.structured.{name}"
    try:
        module = importlib.import_module(f"{ALSO.__name__}.structured")
    except Exception as exc:
        return [("also", label, None, _short(exc))]
    helper = getattr(module, name, None)
    return [("also", label, helper, "" if helper else f"no {name}()")]


def _peer_version(module: Any, dist: str) -> str:
    version = getattr(module, "__version__", None)
    if version is None:
        try:
            from importlib.metadata import version as dist_version

            version = dist_version(dist)
        except Exception:
            version = "?"
    return str(version)


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
            t0 = clock()
            results = await gather(*[_sleep0() for _ in range(n)])
            assert len(results) == n
            return clock() - t0

        return sample

    async def by_hand() -> float:
        # What everyone who migrates from gather writes: a list of tasks. The
        # coroutines are made first, all of them, as for the gathers.
        t0 = clock()
        coros = [_sleep0() for _ in range(n)]
        async with asyncio_compat.TaskGroup() as tg:
            tasks = [tg.create_task(coro) for coro in coros]
        results = [t.result() for t in tasks]
        assert len(results) == n
        return clock() - t0

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

# Measurements whose samples are short, and whose targets are close to 1 (wait_for: 1.05),
# run this many times --rounds: the median of more per-round ratios moves less.
MORE_ROUNDS = {"wait_for": 5, "as_completed": 2, "as_completed_async": 2}


def amap_contenders(n: int) -> List[Contender]:
    """``amap(f, range(n), limit=100)`` against gather over all of ``f(i)`` at once."""

    async def gather() -> float:
        t0 = clock()
        results = await asyncio.gather(*[_item(i) for i in range(n)])
        assert results[-1] == n - 1
        return clock() - t0

    def amap(helper: Any, **kwargs: Any) -> Sample:
        async def sample() -> float:
            t0 = clock()
            results = await helper(_item, range(n), **kwargs)
            assert results[-1] == n - 1
            return clock() - t0

        return sample

    async def semaphore() -> float:
        # The bounded fan-out that people write by hand.
        sem = asyncio.Semaphore(AMAP_LIMIT)

        async def bounded(i: int) -> int:
            async with sem:
                return await _item(i)

        t0 = clock()
        results = await asyncio.gather(*[bounded(i) for i in range(n)])
        assert results[-1] == n - 1
        return clock() - t0

    async def quattro_limited() -> float:
        t0 = clock()
        results = await quattro.gather(*[_item(i) for i in range(n)], concurrency_limit=AMAP_LIMIT)
        assert results[-1] == n - 1
        return clock() - t0

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
        t0 = clock()
        items = (i for i in range(n))
        if how == "gather":  # it needs every coroutine at once
            results = await asyncio.gather(*[_nothing(i) for i in items])
        else:
            results = await helper(_nothing, items, limit=AMAP_LIMIT)
        elapsed = clock() - t0
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


# The interleaved rounds ---------------------------------------------------------------------


def _short(exc: BaseException) -> str:
    text = f"{type(exc).__name__}: {exc}".splitlines()[0]
    return text if len(text) <= 70 else text[:67] + "..."


def run_rounds(
    loop: asyncio.AbstractEventLoop, contenders: List[Contender], rounds: int, warmup: int
) -> None:
    """Run every contender once per round, rotating the order; keep the measured times."""
    live = []
    for c in contenders:
        if c.sample is None:
            continue
        try:  # the first warm-up round also finds the contenders that do not work here
            loop.run_until_complete(c.sample())
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
                elapsed = loop.run_until_complete(c.sample())
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


# 4. Import ----------------------------------------------------------------------------------

_IMPORT_PROBE = """\
import sys, time
t = time.{clock}()
import asyncio
t0 = time.{clock}()
before = set(sys.modules)
import {module}
t1 = time.{clock}()
print((t1 - t0) * 1000.0, (t0 - t) * 1000.0)
print(" ".join(sorted(m for m in set(sys.modules) - before if "." not in m)))
print(" ".join(sorted(m for m in set(sys.modules) - before if m.startswith("asyncio_compat."))))
"""


# The first probe writes the .pyc files that the others then read, as a user's imports
# would (PYTHONDONTWRITEBYTECODE would time the compiler instead).
_PROBE_ENV = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}


def _probe(module: str) -> Tuple[float, float, List[str], List[str]]:
    """(ms to import *module* after asyncio, ms to import asyncio, top-level modules added,
    asyncio_compat's submodules added)."""
    out = subprocess.run(
        [sys.executable, "-c", _IMPORT_PROBE.format(module=module, clock=clock.__name__)],
        env=_PROBE_ENV,
        check=True,
        stdout=subprocess.PIPE,
        text=True,
    ).stdout.splitlines()
    ms, asyncio_ms = map(float, out[0].split())
    added = out[1].split() if len(out) > 1 else []
    return ms, asyncio_ms, added, out[2].split() if len(out) > 2 else []


def _importtime_breakdown(module: str, runs: int) -> Optional[List[Tuple[str, float]]]:
    """Self time (ms) of each module that importing *module* after asyncio loads."""
    samples: Dict[str, List[float]] = {}
    for _ in range(runs):
        proc = subprocess.run(
            [sys.executable, "-X", "importtime", "-c", f"import asyncio; import {module}"],
            env=_PROBE_ENV,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            text=True,
        )
        lines = [ln for ln in proc.stderr.splitlines() if ln.startswith("import time:")]
        # Post-order: the modules after asyncio's own top-level line are ours.
        start = None
        for i, ln in enumerate(lines):
            if ln.split("|")[-1].rstrip() == " asyncio":
                start = i + 1
        if proc.returncode != 0 or start is None:
            return None
        for ln in lines[start:]:
            self_us, _cumulative, name = ln[len("import time:") :].split("|")
            samples.setdefault(name.strip(), []).append(int(self_us) / 1000.0)
    return sorted(
        ((name, statistics.median(v)) for name, v in samples.items()), key=lambda x: -x[1]
    )


def measure_import(runs: int) -> Dict[str, Any]:
    modules = [("asyncio_compat", "import asyncio_compat")]
    if ALSO is not None:
        modules.append((ALSO.__name__, f"import {ALSO.__name__}"))
    # asyncio_compat's dependency, for its share: the exception groups before 3.11.
    modules.append(("exceptiongroup", "import exceptiongroup"))
    # imported on first use only: what `import asyncio_compat.structured` adds.
    if STRUCTURED is not None:
        modules.append(("asyncio_compat.structured", "import asyncio_compat.structured"))
    for mod, label in (
        (async_timeout, "import async_timeout"),
        (taskgroup, "import taskgroup"),
        (anyio, "import anyio"),
        (quattro, "import quattro"),
    ):
        if mod is not None:
            modules.append((mod.__name__, label))
    for name, _ in modules:  # warm-up: write the .pyc files
        _probe(name)
    times: Dict[str, List[float]] = {name: [] for name, _ in modules}
    added: Dict[str, List[str]] = {}
    submodules: Dict[str, List[str]] = {}
    asyncio_ms: List[float] = []
    for r in range(runs):
        k = r % len(modules)
        for name, _ in modules[k:] + modules[:k]:
            ms, base, new, subs = _probe(name)
            times[name].append(ms)
            asyncio_ms.append(base)
            added[name] = new
            submodules[name] = subs
    rows = []
    for name, label in modules:
        q1, med, q3 = _quartiles(times[name])
        rows.append(
            {
                "key": name,
                "label": label,
                "ms": med,
                "q1": q1,
                "q3": q3,
                "modules_added": added[name],
                "submodules_added": submodules[name],
            }
        )
    breakdown = None if PYPY else _importtime_breakdown("asyncio_compat", 5)
    return {
        "rows": rows,
        "breakdown": breakdown,
        "runs": runs,
        "asyncio_ms": statistics.median(asyncio_ms),
    }


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


# Report -------------------------------------------------------------------------------------


# Between quartiles: a hyphen that does not break, so that a narrow column of the manual
# wraps between a median and its quartiles, never inside the range.
DASH = "\u2011"


def _fmt_ratio(r: Optional[Dict[str, float]]) -> str:
    if r is None:
        return ""
    return f"{r['median']:.2f} ({r['q1']:.2f}{DASH}{r['q3']:.2f})"


def _fmt_ms(ms: float) -> str:
    """Milliseconds to four figures at most: the column stays narrow."""
    return f"{ms:.2f}" if ms < 10 else f"{ms:.1f}"


def _fmt_time(seconds: Optional[float]) -> str:
    if seconds is None:
        return ""
    us = seconds * 1e6
    return f"{us:.2f} µs" if us < 100 else f"{us:.0f} µs"


def meets(value: float, target: float) -> bool:
    """The rule of every ✓/✗ (benchmarks/chart.py's too): the value as shown, to two
    decimals, is at most the target."""
    return float(f"{value:.2f}") <= target


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
    assert ALSO is not None
    lines = [
        f"A/B: {ALSO.__name__}.backport ÷ asyncio_compat.backport, and .structured for "
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
        a, b = ms.get(ALSO.__name__), ms.get("asyncio_compat")
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


def _is(obj: Any, stdlib: Any) -> str:
    return "the stdlib's" if stdlib is not None and obj is stdlib else "the backport"


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
        "structured": "present" if STRUCTURED is not None else f"n/a: {STRUCTURED_WHY}",
        "peers": ", ".join(peers),
    }


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
        "as_completed_async,structured_gather,amap,import,memory,amap_memory",
    )
    args = parser.parse_args(argv)
    if args.quick:
        args.rounds, args.tasks, args.uses, args.import_runs = 3, 2_000, 500, 4
        args.calls, args.items = 500, 100_000
    if args.clock == "wall":
        global clock
        clock = time.perf_counter
    only = set(args.only.split(",")) if args.only else None
    if args.also:
        import importlib

        global ALSO
        ALSO = importlib.import_module(args.also)
        importlib.import_module(f"{args.also}.backport")

    def wanted(name: str) -> bool:
        return only is None or name in only

    _load_structured()

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
    ]
    for name, title, unit, per, make, ref in plan:
        if not wanted(name):
            continue
        t0 = time.perf_counter()
        contenders = make()
        rounds = args.rounds * MORE_ROUNDS.get(name, 1)
        run_rounds(loop, contenders, rounds, args.warmup)
        if rounds != args.rounds:
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

    if only is not None:
        if ALSO is not None:
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
    if ALSO is not None:
        print(ab_summary(result))
    return 0


if __name__ == "__main__":
    sys.exit(main())
