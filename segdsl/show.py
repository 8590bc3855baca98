"""Readable dumps of each stage's output (syntax tree, IR) for `segdsl debug`."""

from __future__ import annotations

import dataclasses
import datetime as dt
from decimal import Decimal

from .config import EventSource


def tree(node, indent: int = 0) -> str:
    """An indented outline of a dataclass tree: one node per line, scalar fields inline."""
    lines: list[str] = []
    _walk(node, indent, lines, label="")
    return "\n".join(lines)


def _walk(node, depth: int, lines: list[str], label: str) -> None:
    pad = "  " * depth + (f"{label}: " if label else "")
    if isinstance(node, EventSource):
        lines.append(f"{pad}event {node.name} ({node.table})")
    elif dataclasses.is_dataclass(node):
        scalars, children = [], []
        for f in dataclasses.fields(node):
            if f.name in ("span", "name_span"):
                continue
            value = getattr(node, f.name)
            if _is_scalar(value):
                if value is not None:
                    scalars.append(f"{f.name}={_scalar(value)}")
            else:
                children.append((f.name, value))
        lines.append(f"{pad}{type(node).__name__}" + (f" {' '.join(scalars)}" if scalars else ""))
        for name, value in children:
            _walk(value, depth + 1, lines, name)
    elif isinstance(node, (tuple, list)):
        lines.append(f"{pad}[{len(node)}]")
        for item in node:
            _walk(item, depth + 1, lines, "")
    else:
        lines.append(f"{pad}{_scalar(node)}")


def _is_scalar(value) -> bool:
    return value is None or isinstance(value, (str, int, float, bool, Decimal, dt.date))


def _scalar(value) -> str:
    if isinstance(value, str):
        return repr(value)
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value)
