#!/usr/bin/env python3
"""Run real projects' own test suites as released and with asyncio_compat, and compare.

For each project of ``downstream/projects.py`` (a pinned sdist from PyPI whose code takes
``TaskGroup``/``Runner`` from the ``taskgroup`` package, ``Runner`` from
``backports.asyncio.runner`` or ``timeout``/``timeout_at`` from the archived
``async-timeout`` on Python < 3.11), this tool:

1. downloads the sdist with pip (kept in the cache, checked against its pinned sha256);
2. makes a venv for it on its CPython (``python3.10``, ``python3.9``, ... on ``PATH``; kept in
   the cache while its requirements file, the sdist and the interpreter are unchanged) with
   ``downstream/requirements/<run>.txt`` and the sdist itself (a run is a project on one
   interpreter: ``aiojobs`` on 3.10, ``aiojobs-py39`` on 3.9);
3. runs its suite (aiohttp's and redis': the files of its selection, unless ``--full``), from
   the unpacked sdist, with its server if it has one (redis', on 127.0.0.1 and a free port,
   for each pass), twice with pytest:

   * ``released``: as released, with ``taskgroup``/``async-timeout`` installed and
     asyncio_compat nowhere on the path;
   * ``compat``: with a folder first on ``PYTHONPATH`` that holds the shims of
     ``downstream/shims/`` (``taskgroup``, ``async_timeout``, ``backports.asyncio.runner``:
     the old names mapped onto asyncio_compat's, as a migrating user writes them) and the
     asyncio_compat package that this interpreter imports (in tox, the wheel built from this
     checkout);

   a probe checks before each pass which module answers each shimmed name, and says in the
   compat pass whether asyncio_compat handed out the stdlib's own objects there (3.13+'s
   ``asyncio.timeout``, say) or its backport;
4. compares the two runs test by test (node ids and outcomes come from
   ``downstream/report_plugin.py``, loaded into both runs). Every test that passes as
   released must pass with asyncio_compat, except the ones listed in
   ``downstream/known_differences.py``, the one table of known differences, each with its
   reason (an entry names a project, for all its runs, or one run). A test that differs and
   is not listed is run again, alone, ``--reruns`` times with asyncio_compat: if it then
   passes, it is reported as flaky (and counted so in the verdict), not as a failure.

Tests that fail as released are reported (and counted), not compared. The output ends with
one verdict line per project and the line ``N passed, N failed, N skipped``: the tests that
pass in both runs, the unexpected differences (plus entries of the table that no longer
differ, and runs that did not happen), and the rest (known differences, tests that do not
pass as released, skips).

Usage::

    python tools/downstream.py [--project NAME]... [--full] [--python PYTHON]
        [--cache DIR] [--reruns N] [--timeout SECONDS] [--keep] [--fast] [--list]

``--project`` takes a project's name (all its runs) or a run's (``aiojobs-py39``). ``--fast``
(``tox -e downstream-fast``, in CI) keeps the runs marked for it, each with its fast paths
(a third of pytest-asyncio's suite on 3.9); ``--full`` runs aiohttp's and redis' whole
suites.
``tox -e downstream`` runs it with this checkout's wheel. A run whose interpreter (or server:
redis') is not on ``PATH`` is skipped, and fails with ``CI=true``. The cache is
``--cache``, else ``$ASYNCIO_COMPAT_DOWNSTREAM_CACHE``, else
``${XDG_CACHE_HOME:-~/.cache}/asyncio-compat/downstream``. Only PyPI is reached, and only
while a sdist or a venv is not yet in the cache; the suites themselves run offline.

Exit status: 0 when every project's comparison holds; 1 when a test passes as released and
not with asyncio_compat (unlisted), an entry of the table no longer differs, a project's
suite passes fewer tests as released than its floor, a pass did not run, or (in CI) an
interpreter or a server is missing; 2 when a sdist, a venv, a server or the probe cannot be
made (bad usage too).
"""

from __future__ import annotations

import argparse
import contextlib
import hashlib
import importlib.util
import json
import os
import resource
import shutil
import signal
import socket
import subprocess
import sys
import tarfile
import tempfile
import time
import types
from pathlib import Path
from typing import Dict, Iterable, Iterator, List, NamedTuple, Optional, Sequence, Tuple

