"""Stage 2: syntax trees + config -> typed IR, checking every name and type on the way.

Definitions may come in any order and in any file: each is resolved once, after those it
uses (a walk of the references first finds that order, and any cycle, with its path).
Errors are collected and resolution goes on, so one run reports them all; a value that
already failed becomes `ir.Invalid` and raises nothing further.
"""

from __future__ import annotations

import datetime as dt
import re
import warnings
from dataclasses import dataclass, field

from . import ast, ir
from .config import Config, EventSource
from .diagnostics import Collector, Span, did_you_mean
from .regex import unportable

_MIDNIGHT = dt.time(0, 0)
# Levels of meaning a definition may have, counting those of the segments and traits it
# uses. Compiling recurses through them and runs out of Python's stack at 175 to 330,
# by the kind of level (a division takes most); checking stops here so that compiling
# and lint need not guard each recursion. One definition reaches about 100
# (parse.MAX_DEPTH); only long chains of references come near this.
MAX_IR_DEPTH = 150
TOO_DEEP_HINT = "shorten the chain of segments and traits that refer to each other"
# Nodes a definition may have written out (ir.size). Depth is not size: SQL writes a
# trait out at each use, so a chain of traits each using the one before twice doubles
# with each, and 40 of them would never finish compiling (a segment used more than once
# is computed once, in a CTE). This many take about 8 s and 24 MB of SQL, past what most
# warehouses accept in one statement; the largest example segment has 34.
MAX_IR_SIZE = 1_000_000


@dataclass
class Program:
    """A checked project: every definition's meaning, in source order."""

    config: Config
    definitions: dict[str, ast.Definition]
    segments: dict[str, ir.Cond] = field(default_factory=dict)
    traits: dict[str, ir.Value] = field(default_factory=dict)


@dataclass(frozen=True)
class _Scope:
    """Where a name is looked up: the entity row, or one event's row inside a filter."""

    event: EventSource | None = None


_ENTITY = _Scope()


def resolve(definitions: list[ast.Definition], config: Config, diags: Collector) -> Program:
    by_name: dict[str, ast.Definition] = {}
    resolver = _Resolver(config, by_name, diags)  # reads by_name as it fills
    for d in definitions:
        if d.name in by_name:
            first = by_name[d.name]
            diags.error(
                "N006", f"'{d.name}' is defined twice", d.name_span,
                f"the first definition is a {first.kind} at {first.name_span}; names are unique across the project",
            )
        elif d.name in resolver.columns:
            diags.error(
                "N006", f"{d.kind} '{d.name}' has the same name as an entity column", d.name_span,
                "rename the definition",
            )
        else:
            by_name[d.name] = d
    program = Program(config, by_name)
    for name in _bottom_up(by_name, diags):
        resolver.definition(name)
    for name, d in by_name.items():
        result = resolver.done[name]
        if d.kind == "segment":
            program.segments[name] = result
        else:
            program.traits[name] = result
    return program


def _bottom_up(by_name: dict[str, ast.Definition], diags: Collector) -> list[str]:
    """The definitions, each after those it uses, so that resolving one finds the ones it
    uses resolved and no chain of references, however long, recurses. A reference back to
    a definition on the walk's path closes a cycle: reported there, with that path."""
    order, done, path = [], set(), {}  # path: each name on it -> its uses not yet walked
    for root in by_name:
        if root not in done:
            path[root] = iter(_uses(by_name[root].body, by_name))
        while path:
            name = next(reversed(path))
            for used, span in path[name]:
                if used in path:
                    on_path = list(path)
                    diags.error(
                        "N005", "definitions refer to each other in a cycle: "
                        + " -> ".join(on_path[on_path.index(used):] + [used]), span,
                        "a segment or trait may not depend on itself, directly or through others",
                    )
                elif used not in done:
                    path[used] = iter(_uses(by_name[used].body, by_name))
                    break
            else:
                del path[name]
                done.add(name)
                order.append(name)
    return order


def _uses(body: ast.Node, by_name: dict[str, ast.Definition]) -> list[tuple[str, Span]]:
    """The segments and traits `body` refers to, with where, in the order resolving it
    meets them. Aggregates and `did` name only an event and its columns."""
    out, todo = [], [body]
    while todo:
        node = todo.pop()
        if isinstance(node, (ast.Ref, ast.InSegment)):
            d = by_name.get(node.name)
            if d is not None and d.kind == ("trait" if isinstance(node, ast.Ref) else "segment"):
                out.append((node.name, node.span))
        elif not isinstance(node, (ast.Aggregate, ast.Did)):
            todo.extend(reversed(ast.children(node)))
    return out


