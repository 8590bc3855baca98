"""The Python API: load a project (config + .seg files), check it, compile its segments.

    project = segdsl.load_project("examples/shop")          # raises SegdslError
    sql = project.compile_segment("lapsed_vips", dialect="snowflake")

`check_project` is the non-raising form the command line uses: it returns whatever
could be loaded together with every diagnostic.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import functools
import gc
import os
from dataclasses import dataclass, field
from pathlib import Path

from .config import CONFIG_FILE, Config, as_of_problem, load_config, segment_folders, setting_span
from .diagnostics import Collector, Diagnostic, SegdslError, Span, has_errors
from .parse import parse_source
from .resolve import TOO_DEEP_HINT, Program, resolve


@contextlib.contextmanager
def collector_paused():
    """Python's cyclic garbage collector paused, then left as it was found. Parsing,
    checking and compiling allocate many short-lived objects, which reference counting
    frees; the collector's passes over a large loaded project find nothing and cost a
    fifth of the time of compiling it. sqlglot's trees (nodes point to their parents)
    leave no cycles behind: render.py takes each apart once its SQL is written."""
    if not gc.isenabled():
        yield
        return
    gc.disable()
    try:
        yield
    finally:
        gc.enable()


def _gc_paused(fn):
    """`fn` run with the collector paused (collector_paused), for each API call."""
    @functools.wraps(fn)
    def paused(*args, **kwargs):
        with collector_paused():
            return fn(*args, **kwargs)
    return paused


@dataclass
class Project:
    config: Config
    program: Program
    sources: dict[str, str] = field(default_factory=dict)  # shown file name -> text
    root: Path | None = None

    @property
    def segments(self) -> list[str]:
        return list(self.program.segments)

    def description(self, name: str) -> str | None:
        return self.program.definitions[name].description

    def compile_tree(self, name: str, dialect: str | None = None, as_of: dt.datetime | None = None):
        if name not in self.program.segments:
            raise KeyError(name)
        _check_as_of(as_of)
        from . import compile as compiler  # not imported by `check`: sqlglot is slow to load

        return compiler.compile_segment(self.program, name, dialect or self.config.dialect, as_of)

    @_gc_paused
    def compile_segment(self, name: str, dialect: str | None = None, as_of: dt.datetime | None = None) -> str:
        """One SQL statement returning the key of every member of segment `name`."""
        dialect = dialect or self.config.dialect
        try:
            return _render(self.compile_tree(name, dialect, as_of), dialect)
        except RecursionError:
            raise self._too_deep(name) from None

    def _check_columns(self, names: list[str], shape: str) -> None:
        """compile_many's columns must have distinct names: the key and the segments' (wide),
        or the key and `segment` (long). Engines fold the case of unquoted names."""
        key = self.config.entity.key
        if shape == "wide":
            clash = next((n for n in names if n.lower() == key.lower()), None)
            if clash is not None:
                raise SegdslError([Diagnostic(
                    "N006", f"segment '{clash}' has the same name as the entity key: the wide shape "
                    f"would have two columns '{clash}'", self.program.definitions[clash].name_span,
                    ("rename the segment, or use the long shape",))], self.sources)
        elif key.lower() == "segment":
            config = next((f for f in self.sources if Path(f).name == CONFIG_FILE), None)
            span = setting_span(self.sources[config], config, "entity", "key") if config else None
            raise SegdslError([Diagnostic(
                "N006", "the entity key is named 'segment', as is the long shape's segment column", span,
                ("use the wide shape",))], self.sources)

    def _too_deep(self, name: str) -> SegdslError:
        d = self.program.definitions[name]
        return SegdslError(
            [Diagnostic("E003", f"segment '{name}' is nested too deeply to compile", d.name_span,
                        (TOO_DEEP_HINT,))],
            self.sources,
        )

    @_gc_paused
    def compile_many(self, names: list[str] | None = None, dialect: str | None = None,
                     as_of: dt.datetime | None = None, shape: str = "long") -> str:
        """One statement giving the membership of several segments (all by default), with
        one scan of each event table: shape "long" gives (key, segment) rows, "wide" one row
        per entity row with a true/false column per segment."""
        from . import compile as compiler

        if isinstance(names, str):  # a list of its letters is never what is meant
            raise TypeError(f"compile_many takes a list of segment names, not the string {names!r}")
        names = list(dict.fromkeys(names if names is not None else self.segments))  # each once
        unknown = [n for n in names if n not in self.program.segments]
        if unknown:
            raise KeyError(unknown[0])
        if shape not in ("long", "wide"):
            raise ValueError(f"shape must be 'long' or 'wide', not {shape!r}")
        if not names:
            raise ValueError("no segments to compile")
        _check_as_of(as_of)
        self._check_columns(names, shape)
        dialect = dialect or self.config.dialect
        try:
            return _render(compiler.compile_many(self.program, names, dialect, as_of, shape), dialect)
        except RecursionError:
            # name the segment that is too deep: the first that fails alone (error path only)
            for name in names:
                try:
                    self.compile_tree(name, dialect, as_of)
                except RecursionError:
                    raise self._too_deep(name) from None
            raise


def _check_as_of(as_of) -> None:
    if as_of is None:
        return
    if not isinstance(as_of, dt.datetime):
        raise TypeError(f"as_of must be a datetime.datetime, not {type(as_of).__name__}")
    if problem := as_of_problem(as_of):
        raise ValueError(problem)


def _render(tree, dialect: str) -> str:
    from .render import render  # sqlglot is slow to load: not imported by `check`

    return render(tree, dialect)


def check_project(path: str | os.PathLike) -> tuple[Project | None, list[Diagnostic], dict[str, str]]:
    """Load and check the project in folder `path`, never raising for the user's mistakes."""
    diags = Collector()
    config, files, sources = read_project(path, diags)
    if config is None:
        return None, diags.diagnostics, sources
    return build_project(config, files, sources, diags, Path(path))


