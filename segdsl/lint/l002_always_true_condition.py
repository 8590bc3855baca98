"""L002 always-true-condition: a condition every row meets, so it selects nothing out.

Anti-pattern -- an `or` whose branches cover every row, missing values included, or a
test no value can fail::

    segment s: email is null or email is not null
    segment s: age > 30 or not (age > 30)
    segment s: did purchase or did not purchase
    segment s: count(purchase) >= 0

Better -- drop the condition, or write the test that was meant. Note that
`age > 30 or age <= 30` is *not* always true: it leaves out rows with no age
(LANGUAGE.md, missing values), so it is not flagged; write `age is not null` to say so.
"""

from ._logic import Unknown, negates, parts

CODE = "L002"
NAME = "always-true-condition"


def check(ctx):
    flagged = set()
    for group in ctx.groups("or"):
        items = parts(ctx, group, expand=True)
        union = {}
        hit = False
        for part in items:
            if part.set is None:
                continue
            so_far = union.get(part.value)
            try:
                union[part.value] = part.set if so_far is None else so_far.union(part.set)
                hit = hit or (so_far is not None and union[part.value].full)
            except Unknown:
                continue
        for i, a in enumerate(items):
            for b in items[i + 1:]:
                if negates(a, b):
                    hit = True
        if hit:
            flagged.add(id(group.node))
            yield ctx.diagnostic(
                CODE, group.node.span, f"`{ctx.text(group.node)}` is always true: its branches cover every row",
                "remove it; a missing value fails every test but `is null`, so e.g. "
                "`x > 1 or x <= 1` would not be always true",
            )
    for site in ctx.sites():
        part = ctx.part(site.node, site.event)
        if part is None or part.set is None:
            continue
        try:
            full = part.set.full
        except Unknown:
            continue
        if full and not part.set.empty:
            yield ctx.diagnostic(
                CODE, site.node.span, f"`{ctx.text(site.node)}` is always true",
                "no row can fail it (counts are never negative or missing); remove it or fix the bound",
            )


PASS = [
    "segment s: age > 30 or age <= 30",
    "segment s: email is null or email contains \"@\"",
    "segment s: count(purchase) >= 1",
    "segment s: top 100% by age",
    "segment s: age > 30 or not (age > 20)",
    "segment s: did purchase in last 7 days or did not purchase in last 30 days",
]

FAIL = [
    "segment s: email is null or email is not null  # <-",
    "segment s: age > 30 or not (age > 30)  # <-",
    "segment s: age > 30 or not (age > 40)  # <-",
    "segment s: did purchase or did not purchase  # <-",
    "segment s: count(purchase) >= 0  # <-",
    "segment s: top 100% by count(purchase)  # <-",
    'segment s: lower(email) matches "x" or not (lower(email) matches "x")  # <-',
    "segment s:\n    age > 3 and (is_subscribed or not is_subscribed)  # <-",
]
