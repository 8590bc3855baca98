"""Stage 4: sqlglot tree -> SQL text, pretty-printed for review.

Each dialect's generator first rewrites every SELECT for constructs segdsl never builds
(UNNEST, DISTINCT ON, QUALIFY, semi joins, named windows, Snowflake variant paths). Those
rewrites walk the whole statement once per SELECT and cost Snowflake two thirds of its
generation time, so the generator here skips them. tests/test_golden_sql.py renders every
example segment and many-segment statement both ways in every dialect and requires the
same text: a sqlglot release in which one of them matters fails there.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import lru_cache, partial

from sqlglot import exp
from sqlglot.dialects.dialect import Dialect
from sqlglot.generator import Generator


def render(tree: exp.Expression, dialect: str) -> str:
    """SQL text of a freshly built tree, which this consumes: it is generated in place,
    without a copy, and taken apart afterwards. Its nodes point to their parents, so a tree
    dropped whole is left to the cyclic garbage collector, whose passes over the trees of
    a thousand segments took a tenth of compiling them."""
    sql = _generator(dialect)().generate(tree, copy=False)
    _take_apart(tree)
    return sql


def _take_apart(tree: exp.Expression) -> None:
    """Clear every node's parent link. Expression.walk does the same at twice the cost:
    it is a generator that also tracks each node's parent, which this throws away."""
    stack = [tree]
    pop, push, node_type = stack.pop, stack.append, exp.Expression
    while stack:
        node = pop()
        node.parent = None
        for value in node.args.values():
            if isinstance(value, node_type):
                push(value)
            elif type(value) is list:
                for item in value:
                    if isinstance(item, node_type):
                        push(item)


@lru_cache(maxsize=None)
def _generator(dialect: str) -> Callable[[], Generator]:
    """A maker of the dialect's pretty-printing generator without the SELECT rewrites (a
    generator holds per-statement state: one each). sqlglot's compiled build (sqlglot[c])
    forbids subclassing its generators, so the rewrite is dropped from each generator's
    handler table (`_dispatch`, stable within the sqlglot minor pinned in pyproject.toml).
    Athena's generator hands each statement to a Hive or Trino generator of its own, so
    it keeps its rewrites."""
    d = Dialect.get_or_raise(dialect)
    cls = d.generator_class
    if cls.generate is not Generator.generate:
        return partial(cls, dialect=d, pretty=True)
    dispatch = {**cls(dialect=d)._dispatch, exp.Select: cls.select_sql}

    def make() -> Generator:
        generator = cls(dialect=d, pretty=True)
        generator._dispatch = dispatch
        return generator

    return make