def read_project(path: str | os.PathLike, diags: Collector) -> tuple[Config | None, dict[str, str], dict[str, str]]:
    """Find and read the files of the project in folder `path`, parsing none but its
    config: the config (None when it cannot be read), the text of each `.seg` file under
    its segment folders, and every text read (config included), each by its shown name.
    Files that cannot be read are left out and reported to `diags`."""
    root, shown_config, config_text, sources = _read_config(Path(path), diags)
    config = load_config(config_text, shown_config, diags) if config_text is not None else None
    if config is None:
        return None, {}, sources
    files = _read_segment_files(root, config.segment_dirs, config_text, shown_config, diags)
    return config, files, {**sources, **files}


def read_segment_files(path: str | os.PathLike, diags: Collector) -> tuple[dict[str, str] | None, dict[str, str]]:
    """The `.seg` files of the project in folder `path` as `read_project` finds them, and
    every text read, reading of the config only where they are: formatting needs nothing
    else of it, so a config that fails its other checks still lets it run. The files are
    None when the config does not say where they are (the reasons are in `diags`)."""
    root, shown_config, config_text, sources = _read_config(Path(path), diags)
    folders = segment_folders(config_text, shown_config, diags) if config_text is not None else None
    if folders is None:
        return None, sources
    files = _read_segment_files(root, folders, config_text, shown_config, diags)
    return files, {**sources, **files}


def _read_config(root: Path, diags: Collector) -> tuple[Path, str, str | None, dict[str, str]]:
    """(root, the config's shown name, its text or None, {shown name: text})."""
    config_path = root / CONFIG_FILE
    shown_config = shown_path(config_path)
    if not config_path.is_file():
        diags.error(
            "C002", f"no {CONFIG_FILE} in {root}", None,
            "run segdsl in a project folder, or pass the folder: segdsl check path/to/project",
        )
        return root, shown_config, None, {}
    config_text = _read(config_path, shown_config, diags)
    return root, shown_config, config_text, {} if config_text is None else {shown_config: config_text}


