"""``python -m asyncio_compat``: what this interpreter gets, and a live self-check.

The report says which Python this is, which event loop runs, which object each public
name is (the standard library's, or a backport, and from which package) and the
versions of the dependencies. Then the short programs of ``CHECKS`` run on this
interpreter and loop (``--help`` lists them); each prints ``ok`` or ``FAILED`` with the
reason. The exit statuses are ``EXIT_*`` below, and ``--help`` says them too.
"""

from __future__ import annotations

import argparse
import asyncio
import builtins
import contextlib
import importlib
import importlib.metadata
import json
import os
import platform
import sys
import traceback
from typing import Any, Awaitable, Callable, Dict, List, NamedTuple, Optional, Sequence

import asyncio_compat

from . import __version__

__all__ = ["CHECKS", "Check", "CheckResult", "main", "run_checks"]

PROG = "python -m asyncio_compat"

# The exit statuses. A closed standard output (`python -m asyncio_compat | head`) gives
# what a shell reports for a program that SIGPIPE ended, 128 + 13, as `cat` or `yes` would
# give: not 1, which says that a check failed.
EXIT_OK = 0
EXIT_FAILED = 1
EXIT_USAGE = 2
EXIT_BROKEN_PIPE = 141

# Where the standard library has each public name, on the interpreters that have it.
STDLIB_HOMES: Dict[str, str] = {
    "BaseExceptionGroup": "builtins",
    "ExceptionGroup": "builtins",
    "TimeoutError": "builtins",
    "Runner": "asyncio",
    "TaskGroup": "asyncio",
    "Timeout": "asyncio",
    "run": "asyncio",
    "timeout": "asyncio",
    "timeout_at": "asyncio",
    "wait_for": "asyncio",
    "as_completed": "asyncio",
    "FrameCallGraphEntry": "asyncio",
    "FutureCallGraph": "asyncio",
    "capture_call_graph": "asyncio",
    "format_call_graph": "asyncio",
    "print_call_graph": "asyncio",
    "future_add_to_awaited_by": "asyncio",
    "future_discard_from_awaited_by": "asyncio",
    "format_exception": "traceback",
    "format_exception_only": "traceback",
    "print_exc": "traceback",
    "print_exception": "traceback",
    "suppress": "contextlib",
}

DEPENDENCIES = ("exceptiongroup", "typing-extensions", "uvloop")

# This package's own helpers, not stdlib names: public modules loaded on first use.
HELPER_MODULES = ("asyncio_compat.structured", "asyncio_compat.tasktree")

# A check that has not finished by then has failed (a hang is a failure too).
CHECK_TIME_LIMIT = 5.0

# Short enough to keep the whole self-check well under a second.
SHORT = 0.01


class Check(NamedTuple):
    name: str
    description: str
    # Runs in the event loop; returns what it saw, raises AssertionError if wrong.
    function: Callable[[], Awaitable[str]]


class CheckResult(NamedTuple):
    name: str
    ok: bool
    detail: str

    def to_json(self) -> Dict[str, Any]:
        return {"name": self.name, "ok": self.ok, "detail": self.detail}


# --- the checks ---------------------------------------------------------------------------


def _current_task() -> asyncio.Task[Any]:
    task = asyncio.current_task()
    assert task is not None, "no current task"
    return task


def _no_requests_left(who: str) -> None:
    left = asyncio_compat.cancelling(_current_task())
    assert left == 0, f"the {who} is left with {left} cancellation requests"


async def _sleep_until_cancelled(cancelled: List[str], name: str) -> None:
    try:
        await asyncio.sleep(3600)
    except asyncio.CancelledError:
        cancelled.append(name)
        raise


async def check_taskgroup_error() -> str:
    """One task of a TaskGroup fails: its siblings are cancelled and the error comes out
    in an ExceptionGroup, which ``catch()`` handles."""
    cancelled: List[str] = []
    handled: List[BaseException] = []

    async def fail() -> None:
        await asyncio.sleep(0)
        raise ValueError("boom")

    raised: List[BaseException] = []
    siblings: List[asyncio.Task[None]] = []
    with asyncio_compat.catch({ValueError: handled.append}):
        try:
            async with asyncio_compat.TaskGroup() as tg:
                for name in ("a", "b"):
                    siblings.append(tg.create_task(_sleep_until_cancelled(cancelled, name)))
                tg.create_task(fail())
        except BaseException as exc:
            raised.append(exc)
            raise
        raise AssertionError("the TaskGroup raised nothing")

    assert isinstance(raised[0], asyncio_compat.ExceptionGroup), (
        f"the TaskGroup raised {raised[0]!r}, not an ExceptionGroup"
    )
    errors = [repr(exc) for exc in raised[0].exceptions]
    assert errors == ["ValueError('boom')"], f"the ExceptionGroup holds {errors}"
    assert len(handled) == 1, f"catch() called its handler {len(handled)} times"
    assert sorted(cancelled) == ["a", "b"], f"siblings cancelled: {sorted(cancelled)}"
    assert all(task.cancelled() for task in siblings), "a sibling is not cancelled"
    _no_requests_left("parent task")
    return "2 siblings cancelled; ValueError('boom') handled from the ExceptionGroup by catch()"


