"""Stage 1: segment-file text -> syntax tree (`ast.Definition`s) plus diagnostics.

`parse_source` never raises on bad input: syntax errors, bad literals, reserved words
used as names, over-deep nesting and over-large files all become diagnostics, and a
file with several broken definitions reports each of them. The tree leaves comments out;
`comments(text)` finds them, for fmt to keep and lint to read `# segdsl: disable` from.
"""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal
from contextvars import ContextVar
from functools import lru_cache, partialmethod
from importlib import resources
from types import SimpleNamespace
from typing import NamedTuple

from lark import Lark, Token
from lark.exceptions import UnexpectedCharacters, UnexpectedEOF, UnexpectedInput, UnexpectedToken

from . import ast
from .diagnostics import Collector, Span

MAX_FILE_BYTES = 2_000_000
# Deeper expressions are rejected rather than risk Python's recursion limit in the
# later stages; no hand-written segment comes near it.
MAX_DEPTH = 100
# From any as-of in our era, 300 years back stays inside every engine's timestamp range
# (DataFusion's, in 64-bit nanoseconds, starts in 1677); beyond it a window fails only
# when it runs. Hours stop below a million (114 years): DataFusion counts an interval's
# hours in 64-bit nanoseconds too.
_LONGEST_DURATION = {"hour": 999_999, "day": 109_575, "week": 15_653, "month": 3600, "year": 300}

# Percentages compile to 64-bit integer arithmetic on ranks (rank * 10^(decimals + 2)):
# with at most 7 decimals it stays exact for 9 billion ranked rows. Past 64 bits, SQLite,
# ClickHouse and DataFusion turn to doubles and get ties at the edge wrong.
_PERCENT_DECIMALS = 7

_DEFINITION_START = re.compile(r"^[ \t]*(?:segment|trait)\b", re.IGNORECASE | re.MULTILINE)

_TERMINAL_NAMES = {
    "NAME": "a name",
    "QUOTED_NAME": "a name",
    "NUMBER": "a number",
    "STRING": 'a string ("...")',
    "DATE": "a date (2024-03-01)",
    "TIMESTAMP": "a timestamp (2024-03-01T12:30:00)",
    "NUM_RANGE": "a range (30..50)",
    "PERCENT": "a percentage (10%)",
    "$END": "the end of the file",
}


_KEYWORD_TERMINAL = re.compile(r"_[A-Z]+")
_EXPONENT = re.compile(r"[eE][+-]?\d+")
# Keywords nobody would name a column: no backtick hint for these.
_OPERATOR_WORDS = {"and", "or", "not", "in", "is", "null", "with", "by"}


def _grammar_text() -> str:
    return resources.files("segdsl.grammar").joinpath("segdsl.lark").read_text("utf-8")


@lru_cache(maxsize=1)
def keywords() -> frozenset[str]:
    """The grammar's keywords (its `_WORD` terminals); all are reserved as names."""
    return frozenset(w.lower() for w in re.findall(r"^_([A-Z]+)(?:\.\d+)?\s*:", _grammar_text(), re.MULTILINE))


class Comment(NamedTuple):
    line: int
    col: int
    text: str  # from '#' to the end of the line, without trailing blanks


# a string or a comment; the grammar's STRING and COMMENT terminals. Nothing else in the
# language holds '"' or '#', so scanning for these two finds every comment the lexer
# would, and at no cost of lexing the whole text again.
_STRING_OR_COMMENT = re.compile(r'"(?:[^"\\\n]|\\.)*"|#[^\n]*')


def comments(text: str) -> list[Comment]:
    """Every comment in `text`, in order. Not every '#' starts one: strings can hold '#'."""
    found = []
    line, counted = 1, 0  # lines counted up to `counted`
    for m in _STRING_OR_COMMENT.finditer(text):
        if m.group().startswith('"'):
            continue
        i = m.start()
        line += text.count("\n", counted, i)
        line_start, counted = text.rfind("\n", 0, i) + 1, i
        found.append(Comment(line, i - line_start + 1, m.group().rstrip()))
    return found


