"""Read ``src/asyncio_compat/__init__.py``'s version gates: which object each public name
is on each Python version, and the comment that says why.

The manual's API table is generated from this, so that it cannot drift from the code;
``tests/test_docs.py`` checks it against the live package on every interpreter of the
test matrix. Pure standard library and Python 3.8-compatible: the test imports it.

The package's ``__init__.py`` is written in a small set of forms, and anything else in a
gate is an error here rather than a silent gap in the table:

* ``if sys.version_info >= (X, Y[, Z]):`` chains (``elif``/``else``), whose branches bind
  names by ``from MODULE import NAME`` or register them for import on first use:
  ``_on_first_use["NAME"] = "MODULE"`` or ``_on_first_use.update(...)`` (keywords, or
  ``dict.fromkeys([...], "MODULE")``). A condition may also be a range, ``(X, Y) <=
  sys.version_info < (X, Z)``, and conditions may be joined by ``or`` and ``and``, for a
  fix that reached two minor lines in patch releases: ``sys.version_info >= (3, 15, 1) or
  (3, 14, 9) <= sys.version_info < (3, 15)``. Only ``>=`` and ``<`` (``sys.version_info``
  has five parts: ``> (3, 14, 8)`` would hold on 3.14.8 itself). A branch covers what its
  condition holds for and the branches before it do not; ``else`` the rest;
* ``if TYPE_CHECKING:`` blocks, alone or as a branch of such a chain: what type checkers
  see, not the run-time object (their comment is kept as a typing note);
* the ``_on_first_use = {...}`` literal: names that are the same module's on every version.

A comment on the ``if``/``elif`` line belongs to its whole branch; a block of comment
lines right above a statement (or a dict entry, and the entries after it that name the
same module) belongs to the names that statement binds.
"""

from __future__ import annotations

import ast
import io
import re
import sys
import tokenize
from typing import Dict, Iterable, List, NamedTuple, Optional, Sequence, Tuple

Version = Tuple[int, ...]

OLDEST: Version = (3, 8)  # requires-python
NEWEST: Version = (3, 15)  # the newest CPython of the test matrix
PACKAGE = "asyncio_compat"
# Where a name comes from when it is neither the stdlib's nor this package's.
THIRD_PARTY = frozenset({"exceptiongroup"})
ON_FIRST_USE = "_on_first_use"


class GateError(ValueError):
    """``__init__.py`` uses a form this parser does not know: teach it, do not guess."""


class Span(NamedTuple):
    """On versions ``since <= v < until`` (``until`` None: no end), the name is *module*'s."""

    since: Version
    until: Optional[Version]
    module: str
    why: str  # the comment that explains this branch, "" if none

    @property
    def kind(self) -> str:
        """``stdlib``, ``backport`` (this package's own) or ``third-party``."""
        return module_kind(self.module)

    def covers(self, version: Sequence[int]) -> bool:
        v = tuple(version)
        return self.since <= v and (self.until is None or v < self.until)


class NameInfo(NamedTuple):
    name: str
    spans: Tuple[Span, ...]  # newest first
    typing_note: str  # what type checkers see instead, if a TYPE_CHECKING branch says

    def span_for(self, version: Sequence[int]) -> Span:
        for span in self.spans:
            if span.covers(version):
                return span
        raise LookupError(f"{self.name}: no gate covers Python {version_text(version)}")

    @property
    def stdlib_since(self) -> Optional[Span]:
        """The oldest span of the run of stdlib spans that reaches the newest Python.

        Adjacent stdlib spans from the same module merge; the oldest branch's comment is
        the change that decided it.
        """
        found = None
        for span in self.spans:  # newest first
            if span.kind != "stdlib" or (found is not None and span.module != found.module):
                break
            found = span
        return found

    def before(self) -> List[Span]:
        """The spans older than :attr:`stdlib_since` (all of them if never the stdlib's),
        adjacent spans of one module merged (the newest comment kept)."""
        stdlib = self.stdlib_since
        rest = list(self.spans)
        if stdlib is not None:
            rest = rest[rest.index(stdlib) + 1 :]
        merged: List[Span] = []
        for span in rest:
            if merged and merged[-1].module == span.module:
                last = merged[-1]
                merged[-1] = last._replace(since=span.since, why=last.why or span.why)
            else:
                merged.append(span)
        return merged


