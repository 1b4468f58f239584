"""File-system failures that cannot be staged for real (root ignores permissions)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

import fixture_graph.scan.walk as walk_mod


def fail_listing(monkeypatch: pytest.MonkeyPatch, folder: str, error: OSError) -> None:
    """Make the scan's walk fail with ``error`` where it lists a folder named ``folder``."""
    real_scandir = os.scandir

    def scandir(path: str | os.PathLike[str]) -> object:
        if Path(path).name == folder:
            raise error
        return real_scandir(path)

    monkeypatch.setattr(walk_mod.os, "scandir", scandir)
