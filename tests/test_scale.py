"""The fast paths give the same answer as the plain one, and the synthetic suites are what they claim.

The parallel pool, the cold cache and the warm cache must all produce byte-identical JSON to a
serial, uncached scan. The generated suite must be collected by real pytest exactly as we resolve
it, so the benchmark measures a suite pytest agrees with.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from bench.synth import SuiteSpec, fixture_rich_spec, generate_suite, synthetic_scan

from fixture_graph.config import ScanConfig
from fixture_graph.render import RENDERERS
from fixture_graph.report import build_report
from fixture_graph.resolve import resolve
from fixture_graph.scan import cache as cache_mod
from fixture_graph.scan import loader as loader_mod
from fixture_graph.scan.session import scan_paths
from fixture_graph.verify import PytestRun, compare, describe, observe

SMALL = SuiteSpec(test_files=40, seed=7, files_per_dir=5, depth=2, conftest_ratio=0.7)


def scan_json(root: Path, **config: object) -> str:
    scan = scan_paths([], ScanConfig(scan_plugins=False, **config), invocation_dir=root)  # type: ignore[arg-type]
    return RENDERERS["json"](build_report(scan))


def test_parallel_and_cached_scans_match_the_serial_uncached_bytes(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = tmp_path / "suite"
    generate_suite(root, SMALL)
    serial = scan_json(root, jobs=1, cache=False)
    monkeypatch.setattr(loader_mod, "PARALLEL_THRESHOLD", 1)
    monkeypatch.setattr(loader_mod, "CHUNK_SIZE", 3)
    assert scan_json(root, jobs=2, cache=False) == serial
    assert scan_json(root, jobs=2) == serial  # cold cache, filled by the workers
    assert scan_json(root, jobs=1) == serial  # warm, by content
    monkeypatch.setattr(cache_mod, "RACY_NS", 0)
    assert scan_json(root, jobs=2) == serial  # warm, by stat
    edited = root / "tests" / "d0" / "d0_0" / "test_m00000.py"
    edited.write_text(edited.read_text() + "\n\ndef test_added(db):\n    pass\n")
    fresh = scan_json(root, jobs=1, cache=False)
    assert "test_added" in fresh
    assert scan_json(root, jobs=2) == fresh


@pytest.mark.parametrize(
    "env", [{}, {"USE_REAL_SERVICES": "true", "RUN_E2E_TESTS": "true"}], ids=["plain", "env"]
)
def test_synthetic_suite_agrees_with_pytest(tmp_path: Path, env: dict[str, str]) -> None:
    root = tmp_path / "suite"
    stats = generate_suite(root, SMALL)
    oracle_env: dict[str, str | None] = {"USE_REAL_SERVICES": None, "RUN_E2E_TESTS": None, **env}
    settings = tuple(sorted(oracle_env.items()))
    run = PytestRun(cwd=root, env=settings)
    probe = observe(run)
    plan = observe(run, oracle="setup-plan")
    config = ScanConfig(env=settings, cache=False)
    report = build_report(scan_paths([], config, invocation_dir=root))
    assert len(probe.tests) == stats.tests == len(report.resolution.tests)
    problems = [
        line for view in (probe, plan) for d in compare(report, view).disagreements for line in describe(d)
    ]
    assert problems == []
    chains = [f for f in report.scan.fixtures if f.name == "db" and f.argnames == ("db",)]
    assert chains, "the suite has def db(db) override chains"
    assert any(f.autouse for f in report.user_fixtures)
    assert any(f.params for f in report.user_fixtures)
    assert any(f.is_yield for f in report.user_fixtures)
    assert any(f.func_name != f.name for f in report.user_fixtures), "name= fixtures"
    assert all(f.impact for f in report.user_fixtures if "conftest" in f.file)


def test_generation_is_deterministic_and_counts_fixtures(tmp_path: Path) -> None:
    first = generate_suite(tmp_path / "a", SMALL)
    second = generate_suite(tmp_path / "b", SMALL)
    files_a = sorted(p.relative_to(first.root) for p in first.root.rglob("*.py"))
    files_b = sorted(p.relative_to(second.root) for p in second.root.rglob("*.py"))
    assert files_a == files_b
    assert all((first.root / p).read_bytes() == (second.root / p).read_bytes() for p in files_a)
    rich = generate_suite(tmp_path / "rich", fixture_rich_spec(600))
    report = build_report(
        scan_paths([], ScanConfig(scan_plugins=False, cache=False), invocation_dir=rich.root)
    )
    assert rich.fixtures == len(report.user_fixtures) == 600


def test_synthetic_scan_has_the_requested_cycles() -> None:
    scan = synthetic_scan(3000, scc_sizes=(60, 25), seed=3)
    assert len(scan.fixtures) == 3000
    resolution = resolve(scan)
    assert resolution.unknown == ()
    members = {link for cycle in resolution.cycles for link in cycle.links}
    ring = {f.id for f in scan.fixtures[:85]}
    assert ring <= members
    assert synthetic_scan(3000, scc_sizes=(60, 25), seed=3) == scan
