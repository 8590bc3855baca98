"""Error messages are tested as snapshots of what the user sees (ENGINEERING.md §9).

Each case is a small broken project built in a temp folder:

* `tests/errors/NAME.seg` becomes `segments/NAME.seg` next to the shared
  `tests/errors/segdsl.toml`. A line `## file: OTHER.seg` starts a second file
  `segments/OTHER.seg` (for problems that need two files).
* `tests/errors/NAME.toml` replaces `segdsl.toml` (broken configs); the segment folder
  then holds one valid segment.

The check runs from inside the temp project folder, so file names print as they do for
a user (`segments/x.seg:3:5`), and the rendered diagnostics are compared with
`tests/snapshots/errors/NAME.txt`. Set SEGDSL_UPDATE_SNAPSHOTS=1 to rewrite snapshots.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest
from click.testing import CliRunner

import segdsl
from segdsl.cli import main
from segdsl.diagnostics import render_all

HERE = Path(__file__).resolve().parent
CASES = HERE / "errors"
SNAPSHOTS = HERE / "snapshots" / "errors"
SHARED_CONFIG = CASES / "segdsl.toml"
UPDATE = os.environ.get("SEGDSL_UPDATE_SNAPSHOTS") == "1"
VALID_SEGMENT = "segment adults:\n    age >= 18\n"

_FILE_MARK = re.compile(r"^## file: (\S+)\n", re.MULTILINE)


def _case_names() -> list[str]:
    names = {p.stem for p in CASES.glob("*.seg")}
    names |= {p.stem for p in CASES.glob("*.toml") if p != SHARED_CONFIG}
    return sorted(names)


def build_project(case: str, root: Path) -> Path:
    """Write case `case` as a project folder under `root`; return the folder."""
    project = root / "project"
    segments = project / "segments"
    segments.mkdir(parents=True)
    toml = CASES / f"{case}.toml"
    project.joinpath("segdsl.toml").write_text((toml if toml.exists() else SHARED_CONFIG).read_text("utf-8"), "utf-8")
    seg = CASES / f"{case}.seg"
    if seg.exists():
        text = seg.read_text("utf-8")
        parts = _FILE_MARK.split(text)
        segments.joinpath(f"{case}.seg").write_text(parts[0], "utf-8")
        for name, body in zip(parts[1::2], parts[2::2]):
            segments.joinpath(name).write_text(body, "utf-8")
    else:
        segments.joinpath("ok.seg").write_text(VALID_SEGMENT, "utf-8")
    return project


def render_case(case: str, tmp_path: Path, monkeypatch) -> str:
    project = build_project(case, tmp_path)
    monkeypatch.chdir(project)
    _, diagnostics, sources = segdsl.check_project(".")
    return render_all(diagnostics, sources) + "\n"


def check_snapshot(case: str, actual: str) -> None:
    path = SNAPSHOTS / f"{case}.txt"
    if UPDATE:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(actual, "utf-8")
        return
    assert path.exists(), f"no snapshot {path.relative_to(HERE.parent)}; run with SEGDSL_UPDATE_SNAPSHOTS=1"
    assert actual == path.read_text("utf-8")


@pytest.mark.parametrize("case", _case_names())
def test_diagnostic_snapshot(case, tmp_path, monkeypatch):
    actual = render_case(case, tmp_path, monkeypatch)
    assert "error[" in actual, f"case {case} produced no error:\n{actual}"
    check_snapshot(case, actual)


@pytest.mark.parametrize("case", _case_names())
def test_cli_check_reports_the_same(case, tmp_path, monkeypatch):
    """`segdsl check` prints exactly these diagnostics on stderr and exits 1."""
    expected = render_case(case, tmp_path, monkeypatch)
    result = CliRunner().invoke(main, ["check"])
    assert result.exit_code == 1, result.output
    assert "Traceback" not in result.output
    assert result.stdout == ""
    assert result.stderr.startswith(expected.rstrip("\n") + "\n\n")
    assert re.search(r"\d+ errors? found\n\Z", result.stderr)


def test_every_snapshot_has_a_case():
    cases = set(_case_names())
    orphans = sorted(p.stem for p in SNAPSHOTS.glob("*.txt") if p.stem not in cases)
    assert not orphans, f"snapshots without a case: {orphans}"


def test_shared_config_is_valid(tmp_path, monkeypatch):
    project = tmp_path / "project"
    (project / "segments").mkdir(parents=True)
    (project / "segdsl.toml").write_text(SHARED_CONFIG.read_text("utf-8"), "utf-8")
    (project / "segments" / "ok.seg").write_text(
        VALID_SEGMENT
        + 'segment shoppers:\n    did purchase[category = "shoes"] and did add_to_cart[value > 5] in last 7 days\n',
        "utf-8",
    )
    monkeypatch.chdir(project)
    _, diagnostics, _ = segdsl.check_project(".")
    assert diagnostics == []


# --- properties every diagnostic must have, beyond its snapshot --------------------------


def _diagnostics(case, tmp_path, monkeypatch):
    project = build_project(case, tmp_path)
    monkeypatch.chdir(project)
    _, diagnostics, sources = segdsl.check_project(".")
    return diagnostics, sources


@pytest.mark.parametrize("case", sorted(p.stem for p in CASES.glob("*.seg")))
def test_seg_diagnostics_point_into_the_file(case, tmp_path, monkeypatch):
    """Every error in a .seg case names a file and a position that exists in it."""
    diagnostics, sources = _diagnostics(case, tmp_path, monkeypatch)
    assert diagnostics
    for d in diagnostics:
        assert d.span is not None, d
        text = sources[d.span.file]
        lines = text.splitlines()
        assert 1 <= d.span.line <= len(lines), d
        assert 1 <= d.span.col <= len(lines[d.span.line - 1]) + 1, d
        assert not Path(d.span.file).is_absolute(), d


def test_several_errors_come_from_different_definitions(tmp_path, monkeypatch):
    diagnostics, _ = _diagnostics("several_errors", tmp_path, monkeypatch)
    lines = sorted(d.span.line for d in diagnostics)
    assert lines == [2, 5, 8, 10], [(d.span.line, d.message) for d in diagnostics]


def test_duplicate_in_two_files_names_both(tmp_path, monkeypatch):
    diagnostics, _ = _diagnostics("duplicate_two_files", tmp_path, monkeypatch)
    (d,) = diagnostics
    files = {d.span.file} | set(re.findall(r"segments/\S+?\.seg", " ".join(d.hints)))
    assert files == {"segments/duplicate_two_files.seg", "segments/more.seg"}


def test_reserved_words_are_exactly_the_grammars_keyword_terminals():
    """parse.keywords() reads the grammar text; the error messages read the built parser's
    terminals: a keyword declared without a priority must still be reserved."""
    from segdsl import parse

    terminals = {t.name[1:].lower() for t in parse.parser().terminals if parse._KEYWORD_TERMINAL.fullmatch(t.name)}
    assert parse.keywords() == terminals



def test_a_regex_past_pythons_parser_is_t007_not_a_crash():
    """Python's re raises OverflowError and RecursionError, not re.error, for these."""
    config = (HERE / "errors" / "segdsl.toml").read_text("utf-8")
    for pattern in ("a{99999999999}", "(" * 1000 + ")" * 1000):
        with pytest.raises(segdsl.SegdslError) as err:
            segdsl.project_from_sources(config, {"a.seg": f'segment a: email matches "{pattern}"\n'})
        assert [(d.code, d.span.line, d.span.col) for d in err.value.diagnostics] == [("T007", 1, 26)]


