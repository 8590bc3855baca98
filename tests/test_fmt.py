"""`segdsl fmt` (segdsl.fmt.format_source): exact layouts, the example project, and the
property from ENGINEERING.md practice 7 — the output parses to the same tree as the
input, and formatting it again changes nothing — over generated segments with
whitespace, keyword-case and comment noise; and that formatting changes nothing
`# segdsl: disable` comments suppress."""

from __future__ import annotations

import re
import textwrap
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import segdsl
from segdsl.diagnostics import Collector
from segdsl.fmt import WIDTH, _comments, format_source
from segdsl.lint import CASE_CONFIG, RULES, run_lint
from segdsl.parse import parse_source, parser

from oracle.model import TOML, render
from oracle.strategies import AS_OFS, make_vocab, projects

EXAMPLES = sorted((Path(__file__).resolve().parent.parent / "examples" / "shop").rglob("*.seg"))


def parse(text: str):
    diags = Collector()
    defs = parse_source(text, "t.seg", diags)
    assert not diags.has_errors, diags.diagnostics
    return defs


def fmt(text: str) -> str:
    out, diags = format_source(text, "t.seg")
    assert out is not None, diags
    assert not diags, diags
    return out


def check(text: str) -> str:
    """Format, and check the two properties; returns the output."""
    out = fmt(text)
    assert parse(out) == parse(text)
    assert fmt(out) == out
    assert not re.search(r"[ \t]+$", out, re.MULTILINE), "trailing whitespace"
    assert "\n\n\n" not in out and not out.startswith("\n")
    assert out == "" or (out.endswith("\n") and not out.endswith("\n\n"))
    return out


def d(text: str) -> str:
    return textwrap.dedent(text).lstrip("\n")


# --- exact layouts ------------------------------------------------------------------------

