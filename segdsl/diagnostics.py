"""One diagnostic type for every stage (config, syntax, names, types), and its text rendering.

Every problem found in a user's files becomes a `Diagnostic` with a code, a message, the
span it points at and hints; stages collect them instead of stopping at the first.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass, field
from functools import lru_cache


@dataclass(frozen=True)
class Span:
    """A region of a source file; lines and columns count from 1, `end_col` is exclusive."""

    file: str
    line: int
    col: int
    end_line: int
    end_col: int

    def __str__(self) -> str:
        return f"{self.file}:{self.line}:{self.col}"


@dataclass(frozen=True)
class Diagnostic:
    code: str
    message: str
    span: Span | None
    hints: tuple[str, ...] = ()
    severity: str = "error"


class SegdslError(Exception):
    """Raised by the Python API when a project has errors; carries every diagnostic."""

    def __init__(self, diagnostics: list[Diagnostic], sources: dict[str, str] | None = None):
        self.diagnostics = list(diagnostics)
        self.sources = sources or {}
        super().__init__(render_all(self.diagnostics, self.sources))


@dataclass
class Collector:
    """Accumulates diagnostics for one run."""

    diagnostics: list[Diagnostic] = field(default_factory=list)

    def error(self, code: str, message: str, span: Span | None, *hints: str) -> None:
        self.diagnostics.append(Diagnostic(code, message, span, tuple(h for h in hints if h)))

    @property
    def has_errors(self) -> bool:
        return has_errors(self.diagnostics)


def has_errors(diagnostics: list[Diagnostic]) -> bool:
    return any(d.severity == "error" for d in diagnostics)


def did_you_mean(name: str, candidates) -> str:
    """A hint naming the closest candidate, or '' when none is close."""
    close = difflib.get_close_matches(name, sorted(set(candidates)), n=1, cutoff=0.6)
    return f"did you mean '{close[0]}'?" if close else ""


def diff_lines(text: str) -> list[str]:
    """The lines of a text for difflib, each with its "\n" (the last may have none): split
    at "\n" only, as source_lines, so a string holding \u2028 stays on its line."""
    lines = [line + "\n" for line in text.split("\n")]
    lines[-1] = lines[-1][:-1]
    return lines if lines[-1] else lines[:-1]


@lru_cache(maxsize=64)  # one split per file, not per diagnostic or lint finding
def source_lines(text: str) -> tuple[str, ...]:
    """The lines of a source file as spans count them: split at "\n" only (str.splitlines
    also splits at form feeds, \u2028 and lone "\r", which the parsers read as spaces),
    without the "\r" of Windows line ends."""
    return tuple(line.removesuffix("\r") for line in text.split("\n"))


def render_text(diag: Diagnostic, sources: dict[str, str]) -> str:
    """`file:line:col: error[CODE]: message`, the source line with a caret, then hints."""
    lines = []
    where = f"{diag.span}: " if diag.span else ""
    lines.append(f"{where}{diag.severity}[{diag.code}]: {diag.message}")
    text = sources.get(diag.span.file) if diag.span else None
    if text is not None:
        lines_of_file = source_lines(text)
        if 0 < diag.span.line <= len(lines_of_file):
            src = lines_of_file[diag.span.line - 1].expandtabs(1)
            gutter = str(diag.span.line)
            pad = " " * len(gutter)
            if len(src) > 200:  # a huge line: show only the part around the caret
                start = max(0, diag.span.col - 80)
                src, offset = src[start:start + 160], start
            else:
                offset = 0
            width = (
                diag.span.end_col - diag.span.col
                if diag.span.end_line == diag.span.line and diag.span.end_col > diag.span.col
                else 1
            )
            col = max(diag.span.col - 1 - offset, 0)
            width = max(1, min(width, len(src) - col))
            lines.append(f" {pad} |")
            lines.append(f" {gutter} | {src}")
            lines.append(f" {pad} | {' ' * col}{'^' * width}")
    for hint in diag.hints:
        lines.append(f"  = help: {hint}")
    return "\n".join(lines)


def render_all(diagnostics: list[Diagnostic], sources: dict[str, str]) -> str:
    return "\n\n".join(render_text(d, sources) for d in diagnostics)
