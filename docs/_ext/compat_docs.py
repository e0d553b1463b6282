"""Sphinx extension of the asyncio-compat manual.

Everything here is generated from the project's own files at build time, so that the
manual cannot drift from the code:

* ``{compat-table}``: for each public name of ``asyncio_compat``, from which CPython it
  is the stdlib's object (and the CPython change that decided it, the gate's comment)
  and what it is before, parsed from ``src/asyncio_compat/__init__.py`` (``gates.py``);
* ``{compat-api} NAME``: the API entry of ``asyncio_compat.NAME``: the hand-written
  description in the directive's content, then the same per-version facts, and the
  signature of this package's implementation;
* ``{example-output} FILE``: what ``examples/FILE`` prints, as ``tests/test_examples.py``
  expects it (``examples_output.py``);
* ``{conformance} summary|files|skips``: CPython's own tests against the backport, from
  ``docs/_data/conformance.json`` (written by ``tools/run_upstream.py --report``) and the
  skip table ``tools/upstream/skips.py`` (imported read-only);
* a check that every name of the ``__all__`` of ``asyncio_compat``,
  ``asyncio_compat.backport`` and ``asyncio_compat.structured`` has an entry (a warning,
  an error under ``-W``);
* ``output`` as a code-block language (plain text: what a snippet prints);
* without CPython's ``objects.inv`` (see ``conf.py``), references to the stdlib render
  as plain code instead of failing the nitpicky build.
"""

from __future__ import annotations

import importlib
import importlib.util
import inspect
import json
import re
import sys
from pathlib import Path
from typing import Any, ClassVar, Dict, List, Optional, Sequence, Tuple

from docutils import nodes
from docutils.parsers.rst import directives
from docutils.statemachine import StringList
from pygments.lexers.special import TextLexer
from sphinx.application import Sphinx
from sphinx.environment import BuildEnvironment
from sphinx.util import logging
from sphinx.util.docutils import SphinxDirective

HERE = Path(__file__).resolve().parent
if str(HERE) not in sys.path:
    sys.path.insert(0, str(HERE))

import apicheck  # noqa: E402
import examples_output  # noqa: E402
import gates  # noqa: E402

ROOT = HERE.parent.parent
INIT = ROOT / "src" / "asyncio_compat" / "__init__.py"
BACKPORT = ROOT / "src" / "asyncio_compat" / "backport.py"
EXAMPLES_TEST = ROOT / "tests" / "test_examples.py"
CONFORMANCE = ROOT / "docs" / "_data" / "conformance.json"
SKIPS = ROOT / "tools" / "upstream" / "skips.py"

logger = logging.getLogger(__name__)


# --- Markdown text from the gates' comments ------------------------------------------------

_TOKEN = re.compile(
    r"(?P<gh>gh-(?P<gh_n>\d+))"
    r"|(?P<bpo>bpo-(?P<bpo_n>\d+))"
    r"|(?P<pep>PEP (?P<pep_n>\d+))"
    r"|(?P<hash>#(?P<hash_n>\d{4,}))"
    r"|(?P<call>\b[A-Za-z_][\w.]*\([^()]*\))"
    r"|(?P<dotted>\b(?:asyncio|contextlib|traceback|builtins|typing)\.[\w.]*\w)"
)
_ESCAPE = re.compile(r"([\\`*_\[\]<>|#{}$~^&!])")


def escape(text: str) -> str:
    """*text* as literal Markdown text."""
    return _ESCAPE.sub(r"\\\1", text)


def markdown_from_comment(text: str) -> str:
    """A gate comment as MyST Markdown: CPython issues, PEPs and typeshed issues as
    links, calls and dotted stdlib names as code, everything else escaped."""
    out: List[str] = []
    pos = 0
    typeshed = "typeshed" in text
    for m in _TOKEN.finditer(text):
        out.append(escape(text[pos : m.start()]))
        pos = m.end()
        if m.group("gh"):
            n = m.group("gh_n")
            out.append(f"[gh-{n}](https://github.com/python/cpython/issues/{n})")
        elif m.group("bpo"):
            n = m.group("bpo_n")
            out.append(f"[bpo-{n}](https://bugs.python.org/issue?@action=redirect&bpo={n})")
        elif m.group("pep"):
            out.append(f"{{pep}}`{m.group('pep_n')}`")
        elif m.group("hash") and typeshed:
            n = m.group("hash_n")
            out.append(f"[#{n}](https://github.com/python/typeshed/issues/{n})")
        elif m.group("hash"):
            out.append(escape(m.group(0)))
        else:
            out.append(f"`{m.group(0)}`")
    out.append(escape(text[pos:]))
    return "".join(out).strip().rstrip(".")


