"""`segdsl.toml` -> `Config`: the entity, the event sources and their typed columns.

Every column a segment may use is declared here; resolve.py knows no other names.
Problems become diagnostics pointing at the offending line of segdsl.toml.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from dataclasses import dataclass, field
from functools import cached_property

import rtoml

from .diagnostics import Collector, Span, did_you_mean, source_lines

CONFIG_FILE = "segdsl.toml"
TYPES = ("int", "float", "string", "bool", "date", "timestamp")
IDENTIFIER = re.compile(r"[a-z_][a-z0-9_]*\Z")
# Warehouse-side names (tables, key/time/filter columns) may use any case.
SQL_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_$]*\Z")


@dataclass(frozen=True)
class Table:
    parts: tuple[str, ...] = field(compare=False)  # (catalog, schema, table), only the given ones
    # what tells tables apart: SQL names them unquoted, and engines fold the case of those
    folded: tuple[str, ...] = field(init=False, repr=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "folded", tuple(p.lower() for p in self.parts))

    def __str__(self) -> str:
        return ".".join(self.parts)


@dataclass(frozen=True)
class Entity:
    table: Table
    key: str
    columns: tuple[tuple[str, str], ...]  # (name, type), in declaration order


@dataclass(frozen=True)
class EventSource:
    name: str
    table: Table
    key: str
    time: str
    filter: tuple[tuple[str, str | int | float | bool], ...]
    columns: tuple[tuple[str, str], ...]

    @property
    def column_names(self) -> list[str]:
        """Every column of its table the event's definition names."""
        return [self.key, self.time, *(c for c, _ in self.filter), *(c for c, _ in self.columns)]


@dataclass(frozen=True)
class Samples:
    as_of: dt.datetime | None
    tables: tuple[tuple[str, str], ...]  # (table name, path relative to the project)


def as_of_problem(moment: dt.datetime) -> str:
    """What is wrong with an as-of moment, '' when nothing is. Like times in segments it has
    no zone and whole seconds: engines would read an offset or a fraction differently
    (DuckDB shifts an offset to the machine's zone; MySQL rounds a fraction, ClickHouse
    drops it, Oracle fails)."""
    if moment.tzinfo is not None:
        return "the as-of moment has no time zone: give it in the warehouse's time, without an offset"
    if moment.microsecond:
        return "the as-of moment is to the second: drop the fraction"
    return ""


@dataclass(frozen=True)
class Lint:
    """The [lint] section: rules turned off, and rules given another severity."""

    disable: tuple[str, ...] = ()  # rule codes
    severity: tuple[tuple[str, str], ...] = ()  # (code, "error" | "warning" | "off")


@dataclass(frozen=True)
class Config:
    name: str
    dialect: str
    segment_dirs: tuple[str, ...]
    entity: Entity
    events: dict[str, EventSource]
    samples: Samples | None
    lint: Lint = Lint()

    @cached_property
    def table_names(self) -> frozenset[str]:
        """The last part of the name of every table the project reads, in lower case: the
        names a CTE must not take, or it would stand in for the table."""
        tables = (self.entity.table, *(e.table for e in self.events.values()))
        return frozenset(t.folded[-1] for t in tables)


# sqlglot's dialects, listed here so that checking a project never imports sqlglot (a
# test keeps the list equal to sqlglot's own registry).
DIALECTS = (
    "athena", "bigquery", "clickhouse", "databricks", "dax", "doris", "dremio", "drill", "druid",
    "duckdb", "dune", "exasol", "fabric", "hive", "materialize", "mysql", "oracle", "postgres",
    "presto", "prql", "redshift", "risingwave", "singlestore", "snowflake", "solr", "spark",
    "spark2", "sqlite", "starrocks", "tableau", "teradata", "trino", "tsql",
)


def _is_table_name(value: str) -> bool:
    """table, schema.table or catalog.schema.table, each part a plain SQL name."""
    parts = value.split(".")
    return len(parts) <= 3 and all(SQL_NAME.match(p) for p in parts)


# a [table] or [[array]] header: key characters only, where an array's row (`[1, "a"],`)
# has commas, or ends in one
TOML_HEADER = re.compile(r"^\s*\[\[?\s*[^\[\],=#]+?\s*\]\]?\s*(?:#.*)?$")