def _read_segment_files(root: Path, folders, config_text: str, shown_config: str, diags: Collector) -> dict[str, str]:
    files: dict[str, str] = {}
    seen: set[Path] = set()
    for folder in folders:
        base = root / folder
        if not base.is_dir():
            diags.error("C003", f"segment folder '{folder}' does not exist",
                        setting_span(config_text, shown_config, "project", "segments"))
            continue
        for file in sorted(base.rglob("*.seg")):
            real = _real(file)
            shown = shown_path(file, real)
            if not file.is_file():  # a folder, a FIFO (reading would block) or a symlink to neither
                diags.error("C004", f"cannot read {shown}: not a file", None)
                continue
            if real in seen:  # overlapping folders, or a symlink to a file read already
                continue
            seen.add(real)
            text = _read(file, shown, diags)
            if text is not None:
                files[shown] = text
    return files


def _real(path: Path) -> Path:
    try:
        return path.resolve()
    except (OSError, RuntimeError):  # a symlink loop: RuntimeError before Python 3.13
        return path


def load_project(path: str | os.PathLike) -> Project:
    project, diagnostics, sources = check_project(path)
    if project is None or has_errors(diagnostics):
        raise SegdslError(diagnostics, sources)
    return project


def project_from_sources(config_text: str, files: dict[str, str]) -> Project:
    """A project from text in memory: `files` maps a file name to its segment source."""
    if not isinstance(config_text, str) or not all(isinstance(t, str) for t in files.values()):
        raise TypeError("project_from_sources takes the config and each file as text (str)")
    diags = Collector()
    sources = {CONFIG_FILE: config_text, **files}
    config = load_config(config_text, CONFIG_FILE, diags)
    if config is None:
        raise SegdslError(diags.diagnostics, sources)
    project, diagnostics, _ = build_project(config, files, sources, diags, None)
    if project is None or has_errors(diagnostics):
        raise SegdslError(diagnostics, sources)
    return project


@_gc_paused
def build_project(config: Config, files: dict[str, str], sources, diags: Collector, root):
    """Parse and resolve segment files already read (from disk, or from git for `diff`)."""
    definitions = []
    for shown, text in files.items():
        definitions.extend(parse_source(text, shown, diags))
    program = resolve(definitions, config, diags)
    return Project(config, program, sources, root), _in_source_order(diags.diagnostics), sources


def _in_source_order(diagnostics: list[Diagnostic]) -> list[Diagnostic]:
    """Stages find problems in their own order; users read files top to bottom."""
    def position(d: Diagnostic):
        return (0, "", 0, 0) if d.span is None else (1, d.span.file, d.span.line, d.span.col)
    return sorted(diagnostics, key=position)


def shown_path(path: Path, real: Path | None = None) -> str:
    """How a file is named in messages: relative to the current folder when inside it.
    `real` is the path resolved, when the caller has it already."""
    try:
        return str((real or _real(path)).relative_to(Path.cwd().resolve()))
    except ValueError:
        return str(path)


def _read(path: Path, shown: str, diags: Collector) -> str | None:
    try:
        data = path.read_bytes()
    except OSError as err:
        diags.error("C004", f"cannot read {shown}: {err.strerror}", None)
        return None
    return decode(data, shown, diags)


def decode(data: bytes, shown: str, diags: Collector) -> str | None:
    """A project file's text; a byte-order mark, which some Windows editors write, is dropped."""
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as err:
        data = err.object  # without the mark, so columns on line 1 count as an editor shows them
        line = data.count(b"\n", 0, err.start) + 1
        col = err.start - (data.rfind(b"\n", 0, err.start) + 1) + 1
        diags.error(
            "E000", f"{shown} is not UTF-8 text (byte 0x{data[err.start]:02x})",
            Span(shown, line, col, line, col + 1), "save the file as UTF-8",
        )
        return None