def _failed(d: ast.Definition):
    """What a definition that failed to check stands for: a value or a condition."""
    return ir.Invalid() if d.kind == "trait" else ir.Truthy(ir.Invalid())


def condition_resolver(program: Program):
    """`cond(node, event=None)`: the IR of any condition in the program's trees, or None
    when it does not check as one; for passes, like lint, that reason about parts of a
    definition. `event` names the event whose filter the node sits in."""
    resolver = _SharingResolver(program.config, program.definitions, Collector())
    resolver.done.update(program.segments)  # referenced definitions: resolved already
    resolver.done.update(program.traits)

    def cond(node: ast.Node, event: str | None = None) -> ir.Cond | None:
        scope = _ENTITY if event is None else _Scope(program.config.events[event])
        before = len(resolver.diags.diagnostics)
        result = resolver.cond(node, scope)
        return None if len(resolver.diags.diagnostics) > before else result

    return cond


class _Resolver:
    def __init__(self, config: Config, definitions: dict[str, ast.Definition], diags: Collector):
        self.config = config
        self.defs = definitions
        self.diags = diags
        self.columns = dict(config.entity.columns)
        self.event_columns = {name: dict(ev.columns) for name, ev in config.events.items()}
        self.done: dict[str, ir.Cond | ir.Value] = {}
        self.resolving = False  # a definition's body is being resolved

    def error(self, code: str, message: str, span: Span | None, *hints: str) -> ir.Invalid:
        self.diags.error(code, message, span, *hints)
        return ir.Invalid()

    # --- definitions ------------------------------------------------------------------

    def definition(self, name: str):
        """The meaning of definition `name`. `resolve` asks for them bottom-up, so one
        that a definition uses and is not done yet is in a cycle, reported already."""
        if name in self.done:
            return self.done[name]
        d = self.defs[name]
        if self.resolving:
            return _failed(d)
        self.resolving = True
        if d.kind == "segment":
            result = self.cond(d.body, _ENTITY)
        else:
            result = self.value(d.body, _ENTITY)
        self.resolving = False
        # reported once: the definitions using this one see Invalid, and say no more
        if not ir.has_invalid(result) and self._too_big(d, result):
            result = _failed(d)
        self.done[name] = result
        return result

    def _too_big(self, d: ast.Definition, meaning) -> bool:
        """Whether a definition's meaning is past what compiles (reported here)."""
        depth = ir.depth(meaning)
        if depth > MAX_IR_DEPTH:
            self.error(
                "E003", f"{d.kind} '{d.name}' is nested too deeply to compile: {depth} levels, "
                f"counting the segments and traits it uses (at most {MAX_IR_DEPTH})", d.name_span,
                TOO_DEEP_HINT,
            )
            return True
        # a statement writes each segment it uses once: their parts count, once each
        size = ir.size(meaning) + sum(map(ir.size, ir.segments_used(meaning).values()))
        if size > MAX_IR_SIZE:
            self.error(
                "E003", f"{d.kind} '{d.name}' is too large to compile: written out, with each trait at "
                f"each of its uses and each segment it uses once, it has {size:,} parts (at most {MAX_IR_SIZE:,})",
                d.name_span,
                "each use of a trait writes it out again, so traits that each use the one before twice "
                "double with each; use them fewer times, or make the repeated condition a segment, "
                "which is computed once however often `in segment` names it",
            )
            return True
        return False

    # --- conditions and values --------------------------------------------------------

    def cond(self, node: ast.Node, scope: _Scope) -> ir.Cond:
        result = self.expr(node, scope)
        if isinstance(result, ir.Cond):
            return result
        if result.type in ("bool", "error"):
            return ir.Truthy(result)
        self.error(
            "T001", f"expected a condition, but this is {_a(result.type)} value", node.span,
            "compare it with something, e.g. `age > 30`, or test it with `is null`",
        )
        return ir.Truthy(ir.Invalid())

    def value(self, node: ast.Node, scope: _Scope) -> ir.Value:
        result = self.expr(node, scope)
        return ir.CondValue(result) if isinstance(result, ir.Cond) else result

    def expr(self, node: ast.Node, scope: _Scope):
        method = getattr(self, "_" + type(node).__name__.lower())
        return method(node, scope)

    # conditions

    def _boolop(self, node: ast.BoolOp, scope):
        items = tuple(self.cond(item, scope) for item in node.items)
        return ir.And(items) if node.op == "and" else ir.Or(items)

    def _not(self, node: ast.Not, scope):
        return ir.Not(self.cond(node.item, scope))

    def _compare(self, node: ast.Compare, scope):
        left, right = self.value(node.left, scope), self.value(node.right, scope)
        if _invalid(left, right):
            return ir.Truthy(ir.Invalid())
        if node.op in ("before", "after"):
            for side, v in (("left", left), ("right", right)):
                if v.type not in ir.TIME:
                    self.error(
                        "T002", f"`{node.op}` compares times, but its {side} side is {_a(v.type)} value",
                        (node.left if side == "left" else node.right).span,
                        "use a date (2024-03-01), a timestamp (2024-03-01T12:00:00) or `30 days ago`",
                    )
                    return ir.Truthy(ir.Invalid())
            left, right = _align_times(left, right)
            return ir.Compare("<" if node.op == "before" else ">", left, right)
        kind = _comparable(left.type, right.type)
        if kind is None:
            self.error(
                "T002", f"cannot compare {_a(left.type)} value with {_a(right.type)} value", node.span,
                _compare_hint(left, right),
            )
            return ir.Truthy(ir.Invalid())
        if kind == "time":
            left, right = _align_times(left, right)
        return ir.Compare(node.op, left, right)

    def _inrange(self, node: ast.InRange, scope):
        v = self.value(node.value, scope)
        if _invalid(v):
            return ir.Truthy(ir.Invalid())
        bounds = [b for b in (node.low, node.high) if b is not None]
        bound_kind = "time" if bounds[0].kind in ir.TIME else "number"
        value_kind = "time" if v.type in ir.TIME else "number" if v.type in ir.NUMERIC else v.type
        if value_kind != bound_kind:
            return self.error(
                "T003", f"{_a(v.type)} value cannot be in a range of {bound_kind}s", node.span,
                "ranges hold numbers (18..65) or dates and timestamps (2024-01-01..2024-03-31)",
            ) and ir.Truthy(ir.Invalid())
        if node.low is not None and node.high is not None and _bound_key(node.low) > _bound_key(node.high):
            self.error(
                "T004", f"empty range: {_show(node.low)} is after {_show(node.high)}", node.span,
                "write the lower bound first",
            )
            return ir.Truthy(ir.Invalid())
        if bound_kind == "number" or (v.type == "date" and all(b.kind == "date" for b in bounds)):
            return ir.Between(v, _const(node.low), True, _const(node.high), True)
        low, low_inc, high, high_inc = _time_bounds(node.low, node.high)
        return ir.Between(_to_timestamp(v), low, low_inc, high, high_inc)

    def _inlist(self, node: ast.InList, scope):
        v = self.value(node.value, scope)
        if not node.items:
            self.error("T005", "empty list", node.span, "a list needs at least one item: [\"a\", \"b\"]")
            return ir.Truthy(ir.Invalid())
        if not all(isinstance(item, ast.Literal) for item in node.items):
            return self._comparisons(node, v, scope)
        items = []
        for item in node.items:
            if not _invalid(v) and _comparable(v.type, item.kind) is None:
                self.error(
                    "T005", f"{_a(item.kind)} item in a list compared with {_a(v.type)} value", item.span,
                    _compare_hint(v, _const(item)),
                )
                return ir.Truthy(ir.Invalid())
            items.append(_const(item))
        if _invalid(v):
            return ir.Truthy(ir.Invalid())
        if v.type in ir.TIME and any(i.type == "timestamp" for i in items) or v.type == "timestamp":
            v, items = _to_timestamp(v), [_to_timestamp(i) for i in items]
        return ir.InList(v, tuple(dict.fromkeys(items)), node.negated)

    def _comparisons(self, node: ast.InList, v: ir.Value, scope):
        """A list holding values other than literals: `v in [a, b]` is `v = a or v = b`, and
        `v not in [a, b]` is `v != a and v != b`, so a missing item is missing as it is in
        any comparison."""
        parts = []
        for item in node.items:
            w = self.value(item, scope)
            if _invalid(v, w):
                return ir.Truthy(ir.Invalid())
            kind = _comparable(v.type, w.type)
            if kind is None:
                self.error("T005", f"{_a(w.type)} item in a list compared with {_a(v.type)} value", item.span,
                           _compare_hint(v, w))
                return ir.Truthy(ir.Invalid())
            parts.append(ir.Compare("!=" if node.negated else "=", *(_align_times(v, w) if kind == "time" else (v, w))))
        return parts[0] if len(parts) == 1 else (ir.And if node.negated else ir.Or)(tuple(parts))

    def _textmatch(self, node: ast.TextMatch, scope):
        v = self.value(node.value, scope)
        if _invalid(v):
            return ir.Truthy(ir.Invalid())
        words = node.kind.replace("_", " ")
        if v.type != "string":
            self.error("T006", f"`{words}` needs a string value, but this is {_a(v.type)} value", node.value.span)
            return ir.Truthy(ir.Invalid())
        if node.kind == "matches":
            try:
                with warnings.catch_warnings():  # `[[:alpha:]]`: unportable() says more than Python's FutureWarning
                    warnings.simplefilter("ignore", FutureWarning)
                    re.compile(node.pattern.value)
            except re.error as err:
                self.error("T007", f"invalid regular expression: {err}", node.pattern.span)
                return ir.Truthy(ir.Invalid())
            except (OverflowError, RecursionError):  # Python's parser gives up on these
                self.error("T007", "regular expression too large: a repetition count or nesting past "
                           "what regular-expression engines accept", node.pattern.span,
                           "use smaller counts ({1,1000}) and fewer nested groups")
                return ir.Truthy(ir.Invalid())
            if found := unportable(node.pattern.value):
                what, instead = found
                self.error("T007", f"not every engine reads {what} in a regular expression", node.pattern.span, instead)
                return ir.Truthy(ir.Invalid())
        return ir.TextMatch(node.kind, v, node.pattern.value)

    def _isnull(self, node: ast.IsNull, scope):
        v = self.value(node.value, scope)
        result = ir.IsNull(v)
        return ir.Not(result) if node.negated else result

    def _inwindow(self, node: ast.InWindow, scope):
        v = self.value(node.value, scope)
        window = self.window(node.window)
        if _invalid(v) or window is None:
            return ir.Truthy(ir.Invalid())
        if v.type not in ir.TIME:
            self.error(
                "T002", f"`in last ...` needs a date or timestamp, but this is {_a(v.type)} value", node.value.span
            )
            return ir.Truthy(ir.Invalid())
        return ir.Between(_to_timestamp(v), window.low, window.low_inclusive, window.high, window.high_inclusive)

    def _did(self, node: ast.Did, scope):
        if scope.event is not None:
            self.error("T008", "`did` cannot be used inside an event filter", node.span)
            return ir.Truthy(ir.Invalid())
        count = self.aggregate("count", node.event, None, node.window, node.span)
        if _invalid(count):
            return ir.Truthy(ir.Invalid())
        return ir.Compare("=" if node.negated else ">", count, ir.Const(0, "int"))

    def _insegment(self, node: ast.InSegment, scope):
        if scope.event is not None:
            self.error("T008", "`in segment` cannot be used inside an event filter", node.span)
            return ir.Truthy(ir.Invalid())
        d = self.defs.get(node.name)
        if d is None or d.kind != "segment":
            segments = [n for n, x in self.defs.items() if x.kind == "segment"]
            hint = f"'{node.name}' is a trait; use it as a value" if d else did_you_mean(node.name, segments)
            self.error("N004", f"unknown segment '{node.name}'", node.span, hint)
            return ir.Truthy(ir.Invalid())
        return ir.SegmentRef(node.name, self.definition(node.name))

    def _percentile(self, node: ast.Percentile, scope):
        if scope.event is not None:
            self.error("T008", f"`{node.direction}` cannot be used inside an event filter", node.span)
            return ir.Truthy(ir.Invalid())
        v = self.value(node.value, scope)
        if _invalid(v):
            return ir.Truthy(ir.Invalid())
        if v.type not in ir.NUMERIC + ir.TIME:
            self.error("T009", f"`{node.direction}` ranks numbers or times, but this is {_a(v.type)} value", node.value.span)
            return ir.Truthy(ir.Invalid())
        return ir.Percentile(node.direction, node.percent, v)

    # values

    def _literal(self, node: ast.Literal, scope):
        return _const(node)

    def _ago(self, node: ast.Ago, scope):
        return _as_of_minus(node.duration)

    def _ref(self, node: ast.Ref, scope):
        name = node.name
        if scope.event is not None:
            ev = scope.event
            columns = self.event_columns[ev.name]
            if name in columns:
                return ir.EventColumn(name, columns[name])
            if name in self.columns or name in self.defs:
                what = "an entity column" if name in self.columns else f"a {self.defs[name].kind}"
                return self.error(
                    "N003", f"'{name}' is {what}; an event filter may use only {ev.name}'s columns", node.span,
                    f"{ev.name}'s columns: {', '.join(columns) or '(none declared)'}",
                )
            return self.error(
                "N002", f"event '{ev.name}' has no column '{name}'", node.span,
                did_you_mean(name, columns) or f"declare it under [events.{ev.name}.columns] in segdsl.toml",
            )
        if name in self.columns:
            return ir.Column(name, self.columns[name])
        d = self.defs.get(name)
        if d is not None:
            if d.kind == "segment":
                return self.error(
                    "N003", f"'{name}' is a segment, not a value", node.span, f"write `in segment {name}`"
                )
            resolved = self.definition(name)
            if _invalid(resolved):
                return ir.Invalid()
            return ir.Trait(name, resolved)
        if name in self.config.events:
            return self.error(
                "N003", f"'{name}' is an event, not a value", node.span,
                f"use it as `did {name}`, `count({name})` or `last({name})`",
            )
        owners = [e.name for e in self.config.events.values() if name in self.event_columns[e.name]]
        if owners:
            return self.error(
                "N003", f"'{name}' is a column of event '{owners[0]}', not of the entity", node.span,
                f"use it inside an aggregate, e.g. `sum({owners[0]}.{name})`, or a filter `{owners[0]}[{name} ...]`",
            )
        traits = [n for n, x in self.defs.items() if x.kind == "trait"]
        return self.error(
            "N001", f"unknown name '{name}'", node.span,
            did_you_mean(name, list(self.columns) + traits)
            or "declare the column under [entity.columns] in segdsl.toml, or define a trait",
        )

    def _call(self, node: ast.Call, scope):
        v = self.value(node.arg, scope)
        if _invalid(v):
            return v
        if v.type != "string":
            return self.error("T006", f"`{node.func}` needs a string, but this is {_a(v.type)} value", node.arg.span)
        return ir.TextFunc(node.func, v)

    def _arith(self, node: ast.Arith, scope):
        left, right = self.value(node.left, scope), self.value(node.right, scope)
        if _invalid(left, right):
            return ir.Invalid()
        for side in (node.left, node.right):
            v = left if side is node.left else right
            if v.type not in ir.NUMERIC:
                return self.error(
                    "T010", f"`{node.op}` needs numbers, but this is {_a(v.type)} value", side.span,
                    "arithmetic works on int and float values",
                )
        if node.op == "/" or "float" in (left.type, right.type):
            type_ = "float"
        else:
            type_ = "int"
        return ir.Arith(node.op, left, right, type_)

    def _neg(self, node: ast.Neg, scope):
        v = self.value(node.value, scope)
        if _invalid(v):
            return v
        if v.type not in ir.NUMERIC:
            return self.error("T010", f"`-` needs a number, but this is {_a(v.type)} value", node.value.span)
        return ir.Negate(v)

    def _aggregate(self, node: ast.Aggregate, scope):
        if scope.event is not None:
            return self.error("T008", f"`{node.func}(...)` cannot be used inside an event filter", node.span)
        return self.aggregate(node.func, node.event, node.column, node.window, node.span)

    def aggregate(self, func, event_ref: ast.EventRef, column: ast.Ref | None, window, span) -> ir.Value:
        source = self.config.events.get(event_ref.name)
        if source is None:
            return self.error(
                "N002", f"unknown event '{event_ref.name}'", event_ref.span,
                did_you_mean(event_ref.name, self.config.events)
                or "declare it as [events.NAME] in segdsl.toml",
            )
        scope = _Scope(source)
        filt = self.cond(event_ref.filter, scope) if event_ref.filter is not None else None
        win = self.window(window) if window is not None else None
        col = None
        if column is not None:
            col = self._ref(column, scope)
            if _invalid(col):
                return ir.Invalid()
            allowed = ir.NUMERIC if func in ("sum", "avg") else ir.NUMERIC + ir.TIME + ("string",)
            if col.type not in allowed:
                return self.error(
                    "T011", f"`{func}` needs a number, but {source.name}.{column.name} is {col.type}", column.span
                )
        if _invalid(filt) or (window is not None and win is None):
            return ir.Invalid()
        type_ = {"count": "int", "avg": "float", "first": "timestamp", "last": "timestamp"}.get(func)
        return ir.Aggregate(func, source, filt, col, win, type_ or col.type)

    def window(self, node: ast.Window) -> ir.Window | None:
        if node.duration is not None:
            return ir.Window(_as_of_minus(node.duration), True, ir.AsOf(), True)
        if node.start is not None and node.end is not None and _bound_key(node.start) > _bound_key(node.end):
            self.error(
                "T004", f"empty window: {_show(node.start)} is after {_show(node.end)}", node.span,
                "write the earlier bound first",
            )
            return None
        return ir.Window(*_time_bounds(node.start, node.end))


