"""L001 unsatisfiable-condition: a condition no row can ever meet.

Anti-pattern -- bounds or lists on one value that exclude each other inside one `and`,
or an event required and forbidden over the same events::

    segment s: age > 50 and age < 30
    segment s: age 18..25 and age 40..
    segment s: country in ["US"] and country in ["DE"]
    segment s: did purchase in last 7 days and did not purchase in last 30 days

Such a segment is always empty. Better -- usually `or` was meant, or a bound is off::

    segment s: age > 50 or age < 30
    segment s: did purchase in last 7 days and did not purchase in 30 days ago..8 days ago
"""

from ._logic import Unknown, count_at_least_one, count_zero, negates, parts, window_within

CODE = "L001"
NAME = "unsatisfiable-condition"


def check(ctx):
    for site in ctx.sites():
        part = ctx.part(site.node, site.event)
        if part is not None and part.set is not None and part.set.empty:
            yield ctx.diagnostic(
                CODE, site.node.span, f"`{ctx.text(site.node)}` can never be true",
                "no value of it passes this test; check the bound",
            )
    for group in ctx.groups("and"):
        yield from _chain(ctx, group)


def _chain(ctx, group):
    items = parts(ctx, group, expand=True)
    reported = set()

    def report(part, other, why):
        if id(part.node) in reported or part.node is other.node:
            return None
        reported.add(id(part.node))
        where = f" (line {other.node.span.line})" if other.node.span.line != part.node.span.line else ""
        return ctx.diagnostic(
            CODE, part.node.span,
            f"`{ctx.text(part.node)}` contradicts `{ctx.text(other.node)}`{where}: {why}",
            "this `and` can never be true, so the segment is always empty; did you mean `or`?",
        )

    # bounds and lists on one value
    running = {}  # value -> (set so far, first part)
    for part in items:
        if part.set is None or part.set.empty:
            continue
        if part.value not in running:
            running[part.value] = (part.set, part)
            continue
        so_far, first = running[part.value]
        try:
            meet = so_far.intersect(part.set)
        except Unknown:
            continue
        if meet.empty and first.node is not part.node:
            d = report(part, first, "no value satisfies both")
            if d:
                yield d
        running[part.value] = (meet, first)

    # P and not P
    for i, a in enumerate(items):
        for b in items[i + 1:]:
            if negates(a, b):
                d = report(b, a, "one is the negation of the other")
                if d:
                    yield d

    # an event required in a window and forbidden over a window containing it
    for pos in items:
        try:
            if not count_at_least_one(pos):
                continue
        except Unknown:
            continue
        for neg in items:
            try:
                if neg is pos or not count_zero(neg):
                    continue
            except Unknown:
                continue
            p, n = pos.value, neg.value
            if p == n or p.source != n.source:
                continue  # the same count is the bounds check above
            if n.filter is not None and n.filter != p.filter:
                continue
            if window_within(p.window, n.window):
                later, earlier = (neg, pos) if items.index(neg) > items.index(pos) else (pos, neg)
                d = report(later, earlier, "every event the one counts, the other forbids")
                if d:
                    yield d


PASS = [
    "segment s: age > 30 and age < 50",
    "segment s: age > 50 or age < 30",
    "segment s: age 18..25 or age 40..",
    'segment s: country in ["US", "DE"] and country in ["DE"]',
    "segment s: did purchase in last 30 days and did not purchase in last 7 days",
    "segment s: did purchase[amount > 10] and did not purchase[amount > 100]",
    "segment s: signup_at in last 30 days and signup_at before 2025-01-01",
    "segment s: signup_at in last 2 months and signup_at before 30 days ago",
    "segment s: age = 3 and not (age = 4)",
    "segment s: age > 20 and score < 21",
]

FAIL = [
    "segment s:\n    age > 50\n    and age < 30  # <-",
    "segment s: age 18..25 and age 40..  # <-",
    'segment s: country in ["US"] and country in ["DE"]  # <-',
    'segment s: country = "US" and country != "US"  # <-',
    "segment s: did purchase in last 7 days and did not purchase in last 7 days  # <-",
    "segment s:\n    did purchase in last 7 days\n    and did not purchase in last 30 days  # <-",
    'segment s: did not purchase and did purchase[category = "shoes"]  # <-',
    "segment s: age > 20 and age < 21  # <-",
    "segment s: signup_at in last 7 days and signup_at before 30 days ago  # <-",
    "segment s: count(purchase) < 0  # <-",
    "segment s: age is null and age > 3  # <-",
    "segment t: age > 60\nsegment s: age < 30 and in segment t  # <-",
    "segment s: (did purchase or age > 3) and not (did purchase or age > 3)  # <-",
    "segment s: count(purchase[amount > 5 and amount < 2]) > 1  # <-",
]