class Gates(NamedTuple):
    public: Tuple[str, ...]  # __all__, in its order
    names: Dict[str, NameInfo]  # every name a gate or _on_first_use binds

    def missing(self) -> List[str]:
        """Public names that no gate binds on some version from OLDEST to NEWEST."""
        out = []
        for name in self.public:
            info = self.names.get(name)
            if info is None or gaps(info):
                out.append(name)
        return out


# --- helpers --------------------------------------------------------------------------------


def module_kind(module: str) -> str:
    top = module.split(".")[0]
    if top == PACKAGE:
        return "backport"
    if top in THIRD_PARTY:
        return "third-party"
    return "stdlib"


def version_text(version: Sequence[int]) -> str:
    return ".".join(map(str, version))


def span_range_text(span: Span) -> str:
    """``3.13+``, ``3.8-3.12`` (en dash), ``3.11``, ``3.8-3.12.0``, ``3.15.0`` or
    ``3.14.9-3.14.x`` (the rest of a minor line) for a span."""
    since = version_text(span.since)
    if span.until is None:
        return f"{since}+"
    if len(span.until) > 2 and span.since == span.until[:2]:  # 3.14 up to a 3.14.z
        since = version_text(_patch(span.since))
    last = previous_version(span.until)
    if _patch(last) == _patch(span.since):
        return version_text(_patch(last)) if len(span.until) > 2 else since
    if len(span.since) > 2 and len(span.until) == 2 and last == span.since[:2]:
        return f"{since}\N{EN DASH}{version_text(last)}.x"
    return f"{since}\N{EN DASH}{version_text(last)}"


def _patch(version: Version) -> Version:
    return tuple(version) + (0,) * (3 - len(version))


def previous_version(until: Version) -> Version:
    """The last version before *until*: (3, 13) -> (3, 12); (3, 12, 1) -> (3, 12, 0)."""
    if len(until) >= 3:
        if until[2] > 0:
            return (until[0], until[1], until[2] - 1)
        until = until[:2]
    return (until[0], until[1] - 1)


def gaps(info: NameInfo) -> List[Version]:
    """The minor versions OLDEST..NEWEST (and each x.y.0 a micro gate splits) no span covers."""
    probes = [(3, minor) for minor in range(OLDEST[1], NEWEST[1] + 1)]
    probes += [span.since for span in info.spans] + [
        previous_version(span.until) for span in info.spans if span.until
    ]
    missing = []
    for probe in sorted(set(probes)):
        if probe < OLDEST:
            continue
        if not any(span.covers(probe) for span in info.spans):
            missing.append(probe)
    return missing


def _comments(source: str) -> Dict[int, str]:
    """line -> comment text (without ``#``), for comments that explain: no pragmas."""
    out: Dict[int, str] = {}
    for token in tokenize.generate_tokens(io.StringIO(source).readline):
        if token.type != tokenize.COMMENT:
            continue
        text = token.string.lstrip("#").strip()
        if re.match(r"(type:|noqa\b|pragma\b|fmt:)", text):
            continue
        out[token.start[0]] = text
    return out


def _is_type_checking(test: ast.expr) -> bool:
    return isinstance(test, ast.Name) and test.id == "TYPE_CHECKING"


# A set of versions: half-open intervals [since, until), ``until`` None for no end.
Interval = Tuple[Version, Optional[Version]]
ALL: List[Interval] = [(OLDEST, None)]


def _is_version_info(node: ast.expr) -> bool:
    return (
        isinstance(node, ast.Attribute)
        and node.attr == "version_info"
        and isinstance(node.value, ast.Name)
        and node.value.id == "sys"
    )


def _version_literal(node: ast.expr) -> Optional[Version]:
    try:
        value = ast.literal_eval(node)
    except ValueError:
        return None
    if not (isinstance(value, tuple) and value and all(isinstance(p, int) for p in value)):
        return None
    return tuple(value)


def _intersect(a: Sequence[Interval], b: Sequence[Interval]) -> List[Interval]:
    out: List[Interval] = []
    for since_a, until_a in a:
        for since_b, until_b in b:
            since = max(since_a, since_b)
            ends = [u for u in (until_a, until_b) if u is not None]
            until = min(ends) if ends else None
            if until is None or since < until:
                out.append((since, until))
    return _normal(out)


