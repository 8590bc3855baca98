"""`segdsl diff`: what a change does to every segment, between a git revision and the working tree.

    base, diagnostics, _ = load_revision(Path("examples/shop"), "origin/main")
    head = load_project("examples/shop")
    diff = diff_projects(base, head, "snowflake", as_of, con=engine.open_samples(head))
    print(render_markdown(diff))

`load_revision` reads the project as it was at a revision straight from git's objects
(`git ls-tree`, `git cat-file`): nothing is checked out and the work tree is never
touched. `diff_projects` compares two checked projects segment by segment: the text of
the definition, the compiled SQL (which also changes when a trait or a segment it uses
changes) and, given a DuckDB connection, the members who entered and left.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import difflib
import json
import posixpath
import re
import subprocess
from dataclasses import dataclass, field
from pathlib import Path

from . import ir
from .api import Project, build_project, decode, shown_path
from .config import CONFIG_FILE, load_config, setting_span
from .diagnostics import Collector, Diagnostic, SegdslError, Span, diff_lines, source_lines

__all__ = [
    "Membership", "ProjectDiff", "RevisionError", "SegmentChange", "TraitChange",
    "diff_projects", "load_revision", "render_json", "render_markdown", "render_text",
]


class RevisionError(ValueError):
    """The base revision cannot be read: not a git repository, or no such revision."""


# --- reading a revision ---------------------------------------------------------------


def _git(cwd: Path, *args: str, input: bytes | None = None) -> subprocess.CompletedProcess:
    try:
        return subprocess.run(
            ["git", "--literal-pathspecs", *args], cwd=cwd, input=input, capture_output=True, check=False,
        )
    except FileNotFoundError:
        raise RevisionError("git is not installed (segdsl diff reads the base revision with git)") from None


def _git_error(result: subprocess.CompletedProcess) -> str:
    """git's reason in a line: its fatal: or error: line, and a command it suggests (as for
    a repository owned by another user, common in CI containers)."""
    lines = [line.strip() for line in result.stderr.decode("utf-8", "replace").splitlines() if line.strip()]
    if not lines:
        return f"git exited with status {result.returncode}"
    reason = next((line for line in lines if line.startswith(("fatal:", "error:"))), lines[-1])
    fix = next((line for line in lines if line.startswith("git ")), None)
    return reason.removeprefix("fatal: ") + (f"; git suggests: {fix}" if fix else "")


def load_revision(root: Path, rev: str) -> tuple[Project | None, list[Diagnostic], dict[str, str]]:
    """The project in folder `root` as it was at git revision `rev`, read from git objects.

    Returns what `check_project` returns for the working tree: the project (None when its
    segdsl.toml is unusable), every diagnostic, and the sources by shown file name (the
    names the files have in the working tree). A revision where the project does not exist
    yet gives `(None, [], {})`: an empty base, so every segment counts as added.

    Raises `RevisionError` (a ValueError) when `root` is not inside a git repository or
    `rev` does not name a commit.
    """
    given = Path(root)  # files are named from it, as check_project names them
    root = given.resolve()
    if not root.is_dir():
        raise RevisionError(f"{given} is not a folder")
    top = _git(root, "rev-parse", "--show-toplevel")
    if top.returncode != 0:
        raise RevisionError(f"{shown_path(root)} is not inside a git repository: {_git_error(top)}")
    toplevel = Path(top.stdout.decode("utf-8").strip()).resolve()
    if rev.startswith("-"):  # never let a revision be read as an option
        raise RevisionError(f"'{rev}' is not a git revision")
    commit = _git(toplevel, "rev-parse", "--verify", "--quiet", f"{rev}^{{commit}}")
    if commit.returncode != 0:
        shallow = _git(toplevel, "rev-parse", "--is-shallow-repository").stdout.strip() == b"true"
        raise RevisionError(
            f"'{rev}' is not a commit in the git repository at {shown_path(toplevel)}; "
            + ("the clone is shallow: fetch the history first (git fetch --unshallow; in GitHub Actions, "
               "actions/checkout with fetch-depth: 0)" if shallow else
               "pass a branch, tag or commit, e.g. --base main or --base HEAD~1")
        )
    sha = commit.stdout.decode().strip()
    prefix = root.relative_to(toplevel).as_posix()
    prefix = "" if prefix == "." else prefix

    diags = Collector()
    config_rel = posixpath.join(prefix, CONFIG_FILE) if prefix else CONFIG_FILE
    shown_config = shown_path(given / CONFIG_FILE)
    entries = _ls_tree(toplevel, sha, config_rel)
    if config_rel not in entries:
        return None, [], {}
    sources: dict[str, str] = {}
    [config_data] = _contents(toplevel, sha, [config_rel])
    if config_data is None:
        return None, [], {}
    config_text = decode(config_data, shown_config, diags)
    if config_text is None:
        return None, diags.diagnostics, sources
    sources[shown_config] = config_text
    # the revision runs on the head's data: its own [samples] are never used
    config = load_config(config_text, shown_config, diags, samples_wanted=False)
    if config is None:
        return None, diags.diagnostics, sources

    wanted: list[str] = []  # paths in the repository
    for folder in config.segment_dirs:
        rel = posixpath.normpath(posixpath.join(prefix, folder)) if prefix else posixpath.normpath(folder)
        rel = "" if rel == "." else rel
        if rel.startswith("../") or rel == ".." or not _is_tree(toplevel, sha, rel):
            diags.error("C003", f"segment folder '{folder}' does not exist at {rev}",
                        setting_span(config_text, shown_config, "project", "segments"))
            continue
        found = _ls_tree(toplevel, sha, rel or ".")
        # the same order as check_project: sorted paths under the folder
        wanted.extend(sorted((p for p in found if p.endswith(".seg")), key=lambda p: Path(p)))
    files: dict[str, str] = {}
    for path, data in zip(wanted, _contents(toplevel, sha, wanted)):
        shown = shown_path(given / posixpath.relpath(path, prefix or "."))
        if shown in files:
            continue
        if data is None:
            diags.error("C004", f"cannot read {shown} at {rev}: a symbolic link to no file", None)
            continue
        text = decode(data, shown, diags)
        if text is not None:
            files[shown] = text
    sources.update(files)
    # root=None: a past revision has no sample files of its own; run it on the head's data
    return build_project(config, files, sources, diags, None)


def _ls_tree(toplevel: Path, sha: str, path: str) -> set[str]:
    """The repository path of every blob (file or symbolic link) under `path` at commit `sha`."""
    result = _git(toplevel, "ls-tree", "-r", "-z", "--full-tree", sha, "--", path)
    if result.returncode != 0:
        raise RevisionError(f"cannot list {path or '.'} at {sha[:12]}: {_git_error(result)}")
    entries: set[str] = set()
    for record in result.stdout.decode("utf-8", "surrogateescape").split("\0"):
        if not record:
            continue
        meta, _, name = record.partition("\t")
        if meta.split()[1] == "blob":
            entries.add(name)
    return entries


def _is_tree(toplevel: Path, sha: str, path: str) -> bool:
    result = _git(toplevel, "cat-file", "-t", f"{sha}:{path}")
    return result.returncode == 0 and result.stdout.strip() == b"tree"


def _contents(toplevel: Path, sha: str, paths: list[str]) -> list[bytes | None]:
    """What each file (repository path) holds at commit `sha`, symbolic links followed as
    the working tree follows them: within the repository, at `sha`; out of it, the file as
    it is now (it has no history here). None for a link to no file."""
    if not paths:
        return []
    result = _git(toplevel, "cat-file", "--batch", "--follow-symlinks",
                  input="".join(f"{sha}:{p}\n" for p in paths).encode("utf-8", "surrogateescape"))
    if result.returncode != 0:
        raise RevisionError(f"cannot read files from git: {_git_error(result)}")
    out, pos, contents = result.stdout, 0, []
    for path in paths:
        header_end = out.index(b"\n", pos)
        header = out[pos:header_end].split()
        pos = header_end + 1
        if header[-1] == b"missing":  # `NAME missing`: nothing follows
            contents.append(None)
            continue
        if len(header) not in (2, 3):
            raise RevisionError(f"cannot read {path} from git: {b' '.join(header).decode(errors='replace')}")
        size = int(header[-1])
        body = out[pos:pos + size]
        pos += size + 1  # the body is followed by a newline
        # `OID blob SIZE`, or for a link `symlink SIZE` (out of the repository), `dangling`,
        # `loop` or `notdir SIZE` (to nothing), `OID tree SIZE` (to a folder)
        if header[1:2] == [b"blob"]:
            contents.append(body)
        elif header[0] == b"symlink":
            try:
                contents.append((toplevel / path).read_bytes())
            except OSError:
                contents.append(None)
        else:
            contents.append(None)
    return contents


# --- comparing two projects -----------------------------------------------------------


@dataclass
class Membership:
    """Members before and after on one database; None where a side has no SQL."""

    before: int | None
    after: int | None
    entered: int
    left: int
    unchanged: int
    entered_sample: list = field(default_factory=list)
    left_sample: list = field(default_factory=list)
    error: str | None = None  # the database could not run one side's SQL


@dataclass
class SegmentChange:
    name: str
    change: str  # added | removed | changed
    definition_changed: bool
    sql_changed: bool
    file_before: str | None
    file_after: str | None
    description: str | None  # the head's description (the base's for a removed segment)
    via: list[str]  # traits and segments it uses whose definition changed
    definition_diff: str  # unified diff of the definition text ("" when the text is the same)
    sql_diff: str  # unified diff of the compiled SQL ("" when the SQL is the same)
    members: Membership | None = None
    note: str | None = None  # e.g. the base version did not compile

    @property
    def kind(self) -> str:
        """added, removed, definition (text and SQL), text only, or SQL only."""
        if self.change != "changed":
            return self.change
        if self.definition_changed and self.sql_changed:
            return "definition"
        if self.definition_changed:
            return "text only"
        return "SQL only"


@dataclass
class TraitChange:
    name: str
    change: str  # added | removed | changed
    definition_diff: str


@dataclass
class ProjectDiff:
    base: str  # a label: the revision
    head: str
    dialect: str
    as_of: dt.datetime | None
    segments: list[SegmentChange]  # added, removed and changed, by name
    traits: list[TraitChange]
    unchanged: int  # segments whose definition and SQL are both the same
    has_data: bool  # membership was measured
    base_errors: list[str] = field(default_factory=list)  # the base revision's diagnostics, one line each

    def counts(self) -> dict[str, int]:
        result = {"added": 0, "removed": 0, "changed": 0}
        for s in self.segments:
            result[s.change] += 1
        result["unchanged"] = self.unchanged
        return result


def diff_projects(
    base: Project | None, head: Project, dialect: str, as_of: dt.datetime | None,
    con=None, sample: int = 10, *, base_label: str = "base", head_label: str = "working tree",
    base_diagnostics: list[Diagnostic] | None = None,
) -> ProjectDiff:
    """Every segment added, removed or changed from `base` to `head`.

    A segment is changed when its definition's text changed or its compiled SQL for
    `dialect` changed (a trait or segment it uses changed). With `con`, a DuckDB
    connection, both versions run on the same data (compiled for DuckDB with the same
    `as_of`) and their key sets are compared. `base` may be None (no project at the base
    revision: everything is added) or carry errors (its broken segments have no SQL).
    """
    base_defs = _definitions(base)
    head_defs = _definitions(head)
    base_segments = set(base.program.segments) if base else set()
    head_segments = set(head.program.segments)
    base_sql = _SqlCache(base, as_of)
    head_sql = _SqlCache(head, as_of)

    changed_defs = {
        name for name in set(base_defs) | set(head_defs)
        if base_defs.get(name, (None, None, None, None))[2] != head_defs.get(name, (None, None, None, None))[2]
    }

    segments: list[SegmentChange] = []
    unchanged = 0
    for name in sorted(base_segments | head_segments):
        in_base, in_head = name in base_segments, name in head_segments
        old_text = base_defs[name][2] if in_base else None
        new_text = head_defs[name][2] if in_head else None
        old_sql, old_problem = base_sql.get(name, dialect) if in_base else (None, None)
        new_sql, new_problem = head_sql.get(name, dialect) if in_head else (None, None)
        definition_changed = old_text != new_text
        sql_changed = old_sql != new_sql
        if in_base and in_head and not definition_changed and not sql_changed:
            unchanged += 1
            continue
        change = "added" if not in_base else "removed" if not in_head else "changed"
        via = []
        if change == "changed":
            deps = _dependencies(head.program.segments[name]) | (
                _dependencies(base.program.segments[name]) if base else set()
            )
            via = sorted(d for d in deps if d in changed_defs and d != name)
        notes = [p for p in (old_problem and f"at {base_label}: {old_problem}",
                             new_problem and f"in {head_label}: {new_problem}") if p]
        entry = SegmentChange(
            name=name, change=change,
            definition_changed=definition_changed, sql_changed=sql_changed,
            file_before=base_defs[name][0] if in_base else None,
            file_after=head_defs[name][0] if in_head else None,
            description=(head if in_head else base).description(name),
            via=via,
            definition_diff=_unified(old_text, new_text, base_defs[name] if in_base else None,
                                     head_defs[name] if in_head else None, whole=True),
            sql_diff=_unified(old_sql, new_sql, None, None, whole=False, label=f"{name}.sql"),
            note="; ".join(notes) or None,
        )
        if con is not None:
            entry.members = _membership(
                con, base_sql.get(name, "duckdb")[0] if in_base else None,
                head_sql.get(name, "duckdb")[0] if in_head else None, in_base, in_head, sample,
            )
        segments.append(entry)

    traits: list[TraitChange] = []
    base_traits, head_traits = set(base.program.traits) if base else set(), set(head.program.traits)
    for name in sorted(base_traits | head_traits):
        if name not in changed_defs:
            continue
        # a name may be a segment on one side: as a trait it is added or removed
        old = base_defs[name] if name in base_traits else None
        new = head_defs[name] if name in head_traits else None
        change = "added" if old is None else "removed" if new is None else "changed"
        traits.append(TraitChange(name, change, _unified(
            old[2] if old else None, new[2] if new else None, old, new, whole=True)))

    return ProjectDiff(
        base=base_label, head=head_label, dialect=dialect, as_of=as_of,
        segments=segments, traits=traits, unchanged=unchanged, has_data=con is not None,
        base_errors=[_one_line(d) for d in (base_diagnostics or []) if d.severity == "error"],
    )


def _one_line(d: Diagnostic) -> str:
    where = f"{d.span}: " if d.span else ""
    return f"{where}{d.severity}[{d.code}]: {d.message}"


def _definitions(project: Project | None) -> dict[str, tuple[str, str | None, str, int]]:
    """name -> (file, description, source text of the definition (its whole lines), first line)."""
    if project is None:
        return {}
    result = {}
    for name, d in project.program.definitions.items():
        lines = source_lines(project.sources.get(d.span.file, "")) if d.span else ()
        body = "\n".join(lines[d.span.line - 1:d.span.end_line]) + "\n" if d.span else ""
        result[name] = (d.span.file if d.span else "?", d.description, body, d.span.line if d.span else 1)
    return result


def _dependencies(node) -> set[str]:
    """Names of the traits and segments an IR tree uses, directly or through others."""
    return {n.name for n in ir.walk(node) if isinstance(n, (ir.Trait, ir.SegmentRef))}


class _SqlCache:
    """Compiled SQL per (segment, dialect); (None, reason) for a segment that cannot compile."""

    def __init__(self, project: Project | None, as_of):
        self.project, self.as_of, self.cache = project, as_of, {}

    def get(self, name: str, dialect: str) -> tuple[str | None, str | None]:
        key = (name, dialect)
        if key not in self.cache:
            self.cache[key] = self._compile(name, dialect)
        return self.cache[key]

    def _compile(self, name: str, dialect: str):
        program = self.project.program
        if ir.has_invalid(program.segments[name]):
            return None, "the definition has errors, so it has no SQL"
        try:
            return self.project.compile_segment(name, dialect, self.as_of), None
        except SegdslError as err:
            first = str(err).splitlines()[0] if str(err) else type(err).__name__
            return None, f"does not compile: {first}"


def _unified(old: str | None, new: str | None, old_def, new_def, *, whole: bool, label: str | None = None) -> str:
    """A unified diff of two texts; `whole` shows every line of both as context."""
    if old == new:
        return ""
    a = diff_lines(old or "")
    b = diff_lines(new or "")
    a = [line if line.endswith("\n") else line + "\n" for line in a]
    b = [line if line.endswith("\n") else line + "\n" for line in b]
    if label is not None:
        from_file = f"a/{label}" if old is not None else "/dev/null"
        to_file = f"b/{label}" if new is not None else "/dev/null"
    else:
        from_file = f"a/{old_def[0]}" if old_def else "/dev/null"
        to_file = f"b/{new_def[0]}" if new_def else "/dev/null"
    context = max(len(a), len(b)) if whole else 3
    text = "".join(difflib.unified_diff(a, b, from_file, to_file, n=context))
    if whole:  # one hunk: number its lines as in the files, not from the definition's start
        old_at = old_def[3] - 1 if old_def else 0
        new_at = new_def[3] - 1 if new_def else 0

        def renumber(m: re.Match) -> str:
            a_start, b_start = int(m.group(1)), int(m.group(3))
            a_start += old_at if a_start else 0
            b_start += new_at if b_start else 0
            return f"@@ -{a_start}{m.group(2) or ''} +{b_start}{m.group(4) or ''} @@"

        text = _HUNK.sub(renumber, text, count=1)
    return text


_HUNK = re.compile(r"^@@ -(\d+)(,\d+)? \+(\d+)(,\d+)? @@", re.M)


def _membership(con, old_sql: str | None, new_sql: str | None, in_base: bool, in_head: bool,
                sample: int) -> Membership:
    from . import engine  # only with a connection: checking and compiling never load duckdb

    try:
        with engine.duckdb_errors():
            before = engine.member_keys(con, old_sql) if old_sql is not None else None
            after = engine.member_keys(con, new_sql) if new_sql is not None else None
    except engine.EngineError as err:
        return Membership(None, None, 0, 0, 0, error=str(err))
    old, new = before or set(), after or set()
    entered, left = new - old, old - new
    error = None
    if (in_base and before is None) or (in_head and after is None):
        error = "one side has no SQL; its members are not counted"
    return Membership(
        before=len(before) if before is not None else None,
        after=len(after) if after is not None else None,
        entered=len(entered), left=len(left), unchanged=len(old & new),
        entered_sample=_sorted(entered)[:sample], left_sample=_sorted(left)[:sample],
        error=error,
    )


def _sorted(keys: set) -> list:
    try:
        return sorted(keys)
    except TypeError:  # mixed types or missing keys
        return sorted(keys, key=lambda k: (k is None, type(k).__name__, str(k)))


# --- rendering ------------------------------------------------------------------------


def _count(n: int | None) -> str:
    return "–" if n is None else str(n)


def _members_cell(m: Membership | None) -> tuple[str, str, str]:
    if m is None:
        return "", "", ""
    if m.error and m.before is None and m.after is None:
        return "error", "", ""
    return f"{_count(m.before)} → {_count(m.after)}", f"+{m.entered}", f"−{m.left}"


def _change_label(s: SegmentChange) -> str:
    if s.change != "changed":
        return s.change
    if s.kind == "SQL only":
        return "SQL only" + (f", via {', '.join(s.via)}" if s.via else "")
    if s.kind == "text only":
        return "text only, same SQL"
    return "definition changed" + (f", also via {', '.join(s.via)}" if s.via else "")


def _headline(diff: ProjectDiff) -> str:
    c = diff.counts()
    moment = diff.as_of.isoformat() if diff.as_of else "now"
    return (f"{c['added']} added, {c['removed']} removed, {c['changed']} changed, "
            f"{c['unchanged']} unchanged (SQL for {diff.dialect}, as of {moment})")


def _sample_line(keys: list, total: int) -> str:
    more = ", …" if total > len(keys) else ""
    return ", ".join(str(k) for k in keys) + more


def render_text(diff: ProjectDiff) -> str:
    out = [f"segdsl diff: {diff.base} → {diff.head}", _headline(diff)]
    if diff.base_errors:
        out.append("")
        out.append(f"the project at {diff.base} has errors; its broken segments have no SQL:")
        out.extend(f"  {e}" for e in diff.base_errors)
    if diff.segments:
        out.append("")
        width = max(len(s.name) for s in diff.segments)
        for s in diff.segments:
            line = f"  {s.change:<8} {s.name:<{width}}"
            if s.members is not None:
                members, entered, left = _members_cell(s.members)
                line += f"  {members:<13} {entered:>6} {left:>6}"
            if s.change == "changed":
                line += f"  [{_change_label(s)}]"
            out.append(line.rstrip())
    for t in diff.traits:
        out.append(f"  trait {t.change}: {t.name}")
    for s in diff.segments:
        out.append("")
        out.append(f"=== {s.name}: {_change_label(s)} ===")
        if s.description:
            out.append(f'"{s.description}"')
        if s.note:
            out.append(f"note: {s.note}")
        m = s.members
        if m is not None:
            if m.error:
                out.append(f"members: {m.error}")
            if m.before is not None or m.after is not None:
                out.append(f"members: {_count(m.before)} → {_count(m.after)}: "
                           f"{m.entered} entered, {m.left} left, {m.unchanged} unchanged")
                if m.entered_sample:
                    out.append(f"  entered: {_sample_line(m.entered_sample, m.entered)}")
                if m.left_sample:
                    out.append(f"  left:    {_sample_line(m.left_sample, m.left)}")
        if s.definition_diff:
            out.append("--- definition")
            out.append(s.definition_diff.rstrip("\n"))
        if s.sql_diff:
            out.append(f"--- SQL ({diff.dialect})")
            out.append(s.sql_diff.rstrip("\n"))
    for t in diff.traits:
        out.append("")
        out.append(f"=== trait {t.name}: {t.change} ===")
        out.append(t.definition_diff.rstrip("\n"))
    return "\n".join(out) + "\n"


def _fence(text: str) -> str:
    longest, run = 0, 0
    for ch in text:
        run = run + 1 if ch == "`" else 0
        longest = max(longest, run)
    return "`" * max(3, longest + 1)


def _diff_block(text: str) -> str:
    fence = _fence(text)
    return f"{fence}diff\n{text.rstrip(chr(10))}\n{fence}"


MARKDOWN_LIMIT = 60_000  # a GitHub comment holds at most 65,536 characters


def render_markdown(diff: ProjectDiff, max_chars: int | None = MARKDOWN_LIMIT) -> str:
    """A pull-request comment: a summary table, then one collapsible section per segment.

    When the comment would be longer than `max_chars`, the SQL diffs are left out, then
    the definition diffs, then rows of the table and of the base's errors, and a line says so.
    """
    text = _markdown(diff, sql=True, details=True)
    if max_chars is not None and len(text) > max_chars:
        text = _markdown(diff, sql=False, details=True,
                         note="SQL diffs left out to keep this comment short; run `segdsl diff` to see them.")
        if len(text) > max_chars:
            text = _markdown(diff, sql=False, details=False,
                             note="Diffs left out to keep this comment short; run `segdsl diff` to see them.")
        rows = max(len(diff.segments), len(diff.base_errors))
        while len(text) > max_chars and rows:
            rows = min(rows - 1, rows * max_chars // len(text))  # rows cost about alike
            text = _markdown(diff, sql=False, details=False, rows=rows,
                             note="Diffs and rows left out to keep this comment short; "
                                  "run `segdsl diff` to see them.")
    return text


def _markdown(diff: ProjectDiff, *, sql: bool, details: bool, note: str | None = None,
              rows: int | None = None) -> str:
    """The comment; with `rows`, only the first `rows` segments and base errors are listed."""
    segments, errors = diff.segments[:rows], diff.base_errors[:rows]
    out = [f"### segdsl diff: `{diff.base}` → {diff.head}", "", _headline(diff), ""]
    if diff.base_errors:
        out.append(f"> **The project at `{diff.base}` has errors**; its broken segments have no SQL:")
        out.extend(f"> - `{e}`" for e in errors)
        if len(errors) < len(diff.base_errors):
            out.append(f"> - … and {len(diff.base_errors) - len(errors)} more")
        out.append("")
    if diff.segments:
        if diff.has_data:
            out.append("| segment | change | members before → after | entered | left |")
            out.append("| --- | --- | --- | ---: | ---: |")
        else:
            out.append("| segment | change |")
            out.append("| --- | --- |")
        for s in segments:
            row = f"| `{s.name}` | {_change_label(s)} |"
            if diff.has_data:
                members, entered, left = _members_cell(s.members)
                row += f" {members} | {entered} | {left} |"
            out.append(row)
        if len(segments) < len(diff.segments):
            out.append(f"| … and {len(diff.segments) - len(segments)} more | |" + " | | |" * diff.has_data)
        out.append("")
    else:
        out.append("No segment changed.")
        out.append("")
    if diff.traits:
        out.append("Traits: " + ", ".join(f"`{t.name}` {t.change}" for t in diff.traits))
        out.append("")
    if note:
        out.append(f"_{note}_")
        out.append("")
    for s in diff.segments if details else ():
        out.append(f"<details><summary><code>{s.name}</code>: {_html(_change_label(s))}</summary>")
        out.append("")
        if s.description:
            out.append(f"_{_html(s.description)}_")
            out.append("")
        if s.note:
            out.append(f"Note: {_html(s.note)}")
            out.append("")
        m = s.members
        if m is not None:
            if m.error:
                out.append(f"Members: {_html(m.error)}")
                out.append("")
            if m.before is not None or m.after is not None:
                out.append(f"Members: {_count(m.before)} → {_count(m.after)}: **{m.entered} entered**, "
                           f"**{m.left} left**, {m.unchanged} unchanged")
                out.append("")
                if m.entered_sample:
                    out.append(f"- entered: {_keys_md(m.entered_sample, m.entered)}")
                if m.left_sample:
                    out.append(f"- left: {_keys_md(m.left_sample, m.left)}")
                if m.entered_sample or m.left_sample:
                    out.append("")
        if s.definition_diff:
            out.append("Definition:")
            out.append("")
            out.append(_diff_block(s.definition_diff))
            out.append("")
        if s.sql_diff and sql:
            out.append(f"SQL ({diff.dialect}):")
            out.append("")
            out.append(_diff_block(s.sql_diff))
            out.append("")
        out.append("</details>")
        out.append("")
    for t in diff.traits if details else ():
        out.append(f"<details><summary>trait <code>{t.name}</code>: {t.change}</summary>")
        out.append("")
        out.append(_diff_block(t.definition_diff))
        out.append("")
        out.append("</details>")
        out.append("")
    return "\n".join(out).rstrip("\n") + "\n"


def _html(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _keys_md(keys: list, total: int) -> str:
    more = ", …" if total > len(keys) else ""
    return ", ".join(f"`{k}`" for k in keys) + more


def render_json(diff: ProjectDiff) -> str:
    """The whole diff as JSON with sorted keys: the same diff always gives the same text."""
    data = {
        "base": diff.base,
        "head": diff.head,
        "dialect": diff.dialect,
        "as_of": diff.as_of.isoformat() if diff.as_of else None,
        "counts": diff.counts(),
        "has_data": diff.has_data,
        "base_errors": diff.base_errors,
        "segments": [
            {**dataclasses.asdict(s), "kind": s.kind} for s in diff.segments
        ],
        "traits": [dataclasses.asdict(t) for t in diff.traits],
    }
    return json.dumps(data, sort_keys=True, indent=2, ensure_ascii=False, default=_json_value) + "\n"


def _json_value(value):
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    return str(value)
