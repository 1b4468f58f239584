"""``fixture-graph verify`` judges the scan's findings against pytest's resolution.

Each error finding (FG001, FG002, FG003) is ``confirmed``, ``false`` or ``unverified``; each FG006
finding is ``false`` when pytest reaches the definition. The real pytest runs in a subprocess on
trees built in ``tmp_path``; :func:`simulate` is also checked on hand-made probe facts.
"""

from __future__ import annotations

import dataclasses
import json
import sys
from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import CliRunner

from fixture_graph.cli import main
from fixture_graph.config import ScanConfig
from fixture_graph.report import build_report
from fixture_graph.scan.session import scan_paths
from fixture_graph.verify import PytestRun, Verdict, compare, observe, verify_suite
from fixture_graph.verify.findings import FindingCheck, simulate
from fixture_graph.verify.runner import ObservedDef, ObservedTest

Tree = Callable[[dict[str, str]], Path]

ERRORS = """
    import pytest

    @pytest.fixture
    def fn():
        return 1

    @pytest.fixture(scope="session")
    def wide(fn):
        return fn

    @pytest.fixture
    def a(b):
        return 1

    @pytest.fixture
    def b(a):
        return 1
"""

ERROR_TESTS = """
    def test_missing(nothere):
        pass

    def test_wide(wide):
        pass

    def test_cycle(a):
        pass
"""


def _by_code(checks: tuple[FindingCheck, ...]) -> dict[str, FindingCheck]:
    return {c.code: c for c in checks}


def test_true_errors_are_confirmed_by_pytest(write_tree: Tree) -> None:
    root = write_tree({"pytest.ini": "[pytest]\n", "conftest.py": ERRORS, "test_e.py": ERROR_TESTS})
    result = verify_suite((), ScanConfig(), cwd=root)
    checks = _by_code(result.errors)
    assert sorted(checks) == ["FG001", "FG002", "FG003"]
    assert {c.verdict for c in result.errors} == {Verdict.CONFIRMED}
    assert result.false_errors == 0
    assert "test_e.py::test_missing" in checks["FG003"].detail
    assert "ScopeMismatch in test_e.py::test_wide" in checks["FG002"].detail
    assert "recursive dependency involving fixture 'a'" in checks["FG001"].detail


def test_run_reports_pytests_own_setup_error(write_tree: Tree) -> None:
    root = write_tree({"pytest.ini": "[pytest]\n", "conftest.py": ERRORS, "test_e.py": ERROR_TESTS})
    result = verify_suite((), ScanConfig(), cwd=root, execute=True)
    cycle = _by_code(result.errors)["FG001"]
    assert cycle.verdict is Verdict.CONFIRMED
    assert "the run says: recursive dependency involving fixture 'a' detected" in cycle.detail


def test_mistakes_no_test_reaches_are_no_error_to_judge(write_tree: Tree) -> None:
    # Near miss: the same mistakes, but no test sets the fixtures up, so pytest never fails:
    # the scan reports them as warnings (not certain), and verify has no error finding to judge.
    root = write_tree(
        {"pytest.ini": "[pytest]\n", "conftest.py": ERRORS, "test_e.py": "def test_ok():\n    pass\n"}
    )
    result = verify_suite((), ScanConfig(), cwd=root)
    assert result.errors == ()
    assert result.false_errors == 0


