"""What the rules reason with: the set of values a simple condition lets through.

A condition on one value -- `age > 30`, `country in ["DE"]`, `x is null`, `did purchase`
(a count compared with 0) -- stands for a set of that value's possible values, plus
"missing" when it holds for a missing value (LANGUAGE.md: a predicate over a missing
value is false; `not P` is P's exact complement, so it holds on missing values).
Two conditions on the same value can then be intersected (is `A and B` empty?),
united (is `A or B` everything?) and compared (does A imply B?).

Every answer errs one way only. "Empty", "full" and "subset" are claimed only when
certain; whenever bounds cannot be compared (a fixed date against `30 days ago`, months
against days) the answer is "unknown" and no rule fires.
"""

from __future__ import annotations

import dataclasses
import math
from dataclasses import dataclass
from functools import cached_property, lru_cache

from .. import ir


class Unknown(Exception):
    """The sets cannot be compared (their bounds are of incomparable kinds)."""


# --- normal form ------------------------------------------------------------------------


def strip(obj):
    """The IR with names removed: a trait stands for its value, `in segment s` for s's
    condition, a bool trait defined by a condition for that condition. Two things with
    the same meaning then compare equal."""
    return _strip(obj)


def forget() -> None:
    """Empty the caches of `strip` and `canonical`, after each lint run. Kept, they would
    hold every project linted in a long-running host (an editor, a notebook), and a later
    project's tree equal to a cached one but not the same object is compared field by
    field: through sub-trees used twice per level, that doubles per level."""
    _strip.cache_clear()
    _canon.cache_clear()
    _interned.clear()


# One object per stripped tree (hash-consing). Two segments written alike, each level
# using the level below twice, strip to equal trees that are not the same object, and
# comparing those field by field doubles per level; built from interned parts, equal
# trees are one object and compare at once.
_interned: dict = {}


@lru_cache(maxsize=None)
def _strip(obj):
    stripped = _stripped(obj)
    return _interned.setdefault(stripped, stripped)


def _stripped(obj):
    if isinstance(obj, ir.Trait):
        return _strip(obj.value)
    if isinstance(obj, ir.SegmentRef):
        return _strip(obj.cond)
    if isinstance(obj, ir.Truthy):
        inner = _strip(obj.value)
        if isinstance(inner, ir.CondValue):
            return inner.cond
        return ir.Truthy(inner)
    if isinstance(obj, ir.CondValue):
        return ir.CondValue(_strip(obj.cond))
    if isinstance(obj, (ir.Value, ir.Cond, ir.Window)) and dataclasses.is_dataclass(obj):
        changes = {}
        for f in dataclasses.fields(obj):
            v = getattr(obj, f.name)
            nv = _strip_any(v)
            if nv is not v:
                changes[f.name] = nv
        return dataclasses.replace(obj, **changes) if changes else obj
    return obj


def _strip_any(v):
    if isinstance(v, tuple):
        items = tuple(_strip_any(x) for x in v)
        return items if any(a is not b for a, b in zip(items, v)) else v
    if isinstance(v, (ir.Value, ir.Cond, ir.Window)):
        return _strip(v)
    return v


def canonical(cond):
    """`strip`, then `and`/`or` flattened and unordered, double negation removed: equal
    results mean the same members."""
    return _canon(strip(cond))


@lru_cache(maxsize=None)  # a stripped tree shares sub-trees: each is put in order once
def _canon(c):
    if isinstance(c, (ir.And, ir.Or)):
        kind = type(c)
        items = set()
        for item in c.items:
            item = _canon(item)
            if isinstance(item, tuple) and item[0] is kind:
                items |= item[1]
            else:
                items.add(item)
        if len(items) == 1:
            return next(iter(items))
        return (kind, frozenset(items))
    if isinstance(c, ir.Not):
        inner = _canon(c.item)
        if isinstance(inner, tuple) and inner[0] == "not":
            return inner[1]
        return ("not", inner)
    return c


# --- ordered bounds ---------------------------------------------------------------------

_HOURS = {"hour": 1, "day": 24}


def bound_key(v: ir.Value):
    """(category, orderable) for a bound; categories must match to compare."""
    if isinstance(v, ir.Const):
        x = v.value
        if isinstance(x, bool):
            return ("bool", int(x))
        if v.type in ir.NUMERIC:
            return ("num", x)
        if v.type == "timestamp":
            return ("ts", x)
        return (v.type, x)  # date, string
    if isinstance(v, ir.AsOf):
        return ("rel*", 0)
    if isinstance(v, ir.AsOfMinus):
        if v.amount == 0:
            return ("rel*", 0)
        if v.unit in _HOURS:
            return ("rel:hour", -v.amount * _HOURS[v.unit])
        return ("rel:" + v.unit, -v.amount)
    return None


