"""The manual (docs/) documents every public name, and its generated facts are true here.

The API reference's per-version table is generated from src/asyncio_compat/__init__.py's
gates (docs/_ext/gates.py): these tests check, on each interpreter of the matrix, that
the parser's answer for this interpreter is the object the package really gives. They
need no Sphinx; they are skipped where docs/ is absent (an sdist).
"""

from __future__ import annotations

import importlib
import importlib.util
import json
import pathlib
import re
import sys
import textwrap
from types import ModuleType
from typing import List

import pytest

import asyncio_compat

ROOT = pathlib.Path(__file__).resolve().parent.parent
DOCS = ROOT / "docs"
EXT = DOCS / "_ext"

if not (EXT / "gates.py").is_file():
    pytest.skip("docs/ is not part of this tree (an sdist)", allow_module_level=True)


def _load(name: str) -> ModuleType:
    # By path, under a private name: docs/_ext is not a package, and not on sys.path.
    path = EXT / f"{name}.py"
    spec = importlib.util.spec_from_file_location(f"_asyncio_compat_docs_{name}", path)
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # NamedTuple needs its module importable
    spec.loader.exec_module(module)
    return module


gates = _load("gates")
apicheck = _load("apicheck")
examples_output = _load("examples_output")
snippets = _load("snippets")

INIT = ROOT / "src" / "asyncio_compat" / "__init__.py"
API_PAGE = (DOCS / "api.md").read_text(encoding="utf-8")


def _public(module: str) -> List[str]:
    return list(importlib.import_module(module).__all__)


@pytest.mark.parametrize("module", sorted(apicheck.public_modules(ROOT)))
def test_every_public_name_has_an_api_entry(module):
    """Each name in the __all__ of asyncio_compat and of each of its public modules
    (backport, structured, ...) has an entry in docs/api.md."""
    assert [] == apicheck.missing(API_PAGE, module, _public(module))


def test_the_public_modules_are_found():
    """The check covers asyncio_compat, its backport and structured modules, and leaves
    the private ones out."""
    modules = apicheck.public_modules(ROOT)
    assert {
        "asyncio_compat",
        "asyncio_compat.backport",
        "asyncio_compat.structured",
    } <= set(modules)
    assert [] == [name for name in modules if name.rsplit(".", 1)[-1].startswith("_")]


def test_a_public_name_without_an_entry_fails():
    """A name added to __all__ but not to docs/api.md is reported, by its full name."""
    public = [*asyncio_compat.__all__, "brand_new_helper"]
    assert ["asyncio_compat.brand_new_helper"] == apicheck.missing(
        API_PAGE, "asyncio_compat", public
    )


def test_a_removed_entry_fails():
    """Deleting a name's {compat-api} entry from the page makes the check fail for it."""
    page = API_PAGE.replace("{compat-api} wait_for", "{compat-api-removed} wait_for")
    assert ["asyncio_compat.wait_for"] == apicheck.missing(
        page, "asyncio_compat", asyncio_compat.__all__
    )


def test_every_public_name_has_a_source_on_every_version():
    """The gates bind every name of __all__ on each CPython from 3.8 to 3.15."""
    parsed = gates.read_gates(INIT.read_text(encoding="utf-8"))
    assert list(asyncio_compat.__all__) == list(parsed.public)
    assert [] == parsed.missing()


@pytest.mark.parametrize("name", asyncio_compat.__all__)
def test_the_table_is_right_on_this_interpreter(name):
    """asyncio_compat.NAME is the object that the generated table says for this Python:
    the stdlib's, exceptiongroup's, or the module of the backport it names."""
    parsed = gates.read_gates(INIT.read_text(encoding="utf-8"))
    span = parsed.names[name].span_for(sys.version_info[:3])
    source = importlib.import_module(span.module)
    assert getattr(source, name) is getattr(asyncio_compat, name)


def test_the_parser_reads_a_new_gate():
    """A new gate in the package's forms comes out with its versions and its comment."""
    source = textwrap.dedent(
        """\
        import sys
        __all__ = ["Thing", "helper"]
        TYPE_CHECKING = False
        _on_first_use = {
            # Ours on every version.
            "helper": "asyncio_compat._helper",
        }
        if sys.version_info >= (3, 16):  # 3.16+: gh-1 made asyncio.Thing right
            from asyncio import Thing
        elif sys.version_info >= (3, 12, 1):
            # 3.12.1: half right
            from ._thing_half import Thing
        else:
            if TYPE_CHECKING:
                from ._thing import Thing
            _on_first_use["Thing"] = "asyncio_compat._thing"
        """
    )
    parsed = gates.read_gates(source)
    thing = parsed.names["Thing"]
    assert [
        ((3, 16), None, "asyncio", "gh-1 made asyncio.Thing right"),
        ((3, 12, 1), (3, 16), "asyncio_compat._thing_half", "half right"),
        ((3, 8), (3, 12, 1), "asyncio_compat._thing", ""),
    ] == [tuple(span) for span in thing.spans]
    assert "3.12.1\N{EN DASH}3.15" == gates.span_range_text(thing.spans[1])
    assert "3.8\N{EN DASH}3.12.0" == gates.span_range_text(thing.spans[2])
    assert ("asyncio_compat._helper", "Ours on every version.") == (
        parsed.names["helper"].spans[0].module,
        parsed.names["helper"].spans[0].why,
    )
    assert [] == parsed.missing()


