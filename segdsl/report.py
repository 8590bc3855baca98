"""Renderers for diagnostics as machines read them: JSON, GitHub annotations, SARIF 2.1.0.

Every stage produces the same `Diagnostic`; the text form, with a caret under the
source, is diagnostics.render_text, and the others are chosen here by format. File
names are as `check` shows them: relative to the current folder, so run segdsl from the
repository root for annotations to land on a pull request's lines.
"""

from __future__ import annotations

import json

from .diagnostics import Diagnostic


def render(diagnostics: list[Diagnostic], sources: dict[str, str], fmt: str) -> str:
    return {"json": _json, "github": _github, "sarif": _sarif}[fmt](diagnostics, sources)


def _location(d: Diagnostic) -> dict:
    if d.span is None:
        return {}
    s = d.span
    return {"file": s.file, "line": s.line, "column": s.col, "end_line": s.end_line, "end_column": s.end_col}


def _json(diagnostics, sources) -> str:
    items = [
        {"code": d.code, "severity": d.severity, "message": d.message, **_location(d), "hints": list(d.hints)}
        for d in diagnostics
    ]
    return json.dumps(items, indent=2, ensure_ascii=False) + "\n"


def _escape_data(text: str) -> str:
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _escape_property(text: str) -> str:
    return _escape_data(text).replace(":", "%3A").replace(",", "%2C")


def _github(diagnostics, sources) -> str:
    """Workflow commands: `::error file=...,line=...::message`, one per line."""
    lines = []
    for d in diagnostics:
        kind = "error" if d.severity == "error" else "warning"
        props = {"title": f"segdsl {d.code}"}
        if d.span is not None:
            s = d.span
            props = {"file": s.file, "line": s.line, "col": s.col, "endLine": s.end_line,
                     "endColumn": s.end_col, **props}
        prop_text = ",".join(f"{k}={_escape_property(str(v))}" for k, v in props.items())
        message = "\n".join([d.message, *d.hints])
        lines.append(f"::{kind} {prop_text}::{_escape_data(message)}")
    return "".join(line + "\n" for line in lines)


def _sarif(diagnostics, sources) -> str:
    rules = sorted({d.code for d in diagnostics})
    results = []
    for d in diagnostics:
        result = {
            "ruleId": d.code,
            "ruleIndex": rules.index(d.code),
            "level": "error" if d.severity == "error" else "warning",
            "message": {"text": "\n".join([d.message, *d.hints])},
        }
        if d.span is not None:
            s = d.span
            result["locations"] = [{
                "physicalLocation": {
                    "artifactLocation": {"uri": s.file.replace("\\", "/")},
                    "region": {"startLine": s.line, "startColumn": s.col,
                               "endLine": s.end_line, "endColumn": max(s.end_col, s.col)},
                }
            }]
        results.append(result)
    log = {
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
        "version": "2.1.0",
        "runs": [{
            "tool": {"driver": {
                "name": "segdsl",
                "version": _version(),
                "informationUri": "https://github.com/segdsl/segdsl",
                "rules": [{"id": code} for code in rules],
            }},
            "columnKind": "unicodeCodePoints",
            "results": results,
        }],
    }
    return json.dumps(log, indent=2, ensure_ascii=False) + "\n"


def _version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("segdsl")
    except PackageNotFoundError:  # running from a checkout that is not installed
        return "0"
