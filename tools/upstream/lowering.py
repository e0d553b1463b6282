"""Make newer test source parseable by an older interpreter, at the text level.

Python < 3.11 cannot parse ``except*`` (PEP 654), so ``ast`` cannot help there: the
``try`` statements that use it are rewritten with ``tokenize`` (which reads ``except*`` as
two ordinary tokens) into plain ``except BaseException`` code driven by
``compat.ExceptStar``::

    try:                                  _upstream_star_1 = _upstream_ExceptStar()
        BODY                              try:
    except* T1 as e:                          BODY
        H1                                except BaseException as _upstream_exc_1:
    except* T2:                               _upstream_star_1.caught(_upstream_exc_1)
        H2                       ==>          if _upstream_star_1.match(T1):
    else:                                         e = _upstream_star_1.group
        E                                         H1
    finally:                                  if _upstream_star_1.match(T2):
        F                                         H2
                                          else:
                                              E
                                          finally:
                                              F
                                          _upstream_star_1.reraise()

``match()`` splits what is left of the group (a naked exception is wrapped in a group, as
``except*`` does), ``reraise()`` raises the unmatched rest after the statement; the ``as``
name is unbound at the end of its handler. Differences from the real thing, none of which
the upstream tests depend on: an exception raised by a handler skips the later handlers
(and the ``as`` name's unbinding) instead of being grouped with the rest.

Every output line maps back to an original line, so tracebacks point into the original
file. What still cannot be parsed (3.12 f-strings, ``type X = ...``, ...) is cut out one
test function at a time by ``make_parseable()``: the function's body becomes a skip.
"""

from __future__ import annotations

import ast
import io
import re
import token
import tokenize
from collections import defaultdict
from typing import Dict, List, NamedTuple, Optional, Set, Tuple

STAR_CLASS = "_upstream_ExceptStar"
SKIP_FUNC = "_upstream_syntax_skip"


class LoweringError(Exception):
    def __init__(self, msg: str, row: int) -> None:
        super().__init__(f"line {row}: {msg}")
        self.row = row


class _Line(NamedTuple):
    """A logical line: its significant tokens, first and last physical rows, indentation."""

    toks: List[tokenize.TokenInfo]
    start: int
    end: int
    col: int

    @property
    def keyword(self) -> str:
        return self.toks[0].string

    @property
    def is_except_star(self) -> bool:
        return len(self.toks) > 1 and self.keyword == "except" and self.toks[1].string == "*"


_SKIPPED_TOKENS = (tokenize.NL, tokenize.COMMENT, token.INDENT, token.DEDENT, token.ENDMARKER)


def _scan(source: str) -> Tuple[List[_Line], Set[int]]:
    """The logical lines of *source*, and the rows that start inside a string token."""
    lines: List[_Line] = []
    in_string: Set[int] = set()
    current: List[tokenize.TokenInfo] = []
    string_types = {token.STRING}
    string_types.update(
        getattr(token, name)
        for name in ("FSTRING_MIDDLE", "TSTRING_MIDDLE")
        if hasattr(token, name)
    )
    for tok in tokenize.generate_tokens(io.StringIO(source).readline):
        if tok.type in string_types:
            in_string.update(range(tok.start[0] + 1, tok.end[0] + 1))
        if tok.type == token.NEWLINE:
            if current:
                lines.append(_Line(current, current[0].start[0], tok.start[0], current[0].start[1]))
                current = []
        elif tok.type not in _SKIPPED_TOKENS:
            current.append(tok)
    if current:
        lines.append(_Line(current, current[0].start[0], current[-1].end[0], current[0].start[1]))
    return lines, in_string


def _header_colon(line: _Line) -> int:
    """Index in ``line.toks`` of the ``:`` that ends a clause header."""
    depth = 0
    for i, tok in enumerate(line.toks):
        if tok.type == token.OP:
            if tok.string in "([{":
                depth += 1
            elif tok.string in ")]}":
                depth -= 1
            elif tok.string == ":" and depth == 0:
                return i
    raise LoweringError("clause header without ':'", line.start)


class _Chain(NamedTuple):
    try_index: int
    clauses: List[int]  # indices of the except*/else/finally lines
    bodies: List[Tuple[int, int]]  # (first row, last row) of each clause's indented body
    end: int  # last row of the statement


