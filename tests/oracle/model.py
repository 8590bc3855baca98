"""An independent model of segdsl segment expressions, written from LANGUAGE.md only.

The tree here is deliberately separate from the compiler's own AST: the differential
test renders these trees to segdsl source, compiles that source with segdsl, runs the
SQL on DuckDB and compares the result with ``oracle.evaluate``.

The schema is fixed (see ``TOML``).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Optional, Union

# --------------------------------------------------------------------------- schema

TOML = """\
[project]
name = "oracle"
dialect = "duckdb"
segments = ["segments"]

[entity]
table = "analytics.customers"
key = "customer_id"

[entity.columns]
age = "int"
country = "string"
name = "string"
signup_at = "timestamp"
birth_date = "date"
ltv = "float"
credit = "int"
is_subscribed = "bool"

[events.purchase]
table = "analytics.orders"
key = "customer_id"
time = "ordered_at"
[events.purchase.columns]
amount = "float"
category = "string"

[events.add_to_cart]
table = "analytics.events"
key = "customer_id"
time = "occurred_at"
filter = { event_type = "add_to_cart" }
[events.add_to_cart.columns]
value = "float"

[events.email_open]
table = "analytics.events"
key = "customer_id"
time = "occurred_at"
filter = { event_type = "email_open" }
[events.email_open.columns]
campaign = "string"
"""

ENTITY_KEY = "customer_id"
ENTITY_COLUMNS: dict[str, str] = {
    "age": "int",
    "country": "string",
    "name": "string",
    "signup_at": "timestamp",
    "birth_date": "date",
    "ltv": "float",
    "credit": "int",
    "is_subscribed": "bool",
}


@dataclass(frozen=True)
class EventSource:
    table: str  # key into the dataset dict: "orders" or "events"
    key: str
    time: str
    filter: tuple  # ((column, value), ...) equality filters
    columns: tuple  # ((name, type), ...)

    @property
    def column_types(self) -> dict[str, str]:
        return dict(self.columns)


EVENTS: dict[str, EventSource] = {
    "purchase": EventSource(
        "orders", "customer_id", "ordered_at", (),
        (("amount", "float"), ("category", "string")),
    ),
    "add_to_cart": EventSource(
        "events", "customer_id", "occurred_at", (("event_type", "add_to_cart"),),
        (("value", "float"),),
    ),
    "email_open": EventSource(
        "events", "customer_id", "occurred_at", (("event_type", "email_open"),),
        (("campaign", "string"),),
    ),
}

# Column lists of the three physical tables (order used for CREATE TABLE / INSERT).
TABLES: dict[str, list[tuple[str, str]]] = {
    "customers": [
        ("customer_id", "INTEGER"), ("age", "INTEGER"), ("country", "VARCHAR"),
        ("name", "VARCHAR"), ("signup_at", "TIMESTAMP"), ("birth_date", "DATE"),
        ("ltv", "DOUBLE"), ("credit", "INTEGER"), ("is_subscribed", "BOOLEAN"),
    ],
    "orders": [
        ("customer_id", "INTEGER"), ("ordered_at", "TIMESTAMP"), ("amount", "DOUBLE"),
        ("category", "VARCHAR"),
    ],
    "events": [
        ("customer_id", "INTEGER"), ("occurred_at", "TIMESTAMP"), ("event_type", "VARCHAR"),
        ("value", "DOUBLE"), ("campaign", "VARCHAR"),
    ],
}

UNITS = ("hour", "day", "week", "month", "year")

# --------------------------------------------------------------------------- values


@dataclass(frozen=True)
class Col:
    """An entity column, or (inside an event filter) one of the event's columns."""
    name: str


@dataclass(frozen=True)
class TraitRef:
    name: str


@dataclass(frozen=True)
class Lit:
    value: object  # int | float | str | bool | date | datetime
    type: str  # "int" | "float" | "string" | "bool" | "date" | "timestamp"


@dataclass(frozen=True)
class Ago:
    n: int
    unit: str  # one of UNITS (singular)


@dataclass(frozen=True)
class Arith:
    op: str  # + - * /
    left: "Value"
    right: "Value"


@dataclass(frozen=True)
class Func:
    fn: str  # lower | upper
    arg: "Value"


@dataclass(frozen=True)
class LastWindow:
    n: int
    unit: str


@dataclass(frozen=True)
class RangeWindow:
    lo: Optional[Lit]  # date or timestamp literal, None = open
    hi: Optional[Lit]


Window = Union[LastWindow, RangeWindow]


@dataclass(frozen=True)
class Agg:
    fn: str  # count | sum | avg | min | max | first | last
    event: str
    filter: Optional["Pred"] = None
    column: Optional[str] = None  # for sum/avg/min/max
    window: Optional[Window] = None  # numeric aggregates only


