"""The bundled sample suite, under each env setting, must resolve exactly as real pytest does."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from fixture_graph.config import ScanConfig
from fixture_graph.report import build_report
from fixture_graph.scan.session import scan_paths
from fixture_graph.verify import PytestRun, compare, describe, observe, verify_suite

SETTINGS = {
    "none": {"USE_REAL_SERVICES": None, "RUN_E2E_TESTS": None},
    "services": {"USE_REAL_SERVICES": "true", "RUN_E2E_TESTS": None},
    "e2e": {"USE_REAL_SERVICES": None, "RUN_E2E_TESTS": "true"},
    "both": {"USE_REAL_SERVICES": "true", "RUN_E2E_TESTS": "true"},
}


@pytest.mark.parametrize("setting", sorted(SETTINGS))
def test_sample_suite_agrees_with_pytest(setting: str, copy_data: Callable[[str], Path]) -> None:
    env = tuple(sorted(SETTINGS[setting].items()))
    root = copy_data("sample_suite")
    run = PytestRun(cwd=root, env=env)
    probe = observe(run)
    plan = observe(run, oracle="setup-plan")
    report = build_report(scan_paths([], ScanConfig(env=env), invocation_dir=root))
    assert len(probe.tests) > 30
    problems = [
        line for view in (probe, plan) for d in compare(report, view).disagreements for line in describe(d)
    ]
    assert problems == []
    assert report.resolution.cycles == ()


def test_verify_reports_full_agreement_on_the_sample_suite(copy_data: Callable[[str], Path]) -> None:
    root = copy_data("sample_suite")
    env = tuple(sorted(SETTINGS["both"].items()))
    result = verify_suite((), ScanConfig(env=env), cwd=root)
    assert result.total > 30
    assert (result.agreeing, result.disagreements, result.unverifiable) == (result.total, (), ())


def test_sample_suite_without_env_includes_guarded_fixtures(copy_data: Callable[[str], Path]) -> None:
    root = copy_data("sample_suite")
    report = build_report(scan_paths([], ScanConfig(), invocation_dir=root))
    conditional = [f for f in report.user_fixtures if f.conditional]
    assert conditional, "env-guarded star imports must be included and marked conditional"
    assert all(f.guards for f in conditional)
    assert len(report.user_fixtures) == 39
    assert all(f.impact for f in report.user_fixtures)
