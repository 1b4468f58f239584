"""The measurement plugin and its loader, with real pytest runs in a subprocess."""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import CliRunner

from fixture_graph.cli import main
from fixture_graph.config import ScanConfig
from fixture_graph.measure import (
    SCHEMA,
    Measurements,
    MeasurementsError,
    load_measurements,
    parse_measurements,
)
from fixture_graph.scan.session import scan_paths

Tree = Callable[[dict[str, str]], Path]
MB = 1024 * 1024

TREE = {
    "pytest.ini": "[pytest]\n",
    "conftest.py": """
        import time
        import pytest

        pytest_plugins = ["helpers.plug"]

        @pytest.fixture(scope="session")
        def big():
            data = b"x" * (50 * 1024 * 1024)
            yield data
            time.sleep(0.05)
    """,
    "helpers/__init__.py": "",
    "helpers/plug.py": """
        import pytest

        @pytest.fixture
        def from_plugin():
            return 3
    """,
    "tests/conftest.py": """
        import pytest

        IMPORT_COST = b"c" * (8 * 1024 * 1024)

        @pytest.fixture
        def small():
            return 1
    """,
    "tests/test_a.py": """
        import pytest

        @pytest.fixture
        def local(small):
            return small

        class TestX:
            @pytest.fixture
            def meth(self):
                return 2

            def test_m(self, meth, tmp_path, from_plugin):
                pass

        def test_big(big, local):
            assert len(big) == 50 * 1024 * 1024

        @pytest.mark.parametrize("n", [1, 2, 3])
        def test_small(small, n):
            pass
    """,
}


def _pytest(root: Path, *args: str) -> subprocess.CompletedProcess[str]:
    cmd = [sys.executable, "-m", "pytest", "-q", "-p", "no:asyncio", *args]
    return subprocess.run(cmd, cwd=root, capture_output=True, text=True, timeout=300, check=False)


@pytest.fixture(scope="module")
def measured(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Measurements]:
    import textwrap

    root = tmp_path_factory.mktemp("measured")
    for rel, text in TREE.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text).lstrip("\n"))
    done = _pytest(root, "--fixture-graph-measure=out/measure.json")
    assert done.returncode == 0, done.stdout + done.stderr
    return root, load_measurements(root / "out" / "measure.json")


def test_fifty_megabyte_fixture_is_measured_within_tolerance(measured: tuple[Path, Measurements]) -> None:
    _root, data = measured
    big = data.fixture("conftest.py::big")
    assert big is not None
    assert big.setups == 1
    assert 48 * MB <= big.peak_alloc_bytes <= 56 * MB
    assert 40 * MB <= big.rss_delta_bytes <= 80 * MB
    assert big.teardown_total_s >= 0.045
    small = data.fixture("tests/conftest.py::small")
    assert small is not None
    assert small.setups == 4
    assert small.peak_alloc_bytes < 1 * MB


def test_measured_ids_are_the_static_graph_ids(measured: tuple[Path, Measurements]) -> None:
    root, data = measured
    static = {f.id for f in scan_paths([], ScanConfig(), invocation_dir=root).fixtures}
    ids = {f.id for f in data.fixtures}
    assert ids <= static
    assert {
        "conftest.py::big",
        "helpers/plug.py::from_plugin",
        "tests/conftest.py::small",
        "tests/test_a.py::local",
        "tests/test_a.py::TestX::meth",
        "builtin::tmp_path",
    } <= ids
    assert not any(f.name == "n" for f in data.fixtures), "direct parametrize args are not fixtures"


def test_conftest_import_cost_is_measured(measured: tuple[Path, Measurements]) -> None:
    _root, data = measured
    paths = {c.path: c for c in data.conftests}
    assert set(paths) == {"conftest.py", "tests/conftest.py"}
    assert paths["tests/conftest.py"].peak_alloc_bytes >= 7 * MB
    assert paths["conftest.py"].peak_alloc_bytes < 2 * MB


