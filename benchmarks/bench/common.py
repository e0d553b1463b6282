"""What every measurement shares: the clock, the interpreter, the peers, the contenders."""

from __future__ import annotations

import asyncio
import os
import sys
import time
from typing import Any, Awaitable, Callable, List, Optional, Tuple, Union

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

# benchmarks/, where results/ is
HERE = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
PY = sys.version_info
STDLIB_GROUP = PY >= (3, 11)  # asyncio.TaskGroup and asyncio.timeout exist from 3.11
PYPY = sys.implementation.name == "pypy"
TAG = f"{sys.implementation.name}{PY[0]}.{PY[1]}"

# What the timeouts raise on expiry: the builtin (3.11+, anyio), asyncio's (async-timeout
# before 3.11), or asyncio_compat's subclass of both.
TIMEOUT_ERRORS = (TimeoutError, asyncio.TimeoutError)


# --- the work ---------------------------------------------------------------------------


async def _sleep0() -> None:
    await asyncio.sleep(0)


async def _sleep_long() -> None:
    await asyncio.sleep(3600)


async def _fail() -> None:
    raise ValueError("boom")


# Runs once, returns the seconds it took: a coroutine function, run in the measurement's loop,
# or a plain function (run() and Runner, which make loops of their own).
Sample = Callable[[], Union[Awaitable[float], float]]


class Contender:
    """One implementation in a measurement: a label and a function per sample (a Sample)."""

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


def _peer(module: Any, name: str) -> Any:
    return getattr(module, name) if module is not None else None


def _own() -> str:
    """How the rows of the interpreter's own wait_for and as_completed are labelled."""
    return f"{PY[0]}.{PY[1]}'s own"


def _peer_version(module: Any, dist: str) -> str:
    version = getattr(module, "__version__", None)
    if version is None:
        try:
            from importlib.metadata import version as dist_version

            version = dist_version(dist)
        except Exception:
            version = "?"
    return str(version)


def _short(exc: BaseException) -> str:
    text = f"{type(exc).__name__}: {exc}".splitlines()[0]
    return text if len(text) <= 70 else text[:67] + "..."


def _is(obj: Any, stdlib: Any) -> str:
    return "the stdlib's" if stdlib is not None and obj is stdlib else "the backport"
