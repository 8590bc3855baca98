"""Differential test: segdsl-compiled SQL on DuckDB against the independent oracle.

The oracle (tests/oracle) is written from LANGUAGE.md only. For each generated project
we compile every segment with segdsl, run the SQL on an in-memory DuckDB loaded with
the generated data, and compare the member keys with the pure-Python evaluator.
"""

from __future__ import annotations

import datetime as dt
import itertools

import duckdb
import pytest
from hypothesis import HealthCheck, given, settings

import segdsl
from conftest import at_warehouse_time
from oracle.evaluate import evaluate
from oracle.model import (
    TABLES, TOML, Agg, Ago, And, Arith, BeforeAfter, Cmp, Col, Did, Flag, Func, InLast, InList,
    InSegment, IsNull, LastWindow, Lit, Not, Or, Percentile, Range, RangeWindow,
    SegmentDef, StrMatch, TraitDef, TraitRef, render,
)
from oracle.strategies import scenarios

# --------------------------------------------------------------------------- harness


def load(data: dict) -> duckdb.DuckDBPyConnection:
    con = duckdb.connect()
    con.execute("CREATE SCHEMA analytics")
    for table, cols in TABLES.items():
        con.execute(f"CREATE TABLE analytics.{table} ("
                    + ", ".join(f"{c} {t}" for c, t in cols) + ")")
        rows = [tuple(r.get(c) for c, _ in cols) for r in data.get(table, [])]
        if rows:
            marks = ", ".join("?" for _ in cols)
            con.executemany(f"INSERT INTO analytics.{table} VALUES ({marks})", rows)
    return con


def _fmt_data(data: dict) -> str:
    out = []
    for table, rows in data.items():
        out.append(f"  {table}:")
        out.extend(f"    {r}" for r in rows)
    return "\n".join(out)


def check_project(definitions, sources: dict, data: dict, as_of: dt.datetime,
                  segments=None) -> None:
    """Compile every (or the named) segment, as of `as_of` and at the warehouse's time
    stopped there, and compare SQL-on-DuckDB with the oracle."""
    text = "\n".join(f"# --- {p}\n{s}" for p, s in sources.items())
    try:
        project = segdsl.project_from_sources(TOML, sources)
    except segdsl.SegdslError as e:  # a generated project is always valid
        pytest.fail(f"segdsl rejected a valid project:\n{text}\n"
                    f"diagnostics: {getattr(e, 'diagnostics', e)!r}")
    names = segments or [d.name for d in definitions if isinstance(d, SegmentDef)]
    con = load(data)
    try:
        for name, clock in itertools.product(names, ("as of", "at the warehouse's time")):
            try:
                sql = (project.compile_segment(name, dialect="duckdb", as_of=as_of) if clock == "as of"
                       else at_warehouse_time(project, name, "duckdb", as_of))
            except segdsl.SegdslError as e:
                pytest.fail(f"segdsl rejected segment {name}:\n{text}\n"
                            f"diagnostics: {getattr(e, 'diagnostics', e)!r}")
            context = (f"segment {name} ({clock} {as_of.isoformat()})\n--- source\n{text}\n"
                       f"--- sql\n{sql}\n--- data\n{_fmt_data(data)}")
            try:
                cur = con.execute(sql)
                rows = cur.fetchall()
                columns = [d[0] for d in cur.description]
            except duckdb.Error as e:
                pytest.fail(f"DuckDB failed on the compiled SQL: {e}\n{context}")
            assert columns == ["customer_id"], f"result columns {columns}\n{context}"
            got = [r[0] for r in rows]
            assert len(got) == len(set(got)), f"duplicate members {sorted(got)}\n{context}"
            expected = evaluate(definitions, name, data, as_of)
            got_set = set(got)
            assert got_set == expected, (
                f"member mismatch: only in SQL {sorted(got_set - expected)}, "
                f"only in oracle {sorted(expected - got_set)}\n{context}")
    finally:
        con.close()


# --------------------------------------------------------------------------- property


@settings(max_examples=150, deadline=None, derandomize=True, print_blob=True,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large,
                                 HealthCheck.large_base_example, HealthCheck.filter_too_much])
@given(scenarios())
def test_compiled_sql_matches_oracle(sc):
    check_project(sc.definitions, sc.sources, sc.data, sc.as_of, sc.segment_names)


# --------------------------------------------------------------------------- examples

AS_OF = dt.datetime(2024, 3, 31, 12, 0, 0)