def test_plugin_is_inert_when_disabled(write_tree: Tree) -> None:
    conftest = """
        import sys
        import tracemalloc

        def pytest_sessionfinish(session):
            pm = session.config.pluginmanager
            loaded = "fixture_graph.measure.plugin" in sys.modules
            recorder = "fixture_graph.measure.recorder" in sys.modules
            hooks = [
                name for name in ("pytest_fixture_setup", "pytest_fixture_post_finalizer")
                if any("fixture_graph" in repr(i.plugin) for i in getattr(pm.hook, name).get_hookimpls())
            ]
            tracing = tracemalloc.is_tracing()
            print(f"\\nSTATE loaded={loaded} recorder={recorder} tracing={tracing} hooks={hooks}")
    """
    root = write_tree(
        {"pytest.ini": "[pytest]\n", "conftest.py": conftest, "test_a.py": "def test_a():\n    pass\n"}
    )
    done = _pytest(root, "-s")
    assert "STATE loaded=True recorder=False tracing=False hooks=[]" in done.stdout, done.stdout


def test_scan_accepts_measurements(
    measured: tuple[Path, Measurements], monkeypatch: pytest.MonkeyPatch
) -> None:
    root, _data = measured
    monkeypatch.chdir(root)
    result = CliRunner().invoke(main, ["--measurements", "out/measure.json"])
    assert result.exit_code == 0, result.output
    bad = CliRunner().invoke(main, ["--measurements", "missing.json"])
    assert bad.exit_code == 2
    assert "--measurements" in bad.output


def test_report_carries_measurements(measured: tuple[Path, Measurements]) -> None:
    import dataclasses

    from fixture_graph.report import build_report

    root, data = measured
    report = build_report(scan_paths([], ScanConfig(), invocation_dir=root), analyze=False)
    attached = dataclasses.replace(report, measurements=data)
    assert attached.measurements is data
    by_id = attached.measurements.fixture_map()
    assert all(f.id in by_id for f in attached.scan.fixtures if f.id.endswith("::big"))


def _doc(**fixture: object) -> dict[str, object]:
    entry = {
        "id": "tests/conftest.py::db",
        "setups": 2,
        "setup_total_s": 0.5,
        "setup_max_s": 0.3,
        "teardown_total_s": 0.1,
        "peak_alloc_bytes": 1000,
        "rss_delta_bytes": -4096,
        **fixture,
    }
    return {
        "schema": SCHEMA,
        "pytest_version": "9.2.0",
        "tracemalloc": True,
        "fixtures": [entry],
        "conftests": [],
    }


def test_loader_reads_a_valid_document(tmp_path: Path) -> None:
    path = tmp_path / "m.json"
    path.write_text(json.dumps(_doc()))
    data = load_measurements(path)
    (db,) = data.fixtures
    assert (db.setups, db.setup_mean_s, db.rss_delta_bytes) == (2, 0.25, -4096)
    assert data.fixture("nope") is None


@pytest.mark.parametrize(
    ("doc", "message"),
    [
        ({"schema": "other"}, "expected schema"),
        ([], "expected schema"),
        (_doc(setups=-1), "non-negative integer"),
        (_doc(setup_total_s="fast"), "non-negative number"),
        ({"schema": SCHEMA, "fixtures": [{"id": "x"}]}, "malformed entry"),
    ],
)
def test_loader_rejects_bad_documents(doc: object, message: str) -> None:
    with pytest.raises(MeasurementsError, match=message):
        parse_measurements(doc, "m.json")


def test_loader_reports_unreadable_and_non_json_files(tmp_path: Path) -> None:
    with pytest.raises(MeasurementsError, match="cannot read"):
        load_measurements(tmp_path / "missing.json")
    (tmp_path / "x.json").write_text("{not json")
    with pytest.raises(MeasurementsError, match="not JSON"):
        load_measurements(tmp_path / "x.json")