class _SharingResolver(_Resolver):
    """A resolver that gives each part of a tree one IR object, however often it is asked
    for: lint asks for a condition and then for each of its parts, and equal parts that
    are not one object would be compared field by field wherever lint keys on them.
    Only parts that check are kept: one with errors reports them again when asked again."""

    def __init__(self, *args):
        super().__init__(*args)
        self.memo: dict[tuple[int, _Scope], tuple[ast.Node, object]] = {}

    def expr(self, node: ast.Node, scope: _Scope):
        key = (id(node), scope)
        if key in self.memo:
            return self.memo[key][1]
        before = len(self.diags.diagnostics)
        result = super().expr(node, scope)
        if len(self.diags.diagnostics) == before:
            self.memo[key] = (node, result)  # the node kept alive: its id stays unique
        return result


# --- helpers ----------------------------------------------------------------------------


def _a(type_: str) -> str:
    """'an int', 'a string': the type with its article."""
    return f"{'an' if type_[0] in 'aeiou' else 'a'} {type_}"


def _invalid(*values) -> bool:
    return any(
        isinstance(v, ir.Invalid) or (isinstance(v, ir.Truthy) and isinstance(v.value, ir.Invalid)) for v in values
    )


def _const(lit: ast.Literal | None) -> ir.Const | None:
    return None if lit is None else ir.Const(lit.value, lit.kind)