def _complement(a: Sequence[Interval]) -> List[Interval]:
    out: List[Interval] = []
    start: Optional[Version] = OLDEST
    for since, until in _normal(a):
        if start is not None and start < since:
            out.append((start, since))
        start = until if start is None or until is None else max(start, until)
        if until is None:
            start = None
    if start is not None:
        out.append((start, None))
    return out


def _normal(a: Sequence[Interval]) -> List[Interval]:
    """Sorted, overlapping and touching intervals merged, clipped to OLDEST."""
    out: List[Interval] = []
    for since, until in sorted(a, key=lambda i: i[0]):
        since = max(since, OLDEST)
        if until is not None and until <= since:
            continue
        if out and (out[-1][1] is None or since <= out[-1][1]):  # type: ignore[operator]
            last_since, last_until = out[-1]
            if last_until is None or until is None:
                out[-1] = (last_since, None)
            else:
                out[-1] = (last_since, max(last_until, until))
        else:
            out.append((since, until))
    return out


def _version_test(test: ast.expr) -> Optional[List[Interval]]:
    """The versions a gate's condition holds for, as intervals: ``[((3, 13), None)]`` for
    ``sys.version_info >= (3, 13)``; None for a condition outside the forms above."""
    if isinstance(test, ast.BoolOp):
        parts = [_version_test(value) for value in test.values]
        if any(part is None for part in parts):
            return None
        result = parts[0]
        assert result is not None
        for part in parts[1:]:
            assert part is not None
            if isinstance(test.op, ast.Or):
                result = _normal([*result, *part])
            else:
                result = _intersect(result, part)
        return result
    if not isinstance(test, ast.Compare):
        return None
    # a <op> b <op> c ...: each adjacent pair is one comparison with sys.version_info
    operands = [test.left, *test.comparators]
    result: List[Interval] = list(ALL)
    for left, op, right in zip(operands, test.ops, operands[1:]):
        if _is_version_info(left):
            bound, flipped = _version_literal(right), False
        elif _is_version_info(right):
            bound, flipped = _version_literal(left), True
        else:
            return None
        if bound is None:
            return None
        # sys.version_info >= bound, or bound <= sys.version_info: from bound on
        if (isinstance(op, ast.GtE) and not flipped) or (isinstance(op, ast.LtE) and flipped):
            result = _intersect(result, [(bound, None)])
        # sys.version_info < bound, or bound > sys.version_info: before bound
        elif (isinstance(op, ast.Lt) and not flipped) or (isinstance(op, ast.Gt) and flipped):
            result = _intersect(result, [(OLDEST, bound)])
        else:
            return None
    return result


def _strip_version_prefix(text: str) -> str:
    # "3.15+: gh-108951 added ..." -> "gh-108951 added ...": the table has the version.
    return re.sub(r"^\d+\.\d+(?:\.\d+)?\+?:\s*", "", text)


