"""The EXPECTED values of the repros in tests/data/repros, asserted one by one.

Each repro's EXPECTED.md records what pytest 9.2.0 printed; the closures below are pytest's
``item.fixturenames`` on those trees, and the findings are the ones that must (and must not)
appear. tests/test_repros.py also runs real pytest on each tree and compares.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from fixture_graph.config import ScanConfig
from fixture_graph.report import Report, build_report
from fixture_graph.scan.session import scan_paths

Copy = Callable[[str], Path]
# The plugins installed beside the tests add their own autouse fixtures; these trees name none.
NO_PLUGINS = ("asyncio", "anyio", "hypothesispytest")


def run(copy_data: Copy, case: str) -> Report:
    root = copy_data(f"repros/{case}")
    ini = root / "pytest.ini"
    text = ini.read_text()
    opts = " ".join(f"-p no:{p}" for p in NO_PLUGINS)
    if "addopts" in text:
        text = text.replace("addopts =", f"addopts = {opts}")
    else:
        text = text.replace("[pytest]", f"[pytest]\naddopts = {opts}")
    ini.write_text(text)
    return build_report(scan_paths([], ScanConfig(), invocation_dir=root))


def closures(report: Report) -> dict[str, list[str]]:
    return {t.nodeid: sorted(t.closure) for t in report.resolution.tests}


def findings(report: Report, code: str) -> list[tuple[str, int, str]]:
    return sorted((f.file, f.line, f.message) for f in report.analysis.findings if f.code == code)


def test_02_mark_held_in_module_variable(copy_data: Copy) -> None:
    report = run(copy_data, "02_mark_held_in_module_variable")
    assert closures(report) == {
        "test_x.py::test_marked": ["marked_only"],
        "test_x.py::test_value": ["value"],
        "test_x.py::test_count": ["count"],
    }
    assert findings(report, "FG003") == []
    unused = [m for _, _, m in findings(report, "FG006")]
    assert not any("marked_only" in m for m in unused)
    # `value` is a direct parameter: its fixture (and that fixture's dependency) never runs.
    assert any("'value'" in m for m in unused)
    assert any("'value_dep'" in m for m in unused)


def test_03_fixture_decorating_classmethod(copy_data: Copy) -> None:
    report = run(copy_data, "03_fixture_decorating_classmethod")
    assert closures(report) == {"test_x.py::TestThing::test_shared": ["base", "shared"]}
    (resolved,) = report.resolution.tests
    assert dict(resolved.winners) == {"base": "conftest.py::base", "shared": "test_x.py::TestThing::shared"}
    assert [i.code for i in report.scan.issues] == []
    assert findings(report, "FG003") == []
    assert findings(report, "FG006") == []


def test_04_generate_tests_parametrize_reported_unknown(copy_data: Copy) -> None:
    report = run(copy_data, "04_generate_tests_parametrize_reported_unknown")
    assert closures(report) == {"test_x.py::test_word": ["word"]}
    assert findings(report, "FG003") == []
    assert report.resolution.unknown == ()


@pytest.mark.skipif(sys.platform != "linux", reason="EXPECTED.md records a Linux run")
def test_06_autouse_given_by_an_expression(copy_data: Copy) -> None:
    report = run(copy_data, "06_autouse_given_by_an_expression")
    assert closures(report) == {"tests/test_a.py::test_a": ["linux_only"]}
    autouse = {f.name: f.autouse for f in report.user_fixtures}
    assert autouse == {"helper": False, "windows_only": False, "linux_only": True, "switched_off": False}
    assert not any(f.conditional for f in report.user_fixtures)
    unused = [m for _, _, m in findings(report, "FG006")]
    assert {m.split("'")[1] for m in unused} == {"helper", "windows_only", "switched_off"}


def test_07_getfixturevalue_of_parametrized_name(copy_data: Copy) -> None:
    report = run(copy_data, "07_getfixturevalue_of_parametrized_name")
    assert closures(report) == {"test_x.py::test_nonempty": ["name", "request"]}
    (test,) = report.scan.tests
    assert test.dynamic_deps == ("small", "large")
    # pytest sets both up when the test runs (--setup-show): they are used.
    assert findings(report, "FG006") == []


def test_09_sys_gettrace_guarded_autouse(copy_data: Copy) -> None:
    plain = run(copy_data, "09_sys_gettrace_guarded_autouse")
    assert closures(plain) == {"test_x.py::test_plain": []}
    assert plain.user_fixtures == ()
    root = Path(plain.scan.rootdir)
    traced = build_report(scan_paths([], ScanConfig(traced=True), invocation_dir=root))
    assert closures(traced) == {"test_x.py::test_plain": ["when_traced"]}
    assert not any(f.conditional for f in traced.user_fixtures)
