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
import re
from dataclasses import dataclass, field
from pathlib import Path

from sqlglot import exp

from .api import Project, decode, shown_path
from .compile import table_node
from .config import TOML_HEADER, Table, as_of_problem, dotted_key, read_toml, toml_lines
from .diagnostics import Collector, Span, did_you_mean
from .dialects import flavor
from .engine import (DUCKDB_TYPES, EngineError, create_schema, duckdb_errors, member_keys, open_memory,
                     table_columns)

# a [[case]]'s settings: any other key is a typo that would be ignored, the case passing unchecked
SETTINGS = ("name", "segment", "as_of", "members", "non_members", "count", "entity", "events")


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
        raw = path.read_bytes()
    except OSError as err:
        return [Result(shown, "(file)", "", [f"cannot read the test file: {err}"])]
    unread = Collector()
    text = decode(raw, shown, unread)  # as segment files: UTF-8, a byte-order mark dropped
    data = read_toml(text, shown, unread) if text is not None else None  # TOML 1.1, as segdsl.toml
    if data is None:
        return [Result(shown, "(file)", "", [f"{d.span}: {d.message}" for d in unread.diagnostics])]
    cases = data.get("case")
    if not isinstance(cases, list) or not cases:
        return [Result(shown, "(file)", "", ["no [[case]] tables in the file"])]
    where = _Where(text, shown, len(cases))
    return [run_case(project, case, shown, i, where.case(i)) for i, case in enumerate(cases, 1)]


class _Where:
    """Where a setting of a case stands in its test file, as `file:line:col`, for messages
    about its value: config's setting_span finds a section's one header, but here [[case]]
    and each case's row tables repeat theirs. A key written inline ({ key = ... }) is found
    at the line of the setting holding it."""

    def __init__(self, text: str, shown: str, cases: int):
        self.lines, self.shown = toml_lines(text), shown
        head = _header(["case"])
        heads = [i for i, line in enumerate(self.lines) if head.match(line)]
        # no [[case]] per case: the cases are inline (case = [...]), searched as one
        self.heads = heads if len(heads) == cases else None

    def case(self, number: int):
        """`at(*path)` for case `number`; the path names a setting: ("members",), ("entity",
        0, "age"), ("events", "purchase", 1, "amount"), an int counting the rows."""
        first, end = 0, len(self.lines)
        if self.heads:
            first = self.heads[number - 1]
            end = self.heads[number] if number < len(self.heads) else end

        def at(*path) -> str:
            line, stop, names = first, end, ["case"]
            for step in path:
                if isinstance(step, int):
                    header = _header(names)
                    rows = [i for i in range(first, end) if header.match(self.lines[i])]
                    if step >= len(rows):
                        break
                    line = rows[step]
                    stop = next((i for i in range(line + 1, end) if TOML_HEADER.match(self.lines[i])), end)
                    continue
                key = re.compile(r'^\s*(?:\[+\s*)?(?:[\w"\'-]+\s*\.\s*)*["\']?' + re.escape(step) + r'["\']?\s*[=.\]]')
                found = next((i for i in range(line, stop) if key.match(self.lines[i])), None)
                if found is None:
                    break
                line = found
                names.append(step)
            col = len(self.lines[line]) - len(self.lines[line].lstrip()) + 1
            return str(Span(self.shown, line + 1, col, line + 1, col + 1))

        return at


def _header(names) -> re.Pattern:
    """The header [[a.b]] of an array of tables."""
    return re.compile(r"^\s*\[\[\s*" + dotted_key(names) + r"\s*\]\]")


