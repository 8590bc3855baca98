"""Where warehouses differ: the one place compile.py asks how to write a construct.

`Flavor` writes the generic form that sqlglot transpiles faithfully to most dialects;
a dialect whose engine means something else by it overrides just that method, and
is listed in `_FLAVORS`.
"""

from __future__ import annotations

import datetime as dt
from functools import cached_property, lru_cache

from sqlglot import exp
from sqlglot.dialects.dialect import Dialect, NormalizationStrategy

# SQL:2016 reserved words plus those of common warehouses: a column or table with one of
# these names must be quoted. sqlglot's tokenizers do not list them all (e.g. ORDER); the
# last lines are SQLite's, PostgreSQL's (as a table name) and MySQL/MariaDB's they miss.
_RESERVED = frozenset(
    """
    all alter analyse analyze and any array as asc asymmetric at authorization between bigint
    binary blob boolean both by call case cast char character check collate column constraint
    create cross cube current current_date current_time current_timestamp current_user cursor
    date day default delete desc describe distinct double drop else end escape except exists
    extract false fetch filter first float for foreign from full function grant group grouping
    having hour if ilike in inner insert int integer intersect interval into is join key last
    lateral leading left like limit local localtime localtimestamp merge minute month natural
    not null nulls numeric of offset on only or order outer over overlaps partition percent
    pivot primary qualify range recursive references regexp right rlike row rows sample second
    select session_user set similar smallint some symmetric system_user table tablesample then
    time timestamp to top trailing true union unique unknown unnest update user using values
    varchar view when where window with within year
    add transaction nothing deferrable
    collation concurrently freeze verbose initially placing current_catalog current_role current_schema
    portion page_checksum stats_persistent stats_auto_recalc stats_sample_pages ref_system_id
    parse_vcol_expr delete_domain_id do_domain_ids ignore_domain_ids master_demote_to_slave
    master_demote_to_replica manual parallel
    """.split()
)