class _Reader:
    def __init__(self, source: str, filename: str) -> None:
        self.source = source
        self.filename = filename
        self.tree = ast.parse(source, filename)
        self.comments = _comments(source)
        self.bindings: Dict[str, List[Span]] = {}
        self.typing_notes: Dict[str, str] = {}
        self.public: Tuple[str, ...] = ()

    # comments

    def block_above(self, line: int) -> str:
        """The comment-only lines right above *line* (not trailing comments)."""
        lines = self.source.splitlines()
        texts: List[str] = []
        n = line - 1
        while n >= 1 and lines[n - 1].strip().startswith("#") and n in self.comments:
            texts.append(self.comments[n])
            n -= 1
        return " ".join(reversed(texts))

    def trailing(self, line: int) -> str:
        lines = self.source.splitlines()
        if line in self.comments and not lines[line - 1].strip().startswith("#"):
            return self.comments[line]
        return ""

    def where(self, node: ast.AST) -> str:
        return f"{self.filename}:{getattr(node, 'lineno', '?')}"

    # the module

    def read(self) -> Gates:
        for node in self.tree.body:
            self.top_level(node)
        if not self.public:
            raise GateError(f"{self.filename}: no __all__ list")
        names = {
            name: NameInfo(name, tuple(spans), self.typing_notes.get(name, ""))
            for name, spans in self.bindings.items()
        }
        return Gates(self.public, names)

    def top_level(self, node: ast.stmt) -> None:
        if isinstance(node, (ast.Import, ast.Expr)):
            return  # import sys; the docstring
        if isinstance(node, (ast.Assign, ast.AnnAssign)):
            target = node.targets[0] if isinstance(node, ast.Assign) else node.target
            if isinstance(target, ast.Name) and target.id == "__all__":
                assert node.value is not None
                self.public = tuple(ast.literal_eval(node.value))
            elif isinstance(target, ast.Name) and target.id == ON_FIRST_USE:
                self.first_use_literal(node.value)
            return  # __version__, TYPE_CHECKING = False, ...
        if isinstance(node, ast.ImportFrom):
            for name, module in self.imports(node):
                self.bind(name, Span(OLDEST, None, module, self.block_above(node.lineno)))
            return
        if isinstance(node, ast.If):
            test = node.test
            if isinstance(test, ast.UnaryOp) and isinstance(test.op, ast.Not):
                return  # `if not TYPE_CHECKING:` holds the run-time __getattr__
            if _is_type_checking(test) and not node.orelse:
                return
            self.chain(node)
            return
        if isinstance(node, (ast.FunctionDef, ast.ClassDef)):
            return
        raise GateError(f"{self.where(node)}: unexpected top-level {type(node).__name__}")

    def first_use_literal(self, value: Optional[ast.expr]) -> None:
        if not isinstance(value, ast.Dict):
            raise GateError(f"{self.filename}: {ON_FIRST_USE} is not a dict literal")
        why, why_module = "", None
        for key, val in zip(value.keys, value.values):
            assert key is not None
            name, module = ast.literal_eval(key), ast.literal_eval(val)
            above = self.block_above(key.lineno)
            if above:
                why, why_module = above, module
            elif module != why_module:
                why, why_module = "", None
            self.bind(name, Span(OLDEST, None, module, why))

    def chain(self, node: ast.If) -> None:
        """An if/elif/else chain of version gates, newest first."""
        branches: List[Tuple[Optional[ast.expr], List[ast.stmt], str]] = []
        current: Optional[ast.If] = node
        while current is not None:
            branches.append((current.test, current.body, self.trailing(current.lineno)))
            orelse = current.orelse
            if len(orelse) == 1 and isinstance(orelse[0], ast.If) and self.is_elif(orelse[0]):
                current = orelse[0]
            else:
                if orelse:
                    branches.append((None, orelse, ""))
                current = None
        taken: List[Interval] = []  # what the branches before hold for
        for test, body, why in branches:
            if test is not None and _is_type_checking(test):
                self.typing_branch(body)
                continue
            if test is None:
                holds = list(ALL)
            else:
                found = _version_test(test)
                if found is None:
                    raise GateError(f"{self.where(test)}: not a `sys.version_info` gate")
                holds = found
            own = _intersect(holds, _complement(taken))
            if not own:
                raise GateError(f"{self.where(body[0])}: the branches before cover this one")
            for since, until in own:
                self.branch(body, since, until, _strip_version_prefix(why))
            taken = _normal([*taken, *holds])

    def is_elif(self, node: ast.If) -> bool:
        line = self.source.splitlines()[node.lineno - 1]
        return line.lstrip().startswith("elif")

    def typing_branch(self, body: Sequence[ast.stmt]) -> None:
        for stmt in body:
            if isinstance(stmt, ast.ImportFrom):
                note = self.block_above(stmt.lineno)
                for name, _module in self.imports(stmt):
                    if note:
                        self.typing_notes[name] = note

    def branch(
        self, body: Sequence[ast.stmt], since: Version, until: Optional[Version], why: str
    ) -> None:
        for stmt in body:
            if isinstance(stmt, ast.If) and _is_type_checking(stmt.test) and not stmt.orelse:
                continue  # what type checkers see in this branch
            above = _strip_version_prefix(self.block_above(stmt.lineno))
            for name, module in self.branch_bindings(stmt):
                # The `if` line's comment says what the stdlib got at that version: it
                # explains the names taken from the stdlib, not the fallbacks beside them.
                own = above or (why if module_kind(module) == "stdlib" else "")
                self.bind(name, Span(since, until, module, own))

    def branch_bindings(self, stmt: ast.stmt) -> Iterable[Tuple[str, str]]:
        if isinstance(stmt, ast.ImportFrom):
            return self.imports(stmt)
        # _on_first_use["name"] = "module"
        if (
            isinstance(stmt, ast.Assign)
            and len(stmt.targets) == 1
            and isinstance(stmt.targets[0], ast.Subscript)
            and isinstance(stmt.targets[0].value, ast.Name)
            and stmt.targets[0].value.id == ON_FIRST_USE
        ):
            key = stmt.targets[0].slice
            if isinstance(key, ast.Index):  # Python 3.8
                key = key.value  # type: ignore[attr-defined]
            return [(ast.literal_eval(key), ast.literal_eval(stmt.value))]
        # _on_first_use.update(name="module", ...) / .update(dict.fromkeys([...], "module"))
        if (
            isinstance(stmt, ast.Expr)
            and isinstance(stmt.value, ast.Call)
            and isinstance(stmt.value.func, ast.Attribute)
            and stmt.value.func.attr == "update"
            and isinstance(stmt.value.func.value, ast.Name)
            and stmt.value.func.value.id == ON_FIRST_USE
        ):
            call = stmt.value
            pairs = [(kw.arg, ast.literal_eval(kw.value)) for kw in call.keywords if kw.arg]
            for arg in call.args:
                if (
                    isinstance(arg, ast.Call)
                    and isinstance(arg.func, ast.Attribute)
                    and arg.func.attr == "fromkeys"
                    and len(arg.args) == 2
                ):
                    module = ast.literal_eval(arg.args[1])
                    pairs += [(name, module) for name in ast.literal_eval(arg.args[0])]
                elif isinstance(arg, ast.Dict):
                    pairs += list(ast.literal_eval(arg).items())
                else:
                    raise GateError(f"{self.where(stmt)}: unknown {ON_FIRST_USE}.update() form")
            return pairs
        raise GateError(f"{self.where(stmt)}: a gate binds names only by import or on first use")

    def imports(self, node: ast.ImportFrom) -> List[Tuple[str, str]]:
        module = node.module or ""
        if node.level:
            module = f"{PACKAGE}.{module}" if module else PACKAGE
        if node.level > 1:
            raise GateError(f"{self.where(node)}: relative import beyond the package")
        return [(alias.asname or alias.name, module) for alias in node.names]

    def bind(self, name: str, span: Span) -> None:
        spans = self.bindings.setdefault(name, [])
        for other in spans:
            overlap_until = min(
                (u for u in (span.until, other.until) if u is not None), default=None
            )
            start = max(span.since, other.since)
            if overlap_until is None or start < overlap_until:
                raise GateError(f"{self.filename}: {name} is bound twice on Python {start}")
        spans.append(span)
        spans.sort(key=lambda s: s.since, reverse=True)


