"""`segdsl fmt`: one canonical layout for segment files.

`format_source(text)` returns the canonical text, or None and the diagnostics when the
text does not parse. The layout is a function of the syntax tree plus the comments, so
formatting is a property (ENGINEERING.md, practice 7): the result parses to a tree equal
to the input's, and formatting it again changes nothing. `format_source` checks both
before it returns and reports `F001` instead of returning text that would fail them.

The layout
----------
* Keywords in lower case. Names as written, in backticks only when the name is a
  keyword (`` `first` ``). One space around binary operators, after commas and between
  words; none inside parentheses and brackets.
* `segment NAME "description":` on its own line, the condition on the next line,
  indented 4 spaces. `trait NAME "description" = VALUE` on one line when it fits in 88
  columns, otherwise the value moves to the next line, indented 4 spaces.
* A condition longer than the line breaks at its loosest operator first: an `or` chain
  puts one operand per line, each continuation line led by `or` at the operand's
  indentation; an `and` chain inside a broken `or` chain indents its own continuation
  lines by 4 more. A parenthesised group that does not fit opens with `(` at the end of
  the line, puts its contents on the following lines indented by 4, and closes with `)`
  on a line of its own, aligned with the line that opened it. Event filters (`[...]`)
  and lists break the same way (lists one item per line). An arithmetic chain that is a
  whole trait value (or a whole parenthesised group) breaks before `+`/`-` (or `*`/`/`)
  the same way; comparisons, calls and other predicates never break inside.
* Parentheses: only those precedence needs (`or` < `and` < `not` < predicates <
  `+ -` < `* /` < unary minus), with one exception for the reader: after `not`, a
  predicate written with an operator keeps its parentheses, `not (age >= 30)` (as in
  LANGUAGE.md), while `not did x`, `not in segment s`, `not top 10% by v` and
  `not flag` need none. Two trees that differ only in grouping stay different:
  `a or (b or c)` keeps its parentheses, because the parser nests it as a separate node;
  `a - (b + c)` too. Redundant parentheses are dropped.
* Literals: strings with `"` and `\\` escaped; numbers as written (`12.50` stays
  `12.50`; leading zeros go); dates and timestamps in ISO form with seconds
  (`2024-03-01T12:30:00`); percentages `10%`; durations `1 day`, `2 days`; ranges
  `30..50`, `-100..0`, `18..`, `..65`.
* Comments (not in the tree; taken from the lexer):
  - full-line comments between definitions stay above the definition they preceded; a
    blank line between two comments, or between the last comment and its definition,
    is kept (runs of blank lines become one);
  - full-line comments indented under a definition's last line, with no blank line
    before them, stay under it (indented 4);
  - a trailing comment stays at the end of the line holding the token it followed; it
    makes the enclosing chains break there, so the lines around it keep their shape;
    several trailing comments that end up on one line are joined with a space. Written
    after an operator that starts the next line in this layout (`a and  # c`), it stays
    with the operand before the operator (`a  # c` / `and b`); written after a `(` or
    `[` that opens a group, it stays after it and the group breaks; after the `(` of a
    call (`count(  # c`) it goes to the end of the line holding the call;
  - a full-line comment inside a condition goes on its own line before the next line
    break after the token it followed (where the next `and`/`or`, list item or closing
    bracket starts), at that line's indentation. One inside brackets with no later line
    break becomes a trailing comment of the bracket's line.
  - none of this moves a comment into or out of a definition (its keyword to the end of
    its last line): `segdsl check` reads `# segdsl: disable` comments per definition, so
    formatting does not change what they turn off.
* Exactly one blank line between definitions, none at the start, one newline at the
  end; definitions stay in their order. Whitespace-only text formats to "".
"""

from __future__ import annotations

import re
from decimal import Decimal

from . import ast
from .diagnostics import Collector, Diagnostic, Span
from .parse import comments, keywords, parse_source

WIDTH = 88
INDENT = 4

__all__ = ["format_source", "WIDTH"]


def format_source(text: str, file: str = "<string>") -> tuple[str | None, list[Diagnostic]]:
    """The canonical form of one file's text, or None plus the diagnostics when it does
    not parse (or, which would be a bug, when the result would not mean the same)."""
    diags = Collector()
    definitions = parse_source(text, file, diags)
    if diags.has_errors:
        return None, diags.diagnostics
    out = _format(text, definitions)
    # The formatter checks its own work, as black does: same tree, and a fixed point.
    again_diags = Collector()
    again = parse_source(out, file, again_diags)
    problem = None
    if again_diags.has_errors:
        problem = "the formatted text does not parse"
    elif again != definitions:
        problem = "the formatted text would not mean the same"
    elif _format(out, again) != out:
        problem = "formatting the result again would change it"
    if problem:
        return None, diags.diagnostics + [Diagnostic(
            "F001",
            f"internal error in segdsl fmt: {problem}; the file was left as it is",
            Span(file, 1, 1, 1, 1),
            ("please report this with the file's text",),
        )]
    return out, diags.diagnostics