def _read_gates() -> gates.Gates:
    return gates.read_gates(INIT.read_text(encoding="utf-8"), str(INIT))


def _backport_names() -> Tuple[str, ...]:
    return gates.read_all(BACKPORT.read_text(encoding="utf-8"), str(BACKPORT))


def _cpython(span: gates.Span) -> str:
    return f"CPython {gates.span_range_text(span)}"


def describe_source(span: gates.Span, name: str, backport: Sequence[str]) -> str:
    """What ``asyncio_compat.NAME`` is on *span*'s versions, as Markdown."""
    if span.kind == "stdlib":
        return f"the stdlib's {{py:obj}}`{gates.stdlib_target(span, name)}`"
    if span.kind == "backport":
        if name in backport:
            return f"this package's backport, {{py:obj}}`asyncio_compat.backport.{name}`"
        return "this package's own implementation"
    return f"`{span.module}.{name}`"


def _why(span: gates.Span) -> str:
    return f" \N{EM DASH} {markdown_from_comment(span.why)}" if span.why else ""


_NONE = "\N{EM DASH}"
_ISSUE = re.compile(r"\b(?:gh-\d+|bpo-\d+|PEP \d+)")


def _issues(spans: Sequence[gates.Span]) -> str:
    """The CPython issues and PEPs the spans' comments name, each once, as links."""
    found: List[str] = []
    for span in spans:
        for issue in _ISSUE.findall(span.why):
            if issue not in found:
                found.append(issue)
    return ", ".join(markdown_from_comment(issue) for issue in found)


def _short_source(span: gates.Span, name: str, backport: Sequence[str]) -> str:
    if span.kind == "backport":
        return "backport" if name in backport else "this package's own"
    return f"`{span.module}`"


def table_markdown(data: gates.Gates, backport: Sequence[str]) -> List[str]:
    """One short row per name: the releases where it is the stdlib's object, what it is
    on the others, and the CPython changes that decided the gate (the gate's whole
    comment is in the name's entry below, ``{compat-api}``)."""
    lines = [
        "| name | the stdlib's object on | otherwise | decided by |",
        "| --- | --- | --- | --- |",
    ]
    for name in data.public:
        info = data.names[name]
        stdlib = [span for span in info.spans if span.kind == "stdlib"]
        if stdlib:
            ranges = ", ".join(gates.span_range_text(span) for span in _merge(stdlib))
            now = f"{ranges}: {{py:obj}}`{gates.stdlib_target(stdlib[0], name)}`"
        else:
            now = f"{_NONE} (not in the stdlib)"
        others: Dict[str, List[str]] = {}
        for span in _merge([span for span in info.spans if span.kind != "stdlib"]):
            source = _short_source(span, name, backport)
            others.setdefault(source, []).append(gates.span_range_text(span))
        otherwise = "; ".join(f"{', '.join(r)}: {source}" for source, r in others.items())
        why = _issues(stdlib) or _issues(info.spans)
        lines.append(
            f"| {{py:obj}}`~asyncio_compat.{name}` | {now} | {otherwise or _NONE} "
            f"| {why or _NONE} |"
        )
    return lines


def _merge(spans: Sequence[gates.Span]) -> List[gates.Span]:
    """Spans (newest first) with adjacent ones of the same module made one."""
    merged: List[gates.Span] = []
    for span in spans:
        last = merged[-1] if merged else None
        if last is not None and last.module == span.module and last.since == span.until:
            merged[-1] = last._replace(since=span.since, why=last.why or span.why)
        else:
            merged.append(span)
    return merged


class _MarkdownDirective(SphinxDirective):
    def render(self, lines: List[str]) -> List[nodes.Node]:
        container = nodes.container()
        self.state.nested_parse(StringList(lines, source=self.get_source_info()[0]), 0, container)
        return list(container.children)


