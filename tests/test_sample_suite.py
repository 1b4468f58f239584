"""The bundled sample suite, under each env setting, must resolve exactly as real pytest does."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from helpers.compare import mismatches
from helpers.oracle import run_plugin_oracle, run_setup_plan

from fixture_graph.config import ScanConfig
from fixture_graph.report import build_report
from fixture_graph.scan.session import scan_paths

SETTINGS = {
    "none": {"USE_REAL_SERVICES": None, "RUN_E2E_TESTS": None},
    "services": {"USE_REAL_SERVICES": "true", "RUN_E2E_TESTS": None},
    "e2e": {"USE_REAL_SERVICES": None, "RUN_E2E_TESTS": "true"},
    "both": {"USE_REAL_SERVICES": "true", "RUN_E2E_TESTS": "true"},
}


@pytest.mark.parametrize("setting", sorted(SETTINGS))
def test_sample_suite_agrees_with_pytest(setting: str, copy_data: Callable[[str], Path]) -> None:
    env = SETTINGS[setting]
    root = copy_data("sample_suite")
    oracle = run_plugin_oracle(root, env=env)
    plan = run_setup_plan(root, env=env)
    config = ScanConfig(env=tuple(sorted(env.items())))
    report = build_report(scan_paths([], config, invocation_dir=root))
    assert len(oracle) > 30
    assert mismatches(report, oracle, plan) == []
    assert report.resolution.cycles == ()


def test_sample_suite_without_env_includes_guarded_fixtures(copy_data: Callable[[str], Path]) -> None:
    root = copy_data("sample_suite")
    report = build_report(scan_paths([], ScanConfig(), invocation_dir=root))
    conditional = [f for f in report.user_fixtures if f.conditional]
    assert conditional, "env-guarded star imports must be included and marked conditional"
    assert all(f.guards for f in conditional)
    assert len(report.user_fixtures) == 39
    assert all(f.impact for f in report.user_fixtures)
