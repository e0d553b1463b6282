"""Regenerate the golden call graphs from CPython 3.15's stdlib.

Run from the repository root, on CPython 3.15 (its ``asyncio.graph`` is the spec)::

    PYTHONPATH=src python3.15 -m tests.graph_golden.regen [--check]

Each program of ``programs.py`` runs twice with the stdlib's names (both runs must give
the same text: the programs are deterministic) and once with
``asyncio_compat.backport``'s; the stdlib's text is written to ``<program>.txt``. A
difference with the backport is reported and nothing is written, unless ``--force``.
``--check`` writes nothing and fails if a stored file differs.
"""

from __future__ import annotations

import argparse
import difflib
import os
import sys
from typing import List, Optional

from . import programs

HERE = os.path.dirname(os.path.abspath(__file__))


def golden_path(name: str) -> str:
    return os.path.join(HERE, f"{name}.txt")


def main(argv: Optional[List[str]] = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--force", action="store_true", help="write even if the backport differs")
    parser.add_argument("--check", action="store_true", help="compare with the stored files only")
    args = parser.parse_args(argv)
    if sys.version_info[:2] != (3, 15):
        print("error: run this on CPython 3.15, whose stdlib is the spec", file=sys.stderr)
        return 2

    from asyncio_compat import backport

    status = 0
    for name in programs.PROGRAMS:
        stdlib = programs.render(programs.run_program(name, programs.stdlib_api()))
        again = programs.render(programs.run_program(name, programs.stdlib_api()))
        if stdlib != again:
            print(f"{name}: two runs of the stdlib differ: the program is not deterministic")
            return 1
        ours = programs.render(programs.run_program(name, programs.module_api(backport)))
        if ours != stdlib:
            print(f"{name}: the backport differs from the stdlib:")
            diff = difflib.unified_diff(
                stdlib.splitlines(), ours.splitlines(), "stdlib", "backport", lineterm=""
            )
            print("\n".join(diff))
            status = 1
        path = golden_path(name)
        if args.check:
            with open(path, encoding="utf-8") as f:
                if f.read() != stdlib:
                    print(f"{name}: {path} is out of date")
                    status = 1
            continue
        if status and not args.force:
            continue
        with open(path, "w", encoding="utf-8") as f:
            f.write(stdlib)
        print(f"wrote {path}")
    if status and not args.force and not args.check:
        print("nothing written for the programs above (--force writes them anyway)")
    return status


if __name__ == "__main__":
    sys.exit(main())
