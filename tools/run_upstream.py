#!/usr/bin/env python3
"""Run CPython's own TaskGroup, timeout, wait_for, as_completed, call-graph and Runner tests
against asyncio_compat.backport, and its exception-group tests against asyncio_compat's names.

The tests are never copied into this project: this tool finds the newest CPython test
suite installed on the machine, reads these files of its ``test_asyncio`` from it:

* ``test_taskgroups.py`` and ``test_timeouts.py``: all their tests;
* ``test_waitfor.py``: all its tests (``wait_for``);
* ``test_tasks.py``: only its ``as_completed`` tests (``BaseTaskTests.test_as_completed*``),
  in each of the file's Task/Future variants (C or Python Task and Future, subclassed or
  not) that exists on this interpreter (the C ones need the ``_asyncio`` module);
* ``test_graph.py`` (a 3.14+ suite): call-graph introspection (``capture_call_graph``...),
  in its C and Python Task/Future classes, with this package's hooks standing in for
  3.14's private ones before 3.14;
* ``test_runners.py``: all its tests (``Runner`` and ``run``), with 3.14's private event
  loop policy names standing for the public ones before 3.14;

and from the ``test`` folder above it, against ``asyncio_compat``'s exception-group names
(``exceptiongroup``'s before 3.11, the builtins and the stdlib's after: a sanity run),
whatever ``--impl`` (but ``taskgroup``, which has none):

* ``test_exception_group.py``: all its tests (``ExceptionGroup``, ``BaseExceptionGroup``);
* ``test_traceback.py``: only its exception-group tests of ``format_exception_only``,
  ``format_exception`` and ``print_exception`` (``TracebackCases.test_format_exception_group*``,
  ``PyExcReportingTests.test_exception_group_*``,
  ``TestTracebackFormat.test_exception_group_deep_recursion_traceback``), not those of the
  interpreter's own printing;
* ``test_contextlib.py``: only ``TestSuppress`` (``suppress``, group-aware from 3.12.1);

rewrites them in memory so that they use the implementation under test (and run on this
interpreter: ``except*`` before 3.11, a ``loop_factory`` before 3.13, the ``test``
package's helpers where it is missing or older, ...), and runs them with unittest. A file
that tests a name the implementation lacks (``--impl taskgroup`` has no ``wait_for``)
is skipped, with that reason.

Usage::

    PYTHONPATH=src python tools/run_upstream.py [-v] [-k PATTERN]...
        [--impl backport|toplevel|stdlib|taskgroup] [--loop asyncio|uvloop]
        [--cpython-tests DIR]
        [--timeout SECONDS] [--list] [--strict] [--ignore-skip-table] [--lower-except-star]
        [--report FILE]

The suite is looked up in ``--cpython-tests DIR``, else ``$ASYNCIO_COMPAT_CPYTHON_TESTS``,
else the newest ``$DEBIAN_CPYTHON_ROOT/*/usr/lib/python3.*/test`` (default root
``/opt/debian-cpython``, made by ``../shared/tools/debian-cpython 3.15``). DIR may be the
``test_asyncio`` folder or a folder above it (``.../test`` or ``.../lib/python3.15``).

``--impl``: ``backport`` (default) is ``asyncio_compat.backport``; ``toplevel`` is the
names of ``asyncio_compat`` itself, each the stdlib's or the backport's object as the
version gates pick on this interpreter (a gate that hands out a stdlib object lacking a
fix fails the tests of that fix); ``stdlib`` is the interpreter's own asyncio (3.11+), for
comparison; ``taskgroup`` is the ``taskgroup`` PyPI package, a peer, for comparison
(expected to fail many tests).
``--loop uvloop`` runs every test on a uvloop loop, except the ``test_tasks.py`` ones that
run on the test's own virtual-time loop (``TestLoop``, driven by a generator of time steps).

Tests that cannot pass on this interpreter whatever the implementation does are skipped
with their reason; they are listed in one table, ``tools/upstream/skips.py``.

Each test has a timeout (``--timeout``, default 20 s): then it errors; if it still does
not stop, the worker process running the tests is ended after a grace period and a new
one goes on after that test. The last line is ``N passed, N failed, N skipped``.

Exit status:
    0  every test that ran passed; also when the run is SKIPPED (no CPython test suite
       found, uvloop or the implementation not available here): one line
       ``SKIPPED: <why>`` is printed then, and no summary line
    1  a test failed or errored (or hung)
    2  bad usage (no test matches -k, ...), or the suite cannot be loaded (unreadable,
       not rewritable, the selected tests gone)
    3  with --strict, instead of 0 for a SKIPPED run, or for a run in which a file was
       skipped because the implementation lacks what it tests
"""

