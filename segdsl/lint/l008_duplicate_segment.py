"""L008 duplicate-segment: two segments with the same meaning.

Anti-pattern -- a segment whose condition, once traits and `in segment` references are
replaced by what they stand for, is the same as another's (the order of `and` / `or`
items and double `not`s aside)::

    trait ltv = sum(purchase.amount)
    segment big_spenders: ltv > 1000
    segment vip: sum(purchase.amount) > 1000

The two will drift apart as one is edited and the other forgotten. Better -- keep one,
or define the second by the first when both names are needed::

    segment vip: in segment big_spenders
"""

from .. import ast
from ._logic import canonical

CODE = "L008"
NAME = "duplicate-segment"


def check(ctx):
    seen = {}
    for d in ctx.definitions:
        if d.kind != "segment" or isinstance(d.body, ast.InSegment):
            continue  # an alias says it is the same segment: never the one to keep or drop
        c = ctx.program.segments.get(d.name)
        if c is None:
            continue
        try:
            key = canonical(c)
            hash(key)
        except (TypeError, RecursionError):
            continue
        first = seen.get(key)
        if first is None:
            seen[key] = d
            continue
        yield ctx.diagnostic(
            CODE, d.name_span,
            f"segment '{d.name}' has the same members as segment '{first.name}' ({first.name_span})",
            f"keep one, or write `segment {d.name}: in segment {first.name}` if both names are needed",
        )


PASS = [
    "segment a: age > 3\nsegment b: age > 4",
    "segment a: age > 3\nsegment b: in segment a",
    "segment b: in segment a\nsegment a: age > 3",
    "segment a: did purchase in last 7 days\nsegment b: did purchase in last 1 week and age > 0",
]

FAIL = [
    "segment a: age > 3\nsegment b: age > 3  # <-",
    "trait n = count(purchase)\nsegment a: n > 2 and age > 3\nsegment b: age > 3 and count(purchase) > 2  # <-",
    "segment a: did purchase in last 7 days\nsegment b: did purchase in last 1 week  # <-",
    "segment a: age > 3 or age < 1\nsegment b: not not (age < 1 or age > 3)  # <-",
]
