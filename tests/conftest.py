"""The plumbing of the shared behaviour suite.

Every test that takes the ``impl`` fixture runs once per implementation available on
this interpreter -- ``asyncio_compat.backport`` everywhere, the stdlib's own objects
from 3.11 -- and, through ``run``, once per event loop (asyncio's, and uvloop's where
it is installed). Test ids read ``[backport-asyncio]``, ``[stdlib-uvloop]``, ...

Where the stdlib of this interpreter is older than the newest CPython's behaviour a
test pins, the test says so with ``@pytest.mark.newest("gh-NNNN")``; the table
``FIXED_IN`` below is the one place that says in which CPython each change landed.
The stdlib run of such a test is then a strict expected failure, and the backport
must pass it everywhere. This table is also what justifies the gates in
``asyncio_compat/__init__.py``.
"""

from __future__ import annotations

import asyncio
import gc
import importlib
import sys
import types
from typing import Any, Callable, Coroutine, Dict, List, Tuple, TypeVar

import pytest

from asyncio_compat import backport

_T = TypeVar("_T")

# CPython change -> the first release whose stdlib has it.
FIXED_IN: Dict[str, Tuple[int, ...]] = {
    "gh-108951": (3, 15),  # TaskGroup.cancel()
    "gh-155418": (3, 15),  # an eager child cancelling the group before its first suspension
    "gh-155433": (3, 15),  # an outside cancellation arriving after cancel() propagates
    "gh-135736": (3, 15),  # a GeneratorExit out of the body propagates bare
    "gh-115957": (3, 13),  # create_task() on an inactive group closes the coroutine
    "gh-116720": (3, 13),  # uncancel() reaching zero withdraws a pending cancellation
    "gh-96037": (3, 13),  # TimeoutError kept in the context of a replacing exception
    "gh-128550": (3, 14),  # a child failing eagerly does not cancel the parent too early
    "gh-128552": (3, 14),  # no refcycle through an eager child's traceback
    "refcycles": (3, 14),  # gh-124392 and friends: a failed group leaves no reference cycle
    "gh-96764": (3, 12),  # wait_for is timeout() around an await: no inner task (gh-86296)
    "gh-77714": (3, 13),  # as_completed is also an async iterator, yielding the given tasks
    # as_completed: a cancelled wait gives its place back, so no result is lost (gh-158004:
    # 3.14.9 and 3.15.1; 3.15.0 lacks it, which this one threshold cannot say)
    "as_completed-cancelled-wait": (3, 14, 9),
    # Runner.run() and run() take any awaitable; TypeError for the rest, after the
    # running-loop check
    "gh-120284": (3, 14),
    "gh-112559": (3, 13),  # Runner.run() never calls repr() on the result
    # as_completed() with no running loop raises RuntimeError: gh-126353 (get_event_loop()
    # makes no loop) and gh-91048 (the iterator asks for the current task)
    "as_completed-needs-a-running-loop": (3, 14),
}


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--compare-with",
        metavar="MODULE",
        default=None,
        help="also run the shared suite against MODULE's TaskGroup/timeout/timeout_at/Timeout "
        "(e.g. the taskgroup package) and report where it differs, without failing the run",
    )


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers",
        "newest(change): pins behaviour that CPython's stdlib has only from the release "
        "FIXED_IN[change] names; the stdlib run before it is a strict xfail",
    )


class Impl(types.SimpleNamespace):
    name: str
    TaskGroup: Any
    timeout: Any
    timeout_at: Any
    Timeout: Any
    cancelling: Callable[[Any], int]
    uncancel: Callable[[Any], int]
    wait_for: Any
    as_completed: Any


IMPLS: List[Impl] = [
    Impl(
        name="backport",
        TaskGroup=backport.TaskGroup,
        timeout=backport.timeout,
        timeout_at=backport.timeout_at,
        Timeout=backport.Timeout,
        cancelling=backport.cancelling,
        uncancel=backport.uncancel,
        wait_for=backport.wait_for,
        as_completed=backport.as_completed,
    )
]
if sys.version_info >= (3, 11):  # 3.11+: the stdlib has TaskGroup and timeout to compare
    IMPLS.append(
        Impl(
            name="stdlib",
            TaskGroup=asyncio.TaskGroup,
            timeout=asyncio.timeout,
            timeout_at=asyncio.timeout_at,
            Timeout=asyncio.Timeout,
            cancelling=lambda task: task.cancelling(),
            uncancel=lambda task: task.uncancel(),
            wait_for=asyncio.wait_for,
            as_completed=asyncio.as_completed,
        )
    )


