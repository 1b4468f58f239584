"""Schema 2 of the JSON output holds exactly what schema 1 holds, in far fewer bytes.

Every tricky case, the sample suite (under each env setting it documents) and a generated suite
are rendered in both schemas; schema 2 read back as schema 1 (``helpers.jsondoc``) must give
the same document, key for key.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from bench.synth import SuiteSpec, generate_suite
from helpers.cli import run
from helpers.jsondoc import compact, v1_tests

from fixture_graph.cli import ExitCode

DATA = Path(__file__).parent / "data"
TREES = [
    *(pytest.param(p, (), id=p.name) for p in sorted((DATA / "tricky").iterdir()) if p.is_dir()),
    pytest.param(DATA / "sample_suite", (), id="sample"),
    pytest.param(
        DATA / "sample_suite",
        ("--env", "USE_REAL_SERVICES=true", "--env", "RUN_E2E_TESTS=true"),
        id="sample-all-env",
    ),
]
COMPACTED = ("fixtures", "findings", "cycles", "unknown", "issues")


def _both(root: Path, *args: str) -> tuple[dict[str, Any], dict[str, Any]]:
    documents = []
    for schema in ("1", "2"):
        code, out = run(root, "--no-cache", "--format", "json", "--json-schema", schema, *args)
        assert code in (ExitCode.OK, ExitCode.FINDINGS, ExitCode.INPUT), out
        documents.append(json.loads(out))
    return documents[0], documents[1]


def _assert_same(v1: dict[str, Any], v2: dict[str, Any]) -> None:
    assert (v1["schema"], v2["schema"]) == ("fixture-graph/1", "fixture-graph/2")
    assert v1_tests(v2) == v1["tests"]
    for key in COMPACTED:
        assert v2[key] == [compact(entry) for entry in v1[key]], key
    rest = set(v1) - {"schema", "tests", *COMPACTED}
    assert set(v2) - {"closures"} == set(v1)
    assert {k: v2[k] for k in rest} == {k: v1[k] for k in rest}


@pytest.mark.parametrize(("tree", "args"), TREES)
def test_schema_2_holds_what_schema_1_holds(tree: Path, args: tuple[str, ...]) -> None:
    v1, v2 = _both(tree, *args)
    _assert_same(v1, v2)


def test_schema_2_on_a_generated_suite_is_smaller_and_complete(tmp_path: Path) -> None:
    spec = SuiteSpec(
        test_files=60, seed=3, files_per_dir=6, depth=2, conftest_ratio=0.8, functions=6, methods=3
    )
    generate_suite(tmp_path, spec)
    v1, v2 = _both(tmp_path, "--env", "USE_REAL_SERVICES=true")
    _assert_same(v1, v2)
    size1 = len(json.dumps(v1, separators=(",", ":")))
    size2 = len(json.dumps(v2, separators=(",", ":")))
    assert size2 < size1 / 2
    # Tests that share a context share its parts: far fewer parts than tests.
    tests = sum(len(m["items"]) for m in v2["tests"])
    assert tests == 60 * 9
    assert len(v2["closures"]) < tests / 2


def test_unknown_schema_is_a_usage_error(tmp_path: Path) -> None:
    (tmp_path / "test_a.py").write_text("def test_a():\n    pass\n")
    code, out = run(tmp_path, "--no-cache", "--format", "json", "--json-schema", "3")
    assert code == ExitCode.USAGE
    assert "--json-schema" in out
