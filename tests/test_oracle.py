"""Unit tests of the oracle itself (no segdsl needed): hand-derived values from LANGUAGE.md."""

from __future__ import annotations

import datetime as dt

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from oracle.evaluate import evaluate, evaluate_pred, minus_duration, sub_months
from oracle.model import (
    Agg, Ago, And, Arith, BeforeAfter, Cmp, Col, Did, Flag, Func, InLast, InList,
    InSegment, IsNull, LastWindow, Lit, Not, Or, Percentile, Range, RangeWindow,
    SegmentDef, StrMatch, TraitDef, TraitRef, render,
)
from oracle.strategies import make_vocab, projects, datasets, AS_OFS, scenarios

AS_OF = dt.datetime(2024, 3, 31, 12, 0, 0)
D = lambda *a: Lit(dt.date(*a), "date")  # noqa: E731
T = lambda *a: Lit(dt.datetime(*a), "timestamp")  # noqa: E731
I = lambda n: Lit(n, "int")  # noqa: E731
S = lambda s: Lit(s, "string")  # noqa: E731


def cust(cid, **kw):
    row = dict.fromkeys(["age", "country", "name", "signup_at", "birth_date", "ltv",
                         "credit", "is_subscribed"])
    row["customer_id"] = cid
    row.update(kw)
    return row


def data(customers, orders=(), events=()):
    return {"customers": list(customers), "orders": list(orders), "events": list(events)}


def order(cid, at, amount=None, category=None):
    return {"customer_id": cid, "ordered_at": at, "amount": amount, "category": category}


def event(cid, at, event_type, value=None, campaign=None):
    return {"customer_id": cid, "occurred_at": at, "event_type": event_type, "value": value,
            "campaign": campaign}


# --------------------------------------------------------------------------- time arithmetic


def test_calendar_arithmetic():
    assert sub_months(dt.datetime(2024, 3, 31, 5), 1) == dt.datetime(2024, 2, 29, 5)
    assert sub_months(dt.datetime(2023, 3, 31), 1) == dt.datetime(2023, 2, 28)
    assert sub_months(dt.datetime(2024, 1, 15), 2) == dt.datetime(2023, 11, 15)
    assert minus_duration(dt.datetime(2024, 2, 29), 1, "year") == dt.datetime(2023, 2, 28)
    assert minus_duration(dt.datetime(2024, 3, 31), 2, "weeks") == dt.datetime(2024, 3, 17)
    assert minus_duration(dt.datetime(2024, 3, 1), 3, "hour") == dt.datetime(2024, 2, 29, 21)


# --------------------------------------------------------------------------- rendering


def test_render_forms():
    assert render(Range(Col("credit"), I(-100), I(0))) == "credit -100..0"
    assert render(Range(Col("age"), I(30), None)) == "age 30.."
    assert render(Range(Col("ltv"), None, Lit(2.5, "float"))) == "ltv ..2.5"
    assert render(StrMatch("contains", Col("name"), 'a"b\\c')) == 'name contains "a\\"b\\\\c"'
    assert render(StrMatch("starts", Col("name"), "x")) == 'name starts with "x"'
    assert render(Did("purchase", window=LastWindow(7, "day"))) == "did purchase in last 7 days"
    assert render(Did("purchase", negated=True, window=LastWindow(1, "week"))) == \
        "did not purchase in last 1 week"
    assert render(Cmp(">=", Agg("count", "purchase", Cmp("=", Col("category"), S("x")),
                                window=LastWindow(90, "day")), I(2))) == \
        'count(purchase[category = "x"], last 90 days) >= 2'
    assert render(Agg("sum", "purchase", None, "amount", RangeWindow(D(2024, 1, 1), None))) == \
        "sum(purchase.amount, 2024-01-01..)"
    assert render(Agg("avg", "purchase", None, "amount", RangeWindow(D(2024, 1, 1), D(2024, 3, 31)))) == \
        "avg(purchase.amount, 2024-01-01..2024-03-31)"
    assert render(Percentile("top", 10, Agg("sum", "purchase", None, "amount"))) == \
        "top 10% by sum(purchase.amount)"
    assert render(BeforeAfter("before", Agg("last", "purchase"), Ago(180, "day"))) == \
        "last(purchase) before 180 days ago"
    assert render(Cmp("<", Col("signup_at"), T(2024, 3, 1, 12, 30, 0))) == \
        "signup_at < 2024-03-01T12:30:00"
    assert render(Not(And(InSegment("a"), Flag(Col("is_subscribed"))))) == \
        "not ((in segment a) and (is_subscribed))"
    assert render(InList(Col("country"), (S("US"), S("FR")), negated=True)) == \
        'country not in ["US", "FR"]'
    assert render(Cmp(">", Arith("-", Col("age"), I(-3)), Lit(1.0, "float"))) == "(age - -3) > 1.0"
    assert render(IsNull(Func("lower", Col("name")), negated=True), upper=True) == \
        "lower(name) IS NOT NULL"
    assert render([TraitDef("t", Col("age"), 'a "q"'), SegmentDef("s", Flag(TraitRef("t")))]) == \
        'trait t "a \\"q\\"" = age\n\nsegment s:\n    t\n\n'