from __future__ import annotations

import argparse
import glob
import json
import os
import re
import subprocess
import sys
import tempfile
import textwrap
import time
from typing import Dict, List, Optional, Tuple

HERE = os.path.dirname(os.path.abspath(__file__))
if HERE not in sys.path:
    sys.path.insert(0, HERE)

ENV_VAR = "ASYNCIO_COMPAT_CPYTHON_TESTS"
SKIP_HINT = "SKIPPED: no CPython test suite found (run ../shared/tools/debian-cpython 3.15)"
NEWEST_KNOWN = (3, 15)
EXIT_OK, EXIT_FAILED, EXIT_USAGE, EXIT_SKIPPED_STRICT = 0, 1, 2, 3
TEST_FILES = (
    "test_taskgroups.py",
    "test_timeouts.py",
    "test_waitfor.py",
    "test_tasks.py",
    "test_graph.py",  # 3.14+
    "test_runners.py",
)
# in test/, above test_asyncio/: the exception-group files (left out where a suite lacks one)
EGROUP_FILES = ("test_exception_group.py", "test_traceback.py", "test_contextlib.py")
WORKER_SKIPPED = 10  # the worker's status for SKIPPED (the parent exits 0, or 3 with --strict)


# --- finding the suite ------------------------------------------------------------------


class UsageError(Exception):
    pass


def _suite_dir(path: str) -> Optional[str]:
    """The ``test_asyncio`` folder holding both files, at or below *path*."""
    for candidate in (
        path,
        os.path.join(path, "test_asyncio"),
        os.path.join(path, "test", "test_asyncio"),
    ):
        if all(os.path.isfile(os.path.join(candidate, name)) for name in TEST_FILES):
            return os.path.abspath(candidate)
    return None


def _suite_version(path: str) -> Optional[Tuple[int, int]]:
    found = re.findall(r"python(\d+)\.(\d+)", path)
    return (int(found[-1][0]), int(found[-1][1])) if found else None


def find_suite(option: Optional[str]) -> Tuple[Optional[str], str]:
    """(suite dir or None, how it was found / what was looked at)."""
    given = option or os.environ.get(ENV_VAR)
    if given:
        where = "--cpython-tests" if option else f"${ENV_VAR}"
        suite = _suite_dir(given)
        if suite is None:
            raise UsageError(f"{where}={given}: no test_asyncio/{{{','.join(TEST_FILES)}}} there")
        return suite, where
    root = os.environ.get("DEBIAN_CPYTHON_ROOT", "/opt/debian-cpython")
    pattern = os.path.join(root, "*", "usr", "lib", "python3.*", "test")
    found = []
    for test_dir in glob.glob(pattern):
        suite = _suite_dir(test_dir)
        version = _suite_version(test_dir)
        if suite and version:
            found.append((version, suite))
    if not found:
        return None, pattern
    found.sort()
    return found[-1][1], pattern


# --- the parent: runs workers until every test has an outcome ----------------------------


class Run:
    def __init__(self) -> None:
        self.outcomes: Dict[str, Tuple[str, str]] = {}  # id -> (outcome, detail)
        self.order: List[str] = []
        # the files skipped because the implementation lacks what they test
        self.unavailable: List[str] = []

    def record(self, test_id: str, outcome: str, detail: str) -> None:
        if test_id not in self.outcomes:
            self.order.append(test_id)
        self.outcomes[test_id] = (outcome, detail)