@pytest.mark.parametrize(
    ("tag", "expected"),
    [
        ("MINIMAL", ("warning", "'big' is tagged MINIMAL but measured")),
        ("MEDIUM", None),
        ("VERY_HIGH", ("info", "'big' is tagged VERY_HIGH but measured only")),
    ],
)
def test_fg011_impact_drift_against_the_measured_50mb_fixture(
    measured: tuple[Path, Measurements], write_tree: Tree, tag: str, expected: tuple[str, str] | None
) -> None:
    from fixture_graph.report import build_report

    _, data = measured
    root = write_tree(
        {
            "pytest.ini": "[pytest]\n",
            "conftest.py": f"import pytest\n@pytest.fixture(scope='session')\n"
            f"@memory_profile('50 MB of bytes', '{tag}')\ndef big():\n    pass\n",
            "test_a.py": "def test_a(big):\n    pass\n",
        }
    )
    scan = scan_paths([], ScanConfig(scan_plugins=False), invocation_dir=root)
    report = build_report(scan, measurements=data)
    drift = [f for f in report.analysis.findings if f.code == "FG011"]
    if expected is None:
        assert drift == []
        return
    (finding,) = drift
    assert (finding.file, finding.line, finding.severity.label) == ("conftest.py", 2, expected[0])
    assert finding.message.startswith(expected[1])
    assert "it behaves like MEDIUM" in finding.message


def test_cost_measured_weighs_chains_in_measured_megabytes(
    measured: tuple[Path, Measurements], write_tree: Tree
) -> None:
    from fixture_graph.config import AnalyzeConfig
    from fixture_graph.report import build_report

    _, data = measured
    root = write_tree(
        {
            "pytest.ini": "[pytest]\n",
            "conftest.py": "import pytest\n@pytest.fixture(scope='session')\ndef big():\n    pass\n",
            "test_a.py": "def test_a(big):\n    pass\n",
        }
    )
    scan = scan_paths([], ScanConfig(scan_plugins=False), invocation_dir=root)
    report = build_report(scan, AnalyzeConfig(cost="measured"), measurements=data)
    assert report.analysis.weight_unit == "MB measured"
    (cost,) = report.analysis.test_costs
    assert 45 <= cost.weight <= 70
    untagged = [f for f in report.analysis.findings if f.code == "FG011"]
    assert [f.message.split(":")[-1].strip() for f in untagged] == ["tag it MEDIUM"]


def test_measured_cost_is_shown_beside_the_declared_impact(
    measured: tuple[Path, Measurements], monkeypatch: pytest.MonkeyPatch
) -> None:
    import json

    root, _data = measured
    monkeypatch.chdir(root)
    text = CliRunner().invoke(main, ["--measurements", "out/measure.json", "--no-plugins"]).output
    assert "measured cost (" in text
    line = next(x for x in text.splitlines() if x.strip().startswith("big [untagged]:"))
    assert " MB, slowest setup " in line
    out = CliRunner().invoke(main, ["--measurements", "out/measure.json", "--format", "json", "--no-plugins"])
    data = json.loads(out.output)
    big = next(f for f in data["fixtures"] if f["id"] == "conftest.py::big")
    assert big["measured"]["setups"] == 1
    assert big["measured"]["peak_alloc_bytes"] >= 45 * MB
    assert any(c["path"] == "tests/conftest.py" for c in data["conftest_imports"])
    markdown = CliRunner().invoke(main, ["--measurements", "out/measure.json", "--format", "markdown"]).output
    assert "| measured fixture | declared impact | measured cost |" in markdown
    html = root / "out" / "report.html"
    CliRunner().invoke(main, ["--measurements", "out/measure.json", "--html", str(html), "--no-plugins"])
    from fixture_graph.render.html import decode_data

    encoded = html.read_text().split('data-encoding="gzip+base64">', 1)[1].split("</script>", 1)[0]
    assert decode_data(encoded)["fx"]["measured"]  # the measured cost of some fixture