def toml_lines(text: str) -> list[str]:
    """The lines of a TOML text as its locators search them: source_lines with the inside
    of multi-line strings blanked, so a line of a string never reads as a header or a key."""
    lines = list(source_lines(text))
    quote = None  # the open multi-line string's quotes
    for n, line in enumerate(lines):
        i, out = 0, []
        while i < len(line):
            if quote:
                end = line.find(quote, i)
                out.append(" " * ((len(line) if end < 0 else end) - i))
                if end < 0:
                    i = len(line)
                    break
                out.append(quote)
                i, quote = end + 3, None
                continue
            m = _TOML_TOKEN.match(line, i)
            if m.group() in ('"""', "'''"):
                quote = m.group()
            elif m.group().startswith("#"):
                out.append(line[i:])
                break
            out.append(m.group())
            i = m.end()
        lines[n] = "".join(out)
    return lines


# what toml_lines steps over outside multi-line strings: their start, one-line strings
# (which may hold quotes and #), a comment, or any one character
_TOML_TOKEN = re.compile("\"\"\"|'''|\"(?:[^\"\\\\]|\\\\.)*\"|'[^']*'|#.*|.")


def dotted_key(keys: list[str]) -> str:
    """A pattern for a dotted TOML key (`a.b`), each part bare or in double or single quotes."""
    return r"\s*\.\s*".join(f'(?:{k}|"{k}"|\'{k}\')' for k in map(re.escape, keys))


class _Reader:
    """Reads one TOML document, reporting problems at the line where the key stands."""

    def __init__(self, text: str, file: str, diags: Collector):
        self.text, self.file, self.diags = text, file, diags
        self.lines = toml_lines(text)

    def span(self, section: str, key: str | None = None) -> Span:
        """The line of `key` in `[section]` (the section's own line without a key). The
        section may be a [header], or written inline (`entity = { key = "id" }`) or dotted
        (`purchase.time = "at"`) under a header above it; the search stays inside the
        section, and takes a line that starts with the key over one that mentions it."""
        parts = [] if section == "top level" else section.split(".")
        lo, hi, found = 0, self._next_header(0), 0
        for n in range(len(parts), 0, -1):  # the deepest section with a header of its own
            header = re.compile(r"^\s*\[+\s*" + dotted_key(parts[:n]) + r"\s*\]+")
            at = next((i for i, line in enumerate(self.lines) if header.match(line)), None)
            if at is not None:
                lo, hi, found = at, self._next_header(at + 1), n
                break
        rest = parts[found:]  # written inline or dotted under that header
        at = self._first(r"^\s*" + dotted_key([*rest, key]) + r"\s*=", lo, hi) if key is not None else None
        for n in range(len(rest), 0, -1):
            if at is None:
                at = self._first(r"^\s*" + dotted_key(rest[:n]) + r"\s*[=.]", lo, hi)
        if at is None:
            at = lo
        line = self.lines[at] if at < len(self.lines) else ""
        col = len(line) - len(line.lstrip()) + 1
        return Span(self.file, at + 1, col, at + 1, max(len(line.rstrip()) + 1, col + 1))

    def _next_header(self, start: int) -> int:
        return next((i for i in range(start, len(self.lines)) if TOML_HEADER.match(self.lines[i])),
                    len(self.lines))

    def _first(self, pattern: str, lo: int, hi: int) -> int | None:
        """The first line from `lo` to `hi` that `pattern` matches."""
        found = re.compile(pattern)
        return next((i for i in range(lo, hi) if found.match(self.lines[i])), None)

    def error(self, message: str, section: str, key: str | None = None, *hints: str) -> None:
        self.diags.error("C001", message, self.span(section, key), *hints)

    def table(self, data: dict, section: str, allowed: tuple[str, ...]) -> dict:
        for key in data:
            if key not in allowed:
                self.error(
                    f"unknown setting '{key}' in [{section}]", section, key,
                    did_you_mean(key, allowed) or f"known settings: {', '.join(allowed)}",
                )
        return data

    def required_str(self, data: dict, section: str, key: str) -> str | None:
        value = data.get(key)
        if value is None:
            self.error(f"[{section}] needs '{key}'", section)
            return None
        if not isinstance(value, str) or not value:
            self.error(f"'{key}' in [{section}] must be a non-empty string", section, key)
            return None
        return value

    def sql_name(self, data: dict, section: str, key: str) -> str | None:
        value = self.required_str(data, section, key)
        if value is not None and not SQL_NAME.match(value):
            self.error(f"'{value}' is not a plain SQL column name", section, key)
            return None
        return value

    def table_name(self, data: dict, section: str) -> Table | None:
        value = self.required_str(data, section, "table")
        if value is None:
            return None
        if not _is_table_name(value):
            self.error(
                f"'{value}' is not a table name", section, "table",
                "write table, schema.table or catalog.schema.table",
            )
            return None
        return Table(tuple(value.split(".")))

    def one_spelling(self, section: str, names: list[tuple[str, str | None]], columns) -> None:
        """A key, time or filter column named like a declared column in another case: one
        column to engines, which fold unquoted names, but two to the tables preview and
        test build."""
        declared = {c for c, _ in columns}
        for setting, name in names:
            if name and name not in declared and name.lower() in declared:
                self.error(f"'{name}' is column '{name.lower()}' of [{section}.columns] in another case", section,
                           setting, f'write the same name in both places: "{name.lower()}"')

    def columns(self, data, section: str) -> tuple[tuple[str, str], ...]:
        if data is None:
            return ()
        if not isinstance(data, dict):
            self.error(f"[{section}] must be a table of name = \"type\"", section)
            return ()
        result = []
        for name, type_ in data.items():
            if not IDENTIFIER.match(name):
                self.error(
                    f"column name '{name}' must match [a-z_][a-z0-9_]*", section, name,
                    "segments refer to columns by these names; use the lower-case form",
                )
            elif type_ not in TYPES:
                shown = type_ if isinstance(type_, str) else repr(type_)
                self.error(
                    f"unknown type '{shown}' for column '{name}'", section, name,
                    did_you_mean(str(type_), TYPES) or f"types are {', '.join(TYPES)}",
                )
            else:
                result.append((name, type_))
        return tuple(result)