Value = Union[Col, TraitRef, Lit, Ago, Arith, Func, Agg]

# --------------------------------------------------------------------------- predicates


@dataclass(frozen=True)
class And:
    left: "Pred"
    right: "Pred"


@dataclass(frozen=True)
class Or:
    left: "Pred"
    right: "Pred"


@dataclass(frozen=True)
class Not:
    arg: "Pred"


@dataclass(frozen=True)
class Cmp:
    op: str  # = != < <= > >=
    left: Value
    right: Value


@dataclass(frozen=True)
class Range:
    value: Value
    lo: Optional[Lit]
    hi: Optional[Lit]


@dataclass(frozen=True)
class InList:
    value: Value
    items: tuple  # literals or values, never empty
    negated: bool = False


@dataclass(frozen=True)
class StrMatch:
    kind: str  # contains | starts | ends | matches
    value: Value
    pattern: str


@dataclass(frozen=True)
class IsNull:
    value: Value
    negated: bool = False


@dataclass(frozen=True)
class Flag:
    value: Union[Col, TraitRef]


@dataclass(frozen=True)
class InLast:
    value: Value
    n: int
    unit: str


@dataclass(frozen=True)
class BeforeAfter:
    kind: str  # before | after
    value: Value
    point: Union[Lit, Ago]


@dataclass(frozen=True)
class Did:
    event: str
    filter: Optional["Pred"] = None
    window: Optional[Window] = None
    negated: bool = False


@dataclass(frozen=True)
class InSegment:
    name: str


@dataclass(frozen=True)
class Percentile:
    kind: str  # top | bottom
    p: int
    value: Value


Pred = Union[And, Or, Not, Cmp, Range, InList, StrMatch, IsNull, Flag, InLast,
             BeforeAfter, Did, InSegment, Percentile]

# --------------------------------------------------------------------------- definitions


@dataclass(frozen=True)
class TraitDef:
    name: str
    value: Value
    description: Optional[str] = None


@dataclass(frozen=True)
class SegmentDef:
    name: str
    pred: Pred
    description: Optional[str] = None


Definition = Union[TraitDef, SegmentDef]

# --------------------------------------------------------------------------- typing


def value_type(v: Value, trait_types: dict[str, str] | None = None,
               event: str | None = None) -> str:
    """The segdsl type of a value: int, float, string, bool, date, timestamp."""
    if isinstance(v, Col):
        if event is not None:
            return EVENTS[event].column_types[v.name]
        return ENTITY_COLUMNS[v.name]
    if isinstance(v, TraitRef):
        return (trait_types or {})[v.name]
    if isinstance(v, Lit):
        return v.type
    if isinstance(v, Ago):
        return "timestamp"
    if isinstance(v, Arith):
        lt = value_type(v.left, trait_types, event)
        rt = value_type(v.right, trait_types, event)
        if v.op == "/" or "float" in (lt, rt):
            return "float"
        return "int"
    if isinstance(v, Func):
        return "string"
    if isinstance(v, Agg):
        if v.fn == "count":
            return "int"
        if v.fn in ("first", "last"):
            return "timestamp"
        if v.fn == "avg":
            return "float"
        return EVENTS[v.event].column_types[v.column]
    raise TypeError(v)


# --------------------------------------------------------------------------- rendering

# Words rendered upper-case when ``upper=True`` (keywords are case-insensitive).
_KEYWORDS = {
    "and", "or", "not", "in", "is", "null", "did", "segment", "trait", "contains",
    "starts", "ends", "with", "matches", "before", "after", "ago", "top", "bottom", "by",
    "last",
}