def _worker_command(
    args: argparse.Namespace, suite: str, results: str, resume: Optional[str]
) -> List[str]:
    cmd = [sys.executable, os.path.abspath(__file__), "--worker", "--results", results]
    cmd += ["--cpython-tests", suite, "--impl", args.impl, "--loop", args.loop]
    cmd += ["--timeout", str(args.timeout), "--grace", str(args.grace)]
    for pattern in args.k:
        cmd += ["-k", pattern]
    if args.verbose:
        cmd.append("-v")
    if args.lower_except_star:
        cmd.append("--lower-except-star")
    if args.ignore_skip_table:
        cmd.append("--ignore-skip-table")
    if args.list:
        cmd.append("--list")
    if resume:
        cmd += ["--resume-after", resume]
    return cmd


def run_parent(args: argparse.Namespace, suite: str) -> int:
    run = Run()
    resume: Optional[str] = None
    planned: Optional[List[str]] = None
    with tempfile.TemporaryDirectory(prefix="run-upstream-") as tmp:
        for attempt in range(1000):
            results = os.path.join(tmp, f"results-{attempt}.jsonl")
            open(results, "w").close()
            sys.stdout.flush()  # our lines before the worker's
            proc = subprocess.Popen(_worker_command(args, suite, results, resume))
            code = _wait(proc, results, args.timeout + args.grace + 60)
            events = []
            with open(results, encoding="utf-8") as f:
                for line in f:
                    if line.endswith("\n"):
                        events.append(json.loads(line))
            started: Optional[str] = None
            last_ended: Optional[str] = None
            done = False
            for event in events:
                kind = event["e"]
                if kind == "plan":
                    if planned is None:
                        planned = event["ids"]
                elif kind == "start":
                    started = event["id"]
                elif kind == "end":
                    run.record(event["id"], event["outcome"], event["detail"])
                    if event.get("unavailable") and event["id"] not in run.unavailable:
                        run.unavailable.append(event["id"])
                    if event["id"] == started:
                        started, last_ended = None, event["id"]
                elif kind == "done":
                    done = True
            if done and code == 0:
                break
            if not events:
                if code == WORKER_SKIPPED:
                    if args.report:
                        _report_skipped(args)
                    return EXIT_SKIPPED_STRICT if args.strict else EXIT_OK
                if code == 0 and args.list:
                    return EXIT_OK
                print(f"\nerror: the worker failed before running any test (exit status {code})")
                return EXIT_USAGE
            why = (
                f"the worker process died (exit status {code}): killed by the watchdog after "
                f"{args.timeout + args.grace:g}s if the test hung, see the traceback above"
            )
            if started is not None:
                run.record(started, "error", f"HUNG OR CRASHED: {why}\n")
                resume = started
            elif last_ended is not None:
                run.record(
                    f"{last_ended} (event loop teardown after the test)",
                    "error",
                    f"HUNG OR CRASHED after the test ended: {why}\n",
                )
                resume = last_ended
            else:
                print(f"\nerror: the worker died before its first test (exit status {code})")
                return EXIT_FAILED
            if planned and resume == planned[-1]:
                break
            print(f"\n[run_upstream] worker died in {resume}: starting a new one after it")
    if planned == [] and not run.order:
        print(f"error: no test matches -k {' -k '.join(args.k)}")
        return EXIT_USAGE
    return report(run, args)


def _wait(proc: subprocess.Popen[bytes], results: str, silence: float) -> int:
    """Wait for *proc*; end it if its results file stays unchanged for *silence* s (the
    worker's own watchdogs should have fired long before)."""
    last_size, last_change = -1, time.monotonic()
    while True:
        try:
            return proc.wait(timeout=1)
        except subprocess.TimeoutExpired:
            size = os.path.getsize(results)
            if size != last_size:
                last_size, last_change = size, time.monotonic()
            elif time.monotonic() - last_change > silence:
                print(f"\n[run_upstream] worker silent for {silence:g}s: killing pid {proc.pid}")
                proc.kill()
                return proc.wait()


