"""L003 redundant-condition: a condition that another one in the same chain already says.

Anti-pattern -- in an `and`, a condition implied by another; in an `or`, a condition
already covered by another; the same condition twice::

    segment s: age > 30 and age > 20        # `age > 20` adds nothing
    segment s: age > 30 or age > 20         # `age > 30` adds nothing
    segment s: did purchase and did purchase

Better -- keep the one that decides. If the two bounds disagree about what was meant,
the redundant one may hide a typo (`age > 20` where `age < 20` was meant)::

    segment s: age > 30
"""

from .. import ast
from ._logic import Unknown, parts

CODE = "L003"
NAME = "redundant-condition"


def check(ctx):
    for group in ctx.groups():
        yield from _chain(ctx, group)


def _chain(ctx, group):
    items = parts(ctx, group, expand=False)
    done = set()
    word = "implied by" if group.op == "and" else "already covered by"
    # conflicting (L001) or exhaustive (L002) sets are those rules' findings
    skip = set()
    for part in items:
        for other in items:
            if part is other or part.value is None or part.value != other.value:
                continue
            try:
                if group.op == "and" and part.set.intersect(other.set).empty:
                    skip.add(part.value)
                if group.op == "or" and part.set.union(other.set).full:
                    skip.add(part.value)
            except Unknown:
                skip.add(part.value)
    for i, a in enumerate(items):
        for b in items[i + 1:]:
            if a.node is b.node:
                continue
            if a.canonical == b.canonical:
                redundant, keeper, same = b, a, True
            elif a.set is not None and a.value == b.value and a.value not in skip:
                same = False
                try:
                    a_in_b, b_in_a = a.set.subset_of(b.set), b.set.subset_of(a.set)
                except Unknown:
                    continue
                # and: the weaker (larger) set is redundant; or: the smaller one is
                if group.op == "and":
                    redundant, keeper = (b, a) if a_in_b else (a, b) if b_in_a else (None, None)
                else:
                    redundant, keeper = (a, b) if a_in_b else (b, a) if b_in_a else (None, None)
                if redundant is None:
                    continue
            else:
                continue
            if id(redundant.node) in done or _explicit_missing(redundant.node, keeper.node):
                continue
            done.add(id(redundant.node))
            line = keeper.node.span.line
            where = f" (line {line})" if line != redundant.node.span.line else ""
            if same:
                msg = f"`{ctx.text(redundant.node)}` repeats `{ctx.text(keeper.node)}`{where}"
            else:
                msg = f"`{ctx.text(redundant.node)}` is {word} `{ctx.text(keeper.node)}`{where}"
            yield ctx.diagnostic(
                CODE, redundant.node.span, msg,
                "remove it, or check the bound: a redundant test often hides a typo",
            )


def _explicit_missing(redundant, keeper) -> bool:
    """`x is not null and x != ...` spells out what `!=` does to missing values: the form
    L004 recommends, so not redundant."""
    excludes = (isinstance(keeper, ast.Compare) and keeper.op == "!=") or (
        isinstance(keeper, ast.InList) and keeper.negated)
    return excludes and isinstance(redundant, ast.IsNull) and redundant.negated


PASS = [
    'segment s: country is not null and country not in ["US", "DE"]',
    'segment s: country != "US" and country is not null',
    "segment s: age > 30 and age < 50",
    "segment s: age > 30 and score > 20",
    "segment s: age > 30 or age < 20",
    "segment s: did purchase in last 7 days and did purchase in last 30 days",
    "segment s: signup_at in last 30 days and signup_at after 2025-01-01",
    'segment s: country != "US" and country != "DE"',
]

FAIL = [
    "segment s: age > 30 and age > 20  # <-",
    "segment s:\n    age > 20  # <-\n    and age > 30",
    "segment s: age > 30 or age > 20  # <-",
    "segment s: did purchase and age > 3 and did purchase  # <-",
    'segment s: country in ["US"] and country in ["US", "DE"]  # <-',
    "segment s: age 20..30 and age is not null  # <-",
    "segment s: signup_at in last 7 days and signup_at after 30 days ago  # <-",
    "segment s: age > 3 and (score > 2 or age > 3 or score > 2)  # <-",
]
