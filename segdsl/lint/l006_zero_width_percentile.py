"""L006 zero-width-percentile: `top 0%` / `bottom 0%`, a share of zero width.

Anti-pattern -- a 0% share. It is not empty: a row is a member when no more than 0% of
the ranked rows are strictly above it, so it keeps exactly the rows tied at the very
highest (or lowest) value, often one row, sometimes thousands (everyone at 0)::

    segment s: top 0% by lifetime_value
    segment s: bottom 0% by count(purchase)     # every customer with no orders

Better -- a positive share, or the extreme value said outright::

    segment s: top 1% by lifetime_value
    segment s: count(purchase) = 0
"""

from .. import ast

CODE = "L006"
NAME = "zero-width-percentile"


def check(ctx):
    for site in ctx.sites():
        node = site.node
        if isinstance(node, ast.Percentile) and node.percent == 0:
            value = ctx.text(node.value)
            extreme = "highest" if node.direction == "top" else "lowest"
            yield ctx.diagnostic(
                CODE, node.span,
                f"`{node.direction} 0%` keeps only the rows tied at the {extreme} {value}",
                "use a positive share, e.g. `" + node.direction + f" 1% by {value}`, "
                "or compare with the value you mean",
            )


PASS = [
    "segment s: top 1% by age",
    "segment s: bottom 0.5% by score",
]

FAIL = [
    "segment s: top 0% by age  # <-",
    "segment s:\n    did purchase\n    and bottom 0.0% by sum(purchase.amount)  # <-",
]
