"""The whole table of version gates: for each CPython release, which object each public
name of ``asyncio_compat`` is (the stdlib's, this package's backport, or exceptiongroup's).

The gates are read from ``src/asyncio_compat/__init__.py`` by the parser that generates
the manual's table (``docs/_ext/gates.py``) and evaluated for releases this machine may
not have (3.14.7, 3.15.0, ...); ``tests/test_docs.py`` checks the parser's answer against
the live package on each interpreter of the matrix. A gate names the first patch release
of each minor line whose stdlib behaves like the newest CPython's for that name; the
table below is the one place that says what that gives, release by release.
"""

from __future__ import annotations

import ast
import importlib.util
import pathlib
import sys
import types
from typing import Any, Dict, List, Tuple

import pytest

ROOT = pathlib.Path(__file__).resolve().parent.parent
INIT = ROOT / "src" / "asyncio_compat" / "__init__.py"
GATES_PY = ROOT / "docs" / "_ext" / "gates.py"

if not GATES_PY.is_file():
    pytest.skip("docs/ is not part of this tree (an sdist)", allow_module_level=True)


def _load_gates() -> types.ModuleType:
    # By path, under a private name (docs/_ext is not a package); the same module
    # tests/test_docs.py loads.
    name = "_asyncio_compat_docs_gates"
    if name in sys.modules:
        return sys.modules[name]
    spec = importlib.util.spec_from_file_location(name, GATES_PY)
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module  # NamedTuple needs its module importable
    spec.loader.exec_module(module)
    return module


gates = _load_gates()

# The releases probed: each minor line's first, and the first and last of each range that
# a patch-level gate splits off.
RELEASES = [
    "3.8.0",
    "3.10.0",
    "3.11.0",
    "3.12.0",
    "3.12.1",
    "3.13.0",
    "3.14.0",
    "3.14.7",
    "3.14.8",
    "3.14.9",
    "3.15.0",
    "3.15.1",
    "3.15.2",
]

# S: the stdlib's object; B: this package's (asyncio_compat.*); E: exceptiongroup's.
# One letter per release of RELEASES, in its order.
# fmt: off
TABLE: Dict[str, str] = {
    #                                 3.8 .10 .11 12.0 12.1 13.0 14.0 14.7 14.8 14.9 15.0 15.1 15.2
    "TaskGroup":                      "B   B   B   B    B    B    B    B    B    B    S    S    S",
    "Timeout":                        "B   B   B   B    B    S    S    S    S    S    S    S    S",
    "timeout":                        "B   B   B   B    B    S    S    S    S    S    S    S    S",
    "timeout_at":                     "B   B   B   B    B    S    S    S    S    S    S    S    S",
    # gh-157058 (3.14.8): no graph in 3.13, so 3.13's is 3.15's
    "wait_for":                       "B   B   B   B    B    S    B    B    S    S    S    S    S",
    # gh-158004 (3.14.9, 3.15.1), gh-156523 (3.14.8, 3.15.0)
    "as_completed":                   "B   B   B   B    B    B    B    B    B    S    B    S    S",
    # gh-152569 (3.14.7), gh-157213, gh-157058, gh-156988, gh-156408, gh-155143 (3.14.8)
    "FrameCallGraphEntry":            "B   B   B   B    B    B    B    B    S    S    S    S    S",
    "FutureCallGraph":                "B   B   B   B    B    B    B    B    S    S    S    S    S",
    "capture_call_graph":             "B   B   B   B    B    B    B    B    S    S    S    S    S",
    "format_call_graph":              "B   B   B   B    B    B    B    B    S    S    S    S    S",
    "print_call_graph":               "B   B   B   B    B    B    B    B    S    S    S    S    S",
    "future_add_to_awaited_by":       "B   B   B   B    B    B    B    B    S    S    S    S    S",
    "future_discard_from_awaited_by": "B   B   B   B    B    B    B    B    S    S    S    S    S",
    # gh-120284 (3.14.0): any awaitable; gh-112559 (3.13.0): no repr() of the result
    "Runner":                         "B   B   B   B    B    B    S    S    S    S    S    S    S",
    "run":                            "B   B   B   B    B    B    S    S    S    S    S    S    S",
    "BaseExceptionGroup":             "E   E   S   S    S    S    S    S    S    S    S    S    S",
    "ExceptionGroup":                 "E   E   S   S    S    S    S    S    S    S    S    S    S",
    "format_exception":               "E   E   S   S    S    S    S    S    S    S    S    S    S",
    "format_exception_only":          "E   E   S   S    S    S    S    S    S    S    S    S    S",
    "print_exc":                      "E   E   S   S    S    S    S    S    S    S    S    S    S",
    "print_exception":                "E   E   S   S    S    S    S    S    S    S    S    S    S",
    "TimeoutError":                   "B   B   S   S    S    S    S    S    S    S    S    S    S",
    # gh-103791 (3.12.1)
    "suppress":                       "E   E   E   E    S    S    S    S    S    S    S    S    S",
    # no stdlib counterpart
    "catch":                          "E   E   E   E    E    E    E    E    E    E    E    E    E",
    "add_note":                       "B   B   B   B    B    B    B    B    B    B    B    B    B",
    "cancelling":                     "B   B   B   B    B    B    B    B    B    B    B    B    B",
    "uncancel":                       "B   B   B   B    B    B    B    B    B    B    B    B    B",
}
# fmt: on