# --- comments ---------------------------------------------------------------------------


class _Comment:
    __slots__ = ("line", "col", "text", "own_line", "after_open")

    def __init__(self, line: int, col: int, text: str, before: str):
        self.line, self.col, self.text = line, col, text
        self.own_line = not before.strip()  # nothing but blanks before it on its line
        self.after_open = before.rstrip()[-1:] in ("(", "[")

    @property
    def pos(self) -> tuple[int, int]:
        return (self.line, self.col)


_SKIP = re.compile(r"(?:\s|#[^\n]*)*")


def _comments(text: str) -> list[_Comment]:
    """Every comment in `text`, in order, with what stands before it on its line."""
    lines = text.split("\n")
    return [_Comment(*c, lines[c.line - 1][:c.col - 1]) for c in comments(text)]


# --- documents: a small Wadler/prettier-style pretty printer ------------------------------


class _Group:
    """Printed flat when it fits on the rest of the line, else with its lines broken."""

    __slots__ = ("doc", "broken")

    def __init__(self, doc):
        self.doc, self.broken = doc, False


class _Indent:
    __slots__ = ("doc",)

    def __init__(self, doc):
        self.doc = doc


class _Line:
    """A space (or nothing, when soft) when flat; a newline at the indentation when broken.
    `comments`: full-line comments printed on their own lines at this break."""

    __slots__ = ("soft", "hard", "comments")

    def __init__(self, soft: bool = False, hard: bool = False):
        self.soft, self.hard, self.comments = soft, hard, []


class _Anchor:
    """Where a syntax node ends: (line, column) in the source. Trailing comments hang here.
    An `opener` follows an opening bracket; its position is where the bracket's contents
    start, and only a comment written right after the bracket hangs on it."""

    __slots__ = ("pos", "suffix", "opener")

    def __init__(self, pos, opener: bool = False):
        self.pos, self.suffix, self.opener = pos, [], opener


_FLAT, _BREAK = 0, 1


def _softline():
    return _Line(soft=True)


def _fits(cmd, rest, width: int) -> bool:
    """Prettier's test: does `cmd`, flat, plus what follows up to the next line break fit?"""
    cmds = [cmd]
    rest_i = len(rest)
    while width >= 0:
        if not cmds:
            if rest_i == 0:
                return True
            rest_i -= 1
            cmds.append(rest[rest_i])
            continue
        ind, mode, d = cmds.pop()
        if isinstance(d, str):
            width -= len(d)
        elif isinstance(d, list):
            cmds.extend((ind, mode, x) for x in reversed(d))
        elif isinstance(d, _Indent):
            cmds.append((ind + INDENT, mode, d.doc))
        elif isinstance(d, _Group):
            cmds.append((ind, _BREAK if d.broken else mode, d.doc))
        elif isinstance(d, _Line):
            if mode == _BREAK or d.hard:
                return True
            width -= 0 if d.soft else 1
    return False


def _print(doc, indent: int = 0) -> str:
    out: list[str] = []
    col = indent
    suffix: list[str] = []
    cmds = [(indent, _BREAK, doc)]
    while cmds:
        ind, mode, d = cmds.pop()
        if isinstance(d, str):
            out.append(d)
            col += len(d)
        elif isinstance(d, list):
            cmds.extend((ind, mode, x) for x in reversed(d))
        elif isinstance(d, _Indent):
            cmds.append((ind + INDENT, mode, d.doc))
        elif isinstance(d, _Group):
            if d.broken:
                m = _BREAK
            elif mode == _FLAT:
                m = _FLAT
            else:
                m = _FLAT if _fits((ind, _FLAT, d.doc), cmds, WIDTH - col) else _BREAK
            cmds.append((ind, m, d.doc))
        elif isinstance(d, _Line):
            if mode == _FLAT and not d.hard:
                if not d.soft:
                    out.append(" ")
                    col += 1
                continue
            if suffix:
                out.append("  " + " ".join(suffix))
                suffix = []
            for c in d.comments:
                out.append("\n" + " " * ind + c)
            out.append("\n" + " " * ind)
            col = ind
        elif isinstance(d, _Anchor):
            suffix.extend(d.suffix)
    if suffix:
        out.append("  " + " ".join(suffix))
    return "".join(out)


