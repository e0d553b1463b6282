"""Differential fuzzing of the backport against CPython 3.15's stdlib (see tests/fuzz/).

- On CPython 3.15+: hypothesis generates scenarios, each runs once with the stdlib and
  once with ``asyncio_compat.backport`` on a virtual-time loop, and the two traces must
  be equal. ``ASYNCIO_COMPAT_FUZZ_EXAMPLES`` examples (default: a seeded, reproducible
  300); set, it also lifts the per-test timeout and draws new examples each run
  (``ASYNCIO_COMPAT_FUZZ_SEED`` pins them).
- Everywhere: the backport reproduces the stored 3.15 traces of ``tests/fuzz/expected``
  (``python -m tests.fuzz.regen`` makes them; ``ASYNCIO_COMPAT_FUZZ_TRACES`` names
  another such file), normalised where this interpreter differs by design
  (``harness.normalise``); on 3.15 the stdlib still gives them too.

A difference fails with the scenario as Python-like source, as JSON (for
``python -m tests.fuzz.replay``) and the traces' diff; hypothesis shrinks it first.
"""

from __future__ import annotations

import ast
import difflib
import json
import os
import sys
from typing import Any, List

import pytest
from fuzz import harness, regen, scenario

FUZZING = "ASYNCIO_COMPAT_FUZZ_EXAMPLES" in os.environ
EXAMPLES = int(os.environ.get("ASYNCIO_COMPAT_FUZZ_EXAMPLES", "300"))
SEED = os.environ.get("ASYNCIO_COMPAT_FUZZ_SEED")

needs_stdlib = pytest.mark.skipif(
    harness.STDLIB is None, reason="CPython 3.15's stdlib is the reference"
)


def report(title: str, sc: scenario.Scenario, expected: List[str], got: List[str]) -> str:
    diff = difflib.unified_diff(expected, got, "expected", "backport", lineterm="")
    return "\n".join(
        [
            title,
            "",
            "Scenario:",
            scenario.to_source(sc),
            "",
            "As JSON (python -m tests.fuzz.replay --json '...'):",
            json.dumps(sc, separators=(",", ":")),
            "",
            "Traces:",
            *diff,
        ]
    )


# -- the stored traces ----------------------------------------------------------------

# ASYNCIO_COMPAT_FUZZ_TRACES: another file made by regen (e.g. a bigger one).
HEADER, ENTRIES = regen.load(os.environ.get("ASYNCIO_COMPAT_FUZZ_TRACES", regen.EXPECTED))
CHUNK = 50
CHUNKS = range(0, len(ENTRIES), CHUNK)


def test_stored_traces_are_many() -> None:
    assert len(ENTRIES) >= 200
    assert HEADER["python"].startswith("3.15")


@pytest.mark.parametrize("start", CHUNKS, ids=lambda start: f"{start // CHUNK}")
def test_backport_reproduces_stored_traces(start: int) -> None:
    ran = 0
    for entry in ENTRIES[start : start + CHUNK]:
        sc = entry["scenario"]
        if not harness.runnable(sc):
            continue
        ran += 1
        expected, got = harness.comparable(entry["trace"], harness.run(sc, harness.BACKPORT))
        if expected != got:
            title = (
                f"stored seed {entry['seed']}: the backport on {sys.version.split()[0]} "
                "differs from CPython 3.15's stdlib"
            )
            raise AssertionError(report(title, sc, expected, got))
    assert ran or sys.version_info < (3, 12)


@needs_stdlib
@pytest.mark.parametrize("start", CHUNKS, ids=lambda start: f"{start // CHUNK}")
def test_stdlib_gives_stored_traces(start: int) -> None:
    # If this CPython changed, regenerate: python -m tests.fuzz.regen
    assert harness.STDLIB is not None
    for entry in ENTRIES[start : start + CHUNK]:
        got = harness.run(entry["scenario"], harness.STDLIB)
        if got != entry["trace"]:
            title = f"stored seed {entry['seed']}: this stdlib no longer gives the stored trace"
            raise AssertionError(report(title, entry["scenario"], entry["trace"], got))


# -- hypothesis: the backport against the stdlib --------------------------------------


def _final_example() -> bool:
    # Is hypothesis running the example it will report (shrunk, run once more)?
    try:
        from hypothesis.control import current_build_context

        return bool(getattr(current_build_context(), "is_final", False))
    except Exception:  # pragma: no cover - outside hypothesis, or its internals moved
        return True


