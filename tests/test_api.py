"""The public API: which names there are, which object each one is on this interpreter,
and the exception helpers (TimeoutError, add_note, catch, suppress, traceback output)."""

from __future__ import annotations

import asyncio
import builtins
import importlib
import importlib.metadata
import io
import os
import pathlib
import subprocess
import sys
import textwrap
from typing import NoReturn

import exceptiongroup
import pytest

import asyncio_compat
from asyncio_compat import (
    BaseExceptionGroup,
    ExceptionGroup,
    add_note,
    backport,
    catch,
    format_exception,
    format_exception_only,
    print_exc,
    print_exception,
    suppress,
)

PUBLIC_NAMES = [
    "BaseExceptionGroup",
    "ExceptionGroup",
    "FrameCallGraphEntry",
    "FutureCallGraph",
    "Runner",
    "TaskGroup",
    "Timeout",
    "TimeoutError",
    "add_note",
    "as_completed",
    "cancelling",
    "capture_call_graph",
    "catch",
    "format_call_graph",
    "format_exception",
    "format_exception_only",
    "future_add_to_awaited_by",
    "future_discard_from_awaited_by",
    "print_call_graph",
    "print_exc",
    "print_exception",
    "run",
    "suppress",
    "timeout",
    "timeout_at",
    "uncancel",
    "wait_for",
]

BACKPORT_NAMES = [
    "FrameCallGraphEntry",
    "FutureCallGraph",
    "Runner",
    "TaskGroup",
    "Timeout",
    "as_completed",
    "cancelling",
    "capture_call_graph",
    "format_call_graph",
    "future_add_to_awaited_by",
    "future_discard_from_awaited_by",
    "print_call_graph",
    "run",
    "timeout",
    "timeout_at",
    "uncancel",
    "wait_for",
]

# The releases on which a name is the stdlib's object: [since, until) ranges, until None
# for no end. tests/test_gates.py pins the same gates release by release.
SINCE_3_11 = [((3, 11), None)]
GRAPH = [((3, 14, 8), None)]

# name: (where it is the stdlib's object, the stdlib module holding it,
#        the module whose object it is elsewhere)
GATES = {
    "TaskGroup": ([((3, 15), None)], "asyncio", "asyncio_compat.backport"),
    "Timeout": ([((3, 13), None)], "asyncio", "asyncio_compat.backport"),
    "timeout": ([((3, 13), None)], "asyncio", "asyncio_compat.backport"),
    "timeout_at": ([((3, 13), None)], "asyncio", "asyncio_compat.backport"),
    "wait_for": ([((3, 13), (3, 14)), ((3, 14, 8), None)], "asyncio", "asyncio_compat.backport"),
    "as_completed": (
        [((3, 14, 9), (3, 15)), ((3, 15, 1), None)],
        "asyncio",
        "asyncio_compat.backport",
    ),
    "FrameCallGraphEntry": (GRAPH, "asyncio", "asyncio_compat.backport"),
    "FutureCallGraph": (GRAPH, "asyncio", "asyncio_compat.backport"),
    "capture_call_graph": (GRAPH, "asyncio", "asyncio_compat.backport"),
    "format_call_graph": (GRAPH, "asyncio", "asyncio_compat.backport"),
    "print_call_graph": (GRAPH, "asyncio", "asyncio_compat.backport"),
    "future_add_to_awaited_by": (GRAPH, "asyncio", "asyncio_compat.backport"),
    "future_discard_from_awaited_by": (GRAPH, "asyncio", "asyncio_compat.backport"),
    "run": ([((3, 14), None)], "asyncio", "asyncio_compat.backport"),
    "Runner": ([((3, 14), None)], "asyncio", "asyncio_compat.backport"),
    "BaseExceptionGroup": (SINCE_3_11, "builtins", "exceptiongroup"),
    "ExceptionGroup": (SINCE_3_11, "builtins", "exceptiongroup"),
    "format_exception": (SINCE_3_11, "traceback", "exceptiongroup"),
    "format_exception_only": (SINCE_3_11, "traceback", "exceptiongroup"),
    "print_exc": (SINCE_3_11, "traceback", "exceptiongroup"),
    "print_exception": (SINCE_3_11, "traceback", "exceptiongroup"),
    "suppress": ([((3, 12, 1), None)], "contextlib", "exceptiongroup"),
    "TimeoutError": (SINCE_3_11, "builtins", "asyncio_compat._exceptions"),
}


