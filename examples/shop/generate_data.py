#!/usr/bin/env python3
"""Generate the sample data of the `shop` example project.

    python examples/shop/generate_data.py

writes data/customers.csv, data/orders.csv, data/events.csv and data/email_events.csv
next to this script. Standard library only and seeded: running it again rewrites the
files byte for byte. The data is a small, made-up shop whose history covers the 18
months before the sample snapshot (as-of 2026-06-30T00:00:00, see segdsl.toml), with
the awkward cases a real warehouse has: customers with no events at all, empty cells,
names with apostrophes and accents, mixed-case emails, equal spend totals, rows that
belong to no declared event (event_type "search", kind "bounce") and a few events
stamped after the as-of moment, which segments must never count.
"""

import csv
import random
import unicodedata
from datetime import date, datetime, timedelta
from pathlib import Path

AS_OF = datetime(2026, 6, 30)
HISTORY_START = AS_OF - timedelta(days=548)  # about 18 months of events
OUT = Path(__file__).resolve().parent / "data"
N_CUSTOMERS = 400

FIRST_NAMES = [
    "Emma", "Liam", "Olivia", "Noah", "Ava", "Lucas", "Mia", "Ethan", "Sophie", "Leon",
    "Hannah", "Jonas", "Chloé", "Zoë", "José", "Björn", "Siobhán", "Łukasz", "François",
    "Renée", "Jürgen", "Noël", "Søren", "Inês", "Tomáš", "D'Andre", "Mary-Kate", "Anaïs",
    "Oğuz", "Åsa", "Maria", "James", "Anna", "David", "Laura", "Paul", "Sara", "Tom",
    "Julia", "Max", "Elena", "Marco", "Lea", "Finn", "Clara", "Ben", "Nina", "Jack",
]
LAST_NAMES = [
    "Smith", "Müller", "García", "O'Brien", "D'Souza", "Nuñez", "Østergaard", "Kowalski",
    "Rossi", "Dubois", "Schmidt", "Jones", "Brown", "Fischer", "Martin", "Bernard", "López",
    "Jensen", "Novak", "O'Connor", "Weiß", "Costa", "Taylor", "Wilson", "Meyer", "Moreau",
    "Ferrari", "Johansson", "de Vries", "Lefèvre", "Walsh", "Kim", "Nguyen", "Hall",
]
CONSUMER_DOMAINS = [("gmail.com", 40), ("yahoo.com", 10), ("hotmail.com", 9),
                    ("outlook.com", 9), ("icloud.com", 7)]
WORK_DOMAINS = [("acme-corp.com", 5), ("globex.de", 4), ("initech.co.uk", 4),
                ("example.org", 3), ("mail.fr", 4), ("posteo.de", 5)]
COUNTRIES = [("US", 27), ("GB", 15), ("DE", 12), ("FR", 8), ("AT", 4), ("CH", 4),
             ("NL", 6), ("ES", 6), ("IT", 5), ("CA", 5), ("AU", 4), ("SE", 4)]
PLANS = [("free", 60), ("plus", 28), ("premium", 12)]
# category -> catalogue price points (a handful of prices, so spend totals can tie)
CATALOGUE = {
    "shoes": [39.00, 59.00, 79.00, 89.00, 119.00, 149.00],
    "apparel": [19.00, 29.00, 39.00, 49.00, 69.00, 99.00],
    "accessories": [9.00, 15.00, 24.00, 35.00, 45.00],
    "electronics": [49.00, 99.00, 149.00, 249.00, 399.00],
    "home": [12.00, 25.00, 39.00, 59.00, 129.00],
    "beauty": [8.00, 14.00, 22.00, 31.00, 48.00],
}
CATEGORIES = list(CATALOGUE)
PAGES = ["/", "/sale", "/new-in", "/search", "/cart", "/account"]
CAMPAIGNS_START = datetime(2024, 12, 31, 9, 0)  # a Tuesday; one campaign every 14 days

