"""L007 unused-trait: a trait that no segment uses, directly or through other traits.

Anti-pattern -- a trait defined and never used::

    trait ltv_12m = sum(purchase.amount, last 365 days)
    segment big: sum(purchase.amount, last 365 days) > 1000

It is dead code, or a segment repeats its definition by hand (and the two will drift
apart). Better -- use it, or remove it::

    trait ltv_12m = sum(purchase.amount, last 365 days)
    segment big: ltv_12m > 1000
"""

from .. import ir

CODE = "L007"
NAME = "unused-trait"


def check(ctx):
    # the segments' IR holds every trait they use, through other traits too; names in
    # event filters are event columns there, never traits
    used = {n.name for n in ir.walk(*ctx.program.segments.values()) if isinstance(n, ir.Trait)}
    for d in ctx.definitions:
        if d.kind == "trait" and d.name not in used:
            yield ctx.diagnostic(
                CODE, d.name_span, f"trait '{d.name}' is not used by any segment",
                "use it in a segment, or remove it",
            )


PASS = [
    "trait n = count(purchase)\nsegment s: n > 2",
    "trait n = count(purchase)\ntrait m = n * 2\nsegment s: m > 2",
    "trait amount = 3\nsegment s: amount > 2 and did purchase[amount > 5]",
]

FAIL = [
    "trait n = count(purchase)  # <-\nsegment s: count(purchase) > 2",
    "trait n = count(purchase)  # <-\ntrait m = n * 2\nsegment s: age > 2",
    "trait amount = 3  # <-\nsegment s: did purchase[amount > 5]",
]