def _events(doc):
    """Anchors and line breaks in document order, each with the groups around it."""
    events = []
    stack = [(doc, ())]
    while stack:
        d, groups = stack.pop()
        if isinstance(d, list):
            stack.extend((x, groups) for x in reversed(d))
        elif isinstance(d, _Group):
            stack.append((d.doc, groups + (d,)))
        elif isinstance(d, _Indent):
            stack.append((d.doc, groups))
        elif isinstance(d, (_Line, _Anchor)):
            events.append((d, groups))
    return events


def _attach(doc, comments: list[_Comment]) -> None:
    """Hang each comment on the document (see the module docstring for the rules).

    A comment belongs after the last node that ends before it, and comes out at the
    first line break after that node; that break is forced, so that in the output the
    comment again follows the last node before that break: formatting twice is stable.
    """
    events = _events(doc)
    for c in comments:
        last = 0  # the keyword's anchor opens every definition
        for i, (d, _) in enumerate(events):
            if isinstance(d, _Anchor) and not d.opener:
                if d.pos > c.pos:
                    break
                last = i
        if c.after_open and not c.own_line:
            # right after `(` or `[`: hang it on what follows the bracket (the group's
            # opener, or the first node inside), so it stays on the bracket's line
            nxt = next((i for i in range(last + 1, len(events))
                        if isinstance(events[i][0], _Anchor)), None)
            if nxt is not None and events[nxt][0].pos > c.pos:
                last = nxt
        line = next(((d, g) for d, g in events[last + 1:] if isinstance(d, _Line)), None)
        anchor = events[last][0]
        if c.own_line and line is not None:
            line[0].comments.append(c.text)
        else:
            anchor.suffix.append(c.text)
        if line is not None:
            for g in line[1]:
                g.broken = True


# --- syntax tree -> document --------------------------------------------------------------

# binding strength, loosest first; an operand weaker than its slot needs parentheses
_OR, _AND, _NOT, _PRED, _ADD, _MUL, _UNARY, _ATOM = range(1, 9)

_PREDICATES = (ast.Compare, ast.InRange, ast.InList, ast.TextMatch, ast.IsNull, ast.InWindow,
               ast.Did, ast.InSegment, ast.Percentile)
# after `not`, these keep parentheses although precedence does not need them: the reader
# should not have to know that `not a = b` means `not (a = b)`
_INFIX_PREDICATES = (ast.Compare, ast.InRange, ast.InList, ast.TextMatch, ast.IsNull,
                     ast.InWindow)
_TEXT_WORDS = {"contains": "contains", "starts_with": "starts with", "ends_with": "ends with",
               "matches": "matches"}


def _level(node) -> int:
    if isinstance(node, ast.BoolOp):
        return _OR if node.op == "or" else _AND
    if isinstance(node, ast.Not):
        return _NOT
    if isinstance(node, _PREDICATES):
        return _PRED
    if isinstance(node, ast.Arith):
        return _ADD if node.op in "+-" else _MUL
    if isinstance(node, ast.Neg):
        return _UNARY
    if isinstance(node, ast.Literal) and node.kind in ("int", "float") and node.value < 0:
        return _UNARY
    return _ATOM


def _name(name: str) -> str:
    return f"`{name}`" if name in keywords() else name


def _string(value: str) -> str:
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _literal(lit: ast.Literal) -> str:
    kind, value = lit.kind, lit.value
    if kind == "int":
        return str(value)
    if kind == "float":
        return format(Decimal(value), "f")
    if kind == "string":
        return _string(value)
    if kind == "bool":
        return "true" if value else "false"
    if kind == "timestamp":
        return value.isoformat(timespec="seconds")
    if kind == "date":
        return value.isoformat()
    raise TypeError(f"unknown literal kind {kind!r}")


def _duration(d: ast.Duration) -> str:
    return f"{d.amount} {d.unit}{'' if d.amount == 1 else 's'}"


def _bounds(low, high) -> str:
    def side(lit):
        return _literal(lit) if lit is not None else ""
    return f"{side(low)}..{side(high)}"


def _window(w: ast.Window) -> str:
    if w.duration is not None:
        return f"last {_duration(w.duration)}"
    return _bounds(w.start, w.end)


def _anchor(node):
    s = getattr(node, "span", None)
    return [_Anchor((s.end_line, s.end_col))] if s is not None else []


