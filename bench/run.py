"""segdsl benchmark: compile speed, SQL quality on DuckDB, many segments at once, cold start.

    python bench/run.py                       # scale small, every section
    python bench/run.py --scale medium --only eval --repeat 5

Every number is measured against a baseline in the same run (hand-written SQL, Ibis,
PRQL, `python -c pass`, one segment alone) and printed as a median with a ratio. The data
is generated deterministically inside DuckDB (generate_series + hash-based pseudo-random
values) into bench/.data/bench_<scale>.duckdb and reused when present.
Results are printed as tables and written to bench/results.json.
"""

from __future__ import annotations

import argparse
import compileall
import datetime as dt
import gc
import json
import os
import platform
import random
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
PROJECT = HERE / "project"
DATA = HERE / ".data"
AS_OF = dt.datetime(2026, 6, 30)
AS_OF_SQL = "TIMESTAMP '2026-06-30 00:00:00'"
SCALES = {  # customers, events (orders are a fifth of the events, on top)
    "small": (100_000, 2_000_000),
    "medium": (1_000_000, 20_000_000),
    "large": (5_000_000, 100_000_000),
}
DATA_VERSION = 1  # bump when the generator changes: old files are rebuilt
DIALECTS = ["snowflake", "bigquery", "postgres", "duckdb"]

COUNTRIES = ["US", "GB", "DE", "FR", "CA", "AU", "NL", "ES", "IT", "SE", "JP", "BR"]
CATEGORIES = ["shoes", "apparel", "accessories", "electronics", "home", "beauty"]
CHANNELS = ["web", "app", "store"]
EVENTS = ["page_view", "add_to_cart", "begin_checkout", "email_open"]


def median(xs):
    return statistics.median(xs)


def fmt_s(seconds: float) -> str:
    if seconds >= 1:
        return f"{seconds:.2f} s"
    if seconds >= 1e-3:
        return f"{seconds * 1e3:.1f} ms"
    return f"{seconds * 1e6:.0f} us"


def table(title: str, header: list[str], rows: list[list]) -> None:
    cells = [header] + [[str(c) for c in r] for r in rows]
    widths = [max(len(r[i]) for r in cells) for i in range(len(header))]
    print(f"\n## {title}")
    for j, r in enumerate(cells):
        print("  ".join(c.ljust(w) if i == 0 else c.rjust(w) for i, (c, w) in enumerate(zip(r, widths))))
        if j == 0:
            print("  ".join("-" * w for w in widths))


# ---------------------------------------------------------------------------------------
# Data
# ---------------------------------------------------------------------------------------

def _u(salt: str) -> str:
    """A deterministic pseudo-random number in [0, 1) from row number i and a salt."""
    return f"((hash(i, '{salt}') % 1000000)::DOUBLE / 1000000.0)"


def _pick(items: list[str], salt: str) -> str:
    lst = "[" + ", ".join(f"'{x}'" for x in items) + "]"
    return f"({lst})[1 + (hash(i, '{salt}') % {len(items)})::INT]"


def generation_sql(n_customers: int, n_events: int) -> list[str]:
    n_orders = n_events // 5
    start = "TIMESTAMP '2024-06-30 00:00:00'"   # two years of history ...
    span = (730 + 7) * 86400                      # ... and a week after the as-of (future events)
    domains = ["gmail.com", "yahoo.com", "example.com", "hotmail.com", "acme.io", "corp.de"]
    # Event rows arrive in time order (as an append-only event table does): the time
    # grows with the row number, with up to a day of jitter. Keys are skewed to low ids.
    key = f"CASE WHEN {_u('nk')} < 0.0005 THEN NULL ELSE 1 + floor({n_customers} * pow({_u('cu')}, 1.5))::BIGINT END"
    return [
        "CREATE SCHEMA IF NOT EXISTS analytics",
        f"""CREATE OR REPLACE TABLE analytics.customers AS
        SELECT i AS customer_id,
          CASE WHEN {_u('em0')} < 0.05 THEN NULL
               ELSE 'user' || i::VARCHAR || '@' || {_pick(domains, 'dom')} END AS email,
          CASE WHEN {_u('ag0')} < 0.05 THEN NULL ELSE 18 + (hash(i, 'age') % 63)::INT END AS age,
          DATE '1950-01-01' + (hash(i, 'bd') % 20000)::INT AS birth_date,
          CASE WHEN {_u('co0')} < 0.03 THEN NULL ELSE {_pick(COUNTRIES, 'co')} END AS country,
          TIMESTAMP '2018-01-01 00:00:00' + to_seconds(((i - 1) * 268000000 // {n_customers})::BIGINT) AS signup_at,
          CASE WHEN {_u('pl')} < 0.6 THEN 'free' WHEN {_u('pl')} < 0.9 THEN 'plus' ELSE 'premium' END AS plan,
          {_u('sub')} < 0.4 AS is_subscribed,
          round(pow({_u('ltv')}, 3) * 5000, 2) AS lifetime_value
        FROM range(1, {n_customers + 1}) t(i)""",
        f"""CREATE OR REPLACE TABLE analytics.orders AS
        SELECT i AS order_id,
          {key} AS customer_id,
          {start} + to_seconds((i * {span} // {n_orders} + hash(i, 'j') % 86400)::BIGINT) AS ordered_at,
          CASE WHEN {_u('am0')} < 0.01 THEN NULL ELSE round(5 + pow({_u('am')}, 2) * 400, 2) END AS amount,
          {_pick(CATEGORIES, 'cat')} AS category,
          {_pick(CHANNELS, 'ch')} AS channel
        FROM range({n_orders}) t(i)""",
        f"""CREATE OR REPLACE TABLE analytics.events AS
        SELECT i AS event_id,
          {key} AS customer_id,
          {start} + to_seconds((i * {span} // {n_events} + hash(i, 'j') % 86400)::BIGINT) AS occurred_at,
          CASE WHEN {_u('et')} < 0.70 THEN 'page_view' WHEN {_u('et')} < 0.85 THEN 'add_to_cart'
               WHEN {_u('et')} < 0.93 THEN 'begin_checkout' ELSE 'email_open' END AS event_type,
          CASE WHEN {_u('pg')} < 0.6 THEN '/product/' || (hash(i, 'pid') % 5000)::VARCHAR
               ELSE {_pick(['/home', '/sale', '/cart', '/search'], 'pgs')} END AS page,
          round(5 + {_u('val')} * 300, 2) AS value,
          {_pick(CATEGORIES, 'ecat')} AS category
        FROM range({n_events}) t(i)""",
        f"CREATE OR REPLACE TABLE analytics.bench_meta AS SELECT {DATA_VERSION} AS version, "
        f"{n_customers} AS customers, {n_events} AS events, {n_orders} AS orders",
    ]


