"""Each language form on DuckDB against members worked out by hand from LANGUAGE.md.

The data is small enough to check every expectation by reading it; each row exists to
sit on an edge: missing values, window boundaries to the second, events after as-of,
customers without events, ties, and the characters LIKE treats specially.
"""

import datetime as dt

import duckdb
import pytest

import segdsl

AS_OF = dt.datetime(2026, 1, 1, 12, 0, 0)

CONFIG = """
[project]
name = "semantics"

[entity]
table = "crm.people"
key = "id"

[entity.columns]
age = "int"
name = "string"
country = "string"
signup_at = "timestamp"
birth = "date"
credit = "int"
score = "float"
vip = "bool"
first = "int"

[events.purchase]
table = "crm.orders"
key = "person"
time = "at"
[events.purchase.columns]
amount = "float"
category = "string"

[events.cart]
table = "crm.events"
key = "person"
time = "at"
filter = { kind = "cart" }
[events.cart.columns]
value = "float"

[events.view]
table = "crm.events"
key = "person"
time = "at"
filter = { kind = "view" }
[events.view.columns]
value = "float"
"""

T = dt.datetime
PEOPLE = [
    # id, age, name, country, signup_at, birth, credit, score, vip, first
    (1, 30, "50% off_deal", "US", T(2026, 1, 1, 12, 0, 0), dt.date(1990, 1, 1), -100, 1.5, True, 1),
    (2, None, "O'Brien \\ co", None, T(2025, 12, 2, 12, 0, 0), dt.date(1990, 6, 30), 0, 0.0, False, None),
    (3, 50, "50 percent", "DE", T(2025, 12, 2, 11, 59, 59), None, 5, None, None, 3),
    (4, 18, "Zoë", "us", None, dt.date(2000, 2, 29), None, 3.0, True, 4),
    (5, 65, "x_y", "FR", T(2026, 1, 1, 12, 0, 1), dt.date(1985, 12, 31), 100, 3.0, None, 5),
]
ORDERS = [
    # person, at, amount, category
    (1, T(2026, 1, 1, 12, 0, 0), 10.0, "shoes"),   # exactly at as-of: counts
    (1, T(2025, 12, 2, 12, 0, 0), 20.0, "shoes"),  # exactly as-of minus 30 days: counts in last 30 days
    (2, T(2025, 12, 2, 11, 59, 59), 5.0, None),    # one second before the 30-day window
    (2, T(2026, 1, 1, 12, 0, 1), 1000.0, "shoes"), # one second after as-of: never counts
    (3, T(2025, 6, 30, 23, 59, 59), None, "bags"), # last second of June 30
    (3, T(2025, 7, 1, 0, 0, 0), 7.5, "bags"),
    (5, T(2027, 1, 1, 0, 0, 0), 50.0, "shoes"),    # only a future order
    (None, T(2025, 12, 31, 0, 0, 0), 99.0, "x"),   # no key: nobody's
    (4, None, 99.0, "x"),                          # no time: never counts
]
EVENTS = [
    # person, at, kind, value
    (1, T(2025, 12, 30, 0, 0, 0), "cart", 30.0),
    (2, T(2025, 12, 30, 0, 0, 0), "view", None),
    (2, T(2025, 12, 30, 0, 0, 0), "search", None),  # matches no event source
    (3, T(2025, 12, 31, 0, 0, 0), "cart", None),
    (4, T(2025, 12, 31, 0, 0, 0), "view", None),
    (4, T(2025, 12, 31, 0, 0, 0), "view", None),
]


