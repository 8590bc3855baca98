"""Lint rules: every rule's own PASS / FAIL cases, settings in segdsl.toml, comments that
turn a rule off for a line, and no unwanted warnings on the example project."""

from __future__ import annotations

from pathlib import Path

import pytest

import segdsl
from segdsl.diagnostics import SegdslError, render_all
from segdsl.lint import CASE_CONFIG, RULES, run_lint

from conftest import twin_chains


EXAMPLE = Path(__file__).resolve().parent.parent / "examples" / "shop"
MARK = "# <-"


def lint(src: str, toml: str = CASE_CONFIG):
    project = segdsl.project_from_sources(toml, {"a.seg": src})
    return project, run_lint(project)


def _cases(kind):
    return [
        pytest.param(rule, src, id=f"{rule.CODE}-{kind}-{i}")
        for rule in RULES for i, src in enumerate(getattr(rule, kind))
    ]


def test_rules_are_alike():
    codes = [r.CODE for r in RULES]
    assert codes == sorted(set(codes))
    assert len({r.NAME for r in RULES}) == len(RULES)
    for rule in RULES:
        assert rule.__name__.rsplit(".", 1)[1].startswith(rule.CODE.lower() + "_")
        assert rule.__name__.endswith(rule.NAME.replace("-", "_"))
        assert rule.__doc__.startswith(f"{rule.CODE} {rule.NAME}:")
        assert "Anti-pattern" in rule.__doc__ and "Better" in rule.__doc__
        assert rule.PASS and rule.FAIL and callable(rule.check)
        assert all(sum(MARK in line for line in src.splitlines()) == 1 for src in rule.FAIL)


@pytest.mark.parametrize("rule, src", _cases("PASS"))
def test_pass_cases(rule, src):
    project, found = lint(src)
    mine = [d for d in found if d.code == rule.CODE]
    assert not mine, render_all(mine, project.sources)


@pytest.mark.parametrize("rule, src", _cases("FAIL"))
def test_fail_cases(rule, src):
    project, found = lint(src)
    line = next(i for i, text in enumerate(src.splitlines(), 1) if MARK in text)
    mine = [d for d in found if d.code == rule.CODE]
    assert mine, f"{rule.CODE} found nothing; all: {render_all(found, project.sources)}"
    assert all(d.severity == "warning" for d in mine)
    assert line in [d.span.line for d in mine], render_all(mine, project.sources)
    assert all(d.span.file == "a.seg" for d in mine)


# --- messages ---------------------------------------------------------------------------


def test_message_names_both_sides():
    project, found = lint("segment s:\n    age > 50\n    and age < 30\n")
    (d,) = [d for d in found if d.code == "L001"]
    assert d.message == "`age < 30` contradicts `age > 50` (line 2): no value satisfies both"
    assert (d.span.line, d.span.col, d.span.end_col) == (3, 9, 17)
    assert "warning[L001]" in render_all([d], project.sources)


def test_not_equal_hints():
    _, found = lint('segment s: country != "US"')
    (d,) = found
    assert d.code == "L004"
    assert d.hints == (
        '''to keep them: `country != "US" or country is null`''',
        '''to leave them out visibly: `country is not null and country != "US"`''',
    )


def test_no_false_positives_on_missing_values():
    # two-valued logic: each of these lets some row through and keeps some row out
    for src in [
        "segment s: age > 30 or age <= 30",
        "segment s: age >= 18 or age < 18",
        "segment s: not (age > 30) and not (age <= 30)",  # rows with no age
        "segment s: age != 3 or age = 3",
        "segment s: not (age is null) or score < 3",
        "segment s: signup_at in last 30 days or signup_at before 2025-01-01",
        "segment s: birth_date 2000-01-01..2000-12-31 and signup_at 2000-01-01..",
    ]:
        _, found = lint(src)
        assert not [d for d in found if d.code in ("L001", "L002", "L003")], src


# --- settings ---------------------------------------------------------------------------


SRC = 'segment s: age > 50 and age < 30 and country != "US"\ntrait t = age\n'


def test_default_levels():
    _, found = lint(SRC)
    assert sorted(d.code for d in found) == ["L001", "L004", "L007"]
    assert {d.severity for d in found} == {"warning"}