def _stdlib_here(name: str) -> bool:
    """Whether this interpreter is on one of the ranges where *name* is the stdlib's."""
    here = tuple(sys.version_info[:3])
    return any(since <= here and (until is None or here < until) for since, until in GATES[name][0])


# name: the module whose object it is on every version (no stdlib counterpart)
UNGATED = {
    "catch": "exceptiongroup",
    "add_note": "asyncio_compat._exceptions",
    "cancelling": "asyncio_compat.backport",
    "uncancel": "asyncio_compat.backport",
}

PRE_311 = pytest.mark.skipif(sys.version_info >= (3, 11), reason="3.8-3.10 only")


def _object(module: str, name: str) -> object:
    return getattr(importlib.import_module(module), name)


def _raise(exc: BaseException) -> NoReturn:
    raise exc


# --- names -------------------------------------------------------------------------------


def test_all_is_the_documented_public_api() -> None:
    """``__all__`` lists exactly the documented public names, on every interpreter."""
    expected = PUBLIC_NAMES
    actual = asyncio_compat.__all__
    assert expected == actual


@pytest.mark.parametrize("name", PUBLIC_NAMES)
def test_every_public_name_resolves(name: str) -> None:
    """Each name in ``__all__`` is an attribute of the package (no name only in the list)."""
    assert getattr(asyncio_compat, name, None) is not None


def test_star_import_gives_the_public_names() -> None:
    """``from asyncio_compat import *`` binds exactly the public names."""
    namespace: dict[str, object] = {}
    exec("from asyncio_compat import *", namespace)
    namespace.pop("__builtins__")
    expected = sorted(PUBLIC_NAMES)
    actual = sorted(namespace)
    assert expected == actual


def test_dir_lists_every_public_name() -> None:
    """``dir(asyncio_compat)`` shows the public names and ``backport``, also those imported
    on first use."""
    listed = set(dir(asyncio_compat))
    expected: list[str] = []
    actual = sorted({*PUBLIC_NAMES, "backport", "__version__"} - listed)
    assert expected == actual


def _modules_added_by(statement: str) -> list[str]:
    code = textwrap.dedent(
        f"""
        import asyncio, sys
        before = set(sys.modules)
        {statement}
        print(*sorted(set(sys.modules) - before))
        """
    )
    proc = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=60, check=True
    )
    return proc.stdout.split()


def test_import_leaves_exceptiongroup_until_first_use() -> None:
    """``import asyncio_compat`` does not import exceptiongroup (13-18 ms before 3.11): its
    names import it on first use."""
    added = _modules_added_by("import asyncio_compat")
    expected: list[str] = []
    actual = [m for m in added if m.split(".")[0] == "exceptiongroup"]
    assert expected == actual
    expected = ["exceptiongroup"]
    added = _modules_added_by("from asyncio_compat import catch")
    actual = [m for m in added if m == "exceptiongroup"]
    assert expected == actual


@pytest.mark.skipif(sys.version_info < (3, 14), reason="asyncio imports typing before 3.14")
def test_import_does_not_import_typing() -> None:
    """Where asyncio no longer imports ``typing`` (3.14+), neither does asyncio_compat
    (exceptiongroup, for ``catch``, does)."""
    added = _modules_added_by("from asyncio_compat import TaskGroup, timeout")
    assert "typing" not in added


@pytest.mark.skipif(sys.version_info < (3, 15), reason="3.15+ only")
def test_on_315_import_adds_only_the_package() -> None:
    """On 3.15, where TaskGroup and timeout are the stdlib's, importing them imports
    nothing of the backport."""
    expected = ["asyncio_compat"]
    actual = _modules_added_by("from asyncio_compat import TaskGroup, timeout")
    assert expected == actual


