"""Every repro from real suites (tests/data/repros, each with its EXPECTED.md): our per-test
closures and winning definitions must equal what real pytest reports on the same tree.

Like the tricky cases, each tree is copied to ``tmp_path`` and real pytest runs on it twice
(the probe plugin, and ``--setup-plan -q``) through the shipped verify module. The specific
EXPECTED values (findings, deselection, parametrization) are asserted in the tests of each kind.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from pathlib import Path

import pytest

from fixture_graph.config import ScanConfig
from fixture_graph.report import build_report
from fixture_graph.scan.session import scan_paths
from fixture_graph.verify import PytestRun, compare, describe, observe

DATA = Path(__file__).parent / "data" / "repros"
CASES = sorted(p.name for p in DATA.iterdir() if p.is_dir())

# Kinds not closed yet: the case still disagrees with pytest (strict, so a fix is noticed).
OPEN: frozenset[str] = frozenset()

# pytest-asyncio requests its loop runner (``_module_scoped_runner``) at setup time, after
# collection: --setup-plan lists it, ``item.fixturenames`` (the probe) does not.
SETUP_PLAN_GAPS = {
    "11_asyncio_default_loop_scope_narrower_than_fixture_scope": (
        "test_async_scopes.py::test_async_module",
        "test_async_scopes.py::test_async_module_ok",
    )
}


@pytest.mark.parametrize(
    "case",
    [pytest.param(c, marks=pytest.mark.xfail(strict=True)) if c in OPEN else c for c in CASES],
)
def test_repro_agrees_with_pytest(case: str, copy_data: Callable[[str], Path]) -> None:
    workdir = copy_data(f"repros/{case}")
    run = PytestRun(cwd=workdir)
    probe = observe(run)
    plan = observe(run, oracle="setup-plan")
    gaps = SETUP_PLAN_GAPS.get(case, ())
    plan = dataclasses.replace(plan, tests=tuple(t for t in plan.tests if t.nodeid not in gaps))
    report = build_report(scan_paths([], ScanConfig(), invocation_dir=workdir))
    assert probe.source == "probe"
    assert probe.tests or not report.resolution.tests, "pytest collected nothing, we did"
    nodeids = {t.nodeid for t in report.resolution.tests}
    assert nodeids == {t.nodeid.split("[", 1)[0] for t in probe.tests}
    problems = [
        line for view in (probe, plan) for d in compare(report, view).disagreements for line in describe(d)
    ]
    assert problems == []
