"""The `segdsl` command: wiring only; every stage lives in its own module.

Exit codes: 0 success, 1 problems in the user's files or data, 2 usage errors.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import sys
from pathlib import Path

import click

from .diagnostics import Collector, SegdslError, diff_lines, did_you_mean, has_errors, render_text


class _Timestamp(click.ParamType):
    name = "TIMESTAMP"

    def convert(self, value, param, ctx):
        from .config import as_of_problem

        if isinstance(value, dt.datetime):
            return value
        try:
            moment = dt.datetime.fromisoformat(value)
        except ValueError:
            self.fail(f"'{value}' is not a timestamp; write 2026-01-01T00:00:00 or 2026-01-01", param, ctx)
        if problem := as_of_problem(moment):
            self.fail(problem, param, ctx)
        return moment


AS_OF = click.option(
    "--as-of", type=_Timestamp(), default=None,
    help="Fix the moment relative times are measured from (default: the warehouse's current time).",
)
PATH = click.argument("path", type=click.Path(file_okay=False, path_type=Path), default=".", required=False)


def _dialect_option(**kw):
    from .config import DIALECTS

    return click.option(
        "--dialect", type=click.Choice(DIALECTS), default=None,
        help="Target warehouse dialect (default: [project] dialect in segdsl.toml).", **kw,
    )


def _load(path: Path, fmt: str = "text", lint: bool = False):
    """The checked project, or exit 1 after printing every problem. With `lint`, the lint
    warnings are printed too (and any rule re-levelled to error fails the check)."""
    from .api import check_project

    project, diagnostics, sources = check_project(path)
    if lint and project is not None and not has_errors(diagnostics):
        from .lint import run_lint

        diagnostics = diagnostics + run_lint(project)
        if not has_errors(diagnostics):
            _print_diagnostics(diagnostics, sources, fmt)
            return project
    if project is None or has_errors(diagnostics):
        _fail(diagnostics, sources, fmt)
    return project


def _fail(diagnostics, sources, fmt: str = "text"):
    """Print every problem, then exit 1."""
    _print_diagnostics(diagnostics, sources, fmt)
    errors = sum(d.severity == "error" for d in diagnostics)
    if fmt == "text":
        click.secho(f"{errors} error{'s' if errors != 1 else ''} found", fg="red", err=True)
    sys.exit(1)


def _print_diagnostics(diagnostics, sources, fmt: str = "text") -> None:
    """Text goes to stderr for people; the machine formats go to stdout for tools."""
    if fmt == "text":
        for d in diagnostics:
            click.echo(render_text(d, sources) + "\n", err=True)
    else:
        from .report import render

        click.echo(render(diagnostics, sources, fmt), nl=False)


FORMAT = click.option(
    "--format", "fmt", type=click.Choice(["text", "json", "github", "sarif"]), default="text",
    show_default=True, help="How to print problems: text with a caret, JSON, GitHub annotations, SARIF 2.1.0.",
)


def _count(n: int, thing: str) -> str:
    return f"{n} {thing}{'s' * (n != 1)}"


@contextlib.contextmanager
def _data_errors():
    """A problem with the data (not the segment files) ends the command: exit 1."""
    from .engine import EngineError

    try:
        yield
    except EngineError as err:
        click.secho(f"error: {err}", fg="red", err=True)
        sys.exit(1)


def _segment(project, name: str) -> str:
    if name not in project.program.segments:
        raise click.UsageError(
            f"no segment named '{name}'. {did_you_mean(name, project.segments)}".strip()
        )
    return name


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="segdsl")
def main():
    """segdsl: customer segments as code, compiled to SQL for any warehouse.

    A project is a folder with a segdsl.toml (the warehouse schema) and .seg files
    (segment and trait definitions). PATH defaults to the current folder.
    """
    # The collector paused for the whole command, as the API pauses it per call: beyond
    # the calls, the command's own work over a loaded project would pay for its passes.
    from .api import collector_paused

    click.get_current_context().with_resource(collector_paused())
    # a terminal that cannot show a character (→ on cp1252) gets an escape, not a crash
    if hasattr(sys.stdout, "reconfigure"):
        sys.stdout.reconfigure(errors="backslashreplace")


@main.command()
@PATH
@FORMAT
def check(path: Path, fmt: str):
    """Parse, type-check and lint every segment and trait; exit 1 on any error.

    Lint warnings are printed but pass; configure rules under [lint] in segdsl.toml or
    per segment or trait with a comment in it, `# segdsl: disable=L004`.
    """
    project = _load(path, fmt, lint=True)
    if fmt == "text":
        n_seg, n_trait = len(project.program.segments), len(project.program.traits)
        files = len(project.sources) - 1
        click.echo(f"ok: {_count(n_seg, 'segment')} and {_count(n_trait, 'trait')} in {_count(files, 'file')}")


def _named(ctx, param, value: str | None) -> Path | None:
    """The folder; an empty one (an unset shell variable: `--out "$DIR"`) is refused, as
    Path("") would be the current folder."""
    if value == "":
        raise click.BadParameter("is empty: name a folder (. for the current one)")
    return None if value is None else Path(value)


@contextlib.contextmanager
def _writing(out: Path):
    """`out` made if missing, for the files written inside; a folder that cannot be made
    or written (a file in the way, no permission) is a wrong --out: exit 2."""
    try:
        out.mkdir(parents=True, exist_ok=True)
        yield
    except OSError as err:
        where = f"'{err.filename}'" if err.filename else f"into '{out}'"
        raise click.BadParameter(f"cannot write {where}: {err.strerror or err}", param_hint="--out") from None


@main.command("compile")
@PATH
@click.option("--segment", "-s", "names", multiple=True, metavar="NAME", help="Segment to compile (repeatable; default: all).")
@_dialect_option()
@AS_OF
@click.option("--out", type=click.Path(file_okay=False), default=None, callback=_named,
              help="Write one NAME.sql per segment into this folder instead of printing.")
@click.option("--together", is_flag=True,
              help="One statement for all the chosen segments, scanning each table once.")
@click.option("--shape", type=click.Choice(["long", "wide"]), default="long", show_default=True,
              help="With --together: (key, segment) rows, or one row per key with a column per segment.")
def compile_cmd(path: Path, names, dialect, as_of, out, together, shape):
    """Print the SQL of the named segments (all when none is named)."""
    project = _load(path)
    chosen = [_segment(project, n) for n in names] or project.segments
    dialect = dialect or project.config.dialect
    if together:
        if not chosen:
            raise click.UsageError("the project defines no segments: there is nothing to compile together")
        try:
            sql = project.compile_many(chosen, dialect, as_of, shape) + ";\n"
        except SegdslError as err:
            _fail(err.diagnostics, err.sources)
        if out is not None:
            with _writing(out):
                (out / "segments.sql").write_text(sql, "utf-8")
            click.echo(f"wrote {out / 'segments.sql'}", err=True)
        else:
            click.echo(sql, nl=False)
        return
    if out is not None:
        with _writing(out), click.progressbar(chosen, label="compiling", file=sys.stderr) as bar:
            # a folder in the way fails before any file is written, not part way through
            for target in (out / f"{name}.sql" for name in chosen):
                if target.exists() and not target.is_file():
                    raise click.BadParameter(f"cannot write '{target}': not a file", param_hint="--out")
            for name in bar:
                (out / f"{name}.sql").write_text(project.compile_segment(name, dialect, as_of) + ";\n", "utf-8")
        click.echo(f"wrote {len(chosen)} files to {out}", err=True)
        return
    for i, name in enumerate(chosen):
        if i:
            click.echo()
        click.echo(f"-- {name}")
        click.echo(project.compile_segment(name, dialect, as_of) + ";")


@main.command()
@click.argument("name")
@PATH
@click.option("--db", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="A DuckDB database file, opened read-only (default: the project's sample files).")
@AS_OF
@click.option("--limit", type=click.IntRange(min=0, max=1_000_000), default=10, show_default=True, help="How many sample members to show.")
def preview(name, path: Path, db, as_of, limit):
    """Evaluate segment NAME on DuckDB: member count, share, sample members."""
    from . import engine

    project = _load(path)
    _segment(project, name)
    with _data_errors():
        con, as_of = engine.open_data(project, db, as_of)
        result = engine.preview(project, name, con, as_of, limit)
    description = project.description(name)
    click.echo(f"segment {name}" + (f": {description}" if description else ""))
    source = f"database {db}" if db is not None else "sample data"
    moment = as_of.isoformat(sep=" ") if as_of else "now"
    click.echo(f"  as of {moment}, on {source}")
    share = 100 * result.members / result.total if result.total else 0.0
    click.echo(f"  members: {result.members} of {result.total} ({share:.1f}%)")
    if result.sample:
        more = " …" if result.members > len(result.sample) else ""
        click.echo(f"  sample:  {', '.join(str(k) for k in result.sample)}{more}")


@main.command()
@PATH
@click.option("--base", default="HEAD", show_default=True, metavar="REV",
              help="The git revision to compare the working tree with (read from git, no checkout).")
@click.option("--db", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="A DuckDB database for the membership change (default: the sample files).")
@_dialect_option()
@AS_OF
@click.option("--format", "fmt", type=click.Choice(["text", "markdown", "json"]), default="text",
              show_default=True, help="markdown is ready to paste as a pull-request comment.")
@click.option("--sample", type=click.IntRange(min=0, max=1_000_000), default=10, show_default=True,
              help="How many keys to show of those who entered or left.")
@click.option("--no-data", is_flag=True, help="Compare definitions and SQL only.")
def diff(path: Path, base, db, dialect, as_of, fmt, sample, no_data):
    """What changed since REV: definitions, SQL and members, segment by segment."""
    from . import diff as differ
    from . import engine

    head = _load(path)
    try:
        base_project, base_diagnostics, base_sources = differ.load_revision(path, base)
    except differ.RevisionError as err:
        raise click.UsageError(str(err)) from None
    if base_project is None:  # nothing to compare with: say why, as every segment will show as added
        why = "its segdsl.toml has errors" if base_diagnostics else f"there is no segdsl.toml in {path} there"
        click.echo(f"note: the project at {base} cannot be read ({why}); every segment counts as added", err=True)
    elif base_diagnostics:
        click.echo(f"note: the project at {base} has problems; its segments with errors are shown without SQL",
                   err=True)
    con = None
    samples = head.config.samples
    if not no_data and (db is not None or (samples is not None and samples.tables)):
        with _data_errors():
            con, as_of = engine.open_data(head, db, as_of)
    result = differ.diff_projects(
        base_project, head, dialect or head.config.dialect, as_of, con, sample,
        base_label=base, base_diagnostics=base_diagnostics,
    )
    render = {"text": differ.render_text, "markdown": differ.render_markdown, "json": differ.render_json}[fmt]
    click.echo(render(result), nl=False)


def _patch(old: str, new: str, file: str) -> str:
    """A unified diff of a file that `patch` applies, a last line without "\n" marked so."""
    import difflib

    lines = difflib.unified_diff(diff_lines(old), diff_lines(new), f"a/{file}", f"b/{file}")
    return "".join(line if line.endswith("\n") else line + "\n\\ No newline at end of file\n" for line in lines)


@main.command()
@PATH
@click.option("--check", "check_only", is_flag=True, help="Change nothing; exit 1 if a file is not formatted.")
@click.option("--diff", "show_diff", is_flag=True, help="Change nothing; print what formatting would change.")
def fmt(path: Path, check_only: bool, show_diff: bool):
    """Rewrite the project's .seg files in the canonical layout.

    Only each file's syntax matters: a project with type errors can be formatted."""
    from .api import read_segment_files
    from .fmt import format_source

    unread = Collector()
    files, sources = read_segment_files(path, unread)  # found and read, not checked
    if files is None:
        _fail(unread.diagnostics, sources)  # the config does not say where the files are
    _print_diagnostics(unread.diagnostics, sources)  # a segment folder or file that cannot be read
    changed, broken = [], 0
    for file, text in files.items():
        formatted, diagnostics = format_source(text, file)
        if formatted is None:
            _print_diagnostics(diagnostics, {file: text})
            broken += 1
        elif formatted != text:
            changed.append(file)
            if show_diff:
                click.echo(_patch(text, formatted, file), nl=False)
            elif check_only:
                click.echo(f"would reformat {file}")
            else:
                Path(file).write_text(formatted, "utf-8")
                click.echo(f"reformatted {file}")
    verb = "would reformat" if check_only or show_diff else "reformatted"
    click.echo(f"{verb} {len(changed)} of {len(files)} files" + (f"; {broken} could not be parsed" if broken else ""),
               err=True)
    sys.exit(1 if unread.diagnostics or broken or (changed and (check_only or show_diff)) else 0)


