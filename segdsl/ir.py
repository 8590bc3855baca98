"""The typed, dialect-free meaning of a segment: what resolve.py produces and compile.py reads.

Compared with the syntax tree, names are resolved (entity column, event column, trait,
segment), every value has a type and knows whether it can be missing, and the language's
sugar is gone: `before`/`after` are comparisons, `did` is a count, windows and date ranges
are explicit inclusive/exclusive timestamp bounds, dates meet timestamps at midnight.
Nodes are frozen and hashable, so equal sub-expressions (a shared aggregate, a trait used
twice) are recognised by equality.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from .config import EventSource

NUMERIC = ("int", "float")
TIME = ("date", "timestamp")


_CACHED = ("_hash", "_summary")  # worked out once per node, kept in its __dict__
_NODE_TYPES: set[type] = set()  # every IR node class: a set lookup beats hasattr in walks
_LEAF_TYPES = ("str", "bool", "int", "Decimal", "EventSource")  # field types that hold no node


def _node(cls):
    """A frozen dataclass that computes its hash once. Trees share sub-trees (a segment
    used twice is one object), and the generated hash recurses through every field: on a
    chain where each level uses the one below twice, that doubles per level."""
    cls = dataclass(frozen=True)(cls)
    fields_hash = cls.__hash__

    def __hash__(self):
        h = self.__dict__.get("_hash")
        if h is None:
            h = self.__dict__["_hash"] = fields_hash(self)  # frozen: past __setattr__
        return h

    fields_eq = cls.__eq__

    def __eq__(self, other):
        # unequal trees differ in hash, cached: no need to walk both to find out
        if self is other:
            return True
        if type(other) is not type(self):
            return NotImplemented
        return hash(self) == hash(other) and fields_eq(self, other)

    def __getstate__(self):
        # a string's hash differs between processes: a pickle must not carry one over
        return {k: v for k, v in self.__dict__.items() if k not in _CACHED}

    # the fields that can hold nodes: what walks of the tree look into
    cls._fields = tuple(f.name for f in dataclasses.fields(cls) if f.type not in _LEAF_TYPES)
    cls.__hash__ = __hash__
    cls.__eq__ = __eq__
    cls.__getstate__ = __getstate__
    _NODE_TYPES.add(cls)
    return cls


class Value:
    type: str
    nullable: bool


class Cond:
    """A condition: always true or false for a row (never missing)."""


# --- values -------------------------------------------------------------------------


@_node
class Column(Value):
    name: str
    type: str
    nullable: bool = True


@_node
class EventColumn(Value):
    """A column of the event row being filtered or aggregated."""

    name: str
    type: str
    nullable: bool = True


@_node
class Const(Value):
    value: int | Decimal | str | bool | dt.date | dt.datetime
    type: str
    nullable: bool = False


@_node
class AsOf(Value):
    type: str = "timestamp"
    nullable: bool = False


@_node
class AsOfMinus(Value):
    """The as-of moment minus a duration (`30 days ago`, a window's start)."""

    amount: int
    unit: str  # hour | day | month | year (weeks are 7 days)
    type: str = "timestamp"
    nullable: bool = False


@_node
class ToTimestamp(Value):
    """A date value read as midnight of that day."""

    value: Value
    type: str = "timestamp"

    @property
    def nullable(self) -> bool:
        return self.value.nullable


@_node
class Arith(Value):
    op: str  # + - * /   (`/` is true division; by zero it is missing)
    left: Value
    right: Value
    type: str

    @property
    def nullable(self) -> bool:
        return self.op == "/" or self.left.nullable or self.right.nullable


@_node
class Negate(Value):
    value: Value

    @property
    def type(self) -> str:
        return self.value.type

    @property
    def nullable(self) -> bool:
        return self.value.nullable


@_node
class TextFunc(Value):
    func: str  # lower | upper
    value: Value
    type: str = "string"

    @property
    def nullable(self) -> bool:
        return self.value.nullable


@_node
class Window:
    """Bounds on an event's time; None is an open end. The as-of cut-off applies besides."""

    low: Value | None
    low_inclusive: bool
    high: Value | None
    high_inclusive: bool


@_node
class Aggregate(Value):
    func: str  # count | sum | avg | min | max | first | last
    source: EventSource
    filter: Cond | None
    column: EventColumn | None
    window: Window | None
    type: str

    @property
    def nullable(self) -> bool:
        return self.func not in ("count", "sum")


@_node
class Trait(Value):
    name: str
    value: Value

    @property
    def type(self) -> str:
        return self.value.type

    @property
    def nullable(self) -> bool:
        return self.value.nullable


@_node
class CondValue(Value):
    """A condition used as a bool value: true or false, never missing."""

    cond: Cond
    type: str = "bool"
    nullable: bool = False


@_node
class Invalid(Value):
    """Stands in for a value that already produced an error, so it causes no more."""

    type: str = "error"
    nullable: bool = True


# --- conditions -----------------------------------------------------------------------


@_node
class And(Cond):
    items: tuple[Cond, ...]


@_node
class Or(Cond):
    items: tuple[Cond, ...]


@_node
class Not(Cond):
    item: Cond


@_node
class Compare(Cond):
    op: str  # = != < <= > >=
    left: Value
    right: Value


@_node
class Between(Cond):
    value: Value
    low: Value | None
    low_inclusive: bool
    high: Value | None
    high_inclusive: bool


@_node
class InList(Cond):
    """`v in [...]`, or `v not in [...]` (negated): both are false when v is missing."""

    value: Value
    items: tuple[Const, ...]
    negated: bool = False


@_node
class TextMatch(Cond):
    kind: str  # contains | starts_with | ends_with | matches
    value: Value
    pattern: str


@_node
class IsNull(Cond):
    value: Value


@_node
class Truthy(Cond):
    value: Value  # of type bool


@_node
class SegmentRef(Cond):
    name: str
    cond: Cond


@_node
class Percentile(Cond):
    direction: str  # top | bottom
    percent: Decimal
    value: Value


def children(node) -> list:
    """The IR nodes directly under `node` (in fields, or in tuples of them)."""
    out = []
    values = node.__dict__  # a frozen dataclass keeps its fields there
    for f in node._fields:
        v = values[f]
        if type(v) is tuple:
            out.extend(x for x in v if type(x) in _NODE_TYPES)
        elif type(v) in _NODE_TYPES:
            out.append(v)
    return out


def walk(*nodes, step=None):
    """Every node of the IR trees under `nodes`, each shared sub-tree once (a trait used
    twice is one object: walking it again per use would be exponential in the depth of
    such sharing). `step` picks the children to go on to (all of them by default)."""
    step = step or children
    stack, seen = list(nodes), set()
    while stack:
        n = stack.pop()
        if id(n) in seen:
            continue
        seen.add(id(n))
        yield n
        stack.extend(step(n))


def _summary(node) -> tuple[int, bool, int, bool, int]:
    """(depth, whether any part failed to check, size, whether it uses a segment, size
    with segments in place) of a tree, kept on each node: lint asks of every
    sub-condition, and each would otherwise walk the segments it refers to again.
    Recursive, yet shallow: resolve asks it of each definition as it finishes, so the
    definitions below are known already, and one definition's own nesting is limited."""
    if type(node) not in _NODE_TYPES:  # None, or a plain value
        return 0, False, 0, False, 0
    found = node.__dict__.get("_summary")
    if found is None:
        depth, bad, size, uses, inlined = 0, isinstance(node, Invalid), 1, type(node) is SegmentRef, 1
        for child in children(node):
            d, b, n, u, i = _summary(child)
            depth, bad, size, uses, inlined = max(depth, d), bad or b, size + n, uses or u, inlined + i
        if type(node) is Aggregate:
            # written once, in its event pass, and named at each use; its filter holds
            # event columns and values only, as long as the text that wrote it
            size = inlined = 1
        elif type(node) is SegmentRef:
            # a small segment is written in place, a larger one used more than once in a
            # CTE of its members (compile._shared); resolve counts each once per statement
            size = 1
        found = node.__dict__["_summary"] = (depth + 1, bad, size, uses, inlined)  # frozen: past __setattr__
    return found


def depth(node) -> int:
    """How many levels the tree has, segments and traits it refers to included."""
    return _summary(node)[0]


def has_invalid(node) -> bool:
    """Whether a part of the tree failed to check."""
    return _summary(node)[1]


def size(node) -> int:
    """How many nodes the tree has written out: a sub-tree shared by two uses counts twice,
    as compiled SQL writes it out at each use (a trait); an aggregate or a segment it uses,
    which compiled SQL writes once, counts one."""
    return _summary(node)[2]


def inlined_size(node) -> int:
    """`size` with every segment the tree uses written in place: what writing it at one
    more use costs."""
    return _summary(node)[4]


def uses_segments(node) -> bool:
    """Whether the tree uses a segment (`in segment`)."""
    return _summary(node)[3]


def toward_segments(node) -> list:
    """The children of `node` that are a segment's condition or lead to one: all that a
    walk over the segments a tree uses needs to visit."""
    if type(node) is SegmentRef:
        return [node.cond]
    return [child for child in children(node) if uses_segments(child)]


def segments_used(node) -> dict[str, Cond]:
    """The segments the tree uses, directly or through others and traits: name -> condition."""
    return {n.name: n.cond for n in walk(node, step=toward_segments) if type(n) is SegmentRef}
