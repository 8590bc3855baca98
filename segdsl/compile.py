"""Stage 3: typed IR -> sqlglot SELECTs returning the entity key of segment members.

Shape of every statement:

    WITH a1 AS (one grouped pass over an event table: every aggregate any part of the
                statement needs, as conditional aggregates; future events, the event
                filter and shared window bounds cut off in the scan; a test several
                aggregates make computed once per row, as a flag column of a subquery
                over the scan),
         r1 AS (the entity ranked by one value, for every `top/bottom P%` by it:
                rank and count of ranked rows, reading the same passes),
         m1 AS (the members of a segment the statement uses more than once, which
                would otherwise be written out at each use; read as `m1.k IS NOT NULL`)
    SELECT e.<key> FROM <entity> AS e
    LEFT JOIN a1 ON ... LEFT JOIN r1 ON ...
    WHERE <condition>

Missing values: SQL's NULL is the language's missing value throughout. Two-valued logic
comes from compiling conditions in negation normal form: positive predicates are false on
NULL in a WHERE clause already, and a negated predicate adds `OR v IS NULL` for each value
that can be missing, so `not P` is exactly the complement of `P` without wrapping plain
attribute predicates in functions that would hide them from an engine's indexes.
"""

from __future__ import annotations

import datetime as dt
import itertools
import operator
from collections import Counter
from dataclasses import dataclass, field, replace

from sqlglot import exp

from . import ir
from .config import EventSource, Table
from .dialects import Flavor, flavor
from .resolve import Program

_NEGATE = {"=": "!=", "!=": "=", "<": ">=", "<=": ">", ">": "<=", ">=": "<"}
_BINARY = {"=": exp.EQ, "!=": exp.NEQ, "<": exp.LT, "<=": exp.LTE, ">": exp.GT, ">=": exp.GTE}
_PYTHON = {"=": operator.eq, "!=": operator.ne, "<": operator.lt, "<=": operator.le, ">": operator.gt, ">=": operator.ge}
_ENTITY = "e"
_EVENT = "ev"


def compile_segment(program: Program, name: str, dialect: str, as_of: dt.datetime | None) -> exp.Select:
    """The sqlglot tree of segment `name`: one row per member, the key column only."""
    root = program.segments[name]
    compiler = _Compiler(program, flavor(dialect), as_of, shared=_shared([root]))
    scope = _Scope(compiler)
    return compiler.finish(scope.select(scope.cond(root)))


def compile_many(program: Program, names: list[str], dialect: str, as_of: dt.datetime | None,
                 shape: str = "long") -> exp.Select:
    """Membership of several segments in one statement, sharing every scan.

    shape "wide": one row per entity row, the key and one true/false column per segment;
    shape "long": one (key, segment) row per membership.
    """
    roots = [program.segments[n] for n in names]
    compiler = _Compiler(program, flavor(dialect), as_of, shared=_shared(roots))
    scope = _Scope(compiler)
    # true/false, never missing; a segment others use too is read from its CTE
    flags = [(n, scope.value(ir.CondValue(ir.SegmentRef(n, root) if n in compiler.shared else root)))
             for n, root in zip(names, roots)]
    entity_key = compiler.program.config.entity.key
    # all at once: Select.select appending one column copies the list so far (quadratic)
    wide = scope.select(None).select(
        *(exp.alias_(flag, compiler.fl.identifier(name), copy=False) for name, flag in flags),
        append=True, copy=False,
    )
    if shape == "wide":
        return compiler.finish(wide)
    members = compiler.alias("members", plain=True)
    taken = {n.lower() for n in names}
    if entity_key.lower() in taken:  # a segment's column named like the key would hide it
        inner = next(f"key{i}" for i in itertools.count(1) if f"key{i}" not in taken)
        wide.set("expressions", [exp.alias_(wide.expressions[0].unalias(), inner, copy=False), *wide.expressions[1:]])
        key = exp.alias_(compiler.column(inner, members), compiler.fl.identifier(entity_key), copy=False)
    else:
        key = compiler.column(entity_key, members)
    compiler.add_cte(members, wide)
    union = None
    for name, _ in flags:
        branch = (
            exp.select(key.copy(), exp.alias_(exp.Literal.string(name), "segment", copy=False), copy=False)
            .from_(exp.Table(this=exp.to_identifier(members)), copy=False)
            .where(compiler.fl.flag_set(compiler.column(name, members)), copy=False)
        )
        union = branch if union is None else exp.union(union, branch, distinct=False, copy=False)
    return compiler.finish(exp.select(exp.Star(), copy=False).from_(union.subquery("memberships", copy=False), copy=False))


