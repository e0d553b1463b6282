"""``python -m asyncio_compat``: the report, the self-check and their exit statuses."""

# The project writes ``assert expected == actual``.

from __future__ import annotations

import asyncio
import builtins
import contextlib
import importlib
import importlib.metadata
import json
import os
import platform
import subprocess
import sys
from typing import Any, Dict, List

import pytest

import asyncio_compat
from asyncio_compat import _selfcheck

CHECK_NAMES = [
    "taskgroup-error",
    "timeout-expires",
    "timeout-in-time",
    "taskgroup-cancel",
    "wait-for-expires",
    "wait-for-cancelled",
    "structured-gather",
    "structured-race",
]

try:
    import uvloop  # noqa: F401
except ImportError:
    HAVE_UVLOOP = False
else:
    HAVE_UVLOOP = True


def _env() -> Dict[str, str]:
    # The subprocess imports the asyncio_compat that this test process imported.
    env = dict(os.environ)
    here = os.path.dirname(os.path.dirname(os.path.abspath(asyncio_compat.__file__)))
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [here, env.get("PYTHONPATH")]))
    return env


def run_main(*args: str, code: str = "") -> subprocess.CompletedProcess[str]:
    """``python -W error -m asyncio_compat ARGS``; with *code*, run that first."""
    if code:
        command = [
            sys.executable,
            "-W",
            "error",
            "-c",
            code + "\nimport runpy\nrunpy.run_module('asyncio_compat', run_name='__main__')",
            *args,
        ]
    else:
        command = [sys.executable, "-W", "error", "-m", "asyncio_compat", *args]
    return subprocess.run(
        command,
        env=_env(),
        capture_output=True,
        text=True,
        timeout=50,
    )


def expected_names() -> Dict[str, List[str]]:
    """What each public name should be reported as, worked out here independently."""
    stdlib_homes = {
        "builtins": ["BaseExceptionGroup", "ExceptionGroup", "TimeoutError"],
        "asyncio": [
            "FrameCallGraphEntry",
            "FutureCallGraph",
            "capture_call_graph",
            "format_call_graph",
            "future_add_to_awaited_by",
            "future_discard_from_awaited_by",
            "print_call_graph",
            "Runner",
            "TaskGroup",
            "Timeout",
            "as_completed",
            "run",
            "timeout",
            "timeout_at",
            "wait_for",
        ],
        "traceback": [
            "format_exception",
            "format_exception_only",
            "print_exc",
            "print_exception",
        ],
        "contextlib": ["suppress"],
    }
    import exceptiongroup

    expected = {}
    for name in asyncio_compat.__all__:
        obj = getattr(asyncio_compat, name)
        for home, names in stdlib_homes.items():
            if name in names and getattr(importlib.import_module(home), name, None) is obj:
                expected[name] = ["stdlib", home]
                break
        else:
            if getattr(exceptiongroup, name, None) is obj:
                expected[name] = ["backport", "exceptiongroup"]
            else:
                expected[name] = ["backport", "asyncio_compat"]
    return expected


# --- the command, in a subprocess ---------------------------------------------------------


def test_report_and_checks_pass():
    """The plain report names the interpreter, the loop, every public name with where it
    comes from, the helpers, the dependencies, and the passing checks; exit status 0, nothing on
    stderr."""
    result = run_main()
    assert "" == result.stderr
    assert 0 == result.returncode
    lines = result.stdout.splitlines()
    assert lines[0].startswith("asyncio-compat " + asyncio_compat.__version__)
    assert platform.python_version() in lines[1]
    assert platform.python_implementation() in lines[1]
    assert lines[2].startswith("Event loop:  asyncio (")
    for name, (kind, package) in expected_names().items():
        row = [line.split() for line in lines if line.split()[:1] == [name]]
        assert [name, kind, package] == row[0][:3]
    exceptiongroup_version = importlib.metadata.version("exceptiongroup")
    assert ["exceptiongroup", exceptiongroup_version] in [line.split() for line in lines]
    checks = [line.split(":")[0].split() for line in lines if line.startswith("  ok ")]
    assert [["ok", name] for name in CHECK_NAMES] == checks
    assert f"{len(CHECK_NAMES)} checks: {len(CHECK_NAMES)} ok, 0 failed" == lines[-1]


