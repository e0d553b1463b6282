#!/usr/bin/env python3
"""Check what would be uploaded to PyPI: the sdist and the wheel of this checkout.

``tox -e pkg`` runs it; every step runs even when one fails:

1. ``validate-pyproject pyproject.toml``;
2. builds the sdist, and the wheel from that sdist (``python -m build``), once;
3. ``twine check --strict`` on both (PyPI's own check of the metadata and of the long
   description) and ``check-wheel-contents`` on the wheel;
4. PyPI's page, the long description that hatch-fancy-pypi-readme makes of README.md:
   every link in it is absolute (a relative one goes nowhere on PyPI), each one into the
   manual or the source starts with ``[project.urls]``'s Documentation or Source (the one
   place that names them), none is a MyST label (GitHub shows those as text), and the
   contributors' set-up section is left out;
5. installs the wheel, then the sdist, each in a new venv of this interpreter, and runs
   ``python -m asyncio_compat`` there (the self-check, exit status 0) and ``--version``,
   from an empty folder with ``-I``, so that nothing of this checkout is imported.

The output ends with the line ``N passed, N failed, 0 skipped``: the steps. Exit status 1
if one failed. Usage: ``python tools/check_dist.py [--dist DIR]`` (where to build; default
a temporary folder).
"""

from __future__ import annotations

import argparse
import email
import email.policy
import glob
import os
import re
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path
from typing import Callable, Dict, List, Optional, Tuple

ROOT = Path(__file__).resolve().parent.parent

# A Markdown link or image target, and an HTML one.
LINK = re.compile(r"\]\(([^)\s]+)[^)]*\)|\b(?:href|src)=\"([^\"]+)\"")


def run(*command: str, cwd: Optional[Path] = None) -> None:
    print("$", " ".join(command), flush=True)
    subprocess.run(command, cwd=cwd, check=True)


def project_urls() -> Dict[str, str]:
    if sys.version_info >= (3, 11):
        import tomllib
    else:  # pragma: no cover - tox runs this on 3.13
        import tomli as tomllib
    with open(ROOT / "pyproject.toml", "rb") as f:
        urls: Dict[str, str] = tomllib.load(f)["project"]["urls"]
    return urls


def wheel_metadata(wheel: Path) -> email.message.EmailMessage:
    with zipfile.ZipFile(wheel) as zf:
        (name,) = [n for n in zf.namelist() if n.endswith(".dist-info/METADATA")]
        message = email.message_from_bytes(zf.read(name), policy=email.policy.default)
    assert isinstance(message, email.message.EmailMessage)
    return message


def check_long_description(wheel: Path) -> None:
    """The long description stands alone on PyPI."""
    metadata = wheel_metadata(wheel)
    urls = project_urls()
    docs, source = urls["Documentation"], urls["Source"]
    assert docs.endswith("/"), f"Documentation {docs!r}: the links append page names to it"
    declared = {
        value.split(",", 1)[0]: value.split(",", 1)[1].strip()
        for value in metadata.get_all("Project-URL", [])
    }
    assert urls == declared, f"Project-URL in the metadata: {declared}"
    assert urls["Changelog"].startswith(docs), "the Changelog is a page of the manual"
    assert urls["Issues"].startswith(source + "/"), "the Issues are the source's"
    content_type = metadata["Description-Content-Type"]
    assert content_type == "text/markdown", f"Description-Content-Type: {content_type}"
    text = metadata.get_payload()
    assert isinstance(text, str)
    problems: List[str] = []
    if not text.startswith("# asyncio-compat\n"):
        problems.append("it does not start with the title")
    for marker in ("<!--", "## Set up", "pip install . "):
        if marker in text:
            problems.append(f"the set-up section is left in it ({marker!r})")
    for match in re.finditer(r"^\([\w.-]+\)=$|\{[a-z:-]+\}`", text, re.MULTILINE):
        problems.append(f"MyST syntax, shown as text: {match.group()!r}")
    links = [a or b for a, b in LINK.findall(text)]
    if not links:
        problems.append("no links at all: the README's links were not found")
    for link in links:
        if not re.match(r"https?://", link):
            problems.append(f"not an absolute link: {link}")
        elif "readthedocs" in link and not link.startswith(docs):
            problems.append(f"into a manual that is not the Documentation URL: {link}")
        elif "github.com" in link and not link.startswith(source + "/"):
            problems.append(f"into a source that is not the Source URL: {link}")
    assert not problems, "PyPI's page:\n  " + "\n  ".join(problems)
    print(f"{len(links)} links, all absolute and into {docs} or {source}")


def check_installed(dist: Path, version: str) -> None:
    """``pip install DIST`` into a new venv; the self-check passes there."""
    with tempfile.TemporaryDirectory(prefix="asyncio-compat-pkg-") as tmp:
        venv = Path(tmp) / "venv"
        run(sys.executable, "-m", "venv", str(venv))
        bindir = "Scripts" if os.name == "nt" else "bin"
        python = str(venv / bindir / "python")
        run(python, "-m", "pip", "install", "-q", "--disable-pip-version-check", str(dist))
        empty = Path(tmp) / "empty"
        empty.mkdir()
        # -I: neither this checkout (the current folder) nor PYTHONPATH is on sys.path.
        run(python, "-I", "-m", "asyncio_compat", cwd=empty)
        out = subprocess.run(
            [python, "-I", "-m", "asyncio_compat", "--version"],
            cwd=empty,
            check=True,
            capture_output=True,
            text=True,
        ).stdout
        assert f"asyncio-compat {version}\n" == out, f"--version printed {out!r}"
        where = subprocess.run(
            [python, "-I", "-c", "import asyncio_compat; print(asyncio_compat.__file__)"],
            cwd=empty,
            check=True,
            capture_output=True,
            text=True,
        ).stdout.strip()
        assert where.startswith(str(venv)), f"imported {where}, not the installed package"


def main(argv: Optional[List[str]] = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--dist", type=Path, help="where to build (default: a temporary folder)")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="asyncio-compat-dist-") as tmp:
        dist: Path = args.dist or Path(tmp)
        dist.mkdir(parents=True, exist_ok=True)

        def built(pattern: str) -> Path:
            (path,) = glob.glob(str(dist / pattern))
            return Path(path)

        def version() -> str:
            return str(wheel_metadata(built("*.whl"))["Version"])

        steps: List[Tuple[str, Callable[[], None]]] = [
            ("validate-pyproject", lambda: run("validate-pyproject", str(ROOT / "pyproject.toml"))),
            ("build", lambda: run(sys.executable, "-m", "build", "--outdir", str(dist), str(ROOT))),
            ("twine check", lambda: run("twine", "check", "--strict", str(dist / "*"))),
            ("check-wheel-contents", lambda: run("check-wheel-contents", str(built("*.whl")))),
            ("PyPI's page", lambda: check_long_description(built("*.whl"))),
            ("the wheel installed", lambda: check_installed(built("*.whl"), version())),
            ("the sdist installed", lambda: check_installed(built("*.tar.gz"), version())),
        ]
        failed: List[str] = []
        for name, step in steps:
            print(f"\n==> {name}", flush=True)
            try:
                step()
            except (AssertionError, subprocess.CalledProcessError, ValueError) as exc:
                print(f"FAILED: {name}: {exc}", flush=True)
                failed.append(name)
            else:
                print(f"ok: {name}", flush=True)
    print()
    for name in failed:
        print(f"FAILED {name}")
    # The closing line that .ci/run's summary counts, as run_upstream.py's.
    print(f"{len(steps) - len(failed)} passed, {len(failed)} failed, 0 skipped")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