def _one_type_per_column(r: _Reader, entity: Entity | None, events: dict[str, EventSource]) -> None:
    """Sources on one table read the same columns: a column declared twice has one type,
    a time column is a date or a timestamp, and a filter value fits its column. Else
    `check` passes and the SQL fails on the warehouse (sum of a string)."""
    declared: dict[tuple, tuple[str, str]] = {}  # (table, column) -> (type, where declared)
    sources = [(entity.table, "entity.columns", entity.columns)] if entity else []
    sources += [(ev.table, f"events.{ev.name}.columns", ev.columns) for ev in events.values()]
    for table, section, columns in sources:
        for name, type_ in columns:
            first, where = declared.setdefault((table.folded, name), (type_, section))
            if first != type_:
                r.error(f"column '{name}' of {table} is {type_} here but {first} in [{where}]", section, name,
                        "a column has one type: declare it alike in both places")
    for ev in events.values():
        section = f"events.{ev.name}"
        type_, where = declared.get((ev.table.folded, ev.time.lower()), ("timestamp", ""))
        if type_ not in ("date", "timestamp"):
            r.error(f"time column '{ev.time}' is declared {type_} in [{where}]", section, "time",
                    "an event's time is a date or a timestamp column")
        for column, value in ev.filter:
            type_, where = declared.get((ev.table.folded, column.lower()), (None, ""))
            if type_ is not None and type_ not in _FILTER_TYPES[type(value)]:
                r.error(f"filter value {value!r} does not fit column '{column}', declared {type_} in [{where}]",
                        section, "filter", f"give a value of type {type_}, or declare the column's own type")


# the declared types a filter value of each kind can be compared with
_FILTER_TYPES = {str: ("string",), bool: ("bool",), int: ("int", "float"), float: ("float",)}


def read_toml(text: str, file: str, diags: Collector) -> dict | None:
    """A TOML document (segdsl.toml, a *.test.toml); None when it is not TOML (the reason,
    with where the file goes wrong, in diags)."""
    # rtoml (Rust) reads a config in a fifteenth of tomllib's time, a fifth of compiling
    # one segment from its sources. It reads TOML 1.1, a superset of tomllib's 1.0 (times
    # without seconds, trailing commas in inline tables).
    try:
        return rtoml.loads(text)
    except ValueError as err:  # TomlParsingError; UnicodeEncodeError for lone surrogates
        _explain_bad_toml(str(err), text, file, diags)
        return None


