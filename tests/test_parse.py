"""The parse stage on its own: where each syntax-tree node says it was written, and what
the syntax tree is built from while Lark parses (parse._Convert, parse._rule)."""

from __future__ import annotations

import re
from concurrent.futures import ThreadPoolExecutor
from dataclasses import fields

from hypothesis import HealthCheck, given, settings
from lark import Lark
from test_fmt import sources  # generated projects as text, with comments and odd spacing

from segdsl import ast
from segdsl.diagnostics import Collector
from segdsl.parse import MAX_DEPTH, PARSER_OPTIONS, _grammar_text, parse_source

TEXT = "segment s:\n    not (age > 3 or count(purchase, last 7 days) >= 2) and x - 1 + 2 > 0\n"
LINE = TEXT.split("\n")[1]


def parsed(text: str, file: str = "f.seg"):
    diags = Collector()
    return parse_source(text, file, diags), diags.diagnostics


def cols(node) -> tuple[int, int, int, int]:
    return node.span.line, node.span.col, node.span.end_line, node.span.end_col


def at(fragment: str) -> tuple[int, int, int, int]:
    """Line 2's columns of `fragment`, end exclusive."""
    start = LINE.index(fragment) + 1
    return 2, start, 2, start + len(fragment)


def test_every_node_spans_its_own_text_keywords_included_and_parentheses_only_for_its_parent():
    (definition,), diags = parsed(TEXT)
    assert diags == []
    assert cols(definition) == (1, 1, 2, len(LINE) + 1)
    assert cols(definition.body) == at(LINE.strip())
    negated, compare = definition.body.items
    assert cols(negated) == at("not (age > 3 or count(purchase, last 7 days) >= 2)")
    assert cols(negated.item) == at("age > 3 or count(purchase, last 7 days) >= 2")  # without its parentheses
    aggregate = negated.item.items[1].left
    assert isinstance(aggregate, ast.Aggregate)
    assert cols(aggregate) == at("count(purchase, last 7 days)")
    assert cols(aggregate.window) == at("last 7 days")
    total = compare.left
    assert (total.op, total.left.op) == ("+", "-")  # `x - 1 + 2` folds to the left
    assert cols(total) == at("x - 1 + 2")
    assert cols(total.left) == at("x - 1")


def test_a_parenthesised_part_widens_its_parents_span_to_the_parentheses():
    (definition,), _ = parsed("segment s: (age) > 3\n")
    assert (definition.body.span.col, definition.body.left.span.col) == (12, 13)


def test_each_step_of_a_chain_spans_the_parentheses_of_its_operands():
    text = "segment s: (age - 1) * 2 > 3 and a * (b + c) * d > 0\n"
    (definition,), _ = parsed(text)
    first, second = (item.left for item in definition.body.items)
    assert [_text(text, node.span) for node in (first, first.left, second, second.left)] == [
        "(age - 1) * 2", "age - 1", "a * (b + c) * d", "a * (b + c)"]


def test_literal_errors_of_a_text_that_fails_to_parse_are_reported_once():
    # the whole text is parsed, fails at b, and is parsed again definition by definition
    text = 'segment a: email = "a\\qb"\nsegment b: age >\nsegment c: age > 1\n'
    definitions, diags = parsed(text)
    assert [d.name for d in definitions] == ["a", "c"]
    assert sorted(d.code for d in diags) == ["E002", "E005"]


def test_the_smallest_int_is_a_literal_and_its_opposite_too_large():
    (definition,), diags = parsed("segment s: age > -9223372036854775808 and age -9223372036854775808..0\n")
    nodes, literals = [definition], []
    while nodes:
        node = nodes.pop()
        literals += [(node.value, node.kind)] if isinstance(node, ast.Literal) else []
        nodes += ast.children(node)
    assert diags == [] and sorted(literals) == [(-(2**63), "int"), (-(2**63), "int"), (0, "int")]
    for text in ("9223372036854775808", "--9223372036854775808", "-(-9223372036854775808)", "0..9223372036854775808"):
        _, diags = parsed(f"segment s: age > {text}\n" if ".." not in text else f"segment s: age {text}\n")
        assert [(d.code, d.message) for d in diags] == [("E008", "number too large: 9223372036854775808")], text


