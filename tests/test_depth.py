"""Deep modules get the same answer on every supported Python (``make test-all`` runs them all).

CPython's parsers stop at different depths (3.10 builds 100,000-link chains, then crashes; 3.11
and 3.12 stop near 3,000 levels; 3.13 near 10,000 for chains and 3,000 for lambdas), so the
scan measures depth itself: deeper than ``MAX_DEPTH`` is ``too-deep`` with the statement's line,
deeper than ``SURE_DEPTH`` (where some parser may have refused) with line 0, on every version.
"""

from __future__ import annotations

import ast
import subprocess
import sys
import warnings
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings

from fixture_graph.config import ExtractOptions
from fixture_graph.scan import depth
from fixture_graph.scan.extract import extract_module

with warnings.catch_warnings():
    warnings.simplefilter("ignore")  # libcst, under hypothesmith, may warn on import
    import hypothesmith


def tree_depth(node: ast.AST) -> int:
    """The oracle: nodes on the longest path down from ``node``, counted one by one."""
    best = 0
    stack = [(node, 1)]
    while stack:
        current, level = stack.pop()
        best = max(best, level)
        stack.extend((child, level + 1) for child in ast.iter_child_nodes(current))
    return best


# Each builds a module of exactly the given depth from one construct nested over and over: the
# ones CPython's parsers stop at soonest (lambdas, powers), the left chains 3.10 crashes on, and
# positions the measure must see (a decorator before its ``def``, inside an f-string).
def _expr(inner: Callable[[int], str], overhead: int) -> Callable[[int], str]:
    return lambda d: f"x = {inner(d - overhead)}\n"


CONSTRUCTS: dict[str, Callable[[int], str]] = {
    "sum": _expr(lambda n: "1" + " + 1" * n, 3),
    "attributes": _expr(lambda n: "a" + ".b" * n, 4),
    "calls": _expr(lambda n: "f" + "()" * n, 4),
    "unary minus": _expr(lambda n: "-" * n + "1", 3),
    "not": _expr(lambda n: "not " * n + "x", 4),
    "lambdas": _expr(lambda n: "lambda: " * n + "1", 3),
    "powers": _expr(lambda n: "2 ** " * n + "2", 3),
    "conditional expressions": _expr(lambda n: "1 if x else " * n + "1", 4),
    "f-string": lambda d: "x = f'{a" + ".b" * (d - 6) + "}'\n",
    "decorator": lambda d: "@a" + ".b" * (d - 4) + "\ndef f(): pass\n",
    "fixture body": lambda d: (
        "import pytest\n@pytest.fixture\ndef f():\n    return 1" + " + 1" * (d - 4) + "\n"
    ),
}


def parse(source: str) -> ast.Module:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return ast.parse(source)


@pytest.mark.parametrize("build", CONSTRUCTS.values(), ids=CONSTRUCTS.keys())
def test_the_builders_nest_exactly_as_deep_as_asked(build: Callable[[int], str]) -> None:
    assert tree_depth(parse(build(60))) == 60


@pytest.mark.parametrize("build", CONSTRUCTS.values(), ids=CONSTRUCTS.keys())
def test_every_supported_parser_builds_trees_up_to_the_sure_depth(build: Callable[[int], str]) -> None:
    """What the design rests on: below SURE_DEPTH the answer never depends on the parser."""
    assert tree_depth(parse(build(depth.SURE_DEPTH))) == depth.SURE_DEPTH


@pytest.mark.parametrize("build", CONSTRUCTS.values(), ids=CONSTRUCTS.keys())
def test_the_limit_is_exact_and_names_the_statement(build: Callable[[int], str]) -> None:
    within = extract_module("m.py", build(depth.MAX_DEPTH).encode(), ExtractOptions())
    assert within.parsed
    assert [i.code for i in within.issues if i.fatal] == []
    source = "import os\n" + build(depth.MAX_DEPTH + 1)
    record = extract_module("m.py", source.encode(), ExtractOptions())
    assert not record.parsed
    [issue] = record.issues
    statement = max(parse(source).body, key=tree_depth)
    assert (issue.code, issue.line, issue.fatal) == ("too-deep", statement.lineno, True)
    assert issue.message == depth.MESSAGE