CASES = {
    "messy spacing and upper-case keywords": (
        'SEGMENT   adults"Grown-ups" :age_x>=18   AND  country IN ["US","FR" ]\n'
        "TRAIT ltv=SUM( purchase.amount ,LAST 365 DAYS )",
        d('''
            segment adults "Grown-ups":
                age_x >= 18 and country in ["US", "FR"]

            trait ltv = sum(purchase.amount, last 365 days)
        '''),
    ),
    "literals": (
        r'segment lits: x = 12.50 and y = 007 and z = -0.5 and w = "a \"q\" and \\ b" '
        "and t after 2024-03-01T12:30 and u before 2024-03-01 and v -100..0 and v 18.. "
        "and v ..65 and v -1.5..-0.25 and v 2024-01-01..2024-01-31 and top 10.5% by x "
        "and s before 1 DAYS AGO and did p in last 2 day and ok = TRUE and no = False",
        d(r'''
            segment lits:
                x = 12.50
                and y = 7
                and z = -0.5
                and w = "a \"q\" and \\ b"
                and t after 2024-03-01T12:30:00
                and u before 2024-03-01
                and v -100..0
                and v 18..
                and v ..65
                and v -1.5..-0.25
                and v 2024-01-01..2024-01-31
                and top 10.5% by x
                and s before 1 day ago
                and did p in last 2 days
                and ok = true
                and no = false
        '''),
    ),
    "keywords as names are backticked, unit words are not": (
        "segment `first`: `last` > 3 and did `count` and days 1..2 and sum(e.`max`) > hour",
        d('''
            segment `first`:
                `last` > 3 and did `count` and days 1..2 and sum(e.`max`) > hour
        '''),
    ),
    "long conditions break at or, then and, operator leading": (
        "segment s: did add_to_cart[value >= 100] in last 14 days and did not purchase in "
        "last 14 days or country = \"US\" and lifetime_value >= 1000 and "
        "count(purchase[channel = \"app\"], last 30 days) >= 5 or in segment vip",
        d('''
            segment s:
                did add_to_cart[value >= 100] in last 14 days and did not purchase in last 14 days
                or country = "US"
                    and lifetime_value >= 1000
                    and count(purchase[channel = "app"], last 30 days) >= 5
                or in segment vip
        '''),
    ),
    "parentheses: needed ones kept, redundant ones dropped": (
        "segment p: ((a)) and (b or c) and (d and e) and not (f or g) and (not h) "
        "and not (x = 1) and not (did p) and (a or (b or c)) and ((a or b) or c) "
        "and x = (1 + 2) * 3 and y = 1 + (2 * 3) and z = 1 - (2 - 3) and w = (1 - 2) - 3 "
        "and -(a + b) > 0 and -(-a) > 0 and (x = 1) = (y = 2)",
        d('''
            segment p:
                a
                and (b or c)
                and (d and e)
                and not (f or g)
                and not h
                and not (x = 1)
                and not did p
                and (a or (b or c))
                and ((a or b) or c)
                and x = (1 + 2) * 3
                and y = 1 + 2 * 3
                and z = 1 - (2 - 3)
                and w = 1 - 2 - 3
                and -(a + b) > 0
                and -(-a) > 0
                and (x = 1) = (y = 2)
        '''),
    ),
    "a parenthesised group that does not fit breaks inside, indented": (
        "segment g: is_subscribed and (count(purchase, last 30 days) >= 5 or "
        "sum(purchase.amount, last 90 days) >= 1000 or lifetime_value >= 5000) "
        "and country != \"US\"",
        d('''
            segment g:
                is_subscribed
                and (
                    count(purchase, last 30 days) >= 5
                    or sum(purchase.amount, last 90 days) >= 1000
                    or lifetime_value >= 5000
                )
                and country != "US"
        '''),
    ),
    "long filters and lists break inside their brackets": (
        'segment f: count(purchase[category = "shoes" and amount > 50 and channel = "app" '
        'and coupon is null], last 12 months) >= 2 and country in ["United States", '
        '"United Kingdom", "Germany", "France", "Switzerland"]',
        d('''
            segment f:
                count(purchase[
                    category = "shoes" and amount > 50 and channel = "app" and coupon is null
                ], last 12 months) >= 2
                and country in [
                    "United States",
                    "United Kingdom",
                    "Germany",
                    "France",
                    "Switzerland"
                ]
        '''),
    ),
    "traits: one line when it fits, else the value on the next line; long sums break": (
        'trait short "Short" = count(purchase)\n'
        'trait engagement_score "Weighted recent activity across orders, email and site" = '
        "3 * count(purchase, last 90 days) + 2 * count(email_click, last 90 days) + "
        "count(page_view, last 30 days)",
        d('''
            trait short "Short" = count(purchase)

            trait engagement_score "Weighted recent activity across orders, email and site" =
                3 * count(purchase, last 90 days)
                + 2 * count(email_click, last 90 days)
                + count(page_view, last 30 days)
        '''),
    ),
    "comments before, inside and after definitions": (
        d('''


            # File header.

            # About a.
            # More about a.

            segment a:   x > 1  # trailing a
            # B's comment, separated by no blank line.
            segment b "B":   # after the header
                  x > 2 AND  # after and
                    # own line before y
                  y < 3
                  # indented under b: stays with b
                  # and so does this
            trait c=  1 +  # mid-sum
             2



            # Last words.
        '''),
        d('''
            # File header.

            # About a.
            # More about a.

            segment a:
                x > 1  # trailing a

            # B's comment, separated by no blank line.
            segment b "B":  # after the header
                x > 2  # after and
                # own line before y
                and y < 3
                # indented under b: stays with b
                # and so does this

            trait c =
                1  # mid-sum
                + 2

            # Last words.
        '''),
    ),
    "comments inside brackets and after parentheses": (
        d('''
            segment x: a and (b or # after or
                c) # after the group
              and count(p[ # in the filter
                 q > 1], last 3 days) > 0 and y in [1, # after one
                 2] and ( # why
                 e or f)
        '''),
        d('''
            segment x:
                a
                and (
                    b  # after or
                    or c
                )  # after the group
                and count(p[  # in the filter
                    q > 1
                ], last 3 days) > 0
                and y in [
                    1,  # after one
                    2
                ]
                and (  # why
                    e or f
                )
        '''),
    ),
    "a comment after the ( of a call stays on the call's line": (
        'segment a: x and count( # c\n purchase) > 0 and y in [ # l\n 1, 2]',
        d('''
            segment a:
                x
                and count(purchase) > 0  # c
                and y in [  # l
                    1,
                    2
                ]
        '''),
    ),
    "a string holding # is not a comment": (
        'segment h "# not a comment": tag = "#1" # but this is',
        d('''
            segment h "# not a comment":
                tag = "#1"  # but this is
        '''),
    ),
    "comments only": ("\n\n# just\n\n\n# notes   \n\n", "# just\n\n# notes\n"),
    "empty": (" \n\t\n", ""),
    "CRLF line ends": (
        "# c\r\nsegment a:\r\n    x > 1 # t\r\n",
        "# c\nsegment a:\n    x > 1  # t\n",
    ),
}


