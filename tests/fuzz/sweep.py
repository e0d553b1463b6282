"""Run many seeded scenarios against the stdlib and the backport, without hypothesis.

Faster than the hypothesis test (no shrinking machinery), and reproducible by seed::

    PYTHONPATH=src python3.15 -m tests.fuzz.sweep --count 100000 [--first-seed 0]

The first scenario whose traces differ is minimised and printed (source, JSON, diff);
exits 1 then, 0 if none differs.
"""

from __future__ import annotations

import argparse
import difflib
import json
import sys
import time
from typing import List, Optional

from . import harness, scenario


def main(argv: Optional[List[str]] = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tests.fuzz.sweep", description=__doc__)
    parser.add_argument("--count", type=int, default=10000)
    parser.add_argument("--first-seed", type=int, default=0)
    parser.add_argument("--every", type=int, default=10000, help="report progress this often")
    args = parser.parse_args(argv)
    if harness.STDLIB is None:
        print("the stdlib of CPython 3.15 or newer is the reference", file=sys.stderr)
        return 2

    started = time.monotonic()
    for done, seed in enumerate(range(args.first_seed, args.first_seed + args.count), 1):
        sc = scenario.from_seed(seed)
        if harness.differs(sc):
            small = scenario.minimise(sc, harness.differs)
            expected = harness.run(small, harness.STDLIB)
            got = harness.run(small, harness.BACKPORT)
            print(f"seed {seed}: the backport differs from the stdlib; minimised:\n")
            print(scenario.to_source(small))
            print()
            print(json.dumps(small, separators=(",", ":")))
            print("\n".join(difflib.unified_diff(expected, got, "stdlib", "backport", lineterm="")))
            return 1
        if done % args.every == 0:
            rate = done / (time.monotonic() - started)
            print(f"{done} scenarios, no difference ({rate:.0f}/s)", flush=True)
    print(f"{args.count} scenarios (seeds {args.first_seed}..{seed}), no difference")
    return 0


if __name__ == "__main__":
    sys.exit(main())