@pytest.fixture(scope="module")
def con():
    c = duckdb.connect()
    c.execute("CREATE SCHEMA crm")
    c.execute(
        "CREATE TABLE crm.people (id INT, age INT, name VARCHAR, country VARCHAR, signup_at TIMESTAMP,"
        " birth DATE, credit INT, score DOUBLE, vip BOOLEAN, first INT)"
    )
    c.executemany("INSERT INTO crm.people VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", PEOPLE)
    c.execute('CREATE TABLE crm.orders (person INT, "at" TIMESTAMP, amount DOUBLE, category VARCHAR)')
    c.executemany("INSERT INTO crm.orders VALUES (?, ?, ?, ?)", ORDERS)
    c.execute('CREATE TABLE crm.events (person INT, "at" TIMESTAMP, kind VARCHAR, value DOUBLE)')
    c.executemany("INSERT INTO crm.events VALUES (?, ?, ?, ?)", EVENTS)
    return c


# Segments the cases may use. Each chain level uses the one below twice: written out at
# each use, chain30 would be 2**30 conditions; compiled, each level the statement uses
# more than once is one CTE of its members. Every level has adults' members.
HELPERS = "segment adults: age >= 30\ntrait tenth = 0.1\nsegment chain0: in segment adults\n" + "".join(
    f"segment chain{i}: in segment chain{i - 1} or (in segment chain{i - 1} and score > {i})\n" for i in range(1, 31))


def members(con, body: str, extra: str = "") -> set[int]:
    project = segdsl.project_from_sources(CONFIG, {"s.seg": f"segment target: {body}\n{HELPERS}{extra}"})
    sql = project.compile_segment("target", "duckdb", AS_OF)
    rows = con.execute(sql).fetchall()
    assert len(rows) == len({r[0] for r in rows}), "duplicate keys"
    return {r[0] for r in rows}