ROOT = Path(__file__).resolve().parent.parent
DOWNSTREAM = ROOT / "downstream"
EXIT_OK, EXIT_FAILED, EXIT_SETUP = 0, 1, 2
PLUGIN = "_downstream_report"
PASSED = "passed"
NOT_RUN = "not run"  # a test the other pass has and this one does not


def _load(name: str, path: Path) -> types.ModuleType:
    spec = importlib.util.spec_from_file_location(name, path)
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module  # NamedTuple classes look their module up
    spec.loader.exec_module(module)
    return module


projects = _load("_downstream_projects", DOWNSTREAM / "projects.py")
known_differences = _load("_downstream_known_differences", DOWNSTREAM / "known_differences.py")
Project = projects.Project
Difference = known_differences.Difference


class SetupError(Exception):
    """A sdist, venv or probe that could not be made: nothing was compared."""


# --- comparison (pure: tests/test_downstream.py) ------------------------------------------


class Comparison(NamedTuple):
    project: str
    released: Dict[str, str]  # node id -> outcome
    compat: Dict[str, str]
    both_passed: List[str]
    # Passed as released, not with asyncio_compat, not in the table: node id -> outcome.
    unexpected: Dict[str, str]
    known: List[Tuple[Difference, str]]  # entries that differed, with the compat outcome
    stale: List[Difference]  # entries whose test passed with asyncio_compat too
    unchecked: List[Difference]  # entries whose test did not pass as released
    released_failures: List[str]  # failed or errored as released
    only_compat: List[str]  # passed with asyncio_compat only


def compare(
    project: str,
    released: Dict[str, str],
    compat: Dict[str, str],
    table: Iterable[Difference],
) -> Comparison:
    """Compare two runs of *project*'s suite against the known differences in *table*."""
    entries = {d.test: d for d in table if applies(d, project)}
    unexpected: Dict[str, str] = {}
    known: List[Tuple[Difference, str]] = []
    both: List[str] = []
    for test in sorted(released):
        if released[test] != PASSED:
            continue
        outcome = compat.get(test, NOT_RUN)
        entry = entries.get(test)
        if outcome == PASSED:
            both.append(test)
        elif entry is not None:
            known.append((entry, outcome))
        else:
            unexpected[test] = outcome
    stale = [
        d
        for d in entries.values()
        if released.get(d.test) == PASSED and compat.get(d.test) == PASSED
    ]
    # An entry whose test does not pass as released (gone, failing) checks nothing now.
    unchecked = [d for d in entries.values() if released.get(d.test) != PASSED]
    stale.sort(key=lambda d: d.test)
    unchecked.sort(key=lambda d: d.test)
    failures = sorted(t for t, o in released.items() if o in ("failed", "error"))
    only = sorted(t for t, o in compat.items() if o == PASSED and released.get(t) != PASSED)
    return Comparison(
        project, released, compat, both, unexpected, known, stale, unchecked, failures, only
    )


def applies(entry: Difference, run: str) -> bool:
    """Whether *entry* covers *run*: it names the run, or the project of all its runs
    (``aiojobs`` covers ``aiojobs`` and ``aiojobs-py39``)."""
    return entry.project == run or run.startswith(entry.project + "-py")


def counts(outcomes: Dict[str, str]) -> str:
    """``N passed, N failed, N errors, N skipped`` for one run (xfail/xpass count as skipped)."""
    passed = sum(o == PASSED for o in outcomes.values())
    failed = sum(o == "failed" for o in outcomes.values())
    errors = sum(o == "error" for o in outcomes.values())
    skipped = len(outcomes) - passed - failed - errors
    return f"{passed} passed, {failed} failed, {errors} errors, {skipped} skipped"


def problems(c: Comparison, flaky: Sequence[str] = ()) -> List[str]:
    """What makes *c* fail: unexpected differences (less the *flaky* ones) and stale entries."""
    found = [
        f"{t}: passes as released, {o} with asyncio_compat"
        for t, o in c.unexpected.items()
        if t not in flaky
    ]
    found += [
        f"{d.test}: listed as a known difference, but passes with asyncio_compat" for d in c.stale
    ]
    return found


