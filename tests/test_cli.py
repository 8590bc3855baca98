"""The `segdsl` command line (LANGUAGE.md §6): help, exit codes, compile, preview, robustness.

Exit codes: 0 success, 1 problems in the user's files or data, 2 usage errors.
Most tests drive the click command in-process with CliRunner; a few run the installed
`segdsl` console script in a subprocess from a temp folder, the way a user does.
"""

from __future__ import annotations

import hashlib
import os
import random
import re
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest
from click.testing import CliRunner

import segdsl
from segdsl.cli import main

from conftest import twin_chains

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE = ROOT / "examples" / "shop"
ERRORS_CONFIG = Path(__file__).resolve().parent / "errors" / "segdsl.toml"
AS_OF = "2026-06-30T00:00:00"  # the example's [samples] as_of


def run(*args, cwd: Path | None = None):
    """Invoke the CLI in-process; returns click's Result (stdout and stderr kept apart)."""
    runner = CliRunner()
    if cwd is None:
        return runner.invoke(main, [str(a) for a in args], prog_name="segdsl")
    old = os.getcwd()
    os.chdir(cwd)
    try:
        return runner.invoke(main, [str(a) for a in args], prog_name="segdsl")
    finally:
        os.chdir(old)


def no_crash(result) -> None:
    """A run that ended by itself: no Python exception escaped, no traceback printed."""
    assert "Traceback" not in result.output
    assert result.exception is None or isinstance(result.exception, SystemExit), repr(result.exception)


@pytest.fixture(scope="module")
def example_segments() -> list[str]:
    return segdsl.load_project(EXAMPLE).segments


def new_project(folder: Path, segments: str | None = None, key: str = "customer_id") -> Path:
    """A project in `folder` on tests/errors' config (entity key renamed to `key`), with
    `segments` as segments/a.seg when given."""
    config = ERRORS_CONFIG.read_text("utf-8").replace('key = "customer_id"', f'key = "{key}"', 1)
    (folder / "segments").mkdir(parents=True)
    (folder / "segdsl.toml").write_text(config, "utf-8")
    if segments is not None:
        (folder / "segments" / "a.seg").write_text(segments, "utf-8")
    return folder


@pytest.fixture
def shop(tmp_path) -> Path:
    """A copy of the example project (segments and sample data)."""
    dest = tmp_path / "shop"
    shutil.copytree(EXAMPLE, dest, ignore=shutil.ignore_patterns("__pycache__"))
    return dest


# --- help ---------------------------------------------------------------------------------

COMMANDS = [[], ["check"], ["compile"], ["preview"], ["debug"], ["debug", "parse"], ["debug", "ir"], ["debug", "sql"]]


@pytest.mark.parametrize("command", COMMANDS, ids=lambda c: " ".join(c) or "segdsl")
@pytest.mark.parametrize("flag", ["--help", "-h"])
def test_help(command, flag):
    result = run(*command, flag)
    no_crash(result)
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith("Usage: segdsl")
    assert " ".join(["segdsl", *command]) in result.stdout.splitlines()[0]