def _reserve_keywords(tok: Token) -> Token:
    # The contextual lexer offers NAME where a keyword cannot stand; a keyword there
    # is still the keyword, so the error lands on it rather than on the word after.
    if tok in keywords():
        tok.type = "_" + tok.upper()
    return tok


PARSER_OPTIONS = dict(parser="lalr", keep_all_tokens=True, maybe_placeholders=False)


@lru_cache(maxsize=1)
def parser() -> Lark:
    # cache=True keeps the analysed grammar in the temp folder (keyed by grammar, options
    # and Lark version): building it takes a quarter of a second.
    # _CALLBACKS build the syntax tree as the parser reduces each rule: no parse tree
    # (a tree with positions on every node cost more than half of parsing).
    # Not strict=True: its checks matter only when the grammar changes, and it makes
    # interegular a dependency; tests/test_parse.py builds the grammar strictly (no
    # conflicts, no colliding terminals). Its parse() works only inside parse_source, which
    # gives the callbacks their parse's state; lex() and terminals work anywhere.
    return Lark(_grammar_text(), **PARSER_OPTIONS, transformer=_CALLBACKS,
                lexer_callbacks={"NAME": _reserve_keywords}, cache=True)


@lru_cache(maxsize=1)
def _terminal_text() -> dict[str, str]:
    names = dict(_TERMINAL_NAMES)
    for t in parser().terminals:
        if _KEYWORD_TERMINAL.fullmatch(t.name):
            names.setdefault(t.name, f"'{t.name[1:].lower()}'")
        elif t.pattern.type == "str":
            names.setdefault(t.name, f"'{t.pattern.value}'")
    return names


def parse_source(text: str, file: str, diags: Collector) -> list[ast.Definition]:
    """Parse one file's text; problems go to `diags`, good definitions are returned."""
    if len(text.encode("utf-8", "surrogatepass")) > MAX_FILE_BYTES:
        diags.error(
            "E001",
            f"file is too large ({len(text) / 1e6:.1f} MB); segment files are limited to "
            f"{MAX_FILE_BYTES // 1_000_000} MB",
            Span(file, 1, 1, 1, 1),
            "split the definitions over several .seg files",
        )
        return []
    try:
        return _parse_chunk(text, file, diags)
    except UnexpectedInput as first:
        definitions: list[ast.Definition] = []
        before = len(diags.diagnostics)
        for chunk in _chunks(text):
            try:
                definitions.extend(_parse_chunk(chunk, file, diags))
            except UnexpectedInput as err:
                diags.diagnostics.append(_syntax_error(err, chunk, file))
        if len(diags.diagnostics) == before:  # the chunks hid the error: report it as found
            diags.diagnostics.append(_syntax_error(first, text, file))
        return definitions


def _chunks(text: str):
    """The text once per definition, everything else blanked so positions stay true."""
    starts = [m.start() for m in _DEFINITION_START.finditer(text)]
    if not starts or starts[0] != 0:
        starts.insert(0, 0)
    blank = re.compile(r"[^\n]")
    for i, start in enumerate(starts):
        end = starts[i + 1] if i + 1 < len(starts) else len(text)
        yield blank.sub(" ", text[:start]) + text[start:end]


def _parse_chunk(text: str, file: str, diags: Collector) -> list[ast.Definition]:
    convert = _Convert(file)
    token = _converting.set(convert)
    try:
        definitions = parser().parse(text)
    finally:
        _converting.reset(token)
    if convert.too_deep is not None:
        diags.error(
            "E003",
            f"expression too deep: more than {MAX_DEPTH} levels of nesting or chained operators",
            convert.too_deep,
            "name parts of it as traits or segments and refer to them",
        )
        return []
    convert.finish()
    diags.diagnostics.extend(convert.diags.diagnostics)
    return definitions