@pytest.mark.parametrize("name", list(CASES))
def test_layout(name):
    source, expected = CASES[name]
    assert check(source) == expected


def test_expected_outputs_are_fixed_points():
    for _, expected in CASES.values():
        assert fmt(expected) == expected


def test_lines_fit_when_they_can():
    out = check(CASES["long conditions break at or, then and, operator leading"][0])
    assert max(map(len, out.splitlines())) <= WIDTH


def test_syntax_errors_give_no_text_and_the_diagnostics():
    out, diags = format_source("segment a: x >", "bad.seg")
    assert out is None
    assert [x.code for x in diags] == ["E002"]
    assert diags[0].span.file == "bad.seg"
    out, diags = format_source('segment a: x = "\\q"', "bad.seg")  # bad escape: E005
    assert out is None and [x.code for x in diags] == ["E005"]


def lexed_comments(text: str) -> list[tuple[int, int, str]]:
    """(line, column, text) of each comment as the grammar's own lexer finds it."""
    return [(t.line, t.column, str(t).rstrip()) for t in parser().lex(text, dont_ignore=True)
            if t.type == "COMMENT"]


def test_the_comment_scan_agrees_with_the_grammars_lexer():
    text = 'segment a "x # y": s = "\\"#" # one\n# two\nsegment b: t ## three\r\n  # four'
    found = [(c.line, c.col, c.text, c.own_line) for c in _comments(text)]
    assert found == [(1, 30, "# one", False), (2, 1, "# two", True), (3, 14, "## three", False),
                     (4, 3, "# four", True)]
    assert [f[:3] for f in found] == lexed_comments(text)


# --- the example project ----------------------------------------------------------------


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: p.name)
def test_example_files(path):
    text = path.read_text("utf-8")
    out = check(text)
    # every comment survives
    assert [c.text for c in _comments(text)] == [c.text for c in _comments(out)]


def test_examples_found():
    assert len(EXAMPLES) >= 6


# --- properties over generated segments ---------------------------------------------------

COMMENT_TEXT = st.text(
    alphabet=st.sampled_from(list("abc XYZ#\"\\()[]é日\t-")), max_size=12,
).map(lambda s: "#" + s)
SPACE = st.sampled_from([" ", "  ", "\t", "\n", "\n\n", "\n    ", " \n\n\t", "\r\n", "\n\n\n  "])
KEYWORD_TYPES = re.compile(r"_[A-Z]+|UNIT")


def comment_noise(text):
    """Whitespace, or a comment drawn from `text` with whitespace around it."""
    comment = st.tuples(SPACE, text, SPACE).map(lambda t: t[0] + t[1] + "\n" + t[2])
    return st.one_of(SPACE, SPACE, SPACE, comment)


NOISE = comment_noise(COMMENT_TEXT)
CASE = st.sampled_from([str.lower, str.lower, str.upper, str.title])


