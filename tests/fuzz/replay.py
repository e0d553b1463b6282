"""Replay one scenario: its source, its traces, and where they differ.

Run from the repository root::

    PYTHONPATH=src python -m tests.fuzz.replay --seed 17        # scenario.from_seed(17)
    PYTHONPATH=src python -m tests.fuzz.replay --stored 17      # the stored entry of seed 17
    PYTHONPATH=src python -m tests.fuzz.replay --json '{"root": ...}'
    PYTHONPATH=src python -m tests.fuzz.replay scenario.json
    PYTHONPATH=src python3.15 -m tests.fuzz.replay --minimise --seed 17

On CPython 3.15+ the stdlib's trace is the reference; elsewhere the stored trace (with
``--stored``) is, normalised as the tests compare it. Exits 1 if the traces differ.
"""

from __future__ import annotations

import argparse
import difflib
import json
import sys
from typing import List, Optional

from . import harness, regen, scenario


def main(argv: Optional[List[str]] = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tests.fuzz.replay", description=__doc__)
    source = parser.add_mutually_exclusive_group(required=True)
    source.add_argument("--seed", type=int, help="the scenario of this seed")
    source.add_argument("--stored", type=int, help="the stored entry of this seed")
    source.add_argument("--json", help="a scenario as JSON")
    source.add_argument("file", nargs="?", help="a file holding a scenario as JSON")
    parser.add_argument("--quiet", action="store_true", help="only the difference")
    parser.add_argument(
        "--minimise",
        action="store_true",
        help="simplify the scenario while the traces still differ (3.15+)",
    )
    args = parser.parse_args(argv)

    expected = None
    if args.seed is not None:
        sc = scenario.from_seed(args.seed)
    elif args.stored is not None:
        entries = [e for e in regen.load()[1] if e["seed"] == args.stored]
        if not entries:
            print(f"no stored entry for seed {args.stored}", file=sys.stderr)
            return 2
        sc, expected = entries[0]["scenario"], entries[0]["trace"]
    elif args.json is not None:
        sc = json.loads(args.json)
    else:
        with open(args.file, encoding="utf-8") as f:
            sc = json.load(f)

    if args.minimise:
        if harness.STDLIB is None:
            print("--minimise needs CPython 3.15 (the stdlib is the reference)", file=sys.stderr)
            return 2
        if harness.differs(sc):
            sc = scenario.minimise(sc, harness.differs)
            expected = None
            print("# minimised:", json.dumps(sc, separators=(",", ":")))
    if not harness.runnable(sc):
        print("this interpreter cannot run this scenario (eager tasks need 3.12)")
        return 2
    if not args.quiet:
        print(scenario.to_source(sc))
        print()
    got = harness.run(sc, harness.BACKPORT)
    if harness.STDLIB is not None:
        reference, name = harness.run(sc, harness.STDLIB), "stdlib"
        if expected is not None and expected != reference:
            print("(the stored trace is not this stdlib's: regenerate it)")
    elif expected is not None:
        reference, name = expected, "stored"
    else:
        reference, name = None, ""
    if reference is None:
        print("\n".join(got))
        return 0
    reference, got = harness.comparable(reference, got)
    if not args.quiet:
        print(f"--- trace ({name})")
        print("\n".join(reference))
        print()
    if reference == got:
        print(f"backport: same trace as the {name} one")
        return 0
    print(f"backport: differs from the {name} trace")
    print("\n".join(difflib.unified_diff(reference, got, name, "backport", lineterm="")))
    return 1


if __name__ == "__main__":
    sys.exit(main())