def report(run: Run, args: argparse.Namespace) -> int:
    counts = {"pass": 0, "fail": 0, "skip": 0}
    skipped: Dict[str, List[str]] = {}
    failures = []
    for test_id in run.order:
        outcome, detail = run.outcomes[test_id]
        if outcome in ("pass", "xfail"):
            counts["pass"] += 1
        elif outcome == "skip":
            counts["skip"] += 1
            skipped.setdefault(detail, []).append(test_id)
        else:
            counts["fail"] += 1
            failures.append((test_id, outcome, detail))
    print()
    for test_id, outcome, detail in failures:
        print("=" * 70)
        print(f"{outcome.upper()}: {test_id}")
        print("-" * 70)
        print(detail.rstrip())
    if failures:
        print("=" * 70)
        print(f"{len(failures)} failed or errored:")
        for test_id, outcome, _ in failures:
            print(f"  {outcome.upper():6} {test_id}")
    if skipped:
        print(f"skipped on {_interpreter()} (--loop {args.loop}):")
        per_class: Dict[str, int] = {}
        for test_id in run.order:
            per_class[_class(test_id)] = per_class.get(_class(test_id), 0) + 1
        for reason, ids in skipped.items():
            print(textwrap.fill(f"- {reason}:", 100, subsequent_indent="  "))
            by_class: Dict[str, List[str]] = {}
            for test_id in ids:
                if test_id in run.unavailable:  # not a test: a file that was not loaded
                    print(f"    {test_id}")
                    continue
                by_class.setdefault(_class(test_id), []).append(test_id.rsplit(".", 1)[-1])
            for cls, methods in by_class.items():
                if len(methods) == per_class[cls] > 8:
                    text = f"all {len(methods)} of its tests"
                else:
                    text = ", ".join(methods)
                print(
                    textwrap.fill(
                        f"{cls}: {text}", 100, initial_indent="    ", subsequent_indent="      "
                    )
                )
    print(f"{counts['pass']} passed, {counts['fail']} failed, {counts['skip']} skipped")
    if args.report:
        from upstream import conformance

        record = conformance.run_record(
            run.order, run.outcomes, run.unavailable, args.loop, args.impl
        )
        conformance.merge(args.report, record, *_suite_info(args.suite_dir))
        print(f"results merged into {args.report}")
    if failures:
        return EXIT_FAILED
    return EXIT_SKIPPED_STRICT if args.strict and run.unavailable else EXIT_OK


def _report_skipped(args: argparse.Namespace) -> None:
    """Record a run that could not run here, with the reason the worker gave (worked out
    again here, by the same check)."""
    from upstream import compat, conformance

    reason = "not available here"
    try:
        compat.load_impl(args.impl)
        compat.configure(args.loop)
    except compat.Unavailable as err:
        reason = str(err)
    record = conformance.skipped_record(reason, args.loop, args.impl)
    conformance.merge(args.report, record, *_suite_info(args.suite_dir))
    print(f"results merged into {args.report}")


def _suite_info(suite: str) -> Tuple[str, str]:
    """The suite's CPython version (X.Y.Z from its own interpreter where that runs, else
    X.Y from its path) and its folder."""
    version = _suite_version(suite)
    text = ".".join(map(str, version)) if version else "?"
    lib = os.path.dirname(os.path.dirname(suite))  # .../lib/python3.15
    exe = os.path.join(os.path.dirname(os.path.dirname(lib)), "bin", os.path.basename(lib))
    if os.path.exists(exe):
        try:
            out = subprocess.run(
                [exe, "-c", "import platform; print(platform.python_version())"],
                capture_output=True,
                text=True,
                timeout=30,
            )
            if out.returncode == 0 and out.stdout.strip():
                text = out.stdout.strip()
        except (OSError, subprocess.SubprocessError):
            pass
    return text, suite


def _class(test_id: str) -> str:
    return test_id.rsplit(".", 1)[0]


def _interpreter() -> str:
    impl = sys.implementation.name
    name = {"cpython": "CPython", "pypy": "PyPy"}.get(impl, impl)
    return f"{name} {'.'.join(map(str, sys.version_info[:3]))}"