@st.composite
def noisy(draw, text: str, noise=NOISE) -> str:
    """`text` with every run of whitespace replaced by random whitespace or comments,
    some space added inside brackets and lists, and keywords in random case."""
    out = []
    for tok in parser().lex(text, dont_ignore=True):
        kind, value = tok.type, str(tok)
        if kind.startswith("__IGNORE"):
            out.append(draw(noise))
            continue
        if KEYWORD_TYPES.fullmatch(kind):
            value = draw(CASE)(value)
        if value in (")", "]", ",") and draw(st.integers(0, 4)) == 0:
            out.append(draw(noise))
        out.append(value)
        if value in ("(", "[", ",") and draw(st.integers(0, 4)) == 0:
            out.append(draw(noise))
    return "".join(out)


@st.composite
def sources(draw, with_noise: bool, noise=NOISE):
    vocab = make_vocab(draw(st.sampled_from(AS_OFS)))
    defs = draw(projects(vocab, max_traits=3, max_segments=4, depth=4))
    text = render(defs, upper=draw(st.booleans()))
    return draw(noisy(text, noise)) if with_noise else text


PROPERTY = settings(
    max_examples=1000, deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large,
                           HealthCheck.large_base_example],
)


@settings(PROPERTY, max_examples=600)
@given(sources(with_noise=False))
def test_generated_segments_round_trip(text):
    check(text)


@PROPERTY
@given(sources(with_noise=True))
def test_generated_segments_with_noise_round_trip(text):
    out = check(text)
    before = [c.text for c in _comments(text)]
    after = " ".join(c.text for c in _comments(out))
    # no comment lost or duplicated (trailing comments that share a line are joined)
    assert all(c in after for c in before)
    assert sum(c.count("#") for c in before) == after.count("#")
    assert [(c.line, c.col, c.text) for c in _comments(text)] == lexed_comments(text)


# --- formatting changes nothing `# segdsl: disable` comments suppress --------------------


def lint_codes(text: str, toml: str = CASE_CONFIG) -> list[str]:
    return [d.code for d in run_lint(segdsl.project_from_sources(toml, {"t.seg": text}))]


LONG = 'email contains "@example.com" and score > 0.5 and is_subscribed and signup_at after 2024-01-01'

# name -> (source, the lint codes on it and on its formatted text). fmt breaks, joins or
# splits most of these lines: a comment shares a line with a finding on one side only.
SUPPRESSIONS = {
    "end of a line fmt breaks, L004 on its first item": (
        f'segment s: country != "US" and {LONG}  # segdsl: disable=L004', []),
    "end of a line fmt breaks, L001 on its second item": (
        f"segment s: age > 50 and age < 30 and {LONG}  # segdsl: disable=L001", []),
    "end of a segment fmt splits under its name, L008 on the name": (
        "segment a: age > 1\nsegment b: age > 1  # segdsl: disable=L008", []),
    "end of a trait fmt splits under its name, L007 on the name": (
        "trait t = sum(purchase.amount, last 30 days) + sum(purchase.amount, last 60 days)"
        " + sum(add_to_cart.value)  # segdsl: disable=L007\nsegment s: age > 1", []),
    "end of lines fmt joins, L004 on the first": (
        'segment s:\n    country != "US"\n    and age > 50  # segdsl: disable', []),
    "end of a line fmt breaks after the first item, L001 on the next line": (
        'segment s: country != "US" and age > 50  # segdsl: disable=L004,L001\n    and age < 30', []),
    "own line inside the definition: in it": (
        'segment s:\n    # segdsl: disable=L004\n    country != "US"', []),
    "own line above the definition: not in it": (
        '# segdsl: disable=L004\nsegment s: country != "US"', ["L004"]),
    "a line fmt splits into two definitions: only the one it ends": (
        'segment a: country != "US" segment b: email != "x"  # segdsl: disable=L004', ["L004"]),
    "two comments fmt joins into one: both read": (
        'segment s: country !=  # segdsl: disable=L001\n    "US"  # segdsl: disable=L004', []),
}


@pytest.mark.parametrize("name", list(SUPPRESSIONS))
def test_fmt_keeps_what_a_disable_comment_suppresses(name):
    source, codes = SUPPRESSIONS[name]
    out = check(source)
    assert lint_codes(source) == codes
    assert lint_codes(out) == codes, out


