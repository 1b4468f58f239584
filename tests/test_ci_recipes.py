"""The shipped CI recipes parse, and every fixture-graph command they run exists in the CLI."""

from __future__ import annotations

import re
import shlex
from pathlib import Path
from typing import Any

import click
import pytest
import yaml

from fixture_graph.cli import main

ROOT = Path(__file__).resolve().parent.parent
RECIPES = [ROOT / "templates" / "ci" / "github-workflow.yml", ROOT / "templates" / "ci" / "gitlab-ci.yml"]


def _commands(node: Any) -> list[str]:
    """Every shell line under ``run:`` or ``script:`` that calls fixture-graph."""
    found: list[str] = []
    if isinstance(node, dict):
        for key, value in node.items():
            if key in ("run", "script", "before_script") and isinstance(value, str | list):
                lines = value.splitlines() if isinstance(value, str) else [str(v) for v in value]
                found.extend(line.strip() for line in lines if line.strip().startswith("fixture-graph"))
            else:
                found.extend(_commands(value))
    elif isinstance(node, list):
        for item in node:
            found.extend(_commands(item))
    return found


def _check(command: str) -> None:
    text = re.sub(r"\$\{\{[^}]*\}\}", "X", command)
    text = re.sub(r"\$\w+", "X", text)
    args = shlex.split(text)[1:]
    name = args[0] if args and args[0] in main.commands else "scan"  # type: ignore[attr-defined]
    rest = args[1:] if args and args[0] in main.commands else args  # type: ignore[attr-defined]
    command_obj = main.commands[name]  # type: ignore[attr-defined]
    command_obj.make_context(name, rest)  # raises on an unknown option or a bad value


@pytest.mark.parametrize("recipe", RECIPES, ids=lambda p: p.name)
def test_recipe_is_valid_yaml_and_its_commands_exist(recipe: Path) -> None:
    document = yaml.safe_load(recipe.read_text(encoding="utf-8"))
    commands = _commands(document)
    assert len(commands) >= 3, commands
    for command in commands:
        try:
            _check(command)
        except click.ClickException as exc:  # pragma: no cover - the failure message is the point
            pytest.fail(f"{recipe.name}: {command!r}: {exc.format_message()}")


def test_github_workflow_gates_on_new_errors_and_uploads_reports() -> None:
    workflow = yaml.safe_load(RECIPES[0].read_text(encoding="utf-8"))
    steps = workflow["jobs"]["fixture-graph"]["steps"]
    runs = " ".join(str(s.get("run", "")) for s in steps)
    assert "diff origin/${{ github.base_ref }} --fail-on error" in runs
    upload = next(s for s in steps if str(s.get("uses", "")).startswith("actions/upload-artifact"))
    assert upload["with"]["path"] == "out/"
    assert "--html out/report.html --svg out/graph.svg" in runs


def test_pre_commit_hook_names_the_console_script() -> None:
    hooks = yaml.safe_load((ROOT / ".pre-commit-hooks.yaml").read_text(encoding="utf-8"))
    (hook,) = hooks
    assert hook["entry"] == "fixture-graph"
    assert hook["pass_filenames"] is False
    assert re.search(hook["files"], "tests/sub/conftest.py")
    assert re.search(hook["files"], "tests/test_a.py")
    assert not re.search(hook["files"], "src/app.py")
    pyproject = (ROOT / "pyproject.toml").read_text(encoding="utf-8")
    assert 'fixture-graph = "fixture_graph.cli:main"' in pyproject