def _as_of_minus(d: ast.Duration) -> ir.AsOfMinus:
    if d.unit == "week":
        return ir.AsOfMinus(d.amount * 7, "day")
    return ir.AsOfMinus(d.amount, d.unit)


def _comparable(a: str, b: str) -> str | None:
    if a in ir.NUMERIC and b in ir.NUMERIC:
        return "number"
    if a in ir.TIME and b in ir.TIME:
        return "time"
    if a == b and a in ("string", "bool"):
        return a
    return None


def _compare_hint(left: ir.Value, right: ir.Value) -> str:
    types = {left.type, right.type}
    quoted = any(isinstance(v, ir.Const) and v.type == "string" for v in (left, right))  # "30" meant as 30
    if quoted and types & set(ir.NUMERIC):
        return "numbers are written without quotes: 30, not \"30\""
    if quoted and types & set(ir.TIME):
        return "dates are written without quotes: 2024-03-01"
    bare = next((v for v in (left, right) if isinstance(v, ir.Const) and v.type != "bool"), None)
    if "string" in types and bare is not None and not quoted:  # `country = 42` meant as "42"
        text = bare.value.isoformat() if bare.type in ir.TIME else bare.value
        return f'text is written in quotes: "{text}"'
    return "both sides must be numbers, strings, bools, or dates/timestamps"


