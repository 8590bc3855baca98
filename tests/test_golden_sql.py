"""Golden SQL: every example segment compiled for every claimed dialect, pinned byte for byte.

A change in generated SQL (ours or a sqlglot upgrade's) shows up here as a diff to review.
Regenerate with SEGDSL_UPDATE_SNAPSHOTS=1 after checking the change is intended.
"""

import datetime as dt
import os

import pytest
import sqlglot

import segdsl
from conftest import EXAMPLE, ROOT

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
    sql = PROJECT.compile_segment(segment, dialect, AS_OF)
    path = SNAPSHOTS / segment / f"{dialect}.sql"
    if os.environ.get("SEGDSL_UPDATE_SNAPSHOTS"):
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(sql + "\n", "utf-8")
    assert path.read_text("utf-8") == sql + "\n", f"SQL for {segment} on {dialect} changed"


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


def test_integer_arithmetic_is_64_bit_in_every_dialect():
    """Where an engine may hold a literal or an int column in 32 bits, one operand of each
    integer `+ - *` whose operands are both narrow is cast to BIGINT (test_semantics runs
    such cases on the seven engines); nowhere else is there a cast."""
    config = (EXAMPLE / "segdsl.toml").read_text("utf-8")
    project = segdsl.project_from_sources(config, {"a.seg": "segment s: age * 100000 + 2147483647 > 1\n"})
    narrow = {"duckdb", "postgres", "redshift", "spark", "databricks", "tsql", "trino"}
    for dialect in DIALECTS:
        tree = sqlglot.parse_one(project.compile_segment("s", dialect, AS_OF), read=dialect)
        casts = [c.this.sql() for c in tree.find_all(sqlglot.exp.Cast)]
        assert casts == (["e.age"] if dialect in narrow else []), dialect