def C(cid, **kw):
    row = {"customer_id": cid, "age": None, "country": None, "name": None,
           "signup_at": None, "birth_date": None, "ltv": None, "credit": None,
           "is_subscribed": None}
    row.update(kw)
    return row


def O(cid, at, amount=None, category=None):
    return {"customer_id": cid, "ordered_at": at, "amount": amount, "category": category}


def E(cid, at, event_type, value=None, campaign=None):
    return {"customer_id": cid, "occurred_at": at, "event_type": event_type,
            "value": value, "campaign": campaign}


def run_examples(segments: dict, data: dict, as_of=AS_OF, expected: dict | None = None,
                 traits: dict | None = None):
    # names get a prefix so that short names like `before` or `min` are not keywords
    defs = [TraitDef(n, v) for n, v in (traits or {}).items()]
    defs += [SegmentDef(f"seg_{n}", p) for n, p in segments.items()]
    sources = {"segments/t.seg": render(defs)}
    # the oracle itself must give the hand-derived answer ...
    for name, want in (expected or {}).items():
        assert evaluate(defs, f"seg_{name}", data, as_of) == want, name
    # ... and the compiled SQL must agree with the oracle
    check_project(defs, sources, data, as_of)


def test_window_boundaries_to_the_second():
    s = dt.timedelta(seconds=1)
    b = AS_OF - dt.timedelta(days=7)
    data = {"customers": [C(i) for i in range(1, 7)],
            "orders": [O(1, b), O(2, b - s), O(3, AS_OF), O(4, AS_OF + s), O(5, None),
                       O(None, AS_OF)],
            "events": []}
    run_examples({"w": Did("purchase", window=LastWindow(7, "day")),
                  "nw": Did("purchase", window=LastWindow(7, "day"), negated=True),
                  "any": Did("purchase")},
                 data, expected={"w": {1, 3}, "nw": {2, 4, 5, 6}, "any": {1, 2, 3}})


def test_month_window_clamps_to_month_end():
    as_of = dt.datetime(2024, 3, 31, 0, 0, 0)
    data = {"customers": [C(1, signup_at=dt.datetime(2024, 2, 29)),
                          C(2, signup_at=dt.datetime(2024, 2, 28, 23, 59, 59)),
                          C(3, signup_at=as_of), C(4, signup_at=as_of + dt.timedelta(seconds=1))],
            "orders": [O(1, dt.datetime(2024, 2, 29)), O(2, dt.datetime(2024, 2, 28, 23, 59, 59))],
            "events": []}
    run_examples({"m": InLast(Col("signup_at"), 1, "month"),
                  "c": Cmp(">=", Agg("count", "purchase", window=LastWindow(1, "month")), Lit(1, "int"))},
                 data, as_of, expected={"m": {1, 3}, "c": {1}})


def test_future_events_never_count():
    f = AS_OF + dt.timedelta(seconds=1)
    data = {"customers": [C(1), C(2)],
            "orders": [O(1, f, 10.0), O(2, AS_OF, 5.0)],
            "events": [E(1, f, "add_to_cart", 1.0)]}
    run_examples({
        "did": Did("purchase"),
        "open": Did("purchase", window=RangeWindow(Lit(dt.date(2024, 1, 1), "date"), None)),
        "cnt0": Cmp("=", Agg("count", "purchase"), Lit(0, "int")),
        "sum0": Cmp("=", Agg("sum", "purchase", column="amount"), Lit(0, "int")),
        "lastnull": IsNull(Agg("last", "purchase")),
        "cart": Did("add_to_cart"),
    }, data, expected={"did": {2}, "open": {2}, "cnt0": {1}, "sum0": {1}, "lastnull": {1},
                       "cart": set()})


def test_not_is_exact_complement_with_missing_values():
    data = {"customers": [C(1, age=30, country="US"), C(2, age=29, country="FR"), C(3)],
            "orders": [], "events": []}
    run_examples({
        "ge": Cmp(">=", Col("age"), Lit(30, "int")),
        "notge": Not(Cmp(">=", Col("age"), Lit(30, "int"))),
        "ne": Cmp("!=", Col("country"), Lit("US", "string")),
        "notin": InList(Col("country"), (Lit("US", "string"),), negated=True),
        "notne": Not(Cmp("!=", Col("country"), Lit("US", "string"))),
        "notnotin": Not(InList(Col("country"), (Lit("US", "string"),), negated=True)),
        "notflag": Not(Flag(Col("is_subscribed"))),
        "div0": Not(Cmp(">", Arith("/", Col("age"), Lit(0, "int")), Lit(0, "int"))),
    }, data, expected={"ge": {1}, "notge": {2, 3}, "ne": {2}, "notin": {2},
                       "notne": {1, 3}, "notnotin": {1, 3}, "notflag": {1, 2, 3},
                       "div0": {1, 2, 3}})


