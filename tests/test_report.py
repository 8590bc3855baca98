"""Diagnostic output formats: what CI tools read (JSON, GitHub annotations, SARIF)."""

import json

from click.testing import CliRunner

from segdsl.cli import main
from segdsl.diagnostics import Diagnostic, Span
from segdsl.report import render

DIAGS = [
    Diagnostic("N001", "unknown name 'countyr'", Span("segments/a.seg", 3, 22, 3, 29), ("did you mean 'country'?",)),
    Diagnostic("L003", "100%, done: a,b", Span("segments/b.seg", 1, 1, 1, 5), (), "warning"),
    Diagnostic("C002", "no segdsl.toml in /tmp", None),
]


def test_json_lists_every_field():
    items = json.loads(render(DIAGS, {}, "json"))
    assert items[0] == {
        "code": "N001", "severity": "error", "message": "unknown name 'countyr'", "file": "segments/a.seg",
        "line": 3, "column": 22, "end_line": 3, "end_column": 29, "hints": ["did you mean 'country'?"],
    }
    assert items[1]["severity"] == "warning"
    assert "file" not in items[2]


def test_github_annotations_escape_their_syntax():
    lines = render(DIAGS, {}, "github").splitlines()
    assert lines[0] == (
        "::error file=segments/a.seg,line=3,col=22,endLine=3,endColumn=29,title=segdsl N001"
        "::unknown name 'countyr'%0Adid you mean 'country'?"
    )
    # % in data, and : , in properties, would end the field early
    assert lines[1].startswith("::warning file=segments/b.seg,") and lines[1].endswith("::100%25, done: a,b")
    assert lines[2] == "::error title=segdsl C002::no segdsl.toml in /tmp"


def test_sarif_is_2_1_0_with_rules_and_regions():
    log = json.loads(render(DIAGS, {}, "sarif"))
    assert log["version"] == "2.1.0"
    run = log["runs"][0]
    assert [r["id"] for r in run["tool"]["driver"]["rules"]] == ["C002", "L003", "N001"]
    first = run["results"][0]
    assert first["ruleId"] == "N001" and first["level"] == "error"
    assert run["tool"]["driver"]["rules"][first["ruleIndex"]]["id"] == "N001"
    region = first["locations"][0]["physicalLocation"]["region"]
    assert region == {"startLine": 3, "startColumn": 22, "endLine": 3, "endColumn": 29}
    assert run["results"][1]["level"] == "warning"
    assert "locations" not in run["results"][2]


def test_check_prints_machine_formats_on_stdout(tmp_path):
    (tmp_path / "segdsl.toml").write_text('[entity]\ntable = "c"\nkey = "id"\n[entity.columns]\nage = "int"\n')
    (tmp_path / "a.seg").write_text("segment a: agee > 3\n")
    result = CliRunner().invoke(main, ["check", str(tmp_path), "--format", "json"])
    assert result.exit_code == 1
    [item] = json.loads(result.stdout)
    assert item["code"] == "N001" and item["line"] == 1 and item["hints"] == ["did you mean 'age'?"]
    (tmp_path / "a.seg").write_text("segment a: age > 3\n")
    ok = CliRunner().invoke(main, ["check", str(tmp_path), "--format", "sarif"])
    assert ok.exit_code == 0 and json.loads(ok.stdout)["runs"][0]["results"] == []