def _token_span(file: str, tok: Token) -> Span:
    return Span(file, tok.line, tok.column, tok.end_line or tok.line, tok.end_column or tok.column + 1)


def _syntax_error(err: UnexpectedInput, text: str, file: str):
    """Turn Lark's exception into a diagnostic that says what was expected, in words."""
    from .diagnostics import Diagnostic

    line, col = max(err.line, 1), max(err.column, 1)
    pos = err.pos_in_stream if isinstance(err, UnexpectedCharacters) else getattr(err.token, "start_pos", None)
    exponent = _EXPONENT.match(text, pos) if pos and text[pos - 1].isdigit() else None
    if exponent:  # `1e6` lexes as the number 1 and then a name or a stray character
        return Diagnostic(
            "E002", f"numbers have no exponent: '{exponent.group()}'",
            Span(file, line, col, line, col + len(exponent.group())),
            ("write the number out in full (1.5e3 is 1500)",),
        )
    if isinstance(err, UnexpectedCharacters):
        char = text[err.pos_in_stream] if err.pos_in_stream < len(text) else ""
        span = Span(file, line, col, line, col + 1)
        # the whole word: `country_Code` lexes as `country_` and fails at `C`
        start = err.pos_in_stream
        while start > 0 and (text[start - 1] == "_" or text[start - 1].isascii() and text[start - 1].isalnum()):
            start -= 1
        while start < err.pos_in_stream and text[start].isdigit():
            start += 1
        word = re.match(r"[A-Za-z_][A-Za-z0-9_]*", text[start:])
        if char == '"':
            return Diagnostic("E002", "unterminated string", span, ('close it with " on the same line',))
        if word and char.isalpha() and not word.group().islower():
            start = col - (err.pos_in_stream - start)
            return Diagnostic(
                "E002",
                f"names are lower case: '{word.group()}'",
                Span(file, line, start, line, start + len(word.group())),
                (f"write '{word.group().lower()}'",),
            )
        shown = repr(char) if char.isprintable() else f"U+{ord(char):04X}" if char else "end of file"
        return Diagnostic("E002", f"unexpected character {shown}", span, (_expected(err.allowed),))
    if isinstance(err, UnexpectedEOF) or err.token.type == "$END":
        # point just past the last thing written: that is where more was needed
        body = text.rstrip()
        last_line = body.count("\n") + 1
        col = len(body) - (body.rfind("\n") + 1) + 1
        span = Span(file, last_line, col, last_line, col + 1)
        return Diagnostic("E002", "incomplete definition", span, (_expected(err.expected),))
    tok = err.token
    span = _token_span(file, tok)
    expected = set(err.expected)
    if "UNIT" in expected and tok.type == "NAME":
        return Diagnostic(
            "E004",
            f"unknown time unit '{tok}'",
            span,
            ("use hour(s), day(s), week(s), month(s) or year(s)",),
        )
    if _KEYWORD_TERMINAL.fullmatch(tok.type) and "NAME" in expected:
        word = tok.lower()
        backticks = "" if word in _OPERATOR_WORDS else f"to use it as a name, write it in backticks: `{word}`"
        hints = tuple(h for h in (_expected(expected), backticks) if h)
        return Diagnostic("E002", f"'{tok}' is a keyword and cannot stand here", span, hints)
    if expected <= {"COLON", "EQUAL"}:
        return Diagnostic(
            "E002", f"expected ':' before {_describe(tok)}", span,
            ("write `segment NAME \"description\": condition` or `trait NAME = value`",),
        )
    if tok.type == "RPAR":
        definition = text[: tok.start_pos]
        starts = list(_DEFINITION_START.finditer(definition))
        code = _STRING_OR_COMMENT.sub("", definition[starts[-1].start() if starts else 0:])
        if code.count("(") <= code.count(")"):
            return Diagnostic("E002", "unmatched ')'", span, ("remove it, or add the '(' it closes",))
        # a ')' that closes something unfinished: `lower()`, `sum(purchase)`, `(age > )`
        column = ("sum, avg, min and max take an event's column: sum(purchase.amount)",) if "DOT" in expected else ()
        return Diagnostic("E002", "something is missing before ')'", span, (_expected(expected), *column))
    # the word just before the token, on its line: a word on an earlier line or in a
    # comment is not what the token follows
    before = re.search(r"([A-Za-z_]+)[ \t]*\Z", text[: tok.start_pos])
    if tok.type == "LPAR" and before and before.group(1) not in keywords():
        return Diagnostic(
            "E002",
            f"unknown function '{before.group(1)}'",
            Span(file, tok.line, tok.column - len(before.group(0)), tok.line, tok.column),
            ("the functions are lower, upper, count, sum, avg, min, max, first and last",),
        )
    if tok.type == "LSQB" and before and before.group(1) not in keywords():
        event = before.group(1)
        return Diagnostic(
            "E002",
            f"unexpected '[': '{event}' is not an event here",
            span,
            (f"an event filter belongs inside an aggregate or `did`: `count({event}[...])`, "
             f"`sum({event}[...].column)`, `did {event}[...]`",),
        )
    if before and before.group(1).lower() in keywords() and expected <= {"LPAR", "NUMBER"}:
        word = before.group(1)
        return Diagnostic(
            "E002",
            f"unexpected {_describe(tok)} after the keyword '{word}'",
            span,
            (_expected(expected), f"if '{word}' is a column, write it in backticks: `{word}`"),
        )
    if expected <= {"_SEGMENT", "_TRAIT", "$END"}:
        return Diagnostic(
            "E002",
            f"unexpected {_describe(tok)}",
            span,
            ("a definition starts with `segment NAME:` or `trait NAME =`",),
        )
    return Diagnostic("E002", f"unexpected {_describe(tok)}", span, (_expected(expected),))