_LETTER = {"stdlib": "S", "backport": "B", "third-party": "E"}


def _version(text: str) -> Tuple[int, ...]:
    return tuple(int(part) for part in text.split("."))


def _read() -> Any:
    return gates.read_gates(INIT.read_text(encoding="utf-8"), str(INIT))


def test_the_table_covers_every_public_name() -> None:
    """The table below has a row for each name of ``__all__``, one letter per release."""
    parsed = _read()
    assert sorted(parsed.public) == sorted(TABLE)
    assert [] == [name for name, row in TABLE.items() if len(row.split()) != len(RELEASES)]


@pytest.mark.parametrize("release", RELEASES)
def test_each_name_is_the_tables_object_on_each_release(release: str) -> None:
    """On each release, every public name is the stdlib's, the backport's or
    exceptiongroup's object as the table says (the gates read by docs/_ext/gates.py)."""
    column = RELEASES.index(release)
    parsed = _read()
    expected = {name: row.split()[column] for name, row in TABLE.items()}
    actual = {name: _LETTER[parsed.names[name].span_for(_version(release)).kind] for name in TABLE}
    assert expected == actual


def _gate_conditions() -> List[ast.expr]:
    tree = ast.parse(INIT.read_text(encoding="utf-8"))
    found: List[ast.expr] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.If) and "version_info" in ast.dump(node.test):
            found.append(node.test)
    return found


@pytest.mark.parametrize("release", RELEASES)
def test_the_parser_reads_each_condition_as_python_evaluates_it(release: str) -> None:
    """Each gate's condition holds on a release exactly when the parser says it does:
    evaluated by Python with ``sys.version_info`` a five-part tuple of that release."""
    version = _version(release)
    fake_sys = types.SimpleNamespace(version_info=(*version, "final", 0))
    conditions = _gate_conditions()
    assert conditions
    expected = [
        bool(eval(compile(ast.Expression(test), str(INIT), "eval"), {"sys": fake_sys}))
        for test in conditions
    ]
    actual = []
    for test in conditions:
        intervals = gates._version_test(test)
        assert intervals is not None, ast.dump(test)
        actual.append(
            any(
                since <= version and (until is None or version < until)
                for since, until in intervals
            )
        )
    assert expected == actual


def test_a_gate_that_admits_a_release_twice_is_refused() -> None:
    """A branch wholly covered by the branches before it is an error, not a dead gate."""
    source = (
        "import sys\n"
        '__all__ = ["Thing"]\n'
        "if sys.version_info >= (3, 14):\n"
        "    from asyncio import Thing\n"
        "elif sys.version_info >= (3, 15, 1) or (3, 14, 9) <= sys.version_info < (3, 15):\n"
        "    from ._thing import Thing\n"
        "else:\n"
        "    from ._old import Thing\n"
    )
    with pytest.raises(gates.GateError):
        gates.read_gates(source)


