"""The Python API as a host application sees it: it pauses the garbage collector while it
works (segdsl.api._gc_paused) and must always leave it as it found it."""

import datetime as dt
import gc

import pytest

import segdsl
import segdsl.ir
import segdsl.resolve
from segdsl.config import DIALECTS, load_config
from segdsl.diagnostics import Collector
from conftest import EXAMPLE

CONFIG = (EXAMPLE / "segdsl.toml").read_text()


@pytest.fixture
def gc_state():
    was = gc.isenabled()
    yield
    gc.enable() if was else gc.disable()


@pytest.mark.parametrize("enabled", [True, False])
def test_calls_leave_the_collector_as_they_found_it(enabled, gc_state):
    gc.enable() if enabled else gc.disable()
    project = segdsl.load_project(EXAMPLE)
    assert gc.isenabled() is enabled
    project.compile_segment("rfm_champions", "snowflake")
    assert gc.isenabled() is enabled
    project.compile_many(None, "duckdb", shape="wide")
    assert gc.isenabled() is enabled


def test_errors_leave_the_collector_running(gc_state):
    gc.enable()
    with pytest.raises(segdsl.SegdslError):
        segdsl.project_from_sources(CONFIG, {"bad.seg": "segment broken:\n    age >"})
    assert gc.isenabled()
    project = segdsl.load_project(EXAMPLE)
    with pytest.raises(KeyError):
        project.compile_segment("no_such_segment")
    assert gc.isenabled()


def test_compiles_keep_no_sql_trees_alive(gc_state):
    """No cache or module state holds on to the sqlglot trees of a compile: compiling every
    segment leaves no more of them reachable than before."""
    import sqlglot.expressions as exp

    project = segdsl.load_project(EXAMPLE)
    gc.collect()
    before = sum(isinstance(o, exp.Expression) for o in gc.get_objects())
    for name in project.segments:
        project.compile_segment(name, "duckdb")
    gc.collect()
    after = sum(isinstance(o, exp.Expression) for o in gc.get_objects())
    assert after - before < 50, (before, after)


def test_compiling_leaves_little_for_the_cyclic_collector(gc_state):
    """segdsl.render takes each tree apart after generating it: its parent links would
    otherwise leave every node to the cyclic collector (a tenth of a large compile)."""
    project = segdsl.load_project(EXAMPLE)
    nodes = sum(len(list(project.compile_tree(s, "snowflake").walk())) for s in project.segments)
    gc.collect()
    gc.set_debug(gc.DEBUG_SAVEALL)
    try:
        for name in project.segments:
            project.compile_segment(name, "snowflake")
        gc.collect()
        cyclic = len(gc.garbage)
    finally:
        gc.set_debug(0)
        gc.garbage.clear()
    assert cyclic < nodes / 2, (cyclic, nodes)


def test_config_is_read_as_toml_1_1():
    """segdsl.toml is read by rtoml (TOML 1.1) and only a file it rejects by tomllib: the
    1.1 forms a user may write, like a trailing comma in an inline table, are accepted."""
    config = ('[project]\nname = "p"\n[entity]\ntable = "customers"\nkey = "id"\n'
              'columns = { age = "int", country = "string", }\n')
    project = segdsl.project_from_sources(config, {"a.seg": 'segment s:\n    age > 3 and country = "NL"\n'})
    assert [c for c, _ in project.config.entity.columns] == ["age", "country"]


def _config_error(config: str):
    with pytest.raises(segdsl.SegdslError) as err:
        segdsl.project_from_sources(config, {})
    [d] = err.value.diagnostics
    return d


def test_bad_config_is_reported_where_it_goes_wrong_not_at_a_toml_1_1_form():
    config = ('[project]\nname = "p"\n[entity]\ntable = "customers"\nkey = "id"\n'
              'columns = { age = "int", }\n[events.order]\ntable = orders\n')
    d = _config_error(config)
    assert (d.code, d.span.line, d.span.col) == ("C000", 8, 9)
    assert d.hints == ('text values need quotes: dialect = "snowflake"',)


def test_a_mistake_tomllib_words_plainly_keeps_its_words():
    d = _config_error('[project]\nname = "p"\ndialect = duckdb\n')
    assert (d.message, d.span.line, d.span.col) == ("invalid TOML: Invalid value", 3, 11)


def test_config_nested_past_any_parser_is_an_error_not_a_crash():
    d = _config_error("x = " + "[" * 5000 + "]" * 5000 + "\n")
    assert d.code == "C000" and d.span.line == 1


