"""The expected output of each program in ``examples/``, read from ``tests/test_examples.py``.

That test runs every example and compares its output with its ``EXPECTED`` table; the
manual shows the same text, read from the test file's syntax tree (without importing it,
so neither pytest nor the package is needed to build the docs). An output that depends
on the interpreter (``x if CONDITION else y``) comes back as one variant per branch, each
with the condition under which the test expects it. Pure standard library, Python 3.8+.
"""

from __future__ import annotations

import ast
import contextlib
import sys
import textwrap
from typing import Dict, List, NamedTuple, Optional


class Variant(NamedTuple):
    condition: Optional[str]  # Python source; None: always
    text: str  # dedented, as the test compares it

    def holds(self) -> bool:
        """Whether this variant is the one expected on the running interpreter."""
        if self.condition is None:
            return True
        return bool(eval(self.condition, {"sys": sys}))


class ExpectedOutputError(ValueError):
    pass


def _join(left: Optional[str], right: Optional[str]) -> Optional[str]:
    if left is None:
        return right
    if right is None:
        return left
    return f"{left} and {right}"


class _Evaluator:
    """Evaluates the few expression forms the test file uses to build its strings."""

    def __init__(self, filename: str) -> None:
        self.filename = filename
        self.names: Dict[str, List[Variant]] = {}
        self.expected: Dict[str, List[Variant]] = {}

    def value(self, node: ast.expr) -> List[Variant]:
        if isinstance(node, ast.Constant) and isinstance(node.value, str):
            return [Variant(None, node.value)]
        if isinstance(node, ast.Name) and node.id in self.names:
            return self.names[node.id]
        if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add):
            out = []
            for left in self.value(node.left):
                for right in self.value(node.right):
                    condition = _join(left.condition, right.condition)
                    out.append(Variant(condition, left.text + right.text))
            return out
        if isinstance(node, ast.IfExp):
            test = ast.get_source_segment(self.source, node.test)
            if test is None:  # pragma: no cover - Python 3.8 without positions
                raise ExpectedOutputError(f"{self.filename}: cannot read a condition")
            test = " ".join(test.split())
            negated = f"not ({test})"
            return [Variant(_join(v.condition, test), v.text) for v in self.value(node.body)] + [
                Variant(_join(v.condition, negated), v.text) for v in self.value(node.orelse)
            ]
        raise ExpectedOutputError(
            f"{self.filename}:{getattr(node, 'lineno', '?')}: unsupported expression "
            f"{type(node).__name__} in an expected output"
        )

    def run(self, source: str) -> Dict[str, List[Variant]]:
        self.source = source
        for stmt in ast.parse(source, self.filename).body:
            if isinstance(stmt, ast.AnnAssign) and stmt.value is not None:
                targets = [stmt.target]
                value = stmt.value
            elif isinstance(stmt, ast.Assign):
                targets = list(stmt.targets)
                value = stmt.value
            else:
                continue
            for target in targets:
                if isinstance(target, ast.Name) and target.id == "EXPECTED":
                    if not isinstance(value, ast.Dict):
                        raise ExpectedOutputError(f"{self.filename}: EXPECTED is not a dict")
                    for key, val in zip(value.keys, value.values):
                        assert key is not None
                        self.expected[ast.literal_eval(key)] = self.value(val)
                elif isinstance(target, ast.Name) and (
                    target.id.isupper() or target.id.startswith("_")
                ):
                    # Not every constant is a string (ATTEMPTS = 3, ...): skip the others.
                    with contextlib.suppress(ExpectedOutputError):
                        self.names[target.id] = self.value(value)
                elif (
                    isinstance(target, ast.Subscript)
                    and isinstance(target.value, ast.Name)
                    and target.value.id == "EXPECTED"
                ):
                    key = target.slice
                    if isinstance(key, ast.Index):  # Python 3.8
                        key = key.value  # type: ignore[attr-defined]
                    self.expected[ast.literal_eval(key)] = self.value(value)
        if not self.expected:
            raise ExpectedOutputError(f"{self.filename}: no EXPECTED outputs")
        return {
            name: [Variant(v.condition, textwrap.dedent(v.text)) for v in variants]
            for name, variants in self.expected.items()
        }


def read_expected(source: str, filename: str = "test_examples.py") -> Dict[str, List[Variant]]:
    """example file name -> its expected output variants."""
    return _Evaluator(filename).run(source)


def expected_here(variants: List[Variant]) -> str:
    """The one variant expected on the running interpreter."""
    matching = [v.text for v in variants if v.holds()]
    if len(matching) != 1:
        raise ExpectedOutputError(f"{len(matching)} expected outputs hold on this interpreter")
    return matching[0]
