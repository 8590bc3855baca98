"""Every segment gives the same members on seven real engines, with default settings.

Three datasets are loaded into every engine, each in its own schema:
  * oracle:    hypothesis-generated segments over one dataset merged from many generated
               scenarios (disjoint keys, each segment keeping its own as-of); every engine
               must return exactly the members the independent evaluator (tests/oracle) gives;
  * crm:       the hand-derived cases of test_semantics.py, with their expected members;
  * analytics: the example project's sample data; every engine must agree with DuckDB
               (which the two layers above pin to LANGUAGE.md).
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from functools import lru_cache

import pytest
from hypothesis import HealthCheck, Phase, given, settings

import engines
import segdsl
from conftest import EXAMPLE, at_warehouse_time
from oracle.evaluate import evaluate
from oracle.model import TABLES, TOML
from oracle.strategies import scenarios
from test_semantics import CASES, CONFIG as SEMANTICS_CONFIG, EVENTS, HELPERS, ORDERS, PEOPLE

_TYPES = {"INTEGER": "int", "DOUBLE": "float", "VARCHAR": "string", "BOOLEAN": "bool",
          "DATE": "date", "TIMESTAMP": "timestamp", "BIGINT": "int"}
GENERATED_SCENARIOS = 60  # about 280 segments
KEY_STRIDE = 1000


@pytest.fixture(scope="module", params=[e for e in engines.ALL], ids=lambda e: e.name)
def engine(request):
    e = request.param()
    e.load("crm", _semantics_dataset())
    e.load("analytics", _example_dataset())
    yield e
    e.close()


def _keys(values) -> set:
    return {int(v) if isinstance(v, (Decimal, float, str)) else v for v in values}


def _sql(project, name, dialect, as_of, warehouse_time: bool = False) -> str:
    """A segment compiled as of `as_of`, or (`warehouse_time`) to the SQL that reads the
    engine's clock, with that clock stopped at `as_of` (at_warehouse_time)."""
    if warehouse_time:
        return at_warehouse_time(project, name, dialect, as_of)
    return project.compile_segment(name, dialect, as_of)


def _run(engine, project, names, as_of, warehouse_time: bool = False) -> dict[str, set]:
    queries = {n: _sql(project, n, engine.dialect, as_of, warehouse_time) for n in names}
    return {n: _keys(rows) for n, rows in engine.run_many(queries).items()}


# --- hand-derived cases ----------------------------------------------------------------


def _semantics_dataset():
    return {
        "people": ([("id", "int"), ("age", "int"), ("name", "string"), ("country", "string"),
                    ("signup_at", "timestamp"), ("birth", "date"), ("credit", "int"), ("score", "float"),
                    ("vip", "bool"), ("first", "int")], PEOPLE),
        "orders": ([("person", "int"), ("at", "timestamp"), ("amount", "float"), ("category", "string")], ORDERS),
        "events": ([("person", "int"), ("at", "timestamp"), ("kind", "string"), ("value", "float")], EVENTS),
    }


@pytest.mark.parametrize("warehouse_time", [False, True], ids=["as_of", "warehouse_time"])
def test_hand_derived_cases(engine, warehouse_time):
    from test_semantics import AS_OF

    cases = [(body, expected) for body, expected in CASES if expected is not None]
    sources = {"s.seg": HELPERS + "\n".join(f"segment c{i}: {body}" for i, (body, _) in enumerate(cases))}
    project = segdsl.project_from_sources(SEMANTICS_CONFIG, sources)
    got = _run(engine, project, [f"c{i}" for i in range(len(cases))], AS_OF, warehouse_time)
    wrong = [(body, expected, got[f"c{i}"]) for i, (body, expected) in enumerate(cases) if got[f"c{i}"] != expected]
    assert not wrong, "\n".join(f"{b}: expected {e}, got {g}" for b, e, g in wrong)


# --- the example corpus ------------------------------------------------------------------


def _example_dataset():
    from segdsl import engine as duck

    project = segdsl.load_project(EXAMPLE)
    con = duck.open_samples(project)
    data = {}
    for (table,) in con.execute("SELECT table_name FROM information_schema.tables ORDER BY 1").fetchall():
        columns = [(name, _TYPES[kind]) for name, kind, *_ in con.execute(f"DESCRIBE analytics.{table}").fetchall()]
        data[table] = (columns, con.execute(f"SELECT * FROM analytics.{table}").fetchall())
    return data


EXAMPLE_AS_OF = dt.datetime(2026, 6, 30)