def test_json_report():
    """--json prints one JSON document with the same content; exit status 0."""
    result = run_main("--json")
    assert "" == result.stderr
    assert 0 == result.returncode
    report = json.loads(result.stdout)
    assert asyncio_compat.__version__ == report["asyncio_compat"]["version"]
    assert platform.python_implementation() == report["python"]["implementation"]
    assert platform.python_version() == report["python"]["version"]
    assert "asyncio" == report["event_loop"]["name"]
    loop = asyncio.new_event_loop()
    try:
        loop_class = f"{type(loop).__module__}.{type(loop).__qualname__}"
    finally:
        loop.close()
    assert loop_class == report["event_loop"]["class"]
    actual = {name: [info["kind"], info["package"]] for name, info in report["names"].items()}
    assert expected_names() == actual
    assert list(asyncio_compat.__all__) == list(report["names"])
    assert importlib.metadata.version("exceptiongroup") == report["dependencies"]["exceptiongroup"]
    assert ["exceptiongroup", "typing-extensions", "uvloop"] == list(report["dependencies"])
    assert CHECK_NAMES == [check["name"] for check in report["checks"]]
    assert [True] * len(CHECK_NAMES) == [check["ok"] for check in report["checks"]]
    assert report["ok"] is True


def test_no_stdlib_equivalent_flagged():
    """Names that the stdlib does not have are marked so in both formats."""
    report = json.loads(run_main("--json").stdout)
    actual = sorted(name for name, info in report["names"].items() if not info["stdlib_equivalent"])
    assert ["add_note", "cancelling", "catch", "uncancel"] == actual
    text = run_main().stdout
    flagged = sorted(
        line.split()[0] for line in text.splitlines() if line.endswith("(not in the stdlib)")
    )
    assert actual == flagged


@pytest.mark.skipif(not HAVE_UVLOOP, reason="uvloop is not installed")
def test_uvloop():
    """--loop uvloop runs the checks on uvloop's loop."""
    result = run_main("--loop", "uvloop", "--json")
    assert "" == result.stderr
    assert 0 == result.returncode
    report = json.loads(result.stdout)
    assert {"name": "uvloop", "class": "uvloop.Loop"} == report["event_loop"]
    assert [True] * len(CHECK_NAMES) == [check["ok"] for check in report["checks"]]
    assert importlib.metadata.version("uvloop") == report["dependencies"]["uvloop"]


@pytest.mark.skipif(HAVE_UVLOOP, reason="uvloop is installed")
def test_uvloop_not_installed():
    """--loop uvloop without uvloop: a clear message on stderr and exit status 2."""
    result = run_main("--loop", "uvloop")
    assert 2 == result.returncode
    assert "" == result.stdout
    assert "--loop uvloop: uvloop is not installed" in result.stderr


def test_uvloop_missing_even_if_installed():
    """The missing-uvloop path, forced on every interpreter by hiding uvloop."""
    result = run_main("--loop", "uvloop", code="import sys; sys.modules['uvloop'] = None")
    assert 2 == result.returncode
    assert "" == result.stdout
    assert 1 == len(result.stderr.splitlines())
    assert result.stderr.startswith(
        "python -m asyncio_compat: error: --loop uvloop: uvloop is not installed"
    )


def test_help():
    """--help explains the command, its options and exit statuses; exit status 0."""
    result = run_main("--help")
    assert 0 == result.returncode
    assert result.stdout.startswith("usage: python -m asyncio_compat")
    for word in ["--loop", "--json", "--version", "uvloop", "Exit status", "self-check", "141"]:
        assert word in result.stdout


def test_help_lists_the_checks_that_run():
    """--help names every check that the self-check runs, with its description, and no
    other: the list comes from the checks themselves."""
    lines = run_main("--help").stdout.splitlines()
    header = (
        f"The self-check runs these {len(CHECK_NAMES)} checks, each in an event loop of its own:"
    )
    start = lines.index(header) + 1
    listed = [line.split(None, 1) for line in lines[start : start + len(CHECK_NAMES) + 1]]
    expected = [[check.name, check.description] for check in _selfcheck.CHECKS] + [[]]
    assert expected == listed
    assert CHECK_NAMES == [check.name for check in _selfcheck.CHECKS]