@pytest.mark.parametrize("pattern, code", [
    # what some engine lacks or reads otherwise
    ("^(?=a)", "T007"), ("(?<!a)b", "T007"), ("(a)\\\\1", "T007"), ("(a)?(?(1)b|c)", "T007"),
    ("(?>a)", "T007"), ("a*+", "T007"), ("(?P<x>a)", "T007"), ("a\\\\Z", "T007"), ("\\\\bsale", "T007"),
    ("x\\\\By", "T007"), ("0{,2}7", "T007"), ("[a]{,2}", "T007"), ("a+?b", "T007"), ("a{1,3}?", "T007"),
    ("x(?#c)y", "T007"), ("(?x) x", "T007"), ("(?u)a", "T007"), ("(?i:a)b", "T007"), ("\\\\u00e9", "T007"),
    ("[\\\\b]", "T007"), ("[[:alpha:]]", "T007"),
    # what every engine reads alike
    ("^\\\\d{3}-\\\\w+$", None), ("(?i)^us$", None), ("\\\\Aab", None), ("a{0,2}", None), ("[{,]", None),
    ("a\\\\{,2}", None), ("(a|b)+", None), ("(?:ab)*", None),
    ("\\\\\\\\[{,]", None), ("[]{,]", None), ("[^]x]", None),
])
def test_regexes_every_engine_reads_alike(pattern, code):
    config = (HERE / "errors" / "segdsl.toml").read_text("utf-8")
    source = f'segment a: email matches "{pattern}"\n'
    if code is None:
        segdsl.project_from_sources(config, {"a.seg": source})
    else:
        with pytest.raises(segdsl.SegdslError) as err:
            segdsl.project_from_sources(config, {"a.seg": source})
        assert [d.code for d in err.value.diagnostics] == [code]