def merge_category(a: str | None, b: str | None) -> str | None:
    if a is None or a == b:
        return b
    if b is None:
        return a
    if a == "rel*" and b.startswith("rel:"):
        return b
    if b == "rel*" and a.startswith("rel:"):
        return a
    raise Unknown


# --- sets of values ---------------------------------------------------------------------

# An interval is (lo, lo_inc, hi, hi_inc); None is an open end.


@dataclass(frozen=True)
class ValueSet:
    """The values of one expression a condition lets through."""

    missing: bool  # holds when the value is missing
    intervals: tuple  # present values, sorted, disjoint
    category: str | None
    discrete: bool  # integers: bounds are whole and inclusive
    domain: tuple  # (lo, hi) of possible present values, None = unbounded
    nullable: bool

    # construction ---------------------------------------------------------------------

    def _make(self, missing, intervals, category):
        missing = missing and self.nullable
        return ValueSet(missing, _normalize(intervals, self.discrete, self.domain), category,
                        self.discrete, self.domain, self.nullable)

    def _check(self, other: "ValueSet") -> str | None:
        if (self.discrete, self.domain) != (other.discrete, other.domain):
            raise Unknown
        return merge_category(self.category, other.category)

    def intersect(self, other):
        """One sweep along both sorted lists: long `in [...]` lists meet in linear time."""
        cat = self._check(other)
        a, b, out, i, j = self.intervals, other.intervals, [], 0, 0
        while i < len(a) and j < len(b):
            if met := _meet(a[i], b[j]):
                out.append(met)
            high_a, high_b = a[i][2], b[j][2]
            if high_a is None and high_b is None:
                break
            # step past the interval that ends first; both at an equal end (each list's
            # next interval starts beyond it, or the lists would have merged them)
            if high_b is None or (high_a is not None and _lt(high_a, high_b)):
                i += 1
            elif high_a is None or _lt(high_b, high_a):
                j += 1
            else:
                i, j = i + 1, j + 1
        return self._make(self.missing and other.missing, out, cat)

    def union(self, *others):
        cat = self.category
        for other in others:
            self._check(other)  # sets of one kind only
            cat = merge_category(cat, other.category)
        sets = (self, *others)
        return self._make(any(s.missing for s in sets), [iv for s in sets for iv in s.intervals], cat)

    def complement(self):
        lo, hi = self.domain
        out, cur, cur_inc = [], lo, True
        for (a, ai, b, bi) in self.intervals:
            if a is not None:
                out.append((cur, cur_inc, a, not ai))
            cur, cur_inc = b, not bi
            if b is None:
                cur = "END"
        if cur != "END":
            out.append((cur, cur_inc, hi, True))
        out = [i for i in (_meet(i, (lo, True, hi, True)) for i in out) if i]
        return self._make(not self.missing, out, self.category)

    # questions ------------------------------------------------------------------------

    @property
    def empty(self) -> bool:
        return not self.missing and not self.intervals

    @property
    def full(self) -> bool:
        return self.complement().empty

    def subset_of(self, other) -> bool:
        return self.intersect(other.complement()).empty


def _lt(a, b):
    """a < b for two bounds of one category (None never reaches here)."""
    try:
        return a < b
    except TypeError:
        raise Unknown from None


def _meet(a, b):
    """The intersection of two intervals, or None when empty."""
    lo, lo_inc = _tighter(a[0], a[1], b[0], b[1], low=True)
    hi, hi_inc = _tighter(a[2], a[3], b[2], b[3], low=False)
    if lo is not None and hi is not None:
        if _lt(hi, lo) or (hi == lo and not (lo_inc and hi_inc)):
            return None
    return (lo, lo_inc, hi, hi_inc)


def _tighter(a, ai, b, bi, low: bool):
    """The tighter of two bounds (None: unbounded): the larger of two lows or the smaller
    of two highs; at equal values, inclusive only if both are."""
    if a is None:
        return b, bi
    if b is None:
        return a, ai
    if _lt(a, b):
        return (b, bi) if low else (a, ai)
    if _lt(b, a):
        return (a, ai) if low else (b, bi)
    return a, ai and bi