class CompatTable(_MarkdownDirective):
    """The table of every public name's source per Python version."""

    def run(self) -> List[nodes.Node]:
        self.env.note_dependency(str(INIT))
        self.env.note_dependency(str(BACKPORT))
        return self.render(table_markdown(_read_gates(), _backport_names()))


# --- {compat-api} ----------------------------------------------------------------------------


def _plain_signature(obj: Any) -> Optional[str]:
    try:
        signature = inspect.signature(obj)
    except (TypeError, ValueError):
        return None
    params = [p.replace(annotation=inspect.Parameter.empty) for p in signature.parameters.values()]
    return str(signature.replace(parameters=params, return_annotation=inspect.Signature.empty))


def _object_type(obj: Any) -> str:
    if inspect.isclass(obj):
        return "exception" if issubclass(obj, BaseException) else "class"
    return "function"


class CompatApi(_MarkdownDirective):
    """``{compat-api} NAME``: the entry of ``asyncio_compat.NAME``."""

    required_arguments = 1
    has_content = True
    option_spec: ClassVar[Dict[str, Any]] = {"signature": directives.unchanged}

    def run(self) -> List[nodes.Node]:
        self.env.note_dependency(str(INIT))
        name = self.arguments[0]
        data = _read_gates()
        if name not in data.public:
            raise self.error(f"{name} is not in asyncio_compat.__all__")
        info = data.names[name]
        backport = _backport_names()
        live = getattr(importlib.import_module("asyncio_compat"), name)
        own = [s for s in info.spans if s.kind == "backport"]
        impl = getattr(importlib.import_module(own[0].module), name) if own else live
        objtype = _object_type(live)
        signature = self.options.get("signature")
        if signature is None and objtype != "exception" and own:
            signature = _plain_signature(impl)
        header = f"{{py:{objtype}}} {name}{signature or ''}"
        lines = ["`````" + header, ":module: asyncio_compat"]
        if objtype == "function" and inspect.iscoroutinefunction(impl):
            lines.append(":async:")
        lines.append("")
        lines += list(self.content)
        lines += ["", "Where it comes from:", ""]
        for span in info.spans if len(info.spans) < 2 else self._merged(info):
            lines.append(
                f"- {_cpython(span)}: {describe_source(span, name, backport)}{_why(span)}."
            )
        if info.typing_note:
            lines.append(f"- Type checkers: {markdown_from_comment(info.typing_note)}.")
        lines.append("`````")
        return self.render(lines)

    @staticmethod
    def _merged(info: gates.NameInfo) -> List[gates.Span]:
        stdlib = info.stdlib_since
        head = [stdlib._replace(until=None)] if stdlib else []
        return head + info.before()


# --- {example-output} ------------------------------------------------------------------------


class ExampleOutput(SphinxDirective):
    """``{example-output} first_error.py``: what the example prints."""

    required_arguments = 1

    def run(self) -> List[nodes.Node]:
        self.env.note_dependency(str(EXAMPLES_TEST))
        expected = examples_output.read_expected(EXAMPLES_TEST.read_text(encoding="utf-8"))
        name = self.arguments[0]
        if name not in expected:
            raise self.error(f"tests/test_examples.py expects no output of {name}")
        result: List[nodes.Node] = []
        for variant in expected[name]:
            if variant.condition is not None:
                para = nodes.paragraph()
                para += nodes.Text("Where ")
                para += nodes.literal(variant.condition, variant.condition)
                para += nodes.Text(":")
                result.append(para)
            block = nodes.literal_block(variant.text, variant.text)
            block["language"] = "text"
            result.append(block)
        return result


# --- {conformance} ---------------------------------------------------------------------------


def load_skip_table() -> Tuple[Any, ...]:
    """``tools/upstream/skips.py``'s ``SKIPS``, loaded from its file (read-only)."""
    spec = importlib.util.spec_from_file_location("_asyncio_compat_upstream_skips", SKIPS)
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # NamedTuple classes need their module importable
    try:
        spec.loader.exec_module(module)
    finally:
        del sys.modules[spec.name]
    return tuple(module.SKIPS)


FORMAT = 1


def load_conformance(path: Path = CONFORMANCE) -> Dict[str, Any]:
    with path.open(encoding="utf-8") as f:
        data: Dict[str, Any] = json.load(f)
    problems = validate_conformance(data)
    if problems:
        raise ValueError(f"{path}: " + "; ".join(problems))
    return data