async def check_timeout_expires() -> str:
    """A timeout that expires raises ``asyncio_compat.TimeoutError``, which also is
    ``asyncio.TimeoutError`` and the builtin ``TimeoutError``."""
    body: List[str] = []
    cm = asyncio_compat.timeout(SHORT)
    try:
        async with cm:
            try:
                await asyncio.sleep(3600)
            except asyncio.CancelledError:
                body.append("cancelled")
                raise
    except asyncio_compat.TimeoutError as exc:
        error: BaseException = exc
    else:
        raise AssertionError("no TimeoutError")
    assert isinstance(error, asyncio.TimeoutError), "not an asyncio.TimeoutError"
    assert isinstance(error, builtins.TimeoutError), "not a builtin TimeoutError"
    assert body == ["cancelled"], "the body was not cancelled"
    assert cm.expired(), "expired() is False"
    _no_requests_left("task")
    return f"{type(error).__name__} raised after {SHORT * 1000:.0f} ms; expired() is True"


async def check_timeout_not_expired() -> str:
    """A timeout whose body finishes in time changes nothing, and cancels nothing later."""
    async with asyncio_compat.timeout(SHORT) as cm:
        await asyncio.sleep(0)
        result = "done"
    assert not cm.expired(), "expired() is True"
    # Past the deadline: a leftover cancellation would strike here.
    await asyncio.sleep(2 * SHORT)
    _no_requests_left("task")
    return f"body finished ({result!r}); no cancellation after the deadline"


async def check_taskgroup_cancel() -> str:
    """``TaskGroup.cancel()`` cancels the tasks and the body, and the group ends without
    an error."""
    cancelled: List[str] = []
    async with asyncio_compat.TaskGroup() as tg:
        child = tg.create_task(_sleep_until_cancelled(cancelled, "child"))
        await asyncio.sleep(0)
        tg.cancel()
        await _sleep_until_cancelled(cancelled, "body")
    assert cancelled == ["child", "body"], f"cancelled: {cancelled}"
    assert child.cancelled(), "the child is not cancelled"
    _no_requests_left("parent task")
    return "child and body cancelled; the group ended without an error"


async def check_wait_for_expires() -> str:
    """An expiring ``wait_for`` cancels its coroutine, waits for its cleanup, and raises
    ``asyncio_compat.TimeoutError``."""
    cleanup: List[str] = []

    async def slow() -> None:
        try:
            await asyncio.sleep(3600)
        except asyncio.CancelledError:
            await asyncio.sleep(0)
            cleanup.append("done")
            raise

    try:
        await asyncio_compat.wait_for(slow(), SHORT)
    except asyncio_compat.TimeoutError as exc:
        error: BaseException = exc
    else:
        raise AssertionError("no TimeoutError")
    assert isinstance(error, asyncio.TimeoutError), "not an asyncio.TimeoutError"
    assert cleanup == ["done"], "wait_for returned before the cleanup ended"
    _no_requests_left("task")
    return f"{type(error).__name__} raised after the coroutine's cleanup"


async def check_wait_for_cancelled() -> str:
    """A caller cancelled while its ``wait_for`` waits is cancelled, even when the awaited
    task finishes in the same loop iteration (gh-86296), and the task does not outlive it."""
    loop = asyncio.get_running_loop()
    inner: asyncio.Future[str] = loop.create_future()
    reached: List[str] = []

    async def caller() -> None:
        await asyncio_compat.wait_for(inner, 3600)
        reached.append("after wait_for")

    task = asyncio.ensure_future(caller())
    await asyncio.sleep(0)
    inner.set_result("result")
    task.cancel()
    with contextlib.suppress(asyncio.CancelledError):
        await task
    assert task.cancelled(), "the cancellation was swallowed"
    assert not reached, "code after wait_for ran in a cancelled task"
    blocked = loop.create_future()
    task = asyncio.ensure_future(asyncio_compat.wait_for(blocked, 3600))
    await asyncio.sleep(0)
    task.cancel()
    with contextlib.suppress(asyncio.CancelledError):
        await task
    assert blocked.cancelled(), "the awaited future was not cancelled"
    return "cancelled, not swallowed when the result raced it; the awaited future cancelled"