def test_unknown_fixture_from_an_unseen_plugin_is_a_false_error(
    write_tree: Tree, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    plugins = tmp_path / "elsewhere"
    plugins.mkdir()
    (plugins / "fg_unseen_plugin.py").write_text(
        "import pytest\n\n@pytest.fixture\ndef provided():\n    return 1\n"
    )
    monkeypatch.setenv("PYTHONPATH", str(plugins))
    tests = "def test_p(provided):\n    pass\n\ndef test_q(really_missing):\n    pass\n"
    root = write_tree({"pytest.ini": "[pytest]\n", "test_p.py": tests})
    result = verify_suite((), ScanConfig(), cwd=root, pytest_args=("-p", "fg_unseen_plugin"))
    verdicts = {c.message.split("'")[1]: c for c in result.errors}
    assert verdicts["provided"].verdict is Verdict.FALSE
    assert "fg_unseen_plugin.py" in verdicts["provided"].detail
    assert verdicts["really_missing"].verdict is Verdict.CONFIRMED
    assert result.false_errors == 1
    # The JSON counts it.
    runner = CliRunner()
    monkeypatch.chdir(root)
    done = runner.invoke(
        main, ["verify", "--format", "json", "--pytest-arg=-p", "--pytest-arg=fg_unseen_plugin"]
    )
    data = json.loads(done.output)
    assert data["false_error_findings"] == 1
    assert sorted(c["verdict"] for c in data["error_findings"]) == ["confirmed", "false"]


def test_scope_mismatch_is_false_when_pytests_definition_is_not_narrower(write_tree: Tree) -> None:
    """The closures agree, but pytest's 'fn' (here made session-scoped) makes FG002 false."""
    root = write_tree(
        {"pytest.ini": "[pytest]\n", "conftest.py": ERRORS, "test_e.py": "def test_w(wide):\n    pass\n"}
    )
    report = build_report(scan_paths([], ScanConfig(), invocation_dir=root))
    view = observe(PytestRun(cwd=root))
    assert _by_code(compare(report, view).errors)["FG002"].verdict is Verdict.CONFIRMED
    # What pytest would say if 'fn' were session-scoped: the request is valid, the finding false.
    widened = tuple(
        dataclasses.replace(
            test,
            chains=tuple(
                (name, tuple(dataclasses.replace(d, scope="session") if name == "fn" else d for d in defs))
                for name, defs in test.chains
            ),
        )
        for test in view.tests
    )
    result = compare(report, dataclasses.replace(view, tests=widened))
    check = _by_code(result.errors)["FG002"]
    assert check.verdict is Verdict.FALSE
    assert "is not narrower" in check.detail
    assert (result.disagreements, result.false_errors) == ((), 1)


def test_fg006_false_positive_when_a_plugin_hook_adds_the_fixture(
    write_tree: Tree, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    plugins = tmp_path / "elsewhere"
    plugins.mkdir()
    (plugins / "fg_adds_helper.py").write_text(
        "import pytest\n\n@pytest.hookimpl(tryfirst=True)\n"
        "def pytest_pycollect_makeitem(collector, name, obj):\n"
        "    if name.startswith('test'):\n        pytest.mark.usefixtures('helper')(obj)\n"
    )
    monkeypatch.setenv("PYTHONPATH", str(plugins))
    conftest = """
        import pytest

        @pytest.fixture
        def helper():
            return 1

        @pytest.fixture
        def truly_unused():
            return 2
    """
    root = write_tree(
        {"pytest.ini": "[pytest]\n", "conftest.py": conftest, "test_u.py": "def test_u():\n    pass\n"}
    )
    result = verify_suite((), ScanConfig(), cwd=root, pytest_args=("-p", "fg_adds_helper"))
    verdicts = {c.message.split("'")[1]: c for c in result.unused}
    assert verdicts["helper"].verdict is Verdict.FALSE
    assert "test_u.py::test_u" in verdicts["helper"].detail
    assert verdicts["truly_unused"].verdict is Verdict.CONFIRMED
    assert (result.unused_false, result.unused_precision) == (1, 0.5)
    # Near miss: without the plugin pytest does not reach 'helper' either.
    plain = verify_suite((), ScanConfig(), cwd=root)
    assert {c.verdict for c in plain.unused} == {Verdict.CONFIRMED}
    assert plain.unused_precision == 1.0


def test_fg006_counts_the_outer_definition_an_override_requests(write_tree: Tree) -> None:
    conftest = """
        import pytest

        @pytest.fixture
        def base():
            return 1
    """
    test = """
        import pytest

        @pytest.fixture
        def base(base):
            return base + 1

        def test_b(base):
            assert base == 2
    """
    root = write_tree({"pytest.ini": "[pytest]\n", "conftest.py": conftest, "test_b.py": test})
    result = verify_suite((), ScanConfig(), cwd=root)
    assert result.unused == ()  # the scan too: the override reaches the conftest's definition
    (observed,) = observe(PytestRun(cwd=root)).tests
    reached = [d for d in simulate(observed).reached if d.name == "base"]
    assert sorted(Path(d.path).name for d in reached) == ["conftest.py", "test_b.py"]


def test_fg006_dynamic_request_counts_only_with_run(write_tree: Tree) -> None:
    conftest = """
        import pytest

        @pytest.fixture
        def hidden():
            return 1
    """
    test = """
        NAME = "hid" + "den"

        def test_d(request):
            assert request.getfixturevalue(NAME) == 1
    """
    root = write_tree({"pytest.ini": "[pytest]\n", "conftest.py": conftest, "test_d.py": test})
    collected = verify_suite((), ScanConfig(), cwd=root)
    (check,) = collected.unused
    assert check.verdict is Verdict.CONFIRMED
    ran = verify_suite((), ScanConfig(), cwd=root, execute=True)
    (check,) = ran.unused
    assert check.verdict is Verdict.FALSE
    assert "set up while the tests ran" in check.detail
    assert ran.unused_precision == 0.0


def _def(name: str, line: int, scope: str = "function", argnames: tuple[str, ...] = ()) -> ObservedDef:
    return ObservedDef(name, "/x/conftest.py", line, scope=scope, argnames=argnames)


def test_simulate_follows_pytests_depth_rule() -> None:
    # x overrides x and requests it (the outer one); the outer one requests y.
    outer, inner, y = _def("x", 1, argnames=("y",)), _def("x", 5, argnames=("x", "request")), _def("y", 9)
    test = ObservedTest(
        "t.py::t", frozenset({"x", "y"}), order=("x", "y"), chains=(("x", (outer, inner)), ("y", (y,)))
    )
    setup = simulate(test)
    assert setup.reached == {outer, inner, y}
    assert (setup.missing, setup.recursive, setup.mismatches) == (frozenset(), (), frozenset())


def test_simulate_an_outer_definition_breaks_a_would_be_cycle() -> None:
    # a (inner) -> b -> a: the second request of 'a' takes the outer 'a', which requests nothing.
    a_outer, a_inner, b = _def("a", 1), _def("a", 5, argnames=("b",)), _def("b", 9, argnames=("a",))
    test = ObservedTest(
        "t.py::t", frozenset({"a", "b"}), order=("a", "b"), chains=(("a", (a_outer, a_inner)), ("b", (b,)))
    )
    assert simulate(test).recursive == ()
    # Near miss: without the outer definition it is pytest's recursive dependency.
    test = dataclasses.replace(test, chains=(("a", (a_inner,)), ("b", (b,))))
    assert simulate(test).recursive == (("a", ("a", "b")),)


def test_simulate_checks_scope_on_cached_definitions_too() -> None:
    fn, wide = _def("fn", 1), _def("wide", 5, scope="session", argnames=("fn",))
    test = ObservedTest(
        "t.py::t", frozenset({"fn", "wide"}), order=("fn", "wide"), chains=(("fn", (fn,)), ("wide", (wide,)))
    )
    assert simulate(test).mismatches == {(wide, fn)}
    test = dataclasses.replace(
        test, chains=(("fn", (dataclasses.replace(fn, scope="session"),)), ("wide", (wide,)))
    )
    assert simulate(test).mismatches == frozenset()


def test_strict_exits_1_on_a_false_error_finding(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    from fixture_graph import verify as verify_pkg
    from fixture_graph.verify import VerifyResult

    false = FindingCheck(
        "FG003", "FG003:t::t:x", "fixture 'x' not found", "t.py", 1, Verdict.FALSE, "resolved"
    )
    confirmed = dataclasses.replace(false, verdict=Verdict.CONFIRMED)
    for check, code in ((false, 1), (confirmed, 0)):
        result = VerifyResult("probe", "9.2.0", False, 1, 1, (), errors=(check,))
        monkeypatch.setattr(verify_pkg, "verify_suite", lambda *a, _r=result, **k: _r)
        monkeypatch.chdir(tmp_path)
        done = CliRunner().invoke(main, ["verify", "--strict"])
        assert done.exit_code == code, done.output
        assert f"false error findings: {1 if code else 0} of 1" in done.output
        assert CliRunner().invoke(main, ["verify"]).exit_code == 0


def test_validation_table_reads_the_new_columns_from_verifys_json(
    write_tree: Tree, monkeypatch: pytest.MonkeyPatch
) -> None:
    import importlib.util

    path = Path(__file__).parent / "validate" / "run_validation.py"
    spec = importlib.util.spec_from_file_location("run_validation", path)
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    monkeypatch.setitem(sys.modules, "run_validation", module)  # dataclasses look the module up
    spec.loader.exec_module(module)
    conftest = ERRORS + "\n    @pytest.fixture\n    def spare():\n        return 3\n"
    root = write_tree({"pytest.ini": "[pytest]\n", "conftest.py": conftest, "test_e.py": ERROR_TESTS})
    monkeypatch.chdir(root)
    data = json.loads(CliRunner().invoke(main, ["verify", "--format", "json"]).output)
    assert module.findings_columns(data) == ("0 of 3", "100.0% (0 of 1 reached)")
    row = module.table([(module.PROJECTS[0], data, (4, 1), "9.2.0")]).splitlines()[-1]
    assert row.endswith("| 0 of 3 | 100.0% (0 of 1 reached) |")


def test_fallback_oracle_cannot_judge_findings(write_tree: Tree) -> None:
    conftest = ERRORS + "\n    @pytest.fixture\n    def spare():\n        return 3\n"
    root = write_tree({"pytest.ini": "[pytest]\n", "conftest.py": conftest, "test_e.py": ERROR_TESTS})
    result = verify_suite((), ScanConfig(), cwd=root, oracle="setup-plan")
    assert len(result.errors) == 3
    assert {c.verdict for c in (*result.errors, *result.unused)} == {Verdict.UNVERIFIED}
    assert "--setup-plan" in result.errors[0].detail
    assert (result.false_errors, result.unused_precision) == (0, None)


def test_setup_looks_a_name_up_again_after_collection(copy_data: Callable[[str], Path]) -> None:
    """test_a is collected before test_b's pytest_plugins registers from_p1: collection leaves the
    name unresolved, but setup's second lookup (``getfixturedefs(argname, item)``) finds it."""
    root = copy_data("tricky/22_plugin_loaded_by_test_module_oracle_gap")
    tests = {t.nodeid: t for t in observe(PytestRun(cwd=root)).tests}
    early = tests["tests/test_a.py::test_a"]
    assert "from_p1" in early.fixturenames
    assert "from_p1" not in dict(early.winners)  # collection's name2fixturedefs has nothing
    setup = simulate(early)
    assert "from_p1" not in setup.missing
    assert any(d.name == "from_p1" and d.path.endswith("plugs/p1.py") for d in setup.reached)
    result = verify_suite((), ScanConfig(), cwd=root)
    assert (result.disagreements, result.errors) == ((), ())


def test_fg006_tells_same_named_definitions_apart(write_tree: Tree) -> None:
    """Two classes' fixtures of one name in one file are distinct definitions: pytest reaching
    one does not reach the other. One function imported into two conftests and used through one
    of them is used: FG006 does not tell to delete it (issue 14: any registration counts)."""
    classes = """
        import pytest

        class TestUsed:
            @pytest.fixture
            def fx(self):
                return 1

            def test_a(self, fx):
                pass

        class TestIdle:
            @pytest.fixture
            def fx(self):
                return 2
    """
    helper = "import pytest\n\n@pytest.fixture\ndef shared():\n    return 1\n"
    root = write_tree(
        {
            "pytest.ini": "[pytest]\npythonpath = .\n",
            "helpers.py": helper,
            "tests/a/conftest.py": "from helpers import shared\n",
            "tests/a/test_a.py": "def test_s(shared):\n    pass\n",
            "tests/b/conftest.py": "from helpers import shared\n",
            "tests/b/test_b.py": "def test_none():\n    pass\n",
            "tests/test_cls.py": classes,
        }
    )
    result = verify_suite((), ScanConfig(), cwd=root)
    assert result.disagreements == ()
    found = {(c.file, c.line): c.verdict for c in result.unused}
    assert found == {("tests/test_cls.py", 12): Verdict.CONFIRMED}
    assert (result.unused_false, result.unused_precision) == (0, 1.0)
