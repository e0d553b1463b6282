"""``run_upstream.py --report FILE``: merge one run's results into the conformance data
file that the manual's "Conformance" page shows (``docs/_data/conformance.json``).

The file (format 1) holds the suite it was measured with and one record per
(implementation, Python X.Y, loop, ``--impl``): counts per test file, the skips grouped by
reason with the skip-table entry that caused them, the files skipped whole, and the ids of
the failed tests. ``docs/conformance.md`` describes every field. Runs of ``tox
run-parallel`` write the file at the same time: each merge holds a lock on ``FILE.lock``.
"""

from __future__ import annotations

import contextlib
import fnmatch
import json
import os
import sys
import tempfile
from typing import Any, Dict, Iterator, List, Optional, Sequence, Tuple

from . import skips

FORMAT = 1


def _short(test_id: str) -> str:
    # "test_tasks.PyTask_PyFuture_Tests.test_x" -> "PyTask_PyFuture_Tests.test_x"
    return ".".join(test_id.split(".")[-2:])


def _entry(test_id: str, env: skips.Env) -> Tuple[Optional[str], Optional[str]]:
    """The skip-table entry (tests, where) that skipped *test_id*, or (None, None) when
    CPython's test skipped itself."""
    for skip in skips.SKIPS:
        if fnmatch.fnmatchcase(_short(test_id), skip.tests) and skips.matches(skip.where, env):
            return skip.tests, skip.where
    return None, None


def run_record(
    order: Sequence[str],
    outcomes: Dict[str, Tuple[str, str]],
    unavailable: Sequence[str],
    loop: str,
    impl: str,
) -> Dict[str, Any]:
    """The record of one finished run, from the parent's outcomes (id -> (outcome, detail))."""
    env = skips.Env.current(loop=loop, impl=impl)
    files: Dict[str, Dict[str, int]] = {}
    grouped: Dict[Tuple[Optional[str], Optional[str], str], int] = {}
    gone: List[Dict[str, str]] = []
    failures: List[str] = []
    for test_id in order:
        outcome, detail = outcomes[test_id]
        if test_id in unavailable:
            gone.append({"file": test_id, "reason": detail})
            continue
        counts = files.setdefault(
            test_id.split(".")[0] + ".py", dict.fromkeys(("passed", "failed", "skipped"), 0)
        )
        if outcome in ("pass", "xfail"):
            counts["passed"] += 1
        elif outcome == "skip":
            counts["skipped"] += 1
            key = (*_entry(test_id, env), detail)
            grouped[key] = grouped.get(key, 0) + 1
        else:
            counts["failed"] += 1
            failures.append(test_id)
    return {
        **_identity(loop, impl),
        "files": files,
        "skips": [
            {"tests": tests, "where": where, "reason": reason, "count": count}
            for (tests, where, reason), count in grouped.items()
        ],
        "unavailable": gone,
        "failures": failures,
    }


def skipped_record(reason: str, loop: str, impl: str) -> Dict[str, Any]:
    """The record of a run that could not run at all here (uvloop missing, ...)."""
    for prefix in ("SKIPPED: ", f"--loop {loop}: ", f"--impl {impl}: "):
        if reason.startswith(prefix):
            reason = reason[len(prefix) :]
    return {**_identity(loop, impl), "skipped": reason}


def _identity(loop: str, impl: str) -> Dict[str, str]:
    name = sys.implementation.name
    python = ".".join(map(str, sys.version_info[:3]))
    pretty = {"cpython": "CPython", "pypy": "PyPy"}.get(name, name)
    return {
        "interpreter": f"{pretty} {python}",
        "implementation": name,
        "python": python,
        "loop": loop,
        "impl": impl,
    }


def _key(record: Dict[str, Any]) -> Tuple[str, str, str, str]:
    minor = ".".join(record["python"].split(".")[:2])
    return record["implementation"], minor, record["loop"], record["impl"]


def _order(record: Dict[str, Any]) -> Tuple[int, Tuple[int, ...], int, str]:
    version = tuple(int(p) for p in record["python"].split(".") if p.isdigit())
    return (
        0 if record["implementation"] == "cpython" else 1,
        version,
        0 if record["loop"] == "asyncio" else 1,
        record["impl"],
    )


@contextlib.contextmanager
def _locked(path: str) -> Iterator[None]:
    try:
        import fcntl
    except ImportError:  # Windows: no concurrent tox runs to guard against here
        yield
        return
    with open(path + ".lock", "a") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)


def merge(path: str, record: Dict[str, Any], suite_version: str, suite_path: str) -> None:
    """Put *record* into the data file at *path*, replacing the run of the same key; runs
    measured against another suite version are dropped."""
    with _locked(path):
        data: Dict[str, Any] = {}
        if os.path.exists(path):
            with open(path, encoding="utf-8") as f:
                data = json.load(f)
        runs = data.get("runs", [])
        if data.get("suite", {}).get("cpython") != suite_version:
            runs = []
        runs = [r for r in runs if _key(r) != _key(record)] + [record]
        runs.sort(key=_order)
        data = {
            "format": FORMAT,
            "generated_by": "tools/run_upstream.py --report",
            "suite": {"cpython": suite_version, "path": suite_path},
            "runs": runs,
        }
        folder = os.path.dirname(os.path.abspath(path))
        fd, tmp = tempfile.mkstemp(prefix=".conformance-", dir=folder)
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            json.dump(data, f, indent=2, ensure_ascii=False)
            f.write("\n")
        os.replace(tmp, path)