class _Builder:
    """Syntax tree -> document, for one file's text (positions of `)` come from it)."""

    def __init__(self, text: str):
        self.text = text
        self.line_starts = [0] + [m.end() for m in re.finditer("\n", text)]

    def _close_paren(self, node):
        """Where the `)` after a parenthesised node ends in the source (the node's own end
        when no `)` follows it there)."""
        s = node.span
        if s is None:
            return None
        i = self.line_starts[s.end_line - 1] + s.end_col - 1
        m = _SKIP.match(self.text, i)
        if m.end() < len(self.text) and self.text[m.end()] == ")":
            j = m.end() + 1
            line = self.text.count("\n", 0, j) + 1
            return (line, j - self.line_starts[line - 1] + 1)
        return (s.end_line, s.end_col)

    def _bracketed(self, open_: str, inner, close: str, first=None) -> _Group:
        """`open_` inner `close`; broken, the inner part on its own lines, indented.
        `first`: the node the inner part starts with (a trailing comment written right
        after `open_` stays there)."""
        s = getattr(first, "span", None)
        opener = [_Anchor((s.line, s.col), opener=True)] if s is not None else []
        return _Group([open_, *opener, _Indent([_softline(), inner]), _softline(), close])

    def _expr(self, node, min_level: int = 0, block: bool = False, nested: bool = False):
        """`node` in a slot that needs at least `min_level`. `block`: the node starts its own
        line (may break as a chain); `nested`: its chain's continuation lines indent by 4."""
        if _level(node) < min_level:
            return self._parens(node)
        return [self._bare(node, block, nested), *_anchor(node)]

    def _parens(self, node):
        # the node's anchor goes after `)`, at the `)`: a comment after it stays after it
        pos = self._close_paren(node)
        group = self._bracketed("(", self._bare(node, block=True), ")", first=node)
        return [group, _Anchor(pos)] if pos is not None else [group]

    def _chain(self, first, rest, block: bool, nested: bool):
        """`first op x op y ...`: broken one operand a line, the operator leading, when `block`."""
        if not block:
            return [first, *[[f" {op} ", item] for op, item in rest]]
        tail = [[_Line(), f"{op} ", item] for op, item in rest]
        return _Group([first, _Indent(tail)] if nested else [first, *tail])

    def _bare(self, node, block: bool = False, nested: bool = False):
        if isinstance(node, ast.BoolOp):
            if node.op == "or":
                items = [self._expr(i, _AND, block=True, nested=True) for i in node.items]
            else:
                items = [self._expr(i, _NOT, block=True) for i in node.items]
            return self._chain(items[0], [(node.op, i) for i in items[1:]], True, nested)
        if isinstance(node, ast.Not):
            if isinstance(node.item, _INFIX_PREDICATES):  # `not (age >= 30)`, as LANGUAGE.md
                return ["not ", self._parens(node.item)]
            return ["not ", self._expr(node.item, _NOT)]
        if isinstance(node, ast.Arith):
            level = _level(node)
            spine = []  # a left-folded chain of one strength, flattened (no deep recursion)
            while isinstance(node, ast.Arith) and _level(node) == level:
                spine.append(node)
                node = node.left
            first = self._expr(node, level)
            # each inner node of the chain ends after its right operand; _expr adds the
            # outermost node's anchor
            rest = [(n.op, [self._expr(n.right, level + 1), *([] if n is spine[0] else _anchor(n))])
                    for n in reversed(spine)]
            return self._chain(first, rest, block, nested)
        if isinstance(node, ast.Neg):
            if _level(node.value) <= _UNARY:  # `-(-x)`, not `--x`
                return ["-", self._parens(node.value)]
            return ["-", self._expr(node.value, _UNARY)]
        if isinstance(node, ast.Literal):
            return _literal(node)
        if isinstance(node, ast.Ref):
            return _name(node.name)
        if isinstance(node, ast.Ago):
            return f"{_duration(node.duration)} ago"
        if isinstance(node, ast.Duration):
            return _duration(node)
        if isinstance(node, ast.Window):
            return _window(node)
        if isinstance(node, ast.Call):
            return [f"{node.func}(", self._expr(node.arg, 0), ")"]
        if isinstance(node, ast.Aggregate):
            parts = [f"{node.func}(", self._event(node.event)]
            if node.column is not None:
                parts += [".", self._expr(node.column)]
            if node.window is not None:
                parts += [", ", self._expr(node.window)]
            return parts + [")"]
        if isinstance(node, ast.Compare):
            return [self._expr(node.left, _ADD), f" {node.op} ", self._expr(node.right, _ADD)]
        if isinstance(node, ast.InRange):
            return [self._expr(node.value, _ADD), " " + _bounds(node.low, node.high)]
        if isinstance(node, ast.InList):
            word = " not in " if node.negated else " in "
            return [self._expr(node.value, _ADD), word, self._list(node.items)]
        if isinstance(node, ast.TextMatch):
            word = f" {_TEXT_WORDS[node.kind]} "
            return [self._expr(node.value, _ADD), word, self._expr(node.pattern)]
        if isinstance(node, ast.IsNull):
            return [self._expr(node.value, _ADD), " is not null" if node.negated else " is null"]
        if isinstance(node, ast.InWindow):
            return [self._expr(node.value, _ADD), " in ", self._expr(node.window)]
        if isinstance(node, ast.Did):
            parts = ["did not " if node.negated else "did ", self._event(node.event)]
            if node.window is not None:
                parts += [" in ", self._expr(node.window)]
            return parts
        if isinstance(node, ast.InSegment):
            return f"in segment {_name(node.name)}"
        if isinstance(node, ast.Percentile):
            head = f"{node.direction} {format(node.percent, 'f')}% by "
            return [head, self._expr(node.value, _ADD)]
        raise TypeError(f"segdsl fmt: unknown syntax node {type(node).__name__}")

    def _event(self, ev: ast.EventRef):
        parts = [_name(ev.name)]
        if ev.span is not None:  # where the name starts: a comment after it goes after it
            parts.append(_Anchor((ev.span.line, ev.span.col)))
        if ev.filter is not None:
            inner = self._expr(ev.filter, 0, block=True)
            parts.append(self._bracketed("[", inner, "]", first=ev.filter))
        return parts + _anchor(ev)

    def _list(self, items):
        if not items:
            return "[]"
        inner = [self._expr(items[0], _ADD)]
        for item in items[1:]:
            inner += [",", _Line(), self._expr(item, _ADD)]
        return self._bracketed("[", inner, "]", first=items[0])

    def _definition_doc(self, d: ast.Definition):
        head = [d.kind]
        if d.span is not None:
            head.append(_Anchor((d.span.line, d.span.col + len(d.kind))))
        head += [" ", _name(d.name)]
        if d.name_span is not None:
            head.append(_Anchor((d.name_span.end_line, d.name_span.end_col)))
        if d.description is not None:
            head.append(" " + _string(d.description))
        body = self._expr(d.body, 0, block=True)
        if d.kind == "segment":
            return head + [":", _Indent([_Line(hard=True), body])]
        return _Group(head + [" =", _Indent([_Line(), body])])