# --------------------------------------------------------------------------- semantics


def test_missing_values_two_valued():
    ds = data([cust(1, age=30, country="US"), cust(2, age=29, country="CA"), cust(3)])
    assert evaluate_pred(Cmp(">=", Col("age"), I(30)), ds, AS_OF) == {1}
    assert evaluate_pred(Not(Cmp(">=", Col("age"), I(30))), ds, AS_OF) == {2, 3}
    assert evaluate_pred(Cmp("!=", Col("country"), S("US")), ds, AS_OF) == {2}
    assert evaluate_pred(InList(Col("country"), (S("US"),), True), ds, AS_OF) == {2}
    assert evaluate_pred(IsNull(Col("age")), ds, AS_OF) == {3}
    assert evaluate_pred(Or(IsNull(Col("age")), Cmp("<", Col("age"), I(30))), ds, AS_OF) == {2, 3}
    # division by zero is missing, arithmetic over missing is missing
    assert evaluate_pred(IsNull(Arith("/", Col("age"), I(0))), ds, AS_OF) == {1, 2, 3}
    assert evaluate_pred(Cmp("=", Arith("/", Col("age"), I(4)), Lit(7.5, "float")), ds, AS_OF) == {1}


def test_dates_stand_for_midnight_and_ranges_cover_whole_days():
    j30 = dt.datetime(2025, 6, 30)
    ds = data([cust(1, signup_at=j30), cust(2, signup_at=j30 + dt.timedelta(hours=23, minutes=59, seconds=59)),
               cust(3, signup_at=dt.datetime(2025, 7, 1)), cust(4, birth_date=dt.date(2025, 6, 30))])
    as_of = dt.datetime(2026, 1, 1)
    assert evaluate_pred(Cmp("<=", Col("signup_at"), D(2025, 6, 30)), ds, as_of) == {1}
    assert evaluate_pred(BeforeAfter("before", Col("signup_at"), D(2025, 7, 1)), ds, as_of) == {1, 2}
    assert evaluate_pred(Range(Col("signup_at"), D(2025, 6, 1), D(2025, 6, 30)), ds, as_of) == {1, 2}
    assert evaluate_pred(Range(Col("signup_at"), T(2025, 6, 1, 0, 0, 0), T(2025, 6, 30, 0, 0, 0)),
                         ds, as_of) == {1}
    assert evaluate_pred(Cmp("=", Col("birth_date"), T(2025, 6, 30, 0, 0, 0)), ds, as_of) == {4}
    assert evaluate_pred(Range(Col("birth_date"), D(2025, 6, 30), D(2025, 6, 30)), ds, as_of) == {4}


