"""Differential fuzzing of the backport against CPython 3.15's stdlib (see tests/fuzz/).

- On CPython 3.15+: hypothesis generates scenarios, each runs once with the stdlib and
  once with ``asyncio_compat.backport`` on a virtual-time loop, and the two traces must
  be equal. ``ASYNCIO_COMPAT_FUZZ_EXAMPLES`` examples (default: a seeded, reproducible
  300); set, it also lifts the per-test timeout and draws new examples each run
  (``ASYNCIO_COMPAT_FUZZ_SEED`` pins them).
- Everywhere: the backport reproduces the stored 3.15 traces of ``tests/fuzz/expected``
  (``python -m tests.fuzz.regen`` makes them; ``ASYNCIO_COMPAT_FUZZ_TRACES`` names
  another such file), normalised where this interpreter differs by design
  (``harness.normalise``); on 3.15 the stdlib still gives them too. From 3.13 the
  scenarios with a ``wait_for`` also run with the backport's ``wait_for`` as it ships,
  on the stdlib's ``timeout()`` (elsewhere it runs on the backport's, as before 3.13).
- Call graphs (``fuzz/graphs.py``): random structures of tasks (chains, TaskGroups with
  and without ``context=``, gather, shield, wait, wait_for, both forms of as_completed,
  queues, locks, events and futures, under the main task of ``run()``): the backport's
  ``format_call_graph()`` text of every task is 3.15's stored one
  (``expected/graphs.jsonl``), on asyncio's loop and uvloop; a seeded sample of them in
  the regular run (all with ``ASYNCIO_COMPAT_FUZZ_EXAMPLES``), and on 3.15 new seeded
  structures against the stdlib.
- The ``waitfor`` statement: what the generator makes of it, a few traces it gives, and
  that a broken ``wait_for`` is caught.

A difference fails with the scenario as Python-like source, as JSON (for
``python -m tests.fuzz.replay``) and the traces' diff; hypothesis shrinks it first.
"""

from __future__ import annotations

import ast
import difflib
import json
import os
import random
import sys
from typing import Any, List

import pytest
from fuzz import graphs, harness, regen, scenario

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
    """The stored corpus is 3.15's, and big enough to mean something."""
    assert len(ENTRIES) >= 200
    assert HEADER["python"].startswith("3.15")


def check_stored(start: int, impl: harness.Impl, only_waitfor: bool = False) -> int:
    # The stored entries from *start* on, run with *impl*: how many ran.
    ran = 0
    for entry in ENTRIES[start : start + CHUNK]:
        sc = entry["scenario"]
        if not harness.runnable(sc):
            continue
        if only_waitfor and all(stmt[0] != "waitfor" for stmt in scenario.walk(sc["root"])):
            continue
        ran += 1
        expected, got = harness.comparable(entry["trace"], harness.run(sc, impl))
        if expected != got:
            title = (
                f"stored seed {entry['seed']}: {impl.name} on {sys.version.split()[0]} "
                "differs from CPython 3.15's stdlib"
            )
            raise AssertionError(report(title, sc, expected, got))
    return ran


@pytest.mark.parametrize("start", CHUNKS, ids=lambda start: f"{start // CHUNK}")
def test_backport_reproduces_stored_traces(start: int) -> None:
    """The backport on this interpreter gives 3.15's stored traces (up to the documented
    normalisations), 50 scenarios per test."""
    assert check_stored(start, harness.BACKPORT) or sys.version_info < (3, 12)


@pytest.mark.skipif(sys.version_info < (3, 13), reason="before 3.13 it is what BACKPORT runs")
@pytest.mark.parametrize("start", CHUNKS, ids=lambda start: f"{start // CHUNK}")
def test_shipped_wait_for_reproduces_stored_traces(start: int) -> None:
    """From 3.13 the backport's wait_for runs on the stdlib's timeout(), as it ships (the
    other tests run it on the backport's, as before 3.13): it gives the stored traces of
    the scenarios that have a waitfor statement too."""
    assert check_stored(start, harness.BACKPORT_SHIPPED, only_waitfor=True)