def _describe(tok: Token) -> str:
    kind = _TERMINAL_NAMES.get(tok.type)
    if kind:
        return f"{kind.split(' (')[0].removeprefix('a ')} '{tok}'"
    return f"'{tok}'"


def _expected(terminals) -> str:
    if {"NAME", "NUMBER"} <= set(terminals):
        return "expected a condition or a value: a name, a number, a string, a date, (, not, did, …"
    names = _terminal_text()
    words = sorted({names.get(t, t.lower()) for t in terminals})
    if len(words) > 10:
        words = words[:10] + ["…"]
    return "expected " + ", ".join(words) if words else ""


class _Convert:
    """Rules -> ast nodes, while Lark parses. Literal values are checked here (dates,
    escapes, names); their diagnostics wait in `diags` until the whole text has parsed,
    since a text that fails to parse is parsed again in chunks.

    One per parse. Each public method converts one rule (or alias): it takes the rule's
    span and its children, already converted, without keyword and punctuation tokens.
    `_rule` turns each into the callback Lark calls."""

    def __init__(self, file: str):
        self.file = file
        self.diags = Collector()
        self.too_deep: Span | None = None  # the first sub-expression deeper than MAX_DEPTH
        # 9223372036854775808 literals, by id: too large unless a `-` before them makes them
        # the smallest int (Lark converts the number before the minus)
        self.unnegated: dict[int, ast.Literal] = {}

    def finish(self) -> None:
        for lit in self.unnegated.values():
            self._too_large(str(lit.value), lit.span)

    # definitions
    def _definition(self, kind, span, children):
        (name, name_span), *rest = children
        description = rest[0] if len(rest) == 2 else None
        return ast.Definition(kind, name, description, rest[-1], span=span, name_span=name_span)

    segment = partialmethod(_definition, "segment")
    trait = partialmethod(_definition, "trait")

    def description(self, span, children):
        return self._unescape(children[0])

    # names and literals
    def name(self, span, children):
        tok = children[0]
        span = _token_span(self.file, tok)
        if tok.type == "QUOTED_NAME":
            return tok[1:-1], span
        return str(tok), span

    def string(self, span, children):
        return ast.Literal(self._unescape(children[0]), "string", span=span)

    def _unescape(self, tok: Token) -> str:
        body = tok[1:-1]
        if "\\" not in body:  # most strings: nothing to check or unescape
            return body
        # escapes pair up left to right: in "back\\slash" the s follows an escaped backslash
        bad = next((m for m in re.finditer(r"\\.", body) if m.group()[1] not in '"\\'), None)
        if bad:
            col = tok.column + 1 + bad.start()
            self.diags.error(
                "E005",
                f"unknown escape '{bad.group()}' in a string",
                Span(self.file, tok.line, col, tok.line, col + 2),
                "strings know only \\\" and \\\\; write '\\\\' for a backslash "
                f"(e.g. \"\\{bad.group()}\")",
            )
        return re.sub(r"\\(.)", r"\1", body)

    def number(self, span, children):
        return self._number(str(children[0]), span)

    def _number(self, text: str, span: Span) -> ast.Literal:
        """An int (64-bit, as warehouses store them) or an exact decimal of up to 38 digits."""
        digits = len(text.lstrip("-").replace(".", ""))
        if "." in text and digits <= 38:
            return ast.Literal(Decimal(text), "float", span=span)
        if "." not in text and digits <= 19 and -(2**63) <= int(text) <= 2**63:
            return self._int(int(text), span)
        self._too_large(text, span)
        return ast.Literal(0, "int", span=span)

    def _int(self, value: int, span: Span) -> ast.Literal:
        lit = ast.Literal(value, "int", span=span)
        if value == 2**63:
            self.unnegated[id(lit)] = lit
        return lit

    def _too_large(self, text: str, span: Span) -> None:
        self.diags.error("E008", f"number too large: {text[:20]}…" if len(text) > 20 else f"number too large: {text}",
                         span, "numbers are 64-bit integers or decimals of up to 38 digits")

    def _time_literal(self, tok: Token) -> ast.Literal:
        span = _token_span(self.file, tok)
        try:
            if "T" in tok:
                value = dt.datetime.fromisoformat(str(tok))
                return ast.Literal(value, "timestamp", span=span)
            return ast.Literal(dt.date.fromisoformat(str(tok)), "date", span=span)
        except ValueError as err:
            self.diags.error("E006", f"'{tok}' is not a real {'timestamp' if 'T' in tok else 'date'}: {err}", span)
            return ast.Literal(dt.date(2000, 1, 1), "date", span=span)

    def date(self, span, children):
        return self._time_literal(children[0])

    timestamp = date

    time_point = date

    def true(self, span, children):
        return ast.Literal(True, "bool", span=span)

    def false(self, span, children):
        return ast.Literal(False, "bool", span=span)

    def unit(self, span, children):
        return str(children[0]).lower().removesuffix("s")

    def duration(self, span, children):
        amount, unit = children
        if "." in amount:
            self.diags.error(
                "E007", f"a duration needs a whole number, not {amount}", span,
                f"use a smaller unit instead of a fraction of a {unit}",
            )
            return ast.Duration(0, unit, span=span)
        longest, digits = _LONGEST_DURATION[unit], amount.lstrip("0")
        if len(digits) > 7 or int(digits or "0") > longest:
            self.diags.error(
                "E007", f"a duration is at most {longest} {unit}s, not {amount}", span,
                "for all time, drop the window; for an earlier cut-off, write a date such as 1900-01-01",
            )
            return ast.Duration(0, unit, span=span)
        return ast.Duration(int(digits or "0"), unit, span=span)

    def ago(self, span, children):
        return ast.Ago(children[0], span=span)

    # values
    def ref(self, span, children):
        name, span = children[0]
        return ast.Ref(name, span=span)

    def neg(self, span, children):
        value = children[0]
        if isinstance(value, ast.Literal) and value.kind == "int":
            self.unnegated.pop(id(value), None)
            return self._int(-value.value, span)
        if isinstance(value, ast.Literal) and value.kind == "float":
            return ast.Literal(-value.value, value.kind, span=span)
        return ast.Neg(value, span=span)

    def _chain(self, span, children):
        # `a - b + c` arrives flat, as _Built: fold it to the left. Each fold spans from the
        # chain's start to the end of its right operand, parentheses around either included,
        # so that `(a - b) * c` spans all of that, not `a - b) * c`.
        result = children[0].value
        for op, right in zip(children[1::2], children[2::2]):
            where = Span(self.file, span.line, span.col, right.end_line, right.end_column)
            result = ast.Arith(op.value, result, right.value, span=where)
        return result

    arith = _chain
    term = _chain

    def lower(self, span, children):
        return ast.Call("lower", children[0], span=span)

    def upper(self, span, children):
        return ast.Call("upper", children[0], span=span)

    def event_ref(self, span, children):
        name = children[0][0]
        return ast.EventRef(name, children[1] if len(children) > 1 else None, span=span)

    def event_column(self, span, children):
        event, (column, span) = children
        return event, ast.Ref(column, span=span)

    def _aggregate(self, func, span, children):
        target, *window = children
        event, column = target if isinstance(target, tuple) else (target, None)
        return ast.Aggregate(func, event, column, window[0] if window else None, span=span)

    agg_count = partialmethod(_aggregate, "count")
    agg_first = partialmethod(_aggregate, "first")
    agg_last = partialmethod(_aggregate, "last")
    agg_sum = partialmethod(_aggregate, "sum")
    agg_avg = partialmethod(_aggregate, "avg")
    agg_min = partialmethod(_aggregate, "min")
    agg_max = partialmethod(_aggregate, "max")

    # windows and ranges
    def last_window(self, span, children):
        return ast.Window(duration=children[0], span=span)

    def range_window(self, span, children):
        start, end = (children + [None])[:2]
        return ast.Window(start=start, end=end, span=span)

    def range_window_to(self, span, children):
        return ast.Window(end=children[0], span=span)

    def num_range(self, span, children):
        tok = children[0]
        low, high = str(tok).split("..")
        return self._bound(low, tok), self._bound(high, tok)

    def _bound(self, text: str, tok: Token):
        return self._number(text, _token_span(self.file, tok)) if text else None

    def time_range(self, span, children):
        return (children + [None])[:2]

    def time_range_to(self, span, children):
        return None, children[0]

    def list(self, span, children):
        return tuple(children)

    # conditions
    def or_expr(self, span, children):
        return ast.BoolOp("or", tuple(children), span=span)

    def and_expr(self, span, children):
        return ast.BoolOp("and", tuple(children), span=span)

    def not_(self, span, children):
        return ast.Not(children[0], span=span)

    def compare(self, span, children):
        left, op, right = children
        return ast.Compare(op, left, right, span=span)

    def before(self, span, children):
        return ast.Compare("before", children[0], children[1], span=span)

    def after(self, span, children):
        return ast.Compare("after", children[0], children[1], span=span)

    def in_range(self, span, children):
        value, (low, high) = children
        return ast.InRange(value, low, high, span=span)

    def _in_list(self, negated, span, children):
        return ast.InList(children[0], children[1], negated=negated, span=span)

    in_list = partialmethod(_in_list, False)
    not_in_list = partialmethod(_in_list, True)

    def _text(self, kind, span, children):
        return ast.TextMatch(kind, children[0], children[1], span=span)

    contains = partialmethod(_text, "contains")
    starts_with = partialmethod(_text, "starts_with")
    ends_with = partialmethod(_text, "ends_with")
    matches = partialmethod(_text, "matches")

    def _is_null(self, negated, span, children):
        return ast.IsNull(children[0], negated=negated, span=span)

    is_null = partialmethod(_is_null, False)
    is_not_null = partialmethod(_is_null, True)

    def in_window(self, span, children):
        return ast.InWindow(children[0], children[1], span=span)

    def _did(self, negated, span, children):
        return ast.Did(children[0], children[1] if len(children) > 1 else None, negated=negated, span=span)

    did = partialmethod(_did, False)
    did_not = partialmethod(_did, True)

    def in_segment(self, span, children):
        name, span = children[0]
        return ast.InSegment(name, span=span)  # errors point at the name

    def _percentile(self, direction, span, children):
        tok, value = children
        percent = Decimal(str(tok)[:-1])
        if -percent.normalize().as_tuple().exponent > _PERCENT_DECIMALS:  # 10.00000000% is fine
            self.diags.error("E008", f"a percentage has at most {_PERCENT_DECIMALS} decimals: {tok}",
                             _token_span(self.file, tok), "round it: 0.0000001% of a billion rows is a tenth of one")
        return ast.Percentile(direction, percent, value, span=span)

    top = partialmethod(_percentile, "top")
    bottom = partialmethod(_percentile, "bottom")


