"""Lint: warnings about segments that check without errors but are probably wrong.

Each rule is one module here (ENGINEERING.md, practice 8): a stable `CODE`, a `NAME` for
the pattern it flags, a docstring with the anti-pattern and the better form, a
`check(ctx)` that yields `Diagnostic`s, and `PASS` / `FAIL` lists of small segment
sources run by tests/test_lint.py against `CASE_CONFIG`. In a `FAIL` source the line
that must get the warning ends with the comment `# <-`.

    diagnostics = run_lint(project)     # warnings (or errors, when re-levelled)

Rules are turned off or re-levelled in segdsl.toml, by code or by name:

    [lint]
    disable = ["L004", "unused-trait"]
    [lint.severity]
    L001 = "error"                      # "error", "warning" or "off"

and per definition with a comment anywhere in the segment or trait a warning points into
(from its keyword to the end of its last line): `# segdsl: disable=L001` (several:
`disable=L001,L004`) or `# segdsl: disable` for all. Not per line: `segdsl fmt` moves
comments between a definition's lines, never out of it, so formatting cannot change what
is suppressed.

Rules see the syntax tree (for where things are written) and ask `ctx.cond(node)` for
the typed IR of any condition in it (for what it means).
"""

from __future__ import annotations

import importlib
import pkgutil
import re
from bisect import bisect_right
from dataclasses import dataclass, replace

from .. import ast, ir
from ..diagnostics import Diagnostic, Span, source_lines
from ..parse import comments
from ..resolve import condition_resolver
from ._logic import MAX_CHAIN, Part, forget, part_of

# one module per rule, named l<NNN>_<name>.py: adding a rule is adding a file
RULES = tuple(
    importlib.import_module(f"{__name__}.{module.name}")
    for module in sorted(pkgutil.iter_modules(__path__), key=lambda m: m.name)
    if re.fullmatch(r"l\d{3}_\w+", module.name)
)
BY_CODE = {r.CODE: r for r in RULES}
BY_NAME = {r.NAME: r for r in RULES}
SEVERITIES = ("error", "warning", "off")

# The project every rule's PASS / FAIL cases are checked against.
CASE_CONFIG = """
[project]
name = "lint-cases"

[entity]
table = "customers"
key = "customer_id"

[entity.columns]
age = "int"
score = "float"
country = "string"
email = "string"
signup_at = "timestamp"
birth_date = "date"
is_subscribed = "bool"

[events.purchase]
table = "orders"
key = "customer_id"
time = "ordered_at"
[events.purchase.columns]
amount = "float"
category = "string"

[events.add_to_cart]
table = "events"
key = "customer_id"
time = "occurred_at"
filter = { event_type = "add_to_cart" }
[events.add_to_cart.columns]
value = "float"
"""


def code_of(word: str) -> str | None:
    """The rule code for a code or a name (`L001`, `l001`, `unsatisfiable-condition`)."""
    if word.upper() in BY_CODE:
        return word.upper()
    rule = BY_NAME.get(word.lower())
    return rule.CODE if rule else None


def run_lint(project) -> list[Diagnostic]:
    """Every enabled rule's findings on a project that checked without errors, in source
    order, with the project's [lint] settings and the `# segdsl: disable` comments applied.
    (In a project with errors, a definition that failed stands for `Invalid` in the IR:
    the traits it uses would look unused, and `check` does not lint such a project.)"""
    disabled = set(project.config.lint.disable)
    levels = dict(project.config.lint.severity)
    ctx = Context(project)
    found: list[Diagnostic] = []
    try:
        for rule in RULES:
            level = levels.get(rule.CODE, "warning")
            if rule.CODE in disabled or level == "off":
                continue
            for d in rule.check(ctx):
                if not ctx.suppressed(d):
                    found.append(replace(d, severity=level))
    finally:
        forget()
    found = list(dict.fromkeys(found))  # one finding reached twice is reported once
    return sorted(found, key=lambda d: (d.span is not None, *(
        (d.span.file, d.span.line, d.span.col) if d.span else ()), d.code))


# --- what rules see ---------------------------------------------------------------------


@dataclass(frozen=True)
class Site:
    """A condition in a definition: the node, the event whose filter it is in (if any),
    and how many `not`s enclose it."""

    definition: ast.Definition
    node: ast.Node
    event: str | None
    negations: int


@dataclass(frozen=True)
class Group:
    """An `and` / `or` chain, parentheses of the same operator flattened."""

    definition: ast.Definition
    op: str
    items: tuple[ast.Node, ...]
    event: str | None
    node: ast.BoolOp


_SUPPRESS = re.compile(r"segdsl:\s*disable\b(?:\s*=\s*([A-Za-z0-9_,\s-]+))?", re.IGNORECASE)


