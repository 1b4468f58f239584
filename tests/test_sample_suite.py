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


def _cli(root: Path, *args: str) -> tuple[int, str]:
    import os

    from click.testing import CliRunner

    from fixture_graph.cli import main

    cwd = os.getcwd()
    os.chdir(root)
    try:
        result = CliRunner().invoke(main, list(args))
    finally:
        os.chdir(cwd)
    return result.exit_code, result.output


def test_sample_suite_reports_what_the_migration_reported(copy_data: Callable[[str], Path]) -> None:
    root = copy_data("sample_suite")
    code, out = _cli(root, "--env", "USE_REAL_SERVICES=true", "--env", "RUN_E2E_TESTS=true")
    assert code == 0, out
    assert "39 fixtures analyzed, 0 circular dependencies" in out
    assert "by impact: VERY_HIGH 3, HIGH 4, MEDIUM 7, LOW 12, MINIMAL 13" in out
    chains = out.split("heaviest chains:\n", 1)[1].split("heaviest tests:", 1)[0]
    assert chains.splitlines()[0].strip() == (
        "32 points: authenticated_api_client [LOW] -> api_client [MEDIUM] -> app_instance [HIGH] "
        "-> search_index [VERY_HIGH] -> settings [MINIMAL] -> config [MINIMAL]"
    )
    assert "browser [VERY_HIGH]" in chains
    assert "FG004 [warning] heavy chain (32 points >= 24)" in out
    assert "FG005 [warning] 12 session-scoped fixtures, 8 over the budget of 4" in out
    assert out.count(": FG005 [") == 1


def test_sample_suite_with_a_planted_cycle_exits_1(copy_data: Callable[[str], Path]) -> None:
    root = copy_data("sample_suite")
    base = root / "tests" / "conftest_base.py"
    text = base.read_text()
    # Two base fixtures that request each other, reached from a unit test.
    text += (
        "\n\n@pytest.fixture\ndef planted_a(planted_b):\n    return planted_b\n"
        "\n\n@pytest.fixture\ndef planted_b(planted_a):\n    return planted_a\n"
    )
    base.write_text(text)
    (root / "tests" / "unit" / "test_planted.py").write_text("def test_planted(planted_a):\n    pass\n")
    code, out = _cli(root)
    assert code == 1, out
    assert "circular dependency: planted_a -> planted_b -> planted_a" in out
    assert "41 fixtures analyzed, 1 circular dependency" in out