def _third_party(module_name: str) -> Impl:
    module = importlib.import_module(module_name)

    def method(name: str) -> Callable[[Any], int]:
        function = getattr(module, name, None)
        if function is not None:
            return function  # type: ignore[no-any-return]
        return lambda task: getattr(task, name)()

    return Impl(
        name=f"compare:{module_name}",
        TaskGroup=module.TaskGroup,
        timeout=module.timeout,
        timeout_at=getattr(module, "timeout_at", None),
        Timeout=getattr(module, "Timeout", None),
        cancelling=method("cancelling"),
        uncancel=method("uncancel"),
        wait_for=getattr(module, "wait_for", asyncio.wait_for),
        as_completed=getattr(module, "as_completed", asyncio.as_completed),
    )


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    if "impl" not in metafunc.fixturenames:
        return
    impls = list(IMPLS)
    compare_with = metafunc.config.getoption("--compare-with")
    if compare_with:
        impls.append(_third_party(compare_with))
    metafunc.parametrize("impl", impls, ids=[i.name for i in impls], indirect=True)


def pytest_collection_modifyitems(config: pytest.Config, items: List[pytest.Item]) -> None:
    # A third-party implementation may hang where ours must not: give it a short leash.
    for item in items:
        callspec = getattr(item, "callspec", None)
        if callspec is not None and str(callspec.id).startswith("compare:"):
            item.add_marker(pytest.mark.timeout(10))


def pytest_terminal_summary(terminalreporter: Any) -> None:
    compared = [
        report
        for kind in ("xfailed", "xpassed")
        for report in terminalreporter.stats.get(kind, [])
        if "compare:" in report.nodeid
    ]
    if not compared:
        return
    differs = sorted(r.nodeid for r in compared if r.outcome == "skipped")
    terminalreporter.section("comparison with --compare-with")
    terminalreporter.write_line(
        f"{len(compared) - len(differs)} of {len(compared)} tests behave as the newest CPython; "
        f"{len(differs)} differ:"
    )
    for nodeid in differs:
        terminalreporter.write_line(f"  {nodeid}")


LOOPS: List[str] = ["asyncio"]
try:
    import uvloop  # noqa: F401
except ImportError:
    pass
else:
    LOOPS.append("uvloop")


@pytest.fixture
def impl(request: pytest.FixtureRequest) -> Impl:
    """The implementation under test; the stdlib one xfails where it is too old, and a
    ``--compare-with`` one where it differs, without failing the run."""
    chosen: Impl = request.param
    if chosen.name.startswith("compare:"):
        request.applymarker(pytest.mark.xfail(strict=False, reason="compared implementation"))
        return chosen
    marker = request.node.get_closest_marker("newest")
    if chosen.name == "stdlib" and marker is not None:
        for change in marker.args:
            if sys.version_info < FIXED_IN[change]:
                request.applymarker(
                    pytest.mark.xfail(
                        strict=True, reason=f"{change} is in the stdlib from {FIXED_IN[change]}"
                    )
                )
                break
    return chosen


def _new_loop(kind: str) -> asyncio.AbstractEventLoop:
    if kind == "uvloop":
        import uvloop

        return uvloop.new_event_loop()
    return asyncio.new_event_loop()


def _code_file(cls: type) -> str:
    # The file of a TaskGroup class's code (the backport's __module__ is the public one).
    return sys.modules[cls.__aexit__.__module__].__file__ or ""  # type: ignore[attr-defined]


# The TaskGroup classes that must leave no cycle, and the files of their code.
CLEAN_GROUPS: Tuple[type, ...] = (backport.TaskGroup,)
if sys.version_info >= FIXED_IN["refcycles"]:
    CLEAN_GROUPS += (asyncio.TaskGroup,)  # type: ignore[attr-defined]
CLEAN_GROUP_FILES = {_code_file(cls) for cls in CLEAN_GROUPS}
BACKPORT_FILE = _code_file(backport.TaskGroup)

# Locals of the stdlib's TaskGroup code that do hold an error in a cycle, in a release the
# check otherwise covers. The backport has none of them.
STDLIB_CYCLES = {
    # 3.15 (gh-155433's change): _aexit() keeps the CancelledError it caught while
    # waiting, and its frame is in that error's traceback when it propagates.
    "pending_cancellation_error",
    # 3.15, a child's KeyboardInterrupt/SystemExit on uvloop: _aexit() raises the base
    # error with the CancelledError it caught still in this local.
    "propagate_cancellation_error",
}


def _held(value: Any) -> bool:
    # An error or a task, alone or in a list or set of them.
    if isinstance(value, (list, set, tuple)):
        return any(_held(v) for v in value)
    return isinstance(value, (BaseException, asyncio.Future))