def _normalize(intervals, discrete, domain):
    lo_d, hi_d = domain
    out = []
    for iv in intervals:
        iv = _meet(iv, (lo_d, True, hi_d, True))
        if iv is None:
            continue
        if discrete:
            lo, li, hi, hi_inc = iv
            if lo is not None:
                lo = math.ceil(lo) if li else math.floor(lo) + 1
            if hi is not None:
                hi = math.floor(hi) if hi_inc else math.ceil(hi) - 1
            if lo is not None and hi is not None and lo > hi:
                continue
            iv = (lo, True, hi, True)
        out.append(iv)

    def low_key(iv):
        return (0,) if iv[0] is None else (1, _Ord(iv[0]), 0 if iv[1] else 1)

    out.sort(key=low_key)
    merged = []
    for iv in out:
        if merged and _touches(merged[-1], iv, discrete):
            last = merged[-1]
            hi, hi_inc = _max_high(last[2], last[3], iv[2], iv[3])
            merged[-1] = (last[0], last[1], hi, hi_inc)
        else:
            merged.append(iv)
    return tuple(merged)


class _Ord:
    def __init__(self, v):
        self.v = v

    def __lt__(self, other):
        return _lt(self.v, other.v)

    def __eq__(self, other):
        return self.v == other.v


def _max_high(a, ai, b, bi):
    if a is None or b is None:
        return None, True
    if _lt(a, b):
        return b, bi
    if _lt(b, a):
        return a, ai
    return a, ai or bi


def _touches(a, b, discrete):
    """Do sorted intervals a and b overlap or meet with no gap?"""
    if a[2] is None or b[0] is None:
        return True
    if discrete:
        return b[0] <= a[2] + 1
    if _lt(b[0], a[2]):
        return True
    if b[0] == a[2]:
        return a[3] or b[1]
    return False


# --- conditions as sets -----------------------------------------------------------------


def _domain(v: ir.Value):
    """(discrete, domain) of a value's present values."""
    if isinstance(v, ir.Aggregate) and v.func == "count":
        return True, (0, None)
    if v.type == "bool":
        return True, (0, 1)
    if v.type == "int":
        return True, (None, None)
    return False, (None, None)


def _empty_set(value: ir.Value, category=None) -> ValueSet:
    discrete, domain = _domain(value)
    return ValueSet(False, (), category, discrete, domain, value.nullable)


def _interval_set(value, lo, lo_inc, hi, hi_inc) -> ValueSet | None:
    cat = None
    keys = []
    for b in (lo, hi):
        if b is None:
            keys.append(None)
            continue
        k = bound_key(b)
        if k is None:
            return None
        try:
            cat = merge_category(cat, k[0])
        except Unknown:
            return None
        keys.append(k[1])
    base = _empty_set(value, cat)
    if cat == "string" and (lo is not hi and (lo is None or hi is None or keys[0] != keys[1])):
        return None  # string order depends on the warehouse's collation: points only
    return base._make(False, [(keys[0], lo_inc, keys[1], hi_inc)], cat)


_FLIP = {"<": ">", "<=": ">=", ">": "<", ">=": "<=", "=": "=", "!=": "!="}


def atom(cond: ir.Cond):
    """(value, ValueSet) when `cond` constrains one value against constants, else None.
    The value is in `strip` form, so equal values from traits and columns meet."""
    cond = strip(cond)
    negate = False
    while isinstance(cond, ir.Not):
        negate = not negate
        cond = cond.item
    got = _positive_atom(cond)
    if got is None:
        return None
    value, s = got
    return value, (s.complement() if negate else s)


def _positive_atom(c):
    if isinstance(c, ir.Compare):
        left, right, op = c.left, c.right, c.op
        if bound_key(left) is not None and bound_key(right) is None:
            left, right, op = right, left, _FLIP[op]
        if bound_key(right) is None or bound_key(left) is not None:
            return None
        if isinstance(right, ir.Const) and right.type == "string" and op not in ("=", "!="):
            return None
        if op == "=":
            s = _interval_set(left, right, True, right, True)
        elif op == "!=":
            s = _interval_set(left, right, True, right, True)
            if s is not None:
                s = s.complement()._make(False, s.complement().intervals, s.category)
        elif op in ("<", "<="):
            s = _interval_set(left, None, True, right, op == "<=")
        else:
            s = _interval_set(left, right, op == ">=", None, True)
        return None if s is None else (left, s)
    if isinstance(c, ir.Between):
        s = _interval_set(c.value, c.low, c.low_inclusive, c.high, c.high_inclusive)
        return None if s is None else (c.value, s)
    if isinstance(c, ir.InList):
        points = [_interval_set(c.value, item, True, item, True) for item in c.items]
        if None in points:
            return None
        try:
            s = points[0].union(*points[1:])  # at once: one sort, however long the list
        except Unknown:
            return None
        if c.negated:
            s = s.complement()._make(False, s.complement().intervals, s.category)
        return c.value, s
    if isinstance(c, ir.IsNull):
        s = _empty_set(c.value)
        return c.value, s._make(True, [], None)
    if isinstance(c, ir.Truthy):
        v = c.value
        if v.type != "bool" or isinstance(v, ir.Invalid):
            return None
        return v, _empty_set(v, "bool")._make(False, [(1, True, 1, True)], "bool")
    if isinstance(c, ir.Percentile) and c.percent >= 100:
        # every ranked row (every row whose value is present) is a member
        s = _empty_set(c.value)
        return c.value, s.complement()._make(False, s.complement().intervals, None)
    return None


