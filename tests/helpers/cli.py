"""Run the CLI in-process from a folder, as a user would from that folder."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

from click.testing import CliRunner

from fixture_graph.cli import main


def run(root: Path, *args: str) -> tuple[int, str]:
    """``fixture-graph --no-plugins ARGS`` run in ``root``: (exit code, output)."""
    cwd = os.getcwd()
    os.chdir(root)
    try:
        result = CliRunner().invoke(main, ["--no-plugins", *args])
    finally:
        os.chdir(cwd)
    return result.exit_code, result.output


def run_process_json(root: Path, *args: str) -> dict[str, Any]:
    """``fixture-graph --no-plugins --format json ARGS`` as a real process in ``root``; it must exit 0.

    A real process, not CliRunner, where the tree may block a reader (FIFOs): a hang then
    fails the test at the timeout instead of freezing the test run.
    """
    done = subprocess.run(
        [sys.executable, "-m", "fixture_graph", "--no-plugins", "--format", "json", *args],
        cwd=root,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    data: dict[str, Any] = json.loads(done.stdout)
    return data