def test_percentile_ties_and_missing():
    data = {"customers": [C(1, ltv=100.0), C(2, ltv=50.0), C(3, ltv=50.0), C(4, ltv=10.0),
                          C(5, ltv=0.0), C(6)],
            "orders": [O(1, AS_OF, 1.0), O(2, AS_OF, 2.0)], "events": []}
    # 5 ranked rows; top 25%: greater/(5-1) <= 0.25 -> greater <= 1 -> ltv 100 and 50s
    run_examples({
        "top25": Percentile("top", 25, Col("ltv")),
        "top0": Percentile("top", 0, Col("ltv")),
        "bottom25": Percentile("bottom", 25, Col("ltv")),
        "nottop": Not(Percentile("top", 25, Col("ltv"))),
        "us_top": And(Cmp(">", Col("ltv"), Lit(60, "int")), Percentile("top", 50, Col("ltv"))),
        # count never missing: 6 ranked, 4 rows at 0; top 30%: greater/5 <= 0.3 -> rows 1, 2
        "cnt": Percentile("top", 30, Agg("count", "purchase")),
        "bcnt": Percentile("bottom", 10, Agg("sum", "purchase", column="amount")),
    }, data, expected={"top25": {1, 2, 3}, "top0": {1}, "bottom25": {4, 5},
                       "nottop": {4, 5, 6}, "us_top": {1}, "cnt": {1, 2},
                       "bcnt": {3, 4, 5, 6}})


def test_lone_ranked_row_is_member():
    data = {"customers": [C(1, credit=-5), C(2)], "orders": [], "events": []}
    run_examples({"t": Percentile("top", 0, Col("credit")),
                  "b": Percentile("bottom", 0, Col("credit"))},
                 data, expected={"t": {1}, "b": {1}})


def test_like_wildcards_quotes_and_backslashes_are_literal():
    names = ["50%", "5_0", "a\\b", "o'neil", 'say "hi"', "500", "abc", "é日本", None]
    data = {"customers": [C(i + 1, name=n) for i, n in enumerate(names)],
            "orders": [], "events": []}
    run_examples({
        "pct": StrMatch("contains", Col("name"), "%"),
        "under": StrMatch("contains", Col("name"), "_"),
        "bs": StrMatch("contains", Col("name"), "\\"),
        "quote": StrMatch("starts", Col("name"), "o'"),
        "dq": StrMatch("ends", Col("name"), '"'),
        "eq": Cmp("=", Col("name"), Lit("a\\b", "string")),
        "re": StrMatch("matches", Col("name"), "^[0-9]+$"),
        "uni": StrMatch("contains", Func("upper", Col("name")), "É"),
        "notc": Not(StrMatch("contains", Col("name"), "%")),
    }, data, expected={"pct": {1}, "under": {2}, "bs": {3}, "quote": {4}, "dq": {5},
                       "eq": {3}, "re": {6}, "uni": {8},
                       "notc": {2, 3, 4, 5, 6, 7, 8, 9}})


def test_dates_against_timestamps():
    june30 = dt.datetime(2025, 6, 30)
    data = {"customers": [C(1, signup_at=june30), C(2, signup_at=june30 + dt.timedelta(seconds=1)),
                          C(3, signup_at=dt.datetime(2025, 6, 30, 23, 59, 59)),
                          C(4, signup_at=dt.datetime(2025, 7, 1)), C(5)],
            "orders": [], "events": []}
    as_of = dt.datetime(2026, 1, 1)
    d = lambda *a: Lit(dt.date(*a), "date")
    run_examples({
        "le": Cmp("<=", Col("signup_at"), d(2025, 6, 30)),
        "before": BeforeAfter("before", Col("signup_at"), d(2025, 7, 1)),
        "after": BeforeAfter("after", Col("signup_at"), d(2025, 6, 30)),
        "range": Range(Col("signup_at"), d(2025, 6, 1), d(2025, 6, 30)),
        "hi": Range(Col("signup_at"), None, d(2025, 6, 30)),
    }, data, as_of, expected={"le": {1}, "before": {1, 2, 3}, "after": {2, 3, 4},
                              "range": {1, 2, 3}, "hi": {1, 2, 3}})