CASES = [
    # comparisons and missing values
    ("age >= 30", {1, 3, 5}),
    ("not (age >= 30)", {2, 4}),
    ('country != "US"', {3, 4, 5}),
    ('not (country = "US")', {2, 3, 4, 5}),
    ('country not in ["US", "DE"]', {4, 5}),
    ('not (country not in ["US", "DE"])', {1, 2, 3}),
    ('country in ["US", "us"]', {1, 4}),
    ('name = "x_y "', set()),  # trailing spaces count
    ('name in ["x_y ", "Zoë"]', {4}),
    # items that are values: `v = a or v = b`, `v != a and v != b`; a missing item is missing
    ("age in [credit + 25, 18]", {4}),
    ("age not in [credit + 25, 18]", {1, 3, 5}),  # 4's credit is missing
    ("not (age in [credit + 25, 18])", {1, 2, 3, 5}),
    ("score in [`first`, 3]", {4, 5}),
    ("signup_at in [2026-01-01T12:00:00, birth]", {1}),
    ("vip", {1, 4}),
    ("not vip", {2, 3, 5}),
    ("vip = false", {2}),
    ("`first` * 0.1 > 0.3", {3, 4, 5}),  # 0.1 is a float: 3 * 0.1 is 0.30000000000000004
    ("`first` * tenth > 0.3", {3, 4, 5}),  # also through a trait
    ("vip < true", {2}),  # false before true
    ("vip >= false", {1, 2, 4}),
    ("not (vip > false)", {2, 3, 5}),
    ("vip <= (age > 20)", {1, 2}),  # a condition is never missing: 2's (no age) is false
    ("age is null", {2}),
    ("not (age is null)", {1, 3, 4, 5}),
    ("score is not null and score > 1", {1, 4, 5}),
    # ranges: inclusive, open ends, signed bounds, whole days
    ("age 18..50", {1, 3, 4}),
    ("age 31..", {3, 5}),
    ("age ..18", {4}),
    ("not (age 18..50)", {2, 5}),
    ("credit -100..0", {1, 2}),
    ("credit -100..-1", {1}),
    ("signup_at 2025-12-02..2025-12-02", {2, 3}),
    ("birth ..1990-06-30", {1, 2, 5}),
    ("signup_at <= 2025-12-02", set()),  # midnight: both Dec 2 signups are later
    ("signup_at <= 2025-12-02T11:59:59", {3}),
    ("signup_at before 2025-12-03", {2, 3}),
    ("signup_at after 2025-12-02T12:00:00", {1, 5}),
    ("birth < 1990-01-01T00:00:01", {1, 5}),
    # relative time: windows to the second; a signup after as-of is outside `last`
    ("signup_at in last 30 days", {1, 2}),
    ("signup_at before 30 days ago", {3}),
    ("signup_at after 1 month ago", {1, 2, 3, 5}),  # 2025-12-01T12:00:00
    # text: literal and case-sensitive
    ('name contains "%"', {1}),
    ('name contains "_"', {1, 5}),
    ('name contains "\'"', {2}),
    ('name contains "\\\\"', {2}),
    ('name starts with "50"', {1, 3}),
    ('name starts with "50%"', {1}),
    ('name ends with "y"', {5}),
    ('lower(name) contains "zo"', {4}),
    ('name contains "zo"', set()),
    ('upper(country) = "US"', {1, 4}),
    ('name matches "^[0-9]+ p"', {3}),
    ('name matches "ë"', {4}),
    ('not (name matches "_")', {2, 3, 4}),
    # arithmetic; division by zero is missing
    ("age / 4 = 7.5", {1}),
    ("score / credit > 0", {5}),  # person 2 divides by zero: missing
    ("not (score / credit > 0)", {1, 2, 3, 4}),
    ("age * 2 - -1 = 61", {1}),
    # integers are 64-bit: literals and INT columns are 32-bit in some engines
    ("100000 * 100000 > age", {1, 3, 4, 5}),
    ("2147483647 + 1 > credit", {1, 2, 3, 5}),
    ("credit * 100000 * 100000 = -1000000000000", {1}),
    ("`first` * (`first` * 1000000000) = 25000000000", {5}),
    # aggregates and windows
    ("count(purchase) = 2", {1, 3}),  # person 2's second order is after as-of
    ("count(purchase) = 0", {4, 5}),
    ("count(purchase, last 30 days) = 2", {1}),
    ("count(purchase, last 30 days) = 0", {2, 3, 4, 5}),
    ("sum(purchase.amount) = 0", {4, 5}),
    ("sum(purchase.amount) = 7.5", {3}),
    ("avg(purchase.amount) is null", {4, 5}),
    ("avg(purchase.amount) = 7.5", {3}),
    ("max(purchase.amount) >= 20", {1}),
    ("count(purchase, 2025-06-30..2025-06-30) = 1", {3}),
    ("count(purchase, 2025-07-01..) = 1", {2, 3}),
    ("count(purchase, ..2025-06-30) = 1", {3}),
    ('count(purchase[category = "shoes"]) = 2', {1}),
    ('count(purchase[category != "shoes"]) = 1', set()),
    ('count(purchase[not (category = "shoes")]) = 1', {2}),
    ("sum(purchase[amount > 6].amount, 2025-07-01..2025-07-01) = 7.5", {3}),
    # a filter two events of one table share (in the pass's WHERE, beside the events')
    ("count(cart[value is null]) = 1 and count(view[value is null]) = 0", {3}),
    ("count(cart[value is null]) = 0 and count(view[value is null]) = 2", {4}),
    # two tests, each made by two aggregates of one pass (computed once each, as flags)
    ('count(purchase, last 30 days) = 2 and count(purchase[category = "bags"]) = 0'
     ' and sum(purchase.amount, last 30 days) > 25 and sum(purchase[category = "bags"].amount) = 0', {1}),
    ('count(purchase[category = "bags"]) = 2 and count(purchase, last 30 days) = 0'
     ' and sum(purchase[category = "bags"].amount) = 7.5 and sum(purchase.amount, last 30 days) = 0', {3}),
    ("first(purchase) = 2025-06-30T23:59:59", {3}),
    ("last(purchase) before 30 days ago", {2, 3}),
    ("last(purchase) is null", {4, 5}),
    # did / did not, shared event tables with filters
    ("did cart", {1, 3}),
    ("did view", {2, 4}),
    ("did not cart and did not view", {5}),
    ("did purchase in last 30 days", {1}),
    ("did not purchase in last 30 days", {2, 3, 4, 5}),
    # the longest durations check allows run on every engine, and reach all these events
    ("count(purchase, last 300 years) = 2 and count(purchase, last 3600 months) = 2"
     " and count(purchase, last 15653 weeks) = 2 and count(purchase, last 109575 days) = 2"
     " and count(purchase, last 999999 hours) = 2 and signup_at after 300 years ago", {1, 3}),
    ("count(view) = 2", {4}),
    ("sum(cart.value) = 0", {2, 3, 4, 5}),
    ("did purchase in 2025-07-01T00:00:00..", {1, 2, 3}),
    # percentiles: ranked over the whole entity, ties together
    ("top 50% by score", {4, 5}),  # 1.5, 0, 3, 3 ranked: ahead/(4-1) <= 0.5
    ("top 0% by score", {4, 5}),
    # (rank - 1) * 10**9 <= 1 * (4 - 1): a 32-bit rank (Spark's) overflows at the 4th row
    ("top 0.0000001% by score", {4, 5}),
    ("bottom 0.0000001% by score", {2}),
    ("bottom 34% by score", {1, 2}),
    ("bottom 33% by score", {2}),
    ("bottom 33.4% by score", {1, 2}),  # 1 ahead of 3 others: 1/3 <= 0.334
    ("bottom 33.3% by score", {2}),
    ("top 100% by score", {1, 2, 4, 5}),
    ("top 66.6666667% by score", {1, 4, 5}),  # 1 has 2 of 3 ahead: 2/3 <= 0.666666667
    ("top 66.6666666% by score", {4, 5}),
    ("top 50.000000000000% by score", {4, 5}),  # trailing zeros are no precision
    ("top 100000000000000000000000% by score", {1, 2, 4, 5}),  # past 100%: every ranked row
    ("not (top 50% by score)", {1, 2, 3}),
    ('country = "US" and top 50% by score', set()),
    ("top 40% by count(purchase)", {1, 3}),  # 2,1,2,0,0: rows with no events rank at 0
    ("bottom 50% by count(purchase)", {2, 4, 5}),
    ("top 20% by first(purchase)", {1}),
    # a segment used more than once in a statement is computed once (a CTE of its members)
    ("in segment adults", {1, 3, 5}),
    ("(in segment adults and vip) or (in segment adults and score > 1)", {1, 5}),
    ("in segment chain30", {1, 3, 5}),
    ("in segment chain30 and not in segment chain29", set()),
    ("not in segment chain30 or in segment chain2", {1, 2, 3, 4, 5}),
    ("top 50% by score and in segment chain30", {5}),
    # keywords: case-insensitive and reserved; backticks make names
    ("AGE >= 30 AND Not vip", None),  # upper-case name: an error, checked separately
    ("age >= 30 AND NOT vip OR `first` = 4", {3, 4, 5}),
    ("`first` 1..3", {1, 3}),
]