def verdict(c: Comparison, version: str, flaky: Sequence[str] = (), floor: int = 0) -> str:
    """One line: the project, both counts, and OK or FAIL, with what made it so.

    Fewer than *floor* tests passing as released fails too: the suite did not really run.
    """
    passed = sum(o == PASSED for o in c.released.values())
    bad = bool(problems(c, flaky)) or passed < floor
    line = (
        f"{c.project} {version}: {'FAIL' if bad else 'OK'}: "
        f"{passed} pass as released, {len(c.both_passed)} of them with asyncio_compat"
    )
    unexpected = len(c.unexpected) - len(flaky)
    details = []
    if passed < floor:
        details.append(f"fewer than the {floor} of a full run pass as released")
    if c.known:
        details.append(f"{len(c.known)} known differences")
    if unexpected:
        details.append(f"{unexpected} unexpected differences")
    if flaky:
        details.append(f"{len(flaky)} flaky (passed when run again)")
    if c.stale:
        details.append(f"{len(c.stale)} stale entries")
    if c.released_failures:
        details.append(f"{len(c.released_failures)} fail as released")
    if c.only_compat:
        details.append(f"{len(c.only_compat)} pass only with asyncio_compat")
    return line + (f" ({'; '.join(details)})" if details else "")


def read_report(path: Path) -> Tuple[Dict[str, str], Dict[str, str]]:
    """The outcomes and failure messages that report_plugin.py wrote to *path*."""
    outcomes: Dict[str, str] = {}
    messages: Dict[str, str] = {}
    with path.open(encoding="utf-8") as f:
        for line in f:
            if line.strip():
                record = json.loads(line)
                outcomes[record["test"]] = record["outcome"]
                if record.get("message"):
                    messages[record["test"]] = record["message"]
    return outcomes, messages


# --- running -----------------------------------------------------------------------------


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def clean_env(**extra: str) -> Dict[str, str]:
    """This process's environment without what would leak into a project's run: our
    PYTHONPATH (``PYTHONPATH=src`` outside tox), our pytest options, a virtualenv's marks."""
    env = {k: v for k, v in os.environ.items() if k not in _NOT_PASSED}
    env.update(extra)
    return env


_NOT_PASSED = ("PYTHONPATH", "PYTHONHOME", "PYTEST_ADDOPTS", "VIRTUAL_ENV", "__PYVENV_LAUNCHER__")


def _run(cmd: Sequence[str], log: Path, env: Optional[Dict[str, str]] = None) -> None:
    """Run a setup command with its output in *log*; SetupError with the tail if it fails."""
    with log.open("a", encoding="utf-8") as out:
        out.write(f"$ {' '.join(map(str, cmd))}\n")
        out.flush()
        status = subprocess.call(
            list(map(str, cmd)), stdout=out, stderr=subprocess.STDOUT, env=env or clean_env()
        )
    if status:
        tail = log.read_text(encoding="utf-8", errors="replace").splitlines()[-30:]
        raise SetupError(f"{cmd[0]} ... exited with {status}:\n" + "\n".join(tail))


def fetch_sdist(project: Project, python: str, cache: Path, log: Path) -> Path:
    """The pinned sdist, from the cache or downloaded by pip and checked against its sha256."""
    dest = cache / "sdists" / f"{project.name}-{project.version}.tar.gz"
    if dest.exists() and _sha256(dest) == project.sha256:
        return dest
    dest.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        requirement = Path(tmp) / "requirement.txt"
        requirement.write_text(
            f"{project.name}=={project.version} --hash=sha256:{project.sha256}\n",
            encoding="utf-8",
        )
        # --no-binary: the sdist (with its tests), never a wheel; pip checks the hash.
        _run(
            [
                python,
                "-m",
                "pip",
                "download",
                "--quiet",
                "--no-deps",
                "--no-binary",
                project.name,
                "--require-hashes",
                "-r",
                requirement,
                "-d",
                Path(tmp) / "d",
            ],
            log,
        )
        (got,) = (Path(tmp) / "d").iterdir()
        if _sha256(got) != project.sha256:
            raise SetupError(f"{got.name}: sha256 {_sha256(got)}, pinned {project.sha256}")
        shutil.move(str(got), str(dest))
    return dest


def _venv_python(venv: Path) -> Path:
    return venv / ("Scripts/python.exe" if os.name == "nt" else "bin/python")


