"""L007 unused-trait: a trait that no segment uses, directly or through other traits.

Anti-pattern -- a trait defined and never used::

    trait ltv_12m = sum(purchase.amount, last 365 days)
    segment big: sum(purchase.amount, last 365 days) > 1000

It is dead code, or a segment repeats its definition by hand (and the two will drift
apart). Better -- use it, or remove it::

    trait ltv_12m = sum(purchase.amount, last 365 days)
    segment big: ltv_12m > 1000
"""

from dataclasses import fields

from .. import ast

CODE = "L007"
NAME = "unused-trait"


def check(ctx):
    traits = {d.name: d for d in ctx.definitions if d.kind == "trait"}
    used: set[str] = set()
    todo = [d for d in ctx.definitions if d.kind == "segment"]
    while todo:
        d = todo.pop()
        for name in _names(d.body):
            if name in traits and name not in used:
                used.add(name)
                todo.append(traits[name])
    for name, d in traits.items():
        if name not in used:
            yield ctx.diagnostic(
                CODE, d.name_span, f"trait '{name}' is not used by any segment",
                "use it in a segment, or remove it",
            )


def _names(node):
    """Names a node refers to as entity values (event filters only see event columns)."""
    if isinstance(node, ast.Ref):
        yield node.name
        return
    for f in fields(node):
        if isinstance(node, ast.EventRef) and f.name == "filter":
            continue
        v = getattr(node, f.name)
        for child in (v if isinstance(v, tuple) else (v,)):
            if isinstance(child, ast.Node):
                yield from _names(child)


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