def test_disable_in_config():
    toml = CASE_CONFIG + '\n[lint]\ndisable = ["L004", "unused-trait"]\n'
    project, found = lint(SRC, toml)
    assert [d.code for d in found] == ["L001"]
    assert project.config.lint.disable == ("L004", "L007")


def test_relevel_in_config():
    toml = CASE_CONFIG + '\n[lint.severity]\nL001 = "error"\nmissing-excluded-by-not-equal = "off"\n'
    _, found = lint(SRC, toml)
    assert sorted((d.code, d.severity) for d in found) == [("L001", "error"), ("L007", "warning")]


@pytest.mark.parametrize("section, message, hint", [
    ('[lint]\ndisable = ["L0001"]', "unknown lint rule 'L0001'", "did you mean 'L001'?"),
    ('[lint]\ndisable = ["unused-traits"]', "unknown lint rule 'unused-traits'", "did you mean 'unused-trait'?"),
    ('[lint.severity]\nL009 = "error"', "unknown lint rule 'L009'", "did you mean"),
    ('[lint.severity]\nL001 = "eror"', "unknown severity 'eror' for L001", "did you mean 'error'?"),
    ('[lint]\ndisabled = ["L001"]', "unknown setting 'disabled' in [lint]", "did you mean 'disable'?"),
])
def test_config_errors(section, message, hint):
    toml = CASE_CONFIG + "\n" + section + "\n"
    with pytest.raises(SegdslError) as err:
        segdsl.project_from_sources(toml, {"a.seg": "segment s: age > 1"})
    (d,) = err.value.diagnostics
    assert d.code == "C001" and d.message == message and hint in d.hints[0]
    assert d.span.file == "segdsl.toml"
    assert toml.splitlines()[d.span.line - 1].startswith(section.splitlines()[-1][:6])


def test_unknown_section_suggests_lint():
    with pytest.raises(SegdslError) as err:
        segdsl.project_from_sources(CASE_CONFIG + "\n[lints]\n", {"a.seg": "segment s: age > 1"})
    (d,) = err.value.diagnostics
    assert d.message == "unknown setting 'lints' in [top level]" and d.hints == ("did you mean 'lint'?",)


# --- comments ---------------------------------------------------------------------------


def test_disable_one_rule_on_a_line():
    src = ("segment s:\n"
           "    age > 50\n"
           "    and age < 30  # segdsl: disable=L001\n"
           "segment t: age > 51 and age < 30\n")
    _, found = lint(src)
    assert [(d.code, d.span.line) for d in found] == [("L001", 4)]


def test_disable_names_only_the_listed_rules():
    src = 'segment s: age > 50 and age < 30 and country != "US"  # segdsl: disable=L004\n'
    _, found = lint(src)
    assert [d.code for d in found] == ["L001"]
    src = 'segment s: age > 50 and age < 30 and country != "US"  # segdsl: disable=L004, unsatisfiable-condition\n'
    assert lint(src)[1] == []


def test_disable_all_on_a_line():
    src = 'segment s: age > 50 and age < 30 and country != "US"  # segdsl: disable\ntrait t = age  # segdsl:disable\n'
    assert lint(src)[1] == []


def test_hash_in_a_string_is_not_a_comment():
    src = 'segment s: email != "# segdsl: disable"\n'
    _, found = lint(src)
    assert [d.code for d in found] == ["L004"]


def test_the_comment_after_a_string_holding_hash_is_the_one_read():
    src = 'segment s: age > 50 and age < 30 and email != "# segdsl: disable=L004"  # segdsl: disable=L001\n'
    _, found = lint(src)
    assert [d.code for d in found] == ["L004"]


# --- shared definitions -----------------------------------------------------------------


@pytest.fixture
def no_size_limit(monkeypatch):
    """Chains whose size doubles per level are refused by check (resolve.MAX_IR_SIZE) long
    before lint would be slow on them; with the limit lifted, these tests show that lint
    does not rely on it."""
    import segdsl.resolve

    monkeypatch.setattr(segdsl.resolve, "MAX_IR_SIZE", 2**60)