def load_config(text: str, file: str, diags: Collector, samples_wanted: bool = True) -> Config | None:
    """Parse and check segdsl.toml; None when it is unusable (the reasons are in diags).
    Without `samples_wanted`, the [samples] section is left unread (a past revision's, which
    diff never uses, cannot make that revision unusable)."""
    data = read_toml(text, file, diags)
    if data is None:
        return None
    r = _Reader(text, file, diags)
    before = len(diags.diagnostics)
    r.table(data, "top level", ("project", "entity", "events", "samples", "lint"))

    project = r.table(_section(r, data, "project"), "project", ("name", "dialect", "segments"))
    dialect = project.get("dialect", "duckdb")
    if dialect not in DIALECTS:
        r.error(
            f"unknown dialect '{dialect}'", "project", "dialect",
            did_you_mean(str(dialect), DIALECTS) or f"dialects: {', '.join(DIALECTS)}",
        )
    dirs = _segment_dirs(r, project)

    entity_data = r.table(_section(r, data, "entity", required=True), "entity", ("table", "key", "columns"))
    entity_table = entity_key = None
    if entity_data:  # a missing section is one error, not one per setting
        entity_table = r.table_name(entity_data, "entity")
        entity_key = r.sql_name(entity_data, "entity", "key")
    entity_columns = r.columns(entity_data.get("columns"), "entity.columns")
    r.one_spelling("entity", [("key", entity_key)], entity_columns)

    events = {}
    events_data = data.get("events", {})
    if not isinstance(events_data, dict):
        r.error("[events] must hold one table per event: [events.NAME]", "events")
        events_data = {}
    for name, ev in events_data.items():
        section = f"events.{name}"
        if not IDENTIFIER.match(name):
            r.error(f"event name '{name}' must match [a-z_][a-z0-9_]*", section)
            continue
        if not isinstance(ev, dict):
            r.error(f"[{section}] must be a table", "events", name)  # so a `name = value` in [events]
            continue
        r.table(ev, section, ("table", "key", "time", "filter", "columns"))
        table = r.table_name(ev, section)
        key = r.sql_name(ev, section, "key")
        time = r.sql_name(ev, section, "time")
        filt = ev.get("filter", {})
        if not isinstance(filt, dict) or not all(SQL_NAME.match(k) and _plain(v) for k, v in filt.items()):
            r.error(
                f"'filter' in [{section}] must map column names to plain values (text, numbers, true/false)",
                section, "filter", 'e.g. filter = { event_type = "add_to_cart" }',
            )
            filt = {}
        columns = r.columns(ev.get("columns"), f"{section}.columns")
        r.one_spelling(section, [("key", key), ("time", time), *(("filter", c) for c in filt)], columns)
        if table and key and time:
            events[name] = EventSource(name, table, key, time, tuple(sorted(filt.items())), columns)

    _one_type_per_column(r, Entity(entity_table, entity_key, entity_columns) if entity_table else None, events)

    samples = None
    if "samples" in data and samples_wanted:
        sd = r.table(_section(r, data, "samples"), "samples", ("as_of", "tables"))
        as_of = sd.get("as_of")
        if as_of is not None:
            try:
                as_of = dt.datetime.fromisoformat(str(as_of))
            except ValueError:
                r.error(f"'as_of' must be a timestamp like 2026-06-30T00:00:00, not '{as_of}'", "samples", "as_of")
                as_of = None
            if as_of is not None and (problem := as_of_problem(as_of)):
                r.error(problem, "samples", "as_of")
                as_of = None
        tables = sd.get("tables", {})
        if not isinstance(tables, dict) or not all(isinstance(v, str) for v in tables.values()):
            r.error('[samples.tables] must map table names to files: "schema.table" = "data/file.csv"', "samples.tables")
            tables = {}
        for name in [n for n in tables if not _is_table_name(n)]:
            r.error(f"'{name}' is not a table name", "samples.tables", name,
                    "write table, schema.table or catalog.schema.table")
            del tables[name]
        samples = Samples(as_of, tuple(tables.items()))

    lint = _lint_section(r, data) if "lint" in data else Lint()

    if len(diags.diagnostics) > before or entity_table is None or entity_key is None:
        return None
    return Config(
        name=str(project.get("name", "")),
        dialect=dialect,
        segment_dirs=dirs,
        entity=Entity(entity_table, entity_key, entity_columns),
        events=events,
        samples=samples,
        lint=lint,
    )


def _plain(value) -> bool:
    """A filter value every warehouse can compare with: TOML's nan and inf have no SQL
    literal, and PostgreSQL's text holds no NUL."""
    if isinstance(value, float):
        return math.isfinite(value)
    return isinstance(value, (int, bool)) or (isinstance(value, str) and "\0" not in value)


