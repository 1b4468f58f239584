"""Write a ``plan-split`` plan out, and read pytest's ``--setup-plan`` test by test."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from typing import Any

ALL_ON = {"USE_REAL_SERVICES": "true", "RUN_E2E_TESTS": "true"}


def write_split(root: Path, plan: dict[str, Any]) -> None:
    """Write every module of ``plan`` and its orchestrating conftest under ``root``."""
    for module in plan["modules"]:
        (root / module["file"]).write_text(module["text"], encoding="utf-8")
    (root / plan["conftest"]).write_text(plan["orchestrator"], encoding="utf-8")


def setup_plans(root: Path, env: dict[str, str]) -> dict[str, list[str]]:
    """Node id -> the lines ``pytest --setup-plan -v`` prints for that test (its outcome, and
    every SETUP/TEARDOWN up to the next test)."""
    environ = {k: v for k, v in os.environ.items() if k not in ALL_ON}
    environ.update(env, PYTEST_DISABLE_PLUGIN_AUTOLOAD="1", PYTHONDONTWRITEBYTECODE="1")
    done = subprocess.run(
        [sys.executable, "-m", "pytest", "--setup-plan", "-v", "-p", "no:cacheprovider"],
        cwd=root,
        env=environ,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    plans: dict[str, list[str]] = {}
    current: list[str] | None = None
    for line in done.stdout.splitlines():
        if line.startswith("tests/") and "::" in line:
            nodeid, _, outcome = line.partition(" ")
            current = plans.setdefault(nodeid, [])
            current.append(outcome.strip())
        elif line.startswith("="):
            current = None
        elif current is not None and line.strip():
            current.append(line.strip())
    return plans