@pytest.mark.parametrize("body,expected", [c for c in CASES if c[1] is not None], ids=lambda c: str(c))
def test_form(con, body, expected):
    assert members(con, body) == expected


def test_upper_case_names_are_an_error(con):
    with pytest.raises(segdsl.SegdslError, match="names are lower case"):
        members(con, "AGE >= 30")


def test_traits_and_segment_references_in_any_order(con):
    extra = """
trait spend = sum(purchase.amount)
segment big: spend >= 5
trait recent_buyer = did purchase in last 30 days
"""
    assert members(con, "in segment big and not recent_buyer", extra) == {2, 3}
    assert members(con, "not in segment big", extra) == {4, 5}
    assert members(con, "recent_buyer = false and spend = 0", extra) == {4, 5}


def test_a_segment_is_written_in_place_unless_that_would_repeat_much_of_it():
    source = HELPERS + ("segment once: in segment adults and vip\n"
                        "segment twice: (in segment adults and vip) or (in segment adults and score > 1)\n")
    project = segdsl.project_from_sources(CONFIG, {"s.seg": source})
    once, twice, chain = (project.compile_segment(n, "duckdb", AS_OF) for n in ("once", "twice", "chain30"))
    assert "WITH" not in once and "e.age >= 30" in once  # a bare column test, as written
    # repeating `age >= 30` costs less than another scan of the entity table for a CTE
    assert "WITH" not in twice and twice.count("e.age >= 30") == 2
    # each level used twice by the one above: the small ones in place, the rest one CTE
    # each, and not 2**30 copies of adults
    assert chain.count("e.age >= 30") == 4 and chain.count(" AS (") == 27 and len(chain) < 30 * 400


