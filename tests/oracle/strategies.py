"""Hypothesis strategies: edge-case datasets and random segment projects.

Everything is drawn around one as-of moment so that data times land exactly on the
boundaries of the windows, ranges and ``ago`` points that the generated segments use.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from hypothesis import strategies as st

from .evaluate import as_timestamp, minus_duration
from .model import (
    ENTITY_COLUMNS, EVENTS, Agg, Ago, And, Arith, BeforeAfter, Cmp, Col, Did, Flag, Func,
    InLast, InList, InSegment, IsNull, LastWindow, Lit, Not, Or, Percentile, Range,
    RangeWindow, SegmentDef, StrMatch, TraitDef, TraitRef, UNITS, render, value_type,
)

SECOND = dt.timedelta(seconds=1)
DAY = dt.timedelta(days=1)

AS_OFS = [
    dt.datetime(2024, 3, 31, 12, 0, 0),
    dt.datetime(2024, 3, 31, 0, 0, 0),   # month end: 1 month ago clamps to Feb 29
    dt.datetime(2024, 2, 29, 0, 0, 0),   # leap day: 1 year ago is 2023-02-28
    dt.datetime(2024, 1, 31, 23, 59, 59),
    dt.datetime(2023, 3, 1, 6, 30, 0),
    dt.datetime(2024, 12, 31, 0, 0, 0),
]
DURATION_NS = [1, 2, 7, 30, 90]
# and windows reaching back past 1970, where ClickHouse's Date and DateTime stop and its
# 32-bit seconds wrap around
DURATIONS = [(n, u) for n in DURATION_NS for u in UNITS] + [
    (20000, "day"), (40000, "day"), (3000, "week"), (999999, "hour"), (1200, "month"), (100, "year")]
PERCENTS = [10, 0, 50, 25, 100, 33, 1, 75, 99]

# Strings: quotes, backslashes, LIKE wildcards, non-ASCII whose case mapping agrees
# between Python and SQL (no ß, no dotted/dotless i).
ALPHABET = ["a", "b", "A", "B", "x", " ", "é", "É", "ü", "Ü", "日", "本",
            "'", "\\", "%", "_", '"']
STRING_POOL = ["", "US", "us", "FR", "a%", "%", "_", "a_b", "o'neil", "'", "\\",
               "b\\c", '"q"', '"', "é", "É", "日本", "Zürich", "shoes", "Shoes", "x_y%"]
COUNTRIES = ["US", "FR", "us", "DE", "", "日本", "Zürich", "a%b", "a_b", "o'neil"]
CATEGORIES = ["shoes", "Shoes", "hats", "a%", "a_", "o'x", "b\\c", '"q"', "é", ""]
CAMPAIGNS = ["spring", "Spring_24", "100%", "l'été", "x\\y", '"vip"', "日本", ""]
EVENT_TYPES = ["add_to_cart", "email_open", "page_view", "Add_To_Cart", None]
# Regular expressions that mean the same in Python's re and RE2 (DuckDB).
REGEXES = ["a", "^a", "a$", "^$", "^US$", "a.b", "[%_]", "\\\\", "'", '"', "é", "日",
           "a|b", "[A-Z]", "^.{2}$", "x*", "(?i)^us$", "\\.", "[0-9]", "^[^a]+$",
           "\\Aa", "^a{0,2}b"]
INT_LITS = [0, 1, 2, 3, 5, 10, 18, 30, 50, 65, 100, -1, -5, -100]
# 0.1, 0.2 and 0.3 have no exact binary form: 3 * 0.1 = 0.3 holds in exact decimals only
FLOAT_LITS = [0.0, 0.25, 0.5, 1.0, 1.5, 2.5, 10.0, 20.0, 25.75, 100.0, -0.25, -1.5, 0.1, 0.2, 0.3]


# --------------------------------------------------------------------------- vocabulary


@dataclass
class Vocab:
    """The times and dates that matter for one as-of moment."""
    as_of: dt.datetime
    dates: list = field(default_factory=list)        # date literals
    timestamps: list = field(default_factory=list)   # timestamp literals
    boundary_times: list = field(default_factory=list)  # data times on boundaries


def make_vocab(as_of: dt.datetime) -> Vocab:
    d0 = as_of.date()
    dates = sorted({
        d0, d0 - DAY, d0 - 7 * DAY, d0 - 30 * DAY, d0 - 90 * DAY, d0 + DAY,
        dt.date(d0.year, 1, 1), dt.date(d0.year, d0.month, 1), dt.date(2024, 2, 29),
        dt.date(2023, 12, 31), dt.date(1969, 12, 31), dt.date(1950, 6, 15),
    })
    times = {as_of, as_of - SECOND, as_of + SECOND}
    for n, unit in DURATIONS:
        b = minus_duration(as_of, n, unit)
        times.update({b, b - SECOND, b + SECOND})
    for d in dates:
        m = dt.datetime(d.year, d.month, d.day)
        times.update({m, m - SECOND, m + DAY - SECOND, m + DAY, m + dt.timedelta(hours=12)})
    boundary = sorted(times)
    ts_lits = sorted({as_of, as_of - SECOND, as_of + SECOND, minus_duration(as_of, 7, "day"),
                      minus_duration(as_of, 1, "month"), minus_duration(as_of, 30, "day")}
                     | {dt.datetime(d.year, d.month, d.day, 12, 30, 0) for d in dates[:3]}
                     | {dt.datetime(d.year, d.month, d.day) + DAY - SECOND for d in dates[::3]})
    return Vocab(as_of, dates, ts_lits, boundary)


# --------------------------------------------------------------------------- datasets


def quarters(lo: int, hi: int):
    """Floats that are multiples of 0.25 (sums stay exact)."""
    return st.integers(lo * 4, hi * 4).map(lambda i: i / 4)


def maybe(s):
    return st.one_of(st.none(), s)


def text_values():
    return st.one_of(st.sampled_from(STRING_POOL),
                     st.lists(st.sampled_from(ALPHABET), max_size=4).map("".join))


@dataclass
class Focus:
    """Values taken from the generated segments, so that data lands exactly on them."""
    times: list = field(default_factory=list)    # boundary moments (to the second)
    dates: list = field(default_factory=list)
    numbers: list = field(default_factory=list)
    strings: list = field(default_factory=list)


def focus_of(definitions, vocab: Vocab) -> Focus:
    """Walk the trees and collect the boundaries their literals, windows and durations make."""
    import dataclasses

    f = Focus()
    times, dates, numbers, strings = set(), set(), set(), set()

    def add_moment(t):
        times.update({t - SECOND, t, t + SECOND})
        dates.update({t.date(), t.date() - DAY, t.date() + DAY})

    def add_date(d):
        m = dt.datetime(d.year, d.month, d.day)
        times.update({m - SECOND, m, m + dt.timedelta(hours=12), m + DAY - SECOND, m + DAY})
        dates.update({d - DAY, d, d + DAY})

    def walk(x):
        if isinstance(x, Lit):
            if x.type == "timestamp":
                add_moment(x.value)
            elif x.type == "date":
                add_date(x.value)
            elif x.type in ("int", "float"):
                numbers.update({x.value, x.value - 0.25, x.value + 0.25} if x.type == "float"
                               else {x.value, x.value - 1, x.value + 1})
            elif x.type == "string":
                strings.add(x.value)
            return
        if isinstance(x, (Ago, LastWindow, InLast)):
            add_moment(minus_duration(vocab.as_of, x.n, x.unit))
        if isinstance(x, StrMatch) and x.kind != "matches":
            strings.update({x.pattern, x.pattern + "x", "A" + x.pattern, "é" + x.pattern + "%"})
        if dataclasses.is_dataclass(x):
            for fld in dataclasses.fields(x):
                walk(getattr(x, fld.name))
        elif isinstance(x, tuple):
            for y in x:
                walk(y)

    for d in definitions:
        walk(d)
    add_moment(vocab.as_of)
    f.times, f.dates = sorted(times), sorted(dates)
    f.numbers = sorted(numbers)
    f.strings = sorted(strings)
    return f


def times_around(vocab: Vocab, focus: Focus | None = None):
    far = st.integers(-500 * 86400, 20 * 86400).map(lambda s: vocab.as_of + dt.timedelta(seconds=s))
    options = [st.sampled_from(vocab.boundary_times), far]
    if focus is not None and focus.times:
        options = [st.sampled_from(focus.times)] * 3 + options
    return st.one_of(*options)


def dates_around(vocab: Vocab, focus: Focus | None = None):
    near = st.integers(-400, 10).map(lambda k: vocab.as_of.date() + dt.timedelta(days=k))
    ago = st.sampled_from([minus_duration(vocab.as_of, n, u).date() for n, u in DURATIONS])
    options = [st.sampled_from(vocab.dates), ago, near]
    if focus is not None and focus.dates:
        options = [st.sampled_from(focus.dates)] * 2 + options
    return st.one_of(*options)


def _focused(base, focus_values, convert=lambda v: v):
    if not focus_values:
        return base
    return st.one_of(st.sampled_from(focus_values).map(convert), base)


@st.composite
def datasets(draw, vocab: Vocab, max_customers: int = 7, max_events: int = 12,
             focus: Focus | None = None):
    focus = focus or Focus()
    nums = list(focus.numbers)
    ints = sorted({int(v) for v in nums if float(v).is_integer() and -100 <= v <= 100})
    quarters_in_focus = sorted({float(v) for v in nums if (v * 4) == int(v * 4) and -10 <= v <= 200})
    strs = focus.strings
    n = draw(st.integers(min(2, max_customers), max_customers))
    ids = list(range(1, n + 1))
    customers = []
    for cid in ids:
        customers.append({
            "customer_id": cid,
            "age": draw(maybe(_focused(st.one_of(st.sampled_from([18, 30, 45, 65]), st.integers(0, 99)),
                                       [i for i in ints if 0 <= i <= 99]))),
            "country": draw(maybe(_focused(st.sampled_from(COUNTRIES), strs))),
            "name": draw(maybe(_focused(text_values(), strs))),
            "signup_at": draw(maybe(times_around(vocab, focus))),
            "birth_date": draw(maybe(dates_around(vocab, focus))),
            "ltv": draw(maybe(_focused(st.one_of(st.sampled_from([0.0, 10.0, 10.0, 99.75]),
                                                 quarters(-10, 200)), quarters_in_focus))),
            "credit": draw(maybe(_focused(st.one_of(st.sampled_from([-100, 0, 5]), st.integers(-100, 100)),
                                          ints))),
            "is_subscribed": draw(maybe(st.booleans())),
        })
    # event keys: real customers mostly, sometimes an orphan key or a missing key
    key = st.one_of(st.sampled_from(ids) if ids else st.just(1), st.sampled_from(ids) if ids else st.just(2),
                    st.just(n + 1), st.none())
    n_events = st.one_of(st.integers(min(4, max_events), max_events), st.integers(0, 3))
    orders = [{
        "customer_id": draw(key),
        "ordered_at": draw(maybe(times_around(vocab, focus))),
        "amount": draw(maybe(_focused(st.one_of(st.sampled_from([0.0, 10.0, 25.5]), quarters(-5, 100)),
                                      quarters_in_focus))),
        "category": draw(maybe(_focused(st.sampled_from(CATEGORIES), strs))),
    } for _ in range(draw(n_events))]
    events = [{
        "customer_id": draw(key),
        "occurred_at": draw(maybe(times_around(vocab, focus))),
        "event_type": draw(st.sampled_from(EVENT_TYPES)),
        "value": draw(maybe(_focused(st.one_of(st.sampled_from([0.0, 5.0]), quarters(-5, 50)),
                                     quarters_in_focus))),
        "campaign": draw(maybe(_focused(st.sampled_from(CAMPAIGNS), strs))),
    } for _ in range(draw(n_events))]
    return {"customers": customers, "orders": orders, "events": events}


# --------------------------------------------------------------------------- trees

NUM_COLS = [c for c, t in ENTITY_COLUMNS.items() if t in ("int", "float")]
STR_COLS = [c for c, t in ENTITY_COLUMNS.items() if t == "string"]
TIME_COLS = [c for c, t in ENTITY_COLUMNS.items() if t in ("date", "timestamp")]
BOOL_COLS = [c for c, t in ENTITY_COLUMNS.items() if t == "bool"]
CMP_OPS = ["=", "!=", "<", "<=", ">", ">="]


def _ev_cols(event: str, kinds) -> list[str]:
    return [c for c, t in EVENTS[event].columns if t in kinds]


class TreeGen:
    """Draws random, well-typed segment trees (first option of every choice is simplest)."""

    def __init__(self, draw, vocab: Vocab, trait_types: dict[str, str], segments: list[str]):
        self.draw = draw
        self.vocab = vocab
        self.trait_types = dict(trait_types)
        self.segments = list(segments)
        self.trait_mags: dict[str, float] = {}
        # windows and filters drawn so far in the project, drawn again half the time: the
        # compiler computes a test that several aggregates make once (a pass's flags)
        self.drawn: dict[str, list] = {}

    def again(self, kind: str, fresh):
        """A `kind` drawn before in the project, or (half the time, always the first
        time) a new one from `fresh()`."""
        earlier = self.drawn.setdefault(kind, [])
        if earlier and self.draw(st.booleans()):
            return self.pick(earlier)
        earlier.append(fresh())
        return earlier[-1]

    def pick(self, options):
        return self.draw(st.sampled_from(options))

    def traits_of(self, kinds) -> list[str]:
        return [n for n, t in self.trait_types.items() if t in kinds]

    # -- literals --------------------------------------------------------------
    def int_lit(self) -> Lit:
        return Lit(self.draw(st.one_of(st.sampled_from(INT_LITS), st.integers(-20, 100))), "int")

    def float_lit(self) -> Lit:
        return Lit(self.draw(st.one_of(st.sampled_from(FLOAT_LITS), quarters(-5, 100))), "float")

    def num_lit(self) -> Lit:
        return self.int_lit() if self.draw(st.booleans()) else self.float_lit()

    def str_lit(self) -> Lit:
        return Lit(self.draw(text_values()), "string")

    def date_lit(self) -> Lit:
        return Lit(self.pick(self.vocab.dates), "date")

    def ts_lit(self) -> Lit:
        return Lit(self.pick(self.vocab.timestamps), "timestamp")

    def duration(self):
        return self.pick(DURATIONS)

    # -- values ----------------------------------------------------------------
    def window(self):
        kind = self.pick(["last", "dates", "timestamps", "open_lo", "open_hi"])
        if kind == "last":
            return LastWindow(*self.duration())
        if kind == "timestamps":
            return RangeWindow(*self.time_bounds_pair())
        a, b = sorted([self.date_lit(), self.date_lit()], key=lambda l: l.value)
        if kind == "open_lo":
            return RangeWindow(None, b)
        if kind == "open_hi":
            return RangeWindow(a, None)
        return RangeWindow(a, b)

    def maybe_window(self):
        return self.again("window", self.window) if self.draw(st.booleans()) else None

    def maybe_filter(self, event: str, depth: int):
        return self.again(f"filter {event}", lambda: self.filter_pred(event, depth)) if self.draw(st.booleans()) else None

    def agg_num(self, depth: int) -> Agg:
        fn = self.pick(["count", "sum", "avg", "min", "max"])
        if fn == "count":
            event = self.pick(list(EVENTS))
            return Agg("count", event, self.maybe_filter(event, depth), None, self.maybe_window())
        event = self.pick(["purchase", "add_to_cart"])
        col = self.pick(_ev_cols(event, ("int", "float")))
        return Agg(fn, event, self.maybe_filter(event, depth), col, self.maybe_window())

    def magnitude(self, v) -> float:
        """An upper bound on abs(v) for the generated data."""
        if isinstance(v, Col):
            return {"age": 99, "credit": 100, "ltv": 200}.get(v.name, 100)
        if isinstance(v, Lit):
            return abs(v.value)
        if isinstance(v, TraitRef):
            return self.trait_mags.get(v.name, 10**9)
        if isinstance(v, Agg):
            return {"count": 20, "sum": 2000}.get(v.fn, 100)
        if isinstance(v, Arith):
            a, b = self.magnitude(v.left), self.magnitude(v.right)
            if v.op == "*":
                return a * b
            if v.op == "/":
                return a * 4  # divisors are multiples of 0.25 (or ints)
            return a + b
        return 10**9

    def num(self, depth: int, nonlit: bool = False, event: str | None = None):
        opts = ["col", "agg", "trait", "arith"] if event is None else ["col", "arith"]
        if not nonlit:
            opts.append("lit")
        if depth <= 0:
            opts.remove("arith")
        if event is None and not self.traits_of(("int", "float")):
            opts.remove("trait")
        kind = self.pick(opts)
        if kind == "lit":
            return self.num_lit()
        if kind == "col":
            if event is None:
                return Col(self.pick(NUM_COLS))
            return Col(self.pick(_ev_cols(event, ("int", "float"))))
        if kind == "agg":
            return self.agg_num(depth - 1)
        if kind == "trait":
            return TraitRef(self.pick(self.traits_of(("int", "float"))))
        op = self.pick(["+", "-", "*", "/"])
        left = self.num(depth - 1, nonlit=True, event=event)
        right = self.num(depth - 1, nonlit=False, event=event)
        if op == "*" and self.magnitude(left) * self.magnitude(right) > 10**6:
            op = "+"  # keep integer products far from 32-bit overflow
        if self.draw(st.booleans()):
            left, right = right, left
        return Arith(op, left, right)

    def string(self, depth: int, nonlit: bool = False, event: str | None = None):
        opts = ["col", "func", "trait"]
        if not nonlit:
            opts.append("lit")
        if depth <= 0:
            opts.remove("func")
        if event is not None or not self.traits_of(("string",)):
            opts.remove("trait")
        kind = self.pick(opts)
        if kind == "lit":
            return self.str_lit()
        if kind == "col":
            return Col(self.pick(STR_COLS if event is None else _ev_cols(event, ("string",))))
        if kind == "trait":
            return TraitRef(self.pick(self.traits_of(("string",))))
        return Func(self.pick(["lower", "upper"]), self.string(depth - 1, True, event))

    def time(self, depth: int, nonlit: bool = False):
        opts = ["col", "firstlast", "trait"]
        if not nonlit:
            opts += ["date", "ts", "ago"]
        if not self.traits_of(("date", "timestamp")):
            opts.remove("trait")
        kind = self.pick(opts)
        if kind == "col":
            return Col(self.pick(TIME_COLS))
        if kind == "firstlast":
            event = self.pick(list(EVENTS))
            return Agg(self.pick(["first", "last"]), event, self.maybe_filter(event, depth - 1))
        if kind == "trait":
            return TraitRef(self.pick(self.traits_of(("date", "timestamp"))))
        if kind == "date":
            return self.date_lit()
        if kind == "ts":
            return self.ts_lit()
        return Ago(*self.duration())

    def boolv(self, nonlit: bool = False):
        opts = ["col", "trait"] + ([] if nonlit else ["lit"])
        if not self.traits_of(("bool",)):
            opts.remove("trait")
        kind = self.pick(opts)
        if kind == "col":
            return Col(self.pick(BOOL_COLS))
        if kind == "trait":
            return TraitRef(self.pick(self.traits_of(("bool",))))
        return Lit(self.draw(st.booleans()), "bool")

    def trait_value(self, depth: int = 2):
        kind = self.pick(["num", "string", "time", "bool"])
        if kind == "num":
            return self.num(depth)
        if kind == "string":
            return self.string(depth)
        if kind == "time":
            return self.time(depth)
        return self.boolv()

    # -- predicates ------------------------------------------------------------
    def num_range_bounds(self, float_ok: bool):
        lit = self.num_lit if float_ok else self.int_lit
        a, b = sorted([lit(), lit()], key=lambda l: l.value)
        shape = self.pick(["both", "lo", "hi"])
        return (a if shape != "hi" else None), (b if shape != "lo" else None)

    def time_bounds_pair(self):
        """Two date/timestamp literals in order; mostly of one kind, sometimes mixed."""
        kind = self.pick(["date", "ts", "mixed"])
        if kind == "mixed":
            a, b = self.date_lit(), self.ts_lit()
            if self.draw(st.booleans()):
                a, b = b, a
        else:
            lit = self.date_lit if kind == "date" else self.ts_lit
            a, b = lit(), lit()
        if as_timestamp(a.value) > as_timestamp(b.value):
            a, b = b, a
        return a, b

    def time_range_bounds(self):
        a, b = self.time_bounds_pair()
        shape = self.pick(["both", "lo", "hi"])
        return (a if shape != "hi" else None), (b if shape != "lo" else None)

    def num_pred(self, depth: int, event: str | None = None, v=None):
        kind = self.pick(["cmp", "range", "in", "null"])
        v = v if v is not None else self.num(depth, nonlit=True, event=event)
        if kind == "cmp":
            other = self.num(depth - 1, event=event) if self.draw(st.booleans()) else self.num_lit()
            if self.draw(st.integers(0, 4)) == 0:
                return Cmp(self.pick(CMP_OPS), other, v)
            return Cmp(self.pick(CMP_OPS), v, other)
        if kind == "range":
            lo, hi = self.num_range_bounds(value_type(v, self.trait_types, event) == "float")
            return Range(v, lo, hi)
        if kind == "in":  # items are literals, now and then a value
            items = tuple(self.num(depth - 1, event=event) if self.draw(st.integers(0, 3)) == 0 else self.int_lit()
                          for _ in range(self.draw(st.integers(1, 3))))
            return InList(v, items, self.draw(st.booleans()))
        return IsNull(v, self.draw(st.booleans()))

    def str_pred(self, depth: int, event: str | None = None, v=None):
        kind = self.pick(["cmp", "contains", "starts", "ends", "matches", "in", "null"])
        v = v if v is not None else self.string(depth, nonlit=True, event=event)
        if kind == "cmp":
            other = self.string(depth - 1, event=event) if self.draw(st.booleans()) else self.str_lit()
            return Cmp(self.pick(CMP_OPS), v, other)
        if kind in ("contains", "starts", "ends"):
            return StrMatch(kind, v, self.draw(text_values()))
        if kind == "matches":
            return StrMatch(kind, v, self.pick(REGEXES))
        if kind == "in":
            items = self.draw(st.lists(text_values(), min_size=1, max_size=3))
            return InList(v, tuple(Lit(s, "string") for s in items), self.draw(st.booleans()))
        return IsNull(v, self.draw(st.booleans()))

    def time_pred(self, depth: int, v=None):
        kind = self.pick(["cmp", "range", "inlast", "beforeafter", "in", "null"])
        v = v if v is not None else self.time(depth, nonlit=True)
        if kind == "cmp":
            other = self.time(depth - 1)
            if self.draw(st.integers(0, 4)) == 0:
                return Cmp(self.pick(CMP_OPS), other, v)
            return Cmp(self.pick(CMP_OPS), v, other)
        if kind == "range":
            lo, hi = self.time_range_bounds()
            return Range(v, lo, hi)
        if kind == "inlast":
            return InLast(v, *self.duration())
        if kind == "beforeafter":
            point = self.pick(["date", "ts", "ago"])
            p = {"date": self.date_lit, "ts": self.ts_lit, "ago": lambda: Ago(*self.duration())}[point]()
            return BeforeAfter(self.pick(["before", "after"]), v, p)
        if kind == "in":
            lit = self.date_lit if self.draw(st.booleans()) else self.ts_lit
            items = tuple(lit() for _ in range(self.draw(st.integers(1, 3))))
            return InList(v, items, self.draw(st.booleans()))
        return IsNull(v, self.draw(st.booleans()))

    def bool_pred(self, v=None):
        kind = self.pick(["flag", "cmp", "null"])
        v = v if v is not None else self.boolv(nonlit=True)
        if kind == "flag":
            return Flag(v)
        if kind == "cmp":
            return Cmp(self.pick(CMP_OPS), v, self.boolv())  # false before true
        return IsNull(v, self.draw(st.booleans()))

    def pred(self, depth: int):
        # time predicates and event predicates carry most edge cases: weight them up
        opts = ["num", "str", "time", "time", "bool", "did", "did", "pct", "and", "or", "not",
                "seg"]
        if depth <= 0:
            opts = [o for o in opts if o not in ("and", "or", "not")]
        if not self.segments:
            opts.remove("seg")
        kind = self.pick(opts)
        if kind == "num":
            return self.num_pred(min(depth, 2))
        if kind == "str":
            return self.str_pred(min(depth, 2))
        if kind == "time":
            return self.time_pred(min(depth, 2))
        if kind == "bool":
            return self.bool_pred()
        if kind == "did":
            event = self.pick(list(EVENTS))
            return Did(event, self.maybe_filter(event, 1), self.maybe_window(), self.draw(st.booleans()))
        if kind == "pct":
            return Percentile(self.pick(["top", "bottom"]), self.pick(PERCENTS),
                              self.num(min(depth, 2), nonlit=True))
        if kind == "seg":
            return InSegment(self.pick(self.segments))
        if kind == "not":
            return Not(self.pred(depth - 1))
        cls = And if kind == "and" else Or
        return cls(self.pred(depth - 1), self.pred(depth - 1))

    def filter_pred(self, event: str, depth: int):
        opts = []
        if _ev_cols(event, ("int", "float")):
            opts.append("num")
        if _ev_cols(event, ("string",)):
            opts.append("str")
        if depth > 0:
            opts += ["and", "or", "not"]
        kind = self.pick(opts)
        if kind == "num":
            return self.num_pred(min(depth, 1), event=event)
        if kind == "str":
            return self.str_pred(min(depth, 1), event=event)
        if kind == "not":
            return Not(self.filter_pred(event, depth - 1))
        cls = And if kind == "and" else Or
        return cls(self.filter_pred(event, depth - 1), self.filter_pred(event, depth - 1))


# --------------------------------------------------------------------------- scenarios

DESCRIPTIONS = ["Aged 30-50", 'says "hi"', "back\\slash", "50% off_", "été 日本", ""]


@dataclass
class Scenario:
    as_of: dt.datetime
    data: dict
    definitions: list
    sources: dict  # path -> source text
    segment_names: list
    upper: bool

    def source_text(self) -> str:
        return "\n".join(f"# --- {p}\n{s}" for p, s in self.sources.items())


@st.composite
def projects(draw, vocab: Vocab, max_traits: int = 3, max_segments: int = 3, depth: int = 3):
    """A list of definitions: traits (referring to earlier traits) and segments
    (referring to earlier segments)."""
    trait_types: dict[str, str] = {}
    trait_mags: dict[str, float] = {}
    drawn: dict[str, list] = {}
    defs = []

    def gen(segments: list[str]) -> TreeGen:
        g = TreeGen(draw, vocab, trait_types, segments)
        g.trait_mags, g.drawn = trait_mags, drawn
        return g

    for i in range(draw(st.integers(0, max_traits))):
        g = gen([])
        v = g.trait_value()
        name = f"t{i}"
        trait_types[name] = value_type(v, trait_types)
        if trait_types[name] in ("int", "float"):
            trait_mags[name] = g.magnitude(v)
        defs.append(TraitDef(name, v, draw(maybe(st.sampled_from(DESCRIPTIONS)))))
    seg_names: list[str] = []
    # one segment per trait that tests it directly (traits are otherwise often unused)
    for name, typ in trait_types.items():
        g = gen([])
        v = TraitRef(name)
        if typ in ("int", "float"):
            p = (g.num_pred(1, v=v) if draw(st.booleans())
                 else Percentile(g.pick(["top", "bottom"]), g.pick(PERCENTS), v))
        elif typ == "string":
            p = g.str_pred(1, v=v)
        elif typ in ("date", "timestamp"):
            p = g.time_pred(1, v=v)
        else:
            p = g.bool_pred(v=v)
        defs.append(SegmentDef(f"use_{name}", p))
    for i in range(draw(st.integers(1, max_segments))):
        g = gen(seg_names)
        p = g.pred(draw(st.sampled_from([depth - 1, depth, 1])))
        name = f"s{i}"
        defs.append(SegmentDef(name, p, draw(maybe(st.sampled_from(DESCRIPTIONS)))))
        seg_names.append(name)
    return defs


def subsegments(defs, limit: int = 10) -> list:
    """Every proper sub-predicate of the generated segments (outside event filters) as a
    segment of its own: a bug in one leaf is often masked by the and/or around it."""
    seen = {d.pred for d in defs if isinstance(d, SegmentDef)}
    extra = []

    def walk(p):
        for child in {And: ("left", "right"), Or: ("left", "right"), Not: ("arg",)}.get(type(p), ()):
            c = getattr(p, child)
            if c not in seen:
                seen.add(c)
                extra.append(c)
            walk(c)

    for d in defs:
        if isinstance(d, SegmentDef):
            walk(d.pred)
    return [SegmentDef(f"sub{i}", p) for i, p in enumerate(extra[:limit])]


@st.composite
def scenarios(draw, max_customers: int = 7, max_events: int = 12):
    as_of = draw(st.sampled_from(AS_OFS))
    vocab = make_vocab(as_of)
    defs = draw(projects(vocab))
    defs = defs + subsegments(defs)
    data = draw(datasets(vocab, max_customers, max_events, focus_of(defs, vocab)))
    upper = draw(st.booleans())
    # definitions may appear in any order and in any file
    order = draw(st.permutations(range(len(defs))))
    split = draw(st.integers(0, len(defs)))
    ordered = [defs[i] for i in order]
    header = "# generated by tests/oracle (hypothesis)\n"
    sources = {"segments/main.seg": header + render(ordered[:split], upper)}
    if split < len(ordered):
        sources["segments/more/other.seg"] = render(ordered[split:], upper)
    names = [d.name for d in defs if isinstance(d, SegmentDef)]
    return Scenario(as_of, data, defs, sources, names, upper)