@needs_stdlib
@pytest.mark.parametrize("start", CHUNKS, ids=lambda start: f"{start // CHUNK}")
def test_stdlib_gives_stored_traces(start: int) -> None:
    """This CPython's stdlib still gives the stored traces: they are its behaviour."""
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
        """On every generated scenario the backport's trace is the stdlib's."""
        check_against_stdlib(sc)

    if SEED is not None:
        test_backport_matches_stdlib = hypothesis_seed(int(SEED))(test_backport_matches_stdlib)
    return test_backport_matches_stdlib


_test = _hypothesis_test()
if _test is not None:
    test_backport_matches_stdlib = needs_stdlib(pytest.mark.timeout(0 if FUZZING else 60)(_test))


@needs_stdlib
def test_harness_is_deterministic() -> None:
    """The same scenario gives the same trace twice, with either implementation."""
    assert harness.STDLIB is not None
    for seed in range(40):
        sc = scenario.from_seed(seed)
        assert harness.run(sc, harness.STDLIB) == harness.run(sc, harness.STDLIB), seed
        assert harness.run(sc, harness.BACKPORT) == harness.run(sc, harness.BACKPORT), seed


# -- the harness itself ---------------------------------------------------------------


def test_virtual_time_jumps_to_the_next_timer() -> None:
    """The loop's clock jumps to the next timer at once; equal deadlines run in order."""
    import asyncio

    loop = harness.VirtualTimeLoop()
    order: List[Any] = []

    async def main() -> float:
        loop.call_at(5.0, order.append, "a")
        loop.call_at(5.0, order.append, "b")  # same deadline: scheduled order
        loop.call_at(2.0, order.append, "c")
        await asyncio.sleep(3600)
        return loop.time()

    # An hour of real sleeping would end in pytest-timeout's failure, not in this assert.
    try:
        assert 3600.0 == loop.run_until_complete(main())
    finally:
        loop.close()
    assert ["c", "a", "b"] == order


def test_deadlock_is_reported() -> None:
    """A loop with nothing to run and no timer raises Stuck instead of hanging."""
    sc: scenario.Scenario = {"root": [["sleep", 1, 0]], "events": [], "eager": False}
    loop_run = harness._Run(sc, harness.BACKPORT)
    fut = loop_run.loop.create_future()
    with pytest.raises(harness.Stuck):
        loop_run.loop.run_until_complete(fut)
    loop_run.loop.close()


def test_every_kind_of_statement_runs_and_renders() -> None:
    """300 seeds generate every kind of statement, and render as valid Python."""
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
        "waitfor",
    } == kinds


def test_minimise_keeps_what_fails() -> None:
    """Minimising keeps the failing statement and drops everything it can."""

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
    """No trace line holds an object id or a task name, which change from run to run."""
    for entry in ENTRIES[:100]:
        for line in entry["trace"]:
            assert "0x" not in line, line
            assert "Task-" not in line, line


def test_normalise_strips_nested_links() -> None:
    """A stripped link goes with every link it nests."""
    line = "t0 end raise Boom() <during TimeoutError() <from CancelledError('m')>> c0 @1.0"
    assert "t0 end raise Boom() c0 @1.0" == harness._strip_links(line, "during")


def test_normalise_strips_only_a_cancelled_errors_context() -> None:
    """With *after*, only the context links of the exceptions rendered that way go: before
    3.11 a task awaiting a cancelled task gets a CancelledError chained to the task's."""
    line = (
        "t0 n1 raise TimeoutError() <from CancelledError() <during CancelledError()>> c0 @1.0"
        " Boom() <during CancelledError() <during Boom()>>"
    )
    expected = (
        "t0 n1 raise TimeoutError() <from CancelledError()> c0 @1.0"
        " Boom() <during CancelledError()>"
    )
    assert expected == harness._strip_links(line, "during", after="CancelledError()")


# -- the waitfor statement ------------------------------------------------------------