class Flavor:
    """The generic way to write each construct; subclasses override per dialect."""

    def __init__(self, dialect: str):
        self._sqlglot = Dialect.get_or_raise(dialect)

    # names

    def identifier(self, name: str) -> exp.Identifier:
        """Quoted only when it must be, in the case the warehouse folds unquoted names to."""
        if name.lower() not in self._reserved:
            return exp.to_identifier(name, quoted=False)
        strategy = self._sqlglot.NORMALIZATION_STRATEGY
        if strategy == NormalizationStrategy.UPPERCASE:
            name = name.upper()
        elif strategy == NormalizationStrategy.LOWERCASE:
            name = name.lower()
        return exp.to_identifier(name, quoted=True)

    @cached_property
    def _reserved(self) -> frozenset[str]:
        words = {w.lower() for w in self._sqlglot.tokenizer_class.KEYWORDS if w.isalpha()}
        words |= {w.lower() for w in getattr(self._sqlglot.generator_class, "RESERVED_KEYWORDS", ())}
        return _RESERVED | words

    # literals and time

    timestamp_type = exp.DataType.Type.TIMESTAMP
    date_type = exp.DataType.Type.DATE

    def timestamp(self, value: dt.datetime) -> exp.Expression:
        return _cast(exp.Literal.string(value.isoformat(sep=" ")), self.timestamp_type)

    def date(self, value: dt.date) -> exp.Expression:
        return _cast(exp.Literal.string(value.isoformat()), self.date_type)

    def now(self) -> exp.Expression:
        """The warehouse's current moment, without a time zone."""
        return _cast(exp.CurrentTimestamp(), self.timestamp_type)

    def to_timestamp(self, value: exp.Expression) -> exp.Expression:
        return _cast(value, self.timestamp_type)

    def minus(self, moment: exp.Expression, amount: int, unit: str) -> exp.Expression:
        """`moment` minus a calendar duration; months and years as the warehouse counts them."""
        return exp.DateAdd(this=moment, expression=exp.Literal.number(-amount), unit=exp.var(unit.upper()))

    # text

    # characters LIKE treats specially; the escape character itself comes first
    like_specials = "\\%_"

    def text_match(self, kind: str, value: exp.Expression, pattern: str) -> exp.Expression:
        """Literal, case-sensitive contains / starts with / ends with."""
        # backslash: the one escape character every engine's LIKE accepts (DataFusion no other)
        return exp.Escape(this=self._like(kind, value, pattern), expression=exp.Literal.string("\\"))

    def _like(self, kind: str, value: exp.Expression, pattern: str) -> exp.Like:
        escaped = "".join("\\" + c if c in self.like_specials else c for c in pattern)
        like = {"contains": f"%{escaped}%", "starts_with": f"{escaped}%", "ends_with": f"%{escaped}"}[kind]
        return exp.Like(this=value, expression=exp.Literal.string(like))

    def case(self, func: str, value: exp.Expression) -> exp.Expression:
        """lower() / upper() of every letter, not only ASCII ones."""
        return (exp.Lower if func == "lower" else exp.Upper)(this=value)

    def regex_search(self, value: exp.Expression, pattern: str) -> exp.Expression:
        """True when the regular expression finds a match anywhere in the value."""
        return exp.RegexpLike(this=value, expression=exp.Literal.string(pattern))

    def nullable(self, value: exp.Expression) -> exp.Expression:
        """A column that reads as NULL where a LEFT JOIN finds no row."""
        return value

    # Whether the statement's key column needs its name given: ClickHouse may name a
    # qualified column `e.k` where a joined table has one named like it.
    key_alias = False

    # Whether a test's outcome can be a column's value (T-SQL, Fabric, Oracle before 23 and
    # Teradata have no boolean values, only conditions): a flag computed once and read as a
    # condition elsewhere.
    boolean_values = True

    def flag(self, test: exp.Expression) -> exp.Expression:
        """A column's value from a test; `flag_set` reads it as true only where it passed."""
        return test if self.boolean_values else self.bool_value(test)

    def bool_literal(self, value: bool) -> exp.Expression:
        """true or false as a value: 1 or 0 where there are no boolean values."""
        return exp.Boolean(this=value) if self.boolean_values else exp.Literal.number(int(value))

    def bool_value(self, test: exp.Expression) -> exp.Expression:
        """A test's outcome as a value that is never missing: true where it holds."""
        return exp.Case(ifs=[exp.If(this=test, true=self.bool_literal(True))], default=self.bool_literal(False))

    def flag_set(self, flag: exp.Expression) -> exp.Expression:
        return flag if self.boolean_values else exp.EQ(this=flag, expression=exp.Literal.number(1))

    # numbers

    # Whether an integer literal or column may be 32-bit, so that arithmetic on it can
    # overflow (an error, or in Spark without ANSI mode a wrong value) where the
    # language's integers are 64-bit. RANK() and COUNT (and SUM of integers) are BIGINT
    # unless said here: the percentile test multiplies a rank and a count.
    narrow_ints = True
    narrow_rank = False
    narrow_count = False

    def to_float(self, value: exp.Expression) -> exp.Expression:
        return _cast(value, exp.DataType.Type.DOUBLE)

    def integer(self, value: int) -> exp.Expression:
        return exp.Literal.number(str(value))

    def int64(self, value: exp.Expression) -> exp.Expression:
        """`value` made a 64-bit integer, where integer arithmetic on it might be narrower."""
        return _cast(value, exp.DataType.Type.BIGINT) if self.narrow_ints else value


def _call(name: str, *args: exp.Expression) -> exp.Expression:
    """A call to a built-in function the dialect has and sqlglot has no node for."""
    return exp.Anonymous(this=name, expressions=list(args))


def _cast(value: exp.Expression, to: exp.DataType.Type) -> exp.Cast:
    # built directly: exp.cast inspects its arguments, and casts are built on every compile
    return exp.Cast(this=value, to=exp.DataType(this=to))


def _regexp_instr(value: exp.Expression, pattern: str) -> exp.Expression:
    """A regex search anywhere in the value, where REGEXP_LIKE is missing or anchored."""
    return exp.GT(this=_call("REGEXP_INSTR", value, exp.Literal.string(pattern)), expression=exp.Literal.number(0))