def test_uncaught_group_after_lazy_import_prints_its_members() -> None:
    """A TaskGroup failure that nobody catches prints every member of the group, also when
    the program never imported exceptiongroup itself (3.8-3.10: its excepthook is installed
    before the group is raised)."""
    code = textwrap.dedent(
        """
        import asyncio
        from asyncio_compat import TaskGroup

        async def fail(n):
            raise ValueError(f"member {n}")

        async def main():
            async with TaskGroup() as tg:
                tg.create_task(fail(1))
                tg.create_task(fail(2))

        asyncio.run(main())
        """
    )
    env = {k: v for k, v in os.environ.items() if k not in {"FORCE_COLOR", "PYTHONSTARTUP"}}
    env["PYTHON_COLORS"] = "0"
    proc = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=60, env=env
    )
    assert 1 == proc.returncode
    expected = ["ValueError: member 1", "ValueError: member 2"]
    actual = [line.strip(" |") for line in proc.stderr.splitlines() if "member" in line]
    actual = [line for line in actual if line.startswith("ValueError")]
    assert expected == actual


def test_every_public_name_has_a_gate_entry() -> None:
    """This file's gate table covers every public name, so a new name needs a gate test."""
    expected = sorted(PUBLIC_NAMES)
    actual = sorted([*GATES, *UNGATED])
    assert expected == actual


def test_version_matches_installed_metadata() -> None:
    """``__version__`` is the version of the installed distribution."""
    expected = importlib.metadata.version("asyncio-compat")
    actual = asyncio_compat.__version__
    assert expected == actual


def test_package_is_typed() -> None:
    """The installed package ships ``py.typed`` (PEP 561), so checkers use its annotations."""
    assert pathlib.Path(asyncio_compat.__file__).with_name("py.typed").is_file()


# --- gates -------------------------------------------------------------------------------


@pytest.mark.parametrize("name", sorted(GATES))
def test_gated_name_is_stdlib_object_from_its_version_and_fallback_before(name: str) -> None:
    """Each gated name is the stdlib's own object on the releases that ``__init__.py``'s gate
    admits, and the backport's (or exceptiongroup's) object elsewhere."""
    _, stdlib_module, fallback_module = GATES[name]
    actual = getattr(asyncio_compat, name)
    if _stdlib_here(name):
        expected = _object(stdlib_module, name)
    else:
        expected = _object(fallback_module, name)
    assert expected is actual


@pytest.mark.parametrize("name", sorted(UNGATED))
def test_ungated_name_is_the_same_object_everywhere(name: str) -> None:
    """``catch``, ``add_note``, ``cancelling`` and ``uncancel`` have no stdlib counterpart:
    each is one object on every version."""
    expected = _object(UNGATED[name], name)
    actual = getattr(asyncio_compat, name)
    assert expected is actual


@pytest.mark.parametrize("name", sorted(GATES))
def test_before_its_gate_a_name_is_not_the_stdlib_object(name: str) -> None:
    """Outside its gate, a name that the stdlib also has is not the stdlib's object (the
    stdlib's lacks a fix); this catches a gate that admits the stdlib too early."""
    _, stdlib_module, _ = GATES[name]
    stdlib_object = getattr(importlib.import_module(stdlib_module), name, None)
    if _stdlib_here(name) or stdlib_object is None:
        pytest.skip("the stdlib object is used here, or the stdlib has none")
    assert stdlib_object is not getattr(asyncio_compat, name)


@pytest.mark.skipif(sys.version_info < (3, 15), reason="3.15+ only")
def test_on_315_every_gated_name_is_the_stdlib_object() -> None:
    """On 3.15 the stdlib has every fix: no gated name is the backport's any more."""
    expected = {name: _object(module, name) for name, (_, module, _) in GATES.items()}
    actual = {name: getattr(asyncio_compat, name) for name in GATES}
    assert expected == actual