def ensure_data(scale: str) -> tuple[Path, dict]:
    import duckdb
    n_customers, n_events = SCALES[scale]
    DATA.mkdir(exist_ok=True)
    path = DATA / f"bench_{scale}.duckdb"
    if path.exists():
        try:
            con = duckdb.connect(str(path), read_only=True)
            v, c, e, o = con.execute("SELECT version, customers, events, orders FROM analytics.bench_meta").fetchone()
            con.close()
            if (v, c, e) == (DATA_VERSION, n_customers, n_events):
                print(f"data: reusing {path} ({c:,} customers, {o:,} orders, {e:,} events)")
                return path, {"customers": c, "orders": o, "events": e, "generated_s": None}
        except Exception:
            pass
        path.unlink()
    tmp = path.with_suffix(".tmp")
    if tmp.exists():
        tmp.unlink()
    print(f"data: generating {scale} ({n_customers:,} customers, {n_events:,} events) ...", flush=True)
    t0 = time.perf_counter()
    con = duckdb.connect(str(tmp))
    con.execute("SET enable_progress_bar = false")
    for stmt in generation_sql(n_customers, n_events):
        con.execute(stmt)
    con.execute("CHECKPOINT")
    con.close()
    tmp.rename(path)
    took = time.perf_counter() - t0
    print(f"data: generated in {took:.1f} s -> {path}")
    return path, {"customers": n_customers, "orders": n_events // 5, "events": n_events, "generated_s": round(took, 1)}


# ---------------------------------------------------------------------------------------
# A generated project: varied, realistic segments
# ---------------------------------------------------------------------------------------

def gen_project_text(n: int, prefix: str, seed: int) -> tuple[str, list[str]]:
    """`n` segments (and a few traits) named `<prefix>NNN_kind`; returns the text and the names."""
    r = random.Random(seed)
    traits = {
        f"{prefix}orders_90d": (lambda: r.choice([1, 2, 3, 5])),
        f"{prefix}spend_365d": (lambda: r.choice([100, 250, 500, 1000])),
        f"{prefix}views_30d": (lambda: r.choice([3, 5, 10, 20])),
        f"{prefix}aov": (lambda: r.choice([40, 80, 120, 200])),
        f"{prefix}engagement": (lambda: r.choice([5, 10, 20])),
    }
    out = [
        f"# generated by bench/run.py (gen_project_text, seed {seed}): do not edit by hand\n",
        f'trait {prefix}orders_90d "Orders in the last 90 days" = count(purchase, last 90 days)',
        f'trait {prefix}spend_365d "Spend in the last 365 days" = sum(purchase.amount, last 365 days)',
        f"trait {prefix}views_30d = count(page_view, last 30 days)",
        f"trait {prefix}aov = sum(purchase.amount) / count(purchase)",
        f"trait {prefix}engagement = 3 * count(purchase, last 90 days) + count(page_view, last 30 days)"
        f" + 2 * count(email_open, last 30 days)",
        "",
    ]
    names: list[str] = []

    def atom(i: int) -> tuple[str, str]:
        k = r.randrange(17)
        n_days = r.choice([7, 14, 30, 60, 90, 180, 365])
        if k == 0:
            lo = r.randrange(18, 60)
            return "age", f"age {lo}..{lo + r.choice([5, 10, 15, 20])}"
        if k == 1:
            cs = ", ".join(f'"{c}"' for c in r.sample(COUNTRIES, r.randrange(1, 5)))
            return "geo", f"country {r.choice(['in', 'not in'])} [{cs}]"
        if k == 2:
            return "ltv", f"lifetime_value >= {r.choice([50, 100, 250, 500, 1000, 2500])}"
        if k == 3:
            return "plan", r.choice(['plan = "free"', 'plan != "free"', 'plan in ["plus", "premium"]'])
        if k == 4:
            return "contact", r.choice(["is_subscribed", 'lower(email) ends with "@gmail.com"',
                                        "email is null", 'email contains "acme"'])
        if k == 5:
            return "signup", r.choice([f"signup_at in last {n_days * 4} days",
                                       f"signup_at before 202{r.randrange(0, 6)}-0{r.randrange(1, 10)}-01"])
        if k == 6:
            return "orders", f"count(purchase, last {n_days} days) >= {r.choice([1, 2, 3, 5])}"
        if k == 7:
            return "cat", (f'count(purchase[category = "{r.choice(CATEGORIES)}"], last {n_days} days)'
                           f" >= {r.choice([1, 2, 3])}")
        if k == 8:
            return "spend", f"sum(purchase.amount, last {n_days} days) > {r.choice([50, 100, 300, 1000])}"
        if k == 9:
            return "did", f"did {r.choice(EVENTS)} in last {n_days} days"
        if k == 10:
            return "didnot", f"did not {r.choice(EVENTS)} in last {n_days} days"
        if k == 11:
            return "pct", r.choice([f"top {r.choice([5, 10, 20, 25])}% by sum(purchase.amount, last 365 days)",
                                    f"bottom {r.choice([10, 20, 30])}% by lifetime_value",
                                    f"top {r.choice([10, 15])}% by {prefix}engagement"])
        if k == 12:
            t = r.choice(list(traits))
            return "trait", f"{t} >= {traits[t]()}"
        if k == 13 and names:
            return "ref", f"{r.choice(['', 'not '])}in segment {r.choice(names)}"
        if k == 14:
            return "recency", r.choice([f"last(purchase) before {n_days} days ago",
                                        f"last(page_view) in last {n_days} days",
                                        f"first(purchase) in last {n_days} days"])
        if k == 15:
            return "avg", f"avg(purchase.amount, last {n_days} days) >= {r.choice([20, 50, 100])}"
        return "views", f'count(page_view[page starts with "/product/"], last {n_days} days) >= {r.choice([3, 5])}'

    for i in range(n):
        parts = [atom(i) for _ in range(r.choice([1, 2, 2, 3, 3, 4, 5]))]
        parts = [p for j, p in enumerate(parts) if p[1] not in [q[1] for q in parts[:j]]]
        exprs = [e for _, e in parts]
        if len(exprs) >= 3 and r.random() < 0.25:
            exprs[-2:] = [f"({exprs[-2]} or {exprs[-1]})"]
        if len(exprs) >= 2 and r.random() < 0.1:
            exprs[0] = f"not ({exprs[0]})"
        name = f"{prefix}{i:04d}_{parts[0][0]}"
        names.append(name)
        out.append(f"segment {name}:\n    " + "\n    and ".join(exprs) + "\n")
    return "\n".join(out), names


def write_generated_project(folder: Path, n: int, files: int = 10) -> list[str]:
    text, names = gen_project_text(n, "g", seed=1000 + n)
    (folder / "segments").mkdir(parents=True)
    shutil.copy(PROJECT / "segdsl.toml", folder / "segdsl.toml")
    # split into files at segment boundaries (definitions may come in any order and file)
    chunks = text.split("\nsegment ")
    head, segs = chunks[0], chunks[1:]
    per = -(-len(segs) // files)
    for f in range(files):
        body = "\nsegment ".join([""] + segs[f * per:(f + 1) * per])
        (folder / "segments" / f"part{f:02d}.seg").write_text((head if f == 0 else "") + body + "\n")
    return names


def many_names(project) -> list[str]:
    return [s for s in project.segments if s.startswith("m")]


# ---------------------------------------------------------------------------------------
# 1. compile
# ---------------------------------------------------------------------------------------

IBIS_SCHEMAS = {
    "customers": {"customer_id": "int64", "email": "string", "age": "int64", "birth_date": "date",
                  "country": "string", "signup_at": "timestamp", "plan": "string",
                  "is_subscribed": "boolean", "lifetime_value": "float64"},
    "orders": {"order_id": "int64", "customer_id": "int64", "ordered_at": "timestamp",
               "amount": "float64", "category": "string", "channel": "string"},
    "events": {"event_id": "int64", "customer_id": "int64", "occurred_at": "timestamp",
               "event_type": "string", "page": "string", "value": "float64", "category": "string"},
}

PRQL_ATTR = """
from analytics.customers
filter (age >= 30 && age <= 50)
filter (country == "US" || country == "GB" || country == "DE")
filter lifetime_value >= 100
filter is_subscribed
filter (email | text.ends_with "@gmail.com")
filter signup_at < @2025-01-01T00:00:00
filter plan != "free"
select {customer_id}
"""

PRQL_MIXED = """
let asof = @2026-06-30T00:00:00
let oa = (
  from analytics.orders
  filter ordered_at <= asof
  group {customer_id} (aggregate {
    n90 = sum (case [ordered_at >= asof - 90days => 1, true => 0]),
    s365 = sum (case [ordered_at >= asof - 365days => amount, true => 0]),
  })
)
let ea = (
  from analytics.events
  filter (occurred_at <= asof && occurred_at >= asof - 7days)
  filter (event_type == "add_to_cart" || event_type == "begin_checkout")
  group {customer_id} (aggregate {
    atc = sum (case [event_type == "add_to_cart" => 1, true => 0]),
    chk = sum (case [event_type == "begin_checkout" => 1, true => 0]),
  })
)
from c = analytics.customers
join side:left o = oa (c.customer_id == o.customer_id)
join side:left e = ea (c.customer_id == e.customer_id)
filter (c.age >= 30 && c.age <= 50 && (c.country == "US" || c.country == "GB") && c.is_subscribed)
filter ((o.n90 ?? 0) >= 2 && (o.s365 ?? 0) > 200)
filter ((e.atc ?? 0) > 0 && (e.chk ?? 0) == 0)
select {c.customer_id}
"""


def ibis_attr():
    import ibis
    c = ibis.table(IBIS_SCHEMAS["customers"], name="customers", database="analytics")
    expr = c.filter(
        c.age.between(30, 50), c.country.isin(["US", "GB", "DE"]), c.lifetime_value >= 100,
        c.is_subscribed, c.email.endswith("@gmail.com"),
        c.signup_at < ibis.timestamp("2025-01-01 00:00:00"), c.plan != "free",
    ).select("customer_id")
    return ibis.to_sql(expr, dialect="duckdb")


def ibis_mixed():
    import ibis
    c = ibis.table(IBIS_SCHEMAS["customers"], name="customers", database="analytics")
    o = ibis.table(IBIS_SCHEMAS["orders"], name="orders", database="analytics")
    ev = ibis.table(IBIS_SCHEMAS["events"], name="events", database="analytics")
    asof = ibis.timestamp("2026-06-30 00:00:00")
    o2 = o.filter(o.ordered_at <= asof)
    oa = o2.group_by(k=o2.customer_id).aggregate(
        n90=o2.count(where=o2.ordered_at >= asof - ibis.interval(days=90)),
        s365=o2.amount.sum(where=o2.ordered_at >= asof - ibis.interval(days=365)),
    )
    e2 = ev.filter(ev.occurred_at <= asof, ev.occurred_at >= asof - ibis.interval(days=7),
                   ev.event_type.isin(["add_to_cart", "begin_checkout"]))
    ea = e2.group_by(k2=e2.customer_id).aggregate(
        atc=e2.count(where=e2.event_type == "add_to_cart"),
        chk=e2.count(where=e2.event_type == "begin_checkout"),
    )
    j = c.left_join(oa, c.customer_id == oa.k).left_join(ea, c.customer_id == ea.k2)
    expr = j.filter(
        j.age.between(30, 50), j.country.isin(["US", "GB"]), j.is_subscribed,
        j.n90.fill_null(0) >= 2, j.s365.fill_null(0) > 200,
        j.atc.fill_null(0) > 0, j.chk.fill_null(0) == 0,
    ).select("customer_id")
    return ibis.to_sql(expr, dialect="duckdb")


def prql(text):
    import prqlc
    return prqlc.compile(text, prqlc.CompileOptions(target="sql.duckdb", signature_comment=False))


class IbisWorker:
    """bench/ibis_worker.py, which times Ibis on sqlglot's pure-Python modules (see there
    why), driven one request at a time over a pipe."""

    def __init__(self):
        self.proc = subprocess.Popen([sys.executable, str(HERE / "ibis_worker.py")],
                                     stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)

    def ask(self, request: str):
        self.proc.stdin.write(request + "\n")
        self.proc.stdin.flush()
        answer = self.proc.stdout.readline()
        if not answer:  # its traceback is on stderr, above
            raise SystemExit(f"bench/ibis_worker.py stopped (exit code {self.proc.wait()}) at {request!r}")
        return json.loads(answer)


def segment_source(name: str) -> str:
    """The definition of segment `name` in bench/project, as text (for an in-memory project)."""
    for f in sorted((PROJECT / "segments").glob("*.seg")):
        text = f.read_text()
        start = text.find(f"segment {name} ")
        if start < 0:
            start = text.find(f"segment {name}:")
        if start >= 0:
            end = text.find("\nsegment ", start + 1)
            return text[start:] if end < 0 else text[start:end + 1]
    raise KeyError(name)


BLOCK = 20  # runs of one compiler in a row (compile section)


def timed(fn, n: int) -> list[float]:
    out = []
    for _ in range(n):
        t0 = time.perf_counter()
        fn()
        out.append(time.perf_counter() - t0)
    return out


def bench_compile(args, results):
    res = results["compile"] = {}
    # one function each, so nothing one part loaded is alive (and walked by the garbage
    # collector) while the next part is timed
    compile_project(args, res)
    gc.collect()
    compile_one(args, res)


def compile_project(args, res):
    """(a) 1,000 segments, per dialect."""
    import segdsl

    with tempfile.TemporaryDirectory(prefix="segdsl-bench-") as tmp:
        names = write_generated_project(Path(tmp), 1000)
        t0 = time.perf_counter()
        first = segdsl.load_project(tmp)                 # builds the grammar: not counted below
        first_load = time.perf_counter() - t0
        n_traits = len(first.program.definitions) - len(first.segments)
        load_times = timed(lambda: segdsl.load_project(tmp), args.repeat)
        rows = []
        res["project_1000"] = {"segments": len(names), "traits": n_traits,
                               "first_load_s": first_load, "load_median_s": median(load_times), "dialects": {}}
        for d in DIALECTS:
            times, sql_bytes = [], 0
            for _ in range(args.repeat):
                t0 = time.perf_counter()
                p = segdsl.load_project(tmp)
                sql_bytes = sum(len(p.compile_segment(s, dialect=d)) for s in names)
                times.append(time.perf_counter() - t0)
            m = median(times)
            res["project_1000"]["dialects"][d] = {"median_s": m, "min_s": min(times), "sql_bytes": sql_bytes}
            rows.append([d, fmt_s(m), fmt_s(min(times)), f"{m / len(names) * 1e3:.2f} ms", f"{sql_bytes / 1e6:.1f} MB",
                         "yes" if m < 1 else "NO"])
    table(f"compile: parse + check + SQL of a generated {len(names)}-segment project ({n_traits} traits), "
          f"median of {args.repeat} (parse + check alone: {fmt_s(median(load_times))}; "
          f"first load incl. grammar build {fmt_s(first_load)})",
          ["dialect", "median", "min", "per segment", "SQL", "< 1 s"], rows)


def compile_one(args, res):
    """(b) one typical segment, and (c) the same filters in Ibis and PRQL."""
    import segdsl

    config_text = (PROJECT / "segdsl.toml").read_text()
    n = args.compile_runs
    rows = []
    res["one_segment"] = {}
    blocks = -(-n // BLOCK)  # whole blocks: at least n runs
    ibis = IbisWorker()
    for name, prql_text in [("typical_attr", PRQL_ATTR), ("typical_mixed", PRQL_MIXED)]:
        src = {"typical.seg": segment_source(name)}

        def ours():
            return segdsl.project_from_sources(config_text, src).compile_segment(name, dialect="duckdb", as_of=AS_OF)

        loaded = segdsl.project_from_sources(config_text, src)
        for f in (ours, lambda: prql(prql_text)):   # first calls: grammar build, imports
            f()
        t_ours, t_ibis, t_prql, t_compile_only = [], [], [], []
        # Interleaved in blocks, so drift on a noisy machine hits all alike while each runs
        # warm, as when compiling a project: one call right after another compiler's runs
        # on a cold CPU cache and takes about twice as long, whichever compiler it is.
        for _ in range(blocks):
            t_ours += timed(ours, BLOCK)
            t_ibis += ibis.ask(f"time {name.removeprefix('typical_')} {BLOCK}")
            t_prql += timed(lambda: prql(prql_text), BLOCK)
            t_compile_only += timed(lambda: loaded.compile_segment(name, dialect="duckdb", as_of=AS_OF), BLOCK)
        mo, mi, mp, mc = median(t_ours), median(t_ibis), median(t_prql), median(t_compile_only)
        res["one_segment"][name] = {"ours_s": mo, "ours_compile_only_s": mc, "ibis_s": mi, "prql_s": mp,
                                    "ibis_over_ours": mi / mo, "prql_over_ours": mp / mo, "runs": len(t_ours)}
        rows.append([name, fmt_s(mo), fmt_s(mc), fmt_s(mi), fmt_s(mp), f"{mi / mo:.1f}x", f"{mp / mo:.1f}x",
                     "yes" if mo < 1e-3 else "NO",
                     "yes" if mi / mo >= 5 else "NO", "yes" if mp / mo >= 3 else "NO"])
    table(f"compile: one 7-predicate segment to DuckDB SQL, median of {blocks * BLOCK} in-process runs "
          "(ours = config + parse + check + SQL; Ibis = build expr + to_sql, on sqlglot's Python modules; "
          "PRQL = prqlc.compile)",
          ["segment", "segdsl", "SQL only", "Ibis", "PRQL", "Ibis/ours", "PRQL/ours", "<1 ms", ">=5x Ibis",
           ">=3x PRQL"], rows)

    # the three compilers must mean the same thing: run them on the data when it is there
    path = DATA / f"bench_{args.scale}.duckdb"
    if path.exists():
        import duckdb
        con = duckdb.connect(str(path), read_only=True)
        agree = {}
        for name, prql_text in [("typical_attr", PRQL_ATTR), ("typical_mixed", PRQL_MIXED)]:
            ours_sql = segdsl.load_project(PROJECT).compile_segment(name, dialect="duckdb", as_of=AS_OF)
            sqls = {"ours": ours_sql, "ibis": ibis.ask(f"sql {name.removeprefix('typical_')}"), "prql": prql(prql_text)}
            counts = {k: con.execute(f"SELECT count(*) FROM ({v.rstrip(';')}) q").fetchone()[0] for k, v in sqls.items()}
            diff = con.execute(f"SELECT count(*) FROM (({sqls['ours'].rstrip(';')}) EXCEPT ({sqls['ibis']}) "
                               f"UNION ALL (({sqls['prql']}) EXCEPT ({sqls['ours'].rstrip(';')})))").fetchone()[0]
            agree[name] = {"counts": counts, "set_difference_rows": diff}
            assert len(set(counts.values())) == 1 and diff == 0, (name, counts, diff)
        res["equivalence_on_data"] = agree
        shown = ", ".join(f"{k} {v['counts']['ours']:,}" for k, v in agree.items())
        print(f"  (the segdsl, Ibis and PRQL SQL return the same members on the {args.scale} data: {shown})")


def bench_start(args, results):
    # the console script beside this interpreter: a `segdsl` found on PATH may be a shim
    # (pyenv's costs ~50 ms of bash) that would be timed instead of segdsl
    beside = Path(sys.executable).with_name("segdsl")
    exe = str(beside) if beside.exists() else shutil.which("segdsl")
    cmds = {
        "python -c pass": [sys.executable, "-c", "pass"],
        "python -c 'import sqlglot'": [sys.executable, "-c", "import sqlglot"],
        "segdsl check bench/project": [exe, "check", str(PROJECT)],
    }
    # byte-compiled as `pip install` leaves it: an editable install run with
    # PYTHONDONTWRITEBYTECODE (as on this machine) would compile segdsl's source every run
    import segdsl
    compileall.compile_dir(Path(segdsl.__file__).parent, quiet=1)
    n = max(10, args.repeat * 2)
    times = {}
    for label, cmd in cmds.items():
        subprocess.run(cmd, check=True, capture_output=True)      # warm the file cache
    for _ in range(n):
        for label, cmd in cmds.items():
            t0 = time.perf_counter()
            subprocess.run(cmd, check=True, capture_output=True)
            times.setdefault(label, []).append(time.perf_counter() - t0)
    base = median(times["python -c pass"])
    rows = []
    results["start"] = {}
    for label, ts in times.items():
        m = median(ts)
        results["start"][label] = {"median_s": m, "min_s": min(ts), "over_python_s": m - base}
        rows.append([label, fmt_s(m), fmt_s(min(ts)), f"{m / base:.1f}x", fmt_s(m - base)])
    met = median(times["segdsl check bench/project"]) < 0.2
    table(f"cold start: a fresh process each run, median of {n} (target: segdsl check < 200 ms: "
          f"{'met' if met else 'NOT met'})", ["command", "median", "min", "vs python", "over python"], rows)


# ---------------------------------------------------------------------------------------
# 2. eval on DuckDB: our SQL against the best hand-written SQL
# ---------------------------------------------------------------------------------------

def _w(col: str, days: int) -> str:
    return f"{col} BETWEEN {AS_OF_SQL} - INTERVAL {days} DAY AND {AS_OF_SQL}"


HAND = {
    "b_attribute": """
        SELECT customer_id FROM analytics.customers
        WHERE age BETWEEN 30 AND 50 AND country IN ('US', 'GB', 'DE')
          AND lifetime_value >= 500 AND is_subscribed""",
    "b_windowed_count": f"""
        SELECT customer_id FROM analytics.customers
        WHERE customer_id IN (
          SELECT customer_id FROM analytics.orders
          WHERE {_w('ordered_at', 90)}
          GROUP BY customer_id HAVING count(*) >= 3)""",
    "b_sum": f"""
        SELECT customer_id FROM analytics.customers
        WHERE customer_id IN (
          SELECT customer_id FROM analytics.orders
          WHERE category = 'shoes' AND {_w('ordered_at', 365)}
          GROUP BY customer_id HAVING sum(amount) > 500)""",
    # one grouped pass over the shared events table, conditional counts
    "b_did_but_not": f"""
        SELECT customer_id FROM analytics.customers
        WHERE customer_id IN (
          SELECT customer_id FROM analytics.events
          WHERE event_type IN ('add_to_cart', 'begin_checkout') AND {_w('occurred_at', 7)}
          GROUP BY customer_id
          HAVING count(*) FILTER (WHERE event_type = 'add_to_cart') > 0
             AND count(*) FILTER (WHERE event_type = 'begin_checkout') = 0)""",
    # every customer ranks (no orders: spend 0); ties share a rank
    "b_percentile": f"""
        WITH spend AS (
          SELECT customer_id, sum(amount) AS v FROM analytics.orders
          WHERE {_w('ordered_at', 365)} GROUP BY customer_id)
        SELECT c.customer_id
        FROM analytics.customers c LEFT JOIN spend s ON s.customer_id = c.customer_id
        QUALIFY (rank() OVER (ORDER BY coalesce(s.v, 0) DESC) - 1) * 100 <= 10 * (count(*) OVER () - 1)""",
    "b_recency": f"""
        SELECT customer_id FROM analytics.customers
        WHERE customer_id IN (
          SELECT customer_id FROM analytics.orders
          WHERE ordered_at <= {AS_OF_SQL}
          GROUP BY customer_id HAVING max(ordered_at) < {AS_OF_SQL} - INTERVAL 180 DAY)""",
    "b_combined": f"""
        SELECT customer_id FROM analytics.customers
        WHERE age BETWEEN 25 AND 55 AND country IN ('US', 'GB', 'DE', 'FR')
          AND customer_id IN (
            SELECT customer_id FROM analytics.orders WHERE {_w('ordered_at', 90)}
            GROUP BY customer_id HAVING count(*) >= 2)
          AND customer_id IN (
            SELECT customer_id FROM analytics.events
            WHERE event_type IN ('page_view', 'begin_checkout') AND {_w('occurred_at', 30)}
            GROUP BY customer_id
            HAVING count(*) FILTER (WHERE event_type = 'page_view') > 0
               AND count(*) FILTER (WHERE event_type = 'begin_checkout') = 0)""",
}


def _q(sql: str) -> str:
    return sql.strip().rstrip(";")


def counted(sql: str) -> str:
    """The query counting the rows of `sql`, whose rows are members: counting them needs
    every row's condition."""
    return f"SELECT count(*) FROM ({_q(sql)}) q"


def peak_rss_mb(db: Path, query: str) -> float:
    """Peak RSS of a fresh process that opens the database and runs `query` once: the kernel's
    high-water mark VmHWM from /proc/self/status (exact, no sampling; unlike getrusage's
    ru_maxrss it is not inherited from the parent across fork + exec)."""
    code = (
        "import duckdb, sys\n"
        f"con = duckdb.connect({str(db)!r}, read_only=True)\n"
        "con.execute(sys.stdin.read()).fetchall()\n"
        "print([l for l in open('/proc/self/status') if l.startswith('VmHWM')][0].split()[1])\n"
    )
    out = subprocess.run([sys.executable, "-c", code], input=query,
                         capture_output=True, text=True, check=True)
    return int(out.stdout.split()[-1]) / 1024


def check_same(con, ours: str, hand: str) -> int:
    n_ours, n_distinct = con.execute(f"SELECT count(*), count(DISTINCT customer_id) FROM ({_q(ours)}) q").fetchone()
    n_hand = con.execute(counted(hand)).fetchone()[0]
    a = con.execute(f"SELECT count(*) FROM (({_q(ours)}) EXCEPT ({_q(hand)})) q").fetchone()[0]
    b = con.execute(f"SELECT count(*) FROM (({_q(hand)}) EXCEPT ({_q(ours)})) q").fetchone()[0]
    assert n_ours == n_distinct == n_hand and a == b == 0, (n_ours, n_distinct, n_hand, a, b)
    return n_ours


def run_count(con, sql: str) -> float:
    return run_timed(con, counted(sql))


def run_timed(con, query: str) -> float:
    t0 = time.perf_counter()
    con.execute(query).fetchall()
    return time.perf_counter() - t0


def bench_eval(args, results, db: Path):
    import duckdb
    import segdsl
    project = segdsl.load_project(PROJECT)
    con = duckdb.connect(str(db), read_only=True)
    res = results["eval"] = {}
    base_rss = peak_rss_mb(db, "SELECT 1")
    rows = []
    for name, hand in HAND.items():
        ours = project.compile_segment(name, dialect="duckdb", as_of=AS_OF)
        members = check_same(con, ours, hand)
        run_count(con, ours), run_count(con, hand)              # warm-up
        t_ours, t_hand = [], []
        i = 0     # at least --repeat pairs, more for fast queries (until ~1 s of each), at most 50
        while i < args.repeat or (i < 50 and min(sum(t_ours), sum(t_hand)) < 1.0):
            pair = [(t_ours, ours), (t_hand, hand)]
            for ts, sql in (pair if i % 2 == 0 else pair[::-1]):  # alternate who goes first
                ts.append(run_count(con, sql))
            i += 1
        mo, mh = median(t_ours), median(t_hand)
        rss_o, rss_h = (peak_rss_mb(db, counted(ours)), peak_rss_mb(db, counted(hand))) if not args.no_memory else (None, None)
        res[name] = {"members": members, "ours_s": mo, "hand_s": mh, "ratio": mo / mh,
                     "ours_all_s": t_ours, "hand_all_s": t_hand,
                     "peak_rss_ours_mb": rss_o, "peak_rss_hand_mb": rss_h, "ours_sql": ours, "hand_sql": hand.strip()}
        rows.append([name, f"{members:,}", len(t_ours), fmt_s(mo), fmt_s(mh), f"{mo / mh:.2f}",
                     "yes" if mo / mh <= 1.05 else "NO",
                     f"{rss_o:.0f} MB" if rss_o else "-", f"{rss_h:.0f} MB" if rss_h else "-"])
    res["_baseline_rss_mb"] = base_rss
    table(f"eval on DuckDB {duckdb.__version__} ({args.scale}: {db.name}), median of >= {args.repeat} runs "
          "(more for fast queries, interleaved); "
          f"same members checked (counts, no duplicates, EXCEPT both ways). Peak RSS = VmHWM of a fresh "
          f"process running the query once (process with duckdb loaded and the database open: {base_rss:.0f} MB)",
          ["segment", "members", "runs", "segdsl", "hand", "ours/hand", "<=1.05x", "peak RSS ours", "peak RSS hand"], rows)


# ---------------------------------------------------------------------------------------
# 3. many segments in one statement
# ---------------------------------------------------------------------------------------

def bench_many(args, results, db: Path):
    import duckdb
    import segdsl
    project = segdsl.load_project(PROJECT)
    names = many_names(project)
    res = results["many"] = {"segments": len(names)}
    con = duckdb.connect(str(db), read_only=True)
    singles = {n: project.compile_segment(n, dialect="duckdb", as_of=AS_OF) for n in names}
    t0 = time.perf_counter()
    long_sql = project.compile_many(names, dialect="duckdb", as_of=AS_OF, shape="long")
    compile_long = time.perf_counter() - t0
    wide_sql = project.compile_many(names, dialect="duckdb", as_of=AS_OF, shape="wide")

    # correctness: per-segment member counts of the long and wide shapes equal the single statements'
    single_counts = {n: con.execute(counted(s)).fetchone()[0] for n, s in singles.items()}
    cols = [d[0] for d in con.execute(f"SELECT * FROM ({_q(long_sql)}) q LIMIT 0").description]
    seg_col = cols[1] if len(cols) > 1 else cols[0]
    long_counts = dict(con.execute(f"SELECT {seg_col}, count(*) FROM ({_q(long_sql)}) q GROUP BY 1").fetchall())
    long_dups = con.execute(f"SELECT count(*) - (SELECT count(*) FROM (SELECT DISTINCT * FROM ({_q(long_sql)}) q2) d) FROM ({_q(long_sql)}) q").fetchone()[0]
    wide_cols = [d[0] for d in con.execute(f"SELECT * FROM ({_q(wide_sql)}) q LIMIT 0").description]
    checked = [n for n in names if n in wide_cols]
    if not checked:  # a wide statement without the segments' columns: nothing below would mean anything
        raise SystemExit(f"compile_many's wide shape has none of the segments' columns: {wide_cols}")
    # the wide shape is timed by this too: under a bare count(*) the engine drops every
    # flag column, and with them the rankings and conditions
    wide_flags = "SELECT " + ", ".join(f'count(*) FILTER (WHERE q."{n}")' for n in checked) + f" FROM ({_q(wide_sql)}) q"
    wide_counts = dict(zip(checked, con.execute(wide_flags).fetchone()))
    mismatches = [n for n in names if long_counts.get(n, 0) != single_counts[n]
                  or (n in wide_counts and wide_counts[n] != single_counts[n])]
    res.update({"long_columns": cols, "wide_columns_checked": len(wide_counts), "long_duplicate_rows": long_dups,
                "mismatches": mismatches, "compile_many_s": compile_long})
    # spot-check whole sets for a few segments through EXCEPT
    for n in names[:5]:
        diff = con.execute(f"SELECT count(*) FROM ((SELECT {cols[0]} FROM ({_q(long_sql)}) q WHERE {seg_col} = '{n}') "
                           f"EXCEPT ({_q(singles[n])})) d").fetchone()[0]
        if diff:
            mismatches.append(n)
    # A percentile over a float SUM can flip a boundary tie from run to run: a parallel
    # engine adds doubles in varying order (416.69 vs 416.69000000000005). Re-run those.
    flaky = []
    for n in list(mismatches):
        for _ in range(5):
            a = con.execute(f"SELECT count(*) FROM ({_q(long_sql)}) q WHERE {seg_col} = '{n}'").fetchone()[0]
            b = con.execute(counted(singles[n])).fetchone()[0]
            if a == b:
                mismatches.remove(n)
                flaky.append(n)
                break
    res["nondeterministic_but_agreeing_on_rerun"] = flaky
    if flaky:
        print(f"  note: {flaky} differed once and agreed on a re-run (float SUM order at a percentile tie)")
    if mismatches or long_dups:
        print(f"  WARNING: compile_many disagrees with single statements on {mismatches} (dups {long_dups})")

    one = "b_combined"
    one_sql = project.compile_segment(one, dialect="duckdb", as_of=AS_OF)
    for s in (long_sql, one_sql):
        run_count(con, s)                                           # warm-up
    run_timed(con, wide_flags)
    floor, aggregates = passes_alone(wide_sql), aggregates_alone(wide_sql)
    run_timed(con, floor)
    run_timed(con, aggregates)
    t_long, t_wide, t_one, t_each, t_floor, t_aggs = [], [], [], [], [], []
    per_single = {n: [] for n in names}
    for _ in range(args.repeat):
        t_long.append(run_count(con, long_sql))
        t_wide.append(run_timed(con, wide_flags))
        t_one.append(run_count(con, one_sql))
        t_floor.append(run_timed(con, floor))
        t_aggs.append(run_timed(con, aggregates))
        total = 0.0
        for n in names:
            t = run_count(con, singles[n])
            per_single[n].append(t)
            total += t
        t_each.append(total)
    ml, mw, mo, me, mf = median(t_long), median(t_wide), median(t_one), median(t_each), median(t_floor)
    ma = median(t_aggs)
    typical = median([median(v) for v in per_single.values()])
    slowest = max(names, key=lambda n: median(per_single[n]))
    rss_long = peak_rss_mb(db, counted(long_sql)) if not args.no_memory else None
    rss_aggs = peak_rss_mb(db, aggregates) if not args.no_memory else None
    # the queries timed above, wide_flags among them
    scanned = {"long": rows_scanned(con, counted(long_sql)), "wide": rows_scanned(con, wide_flags),
               "one": rows_scanned(con, counted(one_sql)),
               "one_by_one": sum(rows_scanned(con, counted(s)) for s in singles.values())}
    res.update({"long_s": ml, "wide_s": mw, "one_s": mo, "one_segment": one, "one_by_one_s": me,
                "median_single_s": typical, "slowest_single": slowest, "slowest_single_s": median(per_single[slowest]),
                "long_over_one": ml / mo, "wide_over_one": mw / mo, "one_by_one_over_long": me / ml,
                "passes_alone_s": mf, "wide_over_passes_alone": mw / mf,
                "aggregates_alone_s": ma, "wide_over_aggregates_alone": mw / ma,
                "peak_rss_long_mb": rss_long, "peak_rss_aggregates_alone_mb": rss_aggs, "rows_scanned": scanned})
    rows = [
        [f"{len(names)} together, long (key, segment)", fmt_s(ml), f"{ml / mo:.2f}x", f"{me / ml:.1f}x faster",
         f"{scanned['long']:,}", "yes" if ml / mo <= 3 else "NO"],
        [f"{len(names)} together, wide (bool per segment)", fmt_s(mw), f"{mw / mo:.2f}x", f"{me / mw:.1f}x faster",
         f"{scanned['wide']:,}", "yes" if mw / mo <= 3 else "NO"],
        [f"1 alone ({one})", fmt_s(mo), "1.00x", "", f"{scanned['one']:,}", ""],
        [f"median single of the {len(names)}", fmt_s(typical), f"{typical / mo:.2f}x", "", "", ""],
        [f"slowest single ({slowest})", fmt_s(median(per_single[slowest])), f"{median(per_single[slowest]) / mo:.2f}x", "", "", ""],
        [f"{len(names)} statements one by one", fmt_s(me), f"{me / mo:.2f}x", "1.0x", f"{scanned['one_by_one']:,}", ""],
        ["its passes alone, COUNT(*) for their aggregates", fmt_s(mf), f"{mf / mo:.2f}x", "", "", ""],
        ["its passes with their aggregates, nothing after", fmt_s(ma), f"{ma / mo:.2f}x", "", "", ""],
    ]
    table(f"many segments on DuckDB ({args.scale}), median of {args.repeat}; compile_many took {fmt_s(compile_long)}; "
          f"per-segment counts match singles: {'yes' if not mismatches else 'NO ' + str(mismatches)}"
          + (f"; peak RSS long {rss_long:.0f} MB, its passes with their aggregates {rss_aggs:.0f} MB"
             if rss_long else ""),
          ["statement", "median", "vs one", "vs one by one", "rows scanned", "<= 3x one"], rows)


# ---------------------------------------------------------------------------------------

def _grouped_passes(sql: str):
    """The grouped passes over event tables among the statement's CTEs (sqlglot trees)."""
    import sqlglot

    return [cte.this for cte in sqlglot.parse_one(sql, read="duckdb").args["with_"].expressions
            if cte.this.args.get("group")]


def passes_alone(sql: str) -> str:
    """The statement's grouped passes over event tables, each with one COUNT(*) in place of
    its aggregates: the scans and groupings any statement computing the same segments must
    do, and no more (the lower floor the many section compares with)."""
    from sqlglot import exp

    counts = []
    for scan in _grouped_passes(sql):
        scan.set("expressions", [scan.expressions[0], exp.alias_(exp.Count(this=exp.Star()), "n")])
        counts.append(f"(SELECT count(*) FROM ({scan.sql('duckdb')}) p)")
    return "SELECT " + " + ".join(counts)


def aggregates_alone(sql: str) -> str:
    """The statement's grouped passes with all their aggregates, each column read by max()
    so the engine computes every one, and nothing after them: no join, no ranking, no
    condition. Any statement computing these aggregates pays this time and holds their
    state (the upper floor)."""
    parts = []
    for i, scan in enumerate(_grouped_passes(sql)):
        reads = ", ".join(f"max({c.alias_or_name})" for c in scan.expressions)
        parts.append(f"(SELECT {reads} FROM ({scan.sql('duckdb')}) p) AS p{i}")
    return "SELECT * FROM " + ", ".join(parts)


def rows_scanned(con, query: str) -> int:
    """Rows DuckDB read from tables for `query` (its profiler's total_rows_scanned): what a
    warehouse billing by the byte scanned would charge for, up to the row width."""
    with tempfile.NamedTemporaryFile(suffix=".json") as f:
        con.execute("PRAGMA enable_profiling = 'json'")
        con.execute(f"PRAGMA profiling_output = '{f.name}'")
        try:
            con.execute(query).fetchall()
        finally:
            con.execute("PRAGMA disable_profiling")
        profile = json.loads(Path(f.name).read_text())
        return int(profile.get("query", profile)["total_rows_scanned"])  # DuckDB 2 nests it


def _vm_hwm_mb() -> float | None:
    try:
        with open("/proc/self/status") as f:
            return next(int(l.split()[1]) / 1024 for l in f if l.startswith("VmHWM"))
    except (OSError, StopIteration):
        return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def versions() -> dict:
    import duckdb
    import sqlglot.generator
    compiled = not sqlglot.generator.__file__.endswith(".py")  # sqlglot[c]: mypyc modules
    out = {"python": platform.python_version(), "duckdb": duckdb.__version__,
           "sqlglot": sqlglot.__version__ + (" (compiled)" if compiled else "")}
    for mod in ("ibis", "prqlc", "lark"):
        try:
            from importlib.metadata import version
            out[mod] = version({"ibis": "ibis-framework"}.get(mod, mod))
        except Exception:
            out[mod] = None
    try:
        head = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=HERE, capture_output=True, text=True).stdout.strip()
        dirty = subprocess.run(["git", "status", "--porcelain", "--", "segdsl", "grammar"], cwd=HERE.parent,
                               capture_output=True, text=True).stdout.strip()
        out["segdsl_commit"] = head + ("+dirty" if dirty else "")
    except OSError:
        out["segdsl_commit"] = None
    return out


def machine() -> dict:
    mem = None
    try:
        with open("/proc/meminfo") as f:
            mem = round(int(f.readline().split()[1]) / 1024 / 1024, 1)
    except OSError:
        pass
    return {"nproc": os.cpu_count(), "ram_gib": mem, "platform": platform.platform(),
            "cpu": next((line.split(":", 1)[1].strip() for line in open("/proc/cpuinfo") if line.startswith("model name")), None)
            if Path("/proc/cpuinfo").exists() else platform.processor()}


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--scale", choices=list(SCALES), default="small")
    ap.add_argument("--repeat", type=int, default=5, help="timed repeats per measurement (median quoted)")
    ap.add_argument("--only", choices=["compile", "eval", "many", "start"], action="append",
                    help="run only this section (may repeat)")
    ap.add_argument("--compile-runs", type=int, default=200, help="runs of the one-segment compile latency")
    ap.add_argument("--no-memory", action="store_true", help="skip the peak-RSS subprocesses")
    ap.add_argument("--out", default=str(HERE / "results.json"))
    ap.add_argument("--write-many", action="store_true",
                    help="regenerate bench/project/segments/many.seg (the 50 segments of the 'many' section)")
    args = ap.parse_args(argv)
    if args.write_many:
        text, names = gen_project_text(50, "m", seed=50)
        (PROJECT / "segments" / "many.seg").write_text(text)
        print(f"wrote {len(names)} segments to {PROJECT / 'segments' / 'many.seg'}")
        return
    sections = args.only or ["compile", "start", "eval", "many"]
    results = {"scale": args.scale, "repeat": args.repeat, "as_of": AS_OF.isoformat(), "machine": machine(),
               "versions": versions(), "started": dt.datetime.now().isoformat(timespec="seconds")}
    print(f"segdsl bench: scale {args.scale}, repeat {args.repeat}, sections {', '.join(sections)}")
    print(f"machine: {results['machine']['nproc']} cores, {results['machine']['ram_gib']} GiB; "
          + ", ".join(f"{k} {v}" for k, v in results["versions"].items()))
    db = None
    if {"eval", "many"} & set(sections):
        db, info = ensure_data(args.scale)
        results["data"] = info
    if "compile" in sections:
        bench_compile(args, results)
    if "start" in sections:
        bench_start(args, results)
    if "eval" in sections:
        bench_eval(args, results, db)
    if "many" in sections:
        bench_many(args, results, db)
    results["peak_rss_this_process_mb"] = _vm_hwm_mb()
    Path(args.out).write_text(json.dumps(results, indent=2, default=str) + "\n")
    print(f"\nwrote {args.out}")


if __name__ == "__main__":
    main()
