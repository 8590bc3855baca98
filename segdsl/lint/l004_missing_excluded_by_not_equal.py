"""L004 missing-excluded-by-not-equal: `!=` / `not in` also leaves out missing values.

Anti-pattern -- a `!=` or `not in` on a value that can be missing, with nothing nearby
saying what should happen to rows where it is missing::

    segment s: country != "US"              # rows with no country are left out too
    segment s: country not in ["US", "GB"]

A predicate over a missing value is false (LANGUAGE.md), so these exclude rows with no
country, which readers often do not expect. Better -- say which was meant::

    segment s: country != "US" or country is null        # keep them
    segment s: country is not null and country != "US"   # leave them out, visibly
"""

from .. import ast, ir
from ._logic import strip

CODE = "L004"
NAME = "missing-excluded-by-not-equal"


def check(ctx):
    tested = {}  # definition name -> values tested with `is null` / `is not null`
    for site in ctx.sites():
        c = ctx.cond(site.node, site.event)
        while isinstance(c, ir.Not):
            c = c.item
        if isinstance(c, ir.IsNull):
            tested.setdefault(site.definition.name, set()).add(strip(c.value))
    for site in ctx.sites():
        node = site.node
        if site.negations % 2:
            continue  # under `not` the exclusion turns into inclusion
        if isinstance(node, ast.Compare) and node.op == "!=":
            c = ctx.cond(node, site.event)
            if not isinstance(c, ir.Compare):
                continue
            values = [v for v in (c.left, c.right) if v.nullable and not isinstance(v, ir.Const)]
            shown = [n for n, v in ((node.left, c.left), (node.right, c.right)) if v in values]
            op = "!="
        elif isinstance(node, ast.InList) and node.negated:
            c = ctx.cond(node, site.event)
            if not isinstance(c, ir.InList) or not c.value.nullable:
                continue
            values, shown, op = [c.value], [node.value], "not in"
        else:
            continue
        known = tested.get(site.definition.name, set())
        if not values or all(strip(v) in known for v in values):
            continue
        name = ctx.text(shown[0])
        text = ctx.text(node)
        yield ctx.diagnostic(
            CODE, node.span,
            f"{_code(text)} also leaves out rows where {name} is missing",
            f"to keep them: {_code(f'{text} or {name} is null')}",
            f"to leave them out visibly: {_code(f'{name} is not null and {text}')}",
        )


def _code(text: str) -> str:
    """`text`, quoted as code in Markdown: in double backticks when it holds a backtick."""
    return f"`` {text} ``" if "`" in text else f"`{text}`"


PASS = [
    'segment s: country = "US"',
    'segment s: country != "US" or country is null',
    'segment s: country is not null and country not in ["US", "GB"]',
    "segment s: count(purchase) != 2",
    'segment s: not (country != "US")',
    "trait n = count(purchase)\nsegment s: n != 0",
]

FAIL = [
    'segment s: country != "US"  # <-',
    'segment s:\n    age > 3\n    and country not in ["US", "GB"]  # <-',
    'segment s: did purchase[category != "shoes"]  # <-',
    "segment s: avg(purchase.amount) != 10  # <-",
    'segment s: email is not null and country != "US"  # <-',
]
