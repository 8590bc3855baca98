"""The shapes that make segdsl's SQL fast (issue 4, README "What compiling gives"), checked
on the statements' trees: the golden snapshots pin the text, these say what must hold
whatever the text becomes. bench/ measures what the shapes are worth."""

import datetime as dt
from collections import Counter

import pytest
import sqlglot
from sqlglot import exp

import segdsl
from conftest import EXAMPLE, ROOT

AS_OF = dt.datetime(2026, 6, 30)
EXAMPLES = segdsl.load_project(EXAMPLE)
BENCH = segdsl.load_project(ROOT / "bench" / "project")
BENCH_CONFIG = (ROOT / "bench" / "project" / "segdsl.toml").read_text()
ENTITY = "analytics.customers"
EVENT_TABLES = {"analytics.orders", "analytics.events"}


def tree(sql: str, dialect: str = "duckdb") -> exp.Select:
    return sqlglot.parse_one(sql, read=dialect)


def scans(statement: exp.Expression) -> Counter:
    """How often each warehouse table is read (CTEs are not counted)."""
    return Counter(f"{t.db}.{t.name}" for t in statement.find_all(exp.Table) if t.db)


def bench_project(source: str, config: str = BENCH_CONFIG) -> segdsl.Project:
    """Segments over the bench project's tables."""
    return segdsl.project_from_sources(config, {"a.seg": source})


def only_pass(project: segdsl.Project, segment: str = "s") -> exp.Select:
    (p,) = passes(tree(project.compile_segment(segment, "duckdb", AS_OF)))
    return p


def passes(statement: exp.Expression) -> list[exp.Select]:
    """The grouped passes over event tables."""
    return [s for s in statement.find_all(exp.Select)
            if s.args.get("group") and any(f"{t.db}.{t.name}" in EVENT_TABLES for t in s.args["from_"].find_all(exp.Table))]


def scan_where(p: exp.Select) -> exp.Expression:
    """A pass's WHERE: its own, or its scan's where that computes flags (a subquery)."""
    scan = p.args["from_"].this
    return (scan.this if isinstance(scan, exp.Subquery) else p).args["where"]


def statements():
    for project in (EXAMPLES, BENCH):
        for name in project.segments:
            yield name, tree(project.compile_segment(name, "duckdb", AS_OF))
        for shape in ("long", "wide"):
            yield f"all {shape}", tree(project.compile_many(None, "duckdb", AS_OF, shape))


STATEMENTS = list(statements())


@pytest.mark.parametrize("name, statement", STATEMENTS, ids=[n for n, _ in STATEMENTS])
def test_each_event_table_is_read_once_per_statement(name, statement):
    """However many predicates, segments, traits and percentages a statement holds, each
    event table is scanned by one grouped pass."""
    counts = scans(statement)
    assert all(counts[t] <= 1 for t in EVENT_TABLES), counts
    assert len(passes(statement)) == sum(counts[t] for t in EVENT_TABLES)


@pytest.mark.parametrize("name, statement", STATEMENTS, ids=[n for n, _ in STATEMENTS])
def test_a_pass_computes_each_aggregate_once(name, statement):
    for p in passes(statement):
        aggregates = [e.this.sql("duckdb") for e in p.expressions if isinstance(e, exp.Alias)]
        assert len(aggregates) == len(set(aggregates)), aggregates


def test_fifty_segments_together_read_each_table_once():
    statement = tree(BENCH.compile_many(None, "duckdb", AS_OF, "wide"))
    assert len(BENCH.segments) >= 50
    assert {t: n for t, n in scans(statement).items() if t != ENTITY} == {t: 1 for t in EVENT_TABLES}


def test_each_ranked_value_is_ranked_once():
    """`top/bottom P%` ranks the whole population by a value: one more read of the entity
    table per value and direction ranked, however many percentages and segments use it."""
    project = bench_project((
        "segment one: top 5% by lifetime_value or (top 10% by lifetime_value and not top 50% by lifetime_value)\n"
        "segment two: top 5% by lifetime_value and top 1% by count(purchase)\n"
        "segment three: bottom 10% by lifetime_value or bottom 20% by lifetime_value\n"
        "segment four: top 5% by count(purchase, last 7 days) or top 9% by count(purchase, last 168 hours)\n"))
    reads = {name: scans(tree(project.compile_segment(name, "duckdb", AS_OF)))[ENTITY] for name in project.segments}
    assert reads == {"one": 2, "two": 3, "three": 2, "four": 2}  # as of a moment, 7 days is 168 hours
    assert scans(tree(project.compile_many(None, "duckdb", AS_OF, "wide")))[ENTITY] == 5


def test_a_trait_used_many_times_adds_its_aggregates_once():
    trait = "trait engaged = 3 * count(purchase, last 90 days) + count(page_view, last 30 days)\n"
    once = bench_project(trait + "segment s: engaged > 5\n")
    thrice = bench_project(trait + (
        "segment s: engaged > 5 and (engaged < 100 or engaged = 7) and count(purchase, last 90 days) > 1\n"))
    width = [[len(p.expressions) for p in passes(tree(project.compile_segment("s", "duckdb", AS_OF)))]
             for project in (once, thrice)]
    assert width[0] == width[1] == [2, 2]  # the key and one aggregate, per table


