"""asyncio's structured concurrency (TaskGroup, timeout, exception groups) with the
newest CPython's behaviour, on Python 3.8 and newer.

Each name is the standard library's own object from the first CPython whose stdlib
already behaves like the newest release, and this package's backport before that
(typing_extensions' rule). ``asyncio_compat.backport`` gives the backport everywhere.
"""

import sys

__all__ = [
    "BaseExceptionGroup",
    "ExceptionGroup",
    "FrameCallGraphEntry",
    "FutureCallGraph",
    "Runner",
    "TaskGroup",
    "Timeout",
    "TimeoutError",
    "add_note",
    "as_completed",
    "cancelling",
    "capture_call_graph",
    "catch",
    "format_call_graph",
    "format_exception",
    "format_exception_only",
    "future_add_to_awaited_by",
    "future_discard_from_awaited_by",
    "print_call_graph",
    "print_exc",
    "print_exception",
    "run",
    "suppress",
    "timeout",
    "timeout_at",
    "uncancel",
    "wait_for",
]

__version__ = "1.0.0"

# Names that cost an import of their own come on first use (PEP 562, __getattr__ below):
# name -> the module that holds it. exceptiongroup alone takes 13-18 ms to import before
# 3.11 (benchmarks/README.md); type checkers see plain imports instead.
TYPE_CHECKING = False
_on_first_use = {
    # catch() has no stdlib counterpart: exceptiongroup's is the one pytest, anyio and trio use.
    "catch": "exceptiongroup",
    # Functions for Task.cancelling()/uncancel(), which the stdlib has only as methods.
    "cancelling": "asyncio_compat._cancelling",
    "uncancel": "asyncio_compat._cancelling",
    "add_note": "asyncio_compat._exceptions",
    "backport": "asyncio_compat.backport",
    # This package's own helpers (no stdlib counterpart): the task tree and its dump.
    "tasktree": "asyncio_compat.tasktree",
}
if TYPE_CHECKING:
    from exceptiongroup import catch

    from . import backport as backport
    from . import tasktree as tasktree
    from ._cancelling import cancelling, uncancel
    from ._exceptions import add_note

if sys.version_info >= (3, 15):
    # 3.15+: gh-108951 added TaskGroup.cancel(); 3.15.0's release candidates fixed an eager
    # child cancelling the group (gh-155418), an outside cancellation after cancel()
    # (gh-155433) and a GeneratorExit out of the body (gh-135736), none of them in 3.14.x.
    from asyncio import TaskGroup
else:
    from ._taskgroup import TaskGroup

if sys.version_info >= (3, 13):
    # 3.13+: gh-96037 (TimeoutError kept in the context of an exception that replaced
    # the CancelledError) and gh-116720 (uncancel() withdraws a pending cancellation).
    from asyncio import Timeout, timeout, timeout_at
else:
    from ._timeout import Timeout, timeout, timeout_at

# (3, 13) first, here and below: type checkers read a version of two parts only.
if sys.version_info >= (3, 13) and (sys.version_info < (3, 14) or sys.version_info >= (3, 14, 8)):
    # 3.13+: wait_for is 3.12's timeout() around an await (gh-96764, which fixed gh-86296),
    # and 3.13's timeout() is the newest (gh-96037, gh-116720). 3.14.0-3.14.7 do not record
    # the waiter of a timeout <= 0 in the call graph (gh-157058, 3.14.8); 3.13 has no graph.
    from asyncio import wait_for
else:
    if TYPE_CHECKING:
        from ._waitfor import wait_for
    _on_first_use["wait_for"] = "asyncio_compat._waitfor"

if TYPE_CHECKING:
    # typeshed's stub of asyncio.as_completed types both iterations wrongly (typeshed
    # #15644, #15646): type checkers see ours on every version.
    from ._ascompleted import as_completed
elif sys.version_info >= (3, 15, 1) or (3, 14, 9) <= sys.version_info < (3, 15):
    # A cancelled wait no longer loses a result from the count (gh-158004: 3.14.9, 3.15.1);
    # the waits are awaited-by links of asyncio.graph (gh-156523: 3.14.8, 3.15.0); 3.13
    # made it an async iterator yielding the given tasks (gh-77714).
    from asyncio import as_completed