# archetype -> (weight, orders per 30 days, page views per 30 days, carts per 30 days)
ARCHETYPES = {
    "ghost": (9, 0.0, 0.0, 0.0),       # signed up, never did anything we track
    "browser": (13, 0.05, 4.0, 2.0),   # looks and fills carts, hardly ever buys
    "lapsed": (20, 0.9, 0.5, 0.3),     # bought for a while, then stopped
    "returning": (6, 0.8, 0.5, 0.3),   # stopped, came back in spring 2026
    "regular": (36, 0.45, 0.4, 0.3),
    "loyal": (16, 1.6, 1.0, 0.6),
}


def pick(rng, weighted):
    items = [item for item, _ in weighted]
    weights = [w for _, w in weighted]
    return rng.choices(items, weights=weights)[0]


def ascii_slug(text):
    folded = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return "".join(ch for ch in folded.lower() if ch.isalnum())


def ts(moment):
    return moment.strftime("%Y-%m-%d %H:%M:%S")


def daytime(rng, day):
    """A moment on the given day, mostly in waking hours, to the minute."""
    hour = rng.choices(range(24), weights=[1, 1, 1, 1, 1, 1, 2, 4, 6, 7, 7, 8,
                                           9, 8, 7, 7, 8, 9, 10, 11, 10, 8, 5, 2])[0]
    return datetime(day.year, day.month, day.day, hour, rng.randrange(60))


def poisson_times(rng, start, end, per_30_days):
    """Moments of a Poisson process with the given rate between start and end."""
    times = []
    if per_30_days <= 0 or end <= start:
        return times
    t = start
    while True:
        t = t + timedelta(days=rng.expovariate(per_30_days / 30.0))
        if t >= end:
            return times
        times.append(daytime(rng, t.date()))


def make_customer(rng, cid):
    first = rng.choice(FIRST_NAMES)
    last = rng.choice(LAST_NAMES)
    # signup: mostly spread over the history, some long-standing customers before it
    if rng.random() < 0.12:
        signup = HISTORY_START - timedelta(days=rng.randrange(30, 700))
    else:
        # a growing shop: more signups in recent months than early on
        signup = HISTORY_START + timedelta(days=int(548 * rng.random() ** 0.5))
    signup = daytime(rng, signup.date())
    age = rng.choices([rng.randint(18, 24), rng.randint(25, 44), rng.randint(45, 64),
                       rng.randint(65, 84)], weights=[14, 44, 30, 12])[0]
    birth = AS_OF.date().replace(year=AS_OF.year - age - 1) + timedelta(days=rng.randrange(1, 365))
    domain = pick(rng, CONSUMER_DOMAINS + WORK_DOMAINS)
    local = rng.choice([f"{ascii_slug(first)}.{ascii_slug(last)}",
                        f"{ascii_slug(first)}{rng.randrange(1, 99)}",
                        f"{ascii_slug(first)[0]}{ascii_slug(last)}"])
    email = f"{local}@{domain}"
    if rng.random() < 0.12:  # people type their address however they like
        email = rng.choice([email.upper(), email.capitalize(),
                            f"{local}@{domain.upper()}", f"{local.title()}@{domain}"])
    row = {
        "customer_id": cid,
        "first_name": first,
        "last_name": last,
        "email": email,
        "age": age,
        "birth_date": birth.isoformat(),
        "country": pick(rng, COUNTRIES),
        "signup_at": signup,
        "plan": pick(rng, PLANS),
        "is_subscribed": rng.random() < 0.6,
        "lifetime_value": None,
    }
    # missing values, as in any real customer table
    if rng.random() < 0.04:
        row["email"] = None
    if rng.random() < 0.06:
        row["age"] = None
        if rng.random() < 0.7:
            row["birth_date"] = None
    if rng.random() < 0.03:
        row["birth_date"] = None
    if rng.random() < 0.04:
        row["country"] = None
    if rng.random() < 0.03:
        row["plan"] = None
    if rng.random() < 0.03:
        row["is_subscribed"] = None
    if rng.random() < 0.03:
        row["first_name"] = None
    return row


