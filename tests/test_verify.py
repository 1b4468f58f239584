"""``fixture-graph verify``: causes, unverifiable modules, the fallback oracle, the CLI contract.

Every test runs the real pytest in a subprocess on a small tree built in ``tmp_path``.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import CliRunner

from fixture_graph.cli import main
from fixture_graph.config import ScanConfig
from fixture_graph.verify import Cause, PytestRun, observe, verify_suite
from fixture_graph.verify.runner import parse_setup_plan

Tree = Callable[[dict[str, str]], Path]

CONFTEST = """
    import pytest

    @pytest.fixture(scope="session")
    def heavy():
        return "heavy"

    @pytest.fixture
    def db():
        return 1
"""

# The planted blind spot: a getfixturevalue of a name computed at module level.
BLIND_SPOT = """
    NAME = "hea" + "vy"

    def test_dynamic(request, db):
        assert request.getfixturevalue(NAME) == "heavy"

    def test_plain(db):
        assert db == 1
"""


def _tree(write_tree: Tree, **files: str) -> Path:
    return write_tree({"pytest.ini": "[pytest]\n", "tests/conftest.py": CONFTEST, **files})


def test_planted_blind_spot_is_a_disagreement_when_run(write_tree: Tree) -> None:
    root = _tree(write_tree, **{"tests/test_a.py": BLIND_SPOT})
    result = verify_suite((), ScanConfig(), cwd=root, execute=True)
    assert (result.total, result.agreeing) == (2, 1)
    (found,) = result.disagreements
    assert found.nodeid == "tests/test_a.py::test_dynamic"
    assert found.cause is Cause.DYNAMIC_GETFIXTUREVALUE
    assert found.runtime_extra == ("heavy",)
    assert "tests/test_a.py:4" in found.explanation
    assert "getfixturevalue(NAME)" in found.explanation


def test_collect_only_flags_the_blind_spot_as_a_dynamic_note(write_tree: Tree) -> None:
    root = _tree(write_tree, **{"tests/test_a.py": BLIND_SPOT})
    result = verify_suite((), ScanConfig(), cwd=root)
    assert (result.total, result.agreeing, result.disagreements) == (2, 2, ())
    assert [n for n, _ in result.dynamic_notes] == ["tests/test_a.py::test_dynamic"]


def test_literal_getfixturevalue_agrees_when_run(write_tree: Tree) -> None:
    test = """
        def test_literal(request):
            assert request.getfixturevalue("heavy") == "heavy"
    """
    root = _tree(write_tree, **{"tests/test_a.py": test})
    result = verify_suite((), ScanConfig(), cwd=root, execute=True)
    assert (result.total, result.agreeing, result.dynamic_notes) == (1, 1, ())


def test_import_error_module_is_unverifiable_not_a_crash(write_tree: Tree) -> None:
    broken = """
        import not_a_module_anywhere

        def test_never(db):
            pass
    """
    root = _tree(
        write_tree, **{"tests/test_ok.py": "def test_ok(db):\n    pass\n", "tests/test_bad.py": broken}
    )
    result = verify_suite((), ScanConfig(), cwd=root)
    assert (result.total, result.agreeing) == (1, 1)
    (bad,) = result.unverifiable
    assert (bad.nodeid, bad.tests) == ("tests/test_bad.py", 1)
    assert "not_a_module_anywhere" in bad.message


def test_guarded_fixture_is_decided_by_the_environment_pytest_runs_in(
    write_tree: Tree, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("FG_FLAG", raising=False)
    conftest = """
        import os
        import pytest

        if os.environ.get("FG_FLAG") == "1":
            @pytest.fixture
            def service():
                return "real"
    """
    root = write_tree(
        {"pytest.ini": "[pytest]\n", "conftest.py": conftest, "test_s.py": "def test_s(service):\n    pass\n"}
    )
    # FG_FLAG is unset where verify runs: neither pytest nor the scan defines `service`.
    unset = verify_suite((), ScanConfig(), cwd=root)
    assert (unset.total, unset.agreeing) == (1, 1)
    monkeypatch.setenv("FG_FLAG", "1")
    inherited = verify_suite((), ScanConfig(), cwd=root)
    assert (inherited.total, inherited.agreeing) == (1, 1)
    monkeypatch.delenv("FG_FLAG")
    decided = verify_suite((), ScanConfig(env=(("FG_FLAG", "1"),)), cwd=root)
    assert (decided.total, decided.agreeing) == (1, 1)


def test_unseen_plugin_fixture_is_a_plugin_cause(
    write_tree: Tree, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    plugins = tmp_path / "elsewhere"
    plugins.mkdir()
    (plugins / "fg_extra_plugin.py").write_text(
        "import pytest\n\n@pytest.fixture\ndef mocker_like():\n    return 1\n"
    )
    monkeypatch.setenv("PYTHONPATH", str(plugins))
    root = write_tree({"pytest.ini": "[pytest]\n", "test_p.py": "def test_p(mocker_like):\n    pass\n"})
    result = verify_suite((), ScanConfig(), cwd=root, pytest_args=("-p", "fg_extra_plugin"))
    (found,) = result.disagreements
    assert found.cause is Cause.PLUGIN
    assert "mocker_like" in found.explanation


def test_plugin_seen_but_hook_not_modelled_is_a_hook_cause(
    write_tree: Tree, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    plugins = tmp_path / "elsewhere"
    plugins.mkdir()
    (plugins / "fg_hook_plugin.py").write_text(
        "import pytest\n\n@pytest.fixture\ndef hooked():\n    return 1\n\n"
        "@pytest.hookimpl(tryfirst=True)\ndef pytest_pycollect_makeitem(collector, name, obj):\n"
        "    if name.startswith('test'):\n        pytest.mark.usefixtures('hooked')(obj)\n"
    )
    monkeypatch.setenv("PYTHONPATH", str(plugins))
    root = write_tree(
        {"pytest.ini": "[pytest]\naddopts = -p fg_hook_plugin\n", "test_p.py": "def test_p():\n    pass\n"}
    )
    # --python runs the interpreter, so the scan sees PYTHONPATH and reads the plugin too.
    result = verify_suite((), ScanConfig(python=sys.executable), cwd=root)
    (found,) = result.disagreements
    assert found.missing == ("hooked",)
    assert found.cause is Cause.PLUGIN_HOOK
    assert found.explanation.startswith("hooked (")
    assert "fixture_graph/scan/plugins.py" in found.explanation
    # Near miss: the scan did not read the plugin (not on its path): the plugin is not scanned.
    unseen = verify_suite((), ScanConfig(), cwd=root).disagreements
    assert [d.cause for d in unseen] == [Cause.PLUGIN]
    assert "autouse" in unseen[0].explanation


def test_unmodelled_registration_is_reported_as_a_scanner_bug(write_tree: Tree) -> None:
    conftest = """
        import sys
        import pytest

        def _impl():
            return 1

        setattr(sys.modules[__name__], "hidden", pytest.fixture(_impl))
    """
    root = write_tree(
        {"pytest.ini": "[pytest]\n", "conftest.py": conftest, "test_h.py": "def test_h(hidden):\n    pass\n"}
    )
    (found,) = verify_suite((), ScanConfig(), cwd=root).disagreements
    assert found.cause is Cause.SCANNER
    assert [(w.name, w.ours) for w in found.winners] == [("hidden", None)]


def test_probe_falls_back_to_setup_plan_when_internals_are_missing(
    write_tree: Tree, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = _tree(write_tree, **{"tests/test_a.py": "def test_a(db, tmp_path):\n    pass\n"})
    monkeypatch.setenv("FIXTURE_GRAPH_PROBE_NO_INTERNALS", "1")
    view = observe(PytestRun(cwd=root))
    assert view.source == "setup-plan"
    assert any("internals" in n for n in view.notes)
    (test,) = view.tests
    assert test.fixturenames >= {"db", "tmp_path", "tmp_path_factory"}
    result = verify_suite((), ScanConfig(), cwd=root)
    assert (result.source, result.total, result.agreeing) == ("setup-plan", 1, 1)


def test_parse_setup_plan_reads_test_lines_and_collection_errors() -> None:
    output = "\n".join(
        [
            "",
            "SETUP    S tmp_path_factory",
            "        tests/test_a.py::test_x[1] (fixtures used: a, request, x)",
            "        tests/test_a.py::test_x[2] (fixtures used: a, b, x)s",
            "        tests/test_a.py::test_none",
            "ERROR tests/test_bad.py - ModuleNotFoundError: No module named 'nope'",
            "ERROR tests/test_a.py::test_y - fixture 'zz' not found",
        ]
    )
    view = parse_setup_plan(output)
    assert {t.nodeid: sorted(t.fixturenames) for t in view.tests} == {
        "tests/test_a.py::test_none": [],
        "tests/test_a.py::test_x": ["a", "b", "request", "x"],
    }
    assert [(e.nodeid, e.message) for e in view.errors] == [
        ("tests/test_bad.py", "ModuleNotFoundError: No module named 'nope'")
    ]


def test_cli_strict_exit_code_and_json(write_tree: Tree, monkeypatch: pytest.MonkeyPatch) -> None:
    root = _tree(write_tree, **{"tests/test_a.py": BLIND_SPOT})
    monkeypatch.chdir(root)
    runner = CliRunner()
    plain = runner.invoke(main, ["verify", "--run"])
    assert plain.exit_code == 0, plain.output
    assert "agreement: 1/2 tests (50.0%)" in plain.output
    assert "dynamic getfixturevalue" in plain.output
    strict = runner.invoke(main, ["verify", "--run", "--strict", "--format", "json"])
    assert strict.exit_code == 1
    data = json.loads(strict.output)
    assert data["schema"] == "fixture-graph-verify/1"
    assert (data["total"], data["agreeing"]) == (2, 1)
    assert data["disagreements"][0]["cause"] == "dynamic getfixturevalue"
    clean = runner.invoke(main, ["verify", "--strict"])
    assert clean.exit_code == 0, clean.output


def test_cli_reports_a_pytest_that_cannot_start(write_tree: Tree, monkeypatch: pytest.MonkeyPatch) -> None:
    root = _tree(write_tree, **{"tests/test_a.py": "def test_a():\n    pass\n"})
    monkeypatch.chdir(root)
    result = CliRunner().invoke(main, ["verify", "--pytest-arg", "--no-such-pytest-option"])
    assert result.exit_code == 2
    assert "before collecting" in result.output


def test_module_skipped_at_collection_is_not_judged(write_tree: Tree) -> None:
    skipped = """
        import pytest

        pytest.importorskip("not_a_module_anywhere")

        def test_never(db):
            pass
    """
    root = _tree(
        write_tree, **{"tests/test_ok.py": "def test_ok(db):\n    pass\n", "tests/test_skip.py": skipped}
    )
    result = verify_suite((), ScanConfig(), cwd=root)
    assert (result.total, result.agreeing, result.disagreements) == (1, 1, ())
    (skip,) = result.unverifiable
    # The scan decides the importorskip too (the package is absent): none of its tests is listed.
    assert (skip.nodeid, skip.tests, skip.skipped) == ("tests/test_skip.py", 0, True)
    assert "not_a_module_anywhere" in skip.message


def test_definitions_taken_from_an_installed_copy_of_the_module_are_named_so(write_tree: Tree) -> None:
    from fixture_graph.report import build_report
    from fixture_graph.scan.session import scan_paths
    from fixture_graph.verify import compare
    from fixture_graph.verify.runner import ObservedDef, ObservedTest, PytestView

    root = write_tree(
        {
            "pytest.ini": "[pytest]\naddopts = -p no:asyncio -p no:anyio -p no:hypothesispytest\n",
            "src/pkg/tests/test_b.py": "import pytest\n\n\n@pytest.fixture\ndef fx():\n    return 1\n",
            "src/pkg/tests/test_a.py": "from .test_b import fx\n\n\ndef test_a(fx):\n    pass\n",
            "src/pkg/tests/__init__.py": "",
            "src/pkg/__init__.py": "",
        }
    )
    report = build_report(scan_paths([], ScanConfig(), invocation_dir=root), analyze=False)
    installed = "/venv/lib/python3.11/site-packages/pkg/tests/test_b.py"

    def view(path: str, line: int) -> PytestView:
        odef = ObservedDef("fx", path, line, "pkg.tests.test_b", "fx", "function")
        test = ObservedTest("src/pkg/tests/test_a.py::test_a", frozenset({"fx"}), (("fx", odef),))
        return PytestView("probe", "9.2.0", str(root), (test,))

    (copy,) = compare(report, view(installed, 4)).disagreements
    assert copy.cause is Cause.OTHER_COPY
    # Another file at another line is not a copy of ours.
    (other,) = compare(report, view(installed, 9)).disagreements
    assert other.cause is not Cause.OTHER_COPY