def test_an_expression_of_max_depth_levels_parses_and_one_more_is_too_deep():
    # `age > 3` is 3 levels (name, ref, compare); each `not` adds one
    definitions, diags = parsed("segment a:\n    " + "not " * (MAX_DEPTH - 3) + "age > 3\n")
    assert [d.name for d in definitions] == ["a"] and diags == []
    definitions, diags = parsed("segment a:\n    " + "not " * (MAX_DEPTH - 2) + "age > 3\n")
    assert definitions == [] and [d.code for d in diags] == ["E003"]
    assert (diags[0].span.line, diags[0].span.col) == (2, 5)  # the expression, not the definition


def test_too_deep_is_reported_at_the_innermost_part_that_is_too_deep():
    text = "segment a:\n    " + "not " * (MAX_DEPTH + 50) + "age > 3\n"
    definitions, diags = parsed(text)
    assert definitions == []
    assert [d.code for d in diags] == ["E003"]
    # at the innermost part past the limit, the one to name as a trait or segment: as many
    # `not`s as take `age > 3` (3 levels: name, ref, compare) past MAX_DEPTH
    nots = MAX_DEPTH + 1 - 3
    assert (diags[0].span.col, diags[0].span.end_col) == (5 + 4 * (MAX_DEPTH + 50 - nots), len(text.split("\n")[1]) + 1)


def test_parses_in_threads_keep_their_own_files():
    texts = {f"f{i}.seg": f"segment s{i}: age > {i} and did purchase\n" for i in range(200)}
    with ThreadPoolExecutor(8) as pool:
        results = list(pool.map(lambda item: parsed(item[1], item[0]), texts.items()))
    for file, (definitions, diags) in zip(texts, results):
        assert diags == []
        assert {definitions[0].span.file, definitions[0].body.span.file} == {file}
        assert definitions[0].name == "s" + file[1:-4]


def test_the_grammar_has_no_conflicts_and_no_colliding_terminals():
    # strict: a shift/reduce or reduce/reduce conflict, or two terminals that can match
    # the same text at one priority, is an error rather than a silent choice
    assert Lark(_grammar_text(), **PARSER_OPTIONS, strict=True).terminals


def _nodes_with_parents(node, parent=None):
    """(node, nearest ancestor with a span) for every syntax-tree node under `node`."""
    if isinstance(node, (list, tuple)):
        for item in node:
            yield from _nodes_with_parents(item, parent)
        return
    if not isinstance(node, ast.Node):
        return
    yield node, parent
    for f in fields(node):
        if f.name != "span":
            yield from _nodes_with_parents(getattr(node, f.name), node if node.span else parent)


def _where(span) -> tuple[tuple[int, int], tuple[int, int]]:
    return (span.line, span.col), (span.end_line, span.end_col)


def _text(text: str, span) -> str:
    lines = text.split("\n")[span.line - 1:span.end_line]
    lines[-1] = lines[-1][:span.end_col - 1]
    lines[0] = lines[0][span.col - 1:]
    return "\n".join(lines)


def _balanced(code: str) -> bool:
    """Whether the parentheses of `code` pair up, leaving out strings and comments."""
    depth = 0
    for char in re.sub(r'"(?:[^"\\\n]|\\.)*"|#[^\n]*', "", code):
        depth += {"(": 1, ")": -1}.get(char, 0)
        if depth < 0:
            return False
    return depth == 0


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(sources(with_noise=True))
def test_every_span_is_in_the_file_and_inside_its_parents(text):
    definitions, diags = parsed(text)
    assert diags == [] and definitions
    lines = text.split("\n")
    for node, parent in _nodes_with_parents(definitions):
        start, end = _where(node.span)
        assert (1, 1) <= start < end <= (len(lines), len(lines[-1]) + 1), (node, start, end)
        assert end[1] <= len(lines[end[0] - 1]) + 1
        assert _balanced(_text(text, node.span)), (node, _text(text, node.span))
        if parent is not None:
            outer = _where(parent.span)
            assert outer[0] <= start and end <= outer[1], (node, parent)