def test_help_follows_the_checks_given(capsys):
    """The list in --help is the list of checks that main() runs."""
    assert 0 == _selfcheck.main(["--help"], checks=[PASSING, FAILING])
    out = capsys.readouterr().out
    assert "The self-check runs these 2 checks, each in an event loop of its own:" in out
    assert "  passing  passes\n  failing  fails\n" in out
    assert "taskgroup-error" not in out


def test_version():
    """--version prints the package's version alone; exit status 0."""
    result = run_main("--version")
    assert "" == result.stderr
    assert 0 == result.returncode
    assert f"asyncio-compat {asyncio_compat.__version__}\n" == result.stdout


def run_into_closed_pipe(*args: str) -> subprocess.CompletedProcess[bytes]:
    """``python -W error -m asyncio_compat ARGS`` whose stdout is a pipe that nobody reads:
    its read end is closed before the command writes anything, as ``| head`` that has
    already exited would have it."""
    read_end, write_end = os.pipe()
    try:
        process = subprocess.Popen(
            [sys.executable, "-W", "error", "-m", "asyncio_compat", *args],
            stdout=write_end,
            stderr=subprocess.PIPE,
            env=_env(),
        )
    finally:
        os.close(write_end)
        os.close(read_end)
    _, stderr = process.communicate(timeout=50)
    return subprocess.CompletedProcess(process.args, process.returncode, b"", stderr)


@pytest.mark.parametrize("args", [(), ("--json",), ("--help",), ("--version",)])
def test_closed_pipe_exits_quietly(args):
    """Writing into a closed pipe (`| head` gone) prints no BrokenPipeError traceback and
    nothing else, and exits with status 141, as a shell reports for a program that
    SIGPIPE ended."""
    result = run_into_closed_pipe(*args)
    assert b"" == result.stderr
    assert 141 == result.returncode


@pytest.mark.skipif(sys.platform == "win32", reason="head is a POSIX command")
def test_json_into_head():
    """`python -m asyncio_compat --json | head -n 1`: head prints the first line, the
    command prints no error."""
    command = [sys.executable, "-W", "error", "-m", "asyncio_compat", "--json"]
    producer = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=_env())
    assert producer.stdout is not None
    head = subprocess.run(
        ["head", "-n", "1"], stdin=producer.stdout, capture_output=True, timeout=50
    )
    producer.stdout.close()  # only head reads the pipe, as in a shell
    _, stderr = producer.communicate(timeout=50)
    assert b"{\n" == head.stdout
    assert b"" == stderr
    # All of it may fit in the pipe before head exits: then nothing was lost.
    assert producer.returncode in (0, 141)


def test_bad_option():
    """An unknown loop is a usage error: exit status 2."""
    result = run_main("--loop", "trio")
    assert 2 == result.returncode
    assert "invalid choice" in result.stderr


# --- the check runner, in this process ----------------------------------------------------


async def _passes() -> str:
    await asyncio.sleep(0)
    return "fine"


async def _fails() -> str:
    await asyncio.sleep(0)
    raise AssertionError("the answer was 41")


async def _hangs() -> str:
    await asyncio.sleep(3600)
    return "never"


async def _raises_group() -> str:
    raise asyncio_compat.ExceptionGroup("several", [ValueError("v"), KeyError("k")])


PASSING = _selfcheck.Check("passing", "passes", _passes)
FAILING = _selfcheck.Check("failing", "fails", _fails)


def test_run_checks_default_all_pass():
    """The built-in checks pass on this interpreter's default loop."""
    results = _selfcheck.run_checks()
    assert CHECK_NAMES == [result.name for result in results]
    assert [] == [result for result in results if not result.ok]


def test_failing_check_exit_status(capsys):
    """One failing check: it is reported FAILED with its reason, the others ok, and the
    exit status is 1."""
    assert 1 == _selfcheck.main([], checks=[PASSING, FAILING])
    lines = capsys.readouterr().out.splitlines()
    assert "  ok      passing: fine" in lines
    assert "  FAILED  failing: AssertionError: the answer was 41" in lines
    assert "2 checks: 1 ok, 1 failed" == lines[-1]