def group_cycles() -> List[str]:
    """Collect the garbage; return what in it a TaskGroup holds: a cycle through a group
    (its attributes) or through its code (a frame of it, in a traceback) that keeps an
    error or a task alive. A cycle of the test's own (``pytest.raises(...) as info``
    inside a coroutine) may hold a group: only what the group itself still holds counts.
    """
    if sys.implementation.name != "cpython":
        gc.collect()
        return []
    gc.set_debug(gc.DEBUG_SAVEALL)
    try:
        gc.collect()
        found = []
        for obj in gc.garbage:
            if isinstance(obj, CLEAN_GROUPS):
                held = sorted(k for k, v in vars(obj).items() if _held(v))
                if held:
                    found.append(f"{type(obj).__module__}.TaskGroup keeps {held}")
            elif isinstance(obj, types.FrameType) and obj.f_code.co_filename in CLEAN_GROUP_FILES:
                known = STDLIB_CYCLES if obj.f_code.co_filename != BACKPORT_FILE else set()
                items = obj.f_locals.items()
                held = sorted(k for k, v in items if _held(v) and k not in known)
                if held:
                    found.append(f"frame of {obj.f_code.co_name}() keeps {held}")
        return found
    finally:
        gc.set_debug(0)
        gc.garbage.clear()
        gc.collect()


class Runner:
    """Runs a test's coroutine on a fresh loop and checks the loop's hygiene after it.

    - no task of the loop is left pending when the coroutine returns;
    - nothing reaches the loop's exception handler (a task destroyed while pending,
      an exception never retrieved) unless the test takes it from ``handled``;
    - warnings are errors (pytest's ``filterwarnings``), so a coroutine never awaited
      fails the test;
    - after the test, no reference cycle through a TaskGroup keeps an error or a task
      alive (``group_cycles``; CPython only, the stdlib's groups from 3.14).
    """

    def __init__(self, loop_kind: str) -> None:
        self.loop_kind = loop_kind
        self.handled: List[Dict[str, Any]] = []
        self.cycles: List[str] = []

    def __call__(self, coro: Coroutine[Any, Any, _T], *, debug: bool = False) -> _T:
        loop = _new_loop(self.loop_kind)
        loop.set_debug(debug)
        loop.set_exception_handler(lambda _loop, context: self.handled.append(context))
        try:
            result = loop.run_until_complete(coro)
            pending = [t for t in asyncio.all_tasks(loop) if not t.done()]
            assert [] == pending, "tasks left pending"
            return result
        finally:
            leftover = [t for t in asyncio.all_tasks(loop) if not t.done()]
            for t in leftover:
                t.cancel()
            if leftover:
                loop.run_until_complete(asyncio.gather(*leftover, return_exceptions=True))
            loop.run_until_complete(loop.shutdown_asyncgens())
            loop.close()
            del loop

    def collect(self) -> List[str]:
        """Collect the garbage now; return (and forget) what ``group_cycles`` found."""
        return group_cycles()

    def check(self) -> None:
        assert [] == [c.get("message") for c in self.handled], "loop exception handler called"
        assert [] == self.cycles, "garbage cycle through a TaskGroup"


@pytest.fixture(params=LOOPS)
def run(request: pytest.FixtureRequest) -> Any:
    """``run(coro)`` runs *coro* to completion on a fresh loop of the parametrized kind."""
    runner = Runner(request.param)
    if sys.implementation.name == "cpython":
        # What exists now is not the test's: freeze it, so that the check's collections
        # look at the test's objects only (a full collection of the session costs ~20 ms).
        gc.collect()
        gc.freeze()
    # No automatic collection until the check: it would free cycles before they are seen.
    gc.disable()
    try:
        yield runner
        runner.cycles += group_cycles()
    finally:
        gc.enable()
        if sys.implementation.name == "cpython":
            gc.unfreeze()  # gc.get_referrers() does not see frozen objects
    runner.check()


@pytest.fixture
def loop_kind(run: Runner) -> str:
    return run.loop_kind


async def _drive_without_task(coro: Any) -> Any:
    # Step a coroutine by hand from a loop callback, where there is no current task.
    loop = asyncio.get_running_loop()
    fut = loop.create_future()

    def step() -> None:
        try:
            coro.send(None)
        except StopIteration as stop:
            fut.set_result(stop.value)
        except BaseException as exc:
            fut.set_exception(exc)

    loop.call_soon(step)
    return await fut


@pytest.fixture
def without_task() -> Callable[[Any], Any]:
    """``await without_task(coro)`` runs one step of *coro* outside any task."""
    return _drive_without_task
