"""`segdsl test`: the example's promises pass, and a change that breaks one fails it."""

import re
import shutil

import pytest
from click.testing import CliRunner

from conftest import EXAMPLE
from segdsl.cli import main


def run(path, *args):
    return CliRunner().invoke(main, ["test", str(path), *args])


def copy_example(tmp_path):
    target = tmp_path / "shop"
    shutil.copytree(EXAMPLE, target)
    return target


def test_example_promises_hold():
    result = run(EXAMPLE)
    assert result.exit_code == 0, result.output
    assert "3 passed, 0 failed" in result.output


def break_a_promise(shop):
    seg = shop / "segments" / "behavioural.seg"
    seg.write_text(seg.read_text().replace(
        "did add_to_cart in last 7 days and did not purchase in last 7 days",
        "did add_to_cart in last 14 days and did not purchase in last 7 days",
    ))


def test_a_change_that_breaks_a_promise_fails_and_shows_the_row(tmp_path, monkeypatch):
    shop = copy_example(tmp_path)
    break_a_promise(shop)
    monkeypatch.chdir(shop)
    result = run(".")
    assert result.exit_code == 1
    assert "FAIL tests/lifecycle.test.toml: a cart this week" in result.output
    assert "expected not a member, but is: 3 {'customer_id': 3}" in result.output
    assert "2 passed, 1 failed" in result.output


def test_select_runs_only_matching_cases():
    result = run(EXAMPLE, "-k", "lapsed")
    assert result.exit_code == 0 and "1 passed, 0 failed" in result.output


def test_mistakes_in_a_test_file_are_reported(tmp_path):
    shop = copy_example(tmp_path)
    (shop / "tests" / "bad.test.toml").write_text(
        '[[case]]\nsegment = "cart_abandoner"\nas_of = 2026-06-30T00:00:00\n'
        '[[case]]\nsegment = "cart_abandoners"\nas_of = 2026-06-30T00:00:00\n'
        '[[case.entity]]\ncustomer_id = 1\nagee = 3\n[[case.events.purchse]]\ncustomer_id = 1\n'
        '[[case]]\nsegment = "cart_abandoners"\ncount = 0\n'
    )
    result = run(shop)
    assert result.exit_code == 1
    assert "unknown segment 'cart_abandoner'. did you mean 'cart_abandoners'?" in result.output
    assert "has no column 'agee'. did you mean 'age'?" in result.output
    assert "unknown event 'purchse'. did you mean 'purchase'?" in result.output
    assert "each case needs an as_of" in result.output


def test_test_files_are_toml_1_1_like_the_config_and_bad_toml_says_where(tmp_path):
    shop = copy_example(tmp_path)
    # a trailing comma in an inline table: TOML 1.1, which segdsl.toml may use too
    (shop / "tests" / "one_one.test.toml").write_text(
        '[[case]]\nsegment = "cart_abandoners"\nas_of = 2026-06-30T00:00:00\ncount = 0\n'
        'entity = [{ customer_id = 1, }]\n'
    )
    result = run(shop, "-k", "cart_abandoners")
    assert result.exit_code == 0, result.output
    assert re.search(r"PASS \S*one_one\.test\.toml: case 1 \[cart_abandoners\]", result.output), result.output
    (shop / "tests" / "broken.test.toml").write_text('[[case]]\nsegment = "x"\nas_of = \n')
    result = run(shop)
    assert result.exit_code == 1
    assert "broken.test.toml:3:" in result.output and "invalid TOML" in result.output, result.output


def test_a_test_file_with_a_byte_order_mark_is_read_and_located_as_without(tmp_path):
    shop = copy_example(tmp_path)
    case = CASE + ROW + "age = 40\n"
    (shop / "tests" / "bom.test.toml").write_bytes(b"\xef\xbb\xbf" + (case + case.replace("40", "[40]")
                                                                     ).replace("\n", "\r\n").encode())
    result = run(shop)
    assert result.exit_code == 1
    assert f"bom.test.toml:12:1: 'age' in [[case.entity]] {PLAIN} a list" in result.output, result.output