def archetype_for(rng, signup):
    kinds = list(ARCHETYPES)
    weights = [ARCHETYPES[k][0] for k in kinds]
    kind = rng.choices(kinds, weights=weights)[0]
    # too new to have lapsed and come back
    if kind in ("lapsed", "returning") and signup > AS_OF - timedelta(days=240):
        kind = rng.choice(["regular", "loyal", "browser"])
    return kind


def make_history(rng, customer, kind):
    """Orders, clickstream and email rows of one customer."""
    cid = customer["customer_id"]
    _, order_rate, view_rate, cart_rate = ARCHETYPES[kind]
    order_rate *= rng.uniform(0.5, 1.6)
    view_rate *= rng.uniform(0.4, 1.6)
    start = max(customer["signup_at"], HISTORY_START)
    end = AS_OF + timedelta(days=6)  # a little past the snapshot: those rows must not count
    spans = [(start, end)]
    if kind == "lapsed":
        stop = start + timedelta(days=rng.randrange(60, max(61, (AS_OF - start).days - 30)))
        spans = [(start, stop)]
    elif kind == "returning":
        gap_start = datetime(2025, 12, 1) + timedelta(days=rng.randrange(0, 20))
        back = datetime(2026, 4, 1) + timedelta(days=rng.randrange(0, 60))
        spans = [(start, min(gap_start, end)), (back, end)]
    favourite = rng.choice(CATEGORIES)
    app_user = rng.random() < 0.3
    orders, events, emails = [], [], []

    for lo, hi in spans:
        for t in poisson_times(rng, lo, hi, order_rate):
            category = favourite if rng.random() < 0.5 else rng.choice(CATEGORIES)
            price = rng.choice(CATALOGUE[category])
            qty = rng.choices([1, 2, 3], weights=[80, 15, 5])[0]
            channel = rng.choices(["web", "app", "store"],
                                  weights=[30, 60, 10] if app_user else [70, 10, 20])[0]
            order = {"customer_id": cid, "ordered_at": t, "amount": f"{price * qty:.2f}",
                     "category": category, "channel": channel}
            if rng.random() < 0.02:
                order["channel"] = None
            if rng.random() < 0.01:
                order["category"] = None
            orders.append(order)
            # the visit that led to the order
            for _ in range(rng.choice([1, 1, 2])):
                events.append({"customer_id": cid,
                               "occurred_at": t - timedelta(minutes=rng.randrange(2, 90)),
                               "event_type": "page_view",
                               "page": f"/product/{1000 + rng.randrange(400)}",
                               "category": category, "value": None})
            events.append({"customer_id": cid,
                           "occurred_at": t - timedelta(minutes=rng.randrange(1, 30)),
                           "event_type": "add_to_cart", "page": None,
                           "category": category, "value": f"{price:.2f}"})
        # browsing that did not end in an order
        for t in poisson_times(rng, lo, hi, view_rate):
            category = favourite if rng.random() < 0.4 else rng.choice(CATEGORIES)
            page = (f"/product/{1000 + rng.randrange(400)}" if rng.random() < 0.6
                    else rng.choice(PAGES + [f"/c/{category}"]))
            events.append({"customer_id": cid, "occurred_at": t, "event_type": "page_view",
                           "page": page, "category": category if page != "/" else None,
                           "value": None})
            if rng.random() < 0.15:
                events.append({"customer_id": cid, "occurred_at": t + timedelta(minutes=1),
                               "event_type": "search", "page": "/search",
                               "category": None, "value": None})
        for t in poisson_times(rng, lo, hi, cart_rate):
            category = rng.choice(CATEGORIES)
            events.append({"customer_id": cid, "occurred_at": t, "event_type": "add_to_cart",
                           "page": None, "category": category,
                           "value": f"{rng.choice(CATALOGUE[category]):.2f}"})

    # marketing email: a campaign every two weeks to subscribers
    if customer["is_subscribed"] is not None:
        opens = rng.choice([0.0, 0.1, 0.25, 0.45, 0.7]) if customer["is_subscribed"] else 0.0
        if kind == "lapsed":
            opens *= 0.3
        clicks = rng.uniform(0.15, 0.5)
        send = CAMPAIGNS_START
        n = 0
        while send < end:
            n += 1
            if send >= customer["signup_at"] and customer["is_subscribed"]:
                campaign = f"newsletter-{n:03d}"
                if rng.random() < 0.01:
                    emails.append({"customer_id": cid, "event_at": send, "kind": "bounce",
                                   "campaign": campaign})
                elif rng.random() < opens:
                    opened = send + timedelta(minutes=rng.randrange(5, 2880))
                    emails.append({"customer_id": cid, "event_at": opened, "kind": "open",
                                   "campaign": campaign})
                    if rng.random() < clicks:
                        emails.append({"customer_id": cid,
                                       "event_at": opened + timedelta(minutes=rng.randrange(1, 20)),
                                       "kind": "click",
                                       "campaign": campaign if rng.random() < 0.97 else None})
            send += timedelta(days=14)
    return orders, events, emails


