"""Execution on DuckDB: a user's database file (read-only) or the project's sample files.

This is the only module that imports duckdb, so checking and compiling never pay for it.
"""

from __future__ import annotations

import datetime as dt
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import duckdb
from sqlglot import exp

from .api import Project
from .compile import table_node
from .dialects import flavor
from .config import Config, Table

DUCKDB_TYPES = {  # segdsl column types as DuckDB names them
    "int": "BIGINT", "float": "DOUBLE", "string": "VARCHAR",
    "bool": "BOOLEAN", "date": "DATE", "timestamp": "TIMESTAMP",
}


class EngineError(Exception):
    """A problem with the data (missing file, missing table), not with the segment files."""


@dataclass(frozen=True)
class Preview:
    members: int
    total: int
    sample: list


def open_data(project: Project, db: str | Path | None = None,
              as_of: dt.datetime | None = None) -> tuple[duckdb.DuckDBPyConnection, dt.datetime | None]:
    """The data `preview` and `diff` run on: the DuckDB file `db` read-only, or else the
    project's sample files in memory; and the moment to measure time from, which for the
    samples is by default the moment they were taken."""
    if db is not None:
        return open_database(db), as_of
    if as_of is None and project.config.samples is not None:
        as_of = project.config.samples.as_of
    return open_samples(project), as_of


# Times have no zone: a TIMESTAMPTZ column (a user's database, a Parquet sample) compares
# with our TIMESTAMPs in the session's zone, which would otherwise be the machine's. And
# opening a file DuckDB reads through an extension must not download it.
_SETTINGS = {"TimeZone": "UTC", "autoinstall_known_extensions": False}


def open_memory() -> duckdb.DuckDBPyConnection:
    """A new, empty in-memory database."""
    return duckdb.connect(config=_SETTINGS)


@contextmanager
def duckdb_errors(problem: str = "the data does not match segdsl.toml"):
    """Inside, a DuckDB error becomes an EngineError: `problem: <DuckDB's first line>`."""
    try:
        yield
    except duckdb.Error as err:
        lines = str(err).splitlines()
        raise EngineError(f"{problem}: {lines[0] if lines else type(err).__name__}") from None


def member_keys(con, sql: str) -> set:
    """The first column of every row of `sql`: the keys of a compiled segment's members."""
    keys = [row[0] for row in con.execute(sql).fetchall()]
    if any(isinstance(k, (list, dict)) for k in keys):  # a LIST, STRUCT or MAP column
        raise EngineError("the entity key holds lists or structs: a key must be a plain value")
    return set(keys)


def open_database(path: str | Path) -> duckdb.DuckDBPyConnection:
    """The user's DuckDB file, read-only: previewing never writes to it."""
    if not Path(path).is_file():
        raise EngineError(f"no DuckDB database at {path}")
    try:
        return duckdb.connect(str(path), read_only=True, config=_SETTINGS)
    except duckdb.Error as err:
        raise EngineError(f"cannot open {path} as a DuckDB database: {err}") from None


def open_samples(project: Project) -> duckdb.DuckDBPyConnection:
    """An in-memory database holding the project's sample files under their table names."""
    samples = project.config.samples
    if samples is None or not samples.tables:
        raise EngineError(
            "the project has no [samples.tables] in segdsl.toml; pass a database with --db FILE"
        )
    con = open_memory()
    types = {t: {c: DUCKDB_TYPES[ty] for c, ty in columns.items() if ty}  # keys: as read
             for t, columns in table_columns(project.config).items()}
    for table_name, rel_path in samples.tables:
        path = (project.root or Path(".")) / rel_path
        if not path.is_file():
            raise EngineError(f"sample file {path} (for table {table_name}) does not exist")
        table = Table(tuple(table_name.split(".")))
        try:
            create_schema(con, table)
            if path.suffix.lower() == ".parquet":
                relation = con.read_parquet(str(path))
            else:
                relation = con.read_csv(str(path), header=True, dtype=types.get(table, {}))
            relation.create(table_node(flavor("duckdb"), table).sql(dialect="duckdb"))
        except duckdb.Error as err:
            raise EngineError(f"cannot load {path} as {table_name}: {err}") from None
    return con


def preview(project: Project, name: str, con, as_of: dt.datetime | None, limit: int) -> Preview:
    segment = project.compile_tree(name, "duckdb", as_of).subquery("members")
    entity = project.config.entity
    key = exp.column(entity.key)
    count = exp.select(exp.Count(this=exp.Star())).from_(segment.copy())
    total = exp.select(exp.Count(this=exp.Star())).from_(table_node(flavor("duckdb"), entity.table))
    sample = exp.select(key).from_(segment.copy()).order_by(key.copy()).limit(limit)
    with duckdb_errors():
        members = con.execute(count.sql(dialect="duckdb")).fetchone()[0]
        all_rows = con.execute(total.sql(dialect="duckdb")).fetchone()[0]
        keys = [row[0] for row in con.execute(sample.sql(dialect="duckdb")).fetchall()]
    return Preview(members, all_rows, keys)


def create_schema(con, table: Table) -> None:
    """Create the schema (and, for catalog.schema.table, the catalog: an attached in-memory
    database) a qualified table lives in, if it is missing."""
    if len(table.parts) == 3 and table.folded[0] != "main":  # DuckDB's name for the default one
        catalog = exp.alias_(exp.Literal.string(":memory:"), exp.to_identifier(table.parts[0]))
        con.execute(exp.Attach(this=catalog, exists=True).sql(dialect="duckdb"))
    if len(table.parts) > 1:
        schema = exp.Table(this=exp.to_identifier(table.parts[-2]),
                           db=exp.to_identifier(table.parts[0]) if len(table.parts) == 3 else None)
        con.execute(exp.Create(this=schema, kind="SCHEMA", exists=True).sql(dialect="duckdb"))


def table_columns(config: Config) -> dict[Table, dict[str, str | None]]:
    """Every column segments read, per table, with its declared type; None for keys and
    filter columns, which segdsl.toml does not type (a declared type wins)."""
    tables: dict[Table, dict[str, str | None]] = {}

    def add(table: Table, typed: dict[str, str], untyped) -> None:
        columns = tables.setdefault(table, {})
        for name in untyped:
            columns.setdefault(name, None)
        columns.update(typed)

    add(config.entity.table, dict(config.entity.columns), [config.entity.key])
    for ev in config.events.values():
        add(ev.table, {**dict(ev.columns), ev.time: "timestamp"}, [ev.key, *(c for c, _ in ev.filter)])
    return tables