# --- command line -------------------------------------------------------------------------


def parse_args(argv: Optional[List[str]] = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description=__doc__.split("\n\n")[0],
        epilog="See tools/run_upstream.py's docstring for the details and exit statuses.",
    )
    parser.add_argument(
        "--impl",
        choices=("backport", "toplevel", "stdlib", "taskgroup"),
        default="backport",
        help="implementation under test (default: backport)",
    )
    parser.add_argument(
        "--loop",
        choices=("asyncio", "uvloop"),
        default="asyncio",
        help="event loop to run the tests on (default: asyncio)",
    )
    parser.add_argument(
        "--cpython-tests",
        metavar="DIR",
        help=f"CPython test suite to run (default: ${ENV_VAR} or the newest found)",
    )
    parser.add_argument(
        "-k",
        action="append",
        default=[],
        metavar="PATTERN",
        help="only tests whose id matches (as unittest -k; may repeat)",
    )
    parser.add_argument("-v", "--verbose", action="store_true", help="one line per test")
    parser.add_argument("--list", action="store_true", help="list the tests (and skips), run none")
    parser.add_argument(
        "--timeout",
        type=float,
        default=20.0,
        help="seconds before a test is failed as hung (default: 20)",
    )
    parser.add_argument("--grace", type=float, default=10.0, help=argparse.SUPPRESS)
    parser.add_argument(
        "--strict", action="store_true", help="exit 3 instead of 0 when the run is SKIPPED"
    )
    parser.add_argument(
        "--ignore-skip-table",
        action="store_true",
        help="run the tests of the skip table too (to check its entries)",
    )
    parser.add_argument(
        "--report",
        metavar="FILE",
        help="merge this run's results into the conformance data FILE "
        "(docs/_data/conformance.json; tools/upstream/conformance.py)",
    )
    parser.add_argument(
        "--lower-except-star",
        action="store_true",
        help="rewrite except* even where the interpreter parses it (to test the rewrite)",
    )
    # internal: the worker process
    parser.add_argument("--worker", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--results", help=argparse.SUPPRESS)
    parser.add_argument("--resume-after", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    args.lower = args.lower_except_star or sys.version_info < (3, 11)
    return args


def _ensure_asyncio_compat() -> None:
    """Without an installed asyncio_compat, use the checkout's src/ (as PYTHONPATH=src)."""
    try:
        import asyncio_compat  # noqa: F401
    except ImportError:
        src = os.path.join(os.path.dirname(HERE), "src")
        if os.path.isdir(os.path.join(src, "asyncio_compat")):
            sys.path.insert(0, src)
            os.environ["PYTHONPATH"] = os.pathsep.join(
                p for p in (src, os.environ.get("PYTHONPATH")) if p
            )


def main(argv: Optional[List[str]] = None) -> int:
    args = parse_args(argv)
    if args.impl in ("backport", "toplevel"):
        _ensure_asyncio_compat()
    if args.worker:
        from upstream import worker

        args.suite = args.cpython_tests
        return worker.main(args)
    if args.report and (args.k or args.list):
        print("error: --report needs a whole run: not with -k or --list")
        return EXIT_USAGE
    try:
        suite, where = find_suite(args.cpython_tests)
    except UsageError as err:
        print(f"error: {err}")
        return EXIT_USAGE
    if suite is None:
        print(SKIP_HINT)
        print(f"(looked for {where}/test_asyncio; or pass --cpython-tests DIR or set ${ENV_VAR})")
        return EXIT_SKIPPED_STRICT if args.strict else EXIT_OK
    version = _suite_version(suite)
    print(
        f"CPython test suite: {suite}" + (f" (Python {version[0]}.{version[1]})" if version else "")
    )
    if version and version < NEWEST_KNOWN:
        newest = ".".join(map(str, NEWEST_KNOWN))
        print(f"warning: that suite is older than {newest}'s: newer behaviour is not tested")
    print(f"interpreter: {_interpreter()} ({sys.executable})")
    args.suite_dir = suite
    return run_parent(args, suite)


if __name__ == "__main__":
    sys.exit(main())
