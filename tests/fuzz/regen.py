"""Regenerate ``expected/traces.jsonl``: CPython 3.15's traces of the seeded scenarios.

Run from the repository root, on CPython 3.15 (the stdlib there is the spec)::

    PYTHONPATH=src python3.15 -m tests.fuzz.regen [--count 500] [--first-seed 0]
    PYTHONPATH=src python3.15 -m tests.fuzz.regen --graphs --count 300  # graphs.py's

Each seed's scenario (:func:`scenario.from_seed`) runs twice with the stdlib (the two
traces must agree: the harness is deterministic) and once with the backport; a
difference between the stdlib and the backport is reported and nothing is written (the
backport is wrong, or the harness is), unless ``--force``. Trivial scenarios (fewer than
``--min-lines`` trace lines) are skipped.

The file is JSON lines: a header, then one ``{"seed", "scenario", "trace"}`` per line.
The scenario is stored with its trace, so that interpreters whose ``random`` or hypothesis
differ still replay the very same program.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from typing import Any, Dict, Iterator, List, Optional, Tuple

from . import harness, scenario

EXPECTED = os.path.join(os.path.dirname(os.path.abspath(__file__)), "expected", "traces.jsonl")
FORMAT = 1


def load(path: str = EXPECTED) -> Tuple[Dict[str, Any], List[Dict[str, Any]]]:
    """The header and the entries of a stored traces file."""
    with open(path, encoding="utf-8") as f:
        header = json.loads(f.readline())
        if header.get("format") != FORMAT:
            raise ValueError(f"{path}: format {header.get('format')!r}, expected {FORMAT}")
        entries = [json.loads(line) for line in f if line.strip()]
    return header, entries


def generate(
    count: int, first_seed: int, min_lines: int
) -> Iterator[Tuple[Dict[str, Any], Optional[str]]]:
    """*count* entries from *first_seed* on, each with what is wrong with it, if anything."""
    assert harness.STDLIB is not None
    seed = first_seed
    made = 0
    while made < count:
        sc = scenario.from_seed(seed)
        trace = harness.run(sc, harness.STDLIB)
        seed += 1
        if len(trace) < min_lines:
            continue
        problem = None
        if harness.run(sc, harness.STDLIB) != trace:
            problem = "the stdlib's trace is not deterministic"
        elif harness.run(sc, harness.BACKPORT) != trace:
            problem = "the backport's trace differs from the stdlib's"
        made += 1
        yield {"seed": seed - 1, "scenario": sc, "trace": trace}, problem


def main(argv: Optional[List[str]] = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tests.fuzz.regen", description=__doc__)
    parser.add_argument("--count", type=int, default=500)
    parser.add_argument("--first-seed", type=int, default=0)
    parser.add_argument("--min-lines", type=int, default=8)
    parser.add_argument("--output", default=EXPECTED)
    parser.add_argument("--force", action="store_true", help="write even if traces differ")
    parser.add_argument(
        "--graphs",
        action="store_true",
        help="write expected/graphs.jsonl instead: 3.15's call graphs of --count structures",
    )
    args = parser.parse_args(argv)
    if args.graphs:
        from . import graphs

        if not graphs.STDLIB_REFERENCE:
            print("the expected graphs are the stdlib's of CPython 3.15", file=sys.stderr)
            return 2
        output = graphs.EXPECTED if args.output == EXPECTED else args.output
        return graphs.regen(args.count, args.first_seed, output)
    if harness.STDLIB is None:
        print("the expected traces are the stdlib's of CPython 3.15 or newer", file=sys.stderr)
        return 2

    entries = []
    failed = False
    for entry, problem in generate(args.count, args.first_seed, args.min_lines):
        if problem is not None:
            seed = entry["seed"]
            print(f"seed {seed}: {problem}; see: python -m tests.fuzz.replay --seed {seed}")
            failed = True
        entries.append(entry)
    if failed and not args.force:
        return 1
    header = {
        "format": FORMAT,
        "python": sys.version.split()[0],
        "count": len(entries),
        "first_seed": args.first_seed,
        "min_lines": args.min_lines,
        "note": "made by python -m tests.fuzz.regen: CPython 3.15 stdlib traces",
    }
    os.makedirs(os.path.dirname(os.path.abspath(args.output)), exist_ok=True)
    with open(args.output, "w", encoding="utf-8", newline="\n") as f:
        f.write(json.dumps(header, sort_keys=True) + "\n")
        for entry in entries:
            f.write(json.dumps(entry, separators=(",", ":")) + "\n")
    last = entries[-1]["seed"] if entries else args.first_seed
    print(f"wrote {len(entries)} scenarios (seeds {args.first_seed}..{last}) to {args.output}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