def setting_span(text: str, file: str, section: str, key: str) -> Span:
    """Where `key` of `[section]` stands in the config text, for messages about its value."""
    return _Reader(text, file, Collector()).span(section, key)


def segment_folders(text: str, file: str, diags: Collector) -> tuple[str, ...] | None:
    """Only where the segment files are (`[project] segments`), whatever the rest of the
    config says; None when the file is not TOML or the setting is wrong."""
    data = read_toml(text, file, diags)
    if data is None:
        return None
    r = _Reader(text, file, diags)
    before = len(diags.diagnostics)
    dirs = _segment_dirs(r, _section(r, data, "project"))
    return dirs if len(diags.diagnostics) == before else None


def _segment_dirs(r: _Reader, project: dict) -> tuple[str, ...]:
    dirs = project.get("segments", ["."])
    if not isinstance(dirs, list) or not all(isinstance(d, str) for d in dirs):
        r.error("'segments' must be a list of folder names", "project", "segments")
        return ()
    return tuple(dirs)


def _lint_section(r: _Reader, data: dict) -> Lint:
    """`[lint] disable = [...]` and `[lint.severity] CODE = "error"`; rules by code or name."""
    # imported here: lint needs resolve, which needs this module
    from .lint import BY_CODE, BY_NAME, SEVERITIES, code_of

    words = sorted(BY_CODE) + sorted(BY_NAME)

    def rule(word, section, key) -> str | None:
        code = code_of(word) if isinstance(word, str) else None
        if code is None:
            r.error(
                f"unknown lint rule '{word}'", section, key,
                did_you_mean(str(word).upper(), BY_CODE) or did_you_mean(str(word), BY_NAME)
                or f"rules: {', '.join(words)}",
            )
        return code

    ld = r.table(_section(r, data, "lint"), "lint", ("disable", "severity"))
    disable = []
    raw = ld.get("disable", [])
    if not isinstance(raw, list):
        r.error('\'disable\' in [lint] must be a list of rule codes, e.g. ["L004"]', "lint", "disable")
        raw = []
    for word in raw:
        code = rule(word, "lint", "disable")
        if code:
            disable.append(code)
    severity = {}
    levels = ld.get("severity", {})
    if not isinstance(levels, dict):
        r.error('[lint.severity] must map rule codes to levels: L001 = "error"', "lint", "severity")
        levels = {}
    for word, level in levels.items():
        code = rule(word, "lint.severity", word)
        if level not in SEVERITIES:
            r.error(
                f"unknown severity '{level}' for {word}", "lint.severity", word,
                did_you_mean(str(level), SEVERITIES) or f"severities: {', '.join(SEVERITIES)}",
            )
        elif code:
            severity[code] = level
    return Lint(tuple(dict.fromkeys(disable)), tuple(sorted(severity.items())))


def _explain_bad_toml(rtoml_error: str, text: str, file: str, diags: Collector) -> None:
    """Report where rtoml stopped: reading TOML 1.1, it stops where the file goes wrong.
    Python's tomllib words most mistakes more plainly, so its message is used when it
    stops at the same place (a file using 1.1 forms stops it earlier, at a form that is fine)."""
    import tomllib  # only for a bad file: not loaded by every `segdsl check`

    m = re.search(r" at line (\d+) column (\d+)", rtoml_error)
    line, col = (int(m.group(1)), int(m.group(2))) if m else (1, 1)
    reason = rtoml_error[:m.start()] if m else rtoml_error.splitlines()[0]
    try:
        tomllib.loads(text)
    except tomllib.TOMLDecodeError as err:
        at = re.search(r"line (\d+), column (\d+)", str(err))
        if at and (int(at.group(1)), int(at.group(2))) == (line, col):
            reason = str(err).split(" (at")[0]
    except RecursionError:  # nesting rtoml refused cleanly
        pass
    hint = 'text values need quotes: dialect = "snowflake"' if re.search("Invalid value|must be quoted", reason) else ""
    diags.error("C000", f"invalid TOML: {reason}", Span(file, line, col, line, col + 1), hint)


def _section(r: _Reader, data: dict, name: str, required: bool = False) -> dict:
    value = data.get(name)
    if value is None:
        if required:
            r.diags.error("C001", f"segdsl.toml needs an [{name}] section", Span(r.file, 1, 1, 1, 2))
        return {}
    if not isinstance(value, dict):
        r.error(f"'{name}' must be a [{name}] section", "top level", name)
        return {}
    return value
