"""The one table of upstream tests that cannot pass on some interpreters, whatever the
implementation under test (TaskGroup, timeout, wait_for, as_completed, Runner) does, and the little
language of its conditions.

A test is named ``Class.method`` (fnmatch patterns allowed). A condition is one or more
alternatives separated by ``|``; an alternative is one or more terms joined by ``&``; a
term is one of:

* ``cpython``, ``pypy``: the interpreter's implementation;
* ``uvloop``, ``asyncio``: the event loop under test (``--loop``);
* ``impl=NAME``: the implementation under test (``--impl``);
* ``3.12``: any 3.12.x; ``3.13.0``: exactly that release;
* ``<3.14``, ``<=3.10``, ``>3.12``, ``>=3.12.1``: compared on as many parts as given.
"""

from __future__ import annotations

import fnmatch
import operator
import re
import sys
from typing import NamedTuple, Optional, Sequence, Tuple


class Skip(NamedTuple):
    tests: str  # "Class.method", fnmatch pattern
    where: str  # condition (see the module docstring)
    reason: str


_NO_THROW_CONTEXT = (
    "3.8's coroutine.throw() does not chain: the CancelledError that the task throws into a "
    "coroutine handling another exception gets no __context__ (bpo-29587, fixed in 3.9)"
)

_COUNTING_CHILDREN = (
    "before 3.11 tasks cannot count their cancellations: the backport's TaskGroup makes "
    "its children as its own subclass of the C Task that counts them, so they are no "
    "instances of the pure-Python Task this class swaps in for asyncio.Task (as the test "
    "checks)"
)

# fmt: off
SKIPS: Tuple[Skip, ...] = (
    Skip("TestEagerTaskTaskGroup.*", "<3.12",
         "eager tasks (asyncio.eager_task_factory, Task(eager_start=...)) are new in 3.12"),
    Skip("Test*TaskGroup.test_exception_refcycles_*", "pypy",
         "gc.get_referrers() and reference counting are CPython's: PyPy frees nothing "
         "without its garbage collector"),
    Skip("TestTaskGroup.test_exception_refcycles_propagate_cancellation_error", "<3.11",
         "before 3.11 the test's own frame still holds a (CancelledError(),) tuple after its "
         "'async with timeout()' exits (frame internals, replaced in 3.11 by bpo-44590), an "
         "extra referrer whatever the TaskGroup does"),
    Skip("TestEagerTaskTaskGroup.test_exception_refcycles_parent_task*", "3.12 | 3.13.0",
         "on 3.12 and 3.13.0 a task that fails during its eager start stays referenced "
         "after the group has let it go (the stdlib's TaskGroup fails these too; 3.14 passes)"),
    Skip("TestEagerTaskTaskGroup.test_name", "3.12 | 3.13.0",
         "3.12 and 3.13.0 name an eager task only after its first step, which runs under "
         "the default name inside create_task()"),
    Skip("Test*TaskGroup.test_taskgroup_cancel_keeps_outer_cancellation", "<3.11",
         "before 3.11, awaiting a task cancelled by cancel(msg) raises a new CancelledError() "
         "that only carries the message in its __context__ (bpo-45390); and 3.8 has no "
         "cancel(msg)"),
    Skip("TimeoutTests.test_timeout_exception_context", "<3.9", _NO_THROW_CONTEXT),
    Skip("TimeoutTests.test_foreign_exception_on_timeout_2", "<3.9", _NO_THROW_CONTEXT),
    Skip("TimeoutTests.test_nested_timeout_in_finally", "<3.9", _NO_THROW_CONTEXT),
    Skip("TimeoutTests.test_timeout_taskgroup", "<3.9", _NO_THROW_CONTEXT),
    Skip("TestCallStackC.*", "pypy",
         "PyPy has no C Task and Future (no _asyncio module): only the pure-Python class "
         "runs"),
    Skip("TestCallStackPy.*", "uvloop",
         "uvloop makes its tasks of the C Task class it imported, whatever the test swaps "
         "in for asyncio.Task, so the pure-Python current_task() and Future the class "
         "swaps in know none of them (the stdlib's asyncio.graph fails these too)"),
    Skip("TestCallStackPy.test_stack_tgroup", "cpython & <3.11", _COUNTING_CHILDREN),
    Skip("TestCallStackPy.test_stack_future", "cpython & <3.11", _COUNTING_CHILDREN),
    Skip("RunTests.test_asyncio_run_without_uncancel", "<3.10",
         "3.8-3.9's run_until_complete() of a coroutine (as every Runner's close() runs "
         "loop.shutdown_asyncgens()) reads _source_traceback of the task that the loop's "
         "task factory made, which the test's Task class lacks (3.10's ensure_future() no "
         "longer reads it): AttributeError whatever the Runner does"),
    Skip("RunnerTests.test_recursive_run", "pypy",
         "the 'coroutine ... was never awaited' RuntimeWarning comes when the coroutine is "
         "freed: at once with CPython's reference counting, only at a later garbage "
         "collection on PyPy, after the test's assertWarns has ended"),
    Skip("RunTests.test_loop_factory_default_event_loop", "uvloop",
         "asyncio.EventLoop stands for uvloop's loop under --loop uvloop, and the test "
         "checks that it is asyncio's SelectorEventLoop"),
    Skip("TimeoutTests.test_nested_timeouts", "uvloop",
         "flaky on uvloop, with the stdlib's timeout too (about 1 run in 7): uvloop turns "
         "call_at(when) into a millisecond libuv timer relative to the time of the call, so "
         "two timeouts with the same deadline may expire in different loop iterations, the "
         "inner one first"),
)
# fmt: on


class Env(NamedTuple):
    implementation: str  # "cpython", "pypy", ...
    version: Tuple[int, ...]  # (3, 12, 1)
    loop: str  # "asyncio" or "uvloop"
    impl: str  # "backport", "stdlib", "taskgroup"

    @classmethod
    def current(cls, loop: str = "asyncio", impl: str = "backport") -> Env:
        return cls(sys.implementation.name, tuple(sys.version_info[:3]), loop, impl)


_OPS = {"<": operator.lt, "<=": operator.le, ">": operator.gt, ">=": operator.ge, "==": operator.eq}
_VERSION_TERM = re.compile(r"^(<=|>=|<|>|==)?\s*(\d+(?:\.\d+){0,2})$")


def _term(term: str, env: Env) -> bool:
    term = term.strip()
    if term in ("cpython", "pypy"):
        return env.implementation == term
    if term in ("uvloop", "asyncio"):
        return env.loop == term
    if term.startswith("impl="):
        return env.impl == term[len("impl=") :]
    m = _VERSION_TERM.match(term)
    if not m:
        raise ValueError(f"bad condition term {term!r}")
    want = tuple(int(p) for p in m.group(2).split("."))
    return _OPS[m.group(1) or "=="](env.version[: len(want)], want)


def matches(condition: str, env: Env) -> bool:
    """Whether *condition* (see the module docstring) holds in *env*."""
    return any(
        all(_term(t, env) for t in alternative.split("&")) for alternative in condition.split("|")
    )


def skip_reason(test: str, env: Env, table: Sequence[Skip] = SKIPS) -> Optional[str]:
    """The reason *test* (``Class.method``) is skipped in *env*, or None."""
    for skip in table:
        if fnmatch.fnmatchcase(test, skip.tests) and matches(skip.where, env):
            return skip.reason
    return None
