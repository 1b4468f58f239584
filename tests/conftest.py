"""Shared fixtures: sample trees are built in ``tmp_path`` or copied there from ``tests/data``."""

from __future__ import annotations

import shutil
import textwrap
from collections.abc import Callable
from pathlib import Path

import pytest

DATA = Path(__file__).parent / "data"


@pytest.fixture
def write_tree(tmp_path: Path) -> Callable[[dict[str, str]], Path]:
    """Write ``{relative path: source}`` (dedented) under ``tmp_path/tree`` and return that root."""

    def write(files: dict[str, str]) -> Path:
        root = tmp_path / "tree"
        for rel, text in files.items():
            path = root / rel
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(textwrap.dedent(text).lstrip("\n"))
        return root

    return write


@pytest.fixture
def copy_data(tmp_path: Path) -> Callable[[str], Path]:
    """Copy ``tests/data/<name>`` into ``tmp_path`` and return the copy."""

    def copy(name: str) -> Path:
        target = tmp_path / Path(name).name
        shutil.copytree(DATA / name, target)
        return target

    return copy