def test_the_parser_reports_a_name_without_a_source():
    """A name in __all__ that no gate binds on some version is reported missing."""
    source = textwrap.dedent(
        """\
        import sys
        __all__ = ["Thing", "Other"]
        if sys.version_info >= (3, 11):
            from asyncio import Thing
        """
    )
    assert ["Thing", "Other"] == gates.read_gates(source).missing()


def test_the_parser_refuses_an_unknown_form():
    """A gate binding a name in a way the parser does not know is an error, not a gap."""
    source = textwrap.dedent(
        """\
        import sys
        __all__ = ["Thing"]
        if sys.version_info >= (3, 11):
            Thing = object
        """
    )
    with pytest.raises(gates.GateError):
        gates.read_gates(source)


def test_the_example_outputs_shown_are_the_ones_tested():
    """The manual's copy of each example's expected output, for this interpreter, is
    tests/test_examples.py's EXPECTED, read without importing it."""
    import test_examples

    source = (ROOT / "tests" / "test_examples.py").read_text(encoding="utf-8")
    shown = examples_output.read_expected(source)
    assert sorted(test_examples.EXPECTED) == sorted(shown)
    for name, variants in shown.items():
        expected = textwrap.dedent(test_examples.EXPECTED[name])
        assert expected == examples_output.expected_here(variants), name


def test_every_example_is_in_the_manual():
    """Each program in examples/ is shown on a page of the manual (so the doctest env
    runs it there too)."""
    shown = set()
    for page in DOCS.glob("**/*.md"):
        if "_build" not in page.parts:
            found = snippets.parse_file(str(page))
            shown |= {pathlib.Path(s.argument).name for s in found if s.lang == "{literalinclude}"}
    scripts = {p.name for p in (ROOT / "examples").glob("*.py")}
    assert set() == scripts - shown


def test_every_benchmark_table_is_included():
    """Each per-interpreter table of benchmarks/results/ is included in the manual."""
    results = ROOT / "benchmarks" / "results"
    if not results.is_dir():
        pytest.skip("benchmarks/results/ is not part of this tree")
    text = (DOCS / "benchmarks.md").read_text(encoding="utf-8")
    missing = [t.name for t in results.glob("*.md") if f"results/{t.name}" not in text]
    assert [] == missing


def test_every_benchmark_figure_is_shown():
    """Each figure of benchmarks/results/ is shown in the manual (summary.md, which the
    benchmark page includes), and each figure shown is there."""
    results = ROOT / "benchmarks" / "results"
    if not results.is_dir():
        pytest.skip("benchmarks/results/ is not part of this tree")
    text = (results / "summary.md").read_text(encoding="utf-8")
    shown = set(re.findall(r"^```\{figure\} \.\./benchmarks/results/(\S+)$", text, re.M))
    assert sorted(p.name for p in results.glob("*.png")) == sorted(shown)


def test_the_benchmark_marks_agree_with_the_figures_shown():
    """A target's ✓ or ✗ in a per-interpreter benchmark table agrees with the value printed
    beside it: 1.00 meets a target of ≤ 1.00."""
    results = ROOT / "benchmarks" / "results"
    if not results.is_dir():
        pytest.skip("benchmarks/results/ is not part of this tree")
    verdict = re.compile(r"^- .*: ([0-9.]+)(?: ms)? \(target ≤ ([0-9.]+)(?: ms)?\): ([✓✗])", re.M)
    wrong = []
    for table in sorted(results.glob("*.md")):
        found = verdict.findall(table.read_text(encoding="utf-8"))
        assert found or table.name == "summary.md", table.name
        for value, target, mark in found:
            if (mark == "✓") != (float(value) <= float(target)):
                wrong.append(f"{table.name}: {value} ≤ {target}: {mark}")
    assert [] == wrong


def test_no_work_item_numbers_in_the_product_text():
    """The manual, the benchmarks and their results, tox.ini and the code name what they
    measure or do, never the project's own work items ("issue 6")."""
    found = []
    for folder in ("benchmarks", "docs", "src", "tools"):
        for path in sorted((ROOT / folder).rglob("*")):
            if "_build" in path.parts or path.suffix not in {".py", ".md", ".js", ".json", ".css"}:
                continue
            text = path.read_text(encoding="utf-8")
            for match in re.finditer(r"\bissues? #?[0-9]+\b", text, re.I):
                found.append(f"{path.relative_to(ROOT)}: {match.group()}")
    text = (ROOT / "tox.ini").read_text(encoding="utf-8")
    found += [f"tox.ini: {m}" for m in re.findall(r"\bissues? #?[0-9]+\b", text, re.I)]
    assert [] == found


def test_the_conformance_data_is_well_formed():
    """docs/_data/conformance.json has the format docs/conformance.md describes."""
    data = json.loads((DOCS / "_data" / "conformance.json").read_text(encoding="utf-8"))
    assert 1 == data["format"]
    for run in data["runs"]:
        assert {"interpreter", "implementation", "python", "loop", "impl"} <= set(run)
        if "skipped" in run:
            continue
        for counts in run["files"].values():
            assert ["failed", "passed", "skipped"] == sorted(counts)
        for skip in run["skips"]:
            assert ["count", "reason", "tests", "where"] == sorted(skip)