class Context:
    def __init__(self, project):
        self.program = project.program
        self.sources = project.sources
        self.definitions = list(self.program.definitions.values())
        self._resolve = condition_resolver(self.program)
        self._ir: dict = {}
        self._sites: list[Site] | None = None
        self._groups: list[Group] | None = None
        self._parts: dict[tuple, tuple[ast.Node, Part | None]] = {}  # (id(node), event) -> its Part
        self._disabled: dict[str, tuple[list, list[set[str]]]] = {}  # file -> see _disables

    def diagnostic(self, code: str, span: Span | None, message: str, *hints: str) -> Diagnostic:
        return Diagnostic(code, message, span, tuple(h for h in hints if h), "warning")

    # meaning --------------------------------------------------------------------------

    def cond(self, node: ast.Node, event: str | None = None) -> ir.Cond | None:
        """The IR of a condition in the tree, or None when it does not check as one."""
        key = (id(node), event)
        if key not in self._ir:
            result = self._resolve(node, event)
            if ir.has_invalid(result):
                result = None
            self._ir[key] = (node, result)  # keep node alive so its id stays unique
        return self._ir[key][1]

    def text(self, node: ast.Node) -> str:
        """The source text of a node, on one line."""
        s = node.span
        if s is None or s.file not in self.sources:
            return "this condition"
        lines = source_lines(self.sources[s.file])[s.line - 1:s.end_line]
        if not lines:
            return "this condition"
        if len(lines) == 1:
            part = lines[0][s.col - 1:s.end_col - 1]
        else:
            part = "\n".join([lines[0][s.col - 1:], *lines[1:-1], lines[-1][:s.end_col - 1]])
        part = " ".join(_strip_comments(part).split())
        return part if len(part) <= 80 else part[:77] + "..."

    # where ----------------------------------------------------------------------------

    def sites(self) -> list[Site]:
        """Every condition position: segment bodies, bool trait bodies, `and`/`or` items,
        what `not` negates, event filters."""
        if self._sites is None:
            out: list[Site] = []
            for d in self.definitions:
                if d.kind == "segment" or self.cond(d.body) is not None:
                    self._walk(d, d.body, None, 0, True, out)
                else:
                    self._walk(d, d.body, None, 0, False, out)
            self._sites = out
        return self._sites

    def _walk(self, d, node, event, negations, is_cond, out):
        if is_cond:
            out.append(Site(d, node, event, negations))
        if isinstance(node, ast.BoolOp):
            for item in node.items:
                self._walk(d, item, event, negations, True, out)
            return
        if isinstance(node, ast.Not):
            self._walk(d, node.item, event, negations + 1, True, out)
            return
        if isinstance(node, ast.EventRef):
            if node.filter is not None:
                self._walk(d, node.filter, node.name, 0, True, out)
            return
        for child in ast.children(node):
            self._walk(d, child, event, negations, False, out)

    def part(self, node: ast.Node, event: str | None = None) -> Part | None:
        """The Part of one condition (see `_logic.part_of`), worked out once for all rules,
        whether they take it as a site or as an item of a chain."""
        key = (id(node), event)
        if key not in self._parts:
            self._parts[key] = (node, part_of(self, node, event))  # the node kept: its id stays unique
        return self._parts[key][1]

    def groups(self, op: str | None = None) -> list[Group]:
        """The maximal `and` / `or` chains (an `and` nested directly in an `and` joins it)."""
        if self._groups is None:
            self._groups = self._find_groups()
        return [g for g in self._groups if op is None or g.op == op]

    def _find_groups(self) -> list[Group]:
        result, inner = [], set()
        for site in self.sites():
            node = site.node
            if not isinstance(node, ast.BoolOp) or id(node) in inner:
                continue
            items = []
            stack = list(reversed(node.items))
            while stack:
                item = stack.pop()
                if isinstance(item, ast.BoolOp) and item.op == node.op:
                    inner.add(id(item))
                    stack.extend(reversed(item.items))
                else:
                    items.append(item)
            if len(items) <= MAX_CHAIN:
                result.append(Group(site.definition, node.op, tuple(items), site.event, node))
        return result

    # comments -------------------------------------------------------------------------

    def suppressed(self, d: Diagnostic) -> bool:
        if d.span is None:
            return False
        if d.span.file not in self._disabled:  # each file scanned once, not once per finding
            self._disabled[d.span.file] = self._disables(d.span.file)
        starts, codes = self._disabled[d.span.file]
        i = bisect_right(starts, (d.span.line, d.span.col)) - 1  # the definition it is in
        return i >= 0 and d.code in codes[i]

    def _disables(self, file: str) -> tuple[list[tuple[int, int]], list[set[str]]]:
        """Where each definition of `file` starts, in order, and the codes the disable
        comments in it turn off. A comment is in the last definition that starts before it
        when it is on or above that definition's last line: the comments `segdsl fmt`
        keeps inside the definition."""
        spans = sorted((d.span for d in self.definitions if d.span and d.span.file == file),
                       key=lambda s: (s.line, s.col))
        starts = [(s.line, s.col) for s in spans]
        codes: list[set[str]] = [set() for _ in spans]
        text = self.sources.get(file)
        for c in comments(text) if text is not None else ():
            i = bisect_right(starts, (c.line, c.col)) - 1
            if i < 0 or c.line > spans[i].end_line:
                continue
            # every directive: fmt joins trailing comments that end up on one line into one
            for m in _SUPPRESS.finditer(c.text):
                if m.group(1):
                    codes[i] |= {code_of(w.strip()) for w in m.group(1).split(",") if w.strip()}
                else:
                    codes[i] |= set(BY_CODE)
        return starts, codes


def _strip_comments(text: str) -> str:
    lines = text.split("\n")
    for c in comments(text):
        lines[c.line - 1] = lines[c.line - 1][:c.col - 1]
    return "\n".join(lines)