class _Renderer:
    def __init__(self, upper: bool = False):
        self.upper = upper

    def k(self, word: str) -> str:
        assert word in _KEYWORDS, word
        return word.upper() if self.upper else word

    # values -------------------------------------------------------------------
    def lit(self, v: Lit) -> str:
        if v.type == "int":
            return str(int(v.value))
        if v.type == "float":
            r = repr(float(v.value))
            assert "e" not in r and "inf" not in r and "nan" not in r, r
            return r
        if v.type == "string":
            return string_literal(v.value)
        if v.type == "bool":
            return "true" if v.value else "false"
        if v.type == "date":
            return v.value.strftime("%Y-%m-%d")
        if v.type == "timestamp":
            return v.value.strftime("%Y-%m-%dT%H:%M:%S")
        raise TypeError(v)

    def duration(self, n: int, unit: str) -> str:
        return f"{n} {unit}" if n == 1 else f"{n} {unit}s"

    def window(self, w: Window) -> str:
        if isinstance(w, LastWindow):
            return f"{self.k('last')} {self.duration(w.n, w.unit)}"
        lo = self.lit(w.lo) if w.lo is not None else ""
        hi = self.lit(w.hi) if w.hi is not None else ""
        return f"{lo}..{hi}"

    def event_ref(self, event: str, filt) -> str:
        if filt is None:
            return event
        return f"{event}[{self.pred(filt)}]"

    def value(self, v: Value) -> str:
        if isinstance(v, Col):
            return v.name
        if isinstance(v, TraitRef):
            return v.name
        if isinstance(v, Lit):
            return self.lit(v)
        if isinstance(v, Ago):
            return f"{self.duration(v.n, v.unit)} {self.k('ago')}"
        if isinstance(v, Arith):
            return f"({self.value(v.left)} {v.op} {self.value(v.right)})"
        if isinstance(v, Func):
            return f"{v.fn}({self.value(v.arg)})"
        if isinstance(v, Agg):
            inner = self.event_ref(v.event, v.filter)
            if v.column is not None:
                inner += f".{v.column}"
            if v.window is not None:
                inner += f", {self.window(v.window)}"
            return f"{v.fn}({inner})"
        raise TypeError(v)

    # predicates ---------------------------------------------------------------
    def sub(self, p: Pred) -> str:
        return f"({self.pred(p)})"

    def pred(self, p: Pred) -> str:
        k = self.k
        if isinstance(p, And):
            return f"{self.sub(p.left)} {k('and')} {self.sub(p.right)}"
        if isinstance(p, Or):
            return f"{self.sub(p.left)} {k('or')} {self.sub(p.right)}"
        if isinstance(p, Not):
            return f"{k('not')} {self.sub(p.arg)}"
        if isinstance(p, Cmp):
            return f"{self.value(p.left)} {p.op} {self.value(p.right)}"
        if isinstance(p, Range):
            lo = self.lit(p.lo) if p.lo is not None else ""
            hi = self.lit(p.hi) if p.hi is not None else ""
            return f"{self.value(p.value)} {lo}..{hi}"
        if isinstance(p, InList):
            items = ", ".join(self.lit(i) if isinstance(i, Lit) else self.value(i) for i in p.items)
            op = f"{k('not')} {k('in')}" if p.negated else k("in")
            return f"{self.value(p.value)} {op} [{items}]"
        if isinstance(p, StrMatch):
            word = {
                "contains": k("contains"),
                "starts": f"{k('starts')} {k('with')}",
                "ends": f"{k('ends')} {k('with')}",
                "matches": k("matches"),
            }[p.kind]
            return f"{self.value(p.value)} {word} {string_literal(p.pattern)}"
        if isinstance(p, IsNull):
            op = f"{k('is')} {k('not')} {k('null')}" if p.negated else f"{k('is')} {k('null')}"
            return f"{self.value(p.value)} {op}"
        if isinstance(p, Flag):
            return self.value(p.value)
        if isinstance(p, InLast):
            return f"{self.value(p.value)} {k('in')} {k('last')} {self.duration(p.n, p.unit)}"
        if isinstance(p, BeforeAfter):
            return f"{self.value(p.value)} {k(p.kind)} {self.value(p.point)}"
        if isinstance(p, Did):
            s = k("did") + (f" {k('not')}" if p.negated else "")
            s += " " + self.event_ref(p.event, p.filter)
            if p.window is not None:
                s += f" {k('in')} {self.window(p.window)}"
            return s
        if isinstance(p, InSegment):
            return f"{k('in')} {k('segment')} {p.name}"
        if isinstance(p, Percentile):
            return f"{k(p.kind)} {p.p}% {k('by')} {self.value(p.value)}"
        raise TypeError(p)

    def definition(self, d: Definition) -> str:
        desc = f" {string_literal(d.description)}" if d.description is not None else ""
        if isinstance(d, TraitDef):
            return f"{self.k('trait')} {d.name}{desc} = {self.value(d.value)}"
        return f"{self.k('segment')} {d.name}{desc}:\n    {self.pred(d.pred)}"


def string_literal(s: str) -> str:
    return '"' + s.replace("\\", "\\\\").replace('"', '\\"') + '"'


def render(node, upper: bool = False) -> str:
    """Render a value, predicate, definition or sequence of definitions as segdsl text."""
    r = _Renderer(upper)
    if isinstance(node, (TraitDef, SegmentDef)):
        return r.definition(node)
    if isinstance(node, (list, tuple)):
        return "".join(r.definition(d) + "\n\n" for d in node)
    if isinstance(node, (Col, TraitRef, Lit, Ago, Arith, Func, Agg)):
        return r.value(node)
    return r.pred(node)