def test_a_test_several_aggregates_make_is_computed_once_per_row():
    """Fifty segments test a handful of event types and windows: each is one flag column of
    its pass's scan, and the aggregates read the flag."""
    statement = tree(BENCH.compile_many(None, "duckdb", AS_OF, "wide"))
    for p in passes(statement):
        scan = p.args["from_"].this
        assert isinstance(scan, exp.Subquery), p.sql("duckdb")
        flags = {e.alias: e.this.sql("duckdb") for e in scan.this.expressions if isinstance(e, exp.Alias)}
        assert flags and len(set(flags.values())) == len(flags)
        tests = Counter(t.sql("duckdb") for select in p.expressions for case in select.find_all(exp.Case)
                        for t in conjuncts(case.args["ifs"][0].this))
        assert all(n == 1 for t, n in tests.items() if t not in {f"ev.{f}" for f in flags}), tests
        assert set(flags.values()).isdisjoint(tests)


def conjuncts(condition: exp.Expression) -> list[exp.Expression]:
    return list(condition.flatten()) if isinstance(condition, exp.And) else [condition]


def test_flag_columns_are_named_apart_from_the_tables_columns():
    config = BENCH_CONFIG.replace("[events.purchase.columns]", '[events.purchase.columns]\nf1 = "int"\nf2 = "int"')
    p = only_pass(bench_project(
        "segment s: count(purchase, last 30 days) > 1 and sum(purchase.f1, last 30 days) > 2 and sum(purchase.f2) > 3\n",
        config))
    scan = p.args["from_"].this.this
    assert [e.alias for e in scan.expressions if isinstance(e, exp.Alias)] == ["f3"]  # f1, f2: columns
    assert {e.name for e in scan.expressions if isinstance(e, exp.Column)} == {"customer_id", "f1", "f2"}


def test_a_filter_every_aggregate_shares_is_in_the_scans_where():
    """Also across events told apart by their filters: no flag for it."""
    p = only_pass(bench_project(
        'segment s: count(page_view[category = "shoes"]) > 2 and count(add_to_cart[category = "shoes"]) > 1\n'))
    assert "category = 'shoes'" in p.args["where"].sql("duckdb") and not isinstance(p.args["from_"].this, exp.Subquery)


def test_an_aggregate_over_the_scans_window_tests_nothing_more():
    p = only_pass(BENCH, "m0001_pct")  # 365 days and 7 days
    assert [type(e.this).__name__ for e in p.expressions[1:]] == ["Sum", "Count"]
    assert not list(p.expressions[1].find_all(exp.Case)) and list(p.expressions[2].find_all(exp.Case))


@pytest.mark.parametrize("as_of", [AS_OF, None], ids=["as_of", "warehouse_time"])
def test_the_widest_window_bounds_the_scan_whatever_its_unit(as_of):
    """7 days and 2 months: the scan starts 2 months back (a day count from a given as-of
    is a literal, a month count is not), and the 2-month count tests nothing more."""
    project = bench_project("segment s: count(purchase, last 7 days) >= 1 and count(purchase, last 2 months) > 3\n")
    (p,) = passes(tree(project.compile_segment("s", "duckdb", as_of)))
    assert not list(scan_where(p).find_all(exp.Least, exp.Case)), p.sql("duckdb")
    assert [bool(list(e.find_all(exp.Case))) for e in p.expressions[1:]] == [True, False], p.sql("duckdb")


def test_attribute_predicates_compare_bare_columns_with_literals():
    """Nothing wraps an entity column that an engine could prune or index by, and a
    segment of attributes alone is one scan of the entity table, with no join."""
    statement = tree(BENCH.compile_segment("typical_attr", "duckdb", AS_OF))
    assert scans(statement) == Counter({ENTITY: 1})
    assert not list(statement.find_all(exp.Join)) and not statement.args.get("with_")
    comparisons = [c for c in statement.args["where"].find_all(exp.Binary)
                   if isinstance(c, (exp.EQ, exp.NEQ, exp.GT, exp.GTE, exp.LT, exp.LTE))]
    assert comparisons
    for c in comparisons:
        assert isinstance(c.this, exp.Column), c.sql()
        assert isinstance(c.expression, (exp.Literal, exp.Cast)) and not list(c.expression.find_all(exp.Column)), c.sql()


def test_a_pass_reads_only_the_rows_its_windows_can_count():
    """The as-of, the event filter and the widest window are in the pass's WHERE, where the
    engine prunes by them; the rows of no window are never aggregated."""
    statement = tree(BENCH.compile_segment("typical_mixed", "duckdb", AS_OF))
    for p in passes(statement):
        where = scan_where(p)
        time = next(c for c in where.find_all(exp.LTE)).this
        lows = [c for c in where.find_all(exp.GTE) if c.this == time]
        assert lows, p.sql("duckdb")
    events = next(p for p in passes(statement) if "analytics.events" in scans(p))
    assert "event_type" in scan_where(events).sql("duckdb")
