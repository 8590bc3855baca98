"""Golden SQL: every example segment compiled for every claimed dialect, pinned byte for byte.

A change in generated SQL (ours or a sqlglot upgrade's) shows up here as a diff to review.
Regenerate with SEGDSL_UPDATE_SNAPSHOTS=1 after checking the change is intended.
"""

import datetime as dt
import json
import os
import subprocess
import sys

import pytest
import sqlglot

import segdsl
from conftest import EXAMPLE, ROOT
from segdsl.dialects import flavor

DIALECTS = [
    "duckdb", "snowflake", "bigquery", "postgres", "redshift", "spark", "databricks",
    "tsql", "trino", "clickhouse", "mysql", "sqlite", "oracle",
]
AS_OF = dt.datetime(2026, 6, 30)
SNAPSHOTS = ROOT / "tests" / "snapshots" / "sql"
PROJECT = segdsl.load_project(EXAMPLE)


@pytest.mark.parametrize("dialect", DIALECTS)
@pytest.mark.parametrize("segment", PROJECT.segments)
def test_golden_sql(segment, dialect):
    """Pinned as of a given moment (`{dialect}.sql`) and, for segments that read the
    time, at the warehouse's time (`{dialect}.now.sql`), where the warehouse works out
    the windows: the SQL scheduled runs get."""
    sql = PROJECT.compile_segment(segment, dialect, AS_OF)
    now_sql = PROJECT.compile_segment(segment, dialect)
    for name, text in [(f"{dialect}.sql", sql), (f"{dialect}.now.sql", now_sql if now_sql != sql else None)]:
        path = SNAPSHOTS / segment / name
        if os.environ.get("SEGDSL_UPDATE_SNAPSHOTS"):
            path.parent.mkdir(parents=True, exist_ok=True)
            path.unlink(missing_ok=True)
            if text is not None:
                path.write_text(text + "\n", "utf-8")
        if text is None:
            assert not path.exists(), f"{segment} does not read the time: {path} is left over"
        else:
            assert path.read_text("utf-8") == text + "\n", f"SQL for {segment} on {dialect} ({name}) changed"


@pytest.mark.parametrize("dialect", DIALECTS)
def test_sql_parses_back(dialect):
    for segment in PROJECT.segments:
        sql = PROJECT.compile_segment(segment, dialect, AS_OF)
        tree = sqlglot.parse_one(sql, read=dialect)
        # one statement returning the entity key under its own name
        assert isinstance(tree, sqlglot.exp.Select), segment
        assert tree.named_selects == [PROJECT.config.entity.key], segment


def test_output_is_deterministic():
    """The same input gives byte-identical SQL, also from a freshly loaded project."""
    again = segdsl.load_project(EXAMPLE)
    for segment in PROJECT.segments:
        for dialect in ("snowflake", "duckdb"):
            assert PROJECT.compile_segment(segment, dialect, AS_OF) == again.compile_segment(segment, dialect, AS_OF)
            assert PROJECT.compile_segment(segment, dialect) == again.compile_segment(segment, dialect)


def test_as_of_literal_or_current_time():
    fixed = PROJECT.compile_segment("new_signups", "snowflake", dt.datetime(2026, 1, 2, 3, 4, 5))
    assert "2026-01-02 03:04:05" in fixed
    assert "CURRENT_TIMESTAMP" not in fixed
    now = PROJECT.compile_segment("new_signups", "snowflake")
    assert "CURRENT_TIMESTAMP" in now


def test_window_starts_are_worked_out_from_a_given_as_of():
    """Hours and days back from a given as-of are literals; months and years, and moments
    before year 1, are left to the warehouse's calendar."""
    config = (EXAMPLE / "segdsl.toml").read_text("utf-8")
    project = segdsl.project_from_sources(config, {"a.seg": (
        "segment days: did purchase in last 2 days and signup_at before 36 hours ago\n"
        "segment months: did purchase in last 2 months\n")})
    sql = project.compile_segment("days", "snowflake", dt.datetime(2026, 1, 2, 3, 4, 5))
    assert "'2025-12-31 03:04:05'" in sql and "'2025-12-31 15:04:05'" in sql and "DATEADD" not in sql
    assert "DATEADD(MONTH, -2" in project.compile_segment("months", "snowflake", dt.datetime(2026, 1, 2))
    assert "DATEADD(DAY, -2" in project.compile_segment("days", "snowflake", dt.datetime(1, 1, 1, 12))