async def check_structured_gather() -> str:
    """``structured.gather`` gives the results in argument order; a failure cancels the
    sibling, which is awaited, and comes out in the group's ``ExceptionGroup``."""
    from . import structured

    results = await structured.gather(asyncio.sleep(SHORT, result="a"), asyncio.sleep(0, 1))
    assert results == ("a", 1), f"results {results!r}"
    cancelled: List[str] = []

    async def fail() -> None:
        await asyncio.sleep(0)
        raise ValueError("boom")

    try:
        await structured.gather(_sleep_until_cancelled(cancelled, "sibling"), fail())
    except asyncio_compat.ExceptionGroup as group:
        errors = [repr(e) for e in group.exceptions]
    else:
        raise AssertionError("no ExceptionGroup")
    assert errors == ["ValueError('boom')"], f"the group holds {errors}"
    assert cancelled == ["sibling"], "the sibling was not cancelled and awaited"
    _no_requests_left("task")
    return f"results {results!r} in argument order; ValueError('boom') cancelled the sibling"


async def check_structured_race() -> str:
    """``structured.race`` returns the first success, past a contestant that fails, and
    cancels and awaits the others."""
    from . import structured

    cancelled: List[str] = []

    async def refused() -> str:
        raise ConnectionError("refused")

    async def slow() -> str:
        await _sleep_until_cancelled(cancelled, "slow")
        return "slow"

    winner = await structured.race(refused(), slow(), asyncio.sleep(SHORT, result="fast"))
    assert winner == "fast", f"{winner!r} won"
    assert cancelled == ["slow"], "'slow' was not cancelled and awaited"
    await asyncio.sleep(0)
    _no_requests_left("task")
    return "'fast' won after ConnectionError('refused'); 'slow' cancelled and awaited"


CHECKS: List[Check] = [
    Check("taskgroup-error", "a failing task in a TaskGroup", check_taskgroup_error),
    Check("timeout-expires", "a timeout that expires", check_timeout_expires),
    Check("timeout-in-time", "a timeout that does not expire", check_timeout_not_expired),
    Check("taskgroup-cancel", "TaskGroup.cancel()", check_taskgroup_cancel),
    Check("wait-for-expires", "a wait_for that expires", check_wait_for_expires),
    Check("wait-for-cancelled", "a wait_for cancelled from outside", check_wait_for_cancelled),
    Check("structured-gather", "structured.gather()", check_structured_gather),
    Check("structured-race", "structured.race()", check_structured_race),
]


# --- running them -------------------------------------------------------------------------


class _TooSlow(Exception):
    pass


async def _guarded(function: Callable[[], Awaitable[str]], limit: float) -> str:
    task = asyncio.ensure_future(function())
    done, _ = await asyncio.wait({task}, timeout=limit)
    if not done:
        task.cancel()
        await asyncio.wait({task}, timeout=1)
        raise _TooSlow(f"did not finish within {limit:g} s")
    return task.result()


def _describe(exc: BaseException) -> str:
    text = f"{type(exc).__name__}: {exc}" if str(exc) else type(exc).__name__
    if isinstance(exc, _TooSlow):
        text = str(exc)
    inner = getattr(exc, "exceptions", None)
    if isinstance(inner, tuple) and inner:
        text += " [" + ", ".join(repr(e) for e in inner) + "]"
    return text


def run_checks(
    checks: Optional[Sequence[Check]] = None,
    *,
    loop_factory: Optional[Callable[[], asyncio.AbstractEventLoop]] = None,
    time_limit: float = CHECK_TIME_LIMIT,
) -> List[CheckResult]:
    """Run each check in an event loop of its own; return what each gave."""
    results = []
    for check in CHECKS if checks is None else checks:
        try:
            detail = asyncio_compat.run(
                _guarded(check.function, time_limit), loop_factory=loop_factory
            )
        except (KeyboardInterrupt, SystemExit):
            raise
        except BaseException as exc:
            results.append(CheckResult(check.name, False, _describe(exc)))
        else:
            results.append(CheckResult(check.name, True, detail))
    return results


