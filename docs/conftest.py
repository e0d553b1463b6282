"""Run every code snippet of the manual: ``tox -e docs-doctest-py38`` / ``-py315``
(``pytest docs``).

Why a pytest plugin and not ``sphinx.ext.doctest``: the pages are plain Markdown with
ordinary fenced blocks, and the README, which is included in the manual, is too; a
reader copies those blocks, so those are what must run. This plugin needs neither Sphinx
nor MyST, so it runs on Python 3.8 (the oldest of the matrix, which no current Sphinx
supports) exactly as on the newest, under the project's pytest settings (warnings are
errors, a timeout per test).

Each page (``docs/**/*.md``) is a test file; its snippets (``docs/_ext/snippets.py``
finds them, following ``{include}``) are its tests, run in page order:

* ``python``: executed, all snippets of a page in one namespace, like a tutorial. If an
  ``output`` block follows, what the snippet printed must match it (``...`` matches
  anything, as in doctest's ELLIPSIS);
* ``pycon``: run as a doctest in the page's namespace;
* ``console``: each ``$ command`` runs in a shell at the repository's root, with this
  interpreter first on ``PATH`` as ``python``; it must exit 0, and its output must match
  the lines shown under it (with ``...``);
* ``{literalinclude}`` of a program in ``examples/``: the program runs and must print the
  output ``tests/test_examples.py`` expects on this interpreter (the page shows the same
  text with ``{example-output}``);
* ``output``, ``text``, ``toml``, ``ini``, ``json`` blocks are data, not code; any other
  language is an error, so that no new kind of snippet goes untested by accident.

A snippet preceded by ``% skip: REASON`` or ``% run-if: EXPRESSION -- REASON`` (a MyST
comment, invisible in the HTML) is skipped with that reason. On ``output`` blocks, the
same markers say where that output is the one expected: of the output blocks right after
a snippet, the first whose marker holds (or that has none) is compared; if none holds,
the snippet still runs and its output is not compared.
"""

from __future__ import annotations

import contextlib
import doctest
import io
import os
import subprocess
import sys
import textwrap
from pathlib import Path
from typing import Any, Dict, Iterator, List, Optional

import pytest

DOCS = Path(__file__).resolve().parent
ROOT = DOCS.parent
sys.path.insert(0, str(DOCS / "_ext"))

import examples_output  # noqa: E402
import snippets  # noqa: E402

DATA_LANGS = frozenset({"output", "text", "toml", "ini", "json", ""})
RUN_LANGS = frozenset({"python", "pycon", "console"})
EXAMPLE_ATTEMPTS = 3  # timer-based examples, as in tests/test_examples.py
_CHECKER = doctest.OutputChecker()
_FLAGS = doctest.ELLIPSIS


def pytest_collect_file(file_path: Path, parent: pytest.Collector) -> Optional[pytest.File]:
    if file_path.suffix == ".md" and "_build" not in file_path.parts:
        return MarkdownPage.from_parent(parent, path=file_path)
    return None


def _matches(expected: str, actual: str) -> bool:
    want = "\n".join(line.rstrip() for line in expected.strip("\n").splitlines()) + "\n"
    got = "\n".join(line.rstrip() for line in actual.strip("\n").splitlines()) + "\n"
    return _CHECKER.check_output(want, got, _FLAGS)


class SnippetFailure(Exception):
    pass


class MarkdownPage(pytest.File):
    def collect(self) -> Iterator[pytest.Item]:
        found = snippets.parse_file(str(self.path))
        namespace: Dict[str, Any] = {"__name__": "__snippets__"}
        programs = set()  # each example program runs once per page, however often shown
        for index, snippet in enumerate(found):
            lang = snippet.lang
            if lang in DATA_LANGS or (lang.startswith("{") and lang != "{literalinclude}"):
                continue
            if lang not in RUN_LANGS and lang != "{literalinclude}":
                raise snippets.SnippetError(
                    f"{snippet.where}: snippet language {lang!r} is neither run nor data: "
                    "add it to docs/conftest.py, or mark the block `% skip: why`"
                )
            if lang == "{literalinclude}":
                if not snippet.argument.endswith(".py") or snippet.argument in programs:
                    continue
                programs.add(snippet.argument)
            output = None
            for following in found[index + 1 :]:
                if following.lang != "output":
                    break
                if _skip_reason(following) is None:
                    output = following.body  # the first output shown for this Python
                    break
            item = SnippetItem.from_parent(
                self,
                name=snippet.where,
                snippet=snippet,
                namespace=namespace,
                expected=output,
            )
            reason = _skip_reason(snippet)
            if reason is not None:
                # A marker, so that the report points at the snippet, not at this file.
                item.add_marker(pytest.mark.skip(reason=reason))
            yield item