def test_rows_that_cannot_be_loaded_are_reported(tmp_path):
    shop = copy_example(tmp_path)
    (shop / "tests" / "bad.test.toml").write_text(
        '[[case]]\nsegment = "cart_abandoners"\nas_of = 2026-06-30T00:00:00\n'
        '[[case.entity]]\ncustomer_id = 1\nage = "thirty"\n'
    )
    result = run(shop)
    assert result.exit_code == 1
    assert "     the rows could not be loaded or queried: Conversion Error: " in result.output


CASE = '[[case]]\nsegment = "cart_abandoners"\nas_of = 2026-06-30T00:00:00\n'
ROW = "[[case.entity]]\ncustomer_id = 1\n"
PLAIN = "must be text, a number, true/false, a date or a timestamp, not"
NO_KEYS = "must be a list of entity keys (numbers or text), e.g. members = [1, 2]"


@pytest.mark.parametrize("body, error", [
    pytest.param("case = [1]\n", "1:1: each case must be a table: write [[case]]", id="case-not-a-table"),
    pytest.param(CASE + "events = 1\n", "4:1: 'events' must hold rows by event name", id="events-not-a-table"),
    pytest.param(CASE + "events = [1]\n", "4:1: 'events' must hold rows by event name", id="events-a-list"),
    pytest.param(CASE + "entity = [1]\n", "4:1: 'entity' must be a list of rows: write each row as a [[case.entity]] table",
                 id="entity-row-not-a-table"),
    pytest.param(CASE + "members = 5\n", f"4:1: 'members' {NO_KEYS}", id="members-not-a-list"),
    pytest.param(CASE + "members = [[1]]\n", f"4:1: 'members' {NO_KEYS}", id="member-a-list"),
    pytest.param(CASE + "non_members = [{ a = 1 }]\n", "4:1: 'non_members' must be a list of entity keys",
                 id="non-member-a-table"),
    pytest.param(CASE + ROW + "age = [30]\n", f"6:1: 'age' in [[case.entity]] {PLAIN} a list", id="entity-value-a-list"),
    pytest.param(CASE + ROW + "[[case.entity]]\ncustomer_id = 2\nfirst_name = { a = 1 }\n",
                 f"8:1: 'first_name' in [[case.entity]] {PLAIN} a table", id="entity-value-a-table"),
    pytest.param(CASE + "[[case.entity]]\ncustomer_id = [1]\n", f"5:1: 'customer_id' in [[case.entity]] {PLAIN} a list",
                 id="entity-key-a-list"),
    pytest.param(CASE + "[case.events.add_to_cart]\ncustomer_id = 1\n",
                 "4:1: 'events.add_to_cart' must be a list of rows: write each row as a [[case.events.add_to_cart]] table",
                 id="event-rows-a-table"),
    pytest.param(CASE + "events.add_to_cart = [1]\n", "4:1: 'events.add_to_cart' must be a list of rows",
                 id="event-row-not-a-table"),
    pytest.param(CASE + "[[case.events.add_to_cart]]\ncustomer_id = 1\ncategory = [\"shoes\"]\n",
                 f"6:1: 'category' in [[case.events.add_to_cart]] {PLAIN} a list", id="event-value-a-list"),
    pytest.param(CASE + "[[case.events.add_to_cart]]\ncustomer_id = 1\noccurred_at = 10:00:00\n",
                 f"6:1: 'occurred_at' in [[case.events.add_to_cart]] {PLAIN} a time of day", id="event-value-a-time"),
    # DuckDB would shift it to the machine's time zone
    pytest.param(CASE + "[[case.events.add_to_cart]]\ncustomer_id = 1\noccurred_at = 2026-06-28T10:00:00+02:00\n",
                 "6:1: 'occurred_at' in [[case.events.add_to_cart]] must be a timestamp without a time zone offset",
                 id="event-value-with-an-offset"),
    pytest.param('[[case]]\nsegment = "cart_abandoners"\nas_of = 2026-06-30T00:00:00Z\n',
                 "3:1: the as-of moment has no time zone", id="as-of-with-an-offset"),
    pytest.param('[[case]]\nsegment = "cart_abandoners"\nas_of = 2026-06-30T00:00:00.25\n',
                 "3:1: the as-of moment is to the second", id="as-of-with-a-fraction"),
    pytest.param(CASE + 'count = "1"\n', "4:1: 'count' must be a whole number, e.g. count = 3", id="count-text"),
    pytest.param('[[case]]\nsegment = ["cart_abandoners"]\n', "2:1: 'segment' must be text in quotes",
                 id="segment-a-list"),
    pytest.param(CASE + "memebrs = [1]\n", "4:1: unknown setting 'memebrs' in [[case]]. did you mean 'members'?",
                 id="misspelt-setting"),
    pytest.param("[[case]]\nas_of = 2026-06-30T00:00:00\n[[case.entity]]\ncustomer_id = 1\nsegment = 2\n",
                 '1:1: each case needs a segment, e.g. segment = "cart_abandoners"', id="no-segment"),
    pytest.param("[['case']]\nsegment = 'cart_abandoners'\nas_of = 2026-06-30T00:00:00\n[['case'.entity]]\n"
                 "customer_id = 1\n[[ 'case' . 'entity' ]]\ncustomer_id = 2\nage = [30]\n",
                 f"8:1: 'age' in [[case.entity]] {PLAIN} a list", id="literal-string-keys"),
    # the row of the right case: the case and row headers repeat
    pytest.param(CASE + "count = 0\n" + ROW + CASE + ROW + ROW + "age = [30]\n",
                 f"14:1: 'age' in [[case.entity]] {PLAIN} a list", id="second-row-of-second-case"),
    # a multi-line string holding a header line is no header
    pytest.param(CASE + 'non_members = ["""x\n[[case]]\ny"""]\n' + ROW + "age = 30\n" + CASE + ROW + "age = [30]\n",
                 f"15:1: 'age' in [[case.entity]] {PLAIN} a list", id="header-in-a-multi-line-string"),
])
def test_a_value_of_the_wrong_kind_is_reported_at_its_line(tmp_path, body, error):
    shop = copy_example(tmp_path)
    (shop / "tests" / "bad.test.toml").write_text(body)
    result = run(shop)
    assert result.exit_code == 1 and isinstance(result.exception, SystemExit), result.exception  # not a crash
    assert "Traceback" not in result.output
    assert f"bad.test.toml:{error}" in result.output, result.output


def test_a_project_named_through_dot_dot_is_found_but_hidden_folders_are_skipped(tmp_path, monkeypatch):
    shop = copy_example(tmp_path)
    hidden = shop / ".venv" / "pkg"
    hidden.mkdir(parents=True)
    (hidden / "x.test.toml").write_text("this is not toml [")
    work = tmp_path / "work"
    work.mkdir()
    monkeypatch.chdir(work)
    result = run("../shop")
    assert result.exit_code == 0, result.output
    assert "3 passed, 0 failed" in result.output


def test_test_files_are_named_as_typed_from_the_current_folder(tmp_path, monkeypatch):
    shop = copy_example(tmp_path)
    break_a_promise(shop)
    work = tmp_path / "work"
    work.mkdir()
    for cwd, typed, shown in [(tmp_path, "shop", "shop/tests/lifecycle.test.toml"),
                              (work, "../shop", "../shop/tests/lifecycle.test.toml"),
                              (work, str(shop), str(shop / "tests" / "lifecycle.test.toml"))]:
        monkeypatch.chdir(cwd)
        result = run(typed)
        assert result.exit_code == 1
        assert f"FAIL {shown}: a cart this week" in result.output, (typed, result.output)