# --- the report ---------------------------------------------------------------------------


def _package_of(obj: Any) -> str:
    module = getattr(obj, "__module__", None) or ""
    return module.split(".")[0] or "?"


def describe_names() -> Dict[str, Dict[str, Any]]:
    """For each public name: ``stdlib`` or ``backport``, and the package it comes from."""
    names: Dict[str, Dict[str, Any]] = {}
    for name in asyncio_compat.__all__:
        obj = getattr(asyncio_compat, name)
        home = STDLIB_HOMES.get(name)
        if home is not None and getattr(importlib.import_module(home), name, None) is obj:
            names[name] = {"kind": "stdlib", "package": home, "stdlib_equivalent": True}
            continue
        package = _package_of(obj)
        with contextlib.suppress(ImportError):
            import exceptiongroup

            if getattr(exceptiongroup, name, None) is obj:
                package = "exceptiongroup"
        names[name] = {
            "kind": "backport",
            "package": package,
            "stdlib_equivalent": home is not None,
        }
    return names


def describe_helpers() -> Dict[str, List[str]]:
    """Each helper module and its public names."""
    return {module: list(importlib.import_module(module).__all__) for module in HELPER_MODULES}


def dependency_versions() -> Dict[str, Optional[str]]:
    versions: Dict[str, Optional[str]] = {}
    for dist in DEPENDENCIES:
        try:
            versions[dist] = importlib.metadata.version(dist)
        except importlib.metadata.PackageNotFoundError:
            versions[dist] = None
    return versions


def python_info() -> Dict[str, str]:
    info = {
        "implementation": platform.python_implementation(),
        "version": platform.python_version(),
        "executable": sys.executable,
    }
    pypy = getattr(sys, "pypy_version_info", None)
    if pypy is not None:
        info["implementation_version"] = ".".join(str(part) for part in pypy[:3])
    return info


def _loop_class(loop_factory: Optional[Callable[[], asyncio.AbstractEventLoop]]) -> str:
    loop = loop_factory() if loop_factory is not None else asyncio.new_event_loop()
    try:
        cls = type(loop)
        return f"{cls.__module__}.{cls.__qualname__}"
    finally:
        loop.close()


def _uvloop_factory() -> Optional[Callable[[], asyncio.AbstractEventLoop]]:
    try:
        uvloop = importlib.import_module("uvloop")  # not a dependency: no static import
    except ImportError:
        return None
    factory: Callable[[], asyncio.AbstractEventLoop] = uvloop.new_event_loop
    return factory


def _uvloop_missing() -> str:
    message = (
        f"{PROG}: error: --loop uvloop: uvloop is not installed for this interpreter "
        f"({sys.executable})"
    )
    if platform.python_implementation() == "CPython" and sys.platform != "win32":
        return message + f"; install it with: {sys.executable} -m pip install uvloop"
    return message + "; uvloop runs on CPython on Linux and macOS only"


def build_report(
    loop_name: str,
    loop_factory: Optional[Callable[[], asyncio.AbstractEventLoop]],
    checks: Optional[Sequence[Check]] = None,
) -> Dict[str, Any]:
    results = run_checks(checks, loop_factory=loop_factory)
    return {
        "asyncio_compat": {
            "version": __version__,
            "location": os.path.dirname(os.path.abspath(asyncio_compat.__file__)),
        },
        "python": python_info(),
        "event_loop": {"name": loop_name, "class": _loop_class(loop_factory)},
        "names": describe_names(),
        "helpers": describe_helpers(),
        "dependencies": dependency_versions(),
        "checks": [result.to_json() for result in results],
        "ok": all(result.ok for result in results),
    }


def format_report(report: Dict[str, Any]) -> str:
    python = report["python"]
    if "implementation_version" in python:
        implementation = (
            f"{python['implementation']} {python['implementation_version']}"
            f" (Python {python['version']})"
        )
    else:
        implementation = f"{python['implementation']} {python['version']}"
    lines = [
        f"asyncio-compat {report['asyncio_compat']['version']}"
        f" ({report['asyncio_compat']['location']})",
        f"Python:      {implementation}, {python['executable']}",
        f"Event loop:  {report['event_loop']['name']} ({report['event_loop']['class']})",
        "",
        "Public names:",
    ]
    width = max(len(name) for name in report["names"])
    for name, info in report["names"].items():
        line = f"  {name:<{width}}  {info['kind']:<8}  {info['package']}"
        if not info["stdlib_equivalent"]:
            line += "  (not in the stdlib)"
        lines.append(line.rstrip())
    lines += ["", "Helpers (this package's own, loaded on first use):"]
    for module, names in report["helpers"].items():
        lines.append(f"  {module}: {', '.join(names)}")
    lines += ["", "Dependencies:"]
    width = max(len(dist) for dist in report["dependencies"])
    for dist, version in report["dependencies"].items():
        lines.append(f"  {dist:<{width}}  {version or 'not installed'}")
    lines += ["", "Self-check:"]
    for check in report["checks"]:
        status = "ok" if check["ok"] else "FAILED"
        lines.append(f"  {status:<6}  {check['name']}: {check['detail']}")
    failed = sum(1 for check in report["checks"] if not check["ok"])
    total = len(report["checks"])
    lines.append(f"{total} checks: {total - failed} ok, {failed} failed")
    return "\n".join(lines)