# --- what Lark calls ------------------------------------------------------------------
# The grammar keeps every token (keep_all_tokens), so that a rule's span runs from its
# first token to its last, keywords and parentheses included; the conversions see only
# the tokens that carry a value.
_VALUE_TOKENS = frozenset({"NAME", "QUOTED_NAME", "NUMBER", "STRING", "DATE", "TIMESTAMP", "NUM_RANGE", "PERCENT",
                           "UNIT"})

# The parse under way: Lark calls the callbacks with a rule's children alone.
_converting: ContextVar[_Convert] = ContextVar("segdsl_converting")


class _Built:
    """A rule's result while the parse goes on: its value, where it stands, parentheses
    around it included (its parent's span covers them, its own does not), and how
    many levels it nests."""

    __slots__ = ("value", "line", "column", "end_line", "end_column", "depth")

    def __init__(self, value, first, last, depth: int):
        # first and last are _Built or Token, which name their positions alike
        self.value = value
        self.line, self.column = first.line, first.column
        self.end_line, self.end_column = last.end_line, last.end_column
        self.depth = depth


# What a rule adds to the depth of an expression: one level, unless named here. A chain
# (`a + b - c`) adds one per operator, as it nests once folded, and its conversion gets its
# children as _Built, to span parentheses; a definition holds an expression rather than
# nesting in one.
_NESTS = {"arith": "chain", "term": "chain", "segment": "none", "trait": "none"}