_BASE = """
import os, sys
print(os.path.realpath(getattr(sys, "_base_executable", None) or sys.executable))
print(sys.version.replace("\\n", " "))
"""


def make_venv(project: Project, python: str, cache: Path, sdist: Path, log: Path) -> Path:
    """A venv with the run's pinned requirements and the project, kept in the cache."""
    requirements = DOWNSTREAM / "requirements" / f"{project.run}.txt"
    # The venv is made from the interpreter itself, not from a venv of it (tox's): a venv
    # points at the one it was made from, and tox's own may be gone by the next run.
    base, version = subprocess.check_output(
        [python, "-c", _BASE], env=clean_env(), text=True
    ).splitlines()
    key = hashlib.sha256(
        f"{base}\n{version}\n".encode()
        + requirements.read_bytes()
        + project.sha256.encode()
        + json.dumps(project.env, sort_keys=True).encode()
    ).hexdigest()[:12]
    venvs = cache / "venvs"
    venv = venvs / f"{project.run}-{key}"
    if (venv / "complete").exists() and _venv_python(venv).exists():  # (its base is there)
        return venv
    if venvs.exists():  # earlier venvs of this run are out of date (not another run's)
        for old in venvs.glob(f"{project.run}-{'?' * len(key)}"):
            shutil.rmtree(old, ignore_errors=True)
    venvs.mkdir(parents=True, exist_ok=True)
    _run([base, "-m", "venv", venv], log)
    vpython = _venv_python(venv)
    env = clean_env(**project.env)
    _run([vpython, "-m", "pip", "install", "--quiet", "-r", requirements], log, env=env)
    _run([vpython, "-m", "pip", "install", "--quiet", "--no-deps", sdist], log, env=env)
    (venv / "complete").write_text(f"{project.run} {project.version}\n", encoding="utf-8")
    return venv


def unpack(sdist: Path, into: Path) -> Path:
    """Unpack *sdist* into *into*; return its top folder."""
    with tarfile.open(sdist) as tar:
        if hasattr(tarfile, "data_filter"):  # 3.8.17+, 3.9.17+, ...: refuse odd members
            tar.extractall(into, filter="data")
        else:
            tar.extractall(into)  # a pinned sdist, checked against its sha256
    (top,) = [p for p in into.iterdir() if p.is_dir()]
    return top


def compat_folder(work: Path, project: Project) -> Path:
    """A folder with *project*'s shims (only those: pytest-asyncio's Runner stays the
    backport's in aiojobs' run) and the asyncio_compat package that this interpreter imports."""
    import asyncio_compat

    folder = work / f"compat-{project.run}"
    ignore = shutil.ignore_patterns("__pycache__")
    for shim in project.shims:
        # backports.asyncio.runner: backports/ and backports/asyncio/ stay namespace folders.
        path = Path(*shim.split("."))
        shutil.copytree(DOWNSTREAM / "shims" / path, folder / path, ignore=ignore)
    shutil.copytree(Path(asyncio_compat.__file__).parent, folder / "asyncio_compat", ignore=ignore)
    return folder


_PROBE = """
import asyncio, importlib, importlib.util, json, sys
found = {}
for name in sys.argv[1:]:
    module = importlib.import_module(name)
    found[name] = [module.__file__, [], []]
    spec = importlib.util.find_spec("asyncio_compat")
    if spec is not None:
        import asyncio_compat
        found[name][1] = sorted(
            n for n in getattr(module, "__all__", ())
            if getattr(module, n) is getattr(asyncio_compat, n, None)
        )
        found[name][2] = [n for n in found[name][1] if getattr(module, n) is getattr(asyncio, n, 0)]
spec = importlib.util.find_spec("asyncio_compat")
found["asyncio_compat"] = [spec.origin if spec else None, [], []]
print(json.dumps(found))
"""