def test_not_is_the_exact_complement_everywhere(con):
    everyone = {p[0] for p in PEOPLE}
    for body, expected in CASES:
        if expected is not None:
            assert members(con, f"not ({body})") == everyone - expected, body


def test_every_form_and_its_negation_in_one_statement(con):
    """compile_many's statement holds every form at once, each a true/false column over
    every entity row rather than a WHERE, in both shapes."""
    forms = [(body, expected) for body, expected in CASES if expected is not None]
    everyone = {p[0] for p in PEOPLE}
    source = HELPERS + "".join(f"segment f{i}: {body}\nsegment n{i}: not ({body})\n" for i, (body, _) in enumerate(forms))
    project = segdsl.project_from_sources(CONFIG, {"s.seg": source})
    result = con.execute(project.compile_many(None, "duckdb", AS_OF, "wide"))
    columns = [column[0] for column in result.description]
    wide = result.fetchall()
    long = con.execute(project.compile_many(None, "duckdb", AS_OF, "long")).fetchall()
    for i, (body, expected) in enumerate(forms):
        for name, want in ((f"f{i}", expected), (f"n{i}", everyone - expected)):
            at = columns.index(name)
            assert {row[0] for row in wide if row[at]} == want, (name, body)
            assert {key for key, segment in long if segment == name} == want, (name, body)


def test_future_events_never_count_even_unwindowed(con):
    assert members(con, "max(purchase.amount) > 100") == set()
    assert members(con, "did purchase") == {1, 2, 3}


# Tables named as segdsl names its CTEs (a1 passes, r1 rankings, m1 memberships, members)
# and the entity key named as segdsl names an inner key: what the statement reads must
# stay the user's tables, whatever they are called.
CLASH_CONFIG = """
[project]
name = "clash"

[entity]
table = "{entity}"
key = "{key}"

[entity.columns]
age = "int"

[events.purchase]
table = "{orders}"
key = "person"
time = "at"
[events.purchase.columns]
amount = "float"
"""
CLASH_SEGMENTS = """
segment buyers: count(purchase) >= 1 and age > 1
segment big: sum(purchase.amount) > 5
segment top_half: top 50% by sum(purchase.amount)
segment both: in segment buyers and in segment big and not in segment top_half
segment either: in segment buyers or in segment big or in segment top_half
"""
CLASH_MEMBERS = {"buyers": {1, 3}, "big": {1}, "top_half": {1, 3}, "both": set(), "either": {1, 3}}