def read_gates(source: str, filename: str = "__init__.py") -> Gates:
    """Parse the text of an ``__init__.py`` written in the forms of the module docstring."""
    return _Reader(source, filename).read()


def read_all(source: str, filename: str = "<module>") -> Tuple[str, ...]:
    """A module's ``__all__`` list, read from its source (without importing it)."""
    for node in ast.parse(source, filename).body:
        if (
            isinstance(node, ast.Assign)
            and isinstance(node.targets[0], ast.Name)
            and node.targets[0].id == "__all__"
        ):
            return tuple(ast.literal_eval(node.value))
    raise GateError(f"{filename}: no __all__ list")


def stdlib_target(span: Span, name: str) -> str:
    """The stdlib object's dotted name as Python's own documentation files it:
    ``asyncio.TaskGroup``, ``TimeoutError`` (builtins go without a module)."""
    return name if span.module == "builtins" else f"{span.module}.{name}"


if __name__ == "__main__":  # a quick look: python docs/_ext/gates.py src/asyncio_compat/__init__.py
    with open(sys.argv[1], encoding="utf-8") as f:
        gates = read_gates(f.read(), sys.argv[1])
    for public in gates.public:
        info = gates.names[public]
        for span in info.spans:
            print(f"{public:22} {span_range_text(span):12} {span.module:28} {span.why}")
