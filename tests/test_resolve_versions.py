"""Closure semantics follow the target pytest's version (8.x only followed the closest definition)."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from pathlib import Path

from fixture_graph.config import ScanConfig
from fixture_graph.resolve import resolve
from fixture_graph.scan.session import scan_paths


def test_case_27_override_parent_dependency_by_version(copy_data: Callable[[str], Path]) -> None:
    root = copy_data("tricky/27_override_chain_closure_8x_vs_9x")
    scan = scan_paths([], ScanConfig(scan_plugins=False), invocation_dir=root)
    v9 = {t.nodeid: t for t in resolve(dataclasses.replace(scan, pytest_version="9.2.0")).tests}
    v8 = {t.nodeid: t for t in resolve(dataclasses.replace(scan, pytest_version="8.4.2")).tests}
    test = "tests/sub/test_sub.py::test_sub"
    assert "engine" in v9[test].closure
    assert "engine" not in v8[test].closure  # what 8.x lists, as EXPECTED.md records
    # What runs is the same on both: the chain and the parent's dependency.
    assert v8[test].closure_defs == v9[test].closure_defs
    assert "tests/conftest.py::engine" in v8[test].closure_defs