def _to_timestamp(v: ir.Value) -> ir.Value:
    if v.type != "date":
        return v
    if isinstance(v, ir.Const):
        return ir.Const(dt.datetime.combine(v.value, _MIDNIGHT), "timestamp")
    return ir.ToTimestamp(v)


def _align_times(left: ir.Value, right: ir.Value):
    """A date meets a timestamp as midnight of that day."""
    if left.type != right.type:
        return _to_timestamp(left), _to_timestamp(right)
    return left, right


def _time_bounds(start: ast.Literal | None, end: ast.Literal | None):
    """Timestamp bounds of a `D1..D2` range: dates cover whole days, timestamps are exact."""
    low = high = None
    high_inclusive = True
    if start is not None:
        low = _to_timestamp(_const(start))
    if end is not None:
        if end.kind == "date":
            if end.value < dt.date.max:
                high = ir.Const(dt.datetime.combine(end.value + dt.timedelta(days=1), _MIDNIGHT), "timestamp")
                high_inclusive = False
        else:
            high = _const(end)
    return low, True, high, high_inclusive


def _bound_key(lit: ast.Literal):
    if lit.kind == "date":
        return dt.datetime.combine(lit.value, _MIDNIGHT)
    return lit.value


def _show(lit: ast.Literal) -> str:
    return lit.value.isoformat() if lit.kind in ir.TIME else str(lit.value)