def window_within(inner: ir.Window | None, outer: ir.Window | None) -> bool:
    """Is every moment of `inner` inside `outer`? (None is all time.) False when unsure."""
    if outer is None:
        return True
    if inner is None:
        return outer.low is None and outer.high is None
    try:
        a = _window_interval(inner)
        b = _window_interval(outer)
        if a is None or b is None:
            return False
        merge_category(a[1], b[1])
        return _meet(a[0], b[0]) == a[0]
    except Unknown:
        return False


def _window_interval(w: ir.Window):
    cat, keys = None, []
    for b in (w.low, w.high):
        if b is None:
            keys.append(None)
            continue
        k = bound_key(b)
        if k is None:
            return None
        cat = merge_category(cat, k[0])
        keys.append(k[1])
    return (keys[0], w.low_inclusive, keys[1], w.high_inclusive), cat



# --- conditions in a chain --------------------------------------------------------------


@dataclass(frozen=True)
class Part:
    """One condition of an `and` / `or` chain: the item as written and a piece of its
    meaning (an item `in segment s` gives one part per condition of s's chain)."""

    node: object  # the ast node the warning points at
    cond: ir.Cond  # stripped IR
    value: ir.Value | None
    set: ValueSet | None

    @cached_property  # chain rules compare every pair of parts
    def canonical(self):
        return canonical(self.cond)


def negates(a: Part, b: Part) -> bool:
    """Is one part the negation of the other?"""
    return b.canonical == ("not", a.canonical) or a.canonical == ("not", b.canonical)


# Chain rules compare conditions pairwise; a longer `and`/`or` chain than this is not
# something a person writes, and is left unlinted rather than slowing `check` down. It
# also caps how many conditions `parts` inlines from the segments a chain uses.
MAX_CHAIN = 200


def parts(ctx, group, expand: bool) -> list[Part]:
    """The Parts of a chain's items; with `expand`, an item whose meaning is itself a
    chain of the same kind (`in segment s`, a trait) gives one per distinct condition of
    it, while the chain's inlined conditions stay within MAX_CHAIN. An item beyond that
    stays one Part, as with `expand` off: what it means is kept, only less is seen."""
    kind = ir.And if group.op == "and" else ir.Or
    room = MAX_CHAIN
    out = []
    for item in group.items:
        whole = ctx.part(item, group.event)
        if whole is None:
            continue
        pieces = _flatten(whole.cond, kind, room) if expand else None
        if pieces is None or pieces == [whole.cond]:  # not a chain; `a and a` still gives `a`
            out.append(whole)
        else:
            room -= len(pieces)
            out.extend(_part(item, p) for p in pieces)
    return out


def _flatten(c, kind, limit):
    """The conditions of `c`'s `kind` chain, each once (`a or a` means `a`), or None when
    the walk meets more than `limit` distinct nodes. A segment used twice is one shared
    (interned) sub-tree: walked once per use, it would double per level."""
    seen, out = set(), []

    def walk(x):
        if x in seen:
            return True
        seen.add(x)
        if len(seen) > limit:
            return False
        if isinstance(x, kind):
            return all(walk(item) for item in x.items)
        out.append(x)
        return True

    return out if walk(c) else None


def count_at_least_one(part: Part) -> bool:
    """Does the part require at least one event (a count of 1 or more)?"""
    return _count_part(part) and part.set.subset_of(_count_set(part.value, 1, None))


def count_zero(part: Part) -> bool:
    return _count_part(part) and part.set.subset_of(_count_set(part.value, 0, 0))


def _count_part(part: Part) -> bool:
    v = part.value
    return isinstance(v, ir.Aggregate) and v.func == "count" and part.set is not None


def _count_set(value, lo, hi):
    return _empty_set(value, "num")._make(False, [(lo, True, hi, True)], "num")


def part_of(ctx, node, event) -> Part | None:
    """The Part for one condition (no expansion), or None when it does not check."""
    c = ctx.cond(node, event)
    return None if c is None else _part(node, strip(c))


def _part(node, c) -> Part:
    a = atom(c)
    return Part(node, c, *(a if a else (None, None)))