def _waitfor_features(body: scenario.Body, task: int, within: str, targets: Any) -> Any:
    # What the waitfor statements of *body* (run in task *task*, directly in a group or
    # timeout *within*) are like; *targets*: the tasks that events cancel.
    for stmt in body:
        op = stmt[0]
        if op == "waitfor":
            how, limit, inner = stmt[2], stmt[3], stmt[4]
            yield how
            if limit is None or limit <= 0:
                yield f"limit {limit!r}"
            else:
                yield "limit > 0"
                ends, elapsed = [], 0.0
                for sub in inner:
                    if sub[0] == "sleep" and sub[2] > 0:
                        elapsed += sub[2]
                        ends.append(elapsed)
                if limit in ends:
                    yield "limit = a sleep's end"
            if inner and inner[0][:4:3] == ["try", "swallow"]:
                yield "swallows"
            if within:
                yield f"in a {within}"
            if any(s[0] in ("group", "timeout") for s in scenario.walk(inner)):
                yield "holds a group or timeout"
            if task in targets:
                yield "its task cancelled from outside"
            if how not in ("coro", "awaitable") or (limit is not None and limit <= 0):
                yield from _waitfor_features(inner, stmt[1], "", targets)  # a task of its own
            else:
                yield from _waitfor_features(inner, task, within, targets)
        elif op in ("spawn", "shield"):
            yield from _waitfor_features(stmt[-1], stmt[1], "", targets)
        elif op in ("group", "timeout"):
            yield from _waitfor_features(stmt[-1], task, op, targets)
        else:
            for index in scenario._BODIES.get(op, ()):
                yield from _waitfor_features(stmt[index], task, within, targets)


def test_waitfor_statements_race_and_are_cancelled() -> None:
    """The generator gives wait_for every kind of awaitable and of timeout (None, 0,
    below 0, positive, equal to when one of its body's sleeps ends), bodies that swallow
    their cancellation, waitfors nested in groups and timeouts and holding them, and
    outside cancellations of the waiting task."""
    seen = set()
    for seed in range(300):
        sc = scenario.from_seed(seed)
        targets = {event[2] for event in sc["events"] if event[1] == "cancel"}
        seen.update(_waitfor_features(sc["root"], 0, "", targets))
    assert {
        "coro",
        "awaitable",
        "task",
        "shield",
        "future",
        "limit None",
        "limit 0",
        "limit -1",
        "limit > 0",
        "limit = a sleep's end",
        "swallows",
        "in a group",
        "in a timeout",
        "holds a group or timeout",
        "its task cancelled from outside",
    } == seen


def check_trace(sc: scenario.Scenario, expected: List[str]) -> None:
    # The backport here, and on 3.15 the stdlib too (the lines are the spec's), give
    # *expected*, up to this interpreter's normalisations.
    if not harness.runnable(sc):
        pytest.skip("eager tasks need 3.12")
    impls = [harness.BACKPORT] + ([harness.STDLIB] if harness.STDLIB is not None else [])
    for impl in impls:
        want, got = harness.comparable(expected, harness.run(sc, impl))
        assert want == got, report(f"{impl.name} on {sys.version.split()[0]}", sc, want, got)


def test_waitfor_timeout_of_zero_or_less_never_starts_the_coroutine() -> None:
    """wait_for(coroutine or awaitable, 0 or less) makes it a task, cancels it before its
    first step, and raises TimeoutError from the CancelledError; the trace has no start
    line of the body, and the task wait_for made ends cancelled."""
    sc: scenario.Scenario = {
        "root": [
            ["suppress", 1, "TimeoutError", [["waitfor", 2, "coro", 0, [["sleep", 3, 1]]]]],
            ["waitfor", 4, "awaitable", -1, [["sleep", 5, 0]]],
        ],
        "events": [],
        "eager": False,
    }
    check_trace(
        sc,
        [
            "t0 start c0 @0.0",
            "t0 n2 raise TimeoutError() <from CancelledError()> c0 @0.0",
            "t0 n1 ok c0 @0.0",
            "t0 n4 raise TimeoutError() <from CancelledError()> c0 @0.0",
            "t0 end raise TimeoutError() <from CancelledError()> c0 @0.0",
            "final t0 raised TimeoutError() <from CancelledError()>",
            "final t2 cancelled CancelledError()",
            "final t4 cancelled CancelledError()",
        ],
    )