# --- the file ---------------------------------------------------------------------------


def _format(text: str, definitions: list[ast.Definition]) -> str:
    comments = _comments(text)
    n = len(definitions)
    inner: list[list[_Comment]] = [[] for _ in range(n)]
    tail: list[list[_Comment]] = [[] for _ in range(n)]
    leading: list[list[tuple[_Comment, bool]]] = [[] for _ in range(n + 1)]  # n: file end
    gap_after_leading = [False] * (n + 1)

    starts = [(d.span.line, d.span.col) for d in definitions]
    ends = [(d.span.end_line, d.span.end_col) for d in definitions]
    k = 0  # index of the first definition that starts after the current comment
    last_line = 0  # the last source line holding something already placed
    for c in comments:
        while k < n and starts[k] < c.pos:
            k += 1
            last_line = ends[k - 1][0]
        prev = k - 1
        if prev >= 0 and (c.pos < ends[prev] or not c.own_line):
            inner[prev].append(c)  # inside the definition, or trailing its last line
            continue
        if prev >= 0 and c.col > 1 and c.line == last_line + 1 and not leading[k]:
            tail[prev].append(c)  # indented right under the definition's last line
        else:
            leading[k].append((c, bool(leading[k]) and c.line > last_line + 1))
        last_line = c.line
    for i, d in enumerate(definitions):
        if leading[i]:
            gap_after_leading[i] = d.span.line > leading[i][-1][0].line + 1

    builder = _Builder(text)
    lines: list[str] = []

    def blank():
        if lines and lines[-1] != "":
            lines.append("")

    def put_leading(block):
        if block and lines:
            blank()
        for c, gap in block:
            if gap:
                blank()
            lines.append(c.text)

    for i, d in enumerate(definitions):
        put_leading(leading[i])
        if leading[i] and gap_after_leading[i]:
            blank()
        elif not leading[i] and lines:
            blank()
        doc = builder._definition_doc(d)
        _attach(doc, inner[i])
        lines.extend(_print(doc).split("\n"))
        lines.extend(" " * INDENT + c.text for c in tail[i])
    put_leading(leading[n])
    return "\n".join(lines) + "\n" if lines else ""
