"""Regenerate the golden task trees on CPython 3.15.

Run from the repository root, on CPython 3.15 (where ``asyncio_compat``'s TaskGroup and
wait_for are the stdlib's)::

    PYTHONPATH=src python3.15 -m tests.tasktree_golden.regen [--check]

Each program of ``programs.py`` runs twice with ``asyncio_compat``'s names (both runs must
give the same text: the programs are deterministic) and once with
``asyncio_compat.backport``'s; the first text is written to ``<program>.txt``. A
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


def main(argv: Optional[List[str]] = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--force", action="store_true", help="write even if the backport differs")
    parser.add_argument("--check", action="store_true", help="compare with the stored files only")
    args = parser.parse_args(argv)
    if sys.version_info[:2] != (3, 15):
        print("error: run this on CPython 3.15, whose stdlib is the spec", file=sys.stderr)
        return 2

    import asyncio_compat
    from asyncio_compat import backport

    status = 0
    for name in programs.PROGRAMS:
        spec = programs.render(programs.run_program(name, programs.module_api(asyncio_compat)))
        again = programs.render(programs.run_program(name, programs.module_api(asyncio_compat)))
        if spec != again:
            print(f"{name}: two runs differ: the program is not deterministic")
            return 1
        ours = programs.render(programs.run_program(name, programs.module_api(backport)))
        if ours != spec:
            print(f"{name}: the backport differs from the stdlib:")
            diff = difflib.unified_diff(
                spec.splitlines(), ours.splitlines(), "stdlib", "backport", lineterm=""
            )
            print("\n".join(diff))
            status = 1
        path = os.path.join(HERE, f"{name}.txt")
        if args.check:
            with open(path, encoding="utf-8") as f:
                if f.read() != spec:
                    print(f"{name}: {path} is out of date")
                    status = 1
            continue
        if status and not args.force:
            continue
        with open(path, "w", encoding="utf-8") as f:
            f.write(spec)
        print(f"wrote {path}")
    if status and not args.force and not args.check:
        print("nothing written for the programs above (--force writes them anyway)")
    return status


if __name__ == "__main__":
    sys.exit(main())
