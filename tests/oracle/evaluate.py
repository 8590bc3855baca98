"""A pure-Python evaluator of segment trees, implementing LANGUAGE.md literally.

Decisions where LANGUAGE.md is silent (shared with the compiler):
* an event whose time is missing never counts; an event whose key is missing belongs
  to nobody; events after the as-of moment never count (anywhere);
* event filters in brackets use the same two-valued rules as segments;
* ``count(EVENT)`` counts event rows (a missing column value does not matter);
* ``sum`` over events whose values are all missing is 0; ``avg`` is the mean of the
  present values (missing if none); ``min``/``max`` ignore missing values;
* strings are ordered by code point.

Dataset shape: ``{"customers": [dict, ...], "orders": [dict, ...], "events": [dict, ...]}``
with the column names of ``model.TABLES``; ``None`` is a missing value.
"""

from __future__ import annotations

import calendar
import datetime as dt
import re
from collections import defaultdict
from fractions import Fraction

from .model import (
    ENTITY_KEY, EVENTS, Agg, Ago, And, Arith, BeforeAfter, Cmp, Col, Did, Flag, Func,
    InLast, InList, InSegment, IsNull, LastWindow, Lit, Not, Or, Percentile, Range,
    RangeWindow, SegmentDef, StrMatch, TraitDef, TraitRef,
)

ONE_DAY = dt.timedelta(days=1)


# --------------------------------------------------------------------------- time helpers


def as_timestamp(v):
    """A date stands for that date at 00:00:00."""
    if isinstance(v, dt.datetime):
        return v
    if isinstance(v, dt.date):
        return dt.datetime(v.year, v.month, v.day)
    raise TypeError(v)


def sub_months(t: dt.datetime, months: int) -> dt.datetime:
    """Calendar month subtraction, clamping the day to the end of the target month."""
    total = t.year * 12 + (t.month - 1) - months
    year, month0 = divmod(total, 12)
    month = month0 + 1
    day = min(t.day, calendar.monthrange(year, month)[1])
    return t.replace(year=year, month=month, day=day)


def minus_duration(t: dt.datetime, n: int, unit: str) -> dt.datetime:
    unit = unit.rstrip("s")
    if unit == "hour":
        return t - dt.timedelta(hours=n)
    if unit == "day":
        return t - dt.timedelta(days=n)
    if unit == "week":
        return t - dt.timedelta(days=7 * n)
    if unit == "month":
        return sub_months(t, n)
    if unit == "year":
        return sub_months(t, 12 * n)
    raise ValueError(unit)


def _is_time(v) -> bool:
    return isinstance(v, (dt.date, dt.datetime))


def _norm(v):
    return as_timestamp(v) if _is_time(v) else v


def compare(op: str, a, b) -> bool:
    """Two-valued comparison: anything involving a missing value is false."""
    if a is None or b is None:
        return False
    a, b = _norm(a), _norm(b)
    if op == "=":
        return a == b
    if op == "!=":
        return a != b
    if op == "<":
        return a < b
    if op == "<=":
        return a <= b
    if op == ">":
        return a > b
    if op == ">=":
        return a >= b
    raise ValueError(op)


def lower_ok(v, lo: Lit | None) -> bool:
    if lo is None:
        return True
    return _norm(lo.value) <= _norm(v)


def upper_ok(v, hi: Lit | None) -> bool:
    """Upper bound of a range: a date bound covers that whole day."""
    if hi is None:
        return True
    if hi.type == "date":
        return _norm(v) < as_timestamp(hi.value) + ONE_DAY
    return _norm(v) <= _norm(hi.value)


# --------------------------------------------------------------------------- evaluator