@pytest.fixture(scope="module")
def example_members():
    duck = engines.DuckDB()
    duck.load("analytics", _example_dataset())
    project = segdsl.load_project(EXAMPLE)
    members = _run(duck, project, project.segments, EXAMPLE_AS_OF)
    duck.close()
    return members


def test_example_corpus(engine, example_members):
    project = segdsl.load_project(EXAMPLE)
    got = _run(engine, project, project.segments, EXAMPLE_AS_OF)
    wrong = {n: (len(example_members[n]), len(got[n])) for n in project.segments if got[n] != example_members[n]}
    assert not wrong, f"segments whose members differ from DuckDB (duckdb, {engine.name}): {wrong}"


def test_all_segments_in_one_statement(engine, example_members):
    """compile_many gives each segment's members, in both shapes, on every engine."""
    project = segdsl.load_project(EXAMPLE)
    long_rows = engine.query(project.compile_many(None, engine.dialect, EXAMPLE_AS_OF, "long"))
    by_segment = {n: _keys(k for k, s in long_rows if s == n) for n in project.segments}
    assert by_segment == example_members
    assert len(long_rows) == sum(len(m) for m in example_members.values())
    wide = engine.query(project.compile_many(project.segments[:5], engine.dialect, EXAMPLE_AS_OF, "wide"))
    assert len(wide) == 400
    for i, name in enumerate(project.segments[:5], start=1):
        assert _keys(row[0] for row in wide if row[i] in (True, 1)) == example_members[name], name


# --- names engines treat specially ----------------------------------------------------------

# Names some engine reserves, as columns (SQLite `add`, PostgreSQL `collation`,
# `current_role`) and as segments, the wide shape's columns (MariaDB `portion`, SQLite
# `transaction`); a key named like the CTEs' key column (`k`, which ClickHouse would give
# back as `e.k`); a segment named like a CTE (`a1`).
AWKWARD_CONFIG = """
[entity]
table = "kw.people"
key = "k"
[entity.columns]
add = "int"
freeze = "int"
collation = "int"
current_role = "int"
[events.visit]
table = "kw.visits"
key = "k"
time = "at"
"""
AWKWARD_SEGMENTS = {
    "deferrable": ("add > 0", {1, 3}),
    "a1": ("top 50% by collation", {3, 4}),  # ranks 0, 1/3 of 3 are within 50%
    "nothing": ("current_role = 1 and did visit in last 30 days", {1, 2}),
    "portion": ("in segment a1 or freeze > 5", {2, 3, 4}),
    "transaction": ("count(visit) >= 1", {1, 2, 3}),
}
AWKWARD_AS_OF = dt.datetime(2026, 1, 31)


def test_names_engines_reserve_or_use_themselves(engine):
    engine.load("kw", {
        "people": ([("k", "int"), ("add", "int"), ("freeze", "int"), ("collation", "int"), ("current_role", "int")],
                   [(1, 1, 0, 10, 1), (2, 0, 6, 20, 1), (3, 5, 2, 30, 0), (4, -1, None, 40, None)]),
        "visits": ([("k", "int"), ("at", "timestamp")],
                   [(1, dt.datetime(2026, 1, 30)), (3, dt.datetime(2025, 12, 22)), (2, dt.datetime(2026, 1, 29))]),
    })
    project = segdsl.project_from_sources(
        AWKWARD_CONFIG, {"s.seg": "".join(f"segment {n}: {body}\n" for n, (body, _) in AWKWARD_SEGMENTS.items())})
    expected = {n: members for n, (_, members) in AWKWARD_SEGMENTS.items()}
    assert _run(engine, project, list(expected), AWKWARD_AS_OF) == expected
    for names in (list(expected), list(reversed(expected))):
        long_rows = engine.query(project.compile_many(names, engine.dialect, AWKWARD_AS_OF, "long"))
        assert {n: _keys(k for k, s in long_rows if s == n) for n in names} == expected
        wide = engine.query(project.compile_many(names, engine.dialect, AWKWARD_AS_OF, "wide"))
        assert {n: _keys(row[0] for row in wide if row[i] in (True, 1)) for i, n in enumerate(names, 1)} == expected


# --- averages of integers ----------------------------------------------------------------