def _chains(lines: List[_Line], nrows: int) -> List[_Chain]:
    def body_end(index: int) -> int:
        col = lines[index].col
        for later in lines[index + 1 :]:
            if later.col <= col:
                return later.start - 1
        return nrows

    tries: Set[int] = set()
    for i, line in enumerate(lines):
        if not line.is_except_star:
            continue
        j = i - 1
        while j >= 0 and lines[j].col > line.col:
            j -= 1
        while j >= 0 and lines[j].col == line.col and lines[j].keyword == "except":
            j = _previous_at(lines, j)
        if j < 0 or lines[j].col != line.col or lines[j].keyword != "try":
            raise LoweringError("except* without its try", line.start)
        tries.add(j)
    chains = []
    for t in sorted(tries):
        clauses: List[int] = []
        k = _next_at(lines, t)
        while k is not None and lines[k].keyword in ("except", "else", "finally"):
            clauses.append(k)
            k = _next_at(lines, k)
        bodies = [(lines[c].end + 1, body_end(c)) for c in clauses]
        end = max(bodies[-1][1], lines[clauses[-1]].end)
        chains.append(_Chain(t, clauses, bodies, end))
    return chains


def _next_at(lines: List[_Line], index: int) -> Optional[int]:
    """The next logical line at the same indentation, if no shallower line comes first."""
    col = lines[index].col
    for k in range(index + 1, len(lines)):
        if lines[k].col < col:
            return None
        if lines[k].col == col:
            return k
    return None


def _previous_at(lines: List[_Line], index: int) -> int:
    col = lines[index].col
    for k in range(index - 1, -1, -1):
        if lines[k].col <= col:
            return k
    return -1


def lower_except_star(source: str) -> Tuple[str, List[int]]:
    """Rewrite every ``try`` with ``except*`` clauses (see the module docstring).

    Returns the new source and, for each of its lines, the original line number
    (``line_map[new_lineno - 1] == old_lineno``).
    """
    rows = source.split("\n")
    nrows = len(rows)
    lines, in_string = _scan(source)
    chains = _chains(lines, nrows)

    extra = [0] * (nrows + 2)  # indentation added to each row
    replace: Dict[int, Tuple[int, List[str]]] = {}  # header row -> (its last row, new lines)
    before: Dict[int, List[Tuple[str, int]]] = defaultdict(list)  # row -> (text, indent row)
    after: Dict[int, List[Tuple[str, int]]] = defaultdict(list)

    # innermost first, so that the reraise() of an inner statement comes before the outer's
    for n, chain in reversed(list(enumerate(chains, 1))):
        star, exc = f"_upstream_star_{n}", f"_upstream_exc_{n}"
        try_line = lines[chain.try_index]
        ind = rows[try_line.start - 1][: try_line.col]
        before[try_line.start].append((f"{ind}{star} = {STAR_CLASS}()", try_line.start))
        first = True
        for clause_index, (body_first, body_last) in zip(chain.clauses, chain.bodies):
            clause = lines[clause_index]
            if clause.keyword != "except":
                continue
            if not clause.is_except_star:
                raise LoweringError("except and except* in one try", clause.start)
            colon = _header_colon(clause)
            spec = clause.toks[2:colon]
            name = None
            if len(spec) >= 2 and spec[-2].string == "as" and spec[-1].type == token.NAME:
                name, spec = spec[-1].string, spec[:-2]
            if not spec:
                raise LoweringError("except* without a type", clause.start)
            types = " ".join(tok.string for tok in spec)
            new: List[str] = []
            if first:
                new.append(f"{ind}except BaseException as {exc}:")
                new.append(f"{ind}    {star}.caught({exc})")
                first = False
            test = f"{ind}    if {star}.match(({types})):"
            if colon + 1 < len(clause.toks):  # the handler's body is on the header line
                colon_tok = clause.toks[colon]
                if clause.end != colon_tok.end[0]:
                    raise LoweringError("multi-line inline except* body", clause.start)
                inline = rows[colon_tok.end[0] - 1][colon_tok.end[1] :].strip()
                if name:
                    inline = f"{name} = {star}.group; {inline}"
                new.append(f"{test} {inline}")
            else:
                new.append(test)
                if name:
                    body_ind = " " * (lines[clause_index + 1].col + 4)
                    new.append(f"{body_ind}{name} = {star}.group")
                    # as except* does, unbind the name at the end of the handler
                    after[body_last].append((f"{body_ind}{name} = None; del {name}", clause.start))
                for row in range(body_first, body_last + 1):
                    if row not in in_string:
                        extra[row] += 4
            replace[clause.start] = (clause.end, new)
        after[chain.end].append((f"{ind}{star}.reraise()", try_line.start))

    out: List[str] = []
    line_map: List[int] = []

    def emit(text: str, indent_row: int, orig_row: int) -> None:
        out.append(" " * extra[indent_row] + text if text else text)
        line_map.append(orig_row)

    row = 1
    while row <= nrows:
        for text, indent_row in before.get(row, ()):
            emit(text, indent_row, row)
        if row in replace:
            last, new = replace[row]
            for text in new:
                emit(text, row, row)
        else:
            last = row
            emit(rows[row - 1], row, row)
        for r in range(row, last + 1):
            for text, indent_row in after.get(r, ()):
                emit(text, indent_row, r)
        row = last + 1
    return "\n".join(out), line_map


