"""Installed like a tool: built, accepted by twine, and run from a clean venv apart from the suite.

``python -m build --no-isolation`` uses this environment's hatchling (nothing downloaded); the
wheel is built from the sdist, so a file the sdist lacks fails here too. The clean venv gets the
wheel and its dependencies from the package index (pip's cache when warm), as a user's venv does.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import zipfile
from collections.abc import Callable
from pathlib import Path

import pytest

import fixture_graph

if sys.version_info >= (3, 11):
    import tomllib
else:
    import tomli as tomllib

ROOT = Path(__file__).resolve().parent.parent
# Files under templates/ that are not the report's: README pictures, CI recipes, the folder's notes.
NOT_SHIPPED = ("docs/", "ci/", "README.md")


def run(*args: str | Path, cwd: Path | None = None) -> str:
    env = {k: v for k, v in os.environ.items() if not k.startswith("PYTHON") and k != "VIRTUAL_ENV"}
    done = subprocess.run(
        [str(a) for a in args], cwd=cwd, env=env, capture_output=True, text=True, timeout=600, check=False
    )
    assert done.returncode == 0, f"{args}: exit {done.returncode}\n{done.stdout}\n{done.stderr}"
    return done.stdout


@pytest.fixture(scope="module")
def dists(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    out = tmp_path_factory.mktemp("dist")
    run(sys.executable, "-m", "build", "--no-isolation", "--outdir", out, ROOT)
    return {p.suffix: p for p in out.iterdir()} | {"dir": out}


@pytest.fixture(scope="module")
def tool_venv(tmp_path_factory: pytest.TempPathFactory, dists: dict[str, Path]) -> Path:
    """A new venv holding the wheel and its dependencies only (not editable, no test deps)."""
    venv = tmp_path_factory.mktemp("tools") / "venv"
    run(sys.executable, "-m", "venv", venv)
    run(venv / "bin" / "python", "-m", "pip", "install", "--quiet", dists[".whl"])
    return venv


def test_the_version_is_written_once(dists: dict[str, Path]) -> None:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    assert "version" not in project["project"]
    assert project["project"]["dynamic"] == ["version"]
    assert project["tool"]["hatch"]["version"]["path"] == "fixture_graph/__init__.py"
    written = [p for p in (ROOT / "fixture_graph").rglob("*.py") if "__version__ = " in p.read_text("utf-8")]
    assert written == [ROOT / "fixture_graph" / "__init__.py"]
    version = fixture_graph.__version__
    assert dists[".whl"].name == f"fixture_graph-{version}-py3-none-any.whl"
    assert dists[".gz"].name == f"fixture_graph-{version}.tar.gz"
    with zipfile.ZipFile(dists[".whl"]) as wheel:
        metadata = wheel.read(f"fixture_graph-{version}.dist-info/METADATA").decode()
    assert f"\nVersion: {version}\n" in metadata


def test_the_supported_pythons_are_the_classifiers_from_the_oldest_required() -> None:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    versions = [c.rsplit(" :: ", 1)[1] for c in project["classifiers"] if re.match(r".*Python :: 3\.\d+$", c)]
    assert versions == sorted(versions, key=lambda v: tuple(map(int, v.split("."))))
    assert project["requires-python"] == f">={versions[0]}"
    assert f"{sys.version_info[0]}.{sys.version_info[1]}" in versions, "this Python is not a supported one"


def test_twine_accepts_the_wheel_and_the_sdist(dists: dict[str, Path]) -> None:
    out = run(sys.executable, "-m", "twine", "check", "--strict", dists[".whl"], dists[".gz"])
    assert out.count("PASSED") == 2


def test_the_wheel_holds_the_report_templates_and_vendored_assets(dists: dict[str, Path]) -> None:
    templates = ROOT / "templates"
    needed = {
        p.relative_to(templates).as_posix()
        for p in templates.rglob("*")
        if p.is_file() and not p.relative_to(templates).as_posix().startswith(NOT_SHIPPED)
    }
    with zipfile.ZipFile(dists[".whl"]) as wheel:
        names = set(wheel.namelist())
    shipped = {
        n.removeprefix("fixture_graph/templates/") for n in names if n.startswith("fixture_graph/templates/")
    }
    assert {"report.html.j2", "report.css", "report.js"} <= needed
    assert shipped == needed
    assert "fixture_graph/py.typed" in names
    assert not [n for n in names if n.startswith(("tests/", "templates/"))]


def test_the_wheel_alone_runs_apart_from_the_suite(
    tool_venv: Path, copy_data: Callable[[str], Path], tmp_path: Path
) -> None:
    """A tools venv, ``--python`` at the suite's interpreter: the same bytes as the source tree's."""
    bin_dir = tool_venv / "bin"
    code = "import fixture_graph; print(fixture_graph.__file__)"
    where = run(bin_dir / "python", "-c", code, cwd=tmp_path)  # not the checkout's folder: '' is on sys.path
    assert Path(where.strip()).is_relative_to(tool_venv)
    assert run(bin_dir / "fixture-graph", "--version").split() == [
        "fixture-graph,",
        "version",
        fixture_graph.__version__,
    ]
    suite = copy_data("sample_suite")
    outputs = {}
    for name, command in {
        "wheel": [bin_dir / "fixture-graph"],
        "source": [sys.executable, "-m", "fixture_graph"],
    }.items():
        out = tmp_path / name
        args = ["--python", sys.executable, "--no-cache", "--format", "json", "-o", out / "graph.json"]
        run(*command, *args, "--html", out / "report.html", "--svg", out / "graph.svg", cwd=suite)
        outputs[name] = [(out / f).read_bytes() for f in ("graph.json", "report.html", "graph.svg")]
    assert outputs["wheel"] == outputs["source"]
    assert json.loads(outputs["wheel"][0])["summary"]["tests"] == 49  # the sample suite, read whole