def test_windows_future_events_and_empty_aggregates():
    s = dt.timedelta(seconds=1)
    b90 = AS_OF - dt.timedelta(days=90)
    ds = data([cust(1), cust(2), cust(3), cust(4)],
              [order(1, b90, 10.0), order(1, AS_OF, 20.0), order(2, b90 - s, 5.0),
               order(2, AS_OF + s, 7.0), order(3, None, 1.0), order(None, AS_OF, 1.0),
               order(4, AS_OF, None)])
    cnt = Agg("count", "purchase", window=LastWindow(90, "days"))
    assert evaluate_pred(Cmp(">=", cnt, I(2)), ds, AS_OF) == {1}
    assert evaluate_pred(Cmp("=", cnt, I(0)), ds, AS_OF) == {2, 3}
    total = Agg("sum", "purchase", column="amount")
    assert evaluate_pred(Cmp("=", total, I(0)), ds, AS_OF) == {3, 4}  # none / all-missing
    assert evaluate_pred(Cmp("=", total, I(5)), ds, AS_OF) == {2}  # future 7.0 ignored
    assert evaluate_pred(IsNull(Agg("avg", "purchase", column="amount")), ds, AS_OF) == {3, 4}
    assert evaluate_pred(IsNull(Agg("max", "purchase", column="amount")), ds, AS_OF) == {3, 4}
    assert evaluate_pred(Cmp("=", Agg("count", "purchase"), I(1)), ds, AS_OF) == {2, 4}
    assert evaluate_pred(IsNull(Agg("first", "purchase")), ds, AS_OF) == {3}
    assert evaluate_pred(Cmp("=", Agg("last", "purchase"), T(2024, 3, 31, 12, 0, 0)), ds, AS_OF) == {1, 4}
    assert evaluate_pred(Did("purchase", window=RangeWindow(None, D(2024, 1, 1))), ds, AS_OF) == {1, 2}
    assert evaluate_pred(Did("purchase", window=RangeWindow(D(2024, 3, 31), None)), ds, AS_OF) == {1, 4}


def test_event_table_filters():
    t = dt.datetime(2024, 3, 1)
    ds = data([cust(1), cust(2), cust(3)], [],
              [event(1, t, "add_to_cart", 5.0), event(2, t, "page_view", 5.0),
               event(3, t, None, 5.0), event(3, t, "email_open", None, "a%b")])
    assert evaluate_pred(Did("add_to_cart"), ds, AS_OF) == {1}
    assert evaluate_pred(Cmp(">", Agg("sum", "add_to_cart", column="value"), I(0)), ds, AS_OF) == {1}
    assert evaluate_pred(Did("email_open", StrMatch("contains", Col("campaign"), "%")), ds, AS_OF) == {3}
    assert evaluate_pred(Did("email_open", StrMatch("contains", Col("campaign"), "_")), ds, AS_OF) == set()


def test_string_predicates_are_literal_and_case_sensitive():
    ds = data([cust(1, name="50%"), cust(2, name="5x0"), cust(3, name="Ab_c"), cust(4, name="ab")])
    assert evaluate_pred(StrMatch("contains", Col("name"), "%"), ds, AS_OF) == {1}
    assert evaluate_pred(StrMatch("starts", Col("name"), "a"), ds, AS_OF) == {4}
    assert evaluate_pred(StrMatch("starts", Func("lower", Col("name")), "a"), ds, AS_OF) == {3, 4}
    assert evaluate_pred(StrMatch("matches", Col("name"), "b"), ds, AS_OF) == {3, 4}
    assert evaluate_pred(StrMatch("matches", Col("name"), "^5.0$"), ds, AS_OF) == {2}
    assert evaluate_pred(StrMatch("matches", Col("name"), "^5"), ds, AS_OF) == {1, 2}
    assert evaluate_pred(Cmp("<", Col("name"), S("a")), ds, AS_OF) == {1, 2, 3}


