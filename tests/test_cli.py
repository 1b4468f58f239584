"""End to end through the CLI: exit codes, JSON contract, bad input as issues, the graph."""

from __future__ import annotations

import json
import os
from collections.abc import Callable
from pathlib import Path

import pytest
from helpers.cli import run
from helpers.fs import fail_listing
from helpers.jsondoc import v1_tests

from fixture_graph.cli import ExitCode
from fixture_graph.config import ScanConfig
from fixture_graph.graph import build_graph
from fixture_graph.report import build_report
from fixture_graph.scan.session import scan_paths

Tree = Callable[[dict[str, str]], Path]
INI = {"pytest.ini": "[pytest]\n"}


def test_override_chain_is_not_a_cycle_and_json_has_the_chain(write_tree: Tree) -> None:
    root = write_tree(
        {
            **INI,
            "tests/conftest.py": "import pytest\n@pytest.fixture(scope='session')\ndef db():\n    return 1\n",
            "tests/sub/conftest.py": "import pytest\n@pytest.fixture\ndef db(db):\n    return db\n",
            "tests/sub/test_a.py": "def test_a(db):\n    pass\n",
        }
    )
    code, out = run(root, "--format", "json")
    assert code == ExitCode.OK
    data = json.loads(out)
    assert data["schema"] == "fixture-graph/2"
    sub = next(f for f in data["fixtures"] if f["id"] == "tests/sub/conftest.py::db")
    assert sub["deps"] == ["tests/conftest.py::db"]
    test = v1_tests(data)[0]
    assert test["closure"] == ["db"]
    assert test["closure_defs"] == ["tests/conftest.py::db", "tests/sub/conftest.py::db"]
    assert data["cycles"] == []


def test_true_cycle_exits_1_and_names_every_link(write_tree: Tree) -> None:
    root = write_tree(
        {
            **INI,
            "conftest.py": (
                "import pytest\n@pytest.fixture\ndef a(b): pass\n"
                "@pytest.fixture\ndef b(c): pass\n@pytest.fixture\ndef c(a): pass\n"
            ),
            "test_x.py": "def test_x(a):\n    pass\n",
        }
    )
    code, out = run(root)
    assert code == ExitCode.FINDINGS
    assert "circular dependency: a -> b -> c -> a" in out
    assert "conftest.py:2: a" in out
    assert "conftest.py:4: b" in out
    assert "conftest.py:6: c" in out


@pytest.mark.parametrize(
    ("files", "code"),
    [
        ({"test_bad.py": "def test_x(:\n"}, "syntax-error"),
        ({"test_bin.py": "x = 1\x00"}, "binary-file"),
    ],
)
def test_unreadable_input_exits_3_and_scan_goes_on(
    write_tree: Tree, files: dict[str, str], code: str
) -> None:
    root = write_tree({**INI, **files, "test_ok.py": "def test_ok(tmp_path):\n    pass\n"})
    exit_code, out = run(root, "--format", "json")
    assert exit_code == ExitCode.INPUT
    data = json.loads(out)
    assert [i["code"] for i in data["issues"]] == [code]
    assert [t["nodeid"] for t in v1_tests(data)] == ["test_ok.py::test_ok"]
    assert "Traceback" not in out


def test_large_module_unreadable_dir_and_symlink_loop(write_tree: Tree) -> None:
    root = write_tree({**INI, "test_ok.py": "def test_ok():\n    pass\n"})
    (root / "test_big.py").write_text("x = 1\n" * (5 * 1024 * 1024 // 6 + 10))
    (root / "loop").symlink_to(root / "loop")
    locked = root / "locked"
    locked.mkdir()
    (locked / "test_hidden.py").write_text("def test_h():\n    pass\n")
    locked.chmod(0)
    try:
        report = build_report(scan_paths([], ScanConfig(scan_plugins=False), invocation_dir=root))
    finally:
        locked.chmod(0o755)
    codes = {(i.file, i.code) for i in report.scan.issues}
    assert ("test_big.py", "file-too-large") in codes
    assert ("loop", "symlink-loop") in codes
    if os.geteuid() != 0:  # root can read anything
        assert ("locked", "unreadable") in codes
    assert [t.nodeid for t in report.scan.tests][-1] == "test_ok.py::test_ok"


def test_usage_error_exits_2(write_tree: Tree) -> None:
    root = write_tree(INI)
    code, _ = run(root, "--env", "=x")
    assert code == ExitCode.USAGE


def test_graph_has_one_node_per_definition(write_tree: Tree) -> None:
    root = write_tree(
        {
            **INI,
            "conftest.py": "import pytest\n@pytest.fixture\ndef db(tmp_path): pass\n",
            "test_x.py": (
                "import pytest\n@pytest.fixture\ndef db(db): pass\n"
                "class TestK:\n    @pytest.fixture\n    def db(self, db): pass\n"
                "    def test_k(self, db): pass\n"
            ),
        }
    )
    report = build_report(scan_paths([], ScanConfig(scan_plugins=False), invocation_dir=root))
    graph = build_graph(report.scan, report.resolution)
    assert set(graph.successors("test_x.py::TestK::db")) == {"test_x.py::db"}
    assert set(graph.successors("test_x.py::db")) == {"conftest.py::db"}
    assert set(graph.successors("conftest.py::db")) == {"builtin::tmp_path"}
    assert graph.nodes["conftest.py::db"]["scope"] == "function"


def test_nested_and_inherited_test_classes(write_tree: Tree) -> None:
    root = write_tree(
        {
            **INI,
            "mixins.py": "import pytest\nclass DbMixin:\n    @pytest.fixture\n    def db(self): pass\n",
            "test_x.py": (
                "import pytest\nfrom mixins import DbMixin\n"
                "@pytest.mark.usefixtures('tmp_path')\nclass TestBase(DbMixin):\n"
                "    def test_base(self, db): pass\n"
                "    class TestInner:\n        def test_inner(self): pass\n"
                "class TestChild(TestBase):\n    def test_child(self, db): pass\n"
            ),
        }
    )
    report = build_report(scan_paths([], ScanConfig(scan_plugins=False), invocation_dir=root))
    tests = {t.nodeid: t for t in report.resolution.tests}
    assert set(tests) == {
        "test_x.py::TestBase::test_base",
        "test_x.py::TestBase::TestInner::test_inner",
        "test_x.py::TestChild::test_base",
        "test_x.py::TestChild::test_child",
        "test_x.py::TestChild::TestInner::test_inner",
    }
    assert dict(tests["test_x.py::TestChild::test_child"].winners)["db"] == "test_x.py::TestChild::db"
    assert "tmp_path" in tests["test_x.py::TestChild::test_child"].closure


def test_permission_denied_folder_is_an_issue_even_as_root(
    write_tree: Tree, monkeypatch: pytest.MonkeyPatch
) -> None:
    """chmod cannot lock root out, so the denial is simulated where the walk lists a folder."""
    root = write_tree(
        {**INI, "test_ok.py": "def test_ok():\n    pass\n", "locked/test_h.py": "def test_h(): pass\n"}
    )
    fail_listing(monkeypatch, "locked", PermissionError(13, "Permission denied", "locked"))
    report = build_report(scan_paths([], ScanConfig(scan_plugins=False), invocation_dir=root))
    assert ("locked", "unreadable") in {(i.file, i.code) for i in report.scan.issues}
    assert [t.nodeid for t in report.scan.tests] == ["test_ok.py::test_ok"]
    assert report.has_fatal_issues