def _skip_reason(snippet: snippets.Snippet) -> Optional[str]:
    if snippet.marker is None:
        return None
    kind, text = snippet.marker
    if kind == "skip":
        return text
    expression, _, reason = text.partition(" -- ")
    if eval(expression, {"sys": sys}):
        return None
    return reason or f"runs only where {expression}"


class SnippetItem(pytest.Item):
    def __init__(
        self,
        *,
        snippet: snippets.Snippet,
        namespace: Dict[str, Any],
        expected: Optional[str],
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        self.snippet = snippet
        self.namespace = namespace
        self.expected = expected

    def runtest(self) -> None:
        run = {
            "python": self.run_python,
            "pycon": self.run_pycon,
            "console": self.run_console,
            "{literalinclude}": self.run_example,
        }[self.snippet.lang]
        run()

    def run_python(self) -> None:
        code = compile(self.snippet.body, f"{self.snippet.path}:{self.snippet.line}", "exec")
        buffer = io.StringIO()
        with contextlib.redirect_stdout(buffer):
            exec(code, self.namespace)
        if self.expected is not None and not _matches(self.expected, buffer.getvalue()):
            raise SnippetFailure(self._diff(self.expected, buffer.getvalue()))

    def run_pycon(self) -> None:
        parser = doctest.DocTestParser()
        test = parser.get_doctest(
            self.snippet.body, self.namespace, self.name, self.snippet.path, self.snippet.line
        )
        runner = doctest.DocTestRunner(optionflags=_FLAGS)
        out: List[str] = []
        runner.run(test, out=out.append, clear_globs=False)
        if runner.failures:
            raise SnippetFailure("".join(out))

    def run_console(self) -> None:
        env = dict(os.environ)
        env["PATH"] = os.pathsep.join([os.path.dirname(sys.executable), env.get("PATH", "")])
        env.pop("PYTHONPATH", None)
        for command, expected in snippets.console_commands(self.snippet.body):
            # `python` is this interpreter, whatever the shell would find first.
            if command.startswith("python "):
                command = f'"{sys.executable}" {command[len("python ") :]}'
            result = subprocess.run(
                command,
                shell=True,
                cwd=str(ROOT),
                env=env,
                stdout=subprocess.PIPE,
                stderr=subprocess.STDOUT,
                text=True,
                timeout=50,
            )
            if result.returncode != 0:
                status = f"exit status {result.returncode}"
                raise SnippetFailure(f"$ {command}\n{status}\n{result.stdout}")
            if expected and not _matches(expected, result.stdout):
                raise SnippetFailure(f"$ {command}\n" + self._diff(expected, result.stdout))

    def run_example(self) -> None:
        script = Path(self.snippet.path).parent / self.snippet.argument
        script = script.resolve()
        test_file = ROOT / "tests" / "test_examples.py"
        expected_all = examples_output.read_expected(test_file.read_text(encoding="utf-8"))
        if script.name not in expected_all:
            raise SnippetFailure(f"{script.name}: no expected output in {test_file}")
        expected = examples_output.expected_here(expected_all[script.name])
        env = dict(os.environ)
        outputs = []
        for _ in range(EXAMPLE_ATTEMPTS):
            result = subprocess.run(
                [sys.executable, "-W", "error", str(script)],
                cwd=str(ROOT),
                env=env,
                capture_output=True,
                text=True,
                timeout=50,
            )
            if result.returncode or result.stderr:
                raise SnippetFailure(f"{script.name}: exit {result.returncode}\n{result.stderr}")
            outputs.append(result.stdout)
            if result.stdout == expected:
                return
        raise SnippetFailure(self._diff(expected, outputs[-1]))

    @staticmethod
    def _diff(expected: str, actual: str) -> str:
        return (
            "expected:\n"
            + textwrap.indent(expected.rstrip("\n"), "    ")
            + "\ngot:\n"
            + textwrap.indent(actual.rstrip("\n"), "    ")
        )

    def repr_failure(self, excinfo: pytest.ExceptionInfo[BaseException], style: Any = None) -> str:
        if isinstance(excinfo.value, SnippetFailure):
            return f"{self.snippet.where}: {excinfo.value}"
        return super().repr_failure(excinfo)  # type: ignore[no-any-return]

    def reportinfo(self) -> Any:
        return self.snippet.path, self.snippet.line - 1, f"snippet {self.snippet.where}"