def _checks_help(checks: Sequence[Check]) -> str:
    width = max((len(check.name) for check in checks), default=0)
    lines = [f"The self-check runs these {len(checks)} checks, each in an event loop of its own:"]
    lines += [f"  {check.name:<{width}}  {check.description}" for check in checks]
    return "\n".join(lines)


def _parser(checks: Sequence[Check]) -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog=PROG,
        # argparse's own --help and --version ignore a closed stdout on 3.14+ (and not
        # before): printed here instead, they exit as the report does, on every version.
        add_help=False,
        # The lists below are laid out by hand; the text around them is short enough.
        formatter_class=argparse.RawDescriptionHelpFormatter,
        description=(
            "Report what asyncio-compat gives on this interpreter -- for each public name,\n"
            "the standard library's object or the backport, and from which package -- and\n"
            "run a short live self-check.\n\n" + _checks_help(checks)
        ),
        epilog=(
            "Exit status:\n"
            f"  {EXIT_OK}    every check passed\n"
            f"  {EXIT_FAILED}    a check failed\n"
            f"  {EXIT_USAGE}    a usage error (such as --loop uvloop without uvloop installed)\n"
            f"  {EXIT_BROKEN_PIPE}  the output was closed early, as by `| head`, and nothing more\n"
            "       is printed (128 + SIGPIPE: what a shell reports for `cat` then)"
        ),
    )
    parser.add_argument("-h", "--help", action="store_true", help="show this help message and exit")
    parser.add_argument(
        "--version", action="store_true", help="print the version of asyncio-compat and exit"
    )
    parser.add_argument(
        "--loop",
        choices=("asyncio", "uvloop"),
        default="asyncio",
        help="the event loop to run the checks on (default: asyncio's default loop)",
    )
    parser.add_argument(
        "--json",
        action="store_true",
        help="print the report, check results included, as JSON",
    )
    return parser


def _silence_stdout() -> None:
    # Whatever is still buffered for the closed pipe would be flushed again at exit, and
    # that error printed: send it to the null device instead.
    with contextlib.suppress(OSError, ValueError, AttributeError):
        devnull = os.open(os.devnull, os.O_WRONLY)
        try:
            os.dup2(devnull, sys.stdout.fileno())
        finally:
            os.close(devnull)


def main(argv: Optional[Sequence[str]] = None, *, checks: Optional[Sequence[Check]] = None) -> int:
    """The command line; returns the exit status (``EXIT_*``)."""
    try:
        try:
            return _main(argv, CHECKS if checks is None else checks)
        finally:
            # A reader that went away is found here, and not by the flush at exit, which
            # could only print the error.
            sys.stdout.flush()
    except BrokenPipeError:
        _silence_stdout()
        return EXIT_BROKEN_PIPE


def _main(argv: Optional[Sequence[str]], checks: Sequence[Check]) -> int:
    parser = _parser(checks)
    args = parser.parse_args(argv)
    if args.help:
        print(parser.format_help(), end="")
        return EXIT_OK
    if args.version:
        print(f"asyncio-compat {__version__}")
        return EXIT_OK
    loop_factory = None
    if args.loop == "uvloop":
        loop_factory = _uvloop_factory()
        if loop_factory is None:
            print(_uvloop_missing(), file=sys.stderr)
            return EXIT_USAGE
    try:
        report = build_report(args.loop, loop_factory, checks)
    except Exception:  # the report itself broke: say so rather than hide it
        traceback.print_exc()
        return EXIT_FAILED
    if args.json:
        print(json.dumps(report, indent=2))
    else:
        print(format_report(report))
    return EXIT_OK if report["ok"] else EXIT_FAILED