def test_check_passes_after_fmt_breaks_a_suppressed_line(tmp_path):
    from click.testing import CliRunner

    from segdsl.cli import main

    (tmp_path / "segdsl.toml").write_text(CASE_CONFIG + '[lint.severity]\nL004 = "error"\n')
    seg = tmp_path / "a.seg"
    seg.write_text(f'segment s: country != "US" and {LONG}  # segdsl: disable=L004\n')
    run = CliRunner().invoke
    assert run(main, ["check", str(tmp_path)]).exit_code == 0
    assert run(main, ["fmt", str(tmp_path)]).exit_code == 0
    assert seg.read_text().splitlines()[1] == '    country != "US"'  # the comment is lines below
    result = run(main, ["check", str(tmp_path)])
    assert result.exit_code == 0, result.output


DISABLE = st.sampled_from(["# segdsl: disable"] + [f"# segdsl: disable={r.CODE}" for r in RULES])


@settings(PROPERTY, max_examples=300)
@given(sources(with_noise=True, noise=comment_noise(DISABLE)))
def test_generated_segments_lint_the_same_after_fmt(text):
    """Disable comments wherever whitespace may be: fmt changes none of the findings."""
    assert lint_codes(text, TOML) == lint_codes(check(text), TOML)


def test_fmt_command_rewrites_checks_and_diffs(tmp_path):
    from click.testing import CliRunner

    from segdsl.cli import main

    (tmp_path / "segdsl.toml").write_text('[entity]\ntable = "c"\nkey = "id"\n[entity.columns]\nage = "int"\n')
    seg = tmp_path / "a.seg"
    seg.write_text("SEGMENT adults:   AGE_OK >= 18\n".replace("AGE_OK", "age"))
    run = CliRunner().invoke
    check = run(main, ["fmt", str(tmp_path), "--check"])
    assert check.exit_code == 1 and "would reformat" in check.output
    diff = run(main, ["fmt", str(tmp_path), "--diff"])
    assert diff.exit_code == 1 and "+segment adults:" in diff.output
    assert seg.read_text() == "SEGMENT adults:   age >= 18\n"  # --check and --diff change nothing
    write = run(main, ["fmt", str(tmp_path)])
    assert write.exit_code == 0 and seg.read_text() == "segment adults:\n    age >= 18\n"
    assert run(main, ["fmt", str(tmp_path), "--check"]).exit_code == 0
    seg.write_text("segment broken: age >\n")
    broken = run(main, ["fmt", str(tmp_path)])
    assert broken.exit_code == 1 and "incomplete definition" in broken.output
    assert seg.read_text() == "segment broken: age >\n"


def test_fmt_command_formats_a_project_with_type_errors_without_checking_it(tmp_path, monkeypatch):
    from click.testing import CliRunner

    from segdsl import api
    from segdsl.cli import main

    def no_checking(*args):
        raise AssertionError("segdsl fmt parsed and checked the whole project")

    monkeypatch.setattr(api, "build_project", no_checking)
    (tmp_path / "segdsl.toml").write_text('[entity]\ntable = "c"\nkey = "id"\n[entity.columns]\nage = "int"\n')
    seg = tmp_path / "a.seg"
    seg.write_text("segment old:   agee >= 18 and in segment nowhere\n")  # two type errors
    result = CliRunner().invoke(main, ["fmt", str(tmp_path)])
    assert result.exit_code == 0, result.output
    assert seg.read_text() == "segment old:\n    agee >= 18 and in segment nowhere\n"


def test_fmt_command_reports_what_it_cannot_read(tmp_path):
    from click.testing import CliRunner

    from segdsl.cli import main

    config = tmp_path / "segdsl.toml"
    config.write_text('[entity]\ntable = "c"\nkey = "id"\n[entity.columns]\nage = "int"\n')
    seg = tmp_path / "a.seg"
    seg.write_text("segment adults:   age >= 18\n")
    (tmp_path / "latin1.seg").write_bytes(b"segment caf\xe9: age > 1\n")
    result = CliRunner().invoke(main, ["fmt", str(tmp_path)])
    assert result.exit_code == 1 and "error[E000]" in result.output and "is not UTF-8 text" in result.output
    assert seg.read_text() == "segment adults:\n    age >= 18\n"  # the readable files are formatted
    config.write_text('[project]\nsegments = "."\n')  # where the files are: not said usably
    result = CliRunner().invoke(main, ["fmt", str(tmp_path)])
    assert result.exit_code == 1 and "error[C001]" in result.output and "1 error found" in result.output
    assert "segments = " in result.output  # the config line is shown
    config.write_text("[project\n")
    result = CliRunner().invoke(main, ["fmt", str(tmp_path)])
    assert result.exit_code == 1 and "error[C000]" in result.output


