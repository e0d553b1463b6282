"""The regenerate-or-check loop of the golden texts (``graph_golden/regen.py`` and
``tasktree_golden/regen.py``): each program runs twice with the names that are the spec
(both runs must give the same text: the programs are deterministic) and once with
``asyncio_compat.backport``'s; the spec's text is written to ``<program>.txt`` in the
programs' folder. A difference with the backport is reported and nothing is written,
unless ``--force``; ``--check`` writes nothing and fails if a stored file differs.
"""

from __future__ import annotations

import argparse
import difflib
import os
import sys
from typing import Any, Callable, List, Optional


def main(
    argv: Optional[List[str]],
    *,
    description: str,
    folder: str,
    programs: Any,
    spec_api: Callable[[], Any],
    spec_name: str,
) -> int:
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument("--force", action="store_true", help="write even if the backport differs")
    parser.add_argument("--check", action="store_true", help="compare with the stored files only")
    args = parser.parse_args(argv)
    if sys.version_info[:2] != (3, 15):
        print("error: run this on CPython 3.15, whose stdlib is the spec", file=sys.stderr)
        return 2

    from asyncio_compat import backport

    status = 0
    for name in programs.PROGRAMS:
        spec = programs.render(programs.run_program(name, spec_api()))
        again = programs.render(programs.run_program(name, spec_api()))
        if spec != again:
            print(f"{name}: two runs of {spec_name} differ: the program is not deterministic")
            return 1
        ours = programs.render(programs.run_program(name, programs.module_api(backport)))
        if ours != spec:
            print(f"{name}: the backport differs from {spec_name}:")
            diff = difflib.unified_diff(
                spec.splitlines(), ours.splitlines(), spec_name, "backport", lineterm=""
            )
            print("\n".join(diff))
            status = 1
        path = os.path.join(folder, f"{name}.txt")
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
