"""L005 percentile-above-100: `top` / `bottom` with a share above 100%.

Anti-pattern -- a percentage over 100, which keeps every ranked row, like 100%::

    segment s: top 150% by lifetime_value

Better -- a share from 0 to 100; or, to keep every row with a value, say so::

    segment s: top 15% by lifetime_value
    segment s: lifetime_value is not null
"""

from .. import ast

CODE = "L005"
NAME = "percentile-above-100"


def check(ctx):
    for site in ctx.sites():
        node = site.node
        if isinstance(node, ast.Percentile) and node.percent > 100:
            value = ctx.text(node.value)
            yield ctx.diagnostic(
                CODE, node.span,
                f"`{node.direction} {node.percent}%` is above 100%: it keeps every row whose {value} is present",
                f"a share is from 0 to 100; to keep every row with a value, write `{value} is not null`",
            )


PASS = [
    "segment s: top 10% by age",
    "segment s: bottom 100% by score",
    "segment s: top 99.5% by count(purchase)",
]

FAIL = [
    "segment s: top 150% by age  # <-",
    "segment s:\n    is_subscribed\n    and bottom 100.5% by sum(purchase.amount)  # <-",
]
