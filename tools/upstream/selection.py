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
"""

from __future__ import annotations

import ast
import fnmatch
from collections import Counter
from typing import List, NamedTuple, Optional, Set, Union


class Selection(NamedTuple):
    base: str  # the mixin whose tests are selected, e.g. "BaseTaskTests"
    tests: str  # fnmatch pattern of the test method names to keep, e.g. "test_as_completed*"

    def keeps(self, method: str) -> bool:
        """Whether the test method named *method* is selected."""
        return fnmatch.fnmatchcase(method, self.tests)


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


def prune(tree: ast.Module, selection: Selection) -> Counter[str]:
    """Cut *tree* down to the selected tests (see the module docstring), in place.

    Returns what was removed. Raises ``SelectionError`` when the file no longer has the
    mixin or any selected test: the upstream file changed, and nothing would run.
    """
    counts: Counter[str] = Counter()
    classes = {n.name: n for n in tree.body if isinstance(n, ast.ClassDef)}
    base = classes.get(selection.base)
    if base is None:
        raise SelectionError(f"no class {selection.base} in the file")
    if not any(_test_name(n) is not None and _kept(n, selection) for n in base.body):
        raise SelectionError(f"{selection.base} has no test method {selection.tests}")
    variants = {
        name for name, cls in classes.items() if selection.base in (_dotted(b) for b in cls.bases)
    }
    needed: Set[str] = {selection.base} | variants
    for name in variants:
        needed.update(_dotted(b) for b in classes[name].bases if _dotted(b) in classes)
    dropped: Set[str] = set()
    body: List[ast.stmt] = []
    for node in tree.body:
        if isinstance(node, ast.ClassDef) and node.name not in needed:
            bases = [_dotted(b) for b in node.bases]
            if any(_test_name(n) is not None for n in node.body) or any(
                b.endswith("TestCase") or b in dropped for b in bases
            ):
                dropped.add(node.name)
                counts["test classes not selected"] += 1
                continue
        if isinstance(node, ast.ClassDef) and node.name in needed:
            kept = [n for n in node.body if _kept(n, selection)]
            counts["test methods not selected"] += len(node.body) - len(kept)
            node.body = kept or [ast.copy_location(ast.Pass(), node)]
        body.append(node)
    tree.body = body
    counts.update(_drop_unused_imports(tree))
    return counts


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
