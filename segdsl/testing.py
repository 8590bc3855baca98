"""Segment unit tests kept in the project: `*.test.toml` files run by `segdsl test`.

    [[case]]
    name = "added to cart this week, no order"
    segment = "cart_abandoners"
    as_of = 2026-06-30T00:00:00
    members = [1]            # each must be a member
    non_members = [2]        # each must not be
    count = 1                # optional: exactly this many members

    [[case.entity]]          # entity rows; columns left out are missing
    customer_id = 1
    [[case.entity]]
    customer_id = 2

    [[case.events.add_to_cart]]   # event rows by event name; the event's filter is filled in
    customer_id = 1
    occurred_at = 2026-06-28T10:00:00

Each case runs alone on an empty in-memory DuckDB holding just its rows.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path

from sqlglot import exp

from .api import Project, shown_path
from .compile import table_node
from .config import Table, read_toml
from .diagnostics import Collector, did_you_mean
from .dialects import flavor
from .engine import (DUCKDB_TYPES, EngineError, create_schema, duckdb_errors, member_keys, open_memory,
                     table_columns)



@dataclass
class Result:
    file: str
    name: str
    segment: str
    problems: list[str] = field(default_factory=list)

    @property
    def passed(self) -> bool:
        return not self.problems


def discover(root: Path) -> list[Path]:
    """The test files under `root`, skipping hidden folders inside it (`.git`, `.venv`)."""
    return sorted(p for p in root.rglob("*.test.toml")
                  if not any(part.startswith(".") for part in p.relative_to(root).parts))


def run_file(project: Project, path: Path) -> list[Result]:
    """Every case in the test file at `path`, named as the user would type it from here."""
    shown = shown_path(path)
    try:
        text = path.read_text("utf-8")
    except (OSError, UnicodeDecodeError) as err:
        return [Result(shown, "(file)", "", [f"cannot read the test file: {err}"])]
    unread = Collector()
    data = read_toml(text, shown, unread)  # TOML 1.1, as segdsl.toml
    if data is None:
        return [Result(shown, "(file)", "", [f"{d.span}: {d.message}" for d in unread.diagnostics])]
    cases = data.get("case")
    if not isinstance(cases, list) or not cases:
        return [Result(shown, "(file)", "", ["no [[case]] tables in the file"])]
    return [run_case(project, case, shown, i) for i, case in enumerate(cases, 1)]


def run_case(project: Project, case: dict, shown: str, number: int) -> Result:
    result = Result(shown, str(case.get("name", f"case {number}")), str(case.get("segment", "")))
    problems = result.problems
    if result.segment not in project.program.segments:
        problems.append(f"unknown segment '{result.segment}'. {did_you_mean(result.segment, project.segments)}".strip())
        return result
    as_of = case.get("as_of")
    if isinstance(as_of, dt.date) and not isinstance(as_of, dt.datetime):
        as_of = dt.datetime.combine(as_of, dt.time())
    if not isinstance(as_of, dt.datetime):
        problems.append("each case needs an as_of, e.g. as_of = 2026-06-30T00:00:00")
        return result
    tables = _tables(project, case, problems)
    if problems:
        return result
    con = open_memory()
    try:
        with duckdb_errors("the rows could not be loaded or queried"):
            _load(con, tables)
            sql = project.compile_segment(result.segment, "duckdb", as_of.replace(tzinfo=None))
            members = member_keys(con, sql)
    except EngineError as err:
        problems.append(str(err))
        return result
    finally:
        con.close()
    entity_rows = {row.get(project.config.entity.key): row for row in case.get("entity", [])}

    def show(key) -> str:
        row = entity_rows.get(key)
        return f"{key!r} {row}" if row is not None else repr(key)

    for key in case.get("members", []):
        if key not in members:
            problems.append(f"expected a member, but is not: {show(key)}")
    for key in case.get("non_members", []):
        if key in members:
            problems.append(f"expected not a member, but is: {show(key)}")
    if "count" in case and case["count"] != len(members):
        problems.append(f"expected {case['count']} members, got {len(members)}: {sorted(members, key=repr)}")
    return result


def _tables(project: Project, case: dict, problems: list[str]) -> dict[Table, tuple[dict, list[dict]]]:
    """Each table the case writes: column types and rows, from the entity and event rows."""
    config = project.config
    # every table a segment may read exists, maybe empty
    tables = {t: (columns, []) for t, columns in table_columns(config).items()}
    types, rows = tables[config.entity.table]
    rows.extend(_rows(case.get("entity", []), types, "entity", problems))
    events = case.get("events", {})
    for name, event_rows in events.items():
        source = config.events.get(name)
        if source is None:
            problems.append(f"unknown event '{name}'. {did_you_mean(name, config.events)}".strip())
            continue
        types, rows = tables[source.table]
        for row in _rows(event_rows, types, f"events.{name}", problems):
            rows.append({**row, **dict(source.filter)})
    return tables


def _rows(rows, types: dict, where: str, problems: list[str]) -> list[dict]:
    if not isinstance(rows, list):
        problems.append(f"[[case.{where}]] must be a list of tables")
        return []
    for row in rows:
        for column in row:
            if column not in types:
                problems.append(f"[[case.{where}]] has no column '{column}'. {did_you_mean(column, types)}".strip())
    return rows


def _load(con, tables) -> None:
    fl = flavor("duckdb")
    for t, (types, rows) in tables.items():
        create_schema(con, t)
        columns = list(types)
        defs = [
            exp.ColumnDef(this=fl.identifier(c), kind=exp.DataType.build(DUCKDB_TYPES[types[c] or _guess(rows, c)]))
            for c in columns
        ]
        con.execute(exp.Create(this=exp.Schema(this=table_node(fl, t), expressions=defs), kind="TABLE").sql(dialect="duckdb"))
        if rows:
            marks = ", ".join("?" for _ in columns)
            target = table_node(fl, t).sql(dialect="duckdb")
            con.executemany(f"INSERT INTO {target} VALUES ({marks})", [[r.get(c) for c in columns] for r in rows])


def _guess(rows: list[dict], column: str) -> str:
    """Undeclared columns (keys, filter columns) take the type of the values given."""
    values = [r[column] for r in rows if r.get(column) is not None]
    if values and all(isinstance(v, bool) for v in values):
        return "bool"
    if values and all(isinstance(v, int) and not isinstance(v, bool) for v in values):
        return "int"
    return "string"