class SQLite(Flavor):
    """Times are ISO-8601 text. DATE()/DATETIME() do the arithmetic; months overflow into
    the next month (Mar 31 - 1 month = Mar 2) where warehouses clamp to the month's end,
    so month and year shifts clamp explicitly. LIKE ignores case. A regex needs the
    user to register a `regexp(pattern, text)` function on the connection."""

    narrow_ints = False  # integers are 64-bit

    def timestamp(self, value):
        return _call("DATETIME", exp.Literal.string(value.isoformat(sep=" ")))

    def date(self, value):
        return _call("DATE", exp.Literal.string(value.isoformat()))

    def now(self):
        return _call("DATETIME", exp.Literal.string("now"))

    def to_timestamp(self, value):
        return _call("DATETIME", value)

    def minus(self, moment, amount, unit):
        shift = exp.Literal.string(f"-{amount} {unit}s")
        shifted = _call("DATETIME", moment, shift)
        if unit not in ("month", "year"):
            return shifted
        # the day of the month changed only where it overflowed: go back to the last day
        # of the intended month, keeping the time of day
        day = exp.Literal.string("%d")
        overflowed = exp.NEQ(this=_call("STRFTIME", day, moment.copy()), expression=_call("STRFTIME", day, shifted.copy()))
        month_end = _call(
            "DATETIME", shifted.copy(), exp.Literal.string("start of month"), exp.Literal.string("-1 day"),
            exp.DPipe(this=exp.Literal.string("+"), expression=_call("TIME", moment.copy())),
        )
        return exp.Case(ifs=[exp.If(this=overflowed, true=month_end)], default=shifted)

    def text_match(self, kind, value, pattern):
        # by position and substring: literal and as case-sensitive as `=`
        lit = exp.Literal.string(pattern)
        if kind == "contains":
            return exp.GT(this=exp.StrPosition(this=value, substr=lit), expression=exp.Literal.number(0))
        n = len(pattern)
        if n == 0:
            return exp.EQ(this=value, expression=value.copy())  # true whenever the value is present
        start = exp.Literal.number(1 if kind == "starts_with" else -n)
        return exp.EQ(this=exp.Substring(this=value, start=start, length=exp.Literal.number(n)), expression=lit)



class MySQL(Flavor):
    """MySQL and MariaDB. MariaDB has no REGEXP_LIKE (sqlglot's output): REGEXP_INSTR is
    in both. String comparisons follow the column's collation, which is case-insensitive by
    default: tables compared by segdsl need a binary (`_bin`) collation."""

    narrow_ints = False  # integer arithmetic is in BIGINT

    def regex_search(self, value, pattern):
        return _regexp_instr(value, pattern)


class Spark(Flavor):
    """Spark (and Databricks): DATE_ADD works on dates and drops the time of day, so
    shifts subtract an interval, which keeps it and clamps months to their end."""

    narrow_rank = True  # RANK() is an INT

    def minus(self, moment, amount, unit):
        return _minus_interval(moment, amount, unit)


class ClickHouse(Flavor):
    """A LEFT JOIN that finds no row gives a column's default (0, 1970-01-01), not NULL,
    unless the column is Nullable (join_use_nulls = 0 by default): values that must read as
    missing there are made Nullable. lower()/upper() are ASCII-only: use the UTF8 forms.
    Integer arithmetic widens its result (UInt32 * UInt32 is a UInt64)."""

    narrow_ints = False  # and a cast to Int64 would refuse NULL
    key_alias = True
    # Date and DateTime start in 1970: earlier literals stop there, and shifts past it wrap
    # around in days and hours (30000 days before 2026 is 2079). These reach 1900.
    timestamp_type = exp.DataType.Type.DATETIME64
    date_type = exp.DataType.Type.DATE32

    def nullable(self, value):
        return _call("toNullable", value)

    def case(self, func, value):
        return _call(f"{func}UTF8", value)  # lower()/upper() change ASCII letters only


