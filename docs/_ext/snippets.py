"""Find the code snippets of the manual's Markdown pages, as a reader sees them.

Used by ``docs/conftest.py``, which runs them. A page's snippets are its fenced code
blocks, in order, and those of the files it pulls in with MyST's ``{include}`` (the
README's code runs as part of the page that shows it), honouring ``:start-line:``,
``:end-line:``, ``:start-after:`` and ``:end-before:``. ``{literalinclude}`` blocks are
reported too (the runner executes included example programs). The content of other
directives (``{note}``, ``{compat-api}``, ...) is searched for snippets as well.

MyST comment lines right above a fence (a marker may wrap over several) tell the runner
how to treat the snippet:

* ``% skip: REASON`` -- never run it; REASON is the skip message;
* ``% run-if: EXPRESSION -- REASON`` -- run it only where the Python EXPRESSION (with
  ``sys`` in scope) is true, else skip it with REASON.

Pure standard library and Python 3.8-compatible (it runs under the oldest interpreter).
"""

from __future__ import annotations

import os
import re
from typing import Dict, List, NamedTuple, Optional, Tuple

FENCE = re.compile(r"^(?P<indent> {0,3})(?P<fence>`{3,}|~{3,})\s*(?P<info>.*)$")
MARKER = re.compile(r"^%\s*(?P<kind>skip|run-if)\s*:\s*(?P<text>.*)$")
# Directives whose content is code or data, not Markdown to search for more snippets.
LITERAL_DIRECTIVES = frozenset(
    {"code-block", "code", "sourcecode", "literalinclude", "eval-rst", "example-output"}
)


class Snippet(NamedTuple):
    path: str  # the file the snippet is written in
    line: int  # 1-based line of its opening fence in that file
    lang: str  # "python", "console", "output", "{literalinclude}", ...
    argument: str  # the rest of the info string (a directive's argument)
    options: Dict[str, str]  # a directive's :key: value options
    body: str
    marker: Optional[Tuple[str, str]]  # ("skip", reason) or ("run-if", "expr -- reason")

    @property
    def where(self) -> str:
        return f"{os.path.basename(self.path)}:{self.line}"


class SnippetError(ValueError):
    pass


def _split_options(lines: List[str]) -> Tuple[Dict[str, str], List[str]]:
    options: Dict[str, str] = {}
    rest = list(lines)
    while rest and re.match(r"^:[\w-]+:", rest[0]):
        m = re.match(r"^:([\w-]+):\s*(.*)$", rest.pop(0))
        assert m
        options[m.group(1)] = m.group(2).strip()
    if rest and not rest[0].strip():
        rest.pop(0)
    return options, rest


def _select(text: str, options: Dict[str, str]) -> Tuple[str, int]:
    """The part of an included file that ``{include}``'s options select, and the number
    of lines skipped before it."""
    lines = text.splitlines(keepends=True)
    offset = 0
    if "start-line" in options or "end-line" in options:
        start = int(options.get("start-line", 0))
        end = int(options["end-line"]) if "end-line" in options else len(lines)
        lines = lines[start:end]
        offset = start
    text = "".join(lines)
    if "start-after" in options:
        marker = options["start-after"]
        index = text.find(marker)
        if index < 0:
            raise SnippetError(f"start-after text {marker!r} not found")
        offset += text[: index + len(marker)].count("\n")
        text = text[index + len(marker) :]
    if "end-before" in options:
        marker = options["end-before"]
        index = text.find(marker)
        if index < 0:
            raise SnippetError(f"end-before text {marker!r} not found")
        text = text[:index]
    return text, offset


def parse(text: str, path: str, first_line: int = 1, depth: int = 0) -> List[Snippet]:
    """The snippets of Markdown *text*, whose first line is line *first_line* of *path*."""
    if depth > 10:
        raise SnippetError(f"{path}: includes nest too deep")
    lines = text.splitlines()
    snippets: List[Snippet] = []
    i = 0
    while i < len(lines):
        m = FENCE.match(lines[i])
        if not m:
            i += 1
            continue
        fence, info = m.group("fence"), m.group("info").strip()
        start = i
        i += 1
        body: List[str] = []
        closer = re.compile(r"^ {0,3}" + re.escape(fence[0]) + "{" + str(len(fence)) + r",}\s*$")
        while i < len(lines) and not closer.match(lines[i]):
            body.append(lines[i])
            i += 1
        if i >= len(lines):
            raise SnippetError(f"{path}:{first_line + start}: unclosed code fence")
        i += 1  # the closing fence
        lang, _, argument = info.partition(" ")
        # The MyST comment lines right above the fence, joined: a marker may wrap.
        above = start
        while above > 0 and lines[above - 1].lstrip().startswith("%"):
            above -= 1
        comment = " ".join(lines[n].strip().lstrip("%").strip() for n in range(above, start))
        mm = MARKER.match("% " + comment) if comment else None
        marker = (mm.group("kind"), mm.group("text").strip()) if mm else None
        line = first_line + start
        if lang.startswith("{") and lang.endswith("}"):
            name = lang[1:-1]
            options, content = _split_options(body)
            content_line = line + 1 + (len(body) - len(content))
            if name == "include":
                target = os.path.normpath(os.path.join(os.path.dirname(path), argument.strip()))
                with open(target, encoding="utf-8") as f:
                    included, offset = _select(f.read(), options)
                snippets += parse(included, target, 1 + offset, depth + 1)
                continue
            snippets.append(
                Snippet(path, line, lang, argument.strip(), options, "\n".join(content), marker)
            )
            if name not in LITERAL_DIRECTIVES:
                snippets += parse("\n".join(content), path, content_line, depth + 1)
            continue
        snippets.append(Snippet(path, line, lang, argument.strip(), {}, "\n".join(body), marker))
    return snippets


def parse_file(path: str) -> List[Snippet]:
    with open(path, encoding="utf-8") as f:
        return parse(f.read(), path)


def console_commands(body: str) -> List[Tuple[str, str]]:
    """A ``console`` block's ``$ command`` lines, each with the output shown after it."""
    out: List[Tuple[str, List[str]]] = []
    for line in body.splitlines():
        if line.startswith("$ "):
            out.append((line[2:], []))
        elif out:
            out[-1][1].append(line)
        elif line.strip():
            raise SnippetError(f"console output before any command: {line!r}")
    return [(command, "\n".join(lines).strip("\n")) for command, lines in out]