def probe(vpython: Path, env: Dict[str, str], project: Project, compat: Optional[Path]) -> str:
    """Check which modules answer the shimmed names: the originals, or asyncio_compat's.

    In the compat pass, return which of asyncio_compat's objects there are asyncio's own."""
    out = subprocess.run(
        [str(vpython), "-c", _PROBE, *project.shims],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    if out.returncode:
        raise SetupError(f"the probe failed:\n{out.stdout}")
    found = json.loads(out.stdout.strip().splitlines()[-1])
    stdlib = []
    for name in project.shims:
        path, same, own = found[name]
        stdlib.append(f"{name}: " + (", ".join(own) or "none") + f" of {len(same)}")
        if compat is None:
            if not str(path).startswith(str(vpython.parent.parent)):
                raise SetupError(f"released pass: {name} is {path}, not the venv's")
        elif not str(path).startswith(str(compat)) or not same:
            raise SetupError(f"compat pass: {name} is {path}, not the shim over asyncio_compat")
    origin = found["asyncio_compat"][0]
    if compat is None and origin is not None:
        raise SetupError(f"released pass: asyncio_compat is importable ({origin})")
    if compat is not None and not str(origin).startswith(str(compat)):
        raise SetupError(f"compat pass: asyncio_compat is {origin}, not this checkout's")
    return "asyncio's own objects: " + "; ".join(stdlib)


class Run(NamedTuple):
    outcomes: Dict[str, str]
    messages: Dict[str, str]
    cpu: float  # seconds of CPU, the pytest process and its workers
    wall: float
    summary: str  # pytest's last line
    stdlib: str  # the probe's word on which shimmed names are asyncio's own objects


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def run_pass(
    project: Project,
    venv: Path,
    source: Path,
    work: Path,
    label: str,
    compat: Optional[Path],
    timeout: float,
    tests: Optional[Sequence[str]] = None,
    full: bool = False,
    fast: bool = False,
) -> Run:
    """Run the project's suite (its selection unless *full*, its fast paths if *fast*, or
    only *tests*) once; *compat*: the shim folder, or None."""
    vpython = _venv_python(venv)
    report = work / f"{project.run}-{label}.jsonl"
    log = work / f"{project.run}-{label}.log"
    plugin = work / "plugin"
    if not plugin.exists():
        plugin.mkdir()
        shutil.copy(DOWNSTREAM / "report_plugin.py", plugin / f"{PLUGIN}.py")
    env = clean_env(**project.env)
    env.update(
        DOWNSTREAM_REPORT=str(report),
        VIRTUAL_ENV=str(venv),
        PATH=f"{vpython.parent}{os.pathsep}{env.get('PATH', '')}",
        PYTHONPATH=os.pathsep.join(str(p) for p in (compat, plugin) if p is not None),
    )
    stdlib = probe(vpython, env, project, compat)
    # A module that fails to import in one pass must not stop the rest of that pass.
    cmd = [str(vpython), "-m", "pytest", "-p", PLUGIN, "-p", "no:cacheprovider", "-rN"]
    cmd += ["--continue-on-collection-errors"]
    port = _free_port() if project.server else 0
    cmd += [option.replace("{port}", str(port)) for option in project.options]
    if tests is None:
        if project.workers:
            cmd += ["-n", str(project.workers)]
        if fast and project.fast:
            cmd += project.fast
        else:
            cmd += project.paths if full or not project.selection else project.selection
    else:
        if project.workers:
            cmd += ["-n", "0"]
        cmd += tests
    if report.exists():
        report.unlink()
    cpu, wall = _children_cpu(), time.monotonic()
    with log.open("w", encoding="utf-8") as out, _server(project, port, work / "server.log"):
        out.write(f"$ {' '.join(cmd)}\n")
        out.flush()
        proc = subprocess.Popen(
            cmd, cwd=source, env=env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True
        )
        try:
            proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            _end(proc)
            out.write(f"\n[tools/downstream.py: ended after {timeout:.0f} s]\n")
        except BaseException:  # ^C, or SIGTERM (main): the run is in a session of its own
            _end(proc)
            raise
    cpu, wall = _children_cpu() - cpu, time.monotonic() - wall
    lines = log.read_text(encoding="utf-8", errors="replace").strip().splitlines()
    summary = lines[-1].strip("= ") if lines else "(no output)"
    if not report.exists():
        return Run({}, {}, cpu, wall, f"did not run to its end: {summary}", stdlib)
    outcomes, messages = read_report(report)
    return Run(outcomes, messages, cpu, wall, summary, stdlib)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextlib.contextmanager
def _server(project: Project, port: int, log: Path) -> Iterator[None]:
    """Run *project*'s server, if it has one, on 127.0.0.1:*port* while the block runs."""
    if not project.server:
        yield
        return
    cmd = [arg.replace("{port}", str(port)) for arg in project.server]
    with log.open("a", encoding="utf-8") as out:
        proc = subprocess.Popen(
            cmd, stdout=out, stderr=subprocess.STDOUT, start_new_session=True, cwd=log.parent
        )
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                if proc.poll() is not None or time.monotonic() > deadline:
                    raise SetupError(f"{' '.join(cmd)} did not start (log: {log})") from None
                time.sleep(0.1)
        yield
    finally:
        _end(proc)


def _end(proc: subprocess.Popen[bytes]) -> None:
    """End a pytest run and every process it started (its own session)."""
    for sig, wait in ((signal.SIGTERM, 10), (signal.SIGKILL, 10)):
        try:
            os.killpg(proc.pid, sig)
        except ProcessLookupError:
            return
        try:
            proc.wait(timeout=wait)
            return
        except subprocess.TimeoutExpired:
            continue


# --- the command -------------------------------------------------------------------------


def default_cache() -> Path:
    if os.environ.get("ASYNCIO_COMPAT_DOWNSTREAM_CACHE"):
        return Path(os.environ["ASYNCIO_COMPAT_DOWNSTREAM_CACHE"])
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "asyncio-compat" / "downstream"


def find_python(project: Project, override: Optional[str]) -> Optional[str]:
    """The interpreter of *project*'s run: ``--python``, else ``python3.X`` on PATH (this
    one if it is that version); None if there is none."""
    if override:
        return override
    if sys.version_info[:2] == tuple(map(int, project.python.split("."))):
        return sys.executable
    return shutil.which(f"python{project.python}")


def parse_args(argv: Optional[Sequence[str]]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    names = sorted({p.name for p in projects.PROJECTS} | {p.run for p in projects.PROJECTS})
    parser.add_argument(
        "--project",
        action="append",
        choices=names,
        help="run only this project (all its runs) or this run (repeatable); default: all",
    )
    parser.add_argument(
        "--python",
        help="the interpreter of every run's venv (default: each run's python3.X on PATH)",
    )
    parser.add_argument("--cache", type=Path, default=default_cache())
    parser.add_argument(
        "--reruns",
        type=int,
        default=2,
        help="runs again of an unexpected difference, alone (default 2)",
    )
    parser.add_argument(
        "--timeout",
        type=float,
        default=1800,
        help="seconds for one pass of one suite (default 1800)",
    )
    parser.add_argument(
        "--keep", action="store_true", help="keep the work folder (unpacked sdists, logs, reports)"
    )
    parser.add_argument(
        "--full",
        action="store_true",
        help="run the whole suite of a project that has a selection of test files (aiohttp, redis)",
    )
    parser.add_argument(
        "--fast",
        action="store_true",
        help="only the runs of tox -e downstream-fast (CI), each with its fast paths",
    )
    parser.add_argument("--list", action="store_true", help="list the projects and exit")
    return parser.parse_args(argv)


def check_project(
    project: Project, args: argparse.Namespace, work: Path
) -> Tuple[int, int, int, bool]:
    """Run and compare one project on its interpreter; print its lines.
    (passed, failed, skipped, ok)."""
    name = f"{project.run} {project.version}"
    python = find_python(project, args.python)
    missing = None if python else f"python{project.python}"
    if project.server and not shutil.which(project.server[0]):
        missing = f"{project.server[0]} (Debian's package of that name)"
    if missing:
        in_ci = os.environ.get("CI") == "true"
        print(f"{name}: {'FAIL' if in_ci else 'SKIPPED'}: no {missing} on PATH")
        return 0, int(in_ci), 0, not in_ci
    assert python is not None
    if args.fast and project.fast:
        print(f"{name}: {len(project.fast)} test paths of its suite (without --fast: all)")
    elif project.selection and not args.full:
        print(f"{name}: {len(project.selection)} test files of its suite (--full: all)")
    setup_log = work / f"{project.run}-setup.log"
    sdist = fetch_sdist(project, python, args.cache, setup_log)
    venv = make_venv(project, python, args.cache, sdist, setup_log)
    source = unpack(sdist, work / project.run)
    compat = compat_folder(work, project)
    runs = {}
    for label, folder in (("released", None), ("compat", compat)):
        run = run_pass(
            project, venv, source, work, label, folder, args.timeout, full=args.full, fast=args.fast
        )
        runs[label] = run
        print(
            f"{name} {label}: {counts(run.outcomes)} [pytest: {run.summary}] "
            f"(CPU {run.cpu:.0f} s, wall {run.wall:.0f} s)",
            flush=True,
        )
    print(f"{name} compat: {runs['compat'].stdlib}")
    released, compat_run = runs["released"], runs["compat"]
    if not released.outcomes or not compat_run.outcomes:
        print(f"{name}: FAIL: a pass did not run (logs: {work})")
        return 0, 1, 0, False
    comparison = compare(
        project.run, released.outcomes, compat_run.outcomes, known_differences.KNOWN_DIFFERENCES
    )
    flaky: List[str] = []
    left = list(comparison.unexpected)
    for attempt in range(args.reruns):
        if not left or len(left) > 50:  # that many is no flakiness
            break
        again = run_pass(
            project, venv, source, work, f"rerun{attempt + 1}", compat, args.timeout, tests=left
        )
        newly = [t for t in left if again.outcomes.get(t) == PASSED]
        flaky += newly
        left = [t for t in left if t not in newly]
    messages = compat_run.messages
    for test in comparison.released_failures:
        print(f"  fails as released: {test}: {released.messages.get(test, '')}"[:300])
    for entry, outcome in comparison.known:
        print(f"  known difference ({entry.kind}): {entry.test}: {outcome} with asyncio_compat")
    for test in flaky:
        print(
            f"  flaky: {test}: {comparison.unexpected[test]} with asyncio_compat, "
            "then passed when run again"
        )
    for test in comparison.only_compat:
        print(f"  passes only with asyncio_compat: {test}")
    for entry in comparison.unchecked:
        print(f"  unchecked entry (does not pass as released): {entry.test}")
    for line in problems(comparison, flaky):
        test = line.split(": ", 1)[0]
        print(f"  UNEXPECTED: {line}: {messages.get(test, '')}"[:400])
    fast = args.fast and bool(project.fast)
    line = verdict(
        comparison, project.version, flaky, project.fast_min_passed if fast else project.min_passed
    )
    print(line, flush=True)
    failed = len(problems(comparison, flaky))
    if failed == 0 and ": FAIL: " in line:  # below the floor
        failed = 1
    passed = len(comparison.both_passed) + len(flaky)
    unexpected = len(comparison.unexpected) - len(flaky)
    skipped = len(set(released.outcomes) | set(compat_run.outcomes)) - passed - unexpected
    return passed, failed, skipped, not failed


def main(argv: Optional[Sequence[str]] = None) -> int:
    args = parse_args(argv)
    selected = [
        p
        for p in projects.PROJECTS
        if (not args.project or p.name in args.project or p.run in args.project)
        and (not args.fast or p.fast is not None)
    ]
    if args.list:
        for p in selected:
            print(f"{p.run} {p.version} on {p.python} ({', '.join(p.shims)}): {p.why}")
        return EXIT_OK
    # SIGTERM (tox or CI stopping) unwinds like ^C, so that a pytest run is ended with us.
    signal.signal(signal.SIGTERM, lambda signum, frame: sys.exit(128 + signum))
    work = Path(tempfile.mkdtemp(prefix="asyncio-compat-downstream-"))
    totals = [0, 0, 0]
    status = EXIT_OK
    cpu, wall = _children_cpu(), time.monotonic()
    try:
        for project in selected:
            try:
                passed, failed, skipped, ok = check_project(project, args, work)
            except SetupError as exc:
                print(f"{project.run} {project.version}: SETUP FAILED: {exc}", flush=True)
                return EXIT_SETUP
            totals = [totals[0] + passed, totals[1] + failed, totals[2] + skipped]
            if not ok:
                status = EXIT_FAILED
    finally:
        if args.keep:
            print(f"work folder kept: {work}")
        else:
            shutil.rmtree(work, ignore_errors=True)
    cpu, wall = _children_cpu() - cpu, time.monotonic() - wall
    print(f"{len(selected)} runs in {wall:.0f} s (CPU {cpu:.0f} s, with the venvs made)")
    print(f"{totals[0]} passed, {totals[1]} failed, {totals[2]} skipped")
    return status


if __name__ == "__main__":
    sys.exit(main())
