"""Every rule, over every suite we have: each finding carries a fix and a known severity.

The suites are the sample suite with every env guard on, the tricky cases and repros under
``tests/data``, and the cycle and hostile suites of ``tests/helpers/render.py``. Each is analyzed
twice: with the default settings, and with thresholds low enough (a session budget of 0, any
weight a heavy chain, every test under a contract forbidding everything, measurements that
contradict every tag) that every rule has something to say, so the audit reaches each rule's
every kind of finding rather than only what a default run shows.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterable, Iterator
from pathlib import Path

from helpers.render import write_cycle_suite, write_files, write_hostile_suite

from fixture_graph.analyze import RULES
from fixture_graph.analyze.findings import Finding, Severity
from fixture_graph.config import AnalyzeConfig, Contract, ScanConfig
from fixture_graph.measure import FixtureMeasurement, Measurements
from fixture_graph.report import Report, build_report
from fixture_graph.scan.session import scan_paths

DATA = Path(__file__).parent / "data"
EVERY_GUARD_ON = (("RUN_E2E_TESTS", "true"), ("USE_REAL_SERVICES", "true"))
PROVOKING = AnalyzeConfig(
    untagged_weight=1.0,
    heavy_chain_threshold=1.0,
    max_session_fixtures=0,
    workers=2,
    autouse_cost_threshold=0.5,
    heavy_modules=("os", "pytest", "json", "sys", "typing"),
    contracts=(Contract("nothing", tests=("*",), forbid=("*",)),),
)

# What the data suites lack: computed scopes on either side of a request, a computed
# getfixturevalue name, heavy imports used nowhere, in one function, or behind a guard, an
# autouse fixture with params, and copies.
DYNAMIC = {
    "pytest.ini": "[pytest]\n",
    "conftest.py": """
        import os
        import pytest
        import torch
        import pandas
        if os.environ.get("ML"):
            import sklearn
        def pick(fixture_name, config):
            return "session"
        @pytest.fixture(scope=pick)
        def computed(): pass
        @pytest.fixture(scope="session")
        def wide(computed): pass
        @pytest.fixture
        def narrow(): pass
        @pytest.fixture(scope=pick)
        def computed_wide(narrow): pass
        @pytest.fixture(autouse=True)
        def everywhere(): pass
        @pytest.fixture
        def frame():
            return pandas.DataFrame()
        @pytest.fixture(autouse=True, params=["a", "b"])
        def each_twice(): pass
    """,
    # FG015: the same fixture in two sibling conftests, and one defined twice in a module.
    "copy_a/conftest.py": "import pytest\n\n@pytest.fixture\ndef shared():\n    return make()\n",
    "copy_b/conftest.py": (
        "import pytest\n\n@pytest.fixture\ndef shared():\n    return make()\n\n"
        "@pytest.fixture\ndef shared():\n    return make(2)\n"
    ),
    "test_dynamic.py": """
        def test_dynamic(request, wide, computed_wide, frame):
            request.getfixturevalue("nar" + "row")
    """,
}


def _suites(tmp_path: Path) -> Iterator[tuple[str, Path, tuple[tuple[str, str | None], ...]]]:
    """(name, working directory, --env) for every suite, copied under ``tmp_path``."""
    sample = tmp_path / "sample_suite"
    shutil.copytree(DATA / "sample_suite", sample)
    yield "sample_suite", sample, EVERY_GUARD_ON
    for kind in ("tricky", "repros"):
        for case in sorted(p for p in (DATA / kind).iterdir() if p.is_dir()):
            copy = tmp_path / kind / case.name
            shutil.copytree(case, copy)
            yield f"{kind}/{case.name}", copy / "proj" if (copy / "proj").is_dir() else copy, ()
    yield "cycle", write_cycle_suite(tmp_path / "cycle"), ()
    yield "dynamic", write_files(tmp_path / "dynamic", DYNAMIC), ()
    yield "hostile", write_hostile_suite(tmp_path / "hostile"), (("</script><b>", "1"),)
    yield "hostile-undecided", tmp_path / "hostile", ()


def _contradicting(report: Report) -> Measurements:
    """Every other user fixture far over its tag's ceiling, the rest far under it."""
    rows = []
    for number, fixture in enumerate(sorted(report.user_fixtures, key=lambda f: f.id)):
        heavy = number % 2 == 0
        rows.append(
            FixtureMeasurement(
                id=fixture.id,
                setups=3,
                setup_total_s=30.0 if heavy else 0.0003,
                setup_max_s=10.0 if heavy else 0.0001,
                teardown_total_s=0.0,
                peak_alloc_bytes=(4096 if heavy else 0) * 1024 * 1024,
                rss_delta_bytes=0,
                name=fixture.name,
            )
        )
    return Measurements("audit", None, True, tuple(rows), ())


def _findings(root: Path, env: tuple[tuple[str, str | None], ...]) -> Iterator[Finding]:
    scan = scan_paths([], ScanConfig(env=env), invocation_dir=root)
    default = build_report(scan)
    yield from default.analysis.findings
    provoked = build_report(scan, PROVOKING, measurements=_contradicting(default))
    yield from provoked.analysis.findings


def _problems(name: str, findings: Iterable[Finding]) -> list[str]:
    """What is wrong with ``findings``: an empty fix, an unknown code or severity."""
    out = []
    for finding in findings:
        if not (finding.fix or "").strip():
            out.append(f"{name}: {finding.code} has no fix: {finding.message}")
        if finding.code not in RULES:
            out.append(f"{name}: unknown code {finding.code}")
        if not isinstance(finding.severity, Severity) or finding.severity not in tuple(Severity):
            out.append(f"{name}: {finding.code} has severity {finding.severity!r}")
    return out


def test_every_finding_of_every_rule_has_a_fix_and_a_known_severity(tmp_path: Path) -> None:
    seen: set[str] = set()
    problems: list[str] = []
    for name, root, env in _suites(tmp_path):
        findings = list(_findings(root, env))
        seen.update(f.code for f in findings)
        problems += _problems(name, findings)
    assert problems == []
    # The audit is only worth something if it reached every rule.
    assert sorted(seen) == sorted(RULES)


def test_the_audit_catches_an_empty_fix_and_a_stray_severity() -> None:
    good = Finding("FG007", Severity.INFO, "m", "f.py", 1, fix="rename it")
    assert _problems("t", [good]) == []
    bad = [
        Finding("FG007", Severity.INFO, "none", "f.py", 1),
        Finding("FG007", Severity.INFO, "blank", "f.py", 1, fix="  "),
        Finding("FG999", 5, "stray", "f.py", 1, fix="x"),  # type: ignore[arg-type]
    ]
    assert _problems("t", bad) == [
        "t: FG007 has no fix: none",
        "t: FG007 has no fix: blank",
        "t: unknown code FG999",
        "t: FG999 has severity 5",
    ]