# The dialects below are generated and parsed back here, not executed: their overrides
# follow each warehouse's documentation.


class BigQuery(Flavor):
    """DATE_ADD takes DATEs only: DATETIME_SUB keeps the time. LIKE has no ESCAPE clause;
    backslash is its escape character already."""

    narrow_ints = False  # INT64 only

    def minus(self, moment, amount, unit):
        return exp.DatetimeSub(this=moment, expression=exp.Literal.number(amount), unit=exp.var(unit.upper()))

    def text_match(self, kind, value, pattern):
        return self._like(kind, value, pattern)


class Snowflake(Flavor):
    """REGEXP_LIKE must match the whole string; REGEXP_INSTR finds a match anywhere."""

    narrow_ints = False  # NUMBER(38, 0)

    def regex_search(self, value, pattern):
        return _regexp_instr(value, pattern)


class Redshift(Flavor):
    narrow_rank = True  # RANK() is an INTEGER


class TSQL(Flavor):
    """LIKE also treats [ as a wildcard. Regex needs SQL Server 2025's REGEXP_LIKE."""

    like_specials = "\\%_["
    narrow_count = True  # COUNT (COUNT_BIG is the BIGINT one) and SUM of an INT are INT
    boolean_values = False

    def integer(self, value):
        """A constant past 32 bits is a DECIMAL in T-SQL, whose arithmetic goes on past 64
        bits: made a BIGINT, as the language's integers are."""
        literal = super().integer(value)
        return literal if -2**31 <= value < 2**31 else _cast(literal, exp.DataType.Type.BIGINT)


class Oracle(Flavor):
    """A string cast to a time follows the session's NLS format, so literals give theirs;
    there is no DATE_ADD: days and hours subtract an interval, months use ADD_MONTHS.
    Its DOUBLE PRECISION is a decimal NUMBER: floating point is BINARY_DOUBLE."""

    narrow_ints = False  # NUMBER
    boolean_values = False

    def to_float(self, value):
        return _call("TO_BINARY_DOUBLE", value)  # sqlglot writes a BINARY_DOUBLE cast as DOUBLE PRECISION

    def timestamp(self, value):
        return exp.StrToTime(this=exp.Literal.string(value.isoformat(sep=" ")), format=exp.Literal.string("%Y-%m-%d %H:%M:%S"))

    def date(self, value):
        return exp.StrToDate(this=exp.Literal.string(value.isoformat()), format=exp.Literal.string("%Y-%m-%d"))

    def minus(self, moment, amount, unit):
        if unit in ("month", "year"):
            months = amount * (12 if unit == "year" else 1)
            return exp.AddMonths(this=moment, expression=exp.Literal.number(-months))
        interval = _call("NUMTODSINTERVAL", exp.Literal.number(amount), exp.Literal.string(unit.upper()))
        return exp.Paren(this=exp.Sub(this=moment, expression=interval))


class Teradata(Flavor):
    boolean_values = False

    def minus(self, moment, amount, unit):
        # the SQL Teradata's DATE_ADD gives, built directly: that one warns on a negative amount
        return _minus_interval(moment, amount, unit)


def _minus_interval(moment: exp.Expression, amount: int, unit: str) -> exp.Expression:
    interval = exp.Interval(this=exp.Literal.string(str(amount)), unit=exp.var(unit.upper()))
    return exp.Paren(this=exp.Sub(this=moment, expression=interval))


_FLAVORS: dict[str, type[Flavor]] = {
    "sqlite": SQLite, "mysql": MySQL, "clickhouse": ClickHouse, "spark": Spark, "spark2": Spark, "databricks": Spark,
    "bigquery": BigQuery, "snowflake": Snowflake, "redshift": Redshift, "tsql": TSQL, "fabric": TSQL,
    "oracle": Oracle, "teradata": Teradata,
}


@lru_cache(maxsize=None)
def flavor(dialect: str) -> Flavor:
    """The dialect's flavor; they hold no state, so one per dialect serves every compile."""
    return _FLAVORS.get(dialect, Flavor)(dialect)