MEANS_CONFIG = """
[entity]
table = "means.people"
key = "k"
[events.buy]
table = "means.buys"
key = "k"
time = "at"
[events.buy.columns]
qty = "int"
"""
# the means: 1 -> 5/3, 2 -> 3/2, 3 -> 2, 4 -> none (missing)
MEANS_SEGMENTS = {
    "thirds": ("avg(buy.qty) * 3 = 5", {1}),
    "half": ("avg(buy.qty) = 1.5", {2}),
    "past_four_places": ("avg(buy.qty) > 1.6666667", {3}),
    "between": ("avg(buy.qty) 1.6666..1.6667", {1}),
}


def test_an_average_of_integers_is_their_true_mean(engine):
    at = dt.datetime(2026, 1, 1)
    engine.load("means", {
        "people": ([("k", "int")], [(1,), (2,), (3,), (4,)]),
        "buys": ([("k", "int"), ("at", "timestamp"), ("qty", "int")],
                 [(1, at, 1), (1, at, 2), (1, at, 2), (2, at, 1), (2, at, 2), (3, at, 2)]),
    })
    project = segdsl.project_from_sources(
        MEANS_CONFIG, {"s.seg": "".join(f"segment {n}: {body}\n" for n, (body, _) in MEANS_SEGMENTS.items())})
    got = _run(engine, project, list(MEANS_SEGMENTS), dt.datetime(2026, 2, 1))
    assert got == {n: members for n, (_, members) in MEANS_SEGMENTS.items()}


# --- generated segments against the oracle ------------------------------------------------


def _merge(scenario_list) -> tuple[dict, engines.Dataset]:
    """One dataset from many scenarios: scenario i's keys are offset by i * KEY_STRIDE."""
    merged = {table: [] for table in TABLES}
    for i, sc in enumerate(scenario_list):
        for table, rows in sc.data.items():
            for row in rows:
                row = dict(row)
                if row.get("customer_id") is not None:
                    row["customer_id"] += i * KEY_STRIDE
                merged[table].append(row)
    dataset = {
        table: ([(c, _TYPES[t]) for c, t in cols], [tuple(r.get(c) for c, _ in cols) for r in merged[table]])
        for table, cols in TABLES.items()
    }
    return merged, dataset


@lru_cache(maxsize=1)
def generated() -> tuple[list, dict, engines.Dataset]:
    """Hypothesis as a deterministic generator: the same scenarios on every run."""
    collected = []

    @settings(max_examples=GENERATED_SCENARIOS, derandomize=True, database=None, phases=[Phase.generate],
              deadline=None, suppress_health_check=list(HealthCheck))
    @given(scenarios(max_customers=5, max_events=8))
    def collect(scenario):
        collected.append(scenario)

    collect()
    return (collected, *_merge(collected))


def test_generated_segments_match_the_oracle(engine):
    """Each generated segment alone, and all of a scenario's segments in one statement
    (compile_many, where their aggregates share passes), give the oracle's members. Every
    other scenario compiles its segments alone at the warehouse's time (at_warehouse_time)
    and together as of its moment, the others the other way round."""
    scenario_list, merged, dataset = generated()
    engine.load("oracle", dataset)
    config = TOML.replace("analytics.", "oracle.")
    wrong, total = [], 0
    clock = {False: "", True: " at the warehouse's time"}
    for i, sc in enumerate(scenario_list):
        project = segdsl.project_from_sources(config, sc.sources)
        alone_at_warehouse_time = i % 2 == 0
        got = _run(engine, project, sc.segment_names, sc.as_of, alone_at_warehouse_time)

        def many_sql():
            if alone_at_warehouse_time:
                return project.compile_many(sc.segment_names, engine.dialect, sc.as_of, "long")
            return at_warehouse_time(project, sc.segment_names, engine.dialect, sc.as_of, "long")

        together = engine.query(many_sql())
        for name in sc.segment_names:
            total += 1
            expected = evaluate(sc.definitions, name, merged, sc.as_of)
            for how, members, sql in [
                (f"alone{clock[alone_at_warehouse_time]}", got[name],
                 lambda: _sql(project, name, engine.dialect, sc.as_of, alone_at_warehouse_time)),
                (f"together{clock[not alone_at_warehouse_time]}", _keys(k for k, s in together if s == name),
                 many_sql),
            ]:
                if members != expected:
                    wrong.append(f"scenario {i} segment {name} {how} (as of {sc.as_of}):\n{sc.source_text()}\n"
                                 f"SQL:\n{sql()}\n"
                                 f"missing {sorted(expected - members)[:10]}, extra {sorted(members - expected)[:10]}")
    assert total >= 200
    assert not wrong, f"{len(wrong)} of {total} segments differ on {engine.name}:\n\n" + "\n\n".join(wrong[:3])