@dataclass
class _Compiler:
    """State shared by every part of one statement: the passes, percentiles and CTEs."""

    program: Program
    fl: Flavor
    as_of_value: dt.datetime | None
    counter: dict[str, int] = field(default_factory=dict)
    passes: dict[tuple, "_Pass"] = field(default_factory=dict)
    rankings: dict[tuple[str, ir.Value], str] = field(default_factory=dict)
    shared: frozenset[str] = frozenset()  # segments computed once, in a CTE (_shared)
    memberships: dict[str, str] = field(default_factory=dict)  # their CTEs' aliases
    ctes: list[exp.CTE] = field(default_factory=list)

    def as_of(self) -> exp.Expression:
        """The as-of moment, a new node for each use (cheaper than copying one)."""
        return self.fl.timestamp(self.as_of_value) if self.as_of_value is not None else self.fl.now()

    def fold(self, value: ir.Value | None) -> ir.Value | None:
        """`value` with its as-of arithmetic done where that needs no calendar: from a given
        as-of, hours and days back are a moment worked out here, written as a literal that
        engines take as a constant (partition pruning, zone maps) and reviewers can read,
        and that a date window starting at the same moment shares. Months and years are
        left to the warehouse's calendar, as is a moment before year 1."""
        if isinstance(value, ir.AsOfMinus) and self.as_of_value is not None and value.unit in ("hour", "day"):
            try:
                return ir.Const(self.as_of_value - dt.timedelta(**{value.unit + "s": value.amount}), "timestamp")
            except OverflowError:
                pass
        return value

    def folded(self, agg: ir.Aggregate) -> ir.Aggregate:
        """`agg` with its window in one form, so that aggregates equal in effect meet in
        their pass: its as-of arithmetic done (fold), and no end at the as-of moment, where
        the pass's scan ends already (`last 90 days` is `2026-04-01..` as of 2026-06-30)."""
        w = agg.window
        if w is None:
            return agg
        high = None if isinstance(w.high, ir.AsOf) and w.high_inclusive else self.fold(w.high)
        window = replace(w, low=self.fold(w.low), high=high)
        return agg if window == w else replace(agg, window=window)

    def alias(self, prefix: str, plain: bool = False) -> str:
        """A CTE name: `prefix` numbered (`prefix` itself if `plain` and free), never the
        name of a table the project reads (Config.table_names), nor of a segment: a wide
        statement's column, which ClickHouse would read in its place."""
        name, taken = prefix if plain else "", self.program.config.table_names
        while not name or name.lower() in taken or name.lower() in self.program.segments:
            self.counter[prefix] = self.counter.get(prefix, 0) + 1
            name = f"{prefix}{self.counter[prefix]}"
        return name

    def table(self, table: Table, alias: str) -> exp.Table:
        return table_node(self.fl, table, alias)

    def column(self, name: str, table: str) -> exp.Column:
        return exp.Column(this=self.fl.identifier(name), table=exp.to_identifier(table))

    def event_pass(self, source: EventSource) -> "_Pass":
        """The pass over `source`'s table: events sharing a table (told apart by their
        filters) share one scan of it."""
        key = (source.table, source.key, source.time)
        if key not in self.passes:
            self.passes[key] = _Pass(source, self.alias("a"))
        return self.passes[key]

    def add_cte(self, alias: str, query: exp.Select) -> None:
        """A CTE after those added so far: after the ones it reads, when added once its
        query is built."""
        self.ctes.append(_cte(alias, query))

    def keyed_by(self, entity: exp.Select, *columns: exp.Expression) -> exp.Select:
        """`entity` (a SELECT over the entity table) returning its key as `k`, beside
        `columns`: a CTE the statement joins on k, where a row it lacks reads as NULL."""
        key = self.fl.nullable(self.column(self.program.config.entity.key, _ENTITY))
        entity.set("expressions", [exp.alias_(key, "k", copy=False), *columns])
        return entity

    def finish(self, query: exp.Select) -> exp.Select:
        """Attach the CTEs: passes first (their aggregates are all known now), then the rest."""
        ctes = [_cte(p.alias, self._pass_sql(p)) for p in self.passes.values()]
        if ctes or self.ctes:  # built directly: Select.with_ parses each alias
            query.set("with_", exp.With(expressions=ctes + self.ctes))
        return query

    def _pass_sql(self, p: "_Pass") -> exp.Select:
        """The grouped scan. What every aggregate shares (its event's filter, a filter in
        brackets, a window) is tested once in the scan's WHERE; the rest per aggregate. A
        test that several aggregates make is computed once per row, as a flag column of the
        scan: engines evaluate each aggregate's condition in full (DuckDB's events pass of
        bench/'s fifty segments took 1.6x as long with each test written out per use)."""
        src = p.source
        time = self.column(src.time, _EVENT)
        scope = _Scope(self)
        aggs = list(p.aggregates)
        scan = [exp.LTE(this=time.copy(), expression=self.as_of())]  # events after as-of never count
        shared_source = len({a.source.filter for a in aggs}) == 1
        shared_filter = len({a.filter for a in aggs}) == 1
        shared_window = len({a.window for a in aggs}) == 1
        if shared_source:
            scan += self._source_filter(aggs[0].source)
        else:  # the rows of any of the events; each aggregate keeps its own
            alternatives = [_join(self._source_filter(s), exp.And) if s.filter else exp.true()
                            for s in dict.fromkeys(a.source for a in aggs)]
            scan.append(exp.Paren(this=_join(alternatives, exp.Or)))
        if shared_filter and aggs[0].filter is not None:
            scan.append(_wrap(scope.cond(aggs[0].filter)))
        scanned_from = None  # a window start the scan tests, which windows from it need not
        if shared_window:
            scan += scope.scan_bounds(time, aggs[0].window) if aggs[0].window is not None else []
        else:
            bound, scanned_from = scope.loosest_lower_bound(time, [agg.window for agg in aggs])
            scan += bound
        tests = {agg: self._row_tests(scope, time, agg, shared_source, shared_filter, shared_window, scanned_from)
                 for agg in aggs}
        flags = _flags(tests, {name.lower() for agg in aggs for name in agg.source.column_names})
        selects = [exp.alias_(self.column(src.key, _EVENT), "k", copy=False)]
        for agg, name in p.aggregates.items():
            conditions = [self.fl.flag_set(self.column(flags[key][0], _EVENT)) if key in flags else test
                          for key, test in tests[agg].items()]
            value = scope.aggregate_sql(agg, time, conditions)
            selects.append(exp.alias_(self.fl.nullable(value) if agg.nullable else value, name, copy=False))
        table, where = self.table(src.table, _EVENT), _join(scan, exp.And)
        if flags:  # the scan becomes a subquery giving the event columns read and the flags
            flag_columns = {name for name, _ in flags.values()}  # none of them a column of the table
            read = {c.name: c.copy() for select in selects for c in select.find_all(exp.Column)
                    if c.table == _EVENT and c.name not in flag_columns}
            rows = exp.select(*read.values(), *(exp.alias_(self.fl.flag(test), name, copy=False)
                                                for name, test in flags.values()), copy=False)
            rows = rows.from_(table, copy=False).where(where, copy=False)
            query = exp.select(*selects, copy=False).from_(
                exp.Subquery(this=rows, alias=exp.TableAlias(this=exp.to_identifier(_EVENT))), copy=False)
        else:
            query = exp.select(*selects, copy=False).from_(table, copy=False).where(where, copy=False)
        return query.group_by(self.column(src.key, _EVENT), copy=False)

    def _row_tests(self, scope: "_Scope", time: exp.Expression, agg: ir.Aggregate, shared_source: bool,
                   shared_filter: bool, shared_window: bool, scanned_from: ir.Value | None
                   ) -> dict[tuple, exp.Expression]:
        """The tests an event row must pass to count in `agg` beyond its pass's WHERE, which
        holds the event, filter and window every aggregate shares and the earliest window
        start, `scanned_from`. Keyed by what they test: aggregates that test the same share
        a key."""
        tests = {}
        if not shared_source and agg.source.filter:
            tests["source", agg.source.filter] = _join(self._source_filter(agg.source), exp.And)
        if not shared_filter and agg.filter is not None:
            tests["filter", agg.filter] = scope.cond(agg.filter)
        w = agg.window
        starts_with_scan = scanned_from is not None and w is not None and w.low == scanned_from
        if not shared_window and w is not None and not (starts_with_scan and w.low_inclusive and w.high is None):
            if bounds := scope.scan_bounds(time, w):
                tests["window", w] = _join(bounds, exp.And)
        return tests

    def _source_filter(self, source: EventSource) -> list[exp.Expression]:
        """The equalities that pick an event's rows out of a shared table."""
        return [exp.EQ(this=self.column(col, _EVENT), expression=_literal(self.fl, value))
                for col, value in source.filter]


