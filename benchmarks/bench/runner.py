"""run() and Runner.run(): an empty coroutine, by the backport and by the interpreter's own.

Their samples are plain calls, not coroutines: ``run()`` and a ``Runner`` make event loops
of their own, and cannot be called from a running one.
"""

from __future__ import annotations

import asyncio
from typing import Any, List

import asyncio_compat
from asyncio_compat import backport

from . import common
from .common import PY, Contender, Sample, _also, _is, _own


async def _empty() -> None:
    pass


def run_contenders(n: int) -> List[Contender]:
    """``run(empty())`` *n* times per sample: a new loop, the main task, the Ctrl-C
    handler, the shutdown steps and the loop closed, every call."""

    def calls(run: Any) -> Sample:
        def sample() -> float:
            t0 = common.clock()
            for _ in range(n):
                run(_empty())
            return common.clock() - t0

        return sample

    public = asyncio_compat.run
    out = [
        Contender("stdlib", f"asyncio.run ({_own()})", calls(asyncio.run)),
        Contender("backport", "asyncio_compat.backport.run", calls(backport.run)),
    ]
    out += [Contender(k, label, calls(f)) for k, label, f in _also("run")]
    public_label = f"asyncio_compat.run ({_is(public, asyncio.run)})"
    out.append(Contender("public", public_label, calls(public)))
    # The reference again, measured apart: how far apart two identical contenders come out.
    out.append(Contender("control", f"asyncio.run ({_own()}) again", calls(asyncio.run)))
    return out


def runner_contenders(n: int) -> List[Contender]:
    """``runner.run(empty())`` *n* times per sample in a runner kept open; the runner is
    made, opened (by a first run: its loop is made lazily) and closed outside the clock."""

    def calls(runner_class: Any) -> Sample:
        def sample() -> float:
            with runner_class() as runner:
                runner.run(_empty())
                t0 = common.clock()
                for _ in range(n):
                    runner.run(_empty())
                return common.clock() - t0

        return sample

    stdlib = getattr(asyncio, "Runner", None)  # 3.11+
    public = asyncio_compat.Runner
    out = [
        Contender(
            "stdlib",
            "asyncio.Runner.run",
            calls(stdlib) if stdlib is not None else None,
            "no asyncio.Runner before 3.11",
        ),
        Contender("backport", "asyncio_compat.backport.Runner.run", calls(backport.Runner)),
    ]
    out += [Contender(k, f"{label}.run", calls(cls)) for k, label, cls in _also("Runner")]
    public_label = f"asyncio_compat.Runner.run ({_is(public, stdlib)})"
    out.append(Contender("public", public_label, calls(public)))
    if PY >= (3, 11):
        out.append(Contender("control", "asyncio.Runner.run again", calls(stdlib)))
    return out
