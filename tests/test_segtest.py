"""`segdsl test`: the example's promises pass, and a change that breaks one fails it."""

import re
import shutil

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


def test_rows_that_cannot_be_loaded_are_reported(tmp_path):
    shop = copy_example(tmp_path)
    (shop / "tests" / "bad.test.toml").write_text(
        '[[case]]\nsegment = "cart_abandoners"\nas_of = 2026-06-30T00:00:00\n'
        '[[case.entity]]\ncustomer_id = 1\nage = "thirty"\n'
    )
    result = run(shop)
    assert result.exit_code == 1
    assert "     the rows could not be loaded or queried: Conversion Error: " in result.output


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