class Evaluator:
    def __init__(self, definitions, data: dict, as_of: dt.datetime):
        self.as_of = as_of
        self.traits = {d.name: d for d in definitions if isinstance(d, TraitDef)}
        self.segments = {d.name: d for d in definitions if isinstance(d, SegmentDef)}
        self.customers = list(data.get("customers", []))
        # events[name][key] -> list of event rows (dicts of the event's columns + "__time")
        self.events: dict[str, dict] = {}
        for name, src in EVENTS.items():
            by_key = defaultdict(list)
            for row in data.get(src.table, []):
                if any(row.get(c) is None or row.get(c) != v for c, v in src.filter):
                    continue
                key = row.get(src.key)
                t = row.get(src.time)
                if key is None or t is None:
                    continue  # belongs to nobody / never counts
                if as_timestamp(t) > as_of:
                    continue  # after as-of: never counts
                ev = {c: row.get(c) for c, _ in src.columns}
                ev["__time"] = as_timestamp(t)
                by_key[key].append(ev)
            self.events[name] = by_key
        self._seg_cache: dict[str, frozenset] = {}
        self._pct_cache: dict = {}
        self._stack: list[str] = []

    # -- public ----------------------------------------------------------------
    def members(self, segment: str) -> frozenset:
        if segment not in self._seg_cache:
            if segment in self._stack:
                raise ValueError(f"cycle through segment {segment}")
            self._stack.append(segment)
            pred = self.segments[segment].pred
            self._seg_cache[segment] = frozenset(
                row[ENTITY_KEY] for row in self.customers if self.pred(pred, row)
            )
            self._stack.pop()
        return self._seg_cache[segment]

    # -- values ----------------------------------------------------------------
    def value(self, v, row, event: str | None = None):
        """Evaluate a value on an entity row (or, with ``event``, on an event row)."""
        if isinstance(v, Col):
            return row.get(v.name)
        if isinstance(v, TraitRef):
            assert event is None
            return self.value(self.traits[v.name].value, row)
        if isinstance(v, Lit):
            return v.value
        if isinstance(v, Ago):
            return minus_duration(self.as_of, v.n, v.unit)
        if isinstance(v, Arith):
            a = self.value(v.left, row, event)
            b = self.value(v.right, row, event)
            if a is None or b is None:
                return None
            if v.op == "+":
                return a + b
            if v.op == "-":
                return a - b
            if v.op == "*":
                return a * b
            if v.op == "/":
                if b == 0:
                    return None
                return a / b  # true division
            raise ValueError(v.op)
        if isinstance(v, Func):
            s = self.value(v.arg, row, event)
            if s is None:
                return None
            return s.lower() if v.fn == "lower" else s.upper()
        if isinstance(v, Agg):
            assert event is None
            return self.aggregate(v, row[ENTITY_KEY])
        raise TypeError(v)

    def matching_events(self, event: str, filt, window, key) -> list:
        out = []
        for ev in self.events[event].get(key, ()):
            if window is not None and not self.in_window(ev["__time"], window):
                continue
            if filt is not None and not self.pred(filt, ev, event):
                continue
            out.append(ev)
        return out

    def in_window(self, t: dt.datetime, w) -> bool:
        if t > self.as_of:
            return False
        if isinstance(w, LastWindow):
            return minus_duration(self.as_of, w.n, w.unit) <= t
        if isinstance(w, RangeWindow):
            return lower_ok(t, w.lo) and upper_ok(t, w.hi)
        raise TypeError(w)

    def aggregate(self, a: Agg, key):
        evs = self.matching_events(a.event, a.filter, a.window, key)
        if a.fn == "count":
            return len(evs)
        if a.fn == "first":
            return min((e["__time"] for e in evs), default=None)
        if a.fn == "last":
            return max((e["__time"] for e in evs), default=None)
        vals = [e[a.column] for e in evs if e[a.column] is not None]
        if a.fn == "sum":
            return sum(vals) if vals else 0
        if not vals:
            return None
        if a.fn == "avg":
            return sum(vals) / len(vals)
        if a.fn == "min":
            return min(vals)
        if a.fn == "max":
            return max(vals)
        raise ValueError(a.fn)

    # -- predicates ------------------------------------------------------------
    def pred(self, p, row, event: str | None = None) -> bool:
        if isinstance(p, And):
            return self.pred(p.left, row, event) and self.pred(p.right, row, event)
        if isinstance(p, Or):
            return self.pred(p.left, row, event) or self.pred(p.right, row, event)
        if isinstance(p, Not):
            return not self.pred(p.arg, row, event)
        if isinstance(p, Cmp):
            return compare(p.op, self.value(p.left, row, event), self.value(p.right, row, event))
        if isinstance(p, Range):
            v = self.value(p.value, row, event)
            if v is None:
                return False
            return lower_ok(v, p.lo) and upper_ok(v, p.hi)
        if isinstance(p, InList):
            v = self.value(p.value, row, event)
            if v is None:
                return False
            items = [self.value(item, row, event) for item in p.items]
            if p.negated:  # README: `v != a and v != b`, so a missing item makes it false
                return all(compare("!=", v, w) for w in items)
            return any(compare("=", v, w) for w in items)
        if isinstance(p, StrMatch):
            s = self.value(p.value, row, event)
            if s is None:
                return False
            if p.kind == "contains":
                return p.pattern in s
            if p.kind == "starts":
                return s.startswith(p.pattern)
            if p.kind == "ends":
                return s.endswith(p.pattern)
            if p.kind == "matches":
                return re.search(p.pattern, s) is not None
            raise ValueError(p.kind)
        if isinstance(p, IsNull):
            v = self.value(p.value, row, event)
            return (v is not None) if p.negated else (v is None)
        if isinstance(p, Flag):
            return self.value(p.value, row, event) is True
        if isinstance(p, InLast):
            t = self.value(p.value, row, event)
            if t is None:
                return False
            t = as_timestamp(t)
            return minus_duration(self.as_of, p.n, p.unit) <= t <= self.as_of
        if isinstance(p, BeforeAfter):
            t = self.value(p.value, row, event)
            point = self.value(p.point, row, event)
            return compare("<" if p.kind == "before" else ">", t, point)
        if isinstance(p, Did):
            assert event is None
            found = bool(self.matching_events(p.event, p.filter, p.window, row[ENTITY_KEY]))
            return (not found) if p.negated else found
        if isinstance(p, InSegment):
            return row[ENTITY_KEY] in self.members(p.name)
        if isinstance(p, Percentile):
            return row[ENTITY_KEY] in self.percentile_members(p)
        raise TypeError(p)

    def percentile_members(self, p: Percentile) -> frozenset:
        if p not in self._pct_cache:
            vals = [(row[ENTITY_KEY], self.value(p.value, row)) for row in self.customers]
            ranked = [(k, v) for k, v in vals if v is not None]
            n = len(ranked)
            limit = Fraction(p.p) / 100
            members = set()
            for k, v in ranked:
                if n == 1:
                    members.add(k)
                    continue
                if p.kind == "top":
                    beyond = sum(1 for _, w in ranked if w > v)
                else:
                    beyond = sum(1 for _, w in ranked if w < v)
                if Fraction(beyond, n - 1) <= limit:
                    members.add(k)
            self._pct_cache[p] = frozenset(members)
        return self._pct_cache[p]


def evaluate(definitions, segment: str, data: dict, as_of: dt.datetime) -> set:
    """The set of entity keys that are members of ``segment``."""
    if isinstance(definitions, (SegmentDef, TraitDef)):
        definitions = [definitions]
    return set(Evaluator(definitions, data, as_of).members(segment))


def evaluate_pred(pred, data: dict, as_of: dt.datetime, definitions=()) -> set:
    """Convenience: members of an anonymous segment with body ``pred``."""
    defs = list(definitions) + [SegmentDef("__anon", pred)]
    return evaluate(defs, "__anon", data, as_of)
