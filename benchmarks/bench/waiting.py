"""wait_for and as_completed."""

from __future__ import annotations

import asyncio
from typing import Any, List

import asyncio_compat
from asyncio_compat import backport

from . import common
from .common import PY, Contender, Sample, _also, _is, _own, _sleep0

# 6. wait_for --------------------------------------------------------------------------------


def waitfor_contenders(n: int) -> List[Contender]:
    """``await wait_for(sleep(0), 10)`` per call, and its floor: the timeout it is made of."""

    def use(wait_for: Any) -> Sample:
        async def sample() -> float:
            sleep = asyncio.sleep
            t0 = common.clock()
            for _ in range(n):
                await wait_for(sleep(0), 10)
            return common.clock() - t0

        return sample

    async def floor() -> float:
        # 3.12+'s wait_for is this timeout around the await (gh-96764): nothing can cost less.
        sleep, timeout = asyncio.sleep, asyncio_compat.timeout
        t0 = common.clock()
        for _ in range(n):
            async with timeout(10):
                await sleep(0)
        return common.clock() - t0

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
            t0 = common.clock()
            for f in as_completed(tasks):
                await f
            return common.clock() - t0

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
            t0 = common.clock()
            async for t in as_completed(tasks):
                t.result()
            return common.clock() - t0

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