def test_a_range_gate_splits_the_versions_around_it() -> None:
    """``A or lo <= sys.version_info < hi`` gives the stdlib's object on both ranges and
    the fallback on each gap, with the ranges the manual prints."""
    source = (
        "import sys\n"
        '__all__ = ["Thing"]\n'
        "if sys.version_info >= (3, 15, 1) or (3, 14, 9) <= sys.version_info < (3, 15):\n"
        "    from asyncio import Thing  # gh-1\n"
        "else:\n"
        "    from ._thing import Thing\n"
    )
    spans = gates.read_gates(source).names["Thing"].spans
    assert [
        ("3.15.1+", "asyncio"),
        ("3.15.0", "asyncio_compat._thing"),
        ("3.14.9\N{EN DASH}3.14.x", "asyncio"),
        ("3.8\N{EN DASH}3.14.8", "asyncio_compat._thing"),
    ] == [(gates.span_range_text(span), span.module) for span in spans]


def test_a_strict_comparison_is_refused() -> None:
    """``sys.version_info > (3, 14, 8)`` holds on 3.14.8 itself (five parts against
    three): the parser refuses it rather than misreading it."""
    source = (
        "import sys\n"
        '__all__ = ["Thing"]\n'
        "if sys.version_info > (3, 14, 8):\n"
        "    from asyncio import Thing\n"
        "else:\n"
        "    from ._thing import Thing\n"
    )
    with pytest.raises(gates.GateError):
        gates.read_gates(source)


_BEFORE_3_14_8 = """
import asyncio, sys
real = sys.version_info
sys.version_info = (3, 14, 5, "final", 0)  # the gates and modules read it at import
import asyncio_compat
from asyncio_compat import _graph, backport
sys.version_info = real
names = ["capture_call_graph", "future_add_to_awaited_by", "wait_for", "as_completed"]
print([getattr(asyncio_compat, n) is getattr(backport, n) for n in names])

async def main():
    loop = asyncio.get_running_loop()
    never = loop.create_future()
    async def waits():
        await asyncio.wait([never], timeout=0)
        await asyncio.sleep(3600)
    task = asyncio.create_task(waits(), name="waits")
    await asyncio.sleep(0)
    custom = loop.create_future()
    asyncio_compat.future_add_to_awaited_by(custom, task)
    print([t.get_name() for t in _graph.awaited_by(custom)], sorted(
        t.get_name() for t in custom._asyncio_awaited_by))
    asyncio_compat.future_discard_from_awaited_by(custom, task)
    for _ in range(10):  # wait() returns, the task sleeps
        await asyncio.sleep(0)
    print(_graph.awaited_by(custom), custom._asyncio_awaited_by, _graph.awaited_by(never))
    task.cancel()

asyncio.run(main())
"""


@pytest.mark.skipif(sys.version_info < (3, 14, 8), reason="simulates 3.14.0-3.14.7 on 3.14.8+")
def test_before_3_14_8_the_graph_is_the_backports_and_its_hooks_record_for_both() -> None:
    """On 3.14.0-3.14.7 (simulated: ``sys.version_info`` faked while asyncio_compat
    imports) the graph, its hooks, wait_for and as_completed are the backport's; the
    backport's graph recovers the links rather than read 3.14.7's stale records, and the
    hooks record a link where both that graph and the stdlib's records see it."""
    import subprocess

    src = str(ROOT / "src")
    out = subprocess.run(
        [sys.executable, "-c", _BEFORE_3_14_8],
        capture_output=True,
        text=True,
        timeout=60,
        env={"PYTHONPATH": src, "PATH": ""},
        check=False,
    )
    assert "" == out.stderr
    expected = ["[True, True, True, True]", "['waits'] ['waits']", "[] None []"]
    assert expected == out.stdout.splitlines()