def test_event_filters_aggregates_and_windows():
    d = lambda *a: Lit(dt.date(*a), "date")
    data = {"customers": [C(1), C(2), C(3)],
            "orders": [O(1, dt.datetime(2024, 1, 1), 10.0, "shoes"),
                       O(1, dt.datetime(2024, 3, 31, 23, 59, 59), 20.0, "shoes"),
                       O(1, dt.datetime(2023, 12, 31, 23, 59, 59), 40.0, "hats"),
                       O(2, dt.datetime(2024, 2, 1), None, "shoes"),
                       O(2, dt.datetime(2024, 2, 2), 5.0, None)],
            "events": [E(1, dt.datetime(2024, 3, 1), "add_to_cart", 3.0),
                       E(2, dt.datetime(2024, 3, 1), "page_view", 3.0),
                       E(3, dt.datetime(2024, 3, 1), None, 3.0),
                       E(3, dt.datetime(2024, 3, 1), "email_open", None, "spring")]}
    as_of = dt.datetime(2024, 4, 2)
    shoes = Cmp("=", Col("category"), Lit("shoes", "string"))
    run_examples({
        # whole-day date range: 2024-01-01 .. 2024-03-31 includes 23:59:59 of Mar 31
        "q1": Cmp("=", Agg("sum", "purchase", shoes, "amount",
                           RangeWindow(d(2024, 1, 1), d(2024, 3, 31))), Lit(30, "int")),
        "notshoes": Cmp(">=", Agg("count", "purchase", Not(shoes)), Lit(1, "int")),
        "avg": Cmp("=", Agg("avg", "purchase", None, "amount"), Lit(5.0, "float")),
        "min": Cmp("<", Agg("min", "purchase", None, "amount"), Lit(20, "int")),
        "cnt_rows": Cmp("=", Agg("count", "purchase", None, None,
                                 RangeWindow(d(2024, 2, 1), None)), Lit(2, "int")),
        "cart": Did("add_to_cart"),
        "email": Did("email_open", StrMatch("starts", Col("campaign"), "spr")),
    }, data, as_of, expected={"q1": {1}, "notshoes": {1, 2}, "avg": {2}, "min": {1, 2},
                              "cnt_rows": {2}, "cart": {1}, "email": {3}})


def test_traits_segments_and_uppercase_keywords():
    data = {"customers": [C(1, age=35), C(2, age=35), C(3, age=20), C(4)],
            "orders": [O(1, AS_OF - dt.timedelta(days=1), 5.0), O(1, AS_OF, 5.0),
                       O(2, AS_OF - dt.timedelta(days=100), 5.0)],
            "events": []}
    defs = [TraitDef("orders_90d", Agg("count", "purchase", window=LastWindow(90, "day"))),
            SegmentDef("engaged", And(Range(Col("age"), Lit(30, "int"), Lit(50, "int")),
                                      Cmp(">=", TraitRef("orders_90d"), Lit(2, "int")))),
            SegmentDef("not_engaged", Not(InSegment("engaged"))),
            SegmentDef("lapsed", And(InSegment("not_engaged"),
                                     BeforeAfter("before", Agg("last", "purchase"),
                                                 Ago(90, "day"))))]
    assert evaluate(defs, "engaged", data, AS_OF) == {1}
    assert evaluate(defs, "not_engaged", data, AS_OF) == {2, 3, 4}
    assert evaluate(defs, "lapsed", data, AS_OF) == {2}
    # reverse order, upper-case keywords, split across two files
    sources = {"segments/a.seg": render(defs[::-1][:2], upper=True),
               "segments/sub/b.seg": render(defs[::-1][2:], upper=True)}
    check_project(defs, sources, data, AS_OF)


def test_signed_range_bounds():
    data = {"customers": [C(1, credit=-100), C(2, credit=0), C(3, credit=-101), C(4, credit=1),
                          C(5)], "orders": [], "events": []}
    run_examples({"r": Range(Col("credit"), Lit(-100, "int"), Lit(0, "int")),
                  "lo": Range(Col("credit"), Lit(-100, "int"), None),
                  "hi": Range(Col("credit"), None, Lit(-1, "int"))},
                 data, expected={"r": {1, 2}, "lo": {1, 2, 4}, "hi": {1, 3}})