@dataclass
class _Pass:
    """One grouped scan of an event table computing all the aggregates a statement needs."""

    source: EventSource
    alias: str
    aggregates: dict[ir.Aggregate, str] = field(default_factory=dict)

    def add(self, agg: ir.Aggregate) -> str:
        return self.aggregates.setdefault(agg, f"v{len(self.aggregates) + 1}")


class _Scope:
    """One SELECT over the entity table: the passes and percentiles its conditions read."""

    def __init__(self, compiler: _Compiler):
        self.c = compiler
        self.joins: dict[str, None] = {}  # aliases of the CTEs this SELECT joins, in order

    def select(self, where: exp.Expression | None) -> exp.Select:
        c = self.c
        entity = c.program.config.entity
        key = c.column(entity.key, _ENTITY)
        named = exp.alias_(key.copy(), c.fl.identifier(entity.key), copy=False) if c.fl.key_alias else key
        query = exp.select(named, copy=False).from_(c.table(entity.table, _ENTITY), copy=False)
        for alias in self.joins:  # built directly: Select.join re-parses its arguments
            query.append("joins", exp.Join(
                this=exp.Table(this=exp.to_identifier(alias)), side="LEFT",
                on=exp.EQ(this=c.column("k", alias), expression=key.copy()),
            ))
        return query.where(where, copy=False) if where is not None else query

    def aggregate_sql(self, agg: ir.Aggregate, time: exp.Expression, conditions: list[exp.Expression]) -> exp.Expression:
        """`agg` over its pass's rows, counting those that pass `conditions`."""
        if agg.func in ("first", "last"):
            target = time.copy()
        elif agg.column is not None:
            target = self.c.column(agg.column.name, _EVENT)
        else:
            target = exp.Literal.number(1)
        if agg.func == "sum" and agg.type == "int" and self.c.fl.narrow_count:
            target = self.c.fl.int64(target)  # else the sum of 32-bit integers is one
        elif agg.func == "avg" and agg.column.type == "int":
            # the mean is a float: T-SQL and Redshift average integers to an integer,
            # PostgreSQL to a rounded NUMERIC, MySQL to 4 decimals
            target = self.c.fl.to_float(target)
        if conditions:
            target = exp.Case(ifs=[exp.If(this=_join(conditions, exp.And), true=target)])
        elif agg.func == "count":
            return exp.Count(this=exp.Star())
        func = {"count": exp.Count, "sum": exp.Sum, "avg": exp.Avg, "min": exp.Min, "max": exp.Max,
                "first": exp.Min, "last": exp.Max}[agg.func]
        return func(this=target)

    def scan_bounds(self, time: exp.Expression, window: ir.Window) -> list[exp.Expression]:
        """A window's tests on an event row of a pass (its aggregate `folded`)."""
        return self._bounds(time, window.low, window.low_inclusive, window.high, window.high_inclusive)

    def loosest_lower_bound(self, time: exp.Expression, windows: list[ir.Window | None]
                            ) -> tuple[list[exp.Expression], ir.Value | None]:
        """`time >= the earliest window start` when every aggregate has a start: rows before
        it count nowhere, so the scan can skip them. Also that start, where it is known
        without SQL (not a LEAST of several), else None."""
        if any(w is None or w.low is None for w in windows):
            return [], None
        lows = list(dict.fromkeys(w.low for w in windows))
        earliest = _earliest(lows, self.c.as_of_value)
        if earliest is not None:
            bound = self.value(earliest)
        else:
            bound = exp.Least(this=self.value(lows[0]), expressions=[self.value(low) for low in lows[1:]])
        return [exp.GTE(this=_wrap(time.copy()), expression=_wrap(bound))], earliest

    def _bounds(self, v: exp.Expression, low, low_inc, high, high_inc) -> list[exp.Expression]:
        parts = []
        if low is not None:
            parts.append((exp.GTE if low_inc else exp.GT)(this=_wrap(v.copy()), expression=_wrap(self.value(low))))
        if high is not None:
            parts.append((exp.LTE if high_inc else exp.LT)(this=_wrap(v.copy()), expression=_wrap(self.value(high))))
        return parts

    # --- conditions, in negation normal form ---------------------------------------------

    def cond(self, node: ir.Cond, negated: bool = False) -> exp.Expression:
        if isinstance(node, (ir.And, ir.Or)):
            items = [self.cond(i, negated) for i in node.items]
            conjunction = isinstance(node, ir.And) != negated
            return _join(items, exp.And if conjunction else exp.Or)
        if isinstance(node, ir.Not):
            return self.cond(node.item, not negated)
        if isinstance(node, ir.SegmentRef):
            if node.name not in self.c.shared:
                return self.cond(node.cond, negated)
            missing = exp.Is(this=self.c.column("k", self._membership(node)), expression=exp.Null())
            return missing if negated else exp.Not(this=missing)
        if isinstance(node, ir.Truthy):
            return self._truthy(node.value, negated)
        if isinstance(node, ir.IsNull):
            test = exp.Is(this=_wrap(self.value(node.value)), expression=exp.Null())
            return exp.Not(this=test) if negated else test
        if isinstance(node, ir.Percentile):
            return self._percentile(node, negated)
        return self._predicate(node, negated)

    def _predicate(self, node: ir.Cond, negated: bool) -> exp.Expression:
        """A leaf predicate; negated, it also holds where one of its values is missing."""
        if isinstance(node, ir.Compare):
            op = _NEGATE[node.op] if negated else node.op
            left, right = self._side(node.left, node.right, op, 0), self._side(node.right, node.left, op, 1)
            test = _BINARY[op](this=_wrap(left), expression=_wrap(right))
            values = [node.left, node.right]
        elif isinstance(node, ir.Between):
            v = self.value(node.value)
            parts = self._bounds(v, node.low, node.low_inclusive, node.high, node.high_inclusive)
            if negated:
                return self._or_missing(_join([_invert(p) for p in parts], exp.Or), [node.value])
            return _join(parts, exp.And)
        elif isinstance(node, ir.InList):
            v = _wrap(self.value(node.value))
            items = [self.value(i) for i in node.items]
            test = exp.EQ(this=v, expression=items[0]) if len(items) == 1 else exp.In(this=v, expressions=items)
            # `not in` is a predicate of its own, false on a missing value like `in`;
            # so only the negation of either one adds `OR v IS NULL`
            if node.negated != negated:
                test = exp.Not(this=_wrap(test))
            values = [node.value]
        elif isinstance(node, ir.TextMatch):
            v = _wrap(self.value(node.value))
            if node.kind == "matches":
                test = self.c.fl.regex_search(v, node.pattern)
            else:
                test = self.c.fl.text_match(node.kind, v, node.pattern)
            values = [node.value]
            if negated:
                test = exp.Not(this=_wrap(test))
        else:
            raise TypeError(f"no SQL for {type(node).__name__}")
        return self._or_missing(test, values) if negated else test

    def _side(self, side: ir.Value, other: ir.Value, op: str, position: int) -> exp.Expression:
        """One side of a comparison. A count or sum compared with a constant reads its pass
        directly when the comparison is false at 0 anyway: a customer without events is
        then filtered by the join's NULL, so the engine may use an inner join."""
        if isinstance(side, ir.Aggregate) and not side.nullable and isinstance(other, ir.Const):
            at_zero = _PYTHON[op](*((0, other.value) if position == 0 else (other.value, 0)))
            if not at_zero:
                return self._aggregate_ref(side, missing_as_zero=False)
        return self.value(side)

    def _or_missing(self, test: exp.Expression, values: list[ir.Value]) -> exp.Expression:
        missing = [exp.Is(this=_wrap(self.value(v)), expression=exp.Null()) for v in values if v.nullable]
        return _join([test, *missing], exp.Or) if missing else test

    def _truthy(self, value: ir.Value, negated: bool) -> exp.Expression:
        while isinstance(value, ir.Trait):
            value = value.value
        if isinstance(value, ir.CondValue):
            return self.cond(value.cond, negated)
        if isinstance(value, ir.Const):
            return exp.Boolean(this=value.value != negated)
        v = _wrap(self.value(value))
        if not negated:
            return v
        return self._or_missing(exp.Not(this=v), [value])

    def _percentile(self, node: ir.Percentile, negated: bool) -> exp.Expression:
        """Member when (rows strictly ahead) / (ranked rows - 1) <= P/100, in integers: exact
        everywhere, and a lone ranked row (0 <= 0) is a member. Rows not ranked (a missing
        value) are never members."""
        alias = self._ranking(node.direction, node.value)
        # past 100% every ranked row is in (the ratio is at most 1): P's digits are not needed
        num, den = min(node.percent, 100).as_integer_ratio()
        ahead = exp.Paren(this=exp.Sub(this=self.c.column("r", alias), expression=exp.Literal.number(1)))
        others = exp.Paren(this=exp.Sub(this=self.c.column("n", alias), expression=exp.Literal.number(1)))
        left = exp.Mul(this=ahead, expression=exp.Literal.number(100 * den))
        right = exp.Mul(this=exp.Literal.number(num), expression=others)
        if not negated:
            return exp.LTE(this=left, expression=right)
        return _join([exp.GT(this=left, expression=right),
                      exp.Is(this=self.c.column("k", alias), expression=exp.Null())], exp.Or)

    def _ranking(self, direction: str, value: ir.Value) -> str:
        """A CTE ranking the whole entity by `value` (rows with it missing left out): its
        key, rank (ties share one) and the count of ranked rows, one per value and
        direction however many percentages read it."""
        c = self.c
        if isinstance(value, ir.Aggregate):  # `last 7 days` and `last 168 hours` rank alike
            value = c.folded(value)
        if (direction, value) not in c.rankings:
            alias = c.rankings[direction, value] = c.alias("r")
            inner = _Scope(c)
            v = inner.value(value)
            order = exp.Ordered(this=v, desc=direction == "top")
            # the percentile test multiplies both: 64-bit where the engine's are not
            rank = exp.Window(this=exp.Rank(), order=exp.Order(expressions=[order]))
            count = exp.Window(this=exp.Count(this=exp.Star()))
            present = exp.Not(this=exp.Is(this=_wrap(v.copy()), expression=exp.Null()))
            c.add_cte(alias, c.keyed_by(
                inner.select(present if value.nullable else None),
                exp.alias_(c.fl.nullable(c.fl.int64(rank) if c.fl.narrow_rank else rank), "r", copy=False),
                exp.alias_(c.fl.int64(count) if c.fl.narrow_count else count, "n", copy=False),
            ))
        alias = c.rankings[direction, value]
        self.joins[alias] = None
        return alias

    def _membership(self, ref: ir.SegmentRef) -> str:
        """A CTE of the keys of segment `ref.name`, which the statement uses more than once:
        computed once, and joined where it is used (a LEFT JOIN, so a row it lacks is not a
        member)."""
        c = self.c
        if ref.name not in c.memberships:
            inner = _Scope(c)
            members = c.keyed_by(inner.select(inner.cond(ref.cond)))
            c.add_cte(c.memberships.setdefault(ref.name, c.alias("m")), members)
        alias = c.memberships[ref.name]
        self.joins[alias] = None
        return alias

    # --- values ------------------------------------------------------------------------

    def value(self, node: ir.Value) -> exp.Expression:
        c = self.c
        if isinstance(node, ir.Column):
            return c.column(node.name, _ENTITY)
        if isinstance(node, ir.EventColumn):
            return c.column(node.name, _EVENT)
        if isinstance(node, ir.Const):
            return _literal(c.fl, node.value)
        if isinstance(node, ir.AsOf):
            return c.as_of()
        if isinstance(node, ir.AsOfMinus):
            folded = c.fold(node)
            return c.fl.minus(c.as_of(), node.amount, node.unit) if folded is node else self.value(folded)
        if isinstance(node, ir.ToTimestamp):
            return c.fl.to_timestamp(self.value(node.value))
        if isinstance(node, ir.Trait):
            return self.value(node.value)
        if isinstance(node, ir.CondValue):
            return c.fl.bool_value(self.cond(node.cond))
        if isinstance(node, ir.TextFunc):
            return c.fl.case(node.func, self.value(node.value))
        if isinstance(node, ir.Negate):
            return exp.Neg(this=exp.Paren(this=self.value(node.value)))
        if isinstance(node, ir.Arith):
            return self._arith(node)
        if isinstance(node, ir.Aggregate):
            return self._aggregate_ref(node)
        raise TypeError(f"no SQL for {type(node).__name__}")

    def _arith(self, node: ir.Arith) -> exp.Expression:
        left, right = _wrap(self._operand(node.left)), _wrap(self._operand(node.right))
        if node.op == "/":
            # true division; a zero divisor gives NULL, the missing value
            divisor = right if isinstance(node.right, ir.Const) and node.right.value != 0 else exp.Nullif(this=right, expression=exp.Literal.number(0))
            return exp.Div(this=self.c.fl.to_float(left), expression=divisor)
        if node.type == "int" and not (self._is_int64(node.left) or self._is_int64(node.right)):
            left = self.c.fl.int64(left)  # the language's integers are 64-bit
        return {"+": exp.Add, "-": exp.Sub, "*": exp.Mul}[node.op](this=left, expression=right)

    def _operand(self, value: ir.Value) -> exp.Expression:
        """An operand of arithmetic. `12.50` is a float: DuckDB, PostgreSQL, MySQL and
        Spark would compute with it as an exact decimal (3 * 0.1 = 0.3), the rest in
        floating point, so it is cast to make every engine compute alike."""
        inner = _beneath(value)  # `trait rate = 0.1`, `-(0.1)`
        if isinstance(inner, ir.Const) and inner.type == "float":
            return self.c.fl.to_float(self.value(value))
        return self.value(value)

    def _is_int64(self, value: ir.Value) -> bool:
        """Whether the engine holds `value` as a 64-bit integer already: integer arithmetic
        (compiled so by `_arith`), sums (of 64-bit values, see aggregate_sql), counts where
        COUNT is a BIGINT, and literals past 32 bits."""
        value = _beneath(value)
        if isinstance(value, ir.Arith):
            return value.type == "int"
        if isinstance(value, ir.Aggregate):
            return value.func == "sum" or (value.func == "count" and not self.c.fl.narrow_count)
        return isinstance(value, ir.Const) and value.type == "int" and not -2**31 <= value.value < 2**31

    def _aggregate_ref(self, agg: ir.Aggregate, missing_as_zero: bool = True) -> exp.Expression:
        agg = self.c.folded(agg)
        p = self.c.event_pass(agg.source)
        self.joins[p.alias] = None
        ref = self.c.column(p.add(agg), p.alias)
        if missing_as_zero and not agg.nullable:  # count, sum: no events is 0, never missing
            return exp.Coalesce(this=ref, expressions=[exp.Literal.number(0)])
        return ref


