"""Run the CLI in-process from a folder, as a user would from that folder."""

from __future__ import annotations

import os
from pathlib import Path

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