def test_exception_groups_are_the_ones_other_libraries_use() -> None:
    """The groups are the builtins on 3.11+ and exceptiongroup's before, the same classes
    that pytest, anyio and trio raise and catch."""
    expected = (exceptiongroup.BaseExceptionGroup, exceptiongroup.ExceptionGroup)
    actual = (BaseExceptionGroup, ExceptionGroup)
    assert expected == actual
    if sys.version_info >= (3, 11):
        assert (builtins.BaseExceptionGroup, builtins.ExceptionGroup) == actual


# --- backport namespace ------------------------------------------------------------------


def test_backport_all_lists_the_backport_names() -> None:
    """``asyncio_compat.backport`` imports on every version and lists the backport's names."""
    expected = BACKPORT_NAMES
    actual = backport.__all__
    assert expected == actual


@pytest.mark.parametrize("name", BACKPORT_NAMES)
def test_backport_object_reports_the_public_module(name: str) -> None:
    """Backport objects say ``__module__ == "asyncio_compat"``, as stdlib ones say
    ``asyncio``: reprs, pickles and docs name the public module, not a private one."""
    expected = "asyncio_compat"
    actual = getattr(backport, name).__module__
    assert expected == actual


def test_backport_timeout_returns_a_backport_timeout() -> None:
    """``backport.timeout()`` and ``backport.timeout_at()`` return ``backport.Timeout`` on
    every version, whatever the public ``timeout`` is."""

    async def make() -> list[object]:
        return [backport.timeout(None), backport.timeout_at(None)]

    for cm in asyncio.run(make()):
        assert isinstance(cm, backport.Timeout)


# --- TimeoutError ------------------------------------------------------------------------


def test_timeout_error_is_caught_by_builtin_and_asyncio_except_clauses() -> None:
    """``asyncio_compat.TimeoutError`` is caught by ``except TimeoutError`` and by
    ``except asyncio.TimeoutError`` on every version (two unrelated classes before 3.11)."""
    caught = []
    try:
        raise asyncio_compat.TimeoutError
    except builtins.TimeoutError:
        caught.append("builtins")
    try:
        raise asyncio_compat.TimeoutError
    except asyncio.TimeoutError:
        caught.append("asyncio")
    expected = ["builtins", "asyncio"]
    assert expected == caught


@pytest.mark.skipif(sys.version_info < (3, 11), reason="3.11+ only")
def test_timeout_error_is_the_builtin_from_311() -> None:
    """On 3.11+ ``TimeoutError`` is the builtin, which ``asyncio.TimeoutError`` also is."""
    assert asyncio_compat.TimeoutError is builtins.TimeoutError
    assert asyncio_compat.TimeoutError is asyncio.TimeoutError


@PRE_311
def test_timeout_error_before_311_subclasses_both() -> None:
    """On 3.8-3.10 ``TimeoutError`` is this package's class, a subclass of both
    ``builtins.TimeoutError`` and ``asyncio.TimeoutError``, named ``asyncio_compat``."""
    cls = asyncio_compat.TimeoutError
    assert cls is not builtins.TimeoutError
    assert issubclass(cls, builtins.TimeoutError)
    assert issubclass(cls, asyncio.TimeoutError)
    expected = ("asyncio_compat", "TimeoutError")
    actual = (cls.__module__, cls.__qualname__)
    assert expected == actual


def test_expired_timeout_raises_timeout_error_caught_by_both_clauses() -> None:
    """An expired ``timeout()`` raises ``asyncio_compat.TimeoutError``, which both
    ``except TimeoutError`` and ``except asyncio.TimeoutError`` catch on every version."""

    async def expire() -> None:
        async with asyncio_compat.timeout(0):
            await asyncio.sleep(10)

    for clause in (builtins.TimeoutError, asyncio.TimeoutError):
        with pytest.raises(clause) as excinfo:
            asyncio.run(expire())
        assert isinstance(excinfo.value, asyncio_compat.TimeoutError)


