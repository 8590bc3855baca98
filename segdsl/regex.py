"""The regular expressions `matches` accepts: those every claimed engine reads alike.

Engines run a pattern with their own regex library: RE2 (DuckDB, ClickHouse, BigQuery),
PostgreSQL's ARE, Java's (Spark), PCRE (MariaDB), ICU (MySQL 8), Rust's (DataFusion),
POSIX with extensions (Snowflake, Oracle).
A construct one of them lacks fails there at run time, blamed on the data, or quietly
means something else; `check` refuses it instead.
"""

from __future__ import annotations

import re
from re import _parser  # Python's own regex parser (3.11+), which the pattern passed already

# opcode -> why it is refused, and what to write instead
_UNPORTABLE = {
    "ASSERT": ("lookahead and lookbehind", "RE2 (DuckDB, ClickHouse, BigQuery) has neither: "
               "combine `s matches \"a\" and not (s matches \"b\")` instead"),
    "ASSERT_NOT": ("lookahead and lookbehind", "RE2 (DuckDB, ClickHouse, BigQuery) has neither: "
                   "combine `s matches \"a\" and not (s matches \"b\")` instead"),
    "GROUPREF": ("back-references", "RE2 (DuckDB, ClickHouse, BigQuery) has none: spell the text out"),
    "GROUPREF_EXISTS": ("conditional groups", "RE2 (DuckDB, ClickHouse, BigQuery) has none"),
    "ATOMIC_GROUP": ("atomic groups", "RE2 (DuckDB, ClickHouse, BigQuery) has none"),
    "POSSESSIVE_REPEAT": ("possessive repeats", "RE2 (DuckDB, ClickHouse, BigQuery) has none"),
    "MIN_REPEAT": ("lazy repeats (*? +? ?? {m,n}?)",
                   "Snowflake has none; whether a text matches does not depend on it: drop the ?"),
}
_UNPORTABLE_AT = {
    "AT_END_STRING": ("\\Z", "RE2 has no \\Z: write $"),
    "AT_BOUNDARY": ("\\b", "in PostgreSQL \\b is a backspace: write the edge out, e.g. (^|[^a-z0-9_])word"),
    "AT_NON_BOUNDARY": ("\\B", "PostgreSQL reads \\B otherwise: write the class out"),
}
# `{,n}`: Python reads {0,n}, RE2 the literal text; looked for outside [classes]
_OPEN_LOW_COUNT = re.compile(r"(?<!\\)(?:\\\\)*\{,")
_CLASS = re.compile(r"(?<!\\)\[\^?\]?(?:\\.|[^\]\\])*\]")


def unportable(pattern: str) -> tuple[str, str] | None:
    """(what, why and what to write instead) for the first construct of `pattern` that
    some engine reads otherwise, or None. `pattern` compiles in Python."""
    if _OPEN_LOW_COUNT.search(_CLASS.sub("", pattern)):
        return "{,n}", "RE2 reads it as text: write {0,n}"
    parsed = _parser.parse(pattern)
    if parsed.state.groupdict:
        return "named groups", "PostgreSQL and Java name groups otherwise: use ( ) or (?: )"
    return _walk(parsed)


def _walk(sub) -> tuple[str, str] | None:
    for op, arg in sub.data:
        if op.name in _UNPORTABLE:
            return _UNPORTABLE[op.name]
        if op.name == "AT" and arg.name in _UNPORTABLE_AT:
            return _UNPORTABLE_AT[arg.name]
        for part in arg if isinstance(arg, (list, tuple)) else (arg,):
            for inner in part if isinstance(part, list) else (part,):
                if isinstance(inner, _parser.SubPattern) and (found := _walk(inner)):
                    return found
    return None