# Parts a segment used more than once may repeat in a statement, written in place at each
# use; past this, one CTE of its members (one more scan of the entity table) costs less.
_REPEAT_AT_MOST = 100


def _shared(roots: list[ir.Cond]) -> frozenset[str]:
    """The segments a statement of `roots` computes once, in a CTE: those that writing in
    place at each use would repeat more than _REPEAT_AT_MOST parts of (through traits, or
    segments that each use the one before twice, which doubles per level). Uses are
    counted down the tree, each node after every node that uses it; a shared segment is
    written once, so its own parts count one use."""
    if not any(ir.uses_segments(root) for root in roots):
        return frozenset()
    order, seen, stack = [], set(), [(root, False) for root in roots]
    while stack:  # depth-first, each node once: its post-order reversed puts users first
        node, done = stack.pop()
        if done:
            order.append(node)
        elif id(node) not in seen:
            seen.add(id(node))
            stack.append((node, True))
            stack.extend((child, False) for child in ir.toward_segments(node))
    segment_of = {id(node.cond): node.name for node in order if type(node) is ir.SegmentRef}
    uses = Counter(map(id, roots))
    shared = set()
    for node in reversed(order):
        n = uses[id(node)]
        name = segment_of.get(id(node))
        if name is not None and n > 1 and (n - 1) * ir.inlined_size(node) > _REPEAT_AT_MOST:
            shared.add(name)
            n = 1
        for child in ir.toward_segments(node):
            uses[id(child)] += n
    return frozenset(shared)


