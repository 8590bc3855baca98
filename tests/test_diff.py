"""`segdsl diff`: a project at a git revision against the working tree, like a pull request."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from segdsl import engine
from segdsl.api import check_project, load_project
from segdsl.diff import (
    RevisionError, diff_projects, load_revision, render_json, render_markdown, render_text,
)

EXAMPLE = Path(__file__).resolve().parent.parent / "examples" / "shop"

pytestmark = pytest.mark.skipif(shutil.which("git") is None, reason="git is not installed")


def git(cwd: Path, *args: str) -> str:
    return subprocess.run(
        ["git", "-c", "user.name=t", "-c", "user.email=t@e", "-c", "init.defaultBranch=main",
         "-c", "commit.gpgsign=false", *args],
        cwd=cwd, check=True, capture_output=True, text=True,
    ).stdout


def commit_all(repo: Path, message: str) -> str:
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", message)
    return git(repo, "rev-parse", "HEAD").strip()


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text("utf-8")
    assert old in text, f"{old!r} not in {path}"
    path.write_text(text.replace(old, new, 1), "utf-8")


def work_tree_state(repo: Path) -> tuple[str, dict[str, bytes]]:
    files = {
        str(p.relative_to(repo)): p.read_bytes()
        for p in sorted(repo.rglob("*")) if p.is_file() and ".git" not in p.relative_to(repo).parts
    }
    return git(repo, "status", "--porcelain", "--untracked-files=all"), files


@pytest.fixture
def repo(tmp_path):
    """A git repository holding the example shop in a subfolder, committed once."""
    repo = tmp_path / "repo"
    repo.mkdir()
    git(repo, "init", "-q")
    (repo / "README.md").write_text("marketing\n")
    shutil.copytree(EXAMPLE, repo / "marketing" / "shop", ignore=shutil.ignore_patterns("__pycache__"))
    commit_all(repo, "base")
    return repo


def make_pull_request(project: Path) -> None:
    """The working-tree changes a pull request would make."""
    seg = project / "segments"
    # a threshold edited
    edit(seg / "value.seg", 'plan = "free" and lifetime_value >= 500', 'plan = "free" and lifetime_value >= 300')
    # a trait edited: shoe_enthusiasts' text stays the same, its SQL changes
    edit(seg / "traits.seg", 'amount > 50], last 12 months', 'amount > 80], last 12 months')
    # a segment removed
    edit(seg / "demographic.seg",
         'segment under_25 "Customers aged 24 or younger (Gen Z creative)":\n    age ..24\n\n', "")
    # a segment added, in a new file
    (seg / "baskets.seg").write_text(
        'segment big_basket_fans "Average order over 120":\n    avg_order_value > 120\n', "utf-8"
    )


@pytest.fixture
def pull_request(repo):
    project = repo / "marketing" / "shop"
    make_pull_request(project)
    return repo, project


def keys(con, sql: str) -> set:
    return {row[0] for row in con.execute(sql).fetchall()}


# --- load_revision ---------------------------------------------------------------------


def test_load_revision_reads_git_objects_and_leaves_the_work_tree_alone(pull_request):
    repo, project = pull_request
    before = work_tree_state(repo)
    base, diagnostics, sources = load_revision(project, "HEAD")
    assert work_tree_state(repo) == before
    status = before[0].splitlines()
    assert sorted(line[3:] for line in status) == [
        "marketing/shop/segments/baskets.seg", "marketing/shop/segments/demographic.seg",
        "marketing/shop/segments/traits.seg", "marketing/shop/segments/value.seg",
    ]
    assert diagnostics == []
    assert base is not None and base.root is None
    # the base is the committed project: under_25 still there, the new segment not yet
    assert "under_25" in base.program.segments and "big_basket_fans" not in base.program.segments
    committed = load_project(EXAMPLE)
    assert base.segments == committed.segments
    assert base.compile_segment("upsell_candidates", "duckdb") == committed.compile_segment("upsell_candidates", "duckdb")
    # files are named as check_project names them in the working tree
    head, _, head_sources = check_project(project)
    assert set(sources) == set(head_sources) - {str(project / "segments" / "baskets.seg")}
    assert sources[str(project / "segments" / "value.seg")] == (EXAMPLE / "segments" / "value.seg").read_text()


def test_load_revision_of_a_project_at_the_repository_root(tmp_path):
    repo = tmp_path / "shop"
    shutil.copytree(EXAMPLE, repo)
    git(repo, "init", "-q")
    commit_all(repo, "base")
    base, diagnostics, _ = load_revision(repo, "HEAD")
    assert diagnostics == []
    assert base.segments == load_project(repo).segments


def test_a_revision_without_the_project_is_an_empty_base(repo):
    first = git(repo, "rev-list", "--max-parents=0", "HEAD").strip()
    (repo / "other.txt").write_text("x\n")
    commit_all(repo, "unrelated")
    # move the project: at HEAD it exists, at the root commit it lives elsewhere
    shutil.copytree(repo / "marketing" / "shop", repo / "crm")
    base, diagnostics, sources = load_revision(repo / "crm", first)
    assert (base, diagnostics, sources) == (None, [], {})
    head = load_project(repo / "crm")
    diff = diff_projects(base, head, "duckdb", None)
    assert {s.change for s in diff.segments} == {"added"}
    assert len(diff.segments) == len(head.segments) and diff.unchanged == 0


def test_an_invalid_revision_raises_a_value_error(repo):
    project = repo / "marketing" / "shop"
    with pytest.raises(ValueError, match="'no-such-branch' is not a commit"):
        load_revision(project, "no-such-branch")
    with pytest.raises(RevisionError, match="is not a git revision"):
        load_revision(project, "--output=/tmp/x")


def test_a_base_beyond_a_shallow_clone_says_to_fetch_the_history(repo, tmp_path):
    project = repo / "marketing" / "shop"
    edit(project / "segments" / "value.seg", "Free plan", "Free-plan")
    commit_all(repo, "second")
    clone = tmp_path / "clone"
    git(tmp_path, "clone", "-q", "--depth", "1", f"file://{repo}", str(clone))
    with pytest.raises(RevisionError, match="the clone is shallow: fetch the history first"):
        load_revision(clone / "marketing" / "shop", "HEAD~1")


def test_a_folder_outside_git_raises_a_value_error(tmp_path):
    shutil.copytree(EXAMPLE, tmp_path / "shop")
    with pytest.raises(RevisionError, match="not inside a git repository"):
        load_revision(tmp_path / "shop", "HEAD")


def test_a_base_with_errors_is_reported_without_crashing(repo):
    project = repo / "marketing" / "shop"
    value = project / "segments" / "value.seg"
    edit(value, 'plan = "free" and lifetime_value >= 500', 'plan = "free" and lifetime_valu >= 500')
    commit_all(repo, "broken")
    edit(value, 'plan = "free" and lifetime_valu >= 500', 'plan = "free" and lifetime_value >= 300')

    base, diagnostics, sources = load_revision(project, "HEAD")
    assert base is not None
    errors = [d for d in diagnostics if d.severity == "error"]
    assert len(errors) == 1 and "lifetime_valu" in errors[0].message
    assert errors[0].span.file == str(value) and errors[0].span.file in sources

    head = load_project(project)
    con = engine.open_samples(head)
    diff = diff_projects(base, head, "snowflake", head.config.samples.as_of, con=con,
                         base_label="HEAD", base_diagnostics=diagnostics)
    assert [(s.name, s.change) for s in diff.segments] == [("upsell_candidates", "changed")]
    change = diff.segments[0]
    assert "lifetime_valu >= 500" in change.definition_diff
    assert change.note and "has errors" in change.note
    assert change.members.before is None and change.members.after > 0
    assert diff.base_errors and "lifetime_valu" in diff.base_errors[0]
    for text in (render_text(diff), render_markdown(diff)):
        assert "has errors" in text and "lifetime_valu" in text
    json.loads(render_json(diff))


def test_a_base_whose_config_is_broken_gives_its_diagnostics(repo):
    project = repo / "marketing" / "shop"
    edit(project / "segdsl.toml", 'key = "customer_id"\n', 'key = 42\n')
    commit_all(repo, "broken config")
    shutil.copy(EXAMPLE / "segdsl.toml", project / "segdsl.toml")
    base, diagnostics, sources = load_revision(project, "HEAD")
    assert base is None
    assert diagnostics and diagnostics[0].span.file == str(project / "segdsl.toml")
    assert str(project / "segdsl.toml") in sources


def test_a_base_is_read_whatever_its_samples_say(repo):
    """The base runs on the head's data: its [samples], never used, cannot make it unusable
    (here an as_of with an offset, which segdsl once accepted and the head has fixed)."""
    project = repo / "marketing" / "shop"
    edit(project / "segdsl.toml", 'as_of = "2026-06-30T00:00:00"', 'as_of = "2026-06-30T00:00:00+02:00"')
    commit_all(repo, "an as_of with an offset")
    shutil.copy(EXAMPLE / "segdsl.toml", project / "segdsl.toml")
    base, diagnostics, _ = load_revision(project, "HEAD")
    assert diagnostics == [] and base is not None
    diff = diff_projects(base, load_project(project), "duckdb", None)
    assert diff.segments == [] and diff.unchanged == len(base.segments)


def test_symbolic_links_are_followed_as_in_the_working_tree(repo, tmp_path):
    """A link within the repository reads its target at the revision; one out of it has no
    history, so reads the file as it is now; one to nothing is C004."""
    project = repo / "marketing" / "shop"
    (repo / "shared").mkdir()
    (repo / "shared" / "in_repo.seg").write_text("segment linked_in: age > 40\n")
    outside = tmp_path / "outside.seg"
    outside.write_text("segment linked_out: age > 50\n")
    (project / "segments" / "in_repo.seg").symlink_to("../../../shared/in_repo.seg")
    (project / "segments" / "out.seg").symlink_to(outside)
    (project / "segments" / "nowhere.seg").symlink_to("missing.seg")
    commit_all(repo, "linked segments")
    (project / "segments" / "nowhere.seg").unlink()
    edit(repo / "shared" / "in_repo.seg", "age > 40", "age > 45")  # a change through the link

    base, diagnostics, _ = load_revision(project, "HEAD")
    assert [(d.code, d.message) for d in diagnostics] == [
        ("C004", f"cannot read {project / 'segments' / 'nowhere.seg'} at HEAD: a symbolic link to no file")]
    diff = diff_projects(base, load_project(project), "duckdb", None)
    assert [(s.name, s.change) for s in diff.segments] == [("linked_in", "changed")]


def test_a_missing_segment_folder_at_the_base(repo):
    project = repo / "marketing" / "shop"
    edit(project / "segdsl.toml", 'segments = ["segments"]', 'segments = ["segments", "more"]')
    commit_all(repo, "more")
    base, diagnostics, _ = load_revision(project, "HEAD")
    assert [d.code for d in diagnostics] == ["C003"]
    assert "'more' does not exist at HEAD" in diagnostics[0].message
    assert base is not None and "under_25" in base.program.segments


# --- diff_projects ---------------------------------------------------------------------


@pytest.fixture
def scenario(pull_request):
    repo, project = pull_request
    base, diagnostics, _ = load_revision(project, "HEAD")
    assert diagnostics == []
    head = load_project(project)
    as_of = head.config.samples.as_of
    con = engine.open_samples(head)
    diff = diff_projects(base, head, "snowflake", as_of, con=con, base_label="HEAD")
    return base, head, con, as_of, diff


def test_added_removed_and_changed_segments(scenario):
    base, head, _, _, diff = scenario
    found = {s.name: (s.change, s.kind, s.definition_changed, s.sql_changed) for s in diff.segments}
    assert found == {
        "big_basket_fans": ("added", "added", True, True),
        "under_25": ("removed", "removed", True, True),
        "upsell_candidates": ("changed", "definition", True, True),
        "shoe_enthusiasts": ("changed", "SQL only", False, True),
    }
    assert [s.name for s in diff.segments] == sorted(found)
    assert diff.unchanged == len(base.segments) - 3
    assert diff.counts() == {"added": 1, "removed": 1, "changed": 2, "unchanged": diff.unchanged}
    by_name = {s.name: s for s in diff.segments}
    assert by_name["shoe_enthusiasts"].via == ["shoe_orders_12m"]
    assert by_name["upsell_candidates"].via == []
    assert [(t.name, t.change) for t in diff.traits] == [("shoe_orders_12m", "changed")]


def test_definition_and_sql_diffs_hold_the_edited_lines(scenario):
    _, _, _, _, diff = scenario
    by_name = {s.name: s for s in diff.segments}
    upsell = by_name["upsell_candidates"]
    assert '-    plan = "free" and lifetime_value >= 500\n' in upsell.definition_diff
    assert '+    plan = "free" and lifetime_value >= 300\n' in upsell.definition_diff
    # the whole definition is shown, numbered as in the file
    assert ' segment upsell_candidates "Free plan' in upsell.definition_diff
    line = (EXAMPLE / "segments" / "value.seg").read_text().splitlines().index(
        'segment upsell_candidates "Free plan with a lifetime value of 500 or more":') + 1
    assert f"@@ -{line},2 +{line},2 @@" in upsell.definition_diff
    sql_minus = [ln for ln in upsell.sql_diff.splitlines() if ln.startswith("-") and not ln.startswith("---")]
    sql_plus = [ln for ln in upsell.sql_diff.splitlines() if ln.startswith("+") and not ln.startswith("+++")]
    assert any(">= 500" in ln for ln in sql_minus) and any(">= 300" in ln for ln in sql_plus)

    shoes = by_name["shoe_enthusiasts"]
    assert shoes.definition_diff == ""
    assert any("> 50" in ln for ln in shoes.sql_diff.splitlines() if ln.startswith("-"))
    assert any("> 80" in ln for ln in shoes.sql_diff.splitlines() if ln.startswith("+"))

    added = by_name["big_basket_fans"]
    assert added.definition_diff.startswith("--- /dev/null\n+++ b/")
    assert "+    avg_order_value > 120\n" in added.definition_diff
    assert added.file_before is None and added.file_after.endswith("baskets.seg")
    removed = by_name["under_25"]
    assert "-    age ..24\n" in removed.definition_diff and "+++ /dev/null" in removed.sql_diff
    trait = diff.traits[0]
    assert "-    count(purchase[category = \"shoes\" and amount > 50]" in trait.definition_diff


def test_membership_matches_running_both_statements(scenario):
    base, head, con, as_of, diff = scenario
    for change in diff.segments:
        before = keys(con, base.compile_segment(change.name, "duckdb", as_of)) if change.change != "added" else set()
        after = keys(con, head.compile_segment(change.name, "duckdb", as_of)) if change.change != "removed" else set()
        m = change.members
        assert m.error is None
        assert m.before == (len(before) if change.change != "added" else None)
        assert m.after == (len(after) if change.change != "removed" else None)
        assert (m.entered, m.left, m.unchanged) == (len(after - before), len(before - after), len(before & after))
        assert m.entered_sample == sorted(after - before)[:10]
        assert m.left_sample == sorted(before - after)[:10]
    by_name = {s.name: s.members for s in diff.segments}
    # lowering a threshold only lets members in; raising the trait's bar only lets them out
    assert by_name["upsell_candidates"].entered > 0 and by_name["upsell_candidates"].left == 0
    assert by_name["shoe_enthusiasts"].left > 0 and by_name["shoe_enthusiasts"].entered == 0


def test_data_that_does_not_fit_is_reported_per_segment(scenario):
    base, head, _, as_of, _ = scenario
    empty = engine.open_memory()  # none of the tables the segments read
    diff = diff_projects(base, head, "duckdb", as_of, con=empty)
    assert diff.segments and all(
        s.members.error.startswith("the data does not match segdsl.toml: Catalog Error: ")
        for s in diff.segments)


def test_sample_size_and_no_data(scenario):
    base, head, con, as_of, _ = scenario
    small = diff_projects(base, head, "duckdb", as_of, con=con, sample=2)
    assert all(len(s.members.entered_sample) <= 2 and len(s.members.left_sample) <= 2 for s in small.segments)
    bare = diff_projects(base, head, "duckdb", as_of)
    assert not bare.has_data and all(s.members is None for s in bare.segments)
    assert "| segment | change |\n| --- | --- |" in render_markdown(bare)
    assert "entered" not in render_text(bare)


def test_nothing_changed(repo):
    project = repo / "marketing" / "shop"
    base, _, _ = load_revision(project, "HEAD")
    head = load_project(project)
    diff = diff_projects(base, head, "bigquery", None)
    assert diff.segments == [] and diff.traits == [] and diff.unchanged == len(head.segments)
    assert "No segment changed." in render_markdown(diff)


def test_a_description_edit_is_a_text_only_change(repo):
    project = repo / "marketing" / "shop"
    edit(project / "segments" / "value.seg", "Free plan with a lifetime value", "Free-plan customers with a lifetime value")
    base, _, _ = load_revision(project, "HEAD")
    diff = diff_projects(base, load_project(project), "duckdb", None)
    assert [(s.name, s.kind, s.sql_diff) for s in diff.segments] == [("upsell_candidates", "text only", "")]


def test_a_segment_that_becomes_a_trait_is_removed_as_one_and_added_as_the_other(repo):
    project = repo / "marketing" / "shop"
    edit(project / "segments" / "demographic.seg",
         'segment under_25 "Customers aged 24 or younger (Gen Z creative)":\n    age ..24',
         'trait under_25 = age <= 24')
    base, _, _ = load_revision(project, "HEAD")
    diff = diff_projects(base, load_project(project), "duckdb", None)
    [removed] = [s for s in diff.segments if s.name == "under_25"]
    assert removed.change == "removed"
    assert removed.definition_diff.split("\n")[1] == "+++ /dev/null"
    [trait] = [t for t in diff.traits if t.name == "under_25"]
    assert trait.change == "added" and trait.definition_diff.startswith("--- /dev/null\n+++ b/")


# --- rendering -------------------------------------------------------------------------


def test_markdown_has_the_summary_table_and_collapsible_diffs(scenario):
    _, _, _, _, diff = scenario
    md = render_markdown(diff)
    assert "| segment | change | members before → after | entered | left |" in md
    m = {s.name: s.members for s in diff.segments}
    u = m["upsell_candidates"]
    assert (f"| `upsell_candidates` | definition changed | {u.before} → {u.after} | +{u.entered} | −{u.left} |"
            in md)
    assert f"| `big_basket_fans` | added | – → {m['big_basket_fans'].after} |" in md
    assert f"| `under_25` | removed | {m['under_25'].before} → – |" in md
    assert "| `shoe_enthusiasts` | SQL only, via shoe_orders_12m |" in md
    assert md.count("<details>") == len(diff.segments) + len(diff.traits)
    assert md.count("<details>") == md.count("</details>")
    assert "```diff\n" in md and '+    plan = "free" and lifetime_value >= 300' in md
    # a long diff drops the SQL first, keeping the table
    short = render_markdown(diff, max_chars=len(md) - 1)
    assert "SQL diffs left out" in short and "| `under_25` |" in short and "SQL (snowflake)" not in short
    table = render_markdown(diff, max_chars=len(short) - 1)
    assert "<details>" not in table and "| `under_25` |" in table and len(table) < len(short)
    # then rows, last first, for GitHub's limit on a comment's length
    cut = render_markdown(diff, max_chars=len(table) - 1)
    assert len(cut) <= len(table) - 1 and "rows left out" in cut
    kept = re.findall(r"^\| `(\w+)` \|", cut, re.M)
    assert kept == [s.name for s in diff.segments][:len(kept)] and len(kept) < len(diff.segments)
    assert f"| … and {len(diff.segments) - len(kept)} more | | | | |" in cut


def test_text_rendering(scenario):
    _, _, _, _, diff = scenario
    text = render_text(diff)
    assert text.startswith("segdsl diff: HEAD → working tree\n1 added, 1 removed, 2 changed,")
    assert "=== shoe_enthusiasts: SQL only, via shoe_orders_12m ===" in text
    assert "--- SQL (snowflake)" in text and "entered:" in text and "left:" in text


def test_json_parses_and_is_deterministic(scenario):
    base, head, con, as_of, diff = scenario
    text = render_json(diff)
    data = json.loads(text)
    assert data["counts"] == diff.counts()
    assert data["as_of"] == as_of.isoformat() and data["dialect"] == "snowflake"
    assert [s["name"] for s in data["segments"]] == [s.name for s in diff.segments]
    shoes = next(s for s in data["segments"] if s["name"] == "shoe_enthusiasts")
    assert shoes["kind"] == "SQL only" and shoes["via"] == ["shoe_orders_12m"]
    assert shoes["members"]["left"] == diff.segments[[s.name for s in diff.segments].index("shoe_enthusiasts")].members.left
    again = diff_projects(base, head, "snowflake", as_of, con=con, base_label="HEAD")
    assert render_json(again) == text
    assert json.dumps(data, sort_keys=True, indent=2, ensure_ascii=False) + "\n" == text


def test_diff_command_end_to_end(tmp_path):
    """`segdsl diff` as a reviewer runs it: JSON, markdown, and a bad --base."""
    import json as _json
    import shutil as _shutil
    import subprocess as _subprocess

    from click.testing import CliRunner

    from conftest import EXAMPLE
    from segdsl.cli import main

    shop = tmp_path / "shop"
    _shutil.copytree(EXAMPLE, shop)
    git = ["git", "-c", "user.name=t", "-c", "user.email=t@example.com"]
    _subprocess.run(["git", "init", "-q"], cwd=tmp_path, check=True)
    _subprocess.run(["git", "add", "-A"], cwd=tmp_path, check=True)
    _subprocess.run([*git, "commit", "-qm", "base"], cwd=tmp_path, check=True)
    value = shop / "segments" / "value.seg"
    value.write_text(value.read_text().replace("lifetime_value >= 500", "lifetime_value >= 300"))

    result = CliRunner().invoke(main, ["diff", str(shop), "--format", "json"])
    assert result.exit_code == 0, result.output
    report = _json.loads(result.stdout)
    assert _json.dumps(report, sort_keys=True)  # plain JSON
    changed = [s for s in report["segments"] if s["name"] == "upsell_candidates"]
    assert len(changed) == 1 and len(report["segments"]) == 1
    markdown = CliRunner().invoke(main, ["diff", str(shop), "--format", "markdown"])
    assert "| `upsell_candidates` | definition changed |" in markdown.stdout
    bad = CliRunner().invoke(main, ["diff", str(shop), "--base", "no-such-rev"])
    assert bad.exit_code == 2 and "is not a commit" in bad.output

    # [samples] with an as-of but no tables: there is no data, so definitions and SQL only
    config = shop / "segdsl.toml"
    text = config.read_text()
    config.write_text(text[: text.index("[samples.tables]")])
    bare = CliRunner().invoke(main, ["diff", str(shop), "--format", "json"])
    assert bare.exit_code == 0, bare.output
    assert [s["members"] for s in _json.loads(bare.stdout)["segments"]] == [None]


def test_cli_says_why_a_base_gives_nothing_to_compare_with(repo):
    from click.testing import CliRunner

    from segdsl.cli import main

    project = repo / "marketing" / "shop"
    moved = repo / "marketing" / "new_shop"
    shutil.copytree(project, moved)  # a project not yet committed
    result = CliRunner().invoke(main, ["diff", str(moved), "--no-data"])
    assert result.exit_code == 0, result.output
    assert f"note: the project at HEAD cannot be read (there is no segdsl.toml in {moved} there)" in result.stderr

    edit(project / "segdsl.toml", 'key = "customer_id"\n', 'key = 42\n')
    commit_all(repo, "broken config")
    shutil.copy(EXAMPLE / "segdsl.toml", project / "segdsl.toml")
    result = CliRunner().invoke(main, ["diff", str(project), "--no-data"])
    assert "note: the project at HEAD cannot be read (its segdsl.toml has errors)" in result.stderr


def test_gits_reason_is_its_fatal_line_and_the_command_it_suggests():
    from segdsl.diff import _git_error

    stderr = (b"fatal: detected dubious ownership in repository at '/w'\n"
              b"To add an exception for this directory, call:\n\n\tgit config --global --add safe.directory /w\n")
    result = subprocess.CompletedProcess([], 128, b"", stderr)
    assert _git_error(result) == ("detected dubious ownership in repository at '/w'; "
                                  "git suggests: git config --global --add safe.directory /w")
    assert _git_error(subprocess.CompletedProcess([], 1, b"", b"")) == "git exited with status 1"