def main():
    rng = random.Random(42)
    customers, orders, events, emails = [], [], [], []
    for cid in range(1, N_CUSTOMERS + 1):
        customer = make_customer(rng, cid)
        kind = archetype_for(rng, customer["signup_at"])
        o, e, m = make_history(rng, customer, kind)
        if kind == "ghost":
            o, e, m = [], [], []
        spend = sum(float(row["amount"]) for row in o if row["ordered_at"] <= AS_OF)
        # the finance figure: close to recorded spend, older customers carry pre-history spend
        ltv = spend * rng.uniform(0.95, 1.05)
        if customer["signup_at"] < HISTORY_START:
            ltv += rng.choice([0, 150, 400, 900])
        customer["lifetime_value"] = None if rng.random() < 0.05 else f"{ltv:.2f}"
        customers.append(customer)
        orders += o
        events += e
        emails += m

    # fixed edge cases, so that they are always present whatever the draws above
    # two customers who signed up after the snapshot was taken: no history yet
    late = (398, 399)
    customers[late[0] - 1]["signup_at"] = AS_OF + timedelta(days=1, hours=3)
    customers[late[1] - 1]["signup_at"] = AS_OF + timedelta(hours=10, minutes=15)
    for cid in late:
        customers[cid - 1]["lifetime_value"] = None
    ties = (101, 202, 303)
    orders = [r for r in orders if r["customer_id"] not in late + ties]
    events = [r for r in events if r["customer_id"] not in late]
    emails = [r for r in emails if r["customer_id"] not in late]
    # an order exactly at the as-of moment (counts: windows include both ends)
    orders.append({"customer_id": 7, "ordered_at": AS_OF, "amount": "59.00",
                   "category": "shoes", "channel": "web"})
    # tied spend totals: three one-off buyers with the very same basket
    for cid in ties:
        customers[cid - 1]["lifetime_value"] = "250.00"
        orders.append({"customer_id": cid, "ordered_at": datetime(2026, 2, 14, 11, 30),
                       "amount": "250.00", "category": "electronics", "channel": "store"})

    orders.sort(key=lambda r: (r["ordered_at"], r["customer_id"]))
    events.sort(key=lambda r: (r["occurred_at"], r["customer_id"], r["event_type"]))
    emails.sort(key=lambda r: (r["event_at"], r["customer_id"], r["kind"]))

    write(OUT / "customers.csv", customers,
          ["customer_id", "first_name", "last_name", "email", "age", "birth_date", "country",
           "signup_at", "plan", "is_subscribed", "lifetime_value"])
    write(OUT / "orders.csv", orders,
          ["customer_id", "ordered_at", "amount", "category", "channel"])
    write(OUT / "events.csv", events,
          ["customer_id", "occurred_at", "event_type", "page", "category", "value"])
    write(OUT / "email_events.csv", emails, ["customer_id", "event_at", "kind", "campaign"])


def cell(value):
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, datetime):
        return ts(value)
    if isinstance(value, date):
        return value.isoformat()
    return str(value)


def write(path, rows, header):
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "w", newline="", encoding="utf-8") as f:
        out = csv.writer(f, lineterminator="\n")
        out.writerow(header)
        for row in rows:
            out.writerow([cell(row[name]) for name in header])


if __name__ == "__main__":
    main()