def _chain(n: int) -> str:
    return "segment s0: age > 1\n" + "".join(f"segment s{i}: in segment s{i - 1}\n" for i in range(1, n))


def test_a_chain_too_deep_to_compile_fails_the_check_once_where_it_goes_too_deep():
    with pytest.raises(segdsl.SegdslError) as err:
        segdsl.project_from_sources(CONFIG, {"a.seg": _chain(1500)})
    [d] = err.value.diagnostics  # not one per segment past the limit
    assert (d.code, d.span.line) == ("E003", 150)
    assert d.message == ("segment 's149' is nested too deeply to compile: 151 levels, counting the "
                         "segments and traits it uses (at most 150)")


def test_a_chain_written_top_down_is_checked_like_one_written_bottom_up():
    # each definition uses the one below it: resolving them recursively from the top would
    # run out of Python's stack long before the depth limit could say where it went wrong
    src = "".join(f"segment s{i}: in segment s{i + 1}\n" for i in range(1499)) + "segment s1499: age > 1\n"
    with pytest.raises(segdsl.SegdslError) as err:
        segdsl.project_from_sources(CONFIG, {"a.seg": src})
    [d] = err.value.diagnostics
    assert (d.code, d.span.line) == ("E003", 1351)
    assert d.message.startswith("segment 's1350' is nested too deeply to compile: 151 levels")


def test_size_is_counted_per_use_and_the_first_definition_past_the_limit_is_reported(monkeypatch):
    # traits each using the one before twice: the SQL writes each use out, doubling per level
    src = "trait t0 = age\n" + "".join(f"trait t{i} = t{i - 1} + t{i - 1}\n" for i in range(1, 60))
    sizes = [segdsl.ir.size(segdsl.project_from_sources(CONFIG, {"a.seg": src[:src.index(f"trait t{i + 1} ")]})
                            .program.traits[f"t{i}"]) for i in range(5)]
    assert all(later == 2 * (earlier + 1) + 1 for earlier, later in zip(sizes, sizes[1:])), sizes  # each use, the +
    limit = sizes[3] + 3  # exactly `t3 > 1`: the comparison, t3's use, and the 1
    monkeypatch.setattr(segdsl.resolve, "MAX_IR_SIZE", limit)
    assert segdsl.project_from_sources(CONFIG, {"a.seg": src[:src.index("trait t4 ")] + "segment s: t3 > 1\n"})
    with pytest.raises(segdsl.SegdslError) as err:
        segdsl.project_from_sources(CONFIG, {"a.seg": src + "segment s: t59 > 1\n"})
    [d] = err.value.diagnostics  # once, where it passes the limit; what uses it says no more
    assert (d.code, d.span.line) == ("E003", 5)
    assert d.message == (f"trait 't4' is too large to compile: written out, with each trait at each of its "
                         f"uses and each segment it uses once, it has {sizes[4]:,} parts (at most {limit:,})")


def test_an_aggregate_counts_once_however_large_its_filter_and_its_uses(monkeypatch):
    # the compile writes each aggregate once, in its event pass, and names it at each use
    categories = ", ".join(f'"c{i}"' for i in range(1000))
    src = (f"trait spend = sum(purchase[category in [{categories}]].amount, last 365 days)\n"
           + "segment s: " + " or ".join(f"spend > {i}" for i in range(100)) + "\n")
    monkeypatch.setattr(segdsl.resolve, "MAX_IR_SIZE", 1000)
    program = segdsl.project_from_sources(CONFIG, {"a.seg": src}).program
    assert segdsl.ir.size(program.traits["spend"]) == 1
    assert segdsl.ir.size(program.segments["s"]) < 1000


def test_a_statement_counts_each_segment_it_uses_once(monkeypatch):
    # `b` uses `a` twice: compiled, `a` is one CTE, so its parts count once in b's statement
    src = "segment a: age > 1 and age < 9\nsegment b: in segment a or (in segment a and age > 3)\n"
    program = segdsl.project_from_sources(CONFIG, {"a.seg": src}).program
    a, b = (segdsl.ir.size(program.segments[n]) for n in "ab")
    assert segdsl.ir.segments_used(program.segments["b"]) == {"a": program.segments["a"]}
    monkeypatch.setattr(segdsl.resolve, "MAX_IR_SIZE", a + b)
    assert segdsl.project_from_sources(CONFIG, {"a.seg": src})
    monkeypatch.setattr(segdsl.resolve, "MAX_IR_SIZE", a + b - 1)
    with pytest.raises(segdsl.SegdslError) as err:
        segdsl.project_from_sources(CONFIG, {"a.seg": src})
    [d] = err.value.diagnostics
    assert (d.code, d.span.line) == ("E003", 2) and f"it has {a + b:,} parts" in d.message


