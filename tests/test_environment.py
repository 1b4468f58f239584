"""``--python``: plugins and pytest's version come from another interpreter's environment."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import sysconfig
from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import CliRunner
from helpers.jsondoc import v1_tests

from fixture_graph.cli import ExitCode, main

Tree = Callable[[dict[str, str]], Path]

PLUGIN = '''
import pytest


@pytest.fixture(scope="session")
def fake_service():
    """Provided by the fakeplug distribution's pytest11 entry point."""
    return object()
'''


@pytest.fixture(scope="module")
def other_venv(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A virtualenv apart from ours, with one pytest11 plugin installed (by hand, no pip)."""
    venv = tmp_path_factory.mktemp("venv") / "env"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True)
    purelib = subprocess.run(
        [str(venv / "bin" / "python"), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
        check=True,
        capture_output=True,
        text=True,
    ).stdout.strip()
    site = Path(purelib)
    (site / "fakeplug").mkdir(parents=True)
    (site / "fakeplug" / "__init__.py").write_text(PLUGIN)
    dist = site / "fakeplug-1.2.dist-info"
    dist.mkdir()
    (dist / "METADATA").write_text("Metadata-Version: 2.1\nName: fakeplug\nVersion: 1.2\n")
    (dist / "entry_points.txt").write_text("[pytest11]\nfakeplug = fakeplug\n")
    assert sysconfig.get_paths()["purelib"] != purelib
    return venv


def scan_json(root: Path, *args: str) -> tuple[int, dict[str, object]]:
    cwd = os.getcwd()
    os.chdir(root)
    try:
        result = CliRunner().invoke(main, ["--format", "json", *args])
    finally:
        os.chdir(cwd)
    return result.exit_code, json.loads(result.output) if result.output.startswith("{") else {}


def test_python_points_at_another_environment(write_tree: Tree, other_venv: Path) -> None:
    root = write_tree({"pytest.ini": "[pytest]\n", "test_x.py": "def test_x(fake_service): pass\n"})
    for python in (str(other_venv / "bin" / "python"), str(other_venv)):
        code, data = scan_json(root, "--python", python)
        assert code == ExitCode.OK
        fixtures = {f["id"]: f for f in data["fixtures"]}  # type: ignore[attr-defined]
        plugin = fixtures["plugin:fakeplug::fake_service"]
        assert (plugin["kind"], plugin["scope"]) == ("plugin", "session")
        assert v1_tests(data)[0]["closure_defs"] == ["plugin:fakeplug::fake_service"]  # type: ignore[index]
        assert data["pytest_version"] is None  # that venv has no pytest


def test_without_python_the_plugin_fixture_is_unknown(write_tree: Tree) -> None:
    root = write_tree({"pytest.ini": "[pytest]\n", "test_x.py": "def test_x(fake_service): pass\n"})
    code, data = scan_json(root)
    assert code == ExitCode.FINDINGS
    assert [f["code"] for f in data["findings"]] == ["FG003"]  # type: ignore[attr-defined]


def test_python_that_cannot_run_is_a_usage_error(write_tree: Tree, tmp_path: Path) -> None:
    root = write_tree({"pytest.ini": "[pytest]\n"})
    cwd = os.getcwd()
    os.chdir(root)
    try:
        result = CliRunner().invoke(main, ["--python", str(tmp_path / "missing" / "python")])
    finally:
        os.chdir(cwd)
    assert result.exit_code == ExitCode.USAGE
    assert "cannot run --python" in result.output