def test_python_dash_m_runs_the_command():
    result = subprocess.run([sys.executable, "-m", "segdsl", "check", str(EXAMPLE)],
                            capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("ok: ")


def test_top_level_help_lists_every_command():
    out = run("--help").stdout
    for name in ("check", "compile", "preview", "debug"):
        assert re.search(rf"^\s+{name}\s", out, re.MULTILINE), name


def test_debug_help_lists_its_stages():
    out = run("debug", "--help").stdout
    for name in ("parse", "ir", "sql"):
        assert re.search(rf"^\s+{name}\s", out, re.MULTILINE), name


def test_version():
    result = run("--version")
    assert result.exit_code == 0
    assert "segdsl" in result.stdout


# --- exit codes -----------------------------------------------------------------------------


def test_check_example_ok():
    result = run("check", EXAMPLE)
    assert result.exit_code == 0, result.output
    assert re.fullmatch(r"ok: \d+ segments and \d+ traits in \d+ files\n", result.stdout)


def test_check_counts_in_words_that_agree(small_project):
    (small_project / "segments" / "one.seg").write_text("segment adults: age >= 18\n")
    result = run("check", small_project)
    assert result.stdout == "ok: 1 segment and 0 traits in 1 file\n", result.output


def test_check_uses_the_current_folder(shop):
    result = run("check", cwd=shop)
    assert result.exit_code == 0, result.output


def test_check_errors_exit_1(shop):
    (shop / "segments" / "broken.seg").write_text("segment broken:\n    agee > 3\n", "utf-8")
    result = run("check", cwd=shop)
    no_crash(result)
    assert result.exit_code == 1
    assert result.stdout == ""
    assert "segments/broken.seg:2:5: error[N001]: unknown name 'agee'" in result.stderr
    assert "did you mean 'age'?" in result.stderr
    assert result.stderr.rstrip().endswith("1 error found")


def test_a_command_pauses_the_garbage_collector_and_gives_it_back(shop, monkeypatch):
    import gc

    from segdsl import api

    seen = []
    real = api.check_project
    monkeypatch.setattr(api, "check_project", lambda path: seen.append(gc.isenabled()) or real(path))
    assert gc.isenabled()
    assert run("check", cwd=shop).exit_code == 0
    (shop / "segments" / "broken.seg").write_text("segment broken: agee > 3\n", "utf-8")
    assert run("check", cwd=shop).exit_code == 1
    assert seen == [False, False]
    assert gc.isenabled()  # after a success and after an error exit alike


def test_a_missing_segment_folder_points_at_the_setting(shop):
    config = shop / "segdsl.toml"
    config.write_text(config.read_text("utf-8").replace('segments = ["segments"]', 'segments = ["segments", "gone"]'),
                      "utf-8")
    lines = config.read_text("utf-8").split("\n")
    line = next(i for i, text in enumerate(lines, 1) if text.startswith('segments = ["segments", "gone"]'))
    result = run("check", cwd=shop)
    no_crash(result)
    assert result.exit_code == 1
    assert f"segdsl.toml:{line}:1: error[C003]: segment folder 'gone' does not exist" in result.stderr
    assert f' {line} | segments = ["segments", "gone"]' in result.stderr


def test_errors_in_user_files_exit_1_for_every_command(shop):
    (shop / "segments" / "broken.seg").write_text("segment broken:\n    agee > 3\n", "utf-8")
    for args in (["check"], ["compile"], ["preview", "top_spenders"], ["debug", "ir", "top_spenders"],
                 ["debug", "sql", "top_spenders"]):
        result = run(*args, cwd=shop)
        no_crash(result)
        assert result.exit_code == 1, (args, result.output)
        assert "unknown name 'agee'" in result.stderr, args


def test_folder_without_config_exits_1(tmp_path):
    result = run("check", tmp_path)
    no_crash(result)
    assert result.exit_code == 1
    assert "no segdsl.toml" in result.stderr


@pytest.mark.parametrize(
    "args, message",
    [
        (["compile", EXAMPLE, "--dialect", "snowflak"], "'snowflak' is not one of"),
        (["compile", EXAMPLE, "--segment", "top_spender"], "no segment named 'top_spender'. did you mean 'top_spenders'?"),
        (["compile", EXAMPLE, "--as-of", "yesterday"], "'yesterday' is not a timestamp"),
        (["compile", EXAMPLE, "--as-of", "2026-02-30T00:00:00"], "is not a timestamp"),
        (["compile", EXAMPLE, "--as-of", "2026-01-01T00:00:00+02:00"], "has no time zone"),
        (["compile", EXAMPLE, "--as-of", "2026-01-01T00:00:00Z"], "has no time zone"),
        (["compile", EXAMPLE, "--as-of", "2026-01-01T00:00:00.5"], "to the second"),
        (["preview", "top_spender", EXAMPLE], "no segment named 'top_spender'"),
        (["preview", "top_spenders", EXAMPLE, "--as-of", "soon"], "is not a timestamp"),
        (["preview", "top_spenders", EXAMPLE, "--limit", "-1"], "--limit"),
        (["preview", "top_spenders", EXAMPLE, "--limit", "99999999999999999999"], "--limit"),
        (["debug", "ir", "nope", EXAMPLE], "no segment or trait named 'nope'"),
        (["debug", "sql", "ltv_12m", EXAMPLE], "no segment named 'ltv_12m'"),
        (["debug", "parse", "does/not/exist.seg"], "does not exist"),
        (["preview"], "Missing argument 'NAME'"),
        (["frobnicate"], "No such command"),
        (["compile", EXAMPLE, "--no-such-option"], "No such option"),
    ],
    ids=lambda v: v if isinstance(v, str) else None,
)
def test_usage_errors_exit_2(args, message):
    result = run(*args)
    no_crash(result)
    assert result.exit_code == 2, result.output
    assert message in result.stderr
    assert result.stdout == ""


def test_bad_as_of_says_how_to_write_it():
    result = run("compile", EXAMPLE, "--as-of", "yesterday")
    assert "2026-01-01T00:00:00" in result.stderr


# --- compile ---------------------------------------------------------------------------------


def _headers(sql: str) -> list[str]:
    return re.findall(r"^-- (\S+)$", sql, re.MULTILINE)


def test_compile_prints_every_segment_with_a_header(example_segments):
    result = run("compile", EXAMPLE, "--as-of", AS_OF)
    assert result.exit_code == 0, result.output
    assert _headers(result.stdout) == example_segments
    # one statement per segment, each ended by `;`
    for block in result.stdout.strip().split("\n\n-- "):
        assert block.rstrip().endswith(";")
        assert block.count("SELECT") >= 1


def test_compile_only_the_named_segments():
    result = run("compile", EXAMPLE, "--segment", "top_spenders", "-s", "new_signups", "--as-of", AS_OF)
    assert result.exit_code == 0, result.output
    assert _headers(result.stdout) == ["top_spenders", "new_signups"]


def test_compile_matches_the_api(example_segments):
    project = segdsl.load_project(EXAMPLE)
    import datetime as dt

    as_of = dt.datetime.fromisoformat(AS_OF)
    result = run("compile", EXAMPLE, "-s", "top_spenders", "--dialect", "postgres", "--as-of", AS_OF)
    expected = "-- top_spenders\n" + project.compile_segment("top_spenders", "postgres", as_of) + ";\n"
    assert result.stdout == expected


@pytest.mark.parametrize("shape", ["long", "wide"])
def test_compile_together_prints_the_apis_one_statement(tmp_path, shape):
    import datetime as dt

    expected = segdsl.load_project(EXAMPLE).compile_many(
        None, "snowflake", dt.datetime.fromisoformat(AS_OF), shape) + ";\n"
    result = run("compile", EXAMPLE, "--together", "--shape", shape, "--dialect", "snowflake", "--as-of", AS_OF)
    assert result.exit_code == 0, result.output
    assert result.stdout == expected
    out = tmp_path / "sql"
    result = run("compile", EXAMPLE, "--together", "--shape", shape, "--dialect", "snowflake", "--as-of", AS_OF, "--out", out)
    assert result.exit_code == 0, result.output
    assert (out / "segments.sql").read_text("utf-8") == expected


@pytest.mark.parametrize("together", [[], ["--together"]])
def test_compile_out_that_cannot_be_a_folder_is_a_usage_error(tmp_path, together):
    (tmp_path / "afile").write_text("", "utf-8")
    result = run("compile", EXAMPLE, *together, "--out", tmp_path / "afile" / "sub")
    no_crash(result)
    assert result.exit_code == 2 and "cannot write" in result.stderr and "--out" in result.stderr


def test_compile_out_empty_is_refused_not_the_current_folder(tmp_path):
    result = run("compile", EXAMPLE, "--out", "", cwd=tmp_path)
    assert result.exit_code == 2 and "is empty" in result.stderr
    assert list(tmp_path.iterdir()) == []


def test_compile_out_with_a_folder_in_the_way_writes_nothing(tmp_path):
    out = tmp_path / "sql"
    (out / "top_spenders.sql").mkdir(parents=True)
    result = run("compile", EXAMPLE, "--out", out)
    no_crash(result)
    assert result.exit_code == 2 and f"cannot write '{out / 'top_spenders.sql'}': not a file" in result.stderr
    assert [p.name for p in out.iterdir()] == ["top_spenders.sql"]


def test_compile_together_names_what_it_cannot_compile(tmp_path):
    empty = run("compile", new_project(tmp_path / "empty", "# none yet\n"), "--together")
    no_crash(empty)
    assert empty.exit_code == 2 and "defines no segments" in empty.stderr
    clash = new_project(tmp_path / "clash", "segment id: age >= 30\n", key="id")
    wide = run("compile", clash, "--together", "--shape", "wide")
    no_crash(wide)
    assert wide.exit_code == 1 and "error[N006]" in wide.stderr and "a.seg:1:9" in wide.stderr
    long = run("compile", clash, "--together")
    assert long.exit_code == 0, long.output


def test_compile_out_writes_one_file_per_segment(tmp_path, example_segments):
    out = tmp_path / "sql" / "nested"
    result = run("compile", EXAMPLE, "--out", out, "--as-of", AS_OF)
    assert result.exit_code == 0, result.output
    assert result.stdout == ""
    assert sorted(p.name for p in out.iterdir()) == sorted(f"{n}.sql" for n in example_segments)
    printed = run("compile", EXAMPLE, "--as-of", AS_OF).stdout
    for name in example_segments:
        text = (out / f"{name}.sql").read_text("utf-8")
        assert text.endswith(";\n")
        assert f"-- {name}\n{text}" in printed


def test_compile_out_with_named_segments(tmp_path):
    out = tmp_path / "sql"
    result = run("compile", EXAMPLE, "--out", out, "-s", "top_spenders")
    assert result.exit_code == 0, result.output
    assert [p.name for p in out.iterdir()] == ["top_spenders.sql"]


@pytest.mark.parametrize("dialect", ["snowflake", "duckdb", "postgres", "bigquery"])
def test_as_of_literal_is_written_into_the_sql(dialect):
    fixed = run("compile", EXAMPLE, "-s", "new_signups", "--dialect", dialect, "--as-of", "2026-01-02T03:04:05")
    assert fixed.exit_code == 0, fixed.output
    assert "2026-01-02 03:04:05" in fixed.stdout or "2026-01-02T03:04:05" in fixed.stdout
    assert "CURRENT_" not in fixed.stdout.upper()

    now = run("compile", EXAMPLE, "-s", "new_signups", "--dialect", dialect)
    assert now.exit_code == 0, now.output
    assert "2026-01-02" not in now.stdout
    assert re.search(r"CURRENT_TIMESTAMP|CURRENT_DATETIME|NOW\(\)|GETDATE\(\)", now.stdout, re.IGNORECASE), now.stdout


def test_as_of_accepts_a_date():
    result = run("compile", EXAMPLE, "-s", "new_signups", "--as-of", "2026-01-02")
    assert result.exit_code == 0, result.output
    assert "2026-01-02 00:00:00" in result.stdout


def test_compile_default_dialect_comes_from_the_config():
    default = run("compile", EXAMPLE, "-s", "top_spenders", "--as-of", AS_OF).stdout
    snowflake = run("compile", EXAMPLE, "-s", "top_spenders", "--as-of", AS_OF, "--dialect", "snowflake").stdout
    duckdb = run("compile", EXAMPLE, "-s", "top_spenders", "--as-of", AS_OF, "--dialect", "duckdb").stdout
    assert default == snowflake
    assert default != duckdb


SEGDSL = shutil.which("segdsl")


@pytest.mark.skipif(SEGDSL is None, reason="the segdsl console script is not installed")
def test_compiled_sql_is_byte_identical_across_processes(shop):
    """Two separate processes (different hash seeds) print the very same bytes."""
    outputs = []
    for seed in ("1", "2"):
        env = {**os.environ, "PYTHONHASHSEED": seed}
        proc = subprocess.run([SEGDSL, "compile", "--as-of", AS_OF], cwd=shop, env=env,
                              capture_output=True, timeout=120)
        assert proc.returncode == 0, proc.stderr.decode()
        outputs.append(proc.stdout)
    assert outputs[0] == outputs[1]
    assert outputs[0].count(b"\n-- ") + 1 == len(segdsl.load_project(shop).segments)


def test_compiled_sql_is_byte_identical_across_runs():
    first = run("compile", EXAMPLE, "--dialect", "duckdb")
    second = run("compile", EXAMPLE, "--dialect", "duckdb")
    assert first.exit_code == 0
    assert first.stdout_bytes == second.stdout_bytes


@pytest.mark.skipif(SEGDSL is None, reason="the segdsl console script is not installed")
def test_console_script_from_a_temp_cwd(shop):
    """The installed entry point, run the way a user runs it: in the project folder."""
    ok = subprocess.run([SEGDSL, "check"], cwd=shop, capture_output=True, text=True, timeout=60)
    assert ok.returncode == 0, ok.stderr
    assert ok.stdout.startswith("ok: ")

    (shop / "segments" / "broken.seg").write_text('segment broken:\n    country = "US\n', "utf-8")
    bad = subprocess.run([SEGDSL, "check"], cwd=shop, capture_output=True, text=True, timeout=60)
    assert bad.returncode == 1
    assert bad.stderr.startswith("segments/broken.seg:2:15: error[E002]: unterminated string")
    assert "Traceback" not in bad.stderr

    usage = subprocess.run([SEGDSL, "compile", "--dialect", "nope"], cwd=shop, capture_output=True, text=True, timeout=60)
    assert usage.returncode == 2


# --- preview ----------------------------------------------------------------------------------

_MEMBERS = re.compile(r"^  members: (\d+) of (\d+) \((\d+\.\d)%\)$", re.MULTILINE)


def _members(out: str) -> tuple[int, int]:
    m = _MEMBERS.search(out)
    assert m, out
    members, total = int(m.group(1)), int(m.group(2))
    assert m.group(3) == f"{100 * members / total:.1f}"
    return members, total


def test_preview_on_sample_data():
    result = run("preview", "top_spenders", EXAMPLE)
    no_crash(result)
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert lines[0].startswith("segment top_spenders: Top 10%")
    assert lines[1] == "  as of 2026-06-30 00:00:00, on sample data"
    members, total = _members(result.stdout)
    assert total == 400
    assert 0 < members < total
    sample = re.search(r"^  sample:  (.*)$", result.stdout, re.MULTILINE).group(1)
    keys = sample.removesuffix(" …").split(", ")
    assert len(keys) == 10
    assert keys == sorted(keys, key=int)
    assert sample.endswith(" …") == (members > 10)


def test_preview_limit():
    result = run("preview", "top_spenders", EXAMPLE, "--limit", "3")
    assert result.exit_code == 0, result.output
    sample = re.search(r"^  sample:  (.*)$", result.stdout, re.MULTILINE).group(1)
    assert len(sample.removesuffix(" …").split(", ")) == 3


@pytest.mark.parametrize("segment", ["top_spenders", "churn_risk", "new_signups", "premium_basket"])
def test_preview_matches_a_count_of_the_compiled_sql(segment):
    """The member count is that of the compiled SQL run directly on the same data."""
    import datetime as dt

    from segdsl import engine

    project = segdsl.load_project(EXAMPLE)
    con = engine.open_samples(project)
    result = run("preview", segment, EXAMPLE)
    assert result.exit_code == 0, result.output
    members, _ = _members(result.stdout)
    rows = con.execute(project.compile_segment(segment, "duckdb", dt.datetime.fromisoformat(AS_OF))).fetchall()
    assert members == len(rows) == len(set(rows))


@pytest.mark.parametrize("catalog", ["wh", "main"])  # main: DuckDB's default catalog, as on Databricks
def test_preview_and_test_read_catalog_qualified_tables(tmp_path, catalog):
    """`wh.analytics.customers` names a catalog too: the samples load into it as into a schema."""
    project = tmp_path / "shop"
    shutil.copytree(EXAMPLE, project)
    config = project / "segdsl.toml"
    config.write_text(config.read_text("utf-8").replace('"analytics.', f'"{catalog}.analytics.'), "utf-8")
    assert run("preview", "top_spenders", project).stdout == run("preview", "top_spenders", EXAMPLE).stdout
    result = run("test", project)
    assert result.exit_code == 0, result.output
    assert re.search(r"^[1-9]\d* passed, 0 failed$", result.stdout, re.MULTILINE), result.stdout


def test_a_sample_table_named_in_another_case_keeps_its_column_types(tmp_path):
    """Engines fold the case of unquoted names: `sales.customers` is `Sales.Customers`, and
    its zip column is text as declared, not the number the CSV would suggest."""
    project = tmp_path / "p"
    (project / "segments").mkdir(parents=True)
    (project / "segdsl.toml").write_text(
        '[entity]\ntable = "Sales.Customers"\nkey = "id"\n[entity.columns]\nzip = "string"\n'
        '[samples.tables]\n"sales.customers" = "c.csv"\n')
    (project / "c.csv").write_text("id,zip\n1,1234\n2,12345\n")
    (project / "segments" / "s.seg").write_text('segment zip_after_2: zip > "2"\n')
    result = run("preview", "zip_after_2", project)
    assert result.exit_code == 0, result.output
    assert "members: 0 of 2 (0.0%)" in result.stdout  # as text, "1234" < "2"


def test_samples_in_a_catalog_duckdb_keeps_for_itself_are_an_error_not_a_crash(tmp_path):
    project = tmp_path / "shop"
    shutil.copytree(EXAMPLE, project)
    config = project / "segdsl.toml"
    config.write_text(config.read_text("utf-8").replace('"analytics.', '"system.analytics.'), "utf-8")
    result = run("preview", "top_spenders", project)
    no_crash(result)
    assert result.exit_code == 1
    assert "customers.csv as system.analytics.customers: Binder Error: Cannot create schema" in result.stderr


def _build_duckdb(path: Path) -> None:
    """A warehouse stand-in built from the example's CSVs without segdsl's own loader."""
    import duckdb

    con = duckdb.connect(str(path))
    con.execute("CREATE SCHEMA analytics")
    for table, file in [("customers", "customers.csv"), ("orders", "orders.csv"),
                        ("events", "events.csv"), ("email_events", "email_events.csv")]:
        csv = (EXAMPLE / "data" / file).as_posix().replace("'", "''")
        con.execute(f"CREATE TABLE analytics.{table} AS SELECT * FROM read_csv('{csv}', header = true)")
    con.execute("CHECKPOINT")
    con.close()


def test_preview_db_with_zoned_times_gives_the_same_members_in_any_machine_zone(tmp_path):
    """A TIMESTAMPTZ column compares with segdsl's zone-less times in the session's zone:
    fixed to UTC, not the machine's."""
    import duckdb

    db = tmp_path / "warehouse.duckdb"
    _build_duckdb(db)
    con = duckdb.connect(str(db))
    con.execute("ALTER TABLE analytics.orders ALTER ordered_at TYPE TIMESTAMPTZ USING ordered_at::TIMESTAMPTZ")
    con.close()
    outputs = {
        zone: subprocess.run([sys.executable, "-m", "segdsl", "preview", "rfm_recent", str(EXAMPLE), "--db", str(db),
                              "--as-of", AS_OF], capture_output=True, text=True, env={**os.environ, "TZ": zone})
        for zone in ("UTC", "Pacific/Kiritimati", "America/Los_Angeles")}
    assert {r.returncode for r in outputs.values()} == {0}, outputs
    assert len({r.stdout for r in outputs.values()}) == 1, {z: r.stdout for z, r in outputs.items()}


def test_a_terminal_that_cannot_show_a_character_gets_an_escape(small_project):
    (small_project / "segments" / "jp.seg").write_text('segment jp: country = "日本"\n', "utf-8")
    result = subprocess.run([sys.executable, "-m", "segdsl", "compile", "-s", "jp", str(small_project)],
                            capture_output=True, env={**os.environ, "PYTHONIOENCODING": "cp1252"})
    assert result.returncode == 0, result.stderr.decode("cp1252")
    assert b"'\\u65e5\\u672c'" in result.stdout


def test_member_keys_refuse_keys_that_are_lists():
    from segdsl import engine

    with pytest.raises(engine.EngineError, match="a key must be a plain value"):
        engine.member_keys(engine.open_memory(), "SELECT [1, 2] AS k")


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.mark.parametrize("segment", ["top_spenders", "new_signups", "lapsed_customers"])
def test_preview_db_file_matches_sample_preview_and_is_not_written(tmp_path, segment):
    db = tmp_path / "warehouse.duckdb"
    _build_duckdb(db)
    before = _sha256(db)
    wal = db.with_name(db.name + ".wal")

    from_db = run("preview", segment, EXAMPLE, "--db", db, "--as-of", AS_OF)
    no_crash(from_db)
    assert from_db.exit_code == 0, from_db.output
    assert f"  as of 2026-06-30 00:00:00, on database {db}" in from_db.stdout
    from_samples = run("preview", segment, EXAMPLE, "--as-of", AS_OF)
    assert from_samples.exit_code == 0, from_samples.output

    assert _members(from_db.stdout) == _members(from_samples.stdout)
    sample = lambda out: re.search(r"^  sample:.*$", out, re.MULTILINE)  # noqa: E731
    assert (sample(from_db.stdout) or [None])[0] == (sample(from_samples.stdout) or [None])[0]
    assert _sha256(db) == before
    assert not wal.exists()


def test_preview_missing_db_file_exits_1(tmp_path):
    missing = tmp_path / "nope.duckdb"
    result = run("preview", "top_spenders", EXAMPLE, "--db", missing)
    no_crash(result)
    assert result.exit_code == 1
    assert f"no DuckDB database at {missing}" in result.stderr
    assert not missing.exists()


def test_preview_db_that_is_not_duckdb_exits_1(tmp_path):
    bogus = tmp_path / "bogus.duckdb"
    bogus.write_text("not a database\n")
    result = run("preview", "top_spenders", EXAMPLE, "--db", bogus)
    no_crash(result)
    assert result.exit_code == 1
    assert "cannot open" in result.stderr
    assert bogus.read_text() == "not a database\n"


def test_preview_db_without_the_tables_exits_1(tmp_path):
    import duckdb

    db = tmp_path / "empty.duckdb"
    duckdb.connect(str(db)).close()
    result = run("preview", "top_spenders", EXAMPLE, "--db", db, "--as-of", AS_OF)
    no_crash(result)
    assert result.exit_code == 1
    assert "error: the data does not match segdsl.toml: " in result.stderr


def test_preview_without_samples_asks_for_a_db(tmp_path):
    project = new_project(tmp_path / "p", "segment adults:\n    age >= 18\n")
    result = run("preview", "adults", project)
    no_crash(result)
    assert result.exit_code == 1
    assert "--db" in result.stderr


def test_open_data_is_the_db_file_or_the_samples_measured_from_when_taken(tmp_path):
    """preview and diff open their data through engine.open_data: the --db file, read-only
    and measured from now (or --as-of); else the samples, from when they were taken."""
    import datetime as dt

    from segdsl import engine

    project = segdsl.load_project(EXAMPLE)
    taken, given = project.config.samples.as_of, dt.datetime(2025, 1, 1)
    assert taken is not None
    assert engine.open_data(project)[1] == taken
    assert engine.open_data(project, None, given)[1] == given
    db = tmp_path / "warehouse.duckdb"
    _build_duckdb(db)
    con, as_of = engine.open_data(project, db)
    assert as_of is None
    with pytest.raises(Exception, match="read-only"):
        con.execute("CREATE TABLE t (x INT)")
    with pytest.raises(engine.EngineError, match="^no DuckDB database at "):
        engine.open_data(project, tmp_path / "nope.duckdb")


def test_only_the_engine_imports_duckdb():
    """Opening DuckDB and running queries on it live in engine.py; the others call it."""
    importers = sorted(
        str(p.relative_to(ROOT / "segdsl")) for p in (ROOT / "segdsl").rglob("*.py")
        if re.search(r"^\s*(import|from) duckdb\b", p.read_text("utf-8"), re.MULTILINE)
    )
    assert importers == ["engine.py"]


# --- debug -------------------------------------------------------------------------------------


def test_debug_stages_print_something():
    parse = run("debug", "parse", EXAMPLE / "segments" / "value.seg")
    assert parse.exit_code == 0, parse.output
    assert "name='top_spenders'" in parse.stdout
    ir = run("debug", "ir", "top_spenders", EXAMPLE)
    assert ir.exit_code == 0, ir.output
    assert ir.stdout.startswith("Percentile")
    trait = run("debug", "ir", "ltv_12m", EXAMPLE)
    assert trait.exit_code == 0, trait.output
    sql = run("debug", "sql", "top_spenders", EXAMPLE, "--as-of", AS_OF)
    assert sql.exit_code == 0, sql.output
    assert sql.stdout.startswith("Select(")


def test_debug_parse_of_a_broken_file_exits_1(tmp_path):
    f = tmp_path / "x.seg"
    f.write_text("segment x:\n    age >= \n", "utf-8")
    result = run("debug", "parse", f)
    no_crash(result)
    assert result.exit_code == 1
    assert "incomplete definition" in result.stderr


# --- robustness: hostile input never crashes `check` -----------------------------------------

TIME_LIMIT = 15.0  # seconds; anything over 5 s is worth a look
SLOW = 5.0


def _nested(n: int) -> str:
    return "segment deep:\n    " + "(" * n + "age > 3" + ")" * n + "\n"


ROBUSTNESS = {
    # name: (file bytes, expected exit code, text expected on stderr)
    "random_bytes": (random.Random(0).randbytes(64 * 1024), 1, "not UTF-8"),
    "invalid_utf8": (b'segment a:\n    country = "\xc3\x28"\n', 1, "segments/input.seg:2:16: error[E000]"),
    "latin1": ('segment a:\n    country = "Espa\u00f1a"\n'.encode("latin-1"), 1, "not UTF-8"),
    "nul_bytes": (b"segment a:\n    age > 3\x00\x00\n", 1, "U+0000"),
    "nul_only": (b"\x00" * 1000, 1, "error"),
    "nested_parens_3000": (_nested(3000).encode(), None, ""),
    "unbalanced_parens_3000": (("segment a:\n    " + "(" * 3000 + "age > 3\n").encode(), 1, "error"),
    "not_3000": (("segment a:\n    " + "not " * 3000 + "age > 3\n").encode(), 1, "error[E003]"),
    "plus_20000": (("segment a:\n    " + " + ".join(["age"] * 20000) + " > 3\n").encode(), 1, "error"),
    "and_20000": (("segment a:\n    " + " and ".join(["age > 3"] * 20000) + "\n").encode(), None, ""),
    "ten_megabytes": ((("segment s:\n    age > 3\n" + "# padding " + "x" * 100 + "\n" * 1) * 90_000).encode()[: 10 * 1024 * 1024], 1, "too large"),
    "one_long_line": (("segment a:\n    age > " + "9" * 1_500_000 + "\n").encode(), None, ""),
    "int_5000_digits": (("segment a:\n    age > " + "9" * 5000 + "\n").encode(), None, ""),
    "range_bound_5000_digits": (("segment a:\n    age 1.." + "9" * 5000 + "\n").encode(), None, ""),
    "empty": (b"", 0, ""),
    "only_comments": (b"# nothing here\n   # nor here\n#\n", 0, ""),
    "only_whitespace": (b"\n\n   \t\n\r\n", 0, ""),
    "bom": (b"\xef\xbb\xbfsegment a:\n    age > 3\n", 0, ""),  # as some Windows editors save
    "bom_then_invalid_utf8": (b"\xef\xbb\xbfsegment a\xff:\n    age > 3\n", 1, "segments/input.seg:1:10: error[E000]"),
    "crlf": (b"segment a:\r\n    age > 3\r\n", 0, ""),
    "unterminated_string_at_eof": (b'segment a:\n    country = "', 1, "unterminated string"),
    "segment_chain_1500": (("segment s0: age > 1\n" + "".join(
        f"segment s{i}: in segment s{i - 1} and age > {i}\n" for i in range(1, 1500))).encode(), 1, "error[E003]"),
    "deep_trait_chain": (("".join(f"trait t{i} = t{i + 1} + 1\n" for i in range(3000)) + "trait t3000 = age\n"
                          "segment s:\n    t0 > 3\n").encode(), None, ""),
    # two chains written alike, each level using the one below twice: lint compared them
    # in time doubling per level (an hour at this length), and SQL that wrote each use out
    # doubled too (now each level is one CTE)
    "twin_doubly_shared_chains": (twin_chains(30).encode(), 0, ""),
    "doubling_traits_60": (("trait t0 = age\n" + "".join(f"trait t{i} = t{i - 1} * t{i - 1}\n" for i in range(1, 60))
                            + "segment s: t59 > 3\n").encode(), 1, "too large to compile"),
}


@pytest.fixture
def small_project(tmp_path) -> Path:
    return new_project(tmp_path / "p")


@pytest.mark.parametrize("case", list(ROBUSTNESS))
def test_check_survives_hostile_input(case, small_project):
    data, expected_code, message = ROBUSTNESS[case]
    (small_project / "segments" / "input.seg").write_bytes(data)
    start = time.perf_counter()
    result = run("check", cwd=small_project)
    elapsed = time.perf_counter() - start
    no_crash(result)
    assert result.exit_code in (0, 1), result.output[-2000:]
    if expected_code is not None:
        assert result.exit_code == expected_code, result.output[-2000:]
    if result.exit_code == 1:
        assert result.stderr.strip(), "an error exit must say why"
        assert re.search(r"\d+ errors? found", result.stderr)
        assert message in result.stderr, result.stderr[-2000:]
    else:
        assert result.stdout.startswith("ok: ")
    if elapsed > SLOW:
        print(f"SLOW: check on {case} took {elapsed:.1f}s")
    assert elapsed < TIME_LIMIT, f"check on {case} took {elapsed:.1f}s"


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no FIFOs here")
@pytest.mark.parametrize("cwd", ["project", "elsewhere"])
def test_files_that_are_not_plain_files_are_errors_and_each_file_is_read_once(small_project, tmp_path, cwd):
    segments = small_project / "segments"
    (segments / "loop1.seg").symlink_to("loop2.seg")
    (segments / "loop2.seg").symlink_to("loop1.seg")
    os.mkfifo(segments / "pipe.seg")  # reading it would wait for a writer forever
    (segments / "folder.seg").mkdir()
    (segments / "b_real.seg").write_text("segment adults_again: age >= 18\n")
    (segments / "a_alias.seg").symlink_to("b_real.seg")
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    result = run("check", str(small_project), cwd=small_project if cwd == "project" else elsewhere)
    no_crash(result)
    assert result.exit_code == 1
    assert sorted(re.findall(r"error\[(\w+)\]: cannot read \S*?segments/(\S+): not a file", result.stderr)) == [
        ("C004", "folder.seg"), ("C004", "loop1.seg"), ("C004", "loop2.seg"), ("C004", "pipe.seg")], result.stderr
    assert "defined twice" not in result.stderr and "4 errors found" in result.stderr


@pytest.mark.parametrize("case", ["nested_parens_3000", "and_20000", "deep_trait_chain", "one_long_line",
                                  "twin_doubly_shared_chains"])
def test_compile_survives_what_check_accepts(case, small_project):
    data, _, _ = ROBUSTNESS[case]
    (small_project / "segments" / "input.seg").write_bytes(data)
    start = time.perf_counter()
    result = run("compile", "--as-of", AS_OF, cwd=small_project)
    elapsed = time.perf_counter() - start
    no_crash(result)
    assert result.exit_code in (0, 1), result.output[-2000:]
    if result.exit_code == 1:
        assert "error[" in result.stderr
    assert elapsed < TIME_LIMIT, f"compile on {case} took {elapsed:.1f}s"


@pytest.mark.skipif(SEGDSL is None, reason="the segdsl console script is not installed")
@pytest.mark.parametrize("case", ["random_bytes", "nul_bytes", "not_3000", "ten_megabytes"])
def test_console_script_survives_hostile_input(case, small_project):
    data, expected_code, message = ROBUSTNESS[case]
    (small_project / "segments" / "input.seg").write_bytes(data)
    proc = subprocess.run([SEGDSL, "check"], cwd=small_project, capture_output=True, timeout=60)
    stderr = proc.stderr.decode("utf-8", "replace")
    assert "Traceback" not in stderr
    assert proc.returncode == expected_code, stderr[-2000:]
    assert message in stderr
