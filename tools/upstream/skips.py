"""The one table of upstream tests that cannot pass on some interpreters, whatever the
implementation under test (TaskGroup, timeout, wait_for, as_completed, Runner) does, and
the little language of its conditions. For the exception-group names, which are the
interpreter's own classes from 3.11 and ``exceptiongroup``'s before, it also lists what the
builtins of an older 3.x or the ``exceptiongroup`` release in use do differently from 3.15,
each with the version that has it.

A test is named ``Class.method`` (fnmatch patterns allowed). A condition is one or more
alternatives separated by ``|``; an alternative is one or more terms joined by ``&``; a
term is one of:

* ``cpython``, ``pypy``: the interpreter's implementation;
* ``uvloop``, ``asyncio``: the event loop under test (``--loop``);
* ``impl=NAME``: the implementation under test (``--impl``);
* ``exceptiongroup<1.4`` (any comparison as below): the installed ``exceptiongroup``
  release; false where it is not installed;
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

_EG_MODULE = (
    "exceptiongroup 1.3.x's classes belong to the exceptiongroup module, so its "
    "format_exception()/print_exception() name them 'exceptiongroup.ExceptionGroup' (the "
    "builtins have no module to show); and before 3.11 frames have no column positions "
    "(PEP 657) for the '~~~^^' markers under the failing call"
)

_PREDICATE = (
    "the builtins of 3.11 and 3.12 take only a function as split()/subgroup()'s "
    "predicate, not any callable (an object with __call__, a bound method: gh-105730, 3.13)"
)

_WHOLE_LINE = (
    "3.11 and 3.12 draw no '~~~^^' markers under a call that spans the whole line (3.13 "
    "does), an interpreter detail of the report of any exception"
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
    # --- exception groups: test_exception_group.py -----------------------------------
    Skip("TestExceptionGroupTypeHierarchy.test_exception_is_not_generic_type", "<3.11",
         "tests the interpreter's own Exception class: before 3.11 subscripting a class says "
         "\"'type' object is not subscriptable\", without the class's name"),
    Skip("TestExceptionGroupTypeHierarchy.test_exception_group_is_generic_type",
         "<3.11 & exceptiongroup<1.4",
         "exceptiongroup 1.3.x's groups are typing.Generic classes: ExceptionGroup[E] is a "
         "typing._GenericAlias, not a types.GenericAlias (PEP 585, which 3.8 lacks)"),
    Skip("BadConstructorArgs.test_bad_EG_construction__too_many_args",
         "<3.11 & exceptiongroup<1.4",
         "exceptiongroup 1.3.x's __new__ is a Python function: a wrong number of arguments "
         "gets Python's message ('__new__() missing 1 required positional argument'), not "
         "the builtin's 'BaseExceptionGroup.__new__() takes exactly 2 arguments' (bpo-46431)"),
    Skip("NestedExceptionGroupSplitTest.test_split_does_not_copy_non_sequence_notes",
         "<3.11 & exceptiongroup<1.4",
         "exceptiongroup 1.3.x's split() copies __notes__ with list(): a __notes__ that is "
         "not a sequence raises TypeError there, where the builtin leaves it out of the parts"),
    Skip("StrAndReprTests.test_exceptions_mutation", "<3.14",
         "the repr shows the sequence the group was made with, as it was then, from 3.14 "
         "(gh-141732): the builtins of 3.11-3.13 show the sequence as it is now, and "
         "exceptiongroup 1.3.x a list copy of it"),
    Skip("StrAndReprTests.test_repr_small_size_args", "<3.14",
         "the repr of a group whose args were emptied or cut to one item shows its "
         "exceptions from 3.14 (gh-146096): 3.11-3.13 show args[1], and exceptiongroup "
         "1.3.x fails with IndexError"),
    Skip("StrAndReprTests.test_repr_raises", "<3.15",
         "3.15 takes the repr of the exceptions sequence when the group is made (gh-141732), "
         "so a failing __repr__ fails the constructor; 3.11-3.14's builtins and "
         "exceptiongroup 1.3.x take it only in repr()"),
    Skip("ExceptionGroupSplitTests.test_basics_split_by_predicate__*", ">=3.11 & <3.13",
         _PREDICATE),
    Skip("ExceptionGroupSubgroupTests.test_basics_subgroup_by_predicate__[np]*",
         ">=3.11 & <3.13", _PREDICATE),
    Skip("InstanceCreation.test_no_memory", "cpython & <3.15",
         "needs _testcapi.call_with_nomemory(), 3.15's test C API"),
    # --- test_traceback.py's exception-group tests ------------------------------------
    Skip("TracebackCases.test_format_exception_group*", "<3.13",
         "format_exception_only(show_group=True) is 3.13's (gh-105292, gh-111388): 3.11 and "
         "3.12's do not take it, and exceptiongroup 1.3.x's ignores it (and names the class "
         "'exceptiongroup.ExceptionGroup')"),
    Skip("TracebackCases.test_format_exception_group_syntax_error_with_custom_values",
         "3.13.0",
         "3.13.0's traceback fails on a SyntaxError whose details are not the usual types "
         "(gh-128894, fixed in a later 3.13)"),
    Skip("PyExcReportingTests.test_exception_group_*", "<3.11", _EG_MODULE),
    Skip("PyExcReportingTests.test_exception_group_wrapped_naked", "<3.13.1",
         "the report of a bare exception that except* wrapped in a group shows the "
         "except* line's frame from gh-128799 (3.13.1); the lowered except* before 3.11 "
         "does not make such a frame either"),
    Skip("PyExcReportingTests.test_exception_group_[bcn]*", ">=3.11 & <3.13", _WHOLE_LINE),
    Skip("PyExcReportingTests.test_exception_group_with_*notes", ">=3.11 & <3.13", _WHOLE_LINE),
)
# fmt: on


class Env(NamedTuple):
    implementation: str  # "cpython", "pypy", ...
    version: Tuple[int, ...]  # (3, 12, 1)
    loop: str  # "asyncio" or "uvloop"
    impl: str  # "backport", "stdlib", "taskgroup"
    exceptiongroup: Tuple[int, ...] = ()  # the installed release, () if none

    @classmethod
    def current(cls, loop: str = "asyncio", impl: str = "backport") -> Env:
        return cls(
            sys.implementation.name,
            tuple(sys.version_info[:3]),
            loop,
            impl,
            _release("exceptiongroup"),
        )


def _release(distribution: str) -> Tuple[int, ...]:
    """The installed release of *distribution* as numbers ((1, 3, 2)), () if none."""
    try:
        from importlib.metadata import PackageNotFoundError, version
    except ImportError:  # pragma: no cover (3.8+ has it)
        return ()
    try:
        text = version(distribution)
    except PackageNotFoundError:
        return ()
    return tuple(int(p) for p in re.findall(r"\d+", text.split("+")[0])[:3])


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
    if term.startswith("exceptiongroup"):
        m = _VERSION_TERM.match(term[len("exceptiongroup") :].strip())
        if not m:
            raise ValueError(f"bad condition term {term!r}")
        return bool(env.exceptiongroup) and _compare(m, env.exceptiongroup)
    m = _VERSION_TERM.match(term)
    if not m:
        raise ValueError(f"bad condition term {term!r}")
    return _compare(m, env.version)


def _compare(m: re.Match, version: Tuple[int, ...]) -> bool:  # type: ignore[type-arg]
    want = tuple(int(p) for p in m.group(2).split("."))
    return _OPS[m.group(1) or "=="](version[: len(want)], want)


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