def validate_conformance(data: Any) -> List[str]:
    """What is wrong with a conformance data file (see docs/conformance.md), if anything."""
    problems: List[str] = []
    if not isinstance(data, dict) or data.get("format") != FORMAT:
        return [f"not a conformance file of format {FORMAT}"]
    if not isinstance(data.get("suite"), dict) or "cpython" not in data["suite"]:
        problems.append("suite.cpython missing")
    runs = data.get("runs")
    if not isinstance(runs, list) or not runs:
        return [*problems, "no runs"]
    for i, run in enumerate(runs):
        for key in ("interpreter", "implementation", "python", "loop", "impl"):
            if not isinstance(run.get(key), str):
                problems.append(f"runs[{i}].{key} missing")
        if "skipped" in run:
            continue
        files = run.get("files")
        if not isinstance(files, dict) or not files:
            problems.append(f"runs[{i}].files missing")
            continue
        for file, counts in files.items():
            if sorted(counts) != ["failed", "passed", "skipped"]:
                problems.append(f"runs[{i}].files[{file!r}] needs passed, failed, skipped")
        for j, skip in enumerate(run.get("skips", [])):
            if not {"tests", "where", "reason", "count"} <= set(skip):
                problems.append(f"runs[{i}].skips[{j}] needs tests, where, reason, count")
    return problems


def _run_key(run: Dict[str, Any]) -> Tuple[int, Tuple[int, ...], int]:
    impl_rank = 0 if run["implementation"] == "cpython" else 1
    version = tuple(int(p) for p in run["python"].split(".") if p.isdigit())
    return (impl_rank, version, 0 if run["loop"] == "asyncio" else 1)


def _totals(run: Dict[str, Any]) -> Tuple[int, int, int]:
    files = run["files"].values()
    return (
        sum(f["passed"] for f in files),
        sum(f["failed"] for f in files),
        sum(f["skipped"] for f in files),
    )


def _cell(counts: Tuple[int, int, int]) -> str:
    passed, failed, skipped = counts
    text = f"{passed} passed"
    if failed:
        text += f", **{failed} failed**"
    if skipped:
        text += f", {skipped} skipped"
    return text


def code_cell(text: str) -> str:
    """*text* as inline code in a Markdown table cell: a ``|`` in it (a skip condition's
    alternatives, ``3.12 | 3.13.0``) would end the cell, so it is escaped, which GFM
    tables allow inside code spans too."""
    return "`" + text.replace("|", "\\|") + "`"


