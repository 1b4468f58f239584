"""Property-based fuzzing: any input gives a model plus findings or issues, never an exception.

Seeds are fixed (``derandomize``) and the budget is small, so ``make test`` is repeatable and
fast; ``make fuzz`` raises the budget through ``FIXTURE_GRAPH_FUZZ_EXAMPLES``.
"""

from __future__ import annotations

import ast
import os
import tempfile
import warnings
from pathlib import Path

import pytest
from helpers.resolution import semantic
from helpers.strategies import module_bytes, scan_results
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from fixture_graph.config import ExtractOptions, ScanConfig
from fixture_graph.model import ScanResult
from fixture_graph.render import RENDERERS
from fixture_graph.report import build_report
from fixture_graph.resolve import resolve
from fixture_graph.scan.extract import extract_module
from fixture_graph.scan.records import ModuleRecord
from fixture_graph.scan.session import scan_paths

with warnings.catch_warnings():
    warnings.simplefilter("ignore")  # libcst, under hypothesmith, may warn on import
    import hypothesmith

BUDGET = int(os.environ.get("FIXTURE_GRAPH_FUZZ_EXAMPLES", "0"))


def budget(default: int) -> settings:
    """Fixed seeds, no example database, no deadline.

    ``make fuzz`` sets ``FIXTURE_GRAPH_FUZZ_EXAMPLES``: a larger budget and fresh random seeds
    (hypothesis prints the failing example to reproduce it).
    """
    return settings(
        max_examples=BUDGET or default,
        derandomize=not BUDGET,
        database=None,
        deadline=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large, HealthCheck.filter_too_much],
    )


def check_record(record: ModuleRecord, data: bytes) -> None:
    """An unreadable file is an empty record with a fatal issue saying why; else it parsed."""
    assert isinstance(record, ModuleRecord)
    if not record.parsed:
        assert record.body == ()
        assert any(i.fatal for i in record.issues)
    assert all(i.file == "m.py" for i in record.issues)
    assert record == extract_module("m.py", data, ExtractOptions()), "extraction is not deterministic"


@budget(1000)
@given(st.binary(max_size=400))
def test_extract_never_raises_on_random_bytes(data: bytes) -> None:
    check_record(extract_module("m.py", data, ExtractOptions()), data)


@budget(1500)
@given(module_bytes())
def test_extract_never_raises_on_fixture_shaped_modules(data: bytes) -> None:
    record = extract_module("m.py", data, ExtractOptions())
    check_record(record, data)
    try:
        ast.parse(data)
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return
    if b"\x00" not in data and not data.startswith(b"# -*- coding: latin-1"):
        assert record.parsed, record.issues


@budget(200)
@given(hypothesmith.from_grammar())
def test_extract_agrees_with_python_on_generated_programs(source: str) -> None:
    data = source.encode("utf-8", "surrogatepass")
    record = extract_module("m.py", data, ExtractOptions())
    check_record(record, data)
    try:
        with warnings.catch_warnings():  # 3.12+ warn of invalid escapes; pytest would not fail
            warnings.simplefilter("ignore")
            ast.parse(data)
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        assert not record.parsed
    else:
        assert record.parsed or {i.code for i in record.issues} & {"too-deep", "decode-error"}


@budget(400)
@given(scan_results())
def test_fast_closures_resolve_exactly_like_pytests_walk(scan: ScanResult) -> None:
    """Set-based closures and shared walks (linear on long chains) give what full walks give."""
    from unittest import mock

    from fixture_graph.reach import Reachability

    fast = resolve(scan)
    with (
        mock.patch.object(Reachability, "reach", return_value=None),
        mock.patch.object(Reachability, "closure", return_value=None),
    ):
        assert semantic(fast) == semantic(resolve(scan))  # shared walks only
        assert semantic(fast) == semantic(resolve(scan, share_walks=False))  # every walk in full


def _render_all(root: Path, cache_dir: Path) -> dict[str, str]:
    config = ScanConfig(scan_plugins=False, cache_dir=str(cache_dir))
    report = build_report(scan_paths([], config, invocation_dir=root))
    assert isinstance(report.scan, ScanResult)
    for issue in report.scan.issues:
        assert issue.code
        assert issue.file is not None
    return {name: render(report) for name, render in sorted(RENDERERS.items())}


LAYOUT = ("conftest.py", "test_a.py", "helpers.py", "sub/conftest.py", "sub/test_b.py")


@pytest.fixture(scope="module")
def shared_cache(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One extraction cache for every example: pytest's own modules are parsed once, not per tree
    (that was half of this test's time); each tree's first run still extracts what is new."""
    return tmp_path_factory.mktemp("extract-cache")


# 250 trees (it was 500, the slowest test of the suite at a third of its time, run once per
# supported Python by make test-all); make fuzz runs 2,000 with fresh seeds.
@budget(250)
@given(st.lists(module_bytes(), min_size=len(LAYOUT), max_size=len(LAYOUT)))
@pytest.mark.filterwarnings("ignore::DeprecationWarning")
def test_whole_pipeline_never_raises_and_is_deterministic(shared_cache: Path, files: list[bytes]) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        (root / "pytest.ini").write_text("[pytest]\n")
        for rel, data in zip(LAYOUT, files, strict=True):
            (root / rel).parent.mkdir(parents=True, exist_ok=True)
            (root / rel).write_bytes(data)
        first = _render_all(root, shared_cache)
        assert first == _render_all(root, shared_cache), "two runs on the same tree differ"
        assert set(first) == set(RENDERERS)