@pytest.mark.parametrize("dialect", [d for d in DIALECTS if not flavor(d).boolean_values])
def test_dialects_without_boolean_values_get_none(dialect):
    """T-SQL (and Oracle before 23ai) have conditions but no true/false values: a bool
    literal, a condition read as a value and each segment's column of a many-segment
    statement are 1 or 0 there (sqlglot writes TRUE as (1 = 1), which T-SQL refuses)."""
    config = (EXAMPLE / "segdsl.toml").read_text("utf-8")
    project = segdsl.project_from_sources(config, {"a.seg": (
        "segment subscribed: is_subscribed < true or is_subscribed = false\n"
        "segment alike: is_subscribed = (age > 30) and is_subscribed in [true, (age > 60)]\n"
        "trait adult = age >= 18\n"
        "segment adults: adult = true\n")})
    sql = [project.compile_segment(n, dialect, AS_OF) for n in project.segments]
    sql += [project.compile_many(None, dialect, AS_OF, shape) for shape in ("long", "wide")]
    for text in sql:
        tree = sqlglot.parse_one(text, read=dialect)
        assert not list(tree.find_all(sqlglot.exp.Boolean)), text
        constant = [eq for eq in tree.find_all(sqlglot.exp.EQ)
                    if isinstance(eq.this, sqlglot.exp.Literal) and isinstance(eq.expression, sqlglot.exp.Literal)]
        assert not constant, text


def test_dialect_list_matches_sqlglot():
    """segdsl.toml's dialects are listed statically (check never imports sqlglot)."""
    from sqlglot.dialects.dialect import Dialect
    import sqlglot.dialects  # noqa: F401  (registers every dialect)

    from segdsl.config import DIALECTS

    assert sorted(DIALECTS) == sorted(d for d in Dialect.classes if d)


@pytest.mark.parametrize("dialect", DIALECTS)
def test_rendering_skips_only_rewrites_that_change_nothing(dialect):
    """segdsl.render skips the dialects' SELECT rewrites; sqlglot's own generator, with
    them, must give the same text for every statement we build."""
    from sqlglot.dialects.dialect import Dialect

    from segdsl import compile as compiler
    from segdsl.render import render

    full = Dialect.get_or_raise(dialect)
    trees = [lambda s=s, a=a: compiler.compile_segment(PROJECT.program, s, dialect, a)
             for s in PROJECT.segments for a in (AS_OF, None)]
    trees += [lambda shape=shape: compiler.compile_many(PROJECT.program, PROJECT.segments, dialect, AS_OF, shape)
              for shape in ("long", "wide")]
    for build in trees:
        assert render(build(), dialect) == full.generate(build(), pretty=True)


def every_sql() -> dict[str, str]:
    """The example project's SQL: each segment (as of a moment and at the warehouse's time)
    and both many-segment shapes, per dialect."""
    sql = {f"{s} {d} {a}": PROJECT.compile_segment(s, d, a) for s in PROJECT.segments for d in DIALECTS
           for a in (AS_OF, None)}
    return sql | {f"{shape} {d}": PROJECT.compile_many(PROJECT.segments, d, AS_OF, shape)
                  for shape in ("long", "wide") for d in DIALECTS}


def test_sqlglots_python_modules_give_the_same_sql():
    """segdsl installs sqlglot's compiled build; where a user removes it (sqlglotc), the
    Python modules must give byte-identical SQL."""
    script = ("import json, pure_sqlglot, sqlglot.generator\n"
              "from test_golden_sql import every_sql\n"
              "print(json.dumps({'generator': sqlglot.generator.__file__, 'sql': every_sql()}))\n")
    run = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True,
                         env={**os.environ, "PYTHONPATH": os.pathsep.join(
                             [str(ROOT / "tests"), *filter(None, [os.environ.get("PYTHONPATH")])])})
    pure = json.loads(run.stdout)
    assert pure["generator"].endswith("generator.py")
    assert pure["sql"] == every_sql()