def test_doubly_shared_chain_of_segments(no_size_limit):
    """Each segment uses the one before twice, so its IR is one shared sub-tree used twice
    per level: 40 levels are 2**40 nodes as a tree. Lint must look at a shared node once
    (per use, it would never finish), and still see through the chain: `same` is the
    last segment with its items swapped."""
    depth = 40
    src = "segment s0: age > 1\n" + "".join(
        f"segment s{i}: in segment s{i - 1} or (in segment s{i - 1} and age > 3)\n" for i in range(1, depth))
    src += f"segment same: (age > 3 and in segment s{depth - 2}) or in segment s{depth - 2}\n"
    for _ in range(2):  # again, as an editor would: the first run's trees must not slow it
        project, found = lint(src)
        assert [(d.code, d.span.line) for d in found] == [("L003", 2), ("L008", depth + 1)], render_all(
            found, project.sources)


def test_segment_used_twice_per_level_is_inlined_once():
    """L001 / L002 inline the segments an `and` / `or` uses; here each level uses the one
    below twice, so inlined per use the conditions double per level (40 levels would never
    finish). Each distinct condition is inlined once, and still seen through every level."""
    depth = 40
    src = "".join(
        f"segment {c}0: age > 30\n" + "".join(
            f"segment {c}{i}: in segment {c}{i - 1} {op} in segment {c}{i - 1}\n" for i in range(1, depth))
        for c, op in (("o", "or"), ("a", "and")))
    src += f"segment everyone: in segment o{depth - 1} or not (age > 30)\n"
    src += f"segment no_one: in segment a{depth - 1} and age < 20\n"
    project, found = lint(src)
    assert [(d.code, d.span.line) for d in found if d.code in ("L001", "L002")] == [
        ("L002", 2 * depth + 1), ("L001", 2 * depth + 2)], render_all(found, project.sources)


def test_a_segment_over_the_inlining_budget_stays_whole(monkeypatch):
    """Beyond the budget a used segment is not inlined but kept as one condition: what it
    means is exact (`x` is still `w or not w`), only its inside is not compared (`y`)."""
    import segdsl.lint._logic

    monkeypatch.setattr(segdsl.lint._logic, "MAX_CHAIN", 2)
    project, found = lint("segment w: age > 30 or age = 1 or age = 2\n"
                          "segment x: in segment w or not (in segment w)\n"
                          "segment y: in segment w or not (age > 30)\n")
    assert [(d.code, d.span.line) for d in found] == [("L002", 2)], render_all(found, project.sources)


def test_lint_sees_one_ir_object_per_part_and_failing_parts_fail_each_time():
    from segdsl.resolve import condition_resolver

    project, _ = lint("trait n = 3\nsegment s: age > 1 and age < 9\n")
    cond = condition_resolver(project.program)
    body = project.program.definitions["s"].body
    whole = cond(body)
    assert [cond(item) for item in body.items] == list(whole.items)
    assert all(cond(item) is part for item, part in zip(body.items, whole.items))  # the same objects
    number = project.program.definitions["n"].body  # a value, not a condition
    assert cond(number) is None and cond(number) is None
    # an event filter asked for in the entity's scope: its column is unknown there, an
    # error inside the part, which must not be kept and handed out without the error
    project, _ = lint("segment d: did purchase[amount > 5]\n")
    cond = condition_resolver(project.program)
    event_filter = project.program.definitions["d"].body.event.filter
    assert cond(event_filter) is None and cond(event_filter) is None
    assert cond(event_filter, "purchase") is not None


def test_two_doubly_shared_chains_written_alike(no_size_limit):
    """Chains a and b say the same thing level by level, each level using the one below
    twice: their stripped trees are equal without being one object, and comparing them
    field by field doubles per level (this length would take hours). Every b level is
    L008 against its a twin."""
    depth = 40
    project, found = lint(twin_chains(depth))
    twins = [d for d in found if d.code == "L008"]
    assert [d.span.line for d in twins] == list(range(depth + 1, 2 * depth + 1)), render_all(found, project.sources)
    assert all(f"as segment 'a{i}'" in d.message for i, d in enumerate(twins))