def test_thousands_of_definitions_in_cycles_each_report_their_cycle():
    # one long tangle of references, each closing a short cycle with its neighbour
    src = "".join(f"segment s{i}: in segment s{i + 1} or in segment s{max(i - 1, 0)}\n" for i in range(1499))
    with pytest.raises(segdsl.SegdslError) as err:
        segdsl.project_from_sources(CONFIG, {"a.seg": src + "segment s1499: age > 1\n"})
    diags = err.value.diagnostics
    assert {d.code for d in diags} == {"N005"} and len(diags) == 1499
    assert diags[2].message == "definitions refer to each other in a cycle: s1 -> s2 -> s1"
    assert (diags[2].span.line, diags[2].span.col) == (3, 41)


@pytest.mark.parametrize("kind", ["division", "or not", "percentile"])
def test_what_checks_at_the_depth_limit_compiles_on_every_dialect(kind):
    # the kinds of level that take the most stack to compile, each chained up to the limit
    level = {
        "division": "trait t{i} = -(t{p} / (avg(purchase.amount, last {i} days) + 1))",
        "or not": "segment s{i}: in segment s{p} or not (age > {i} and did purchase[amount > {i}] in last {i} days)",
        "percentile": "segment s{i}: not in segment s{p} or top {i}% by sum(purchase.amount)",
    }[kind]
    first = "trait t0 = age" if kind == "division" else "segment s0: age > 1"
    src = [first] + [level.format(i=i, p=i - 1) for i in range(1, 80)]
    if kind == "division":
        src += [f"segment s{i}: t{i} > 3" for i in range(80)]
    files = {"a.seg": "\n".join(src)}
    collector = Collector()
    config = load_config(CONFIG, "segdsl.toml", collector)
    project, diags, _ = segdsl.api.build_project(config, files, files, collector, None)
    deepest = max((n for n, c in project.program.segments.items() if not segdsl.ir.has_invalid(c)),
                  key=lambda n: segdsl.ir.depth(project.program.segments[n]))
    assert segdsl.ir.depth(project.program.segments[deepest]) >= 145
    assert [d.code for d in diags if d.severity == "error"], "the chain should pass the limit"
    for dialect in DIALECTS:
        assert project.compile_segment(deepest, dialect)


def test_compiling_too_deep_a_chain_is_e003_alone_or_with_others(monkeypatch):
    # the backstop, should the check's limit ever let through a tree too deep to compile
    monkeypatch.setattr(segdsl.resolve, "MAX_IR_DEPTH", 10**6)
    project = segdsl.project_from_sources(CONFIG, {"a.seg": _chain(1500)})
    for compile_it in (lambda: project.compile_segment("s1499"),
                       lambda: project.compile_many(["s0", "s1499"], shape="wide")):
        with pytest.raises(segdsl.SegdslError) as err:
            compile_it()
        [d] = err.value.diagnostics
        assert (d.code, d.message) == ("E003", "segment 's1499' is nested too deeply to compile")


@pytest.mark.parametrize("as_of, error, words", [
    (dt.date(2026, 1, 1), TypeError, "must be a datetime.datetime, not date"),
    ("2026-01-01", TypeError, "must be a datetime.datetime, not str"),
    (dt.datetime(2026, 1, 1, tzinfo=dt.timezone.utc), ValueError, "has no time zone"),
    (dt.datetime(2026, 1, 1, 0, 0, 0, 500_000), ValueError, "to the second"),
])
def test_an_as_of_engines_would_read_differently_is_refused(as_of, error, words):
    project = segdsl.load_project(EXAMPLE)
    for compile_it in (lambda: project.compile_segment("top_spenders", "mysql", as_of),
                       lambda: project.compile_many(["top_spenders"], "mysql", as_of)):
        with pytest.raises(error, match=words):
            compile_it()


def test_arguments_of_the_wrong_type_are_a_type_error_that_says_so():
    with pytest.raises(TypeError, match="as text"):
        segdsl.project_from_sources(CONFIG, {"a.seg": b"segment s: age > 3"})
    with pytest.raises(TypeError, match="as text"):
        segdsl.project_from_sources(CONFIG.encode(), {})
    with pytest.raises(TypeError, match="not the string 'top_spenders'"):
        segdsl.load_project(EXAMPLE).compile_many("top_spenders")