def test_integer_arithmetic_is_64_bit_in_every_dialect():
    """Where an engine may hold a literal, an INT column, a rank or a count in 32 bits, it
    is cast to BIGINT before it is multiplied or added (test_semantics runs such cases on
    the seven engines); nowhere else is there a cast."""
    config = (EXAMPLE / "segdsl.toml").read_text("utf-8").replace('amount = "float"', 'amount = "float"\nqty = "int"')
    project = segdsl.project_from_sources(config, {"a.seg": (
        "segment arith: age * 100000 + 2147483647 > 1\n"
        "segment counts: count(purchase) * 100000 + sum(purchase.qty) * 3 > 1\n"
        "segment ranked: top 10% by lifetime_value\n")})
    for dialect in DIALECTS:
        fl = flavor(dialect)
        casts = {}
        for segment in project.segments:
            tree = sqlglot.parse_one(project.compile_segment(segment, dialect, AS_OF), read=dialect)
            casts[segment] = sorted(type(c.this).__name__ for c in tree.find_all(sqlglot.exp.Cast)
                                    if c.to.this == sqlglot.exp.DataType.Type.BIGINT)
        assert casts == {
            "arith": ["Column"] if fl.narrow_ints else [],  # age, once: the sum is of 64-bit values
            # a COUNT that is INT, and the INTs summed
            "counts": ["Coalesce", "Column"] if fl.narrow_count else [],
            "ranked": sorted((["Window"] if fl.narrow_rank else []) + (["Window"] if fl.narrow_count else [])),
        }, dialect
    # what each engine's documentation says, pinned: RANK() is an INT in Spark and
    # Redshift, COUNT and SUM of INT are INT in T-SQL
    assert [d for d in DIALECTS if flavor(d).narrow_ints] == [
        "duckdb", "postgres", "redshift", "spark", "databricks", "tsql", "trino"]
    assert [d for d in DIALECTS if flavor(d).narrow_rank] == ["redshift", "spark", "databricks"]
    assert [d for d in DIALECTS if flavor(d).narrow_count] == ["tsql"]


def test_integer_constants_past_32_bits_are_bigint_in_tsql():
    """T-SQL makes them DECIMAL, whose arithmetic goes on past 64 bits instead of failing."""
    config = (EXAMPLE / "segdsl.toml").read_text("utf-8")
    project = segdsl.project_from_sources(config, {"a.seg": "segment s: age * 3000000000 > 2147483647\n"})
    casts = {dialect: [c.this.sql() for c in sqlglot.parse_one(project.compile_segment("s", dialect, AS_OF),
                                                               read=dialect).find_all(sqlglot.exp.Cast)]
             for dialect in DIALECTS}
    assert casts["tsql"] == ["3000000000"], casts["tsql"]
    assert all("3000000000" not in cast for d, found in casts.items() if d != "tsql" for cast in found), casts


def test_no_dialect_reports_sql_it_cannot_write(caplog):
    """sqlglot logs SQL it cannot express in a dialect (and writes something else): none of
    ours, in any dialect `--dialect` offers."""
    from segdsl.config import DIALECTS as OFFERED

    with caplog.at_level("WARNING", logger="sqlglot"):
        for dialect in OFFERED:
            for segment in PROJECT.segments:
                PROJECT.compile_segment(segment, dialect, AS_OF)
                PROJECT.compile_segment(segment, dialect)
            PROJECT.compile_many(PROJECT.segments, dialect, AS_OF, "wide")
    assert [(r.name, r.getMessage()) for r in caplog.records] == []


@pytest.mark.parametrize("dialect, word", [("sqlite", "transaction"), ("postgres", "verbose"),
                                           ("postgres", "current_schema"), ("mysql", "portion")])
def test_a_table_named_like_a_word_its_engine_reserves_is_quoted(dialect, word):
    """Unqualified, these fail to parse or name a built-in (PostgreSQL's current_schema)."""
    project = segdsl.project_from_sources(f'[entity]\ntable = "{word}"\nkey = "id"\n[entity.columns]\nage = "int"\n',
                                          {"s.seg": "segment s: age > 3\n"})
    quote = "`" if dialect == "mysql" else '"'
    assert f"FROM {quote}{word}{quote} AS e" in project.compile_segment("s", dialect)