def _beneath(value: ir.Value) -> ir.Value:
    """The value a trait or a negation stands for, as the engine holds it."""
    while isinstance(value, (ir.Trait, ir.Negate)):
        value = value.value
    return value


def _flags(tests: dict[ir.Aggregate, dict[tuple, exp.Expression]], taken: set[str]
           ) -> dict[tuple, tuple[str, exp.Expression]]:
    """The tests two or more aggregates of a pass make, in order of first use, each with
    the name of the flag column that computes it once per row: f1, f2, ..., skipping the
    table's columns (`taken`, in lower case), which the pass's scan gives beside them."""
    uses = Counter(key for agg_tests in tests.values() for key in agg_tests)
    shared: dict[tuple, exp.Expression] = {}
    for agg_tests in tests.values():
        for key, test in agg_tests.items():
            if uses[key] > 1:
                shared.setdefault(key, test)
    names = (f"f{i}" for i in itertools.count(1) if f"f{i}" not in taken)
    return {key: (next(names), test) for key, test in shared.items()}


def _cte(alias: str, query: exp.Select) -> exp.CTE:
    return exp.CTE(this=query, alias=exp.TableAlias(this=exp.to_identifier(alias)))


def _earliest(lows: list[ir.Value], as_of: dt.datetime | None) -> ir.Value | None:
    """The window start that is surely the earliest, or None when only SQL can tell."""
    if len(lows) == 1:
        return lows[0]
    spans = [_moments(low, as_of) for low in lows]
    if None in spans or len({type(earliest) for earliest, _ in spans}) > 1:
        return None
    for low, (_, latest) in zip(lows, spans):
        if all(latest <= earliest for other, (earliest, _) in zip(lows, spans) if other is not low):
            return low
    return None