# --- suppress and catch ------------------------------------------------------------------


def test_suppress_swallows_a_plain_matching_exception() -> None:
    """``suppress(ValueError)`` swallows a ``ValueError`` raised in its block."""
    reached = []
    with suppress(ValueError):
        reached.append(1)
        raise ValueError("x")
    expected = [1]
    assert expected == reached


def test_suppress_lets_other_exceptions_through() -> None:
    """``suppress(ValueError)`` does not touch a ``KeyError``."""
    error = KeyError("k")
    with pytest.raises(KeyError) as excinfo, suppress(ValueError):
        raise error
    assert excinfo.value is error


def test_suppress_swallows_a_group_of_only_matching_exceptions() -> None:
    """``suppress`` is group-aware on every version (3.12.1's behaviour): a group whose
    leaves all match is swallowed whole, nested groups included."""
    with suppress(ValueError):
        raise ExceptionGroup("outer", [ValueError(1), ExceptionGroup("inner", [ValueError(2)])])


def test_suppress_reraises_the_rest_of_a_mixed_group() -> None:
    """From a mixed group, ``suppress`` removes the matching leaves and raises a group of
    the rest, with the original message."""
    key_error = KeyError("k")
    with pytest.raises(ExceptionGroup) as excinfo, suppress(ValueError):
        raise ExceptionGroup("mixed", [ValueError(1), key_error])
    expected = ("mixed", (key_error,))
    actual = (excinfo.value.message, excinfo.value.exceptions)
    assert expected == actual


def test_catch_passes_the_matching_part_of_a_group_to_the_handler() -> None:
    """``catch({ValueError: handler})`` calls the handler once with a group of the matching
    leaves and swallows them, like ``except* ValueError``."""
    seen: list[tuple[str, ...]] = []
    with catch({ValueError: lambda group: seen.append(tuple(map(str, group.exceptions)))}):
        raise ExceptionGroup("eg", [ValueError("a"), ValueError("b")])
    expected = [("a", "b")]
    assert expected == seen


def test_catch_wraps_a_plain_exception_in_a_group_for_the_handler() -> None:
    """A plain matching exception reaches the handler inside a group, as with ``except*``."""
    error = ValueError("plain")
    seen: list[BaseException] = []
    with catch({ValueError: seen.append}):
        raise error
    assert len(seen) == 1
    group = seen[0]
    assert isinstance(group, BaseExceptionGroup)
    expected = (error,)
    actual = group.exceptions
    assert expected == actual


def test_catch_reraises_what_no_handler_matches() -> None:
    """Leaves that no handler matches propagate in a group; the handled ones do not."""
    key_error = KeyError("k")
    seen: list[BaseException] = []
    with pytest.raises(ExceptionGroup) as excinfo, catch({ValueError: seen.append}):
        raise ExceptionGroup("eg", [ValueError("v"), key_error])
    expected = (key_error,)
    actual = excinfo.value.exceptions
    assert expected == actual
    assert len(seen) == 1


def test_catch_does_not_call_the_handler_without_a_match() -> None:
    """A handler whose types do not match is not called and the exception propagates."""
    error = KeyError("k")
    seen: list[BaseException] = []
    with pytest.raises(KeyError) as excinfo, catch({ValueError: seen.append}):
        raise error
    assert excinfo.value is error
    expected: list[BaseException] = []
    assert expected == seen


def test_catch_propagates_what_a_handler_raises() -> None:
    """An exception raised by a handler propagates, like a ``raise`` in ``except*``."""
    replacement = RuntimeError("from handler")

    def handler(group: BaseExceptionGroup[ValueError]) -> NoReturn:
        raise replacement

    with pytest.raises(RuntimeError) as excinfo, catch({ValueError: handler}):
        raise ValueError("v")
    assert excinfo.value is replacement


# --- add_note and traceback output -------------------------------------------------------


def test_add_note_appends_to_notes_in_order() -> None:
    """``add_note`` appends to ``__notes__`` (PEP 678), creating the list the first time."""
    exc = ValueError("v")
    add_note(exc, "first")
    add_note(exc, "second")
    expected = ["first", "second"]
    actual = exc.__notes__
    assert expected == actual


