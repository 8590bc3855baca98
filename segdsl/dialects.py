"""Where warehouses differ: the one place compile.py asks how to write a construct.

`Flavor` writes the generic form that sqlglot transpiles faithfully to most dialects;
a dialect whose engine means something else by it overrides just that method, and
registers itself in `_FLAVORS`.
"""

from __future__ import annotations

import datetime as dt
from functools import lru_cache

from sqlglot import exp
from sqlglot.dialects.dialect import Dialect, NormalizationStrategy

# SQL:2016 reserved words plus those of common warehouses: a column or table with one of
# these names must be quoted. sqlglot's tokenizers do not list them all (e.g. ORDER).
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
    """.split()
)


class Flavor:
    """The generic way to write each construct; subclasses override per dialect."""

    def __init__(self, dialect: str):
        self.dialect = dialect
        self._sqlglot = Dialect.get_or_raise(dialect)

    # names

    def identifier(self, name: str) -> exp.Identifier:
        """Quoted only when it must be, in the case the warehouse folds unquoted names to."""
        if name.lower() not in self._reserved():
            return exp.to_identifier(name, quoted=False)
        strategy = self._sqlglot.NORMALIZATION_STRATEGY
        if strategy == NormalizationStrategy.UPPERCASE:
            name = name.upper()
        elif strategy == NormalizationStrategy.LOWERCASE:
            name = name.lower()
        return exp.to_identifier(name, quoted=True)

    @lru_cache(maxsize=None)
    def _reserved(self) -> frozenset[str]:
        words = {w.lower() for w in self._sqlglot.tokenizer_class.KEYWORDS if w.isalpha()}
        words |= {w.lower() for w in getattr(self._sqlglot.generator_class, "RESERVED_KEYWORDS", ())}
        return _RESERVED | words

    # literals and time

    def timestamp(self, value: dt.datetime) -> exp.Expression:
        return exp.cast(exp.Literal.string(value.isoformat(sep=" ")), exp.DataType.Type.TIMESTAMP)

    def date(self, value: dt.date) -> exp.Expression:
        return exp.cast(exp.Literal.string(value.isoformat()), exp.DataType.Type.DATE)

    def now(self) -> exp.Expression:
        """The warehouse's current moment, without a time zone."""
        return exp.cast(exp.CurrentTimestamp(), exp.DataType.Type.TIMESTAMP)

    def to_timestamp(self, value: exp.Expression) -> exp.Expression:
        return exp.cast(value, exp.DataType.Type.TIMESTAMP)

    def minus(self, moment: exp.Expression, amount: int, unit: str) -> exp.Expression:
        """`moment` minus a calendar duration; months and years as the warehouse counts them."""
        return exp.DateAdd(this=moment, expression=exp.Literal.number(-amount), unit=exp.var(unit.upper()))

    # text

    def text_match(self, kind: str, value: exp.Expression, pattern: str) -> exp.Expression:
        """Literal, case-sensitive contains / starts with / ends with."""
        escaped = pattern.replace("!", "!!").replace("%", "!%").replace("_", "!_")
        like = {"contains": f"%{escaped}%", "starts_with": f"{escaped}%", "ends_with": f"%{escaped}"}[kind]
        return exp.Escape(
            this=exp.Like(this=value, expression=exp.Literal.string(like)),
            expression=exp.Literal.string("!"),
        )

    def regex_search(self, value: exp.Expression, pattern: str) -> exp.Expression:
        """True when the regular expression finds a match anywhere in the value."""
        return exp.RegexpLike(this=value, expression=exp.Literal.string(pattern))

    # numbers

    def to_float(self, value: exp.Expression) -> exp.Expression:
        return exp.cast(value, exp.DataType.Type.DOUBLE)


_FLAVORS: dict[str, type[Flavor]] = {}


def flavor(dialect: str) -> Flavor:
    return _FLAVORS.get(dialect, Flavor)(dialect)