def _moments(low: ir.Value, as_of: dt.datetime | None) -> tuple | None:
    """The earliest and latest moment a window start can be: datetimes, or, with the as-of
    left to the warehouse, days from it (negative); None when unknown."""
    if isinstance(low, ir.Const):
        return low.value, low.value
    if isinstance(low, ir.AsOfMinus):
        shortest, longest = _DAYS[low.unit]
        if as_of is None:
            return -low.amount * longest, -low.amount * shortest
        try:
            return as_of - dt.timedelta(days=low.amount * longest), as_of - dt.timedelta(days=low.amount * shortest)
        except OverflowError:
            return None
    return None


# the shortest and longest a unit can be, in days
_DAYS = {"hour": (1 / 24, 1 / 24), "day": (1, 1), "month": (28, 31), "year": (365, 366)}


def table_node(fl: Flavor, table: Table, alias: str | None = None) -> exp.Table:
    parts = [fl.identifier(p) for p in table.parts]
    catalog, db, name = [None] * (3 - len(parts)) + parts
    node = exp.Table(this=name, db=db, catalog=catalog)
    if alias:
        node.set("alias", exp.TableAlias(this=exp.to_identifier(alias)))
    return node


def _literal(fl: Flavor, value) -> exp.Expression:
    if isinstance(value, bool):
        return fl.bool_literal(value)
    if isinstance(value, int):
        return fl.integer(value)
    if isinstance(value, dt.datetime):
        return fl.timestamp(value)
    if isinstance(value, dt.date):
        return fl.date(value)
    if isinstance(value, str):
        return exp.Literal.string(value)
    return exp.Literal.number(str(value))


def _wrap(e: exp.Expression) -> exp.Expression:
    """Parenthesise an operand that is itself an operation: sqlglot does not add them."""
    if isinstance(e, (exp.Binary, exp.Not, exp.Neg, exp.Is, exp.In, exp.Escape)):
        return exp.Paren(this=e)
    return e


def _join(items: list[exp.Expression], connector: type[exp.Connector]) -> exp.Expression:
    """`a AND b AND c` (or OR), joined to the left, an AND or OR among the items in
    parentheses: the tree exp.and_ / exp.or_ build, without their parse-or-copy step per
    item, which cost a tenth of building a statement."""
    if len(items) == 1:
        return items[0]
    wrapped = [exp.Paren(this=i) if isinstance(i, exp.Connector) else i for i in items]
    joined = wrapped[0]
    for item in wrapped[1:]:
        joined = connector(this=joined, expression=item)
    return joined


_NEGATED = {_BINARY[op]: _BINARY[negated] for op, negated in _NEGATE.items()}  # by sqlglot class


def _invert(comparison: exp.Expression) -> exp.Expression:
    return _NEGATED[type(comparison)](this=comparison.this, expression=comparison.expression)
