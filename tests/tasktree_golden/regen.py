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

import os
import sys
from typing import List, Optional

from .. import golden_regen
from . import programs


def _spec_api() -> object:
    import asyncio_compat

    return programs.module_api(asyncio_compat)


def main(argv: Optional[List[str]] = None) -> int:
    return golden_regen.main(
        argv,
        description=__doc__.split("\n\n")[0],
        folder=os.path.dirname(os.path.abspath(__file__)),
        programs=programs,
        spec_api=_spec_api,
        spec_name="asyncio_compat's names",
    )


if __name__ == "__main__":
    sys.exit(main())