def test_failing_check_json(capsys):
    """--json carries the failed check and ``ok: false``; exit status 1."""
    assert 1 == _selfcheck.main(["--json"], checks=[PASSING, FAILING])
    report = json.loads(capsys.readouterr().out)
    expected = [
        {"name": "passing", "ok": True, "detail": "fine"},
        {"name": "failing", "ok": False, "detail": "AssertionError: the answer was 41"},
    ]
    assert expected == report["checks"]
    assert report["ok"] is False


def test_passing_checks_exit_status(capsys):
    """Only passing checks: exit status 0."""
    assert 0 == _selfcheck.main([], checks=[PASSING])
    assert "1 checks: 1 ok, 0 failed" == capsys.readouterr().out.splitlines()[-1]


def test_hanging_check_fails():
    """A check that does not finish in time fails instead of hanging the command."""
    results = _selfcheck.run_checks([_selfcheck.Check("hang", "hangs", _hangs)], time_limit=0.05)
    assert [("hang", False, "did not finish within 0.05 s")] == [tuple(r) for r in results]


def test_exception_group_reason():
    """A check failing with an exception group lists the exceptions inside."""
    results = _selfcheck.run_checks([_selfcheck.Check("group", "group", _raises_group)])
    expected = "ExceptionGroup: several (2 sub-exceptions) [ValueError('v'), KeyError('k')]"
    assert [("group", False, expected)] == [tuple(r) for r in results]


class _BareErrorTaskGroup:
    """A broken TaskGroup: cancels the siblings but raises the first error bare."""

    async def __aenter__(self) -> _BareErrorTaskGroup:
        self._tasks: List[asyncio.Task[Any]] = []
        return self

    def create_task(self, coro: Any) -> asyncio.Task[Any]:
        task = asyncio.get_running_loop().create_task(coro)
        self._tasks.append(task)
        return task

    async def __aexit__(self, *exc_info: Any) -> None:
        done, pending = await asyncio.wait(self._tasks, return_when=asyncio.FIRST_EXCEPTION)
        for task in pending:
            task.cancel()
        await asyncio.wait(self._tasks)
        for task in done:
            if not task.cancelled() and task.exception() is not None:
                raise task.exception()  # type: ignore[misc]


@contextlib.asynccontextmanager
async def _never_expires(delay: Any) -> Any:
    yield asyncio_compat.Timeout(None) if hasattr(asyncio_compat, "Timeout") else None


def test_checks_catch_a_bare_error(monkeypatch):
    """The TaskGroup check fails if the error does not come as an ExceptionGroup."""
    monkeypatch.setattr(asyncio_compat, "TaskGroup", _BareErrorTaskGroup)
    (result,) = _selfcheck.run_checks([_selfcheck.CHECKS[0]], time_limit=5)
    assert ("taskgroup-error", False) == result[:2]
    assert result.detail.startswith("AssertionError: the TaskGroup raised ValueError('boom')")


def test_checks_catch_a_timeout_that_never_expires(monkeypatch):
    """The expiring-timeout check fails, within its time limit, if nothing expires."""
    monkeypatch.setattr(asyncio_compat, "timeout", _never_expires)
    (result,) = _selfcheck.run_checks([_selfcheck.CHECKS[1]], time_limit=0.1)
    assert ("timeout-expires", False, "did not finish within 0.1 s") == tuple(result)


def test_describe_names_is_truthful():
    """Each name reported as stdlib is the stdlib module's own object."""
    for name, info in _selfcheck.describe_names().items():
        obj = getattr(asyncio_compat, name)
        if info["kind"] == "stdlib":
            assert obj is getattr(importlib.import_module(info["package"]), name)
        else:
            assert info["package"] in ("asyncio_compat", "exceptiongroup")
            assert obj is not getattr(builtins, name, None)


def test_report_lists_the_helper_modules():
    """The report lists this package's own helper modules and their public names."""
    from asyncio_compat import structured, tasktree

    expected = {
        "asyncio_compat.structured": list(structured.__all__),
        "asyncio_compat.tasktree": list(tasktree.__all__),
    }
    actual = _selfcheck.describe_helpers()
    assert expected == actual
    lines = _selfcheck.format_report(
        _selfcheck.build_report("asyncio", None, checks=[])
    ).splitlines()
    assert f"  asyncio_compat.structured: {', '.join(structured.__all__)}" in lines
