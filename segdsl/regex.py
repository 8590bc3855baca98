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

_RE2 = "RE2 (DuckDB, ClickHouse, BigQuery) has"
_LOOKAROUND = ("lookahead and lookbehind",
               f"{_RE2} neither: combine `s matches \"a\" and not (s matches \"b\")` instead")
# opcode -> what is refused, and why and what to write instead
_UNPORTABLE = {
    "ASSERT": _LOOKAROUND,
    "ASSERT_NOT": _LOOKAROUND,
    "GROUPREF": ("back-references", f"{_RE2} none: spell the text out"),
    "GROUPREF_EXISTS": ("conditional groups", f"{_RE2} none"),
    "ATOMIC_GROUP": ("atomic groups", f"{_RE2} none"),
    "POSSESSIVE_REPEAT": ("possessive repeats", f"{_RE2} none"),
    "MIN_REPEAT": ("lazy repeats (*? +? ?? {m,n}?)",
                   "Snowflake has none; whether a text matches does not depend on it: drop the ?"),
}
_UNPORTABLE_AT = {
    "AT_END_STRING": ("\\Z", "RE2 has no \\Z: write $ (engines differ on a final line break before it)"),
    "AT_BOUNDARY": ("\\b", "in PostgreSQL \\b is a backspace: write the edge out, e.g. (^|[^a-z0-9_])word"),
    "AT_NON_BOUNDARY": ("\\B", "in PostgreSQL \\B is a backslash: write the edge out"),
}
_FLAGS = re.compile(r"\(\?[a-zA-Z-]+[:)]")


def unportable(pattern: str) -> tuple[str, str] | None:
    """(what, why and what to write instead) for the first construct of `pattern` that
    some engine reads otherwise, or None. `pattern` compiles in Python."""
    found = _in_text(pattern)
    if found:
        return found
    parsed = _parser.parse(pattern)
    if parsed.state.groupdict:
        return "named groups", "PostgreSQL and Java name groups otherwise: use ( ) or (?: )"
    return _walk(parsed)


def _in_text(pattern: str) -> tuple[str, str] | None:
    """What Python's parse does not keep: escapes, [classes], comments and flag groups,
    read along the text, inside and outside [classes]."""
    i, class_from = 0, None  # where the open class's members start
    while i < len(pattern):
        ch, after = pattern[i], pattern[i + 1:i + 2]
        if ch == "\\":
            if after in ("N", "u", "U"):
                return f"\\{after} escapes", "only Python has them: write the character itself"
            if after == "b" and class_from is not None:
                return "[\\b]", "only some engines read it as a backspace: leave it out"
            i += 2
            continue
        if class_from is not None:
            if ch == "[" and after in (":", "=", "."):
                return "[[:class:]]", "Python and Java read it as a set of letters: write the characters, [a-zA-Z]"
            if ch == "]" and i > class_from:
                class_from = None
        elif ch == "[":
            class_from = i + 1 + (after == "^")
            class_from += pattern[class_from:class_from + 1] == "]"  # `[]a]`: a member
        elif pattern.startswith("(?#", i):
            return "comments (?#...)", f"{_RE2} none: leave it out"
        elif (flags := _FLAGS.match(pattern, i)) and flags.group() != "(?i)":
            return f"the flags {flags.group()}", "only (?i), at the start, means the same everywhere"
        elif pattern.startswith("{,", i):
            return "{,n}", "RE2 reads it as text: write {0,n}"
        i += 1
    return None


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