@pytest.mark.parametrize("entity,orders", [("a1", "m1"), ("r1", "members"), ("members", "a1"), ("M1", "A1")])
def test_tables_named_like_the_statements_ctes_are_still_read(entity, orders):
    c = duckdb.connect()
    c.execute(f'CREATE TABLE "{entity}" (id INT, age INT)')
    c.execute(f'INSERT INTO "{entity}" VALUES (1, 5), (2, 0), (3, 9), (4, 30)')
    c.execute(f'CREATE TABLE "{orders}" (person INT, "at" TIMESTAMP, amount DOUBLE)')
    c.execute(f"""INSERT INTO "{orders}" VALUES (1, '2025-01-01', 10), (3, '2025-01-01', 1), (3, '2025-02-01', 1)""")
    config = CLASH_CONFIG.format(entity=entity, orders=orders, key="id")
    project = segdsl.project_from_sources(config, {"s.seg": CLASH_SEGMENTS})
    for name, want in CLASH_MEMBERS.items():
        assert {r[0] for r in c.execute(project.compile_segment(name, "duckdb", AS_OF)).fetchall()} == want, name
    long = c.execute(project.compile_many(None, "duckdb", AS_OF, "long")).fetchall()
    assert {name: {k for k, s in long if s == name} for name in CLASH_MEMBERS} == CLASH_MEMBERS
    result = c.execute(project.compile_many(None, "duckdb", AS_OF, "wide"))
    columns = [column[0] for column in result.description]
    wide = result.fetchall()
    assert {name: {row[0] for row in wide if row[columns.index(name)]} for name in CLASH_MEMBERS} == CLASH_MEMBERS


def _people_with_key(key: str):
    c = duckdb.connect()
    c.execute(f'CREATE TABLE people ("{key}" INT, age INT)')
    c.execute("INSERT INTO people VALUES (0, 20), (1, 10), (2, 20)")
    c.execute('CREATE TABLE orders (person INT, "at" TIMESTAMP, amount DOUBLE)')
    return c, CLASH_CONFIG.format(entity="people", orders="orders", key=key)


def test_a_segment_named_like_the_entity_key_keeps_its_members_in_the_long_shape():
    c, config = _people_with_key("id")
    project = segdsl.project_from_sources(config, {"s.seg": "segment id: age >= 15\nsegment key1: age < 15\n"})
    long = c.execute(project.compile_many(None, "duckdb", AS_OF, "long"))
    assert [column[0] for column in long.description] == ["id", "segment"]
    assert sorted(long.fetchall()) == [(0, "id"), (1, "key1"), (2, "id")]


def test_columns_compile_many_cannot_name_apart_are_an_error_at_the_name():
    c, config = _people_with_key("ID")
    project = segdsl.project_from_sources(config, {"s.seg": "segment a: age >= 15\nsegment id: age < 15\n"})
    with pytest.raises(segdsl.SegdslError) as err:
        project.compile_many(None, "duckdb", AS_OF, "wide")
    (d,) = err.value.diagnostics
    assert (d.code, d.span.line, d.span.col) == ("N006", 2, 9) and "entity key" in d.message
    assert "use the long shape" in d.hints[0]

    c, config = _people_with_key("segment")
    project = segdsl.project_from_sources(config, {"s.seg": "segment a: age >= 15\n"})
    with pytest.raises(segdsl.SegdslError) as err:
        project.compile_many(None, "duckdb", AS_OF, "long")
    (d,) = err.value.diagnostics
    assert (d.code, d.span.file, d.span.line) == ("N006", "segdsl.toml", 7)
    assert sorted(c.execute(project.compile_many(None, "duckdb", AS_OF, "wide")).fetchall()) == [
        (0, True), (1, False), (2, True)]


def test_compile_many_takes_each_segment_once_and_needs_one():
    c, config = _people_with_key("id")
    project = segdsl.project_from_sources(config, {"s.seg": "segment a: age >= 15\n"})
    assert sorted(c.execute(project.compile_many(["a", "a"], "duckdb", AS_OF, "long")).fetchall()) == [(0, "a"), (2, "a")]
    assert [col[0] for col in c.execute(project.compile_many(["a", "a"], "duckdb", AS_OF, "wide")).description] == ["id", "a"]
    with pytest.raises(ValueError, match="no segments"):
        project.compile_many([], "duckdb", AS_OF, "long")
