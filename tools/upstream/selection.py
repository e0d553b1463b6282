"""Keep only some tests of a big upstream test file, on the AST, before it is executed.

``test_asyncio/test_tasks.py`` tests all of ``asyncio.tasks``; only its ``as_completed``
tests are about this project. They are methods of a mixin (``BaseTaskTests``) that the
file turns into one ``TestCase`` per Task/Future class (C or Python, subclassed or not).
``prune()`` keeps, for a ``Selection(base, tests)``:

* the mixin *base*, with its test methods that match the pattern *tests* and everything
  that is not a test method (``setUp``, ``new_task``, class attributes, ...);
* the classes that derive from *base* (its variants) and the other mixins they derive
  from, with the same test methods kept;
* every other module-level statement that is not a test class (helpers, imports).

Every other test class (one that has test methods, derives from a ``...TestCase`` or
from a class dropped before) is removed, and then every import that nothing left uses:
what the dropped tests needed (``types.GenericAlias``, ``test.support.threading_helper``,
...) need not exist on this interpreter. The worker also filters the loaded tests by
name with the same pattern, since the file adds test methods at run time too
(``add_subclass_tests()``).

A file whose tests about this project sit in several classes (``test_traceback.py``'s
exception-group tests) takes ``Selections``: the union of its ``Selection``s, without the
variants it names in *exclude* (``CExcReportingTests`` tests the interpreter's own printing,
not a function this project hands out), and with the module-level assignments that nothing
left uses removed too (``test_traceback.py``'s ``colors`` table reads 3.14's ``_colorize``).
"""

from __future__ import annotations

import ast
import fnmatch
from collections import Counter
from typing import Dict, List, NamedTuple, Optional, Set, Tuple, Union


class Selection(NamedTuple):
    base: str  # the mixin whose tests are selected, e.g. "BaseTaskTests"
    tests: str  # fnmatch pattern of the test method names to keep, e.g. "test_as_completed*"

    def keeps(self, method: str) -> bool:
        """Whether the test method named *method* is selected."""
        return fnmatch.fnmatchcase(method, self.tests)


class Selections(NamedTuple):
    """Several ``Selection``s of one file (see the module docstring)."""

    parts: Tuple[Selection, ...]
    exclude: Tuple[str, ...] = ()  # variants of the parts' bases to drop

    @property
    def base(self) -> str:
        return "+".join(p.base for p in self.parts)

    @property
    def tests(self) -> str:
        return "|".join(p.tests for p in self.parts)

    def keeps(self, method: str) -> bool:
        """Whether the test method named *method* is selected by one of the parts."""
        return any(p.keeps(method) for p in self.parts)


class SelectionError(Exception):
    pass


_Function = (ast.FunctionDef, ast.AsyncFunctionDef)


def _test_name(node: ast.stmt) -> Optional[str]:
    """The name of the test method *node* defines, or None if it is something else."""
    if isinstance(node, _Function) and node.name.startswith("test"):
        return node.name
    return None


def _kept(node: ast.stmt, selection: Selection) -> bool:
    name = _test_name(node)
    return name is None or selection.keeps(name)


def _dotted(node: ast.expr) -> str:
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute):
        return f"{_dotted(node.value)}.{node.attr}"
    return ""


def _bound_names(node: Union[ast.Import, ast.ImportFrom]) -> List[str]:
    return [(a.asname or a.name).split(".")[0] for a in node.names]


def prune(tree: ast.Module, selection: Union[Selection, Selections]) -> Counter[str]:
    """Cut *tree* down to the selected tests (see the module docstring), in place.

    Returns what was removed. Raises ``SelectionError`` when the file no longer has the
    mixin or any selected test: the upstream file changed, and nothing would run.
    """
    counts: Counter[str] = Counter()
    parts = selection.parts if isinstance(selection, Selections) else (selection,)
    exclude = set(selection.exclude) if isinstance(selection, Selections) else set()
    classes = {n.name: n for n in tree.body if isinstance(n, ast.ClassDef)}
    picked: Dict[str, Selection] = {}  # kept class -> the selection of its test methods
    for part in parts:
        base = classes.get(part.base)
        if base is None:
            raise SelectionError(f"no class {part.base} in the file")
        if not any(_test_name(n) is not None and _kept(n, part) for n in base.body):
            raise SelectionError(f"{part.base} has no test method {part.tests}")
        variants = {
            name
            for name, cls in classes.items()
            if part.base in (_dotted(b) for b in cls.bases) and name not in exclude
        }
        picked.update(dict.fromkeys({part.base} | variants, part))
        for name in variants:
            picked.update((b, part) for b in map(_dotted, classes[name].bases) if b in classes)
    dropped: Set[str] = set()
    body: List[ast.stmt] = []
    for node in tree.body:
        if isinstance(node, ast.ClassDef) and node.name not in picked:
            bases = [_dotted(b) for b in node.bases]
            if (
                node.name in exclude
                or any(_test_name(n) is not None for n in node.body)
                or any(b.endswith("TestCase") or b in dropped for b in bases)
            ):
                dropped.add(node.name)
                counts["test classes not selected"] += 1
                continue
        if isinstance(node, ast.ClassDef) and node.name in picked:
            kept = [n for n in node.body if _kept(n, picked[node.name])]
            counts["test methods not selected"] += len(node.body) - len(kept)
            node.body = kept or [ast.copy_location(ast.Pass(), node)]
        body.append(node)
    tree.body = body
    if isinstance(selection, Selections):
        counts.update(_drop_unused_assignments(tree))
    counts.update(_drop_unused_imports(tree))
    return counts


def _drop_unused_assignments(tree: ast.Module) -> Counter[str]:
    """Remove the module-level ``NAME = ...`` statements whose names nothing reads, until
    none is left (one may be the last reader of another)."""
    counts: Counter[str] = Counter()
    while True:
        loads = (n for n in ast.walk(tree) if isinstance(n, ast.Name))
        used = {n.id for n in loads if isinstance(n.ctx, ast.Load)}
        body = [
            node
            for node in tree.body
            if not (
                isinstance(node, ast.Assign)
                and all(isinstance(t, ast.Name) and t.id not in used for t in node.targets)
            )
        ]
        if len(body) == len(tree.body):
            return counts
        counts["unused module-level assignments"] += len(tree.body) - len(body)
        tree.body = body


def _drop_unused_imports(tree: ast.Module) -> Counter[str]:
    counts: Counter[str] = Counter()
    used = {n.id for n in ast.walk(tree) if isinstance(n, ast.Name)}
    body: List[ast.stmt] = []
    for node in tree.body:
        if isinstance(node, (ast.Import, ast.ImportFrom)) and not (
            isinstance(node, ast.ImportFrom) and node.module == "__future__"
        ):
            names = [a for a, b in zip(node.names, _bound_names(node)) if b in used or b == "*"]
            if len(names) < len(node.names):
                counts["unused imports"] += len(node.names) - len(names)
            if not names:
                continue
            node.names = names
        body.append(node)
    tree.body = body
    return counts
