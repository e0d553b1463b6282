"""The example programs run on this interpreter and print what their README says.

Each example prints the same lines on every supported interpreter, except the first half of
wait_for.py, which runs the interpreter's own wait_for() (fixed in 3.12); the order of some
lines rests on timers 40-100 ms apart, so a run that a loaded machine stalled for longer
than that is tried again (three runs at most) before the test fails.
"""

from __future__ import annotations

import os
import pathlib
import re
import subprocess
import sys
import textwrap
from typing import Dict, List

import pytest

import asyncio_compat

EXAMPLES = pathlib.Path(__file__).resolve().parent.parent / "examples"

EXPECTED: Dict[str, str] = {
    "first_error.py": """\
        asyncio.gather():
          charge_card: card declined
          caller: gather raised ValueError('card declined'); booking failed
          caller: still running: ['reserve_seat']
          reserve_seat: seat reserved -- after the caller gave up on the booking

        asyncio_compat.TaskGroup():
          charge_card: card declined
          reserve_seat: cancelled, no seat reserved
          caller: the group raised ExceptionGroup [ValueError('card declined')]; booking failed
          caller: still running: []
        """,
    "return_exceptions.py": """\
        asyncio.gather(return_exceptions=True):
          results: ['ada', LookupError('no user 2'), 'grace', ConnectionError('database down')]
          names: AttributeError, an exception was used as a name
          the caller must pick the errors out itself: [LookupError('no user 2'), \
ConnectionError('database down')]

        asyncio_compat.TaskGroup(), users [1, 2, 3]:
          results: ['ada', None, 'grace']

        asyncio_compat.TaskGroup(), users [1, 2, 4, 5]:
          caller: catch() handled ExceptionGroup [ConnectionError('database down')]
          lookups cancelled when the database went down: [5]
        """,
    "cancellation.py": """\
        1. asyncio.gather(), its caller cancelled:
          slow: cancelled, cleaning up
          quick: cancelled, nothing to clean up
          caller: cancelled; still running: ['slow']
          slow: cleanup done

        1. asyncio_compat.TaskGroup(), its caller cancelled:
          slow: cancelled, cleaning up
          quick: cancelled, nothing to clean up
          slow: cleanup done
          caller: cancelled; still running: []

        2. asyncio.gather(), one task cancelled by someone else:
          caller: gather raised CancelledError; still running: ['other']
          other: done

        2. asyncio_compat.TaskGroup(), one task cancelled by someone else:
          other: done
          caller: the group ended normally; other: 'other', victim cancelled: True
        """,
    "timeout.py": """\
        asyncio.wait_for() around asyncio.gather(), 0.1 s:
          small: downloaded
          slow: cancelled, removing its partial download
          quick: cancelled, nothing to clean up
          caller: timed out; still running: ['slow']
          slow: partial download removed

        asyncio_compat.timeout() around asyncio_compat.TaskGroup(), 0.1 s:
          small: downloaded
          slow: cancelled, removing its partial download
          quick: cancelled, nothing to clean up
          slow: partial download removed
          caller: timed out; still running: []

        asyncio_compat.timeout(), everything done in time:
          small: downloaded
          caller: got 'small'; expired: False
        """,
    "structured.py": """\
        1. Results in argument order
          TaskGroup, by hand: 'ada' ['book', 'lamp']
          structured.gather(): 'ada' ['book', 'lamp']
          structured.gather(), user 2: catch() handled [LookupError('no user 2')]
          cancelled: ['orders of 2']; still running: []

        2. Bounded fan-out, 2 downloads at a time
          Semaphore + TaskGroup, by hand: [3, 3, 3, 3, 3]; at once: 2; tasks: 5
          structured.amap(limit=2): [3, 3, 3, 3, 3]; at once: 2; tasks: 2

        3. The first answer wins; a mirror that fails does not
          TaskGroup.cancel(), by hand: 'data from mirror-b'; cancelled: ['mirror-c']
          structured.race(): 'data from mirror-b'; cancelled: ['mirror-c']
          still running: []

        4. As they complete, until the first hit
          asyncio.as_completed() in a TaskGroup, by hand: 'found it'; cancelled: ['engine-c']
          structured.as_completed(): 'found it'; cancelled: ['engine-c']
          still running: []
        """,
    "first_wins.py": """\
        asyncio.wait(return_when=FIRST_COMPLETED):
          caller: 'data from mirror-b'
          caller: after cancel(), still running: ['mirror-a', 'mirror-c']

        asyncio_compat.TaskGroup() and its cancel():
          caller: 'data from mirror-b'
          caller: cancelled: ['mirror-a', 'mirror-c']; still running: []
        """,
    "hung.py": """\
        └── (T) service
            ├──  main examples/hung.py:56
            ├──  service examples/hung.py:47
            ├── (T) alice
            │   ├──  worker examples/hung.py:27
            │   └──  wait_for_reply examples/hung.py:23
            └── (T) bob
                ├──  worker examples/hung.py:27
                └──  wait_for_reply examples/hung.py:23
        stopped: alice cancelled: True, bob cancelled: True
        """,
}

# Before 3.12 this Python's own wait_for() shows the bugs that examples/wait_for.py is about.
_STDLIB_WAIT_FOR = (
    """\
        (this Python's asyncio.wait_for() already has the fix)

        asyncio.wait_for() on this Python:
          1. caller: cancelled, as asked
          2. caller: CancelledError; tasks left running: 0
        """
    if sys.version_info >= (3, 12) and sys.implementation.name == "cpython"
    else """\
        asyncio.wait_for() on this Python:
          1. caller: stored 'cached value', though it was cancelled
          2. caller: CancelledError; tasks left running: 1
        """
)
EXPECTED["wait_for.py"] = (
    _STDLIB_WAIT_FOR
    + """\

        asyncio_compat.wait_for():
          1. caller: cancelled, as asked
          2. caller: CancelledError; tasks left running: 0
        """
)

ATTEMPTS = 3


def _env() -> Dict[str, str]:
    # The examples import the asyncio_compat that this test process imported.
    env = dict(os.environ)
    here = os.path.dirname(os.path.dirname(os.path.abspath(asyncio_compat.__file__)))
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [here, env.get("PYTHONPATH")]))
    return env


def run_example(name: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-W", "error", str(EXAMPLES / name)],
        cwd=str(EXAMPLES.parent),  # as their docstrings say: python examples/NAME.py
        env=_env(),
        capture_output=True,
        text=True,
        timeout=50,
    )


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_example_output(name):
    """The example exits 0, warns of nothing, and prints exactly the expected lines."""
    expected = textwrap.dedent(EXPECTED[name])
    outputs: List[str] = []
    for _ in range(ATTEMPTS):
        result = run_example(name)
        assert "" == result.stderr
        assert 0 == result.returncode
        outputs.append(result.stdout)
        if result.stdout == expected:
            break
    assert expected == outputs[-1]


def test_every_example_is_tested_and_listed():
    """Each script in examples/ has expected output here and a row in its README."""
    scripts = sorted(path.name for path in EXAMPLES.glob("*.py"))
    assert sorted(EXPECTED) == scripts
    readme = (EXAMPLES / "README.md").read_text(encoding="utf-8")
    listed = sorted(set(re.findall(r"\[`(\w+\.py)`\]\(\1\)", readme)))
    assert scripts == listed


def test_examples_say_how_to_run_them():
    """Each script's docstring says what it shows and how to run it."""
    for path in sorted(EXAMPLES.glob("*.py")):
        text = path.read_text(encoding="utf-8")
        assert text.startswith('"""'), path.name
        assert f"Run: ``python examples/{path.name}``" in text, path.name