def test_fmt_command_reads_of_the_config_only_where_the_files_are(tmp_path):
    """Formatting is about each file's syntax: a config that `check` rejects for its
    dialect, its entity or its columns still tells fmt where the files are."""
    from click.testing import CliRunner

    from segdsl.cli import main

    (tmp_path / "segdsl.toml").write_text(
        '[project]\ndialect = "nosuch"\nsegments = ["segs"]\n[entity]\ntable = "c"\n[entity.columns]\nage = "integer"\n')
    (tmp_path / "segs").mkdir()
    seg = tmp_path / "segs" / "a.seg"
    seg.write_text("segment adults:   age >= 18\n")
    (tmp_path / "elsewhere.seg").write_text("segment   not_in_a_folder:   age >= 18\n")
    result = CliRunner().invoke(main, ["fmt", str(tmp_path)])
    assert result.exit_code == 0, result.output
    assert seg.read_text() == "segment adults:\n    age >= 18\n"
    assert (tmp_path / "elsewhere.seg").read_text() == "segment   not_in_a_folder:   age >= 18\n"
    assert CliRunner().invoke(main, ["check", str(tmp_path)]).exit_code == 1  # check still rejects it


def test_check_prints_lint_warnings_and_passes(tmp_path):
    from click.testing import CliRunner

    from segdsl.cli import main

    (tmp_path / "segdsl.toml").write_text('[entity]\ntable = "c"\nkey = "id"\n[entity.columns]\nage = "int"\n')
    (tmp_path / "a.seg").write_text("segment odd: age > 50 and age < 30\n")
    result = CliRunner().invoke(main, ["check", str(tmp_path)])
    assert result.exit_code == 0 and "warning[L001]" in result.output
    (tmp_path / "segdsl.toml").write_text(
        '[entity]\ntable = "c"\nkey = "id"\n[entity.columns]\nage = "int"\n[lint.severity]\nL001 = "error"\n')
    assert CliRunner().invoke(main, ["check", str(tmp_path)]).exit_code == 1


def test_fmt_diff_is_a_patch_git_applies(tmp_path, monkeypatch):
    """A file without a final newline, and a string holding U+2028 (a line break to
    str.splitlines, not to the parser): `fmt --diff` is a patch that makes the file what
    `fmt` writes."""
    import subprocess

    from click.testing import CliRunner

    from segdsl.cli import main

    (tmp_path / "segdsl.toml").write_text('[entity]\ntable = "c"\nkey = "id"\n[entity.columns]\nage = "int"\n'
                                          'name = "string"\n')
    files = {"a.seg": "segment a:\n    age >    1", "b.seg": 'segment b: name = "x\u2028y"  and age>1\n'}
    for name, text in files.items():
        (tmp_path / name).write_text(text, "utf-8", newline="")
    monkeypatch.chdir(tmp_path)  # files named relative to it, as a patch names them
    diff = CliRunner().invoke(main, ["fmt", ".", "--diff"]).stdout
    assert "\\ No newline at end of file" in diff
    subprocess.run(["git", "init", "-q", str(tmp_path)], check=True)
    subprocess.run(["git", "apply", "-"], cwd=tmp_path, input=diff.encode(), check=True)
    patched = {name: (tmp_path / name).read_bytes().decode() for name in files}
    assert CliRunner().invoke(main, ["fmt", "."]).exit_code == 0
    assert patched == {name: (tmp_path / name).read_bytes().decode() for name in files}
