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

import os
import sys
from typing import List, Optional

from .. import golden_regen
from . import programs


def main(argv: Optional[List[str]] = None) -> int:
    return golden_regen.main(
        argv,
        description=__doc__.split("\n\n")[0],
        folder=os.path.dirname(os.path.abspath(__file__)),
        programs=programs,
        spec_api=programs.stdlib_api,
        spec_name="the stdlib",
    )


if __name__ == "__main__":
    sys.exit(main())