def test_long_lists_meet_in_linear_time():
    """A list of thousands of IDs is a realistic segment: its items are put together at
    once and sets meet in one sweep (item by item, `check` took 15 s for 5,000)."""
    items = [f'"c{i}"' for i in range(0, 10_000, 2)]
    odd = [f'"c{i}"' for i in range(1, 10_000, 2)]
    project, found = lint(f"segment both: country in [{', '.join(items)}] and country in [{', '.join(odd)}]\n"
                          f"segment wide: country in [{', '.join(items)}] or country not in [{', '.join(items)}]\n")
    assert [(d.code, d.span.line) for d in found] == [("L001", 1), ("L004", 2)], render_all(found, project.sources)


# --- the example project ----------------------------------------------------------------


def test_example_project_is_clean():
    """The example follows its own advice: `is not null and not in` spells out that
    customers with no country are left out (L004 without L003), and every trait is used."""
    project = segdsl.load_project(EXAMPLE)
    found = run_lint(project)
    assert found == [], render_all(found, project.sources)


# --- soundness against the oracle ---------------------------------------------------------


def _top_items(body):
    from segdsl import ast

    if not (isinstance(body, ast.BoolOp) and body.op == "and"):
        return [body]
    out = []
    for item in body.items:
        out.extend(_top_items(item) if isinstance(item, ast.BoolOp) and item.op == "and" else [item])
    return out


def test_findings_hold_on_generated_projects():
    """Whatever L001, L002 and L008 claim about a whole segment holds on generated data:
    a contradiction in a segment's top-level `and` leaves it empty, an always-true body
    keeps everyone, and duplicate segments have the same members."""
    from hypothesis import HealthCheck, given, settings
    from hypothesis import strategies as st
    from oracle.evaluate import evaluate
    from oracle.model import SegmentDef, render
    from oracle.strategies import AS_OFS, datasets, make_vocab, projects
    from test_differential import TOML

    checked = []

    @settings(max_examples=300, deadline=None, derandomize=True,
              suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
    @given(st.data())
    def run(d):
        as_of = d.draw(st.sampled_from(AS_OFS))
        vocab = make_vocab(as_of)
        defs = d.draw(projects(vocab))
        project = segdsl.project_from_sources(TOML, {"t.seg": render(defs)})
        found = [f for f in run_lint(project) if f.code in ("L001", "L002", "L008")]
        if not found:
            return
        ds = d.draw(datasets(vocab))
        everyone = {r["customer_id"] for r in ds["customers"]}
        members = {s.name: evaluate(defs, s.name, ds, as_of) for s in defs if isinstance(s, SegmentDef)}
        for f in found:
            for name, definition in project.program.definitions.items():
                if name not in members:
                    continue
                if f.code == "L008" and f.span == definition.name_span:
                    other = f.message.split("segment '")[2].split("'")[0]
                    assert members[name] == members[other], f.message
                    checked.append(f.code)
                if f.code == "L001" and f.span in [i.span for i in _top_items(definition.body)]:
                    assert members[name] == set(), f.message
                    checked.append(f.code)
                if f.code == "L002" and f.span == definition.body.span:
                    assert members[name] == everyone, f.message
                    checked.append(f.code)

    run()
    assert set(checked) == {"L001", "L002", "L008"}  # the property was exercised


def test_a_form_feed_in_a_comment_does_not_shift_the_lines_quoted():
    """The parser counts lines at "\\n" only; a form feed (which str.splitlines also splits
    at) must not make messages quote the wrong line."""
    project, found = lint("# a note\x0cwith a form feed\nsegment s: age > 50 and age < 30\n")
    assert [(d.code, d.span.line, d.message) for d in found] == [
        ("L001", 2, "`age < 30` contradicts `age > 50`: no value satisfies both")]
    assert "segment s: age > 50 and age < 30" in render_all(found, project.sources)


def test_a_hint_quoting_a_backticked_name_stays_readable_code():
    toml = CASE_CONFIG.replace('age = "int"\n', 'age = "int"\nuser = "string"\n')
    _, found = lint('segment s: `user` != "u"', toml)
    [d] = found
    assert d.message == '`` `user` != "u" `` also leaves out rows where `user` is missing'
    assert d.hints == ('to keep them: `` `user` != "u" or `user` is null ``',
                       'to leave them out visibly: `` `user` is not null and `user` != "u" ``')