def check_against_stdlib(sc: scenario.Scenario) -> None:
    assert harness.STDLIB is not None
    expected = harness.run(sc, harness.STDLIB)
    assert not any(line.startswith("stuck") for line in expected), report(
        "the harness got stuck", sc, expected, expected
    )
    got = harness.run(sc, harness.BACKPORT)
    if expected == got:
        return
    title = "the backport differs from the stdlib"
    if _final_example():
        # Hypothesis shrinks the draws; this shrinks the program itself further.
        small = scenario.minimise(sc, harness.differs)
        if small != sc:
            title += " (minimised from hypothesis's example, at the end)"
            tail = report("hypothesis's example:", sc, expected, got)
            sc = small
            expected = harness.run(sc, harness.STDLIB)
            got = harness.run(sc, harness.BACKPORT)
            raise AssertionError(report(title, sc, expected, got) + "\n\n" + tail)
    raise AssertionError(report(title, sc, expected, got))


def _hypothesis_test() -> Any:
    try:
        from hypothesis import HealthCheck, Phase, given, settings
        from hypothesis import seed as hypothesis_seed
    except ImportError:  # pragma: no cover - hypothesis is a test dependency
        return None

    phases = [Phase.explicit, Phase.generate, Phase.shrink]

    @settings(
        max_examples=EXAMPLES,
        deadline=None,
        database=None,
        derandomize=not FUZZING and SEED is None,
        phases=phases,
        suppress_health_check=list(HealthCheck),
        print_blob=False,
    )
    @given(sc=scenario.strategy())
    def test_backport_matches_stdlib(sc: scenario.Scenario) -> None:
        check_against_stdlib(sc)

    if SEED is not None:
        test_backport_matches_stdlib = hypothesis_seed(int(SEED))(test_backport_matches_stdlib)
    return test_backport_matches_stdlib


_test = _hypothesis_test()
if _test is not None:
    test_backport_matches_stdlib = needs_stdlib(pytest.mark.timeout(0 if FUZZING else 60)(_test))


@needs_stdlib
def test_harness_is_deterministic() -> None:
    assert harness.STDLIB is not None
    for seed in range(40):
        sc = scenario.from_seed(seed)
        assert harness.run(sc, harness.STDLIB) == harness.run(sc, harness.STDLIB), seed
        assert harness.run(sc, harness.BACKPORT) == harness.run(sc, harness.BACKPORT), seed


# -- the harness itself ---------------------------------------------------------------


def test_virtual_time_jumps_to_the_next_timer() -> None:
    import asyncio
    import time

    loop = harness.VirtualTimeLoop()
    order: List[Any] = []

    async def main() -> float:
        loop.call_at(5.0, order.append, "a")
        loop.call_at(5.0, order.append, "b")  # same deadline: scheduled order
        loop.call_at(2.0, order.append, "c")
        await asyncio.sleep(3600)
        return loop.time()

    started = time.monotonic()
    try:
        assert 3600.0 == loop.run_until_complete(main())
    finally:
        loop.close()
    assert ["c", "a", "b"] == order
    assert time.monotonic() - started < 5


def test_deadlock_is_reported() -> None:
    sc: scenario.Scenario = {"root": [["sleep", 1, 0]], "events": [], "eager": False}
    loop_run = harness._Run(sc, harness.BACKPORT)
    fut = loop_run.loop.create_future()
    with pytest.raises(harness.Stuck):
        loop_run.loop.run_until_complete(fut)
    loop_run.loop.close()


def test_every_kind_of_statement_runs_and_renders() -> None:
    kinds = set()
    for seed in range(300):
        sc = scenario.from_seed(seed)
        kinds.update(stmt[0] for stmt in scenario.walk(sc["root"]))
        ast.parse(scenario.to_source(sc), f"<seed {seed}>")
    assert {
        "sleep",
        "raise",
        "return",
        "cancel",
        "tgcancel",
        "resched",
        "spawn",
        "group",
        "timeout",
        "try",
        "finally",
        "suppress",
        "catch",
        "shield",
        "agen",
    } == kinds


def test_minimise_keeps_what_fails() -> None:
    def raises_boom(sc: scenario.Scenario) -> bool:
        return any(s[:3:2] == ["raise", "Boom"] for s in scenario.walk(sc["root"]))

    for seed in range(200):
        sc = scenario.from_seed(seed)
        if raises_boom(sc):
            small = scenario.minimise(sc, raises_boom)
            left = list(scenario.walk(small["root"]))
            # A task's body is not inlined into another task: a spawn or shield may stay.
            assert ["raise", "Boom"] == left[-1][::2], small
            assert all(stmt[0] in ("spawn", "shield") for stmt in left[:-1]), small
            assert [] == small["events"]


def test_trace_names_no_ids() -> None:
    for entry in ENTRIES[:100]:
        for line in entry["trace"]:
            assert "0x" not in line, line
            assert "Task-" not in line, line


def test_normalise_strips_nested_links() -> None:
    line = "t0 end raise Boom() <during TimeoutError() <from CancelledError('m')>> c0 @1.0"
    assert "t0 end raise Boom() c0 @1.0" == harness._strip_links(line, "during")