else:
    _on_first_use["as_completed"] = "asyncio_compat._ascompleted"

if sys.version_info >= (3, 14) and sys.version_info >= (3, 14, 8):
    # 3.14.8+: gh-91048 call-graph introspection (asyncio.graph), on the awaited-by links
    # that the stdlib's tasks, TaskGroup, gather, shield, wait, wait_for and as_completed
    # record, once those are right: no stale links left by wait (gh-152569, 3.14.7),
    # gather (gh-157213) or shield (gh-155143), the waits of wait_for with a timeout <= 0
    # (gh-157058) and as_completed (gh-156523) recorded, print_call_graph() through a
    # generator (gh-156988) and on a finished task (gh-156408). 3.15.0 has them all.
    from asyncio import (
        FrameCallGraphEntry,
        FutureCallGraph,
        capture_call_graph,
        format_call_graph,
        future_add_to_awaited_by,
        future_discard_from_awaited_by,
        print_call_graph,
    )
else:
    if TYPE_CHECKING:
        from ._graph import (
            FrameCallGraphEntry,
            FutureCallGraph,
            capture_call_graph,
            format_call_graph,
            future_add_to_awaited_by,
            future_discard_from_awaited_by,
            print_call_graph,
        )
    _on_first_use.update(
        dict.fromkeys(
            [
                "FrameCallGraphEntry",
                "FutureCallGraph",
                "capture_call_graph",
                "format_call_graph",
                "future_add_to_awaited_by",
                "future_discard_from_awaited_by",
                "print_call_graph",
            ],
            "asyncio_compat._graph",
        )
    )

if sys.version_info >= (3, 14):
    # 3.14.0+: Runner.run() and run() take any awaitable, TypeError for the rest
    # (gh-120284), after 3.13's gh-112559 (no repr() of the result) and 3.12's gh-99388
    # (run(loop_factory=)) and bpo-38267 (the executor's 5-minute shutdown). 3.14.x's
    # runners.py is 3.15's.
    from asyncio import Runner, run
else:
    if TYPE_CHECKING:
        from ._runner import Runner, run
    _on_first_use.update(Runner="asyncio_compat._runner", run="asyncio_compat._runner")

if sys.version_info >= (3, 11):  # 3.11+: PEP 654 exception groups and group-aware traceback
    from builtins import BaseExceptionGroup, ExceptionGroup, TimeoutError

    # The interpreter's own groups need its own traceback (exceptiongroup's is this one
    # on 3.11+). Later changes are the display's, not the groups': 3.13's carets.
    from traceback import format_exception, format_exception_only, print_exc, print_exception
else:
    # bpo-46771 (3.11) made asyncio.TimeoutError the builtin: ours subclasses both.
    from ._exceptions import TimeoutError

    if TYPE_CHECKING:
        from exceptiongroup import (
            BaseExceptionGroup,
            ExceptionGroup,
            format_exception,
            format_exception_only,
            print_exc,
            print_exception,
        )
    _on_first_use.update(
        dict.fromkeys(
            [
                "BaseExceptionGroup",
                "ExceptionGroup",
                "format_exception",
                "format_exception_only",
                "print_exc",
                "print_exception",
            ],
            "exceptiongroup",
        )
    )

if sys.version_info >= (3, 12, 1):  # 3.12.1+: gh-103791 made contextlib.suppress group-aware
    from contextlib import suppress
else:
    if TYPE_CHECKING:
        from exceptiongroup import suppress  # type: ignore[assignment]
    _on_first_use["suppress"] = "exceptiongroup"


if not TYPE_CHECKING:

    def __getattr__(name):
        module = _on_first_use.get(name)
        if module is None:
            raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
        __import__(module)
        value = sys.modules[module]
        if module != f"{__name__}.{name}":  # else it is the submodule itself
            value = getattr(value, name)
        globals()[name] = value
        return value

    def __dir__():
        return sorted(set(globals()) | set(_on_first_use))
