"""Run benchmarks/bench under every interpreter found, then draw the chart.

    python benchmarks/run_all.py [--python EXE ...] [--venvs DIR] [--only NAMES]
                                 [benchmarks/bench's options]

Finds CPython 3.8 to 3.15 and PyPy 3 (``python3.N`` and ``pypy3`` on PATH, pyenv's
versions, the debian-cpython tree), makes one venv per interpreter (``-m venv``, else
``virtualenv``; kept between runs under ``--venvs``), installs this checkout's wheel and the
peers into it, and runs the benchmark there, one interpreter after the other. Each run
writes ``benchmarks/results/<tag>.md`` and ``.json``; at the end ``benchmarks/chart.py``
writes ``results/summary.md`` and a figure per question, ``results/<question>.png``, from
every ``.json`` there (``python benchmarks/chart.py`` alone redraws them, measuring nothing).

``--only run,runner`` measures those measurements alone (benchmarks/bench's names) and
merges them into each interpreter's results as they are, in place of their old figures:
the other measurements are kept, and the tables, targets and figures are written again.

Options it does not know go to benchmarks/bench (``--quick``, ``--rounds N``, ...).
``tox -e bench`` runs this: ``tox -e bench -- --python python3.12 --quick``.
"""

from __future__ import annotations

import argparse
import glob
import os
import shutil
import subprocess
import sys
import tempfile
from typing import Dict, List, Optional, Tuple

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(HERE)
RESULTS = os.path.join(HERE, "results")
# quattro (the peer of structured.gather) needs 3.9+; on 3.8-3.10 it runs on the taskgroup package.
PEERS = [
    "exceptiongroup",
    "async-timeout",
    "taskgroup==0.2.2",
    "anyio",
    'quattro; python_version >= "3.9"',
]
_QUERY = "import sys; print(sys.implementation.name, *sys.version_info[:2], sys.executable)"


def _default_venvs() -> str:
    cache = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return os.path.join(cache, "asyncio-compat", "bench-venvs")


def candidates() -> List[str]:
    """Every interpreter this machine may have, most specific first; duplicates allowed."""
    found: List[str] = []
    for minor in range(8, 16):
        exe = shutil.which(f"python3.{minor}")
        if exe:
            found.append(exe)
    pyenv_root = os.environ.get("PYENV_ROOT") or os.path.join(os.path.expanduser("~"), ".pyenv")
    found += sorted(glob.glob(os.path.join(pyenv_root, "versions", "3.*", "bin", "python3")))
    for root in (os.environ.get("DEBIAN_CPYTHON_ROOT"), "/opt/debian-cpython"):
        if root:
            found += sorted(glob.glob(os.path.join(root, "bin", "python3.1[0-9]")))
    exe = shutil.which("pypy3")
    if exe:
        found.append(exe)
    return found


def identify(exe: str) -> Optional[Tuple[str, int, int, str]]:
    """(implementation, major, minor, sys.executable) of *exe*, or None if it does not run."""
    try:
        out = subprocess.run(
            [exe, "-c", _QUERY],
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            text=True,
            timeout=60,
            check=True,
        ).stdout.split()
    except (OSError, subprocess.SubprocessError):
        return None
    return out[0], int(out[1]), int(out[2]), out[3]


def interpreters(explicit: List[str]) -> Dict[str, str]:
    """Tag (``cpython3.12``, ``pypy3.9``) -> interpreter, one per implementation and version."""
    found: Dict[str, Tuple[Tuple[int, int, int], str]] = {}
    for exe in explicit or candidates():
        info = identify(exe)
        if info is None:
            if explicit:
                print(f"skipping {exe}: it does not run", file=sys.stderr)
            continue
        impl, major, minor, real = info
        if (major, minor) < (3, 8):
            continue
        tag = f"{impl}{major}.{minor}"
        if tag not in found:
            found[tag] = ((0 if impl == "cpython" else 1, major, minor), real)
    return {tag: exe for tag, (_, exe) in sorted(found.items(), key=lambda kv: kv[1][0])}


def run(cmd: List[str], quiet: bool = False) -> None:
    print("$ " + " ".join(cmd), file=sys.stderr, flush=True)
    out = subprocess.DEVNULL if quiet else None
    subprocess.run(cmd, check=True, stdout=out)


def make_venv(exe: str, path: str) -> str:
    """A venv for *exe* at *path* (reused if it works); returns its python."""
    python = os.path.join(path, "bin", "python")
    if identify(python) is not None and os.path.exists(os.path.join(path, "bin", "pip")):
        return python
    shutil.rmtree(path, ignore_errors=True)
    try:
        run([exe, "-m", "venv", path], quiet=True)
        run([python, "-m", "pip", "--version"], quiet=True)
    except subprocess.CalledProcessError:
        # Debian's own CPython has no ensurepip: virtualenv brings its own pip.
        shutil.rmtree(path, ignore_errors=True)
        run([sys.executable, "-m", "virtualenv", "-q", "-p", exe, path])
    return python


def build_wheel(into: str) -> str:
    run([sys.executable, "-m", "pip", "wheel", "-q", "--no-deps", "-w", into, REPO])
    wheels = glob.glob(os.path.join(into, "asyncio_compat-*.whl"))
    if len(wheels) != 1:
        raise SystemExit(f"expected one asyncio_compat wheel in {into}, found {wheels}")
    return wheels[0]


def main(argv: Optional[List[str]] = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--python",
        action="append",
        default=[],
        metavar="EXE",
        help="an interpreter to run (repeatable); default: every one found",
    )
    parser.add_argument("--venvs", default=_default_venvs(), help="where the venvs are kept")
    parser.add_argument("--no-chart", action="store_true", help="skip benchmarks/chart.py")
    parser.add_argument("--list", action="store_true", help="list the interpreters and stop")
    parser.add_argument(
        "--only",
        metavar="NAMES",
        help="comma-separated measurements (run,runner, ...): measure them alone and merge "
        "them into the results there are",
    )
    args, bench_args = parser.parse_known_args(argv)
    if args.only:
        bench_args += ["--only", args.only, "--merge"]

    found = interpreters(args.python)
    for tag, exe in found.items():
        print(f"  {tag:12} {exe}", file=sys.stderr)
    if args.list or not found:
        return 0 if found else 1

    failed = []
    with tempfile.TemporaryDirectory() as tmp:
        wheel = build_wheel(tmp)
        for tag, exe in found.items():
            try:
                python = make_venv(exe, os.path.join(args.venvs, tag))
                pip = [python, "-m", "pip", "install", "-q", "--disable-pip-version-check"]
                run([*pip, "--force-reinstall", "--no-deps", wheel])
                run([*pip, *PEERS])
                run([python, os.path.join(HERE, "bench"), "--out", RESULTS, *bench_args])
            except subprocess.CalledProcessError as exc:
                print(f"{tag}: failed: {exc}", file=sys.stderr)
                failed.append(tag)

    if not args.no_chart:
        sys.path.insert(0, HERE)
        import chart

        chart.main([RESULTS])
    if failed:
        print(f"failed: {', '.join(failed)}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