def test_waitfor_returns_the_value_of_a_task_that_swallows_its_cancellation() -> None:
    """A task that swallows the cancellation of the expiry and returns: wait_for returns
    its value, not TimeoutError, and leaves no cancellation behind (c0); with timeout
    None wait_for returns an awaitable's value whenever it comes."""
    sc: scenario.Scenario = {
        "root": [
            ["waitfor", 1, "task", 1, [["try", 2, "CancelledError", "swallow", [["sleep", 3, 2]]]]],
            ["waitfor", 4, "awaitable", None, [["sleep", 5, 1]]],
        ],
        "events": [],
        "eager": False,
    }
    check_trace(
        sc,
        [
            "t0 start c0 @0.0",
            "t1 w1 start c0 @0.0",
            "t1 n3 raise CancelledError() c1 @1.0",
            "t1 n2 caught CancelledError() c1 @1.0",
            "t1 n2 ok c1 @1.0",
            "t1 w1 end 'v1' c1 @1.0",
            "t0 n1 waitfor t1 ok",
            "t0 n1 waitfor -> 'v1' c0 @1.0",
            "t0 n1 ok c0 @1.0",
            "t0 w4 start c0 @1.0",
            "t0 n5 ok c0 @2.0",
            "t0 w4 end 'v4' c0 @2.0",
            "t0 n4 waitfor -> 'v4' c0 @2.0",
            "t0 n4 ok c0 @2.0",
            "t0 end ok c0 @2.0",
            "final t0 ok",
            "final t1 ok",
        ],
    )


def test_waitfor_result_arriving_with_the_expiry_is_cancelled() -> None:
    """An eager task whose sleep ends at the very time the timeout expires: the sleep's
    timer runs first, but the expiry's cancel() reaches the task before it resumes, so
    it ends cancelled and wait_for raises TimeoutError (3.12+: eager tasks)."""
    sc: scenario.Scenario = {
        "root": [["waitfor", 1, "task", 1, [["sleep", 2, 1]]]],
        "events": [],
        "eager": True,
    }
    check_trace(
        sc,
        [
            "t0 start c0 @0.0",
            "t1 w1 start c0 @0.0",
            "t1 n2 raise CancelledError() c1 @1.0",
            "t1 w1 raise CancelledError() c1 @1.0",
            "t0 n1 waitfor t1 cancelled CancelledError()",
            "t0 n1 raise TimeoutError() <from CancelledError()> c0 @1.0",
            "t0 end raise TimeoutError() <from CancelledError()> c0 @1.0",
            "final t0 raised TimeoutError() <from CancelledError()>",
            "final t1 cancelled CancelledError()",
        ],
    )


def test_waitfor_cancelled_from_outside_as_it_expires_propagates_the_cancellation() -> None:
    """The waiting task cancelled from outside at the moment its wait_for expires: the
    outside request wins, CancelledError (with its message) propagates rather than
    TimeoutError, and the task's own request stays counted (c1)."""
    sc: scenario.Scenario = {
        "root": [["waitfor", 1, "coro", 1, [["sleep", 2, 1]]]],
        "events": [[1, "cancel", 0, "mw"]],
        "eager": False,
    }
    check_trace(
        sc,
        [
            "t0 start c0 @0.0",
            "t0 w1 start c0 @0.0",
            "e0 cancel t0 -> True",
            "t0 n2 raise CancelledError('mw') c2 @1.0",
            "t0 w1 raise CancelledError('mw') c2 @1.0",
            "t0 n1 raise CancelledError('mw') c1 @1.0",
            "t0 end raise CancelledError('mw') c1 @1.0",
            "final t0 cancelled CancelledError()",
        ],
    )