def _rule(convert, nests: str):
    """Lark's callback for one `_Convert` method; `nests` as in _NESTS."""

    def callback(children):
        first, last = children[0], children[-1]
        state = _converting.get()
        span = Span(state.file, first.line, first.column, last.end_line, last.end_column)
        values, depth = [], 0
        for child in children:
            if type(child) is _Built:
                values.append(child if nests == "chain" else child.value)
                depth = max(depth, child.depth)
            elif child.type in _VALUE_TOKENS:
                values.append(child)
        depth += len(values) // 2 if nests == "chain" else 1 if nests == "level" else 0
        if depth > MAX_DEPTH and state.too_deep is None:
            state.too_deep = span
        return _Built(convert(state, span, values), first, last, depth)

    return callback


def _parenthesised(children):  # `( expr )`: the expression, standing where the parentheses do
    _, inner, _ = children
    return _Built(inner.value, children[0], children[2], inner.depth)


def _operator(children):
    return _Built(str(children[0]), children[0], children[0], 1)


_CALLBACKS = SimpleNamespace(
    start=lambda children: [child.value for child in children],
    atom=_parenthesised,
    comp_op=_operator, add_op=_operator, mul_op=_operator,
    **{name: _rule(getattr(_Convert, name), _NESTS.get(name, "level"))  # a partialmethod read from the class is a function
       for name in vars(_Convert) if not name.startswith("_") and callable(getattr(_Convert, name))},
)