class Conformance(_MarkdownDirective):
    """``{conformance} summary`` / ``files`` / ``skips``, of the runs of one ``--impl``
    (option ``:impl:``, default ``backport``; ``toplevel``: the names of
    ``asyncio_compat`` as the gates pick them)."""

    required_arguments = 1
    option_spec: ClassVar[Dict[str, Any]] = {"impl": directives.unchanged}

    def run(self) -> List[nodes.Node]:
        self.env.note_dependency(str(CONFORMANCE))
        self.env.note_dependency(str(SKIPS))
        data = load_conformance()
        impl = self.options.get("impl", "backport")
        runs = sorted((r for r in data["runs"] if r["impl"] == impl), key=_run_key)
        if not runs:
            return self.render([f"No run of `--impl {impl}` is recorded in the data file yet."])
        what = self.arguments[0]
        if what == "summary":
            return self.render(self.summary(runs))
        if what == "files":
            return self.render(self.files(runs))
        if what == "skips":
            return self.render(self.skips(runs))
        raise self.error(f"unknown conformance table {what!r}")

    @staticmethod
    def summary(runs: List[Dict[str, Any]]) -> List[str]:
        loops = sorted({r["loop"] for r in runs}, key=lambda loop: loop != "asyncio")
        lines = [
            "| interpreter | " + " | ".join(f"`--loop {loop}`" for loop in loops) + " |",
            "| --- |" + " --- |" * len(loops),
        ]
        by_interpreter: Dict[str, Dict[str, Dict[str, Any]]] = {}
        for run in runs:
            by_interpreter.setdefault(run["interpreter"], {})[run["loop"]] = run
        for interpreter, per_loop in by_interpreter.items():
            cells = []
            for loop in loops:
                run = per_loop.get(loop)
                if run is None:
                    cells.append("—")
                elif "skipped" in run:
                    cells.append("not run: " + escape(run["skipped"]))
                else:
                    cells.append(_cell(_totals(run)))
            lines.append(f"| {interpreter} | " + " | ".join(cells) + " |")
        return lines

    @staticmethod
    def files(runs: List[Dict[str, Any]]) -> List[str]:
        names: List[str] = []
        for run in runs:
            for file in run.get("files", {}):
                if file not in names:
                    names.append(file)
        # One line per file inside one cell: a column per file (nine of them) made the table
        # too wide for the column at desktop width, let alone a phone's.
        lines = [
            "| interpreter | loop | passed per test file (and skipped) |",
            "| --- | --- | --- |",
        ]
        for run in runs:
            if "skipped" in run:
                continue
            cells = []
            for file in names:
                counts = run["files"].get(file)
                if counts is None:
                    continue
                text = f"`{file}` {counts['passed']}"
                if counts["failed"]:
                    text += f" / **{counts['failed']} failed**"
                if counts["skipped"]:
                    text += f" (+{counts['skipped']})"
                cells.append(text)
            lines.append(f"| {run['interpreter']} | {run['loop']} | " + "<br>".join(cells) + " |")
        return lines

    @staticmethod
    def skips(runs: List[Dict[str, Any]]) -> List[str]:
        table = load_skip_table()
        applied: Dict[Tuple[Optional[str], Optional[str]], List[str]] = {}
        stale: Dict[Tuple[Optional[str], Optional[str]], str] = {}
        known = {(s.tests, s.where) for s in table}
        for run in runs:
            for skip in run.get("skips", []):
                key = (skip["tests"], skip["where"])
                where = f"{run['interpreter']} ({run['loop']}): {skip['count']}"
                applied.setdefault(key, []).append(where)
                if key not in known:
                    stale[key] = skip["reason"]
        # The tests and where they are skipped share a cell, so that the table fits a phone.
        lines = [
            "| tests, and where | why they cannot pass there | skipped in the runs above |",
            "| --- | --- | --- |",
        ]
        for skip in table:
            runs_text = "; ".join(applied.get((skip.tests, skip.where), [])) or "—"
            lines.append(
                f"| {code_cell(skip.tests)}<br>where {code_cell(skip.where)} "
                f"| {markdown_from_comment(skip.reason)} | {escape(runs_text)} |"
            )
        for (tests, where), reason in stale.items():
            runs_text = "; ".join(applied[(tests, where)])
            label = code_cell(tests) if tests else "(CPython's own test)"
            lines.append(
                f"| {label}<br>where {code_cell(where or '—')} | {markdown_from_comment(reason)} "
                f"| {escape(runs_text)} |"
            )
        return lines


# --- checks and fallbacks --------------------------------------------------------------------


def check_public_names(app: Sphinx, env: BuildEnvironment) -> None:
    objects = env.get_domain("py").objects  # type: ignore[attr-defined]
    for module, path in apicheck.public_modules(ROOT).items():
        if module not in objects:
            logger.warning("public module %s has no section in the API reference", module)
        for name in gates.read_all(path.read_text(encoding="utf-8"), str(path)):
            if f"{module}.{name}" not in objects:
                logger.warning(
                    "%s.%s is public (in __all__) but has no entry in the API reference",
                    module,
                    name,
                )


def on_missing_reference(app: Sphinx, env: BuildEnvironment, node: Any, contnode: Any) -> Any:
    if app.config.compat_stdlib_links or node.get("refdomain") != "py":
        return None
    if node.get("reftarget", "").startswith("asyncio_compat"):
        return None  # our own names must resolve, inventory or not
    return contnode


def setup(app: Sphinx) -> Dict[str, Any]:
    app.add_config_value("compat_stdlib_links", True, "env")
    app.add_lexer("output", TextLexer)
    app.add_directive("compat-table", CompatTable)
    app.add_directive("compat-api", CompatApi)
    app.add_directive("example-output", ExampleOutput)
    app.add_directive("conformance", Conformance)
    app.connect("env-check-consistency", check_public_names)
    app.connect("missing-reference", on_missing_reference)
    return {"version": "1", "parallel_read_safe": True, "parallel_write_safe": True}