def test_add_note_rejects_a_non_str_note_like_the_stdlib() -> None:
    """A note that is not a ``str`` raises ``TypeError``, with the message of the stdlib's
    ``BaseException.add_note`` where there is one and the newest CPython's before 3.11."""
    if sys.version_info >= (3, 11):
        probe = ValueError("probe")
        with pytest.raises(TypeError) as stdlib_excinfo:
            probe.add_note(42)  # type: ignore[arg-type]
        expected = str(stdlib_excinfo.value)
    else:
        expected = "add_note() argument must be str, not int"
    exc = ValueError("v")
    with pytest.raises(TypeError) as excinfo:
        add_note(exc, 42)  # type: ignore[arg-type]
    actual = str(excinfo.value)
    assert expected == actual
    assert not hasattr(exc, "__notes__")


def test_add_note_rejects_notes_that_are_not_a_list() -> None:
    """When ``__notes__`` is not a list, ``add_note`` raises ``TypeError`` as the stdlib
    does, and leaves it unchanged."""
    exc = ValueError("v")
    exc.__notes__ = ("kept",)  # type: ignore[attr-defined]
    with pytest.raises(TypeError) as excinfo:
        add_note(exc, "new")
    expected = ("Cannot add note: __notes__ is not a list", ("kept",))
    actual = (str(excinfo.value), exc.__notes__)
    assert expected == actual


def _noted(message: str, note: str) -> ValueError:
    exc = ValueError(message)
    add_note(exc, note)
    return exc


def test_format_exception_shows_notes() -> None:
    """``format_exception`` prints the notes after the exception line, on every version."""
    try:
        _raise(_noted("boom", "a helpful note"))
    except ValueError as exc:
        text = "".join(format_exception(exc))
    lines = text.splitlines()
    expected = ["ValueError: boom", "a helpful note"]
    actual = lines[-2:]
    assert expected == actual


def test_format_exception_only_shows_notes() -> None:
    """``format_exception_only`` includes the notes too."""
    expected = ["ValueError: boom\n", "a helpful note\n"]
    actual = format_exception_only(_noted("boom", "a helpful note"))
    assert expected == actual


def test_format_exception_shows_notes_of_exceptions_inside_a_group() -> None:
    """Notes of a group and of the exceptions inside it all appear in the formatted group."""
    group = ExceptionGroup("eg", [_noted("inner", "note on inner")])
    add_note(group, "note on group")
    text = "".join(format_exception(group))
    for fragment in ("eg (1 sub-exception)", "note on group", "ValueError: inner", "note on inner"):
        assert fragment in text


def test_print_exception_and_print_exc_show_notes() -> None:
    """``print_exception(exc, file=...)`` and ``print_exc(file=...)`` write the notes."""
    exc = _noted("boom", "printed note")
    out = io.StringIO()
    print_exception(exc, file=out)
    try:
        _raise(exc)
    except ValueError:
        print_exc(file=out)
    expected = 2
    actual = out.getvalue().count("printed note")
    assert expected == actual


def test_uncaught_exception_prints_its_notes() -> None:
    """After ``import asyncio_compat`` an uncaught exception's notes reach stderr on every
    version (exceptiongroup installs its excepthook on 3.8-3.10)."""
    code = textwrap.dedent(
        """
        import asyncio_compat
        exc = ValueError("boom")
        asyncio_compat.add_note(exc, "note for stderr")
        raise exc
        """
    )
    env = {k: v for k, v in os.environ.items() if k not in {"FORCE_COLOR", "PYTHONSTARTUP"}}
    env["PYTHON_COLORS"] = "0"  # 3.13+ colours tracebacks when asked to
    proc = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
        env=env,
    )
    assert proc.returncode == 1
    expected = ["ValueError: boom", "note for stderr"]
    actual = proc.stderr.splitlines()[-2:]
    assert expected == actual
