"""asyncio's structured concurrency (TaskGroup, timeout, exception groups) with the
newest CPython's behaviour, on Python 3.8 and newer.

Each name is the standard library's own object from the first CPython whose stdlib
already behaves like the newest release, and this package's backport before that
(typing_extensions' rule). ``asyncio_compat.backport`` gives the backport everywhere.
"""

from __future__ import annotations

import sys

__all__ = [
    "BaseExceptionGroup",
    "ExceptionGroup",
    "Runner",
    "TaskGroup",
    "Timeout",
    "TimeoutError",
    "add_note",
    "cancelling",
    "catch",
    "format_exception",
    "format_exception_only",
    "print_exc",
    "print_exception",
    "run",
    "suppress",
    "timeout",
    "timeout_at",
    "uncancel",
]

# catch() has no stdlib counterpart: exceptiongroup's is the one pytest, anyio and trio use.
from exceptiongroup import catch

from ._exceptions import TimeoutError, add_note
from ._version import __version__ as __version__

if sys.version_info >= (3, 15):  # 3.15+: gh-108951 added TaskGroup.cancel()
    from asyncio import TaskGroup
else:
    from .backport import TaskGroup

if sys.version_info >= (3, 13):
    # 3.13+: gh-96037 (TimeoutError kept in the context of an exception that replaced
    # the CancelledError) and gh-116720 (uncancel() withdraws a pending cancellation).
    from asyncio import Timeout, timeout, timeout_at

    from ._cancelling import cancelling, uncancel
else:
    from .backport import Timeout, cancelling, timeout, timeout_at, uncancel

if sys.version_info >= (3, 12):  # 3.12+: gh-99388 added asyncio.run(loop_factory=...)
    from asyncio import Runner, run
elif sys.version_info >= (3, 11):  # 3.11: asyncio.Runner (gh-91218) is complete there
    from asyncio import Runner

    from ._runner import run
else:
    from ._runner import Runner, run

if sys.version_info >= (3, 11):  # 3.11+: PEP 654 exception groups and group-aware traceback
    from builtins import BaseExceptionGroup, ExceptionGroup
    from traceback import format_exception, format_exception_only, print_exc, print_exception
else:
    from exceptiongroup import (
        BaseExceptionGroup,
        ExceptionGroup,
        format_exception,
        format_exception_only,
        print_exc,
        print_exception,
    )

if sys.version_info >= (3, 12, 1):  # 3.12.1+: gh-103791 made contextlib.suppress group-aware
    from contextlib import suppress
else:
    from exceptiongroup import suppress  # type: ignore[assignment]
