"""pytest 8.x: verify's probe, the measurement plugin, and the 8.x closure rule.

A session fixture builds a throwaway virtualenv with pytest 8.x (and pytest-asyncio for case 25)
and passes it as ``--python``; the static side then reads pytest's version from that env.
"""

from __future__ import annotations

import dataclasses
import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from fixture_graph.config import ScanConfig
from fixture_graph.measure import load_measurements
from fixture_graph.report import build_report
from fixture_graph.scan.session import scan_paths
from fixture_graph.verify import PytestRun, describe, observe, verify_suite

DATA = Path(__file__).parent / "data" / "tricky"
CASES = sorted(p.name for p in DATA.iterdir() if p.is_dir())


@pytest.fixture(scope="session")
def pytest8_python(tmp_path_factory: pytest.TempPathFactory) -> str:
    venv = tmp_path_factory.mktemp("pytest8") / "venv"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True, capture_output=True)
    python = str(venv / "bin" / "python")
    done = subprocess.run(
        [python, "-m", "pip", "install", "-q", "pytest>=8.4,<9", "pytest-asyncio>=1.0"],
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    if done.returncode != 0:
        pytest.skip(f"cannot install pytest 8.x: {done.stderr.strip()[-300:]}")
    return python


def _workdir(root: Path) -> Path:
    return root / "proj" if (root / "proj").is_dir() else root


@pytest.mark.parametrize("case", CASES)
def test_tricky_case_agrees_with_pytest8(
    case: str, pytest8_python: str, copy_data: Callable[[str], Path]
) -> None:
    workdir = _workdir(copy_data(f"tricky/{case}"))
    result = verify_suite((), ScanConfig(python=pytest8_python), cwd=workdir)
    assert result.pytest_version is not None
    assert result.pytest_version.startswith("8.")
    assert result.source == "probe"
    assert [line for d in result.disagreements for line in describe(d)] == []


def test_setup_plan_fallback_on_pytest8(pytest8_python: str, copy_data: Callable[[str], Path]) -> None:
    workdir = copy_data("sample_suite")
    env = (("RUN_E2E_TESTS", "true"), ("USE_REAL_SERVICES", "true"))
    config = ScanConfig(python=pytest8_python, env=env)
    result = verify_suite((), config, cwd=workdir, oracle="setup-plan")
    assert result.source == "setup-plan"
    assert result.total > 30
    assert result.disagreements == ()


def test_probe_reads_winners_on_pytest8(pytest8_python: str, copy_data: Callable[[str], Path]) -> None:
    workdir = _workdir(copy_data("tricky/01_self_override_chain_not_a_cycle"))
    view = observe(PytestRun(cwd=workdir, python=pytest8_python))
    report = build_report(scan_paths([], ScanConfig(python=pytest8_python), invocation_dir=workdir))
    assert view.pytest_version is not None
    assert view.pytest_version.startswith("8.")
    winners = {t.nodeid: {n: (Path(d.path).name, d.line) for n, d in t.winners} for t in view.tests}
    ours = {t.nodeid: dict(t.winners) for t in report.resolution.tests}
    assert set(winners) == set(ours)
    for nodeid, names in winners.items():
        assert set(names) == set(ours[nodeid])


def test_closure_follows_the_8x_rule_for_an_8x_target(copy_data: Callable[[str], Path]) -> None:
    workdir = copy_data("tricky/27_override_chain_closure_8x_vs_9x")
    scan = scan_paths([], ScanConfig(scan_plugins=False), invocation_dir=workdir)
    new = {
        t.nodeid: t for t in build_report(dataclasses.replace(scan, pytest_version="9.2.0")).resolution.tests
    }
    old = {
        t.nodeid: t for t in build_report(dataclasses.replace(scan, pytest_version="8.4.2")).resolution.tests
    }
    nodeid = "tests/sub/test_sub.py::test_sub"
    assert new[nodeid].closure == ("db", "engine")
    assert old[nodeid].closure == ("db",)
    assert old[nodeid].closure_defs == new[nodeid].closure_defs


def test_measurement_plugin_on_pytest8(
    pytest8_python: str, write_tree: Callable[[dict[str, str]], Path]
) -> None:
    root = write_tree(
        {
            "pytest.ini": "[pytest]\n",
            "tests/conftest.py": (
                "import pytest\n\n@pytest.fixture(scope='session')\ndef big():\n"
                "    return b'x' * (20 * 1024 * 1024)\n"
            ),
            "tests/test_a.py": (
                "import pytest\n\nclass TestX:\n    @pytest.fixture\n"
                "    def meth(self):\n        return 1\n\n"
                "    def test_m(self, meth, big):\n        pass\n"
            ),
        }
    )
    repo = Path(__file__).resolve().parents[1]
    cmd = [pytest8_python, "-m", "pytest", "-q", "-p", "fixture_graph.measure.plugin", "-p", "no:asyncio"]
    env = {**os.environ, "PYTHONPATH": str(repo)}
    done = subprocess.run(
        [*cmd, "--fixture-graph-measure=m.json"],
        cwd=root,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    data = load_measurements(root / "m.json")
    assert data.pytest_version is not None
    assert data.pytest_version.startswith("8.")
    big = data.fixture("tests/conftest.py::big")
    assert big is not None
    assert big.peak_alloc_bytes >= 19 * 1024 * 1024
    assert data.fixture("tests/test_a.py::TestX::meth") is not None
    assert [c.path for c in data.conftests] == ["tests/conftest.py"]
