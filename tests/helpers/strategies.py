"""Hypothesis strategies for fuzzing: fixture-shaped Python modules, mutated bytes, small scans.

Random Python (``hypothesmith``) rarely contains a fixture; these strategies build modules from
the constructs the extractor looks for (fixture decorators and their keywords, marks, guards,
imports, classes, ``getfixturevalue``), with hostile strings in every literal, then optionally
damage the bytes (truncation, stray bytes, CRLF, a BOM, another encoding).
"""

from __future__ import annotations

from helpers.defs import fixture_def
from hypothesis import strategies as st

from fixture_graph.model import ScanResult, TestItem
from fixture_graph.resolve import holder_ancestors
from fixture_graph.scope import Scope

# Identifiers, including non-ASCII ones Python accepts (NFKC-normalized by the parser).
NAMES = ("db", "app", "client", "data", "request", "tmp_path", "_private", "données", "名前", "Ωmega", "ﬁle")
HOSTILE = (
    "a\nb",
    'quote"s',
    "it's",
    "100%",
    "a::b",
    "<script>alert(1)</script>",
    "\u202eevil",
    "tab\there",
    "back\\slash",
    "",
    " ",
    "::error::x",
    "{{ jinja }}",
)

names = st.sampled_from(NAMES)
hostile_text = st.one_of(st.sampled_from(HOSTILE), st.text(max_size=12))


def _literal(text: str) -> str:
    return repr(text)


@st.composite
def fixture_source(draw: st.DrawFn, indent: str = "") -> str:
    """One fixture definition with a random decorator form and keywords."""
    name = draw(names)
    decorator = draw(st.sampled_from(["pytest.fixture", "pt.fixture", "fx", "pytest_asyncio.fixture"]))
    kwargs = []
    if draw(st.booleans()):
        scope = draw(st.sampled_from(["'function'", "'session'", "'module'", "'class'", "'bogus'", "pick"]))
        kwargs.append(f"scope={scope}")
    if draw(st.booleans()):
        kwargs.append(f"name={_literal(draw(hostile_text))}")
    if draw(st.booleans()):
        kwargs.append(f"params=[{', '.join(_literal(t) for t in draw(st.lists(hostile_text, max_size=3)))}]")
    if draw(st.booleans()):
        kwargs.append(f"autouse={draw(st.sampled_from(['True', 'False', 'flag']))}")
    call = f"({', '.join(kwargs)})" if kwargs or draw(st.booleans()) else ""
    args = draw(st.lists(names, max_size=3))
    if indent:
        args = ["self", *args]
    body = draw(
        st.sampled_from(
            [
                "return 1",
                "yield 1",
                f"return request.getfixturevalue({_literal(draw(hostile_text))})",
                "return request.getfixturevalue(name)",
            ]
        )
    )
    doc = f"    {_literal(draw(hostile_text))}\n" if draw(st.booleans()) else ""
    impact = ""
    if draw(st.booleans()):
        level = draw(st.sampled_from(["'HIGH'", "'LOW'", "'nope'", "ImpactLevel.VERY_HIGH", "42"]))
        impact = f"@memory_profile({_literal(draw(hostile_text))}, {level})\n"
    lines = f"{impact}@{decorator}{call}\ndef {name}({', '.join(dict.fromkeys(args))}):\n{doc}    {body}\n"
    return "".join(indent + line + "\n" for line in lines.splitlines())


@st.composite
def item_source(draw: st.DrawFn, indent: str = "") -> str:
    """One test function with random arguments and marks."""
    args = list(dict.fromkeys(draw(st.lists(names, max_size=3))))
    if indent:
        args = ["self", *args]
    marks = []
    if draw(st.booleans()):
        marks.append(f"@pytest.mark.usefixtures({_literal(draw(hostile_text))})")
    if draw(st.booleans()):
        marks.append(f"@pytest.mark.parametrize({_literal(draw(names))}, [1, 2])")
    number = draw(st.integers(0, 3))
    lines = [*marks, f"def test_{number}({', '.join(args)}):", "    pass"]
    return "".join(indent + line + "\n" for line in lines)