def run_case(project: Project, case, shown: str, number: int, at) -> Result:
    if not isinstance(case, dict):
        return Result(shown, f"case {number}", "", [f"{at('case')}: each case must be a table: write [[case]] "
                                                     "and the case's settings below it"])
    result = Result(shown, str(case.get("name", f"case {number}")), str(case.get("segment", "")))
    problems = result.problems
    _settings(case, at, problems)
    if problems:
        return result
    if "segment" not in case:
        problems.append(f"{at()}: each case needs a segment, e.g. segment = \"cart_abandoners\"")
        return result
    if result.segment not in project.program.segments:
        problems.append(f"{at('segment')}: unknown segment '{result.segment}'. "
                        f"{did_you_mean(result.segment, project.segments)}".strip())
        return result
    as_of = case.get("as_of")
    if isinstance(as_of, dt.date) and not isinstance(as_of, dt.datetime):
        as_of = dt.datetime.combine(as_of, dt.time())
    if not isinstance(as_of, dt.datetime):
        problems.append(f"{at('as_of')}: each case needs an as_of, e.g. as_of = 2026-06-30T00:00:00")
        return result
    if problem := as_of_problem(as_of):
        problems.append(f"{at('as_of')}: {problem}")
        return result
    tables = _tables(project, case, at, problems)
    if problems:
        return result
    con = open_memory()
    try:
        with duckdb_errors("the rows could not be loaded or queried"):
            _load(con, tables)
            sql = project.compile_segment(result.segment, "duckdb", as_of)
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


def _settings(case: dict, at, problems: list[str]) -> None:
    """A case's settings are known and of their kind (as_of and the rows are checked where read)."""
    for key in case:
        if key not in SETTINGS:
            problems.append(f"{at(key)}: unknown setting '{key}' in [[case]]. "
                            + (did_you_mean(key, SETTINGS) or f"settings: {', '.join(SETTINGS)}"))
    for key, example in (("name", "a cart this week"), ("segment", "cart_abandoners")):
        if not isinstance(case.get(key, ""), str):
            problems.append(f'{at(key)}: \'{key}\' must be text in quotes, e.g. {key} = "{example}"')
    for key in ("members", "non_members"):
        keys = case.get(key, [])
        # entity keys come back from DuckDB as numbers or text; a list would not even compare
        if not isinstance(keys, list) or not all(isinstance(k, (int, str)) and not isinstance(k, bool) for k in keys):
            problems.append(f"{at(key)}: '{key}' must be a list of entity keys (numbers or text), e.g. {key} = [1, 2]")
    count = case.get("count", 0)
    if not isinstance(count, int) or isinstance(count, bool):
        problems.append(f"{at('count')}: 'count' must be a whole number, e.g. count = 3")


def _tables(project: Project, case: dict, at, problems: list[str]) -> dict[Table, tuple[dict, list[dict]]]:
    """Each table the case writes: column types and rows, from the entity and event rows."""
    config = project.config
    # every table a segment may read exists, maybe empty
    tables = {t: (columns, []) for t, columns in table_columns(config).items()}
    types, rows = tables[config.entity.table]
    rows.extend(_rows(case.get("entity", []), types, at, ("entity",), problems))
    events = case.get("events", {})
    if not isinstance(events, dict):
        problems.append(f"{at('events')}: 'events' must hold rows by event name: [[case.events.NAME]] tables")
        events = {}
    for name, event_rows in events.items():
        source = config.events.get(name)
        if source is None:
            problems.append(f"{at('events', name)}: unknown event '{name}'. "
                            f"{did_you_mean(name, config.events)}".strip())
            continue
        types, rows = tables[source.table]
        for row in _rows(event_rows, types, at, ("events", name), problems):
            rows.append({**row, **dict(source.filter)})
    return tables


def _rows(rows, types: dict, at, path: tuple[str, ...], problems: list[str]) -> list[dict]:
    where = ".".join(path)
    if not isinstance(rows, list) or not all(isinstance(row, dict) for row in rows):
        problems.append(f"{at(*path)}: '{where}' must be a list of rows: write each row as a [[case.{where}]] table")
        return []
    for i, row in enumerate(rows):
        for column, value in row.items():
            if column not in types:
                problems.append(f"{at(*path, i, column)}: [[case.{where}]] has no column '{column}'. "
                                f"{did_you_mean(column, types)}".strip())
            elif reason := _unreadable(value):
                problems.append(f"{at(*path, i, column)}: '{column}' in [[case.{where}]] must be {reason}")
    return rows


def _unreadable(value) -> str:
    """What a column value must be instead, '' when it is fine: the columns hold segdsl's types."""
    if isinstance(value, dt.datetime) and value.tzinfo:
        # DuckDB would shift it to the machine's time zone: the case would pass on some machines only
        return "a timestamp without a time zone offset, e.g. 2026-06-28T10:00:00"
    kind = {list: "a list", dict: "a table", dt.time: "a time of day"}.get(type(value))
    return f"text, a number, true/false, a date or a timestamp, not {kind}" if kind else ""


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
