"""The syntax tree of a segment file: what was written, with where it was written.

Nodes are frozen dataclasses. Spans never take part in equality, so two trees that say
the same thing compare equal wherever they stand (what `fmt` round-trips rely on).
Names are plain strings here; resolve.py decides what each one refers to.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field, fields
from decimal import Decimal

from .diagnostics import Span


def _span():
    return field(default=None, compare=False, repr=False)


@dataclass(frozen=True)
class Node:
    pass


# --- values -------------------------------------------------------------------------


@dataclass(frozen=True)
class Literal(Node):
    """A number, string, bool, date or timestamp written in the source."""

    value: int | Decimal | str | bool | dt.date | dt.datetime
    kind: str  # int | float | string | bool | date | timestamp
    span: Span = _span()


@dataclass(frozen=True)
class Duration(Node):
    amount: int
    unit: str  # hour | day | week | month | year
    span: Span = _span()


@dataclass(frozen=True)
class Ago(Node):
    duration: Duration
    span: Span = _span()


@dataclass(frozen=True)
class Ref(Node):
    """A bare name: a column, a trait, or (in an event filter) an event column."""

    name: str
    span: Span = _span()


@dataclass(frozen=True)
class Call(Node):
    func: str  # lower | upper
    arg: Node
    span: Span = _span()


@dataclass(frozen=True)
class Arith(Node):
    op: str  # + - * /
    left: Node
    right: Node
    span: Span = _span()


@dataclass(frozen=True)
class Neg(Node):
    value: Node
    span: Span = _span()


@dataclass(frozen=True)
class Window(Node):
    """`last N UNIT` (duration set) or a `D1..D2` range of dates/timestamps (open ends None)."""

    duration: Duration | None = None
    start: Literal | None = None
    end: Literal | None = None
    span: Span = _span()


@dataclass(frozen=True)
class EventRef(Node):
    name: str
    filter: Node | None = None
    span: Span = _span()


@dataclass(frozen=True)
class Aggregate(Node):
    func: str  # count | sum | avg | min | max | first | last
    event: EventRef
    column: Ref | None = None
    window: Window | None = None
    span: Span = _span()


# --- conditions -----------------------------------------------------------------------


@dataclass(frozen=True)
class BoolOp(Node):
    op: str  # and | or
    items: tuple[Node, ...]
    span: Span = _span()


@dataclass(frozen=True)
class Not(Node):
    item: Node
    span: Span = _span()


@dataclass(frozen=True)
class Compare(Node):
    op: str  # = != < <= > >=, and `before` / `after`
    left: Node
    right: Node
    span: Span = _span()


@dataclass(frozen=True)
class InRange(Node):
    """`v LO..HI`; bounds are literals, either may be None (open)."""

    value: Node
    low: Literal | None
    high: Literal | None
    span: Span = _span()


@dataclass(frozen=True)
class InList(Node):
    value: Node
    items: tuple[Node, ...]
    negated: bool = False
    span: Span = _span()


@dataclass(frozen=True)
class TextMatch(Node):
    kind: str  # contains | starts_with | ends_with | matches
    value: Node
    pattern: Literal
    span: Span = _span()


@dataclass(frozen=True)
class IsNull(Node):
    value: Node
    negated: bool = False
    span: Span = _span()


@dataclass(frozen=True)
class InWindow(Node):
    value: Node
    window: Window
    span: Span = _span()


@dataclass(frozen=True)
class Did(Node):
    event: EventRef
    window: Window | None = None
    negated: bool = False
    span: Span = _span()


@dataclass(frozen=True)
class InSegment(Node):
    name: str
    span: Span = _span()


@dataclass(frozen=True)
class Percentile(Node):
    direction: str  # top | bottom
    percent: Decimal
    value: Node
    span: Span = _span()


# --- definitions ----------------------------------------------------------------------


@dataclass(frozen=True)
class Definition(Node):
    kind: str  # segment | trait
    name: str
    description: str | None
    body: Node
    span: Span = _span()
    name_span: Span = _span()


# --- walking ------------------------------------------------------------------------


def children(node: Node) -> list[Node]:
    """The nodes directly under `node`, in the order they were written."""
    names = _FIELDS.get(type(node))
    if names is None:  # once per class: dataclasses.fields is slow to ask per node
        names = _FIELDS[type(node)] = tuple(f.name for f in fields(node) if f.name not in ("span", "name_span"))
    out = []
    for name in names:
        v = getattr(node, name)
        if isinstance(v, Node):
            out.append(v)
        elif isinstance(v, tuple):
            out.extend(x for x in v if isinstance(x, Node))
    return out


_FIELDS: dict[type, tuple[str, ...]] = {}