@pytest.mark.parametrize("build", CONSTRUCTS.values(), ids=CONSTRUCTS.keys())
@pytest.mark.parametrize("levels", [depth.SURE_DEPTH + 1, 3_000, 12_000])
def test_past_the_sure_depth_no_line_whichever_parser_refused(
    build: Callable[[int], str], levels: int
) -> None:
    record = extract_module("m.py", ("import os\n" + build(levels)).encode(), ExtractOptions())
    assert [(i.code, i.line, i.message) for i in record.issues] == [("too-deep", 0, depth.MESSAGE)]


def test_the_first_deep_statement_is_named() -> None:
    source = "import os\n" + CONSTRUCTS["sum"](50) + CONSTRUCTS["calls"](2100) + CONSTRUCTS["not"](2200)
    [issue] = extract_module("m.py", source.encode(), ExtractOptions()).issues
    assert issue.line == 3


def test_a_chain_that_crashes_python_3_10s_parser_is_too_deep() -> None:
    """3.10 builds a 200,000-link chain, then crashes converting it: a child process shows it."""
    code = (
        "from fixture_graph.config import ExtractOptions\n"
        "from fixture_graph.scan.extract import extract_module\n"
        "record = extract_module('m.py', b'x = 1' + b' + 1' * 200_000, ExtractOptions())\n"
        "print([(i.code, i.line) for i in record.issues])\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert (done.returncode, done.stdout) == (0, "[('too-deep', 0)]\n"), done.stderr


def test_warnings_about_the_scanned_code_are_neither_shown_nor_errors() -> None:
    """3.12+ warn of ``"\\d"`` and ``1 is 1`` while parsing; under ``-W error`` that was a syntax error."""
    source = b'import re\ndef test_a():\n    assert re.match("\\d", "1")\n    assert 1 is 1\n'
    with warnings.catch_warnings(record=True) as shown:
        warnings.simplefilter("error")
        record = extract_module("test_a.py", source, ExtractOptions())
    assert record.parsed
    assert record.issues == ()
    assert shown == []


def _sources() -> Iterator[str]:
    for build in CONSTRUCTS.values():
        yield from (build(levels) for levels in (9, 30, 31, 80))
    yield "class A:\n    @d\n    def f(self):\n        if x:\n            return (a\n  + b\n  + c)\n"
    yield "x = f'''{\na\n.b\n.c}'''\ny = 1\r\nz = (1 +\r2)\n"


@pytest.mark.parametrize("limit", [5, 12, 30])
def test_the_measure_agrees_with_the_oracle_on_constructs(
    monkeypatch: pytest.MonkeyPatch, limit: int
) -> None:
    """The measure skips short statements; with small limits every skip is put to the test."""
    monkeypatch.setattr(depth, "MAX_DEPTH", limit)
    monkeypatch.setattr(depth, "SURE_DEPTH", 10**9)
    for source in _sources():
        tree = parse(source)
        deep = [s.lineno for s in tree.body if tree_depth(s) + 1 > limit]
        assert depth.too_deep(tree, source) == (deep[0] if deep else None), source


@settings(
    max_examples=60,
    derandomize=True,
    database=None,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
)
@given(hypothesmith.from_grammar())
def test_the_measure_agrees_with_the_oracle_on_generated_programs(source: str) -> None:
    try:
        tree = parse(source)
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return
    for limit in (4, 7, 11):
        deep = [s.lineno for s in tree.body if tree_depth(s) + 1 > limit]
        with pytest.MonkeyPatch.context() as patch:
            patch.setattr(depth, "MAX_DEPTH", limit)
            patch.setattr(depth, "SURE_DEPTH", 10**9)
            assert depth.too_deep(tree, source) == (deep[0] if deep else None)


def test_the_limits_are_documented() -> None:
    readme = (Path(__file__).parent.parent / "README.md").read_text(encoding="utf-8")
    assert f"deeper than {depth.MAX_DEPTH:,} levels" in readme
    assert f"0 past {depth.SURE_DEPTH:,}" in readme