@needs_stdlib
def test_waitfor_statements_catch_a_wait_for_that_does_not_wait(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The fuzzer has teeth: a backport whose wait_for, for a timeout of 0 or less,
    cancels the awaitable without waiting for it to end, and so leaves it running,
    differs from the stdlib on one of the first 300 seeds at least."""
    from asyncio_compat import _waitfor

    async def cancel_only(fut: Any) -> None:
        fut.cancel()

    monkeypatch.setattr(_waitfor, "_cancel_and_wait", cancel_only)
    assert any(harness.differs(scenario.from_seed(seed)) for seed in range(300))


# -- call graphs --------------------------------------------------------------------------

GRAPH_ENTRIES = graphs.load()
GRAPH_SAMPLE = 100  # of the stored structures, per loop, in the regular run


def _graph_loops() -> List[Any]:
    loops: List[Any] = [pytest.param(None, id="asyncio")]
    try:
        import uvloop
    except ImportError:
        return loops
    return [*loops, pytest.param(uvloop.new_event_loop, id="uvloop")]


def graph_report(title: str, node: Any, expected: List[str], got: List[str]) -> str:
    diff = difflib.unified_diff(expected, got, "expected", "backport", lineterm="")
    return "\n".join([title, "", "Structure:", graphs.source(node), json.dumps(node), *diff])


def test_stored_graphs_are_many() -> None:
    """The stored call graphs are 3.15's, of enough structures to mean something, and
    cover every kind of node."""
    assert len(GRAPH_ENTRIES) >= 200
    with open(graphs.EXPECTED, encoding="utf-8") as f:
        assert json.loads(f.readline())["python"].startswith("3.15")
    kinds = set()
    pending = [entry["structure"] for entry in GRAPH_ENTRIES]
    while pending:
        node = pending.pop()
        if node[0] in graphs.LEAVES:
            kinds.add(node[0] if len(node) == 1 else (node[0], "own graph"))
            continue
        kinds.add((node[0], node[2]) if len(node) > 2 else node[0])
        pending += node[1] if isinstance(node[1][0], list) else [node[1]]
    assert {
        *graphs.LEAVES,
        ("event", "own graph"),
        "task",
        ("group", True),
        ("group", False),
        "gather",
        "wait",
        "shield",
        "wait_for",
        ("as_completed", True),
        ("as_completed", False),
    } == kinds


@pytest.mark.parametrize("loop_factory", _graph_loops())
def test_backport_reproduces_stored_graphs(loop_factory: Any) -> None:
    """The backport's call graphs of the stored structures, under ``asyncio_compat.run()``,
    read as 3.15's stdlib wrote them (paths, line numbers and ids normalised): a seeded
    sample of 100 (all of them when fuzzing)."""
    from asyncio_compat import backport

    entries = GRAPH_ENTRIES
    if not FUZZING:
        entries = random.Random(int(SEED or 0)).sample(entries, GRAPH_SAMPLE)
    api = graphs.module_api(backport)
    for entry in entries:
        got = graphs.trace(api, entry["structure"], loop_factory)
        if got != entry["trace"]:
            title = (
                f"stored graph seed {entry['seed']}: the backport on {sys.version.split()[0]} "
                "differs from CPython 3.15's stdlib"
            )
            raise AssertionError(graph_report(title, entry["structure"], entry["trace"], got))


@pytest.mark.skipif(not graphs.STDLIB_REFERENCE, reason="CPython 3.15's stdlib is the reference")
def test_backport_graphs_match_stdlib() -> None:
    """On 3.15, new seeded structures give the same text from the backport as from the
    stdlib (``ASYNCIO_COMPAT_FUZZ_EXAMPLES`` of them when fuzzing, else 100)."""
    from asyncio_compat import backport

    first = int(SEED) if SEED else 1_000_000
    for seed in range(first, first + (EXAMPLES if FUZZING else 100)):
        node = graphs.structure(seed)
        expected = graphs.trace(graphs.stdlib_api(), node)
        got = graphs.trace(graphs.module_api(backport), node)
        if got != expected:
            title = f"graph seed {seed}: the backport differs from the stdlib"
            raise AssertionError(graph_report(title, node, expected, got))