@st.composite
def module_source(draw: st.DrawFn) -> str:
    """A conftest or test module: imports, then fixtures, tests, classes, guarded blocks."""
    parts = ["import os\nimport pytest\nimport pytest as pt\nfrom pytest import fixture as fx\n"]
    parts.extend(
        draw(
            st.lists(
                st.sampled_from(
                    [
                        "from helpers import *\n",
                        "import pytest_asyncio\n",
                        "pytest_plugins = ['helpers']\n",
                        "pytestmark = pytest.mark.usefixtures('db')\n",
                        "from helpers import db as alias\n",
                        "other = db\n",
                        "collect_ignore = ['sub']\n",
                    ]
                ),
                max_size=3,
            )
        )
    )
    for _ in range(draw(st.integers(0, 4))):
        kind = draw(st.sampled_from(["fixture", "test", "class", "guard", "try"]))
        if kind == "fixture":
            parts.append(draw(fixture_source()))
        elif kind == "test":
            parts.append(draw(item_source()))
        elif kind == "class":
            body = draw(
                st.lists(st.one_of(fixture_source("    "), item_source("    ")), min_size=1, max_size=3)
            )
            parts.append(f"class Test{draw(st.integers(0, 2))}:\n" + "".join(body))
        elif kind == "guard":
            key = _literal(draw(hostile_text))
            inner = draw(fixture_source("    "))
            parts.append(f"if os.environ.get({key}) == 'true':\n{inner}")
        else:
            parts.append(f"try:\n{draw(fixture_source('    '))}except ImportError:\n    pass\n")
    return "\n".join(parts)


@st.composite
def damaged(draw: st.DrawFn, source: str) -> bytes:
    """``source`` as bytes, maybe damaged the way real files are."""
    data = source.encode("utf-8")
    damage = draw(st.sampled_from(["none", "crlf", "bom", "truncate", "bytes", "latin1", "null"]))
    if damage == "crlf":
        return data.replace(b"\n", b"\r\n")
    if damage == "bom":
        return b"\xef\xbb\xbf" + data
    if damage == "truncate":
        return data[: draw(st.integers(0, len(data)))]
    if damage == "bytes":
        at = draw(st.integers(0, len(data)))
        return data[:at] + draw(st.binary(min_size=1, max_size=4)) + data[at:]
    if damage == "latin1":
        return b"# -*- coding: latin-1 -*-\n" + source.encode("latin-1", "replace")
    if damage == "null":
        return data + b"\x00"
    return data


def module_bytes() -> st.SearchStrategy[bytes]:
    """Fixture-shaped modules, sometimes damaged."""
    return module_source().flatmap(damaged)


# -- in-memory scans (for resolution properties) -----------------------------------------------

HOLDERS = ("", "a", "a/b", "a/b/test_m.py", "a/b/test_m.py::TestC", "c", "c/test_n.py")
POOL = ("x", "y", "z", "w")


@st.composite
def scan_results(draw: st.DrawFn) -> ScanResult:
    """A random set of definitions over a small node tree (overrides, self-requests, cycles)."""
    fixtures = []
    for number in range(draw(st.integers(1, 14))):
        name = draw(st.sampled_from(POOL))
        holder = draw(st.sampled_from(HOLDERS))
        file = holder.split("::")[0] if holder.endswith(".py") or "::" in holder else f"{holder}/conftest.py"
        fixtures.append(
            fixture_def(
                name,
                holder,
                id=f"{holder}::{name}#{number}",
                file=file.lstrip("/"),
                line=number + 1,
                order=(draw(st.integers(0, 2)), number),
                scope=draw(st.sampled_from(list(Scope))),
                argnames=tuple(dict.fromkeys(draw(st.lists(st.sampled_from(POOL), max_size=3)))),
                autouse=draw(st.booleans()) and draw(st.booleans()),
            )
        )
    tests = []
    for number in range(draw(st.integers(0, 4))):
        module = draw(st.sampled_from(["a/b/test_m.py", "c/test_n.py", "a/b/test_m.py::TestC"]))
        tests.append(
            TestItem(
                nodeid=f"{module}::test_{number}",
                name=f"test_{number}",
                file=module.split("::")[0],
                line=number + 1,
                ancestors=holder_ancestors(module),
                argnames=tuple(dict.fromkeys(draw(st.lists(st.sampled_from(POOL), max_size=3)))),
            )
        )
    return ScanResult(rootdir="/r", inifile=None, fixtures=tuple(fixtures), tests=tuple(tests), issues=())