@main.command("test")
@PATH
@click.option("-k", "select", default=None, metavar="TEXT", help="Run only cases whose name or segment contains TEXT.")
def test_cmd(path: Path, select):
    """Run the segment unit tests: every *.test.toml file in the project."""
    from . import testing

    project = _load(path)
    files = testing.discover(path)
    if not files:
        click.echo("no *.test.toml files found", err=True)
        sys.exit(1)
    results = []
    for file in files:
        for result in testing.run_file(project, file):
            if select and select not in result.name and select not in result.segment:
                continue
            results.append(result)
            mark = click.style("PASS", fg="green") if result.passed else click.style("FAIL", fg="red")
            click.echo(f"{mark} {result.file}: {result.name} [{result.segment}]")
            for problem in result.problems:
                click.echo(f"     {problem}")
    failed = sum(not r.passed for r in results)
    click.echo(f"{len(results) - failed} passed, {failed} failed")
    sys.exit(1 if failed else 0)


@main.group()
def debug():
    """Print one stage of the compiler's output: parse, ir or sql."""


@debug.command("parse")
@click.argument("file", type=click.Path(dir_okay=False, exists=True, path_type=Path))
def debug_parse(file: Path):
    """The syntax tree of one .seg file."""
    from . import show
    from .parse import parse_source

    diags = Collector()
    text = file.read_text("utf-8", errors="replace")
    definitions = parse_source(text, str(file), diags)
    for d in definitions:
        click.echo(show.tree(d))
    _print_diagnostics(diags.diagnostics, {str(file): text})
    sys.exit(1 if diags.has_errors else 0)


@debug.command("ir")
@click.argument("name")
@PATH
def debug_ir(name, path: Path):
    """The typed intermediate form of segment or trait NAME."""
    from . import show

    project = _load(path)
    program = project.program
    if name not in program.segments and name not in program.traits:
        raise click.UsageError(f"no segment or trait named '{name}'. {did_you_mean(name, program.definitions)}".strip())
    click.echo(show.tree(program.segments.get(name) or program.traits[name]))


@debug.command("sql")
@click.argument("name")
@PATH
@_dialect_option()
@AS_OF
def debug_sql(name, path: Path, dialect, as_of):
    """The sqlglot expression tree of segment NAME."""
    project = _load(path)
    click.echo(repr(project.compile_tree(_segment(project, name), dialect, as_of)))