def test_percentiles():
    ds = data([cust(1, ltv=100.0), cust(2, ltv=50.0), cust(3, ltv=50.0), cust(4, ltv=10.0),
               cust(5, ltv=0.0), cust(6, country="US")])
    # 5 ranked rows: member when greater/(5-1) <= P/100
    assert evaluate_pred(Percentile("top", 10, Col("ltv")), ds, AS_OF) == {1}
    assert evaluate_pred(Percentile("top", 25, Col("ltv")), ds, AS_OF) == {1, 2, 3}
    assert evaluate_pred(Percentile("top", 74, Col("ltv")), ds, AS_OF) == {1, 2, 3}
    assert evaluate_pred(Percentile("top", 75, Col("ltv")), ds, AS_OF) == {1, 2, 3, 4}
    assert evaluate_pred(Percentile("bottom", 0, Col("ltv")), ds, AS_OF) == {5}
    assert evaluate_pred(Percentile("top", 100, Col("ltv")), ds, AS_OF) == {1, 2, 3, 4, 5}
    assert evaluate_pred(Not(Percentile("top", 10, Col("ltv"))), ds, AS_OF) == {2, 3, 4, 5, 6}
    # the percentile ranks the whole table, whatever else the segment says
    assert evaluate_pred(And(Cmp("<", Col("ltv"), I(100)), Percentile("top", 25, Col("ltv"))),
                         ds, AS_OF) == {2, 3}
    # count is never missing: rows without events rank at 0 (6 rows, 5 at 0)
    ds2 = data([cust(i) for i in range(1, 7)], [order(1, AS_OF, 1.0)])
    assert evaluate_pred(Percentile("top", 10, Agg("count", "purchase")), ds2, AS_OF) == {1}
    assert evaluate_pred(Percentile("top", 20, Agg("count", "purchase")), ds2, AS_OF) == set(range(1, 7))
    assert evaluate_pred(Percentile("bottom", 0, Agg("sum", "purchase", column="amount")),
                         ds2, AS_OF) == {2, 3, 4, 5, 6}
    # avg is missing without events: only one ranked row -> member
    assert evaluate_pred(Percentile("bottom", 0, Agg("avg", "purchase", column="amount")),
                         ds2, AS_OF) == {1}


def test_traits_and_segment_references():
    ds = data([cust(1, age=35), cust(2, age=35), cust(3)],
              [order(1, AS_OF, 1.0), order(1, AS_OF - dt.timedelta(days=1), 1.0),
               order(2, AS_OF - dt.timedelta(days=200), 1.0)])
    defs = [TraitDef("orders_90d", Agg("count", "purchase", window=LastWindow(90, "day"))),
            SegmentDef("engaged", And(Range(Col("age"), I(30), I(50)),
                                      Cmp(">=", TraitRef("orders_90d"), I(2)))),
            SegmentDef("lapsed", And(Not(InSegment("engaged")),
                                     BeforeAfter("before", Agg("last", "purchase"), Ago(180, "day")))),
            SegmentDef("young", InLast(Col("signup_at"), 1, "year"))]
    assert evaluate(defs, "engaged", ds, AS_OF) == {1}
    assert evaluate(defs, "lapsed", ds, AS_OF) == {2}
    assert evaluate(defs, "young", ds, AS_OF) == set()


# --------------------------------------------------------------------------- generators


@settings(max_examples=150, deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(st.data())
def test_generated_projects_evaluate_and_not_is_complement(d):
    as_of = d.draw(st.sampled_from(AS_OFS))
    vocab = make_vocab(as_of)
    defs = d.draw(projects(vocab))
    ds = d.draw(datasets(vocab))
    everyone = {r["customer_id"] for r in ds["customers"]}
    for seg in [x for x in defs if isinstance(x, SegmentDef)]:
        members = evaluate(defs, seg.name, ds, as_of)
        assert members <= everyone
        negated = defs + [SegmentDef("__neg", Not(seg.pred))]
        assert evaluate(negated, "__neg", ds, as_of) == everyone - members
    assert render(defs)  # renders without error


@settings(max_examples=30, deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(scenarios())
def test_scenarios_render(sc):
    text = sc.source_text()
    for d in sc.definitions:
        assert d.name in text