_DEF = re.compile(r"^(\s*)(?:async\s+)?def\s+(\w+)\s*\(")


def stub_function(source: str, row: int, reason: str) -> Tuple[str, str]:
    """Replace the body of the test function around *row* by a call that skips the test.

    Line numbers are kept (the body's other lines become empty). Works on the plain text
    (the source may not even tokenize). Returns the new source and the function's name.
    """
    rows = source.split("\n")
    for d in range(min(row, len(rows)) - 1, -1, -1):
        m = _DEF.match(rows[d])
        if not m or not m.group(2).startswith("test"):
            continue
        def_ind = len(m.group(1))
        # the header may span lines: its body starts after the line that ends with ':'
        h = d
        while h < len(rows) and not rows[h].split("#")[0].rstrip().endswith(":"):
            h += 1
        end = h + 1
        while end < len(rows):
            text = rows[end]
            if text.strip() and len(text) - len(text.lstrip()) <= def_ind:
                break
            end += 1
        if not d <= row - 1 < end:
            continue
        body_ind = " " * (def_ind + 4)
        rows[h + 1 : end] = [f"{body_ind}{SKIP_FUNC}({reason!r})"] + [""] * (end - h - 2)
        return "\n".join(rows), m.group(2)
    raise LoweringError(f"cannot parse outside of a test function: {reason}", row)


def make_parseable(source: str, filename: str, lower: bool) -> Tuple[ast.Module, Dict[str, str]]:
    """Parse *source*, lowering ``except*`` if *lower*, and stubbing out each test function
    that this interpreter still cannot parse. Returns the tree (with the original line
    numbers) and ``{function name: reason}`` of the stubbed functions."""
    stubbed: Dict[str, str] = {}
    for _ in range(1000):
        line_map: Optional[List[int]] = None
        try:
            if lower:
                text, line_map = lower_except_star(source)
            else:
                text = source
            tree = ast.parse(text, filename)
        except (SyntaxError, LoweringError, tokenize.TokenError) as err:
            if isinstance(err, LoweringError):
                row, what = err.row, f"except* form not handled: {err}"
            elif isinstance(err, SyntaxError):
                lineno = err.lineno or 1
                row = line_map[lineno - 1] if line_map and lineno <= len(line_map) else lineno
                what = f"syntax this interpreter cannot parse ({err.msg}, line {row})"
            else:
                row, what = err.args[1][0], f"source this interpreter cannot tokenize ({err})"
            source, name = stub_function(source, row, what)
            if name in stubbed:
                raise LoweringError(
                    f"still cannot parse after stubbing {name}: {what}", row
                ) from err
            stubbed[name] = what
            continue
        if line_map is not None:
            for node in ast.walk(tree):
                if hasattr(node, "lineno"):
                    node.lineno = line_map[node.lineno - 1]
                    end = getattr(node, "end_lineno", None)
                    if end is not None:
                        node.end_lineno = max(line_map[end - 1], node.lineno)
        return tree, stubbed
    raise LoweringError("too many unparseable functions", 1)
