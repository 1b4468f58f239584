"""Which tests pytest collects: path patterns (``fnmatch_ex``), ``-m``/``-k``, module-level
skips, node-id arguments and duplicate arguments.

Where the rule is subtle, real pytest runs on the same tree (through the shipped verify module)
and the collected node ids must be equal; the rest states the expected values directly.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from helpers.jsondoc import v1_tests

from fixture_graph.config import ScanConfig
from fixture_graph.model import ScanResult
from fixture_graph.report import build_report
from fixture_graph.scan.ini import _parse_addopts, split_nodeid
from fixture_graph.scan.select import ExpressionError, compile_expression, keyword_matcher, mark_matcher
from fixture_graph.scan.session import scan_paths
from fixture_graph.scan.walk import fnmatch_ex
from fixture_graph.verify import PytestRun, observe
from tests.helpers.cli import run, run_process_json

Tree = Callable[[dict[str, str]], Path]


def _scan(root: Path, *paths: str, **config: Any) -> ScanResult:
    return scan_paths(list(paths), ScanConfig(scan_plugins=False, cache=False, **config), invocation_dir=root)


def _ids(result: ScanResult) -> set[str]:
    return {t.nodeid for t in result.tests}


def _pytest_ids(root: Path, *paths: str, args: tuple[str, ...] = ()) -> set[str]:
    """Function-level node ids real pytest collects (parametrization ids dropped)."""
    view = observe(PytestRun(cwd=root, paths=paths, pytest_args=("-p", "no:randomly", *args)))
    assert not view.failed_to_start, view.output_tail
    return {t.nodeid.split("[", 1)[0] for t in view.tests}


def _codes(result: ScanResult) -> list[str]:
    return [i.code for i in result.issues]


# -- the repros (EXPECTED.md of each) -------------------------------------------------------------


def _closures(data: dict[str, Any]) -> dict[str, list[str]]:
    return {t["nodeid"]: sorted(t["closure"]) for t in v1_tests(data)}


def _findings(data: dict[str, Any]) -> set[tuple[str, str]]:
    return {(f["code"], f["symbol"]) for f in data["findings"]}


def test_repro_01_path_patterns_expected(copy_data: Callable[[str], Path]) -> None:
    root = copy_data("repros/01_path_patterns_in_python_files_and_norecursedirs")
    data = run_process_json(root, "--no-cache")
    assert _closures(data) == {"checks/extra.py::test_in_checks": ["base"], "test_x.py::test_top": ["base"]}
    # skipdir/inner is pruned: its test (the only user of only_hidden) is not collected.
    assert ("FG006", "conftest.py::only_hidden") in _findings(data)
    assert not any(code in ("FG001", "FG003") for code, _ in _findings(data))
    assert data["summary"]["tests"] == 2


def test_repro_10_marker_expression_expected(copy_data: Callable[[str], Path]) -> None:
    root = copy_data("repros/10_marker_expression_in_addopts_deselects")
    data = run_process_json(root, "--no-cache")
    assert _closures(data) == {"tests/test_m.py::test_fast": ["small_dataset"]}
    assert data["summary"]["tests"] == 1
    findings = _findings(data)
    assert ("FG006", "tests/conftest.py::big_dataset") in findings
    assert not any(code == "FG003" for code, _ in findings)  # not_installed_here is never looked up
    assert not any("small_dataset" in symbol for _, symbol in findings)
    assert [i["code"] for i in data["issues"]] == ["deselected"]
    # Near miss: -m on the command line overrides the one in addopts.
    data = run_process_json(root, "--no-cache", "-m", "slow")
    assert _closures(data) == {"tests/test_m.py::test_slow": ["big_dataset"]}


# -- fnmatch_ex ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("pattern", "path", "expected"),
    [
        ("test_*.py", "/r/a/test_x.py", True),
        ("test_*.py", "/r/test_dir/x.py", False),  # basename only
        ("checks/*.py", "/r/checks/extra.py", True),
        ("checks/*.py", "/r/deep/checks/extra.py", True),  # "*/" in front
        ("checks/*.py", "/r/checks/sub/extra.py", True),  # fnmatch's * crosses "/"
        ("checks/*.py", "/r/xchecks/extra.py", False),
        ("skipdir/inner", "/r/skipdir/inner", True),
        ("skipdir/inner", "/r/skipdir/inner2", False),
        ("skipdir/inner", "/r/inner", False),
        ("/r/abs/*", "/r/abs/x", True),
        ("/r/abs/*", "/other/r/abs/x", False),  # an absolute pattern gets no "*/"
    ],
)
def test_fnmatch_ex_matches_like_pytest(pattern: str, path: str, expected: bool) -> None:
    from _pytest.pathlib import fnmatch_ex as pytest_fnmatch_ex

    assert fnmatch_ex(pattern, Path(path)) is expected
    assert pytest_fnmatch_ex(pattern, Path(path)) is expected


def test_path_patterns_in_python_files_and_norecursedirs(write_tree: Tree) -> None:
    root = write_tree(
        {
            "pytest.ini": """
                [pytest]
                python_files = test_*.py checks/*.py
                norecursedirs = skipdir/inner .*
            """,
            "conftest.py": "import pytest\n@pytest.fixture\ndef base(): return 1\n",
            "test_x.py": "def test_top(base): pass\n",
            "checks/extra.py": "def test_in_checks(base): pass\n",
            "checks/sub/deeper.py": "def test_deeper(base): pass\n",
            "xchecks/extra.py": "def test_near_miss(base): pass\n",
            "skipdir/inner/test_hidden.py": "def test_hidden(base): pass\n",
            "skipdir/inner2/test_kept.py": "def test_kept(base): pass\n",
            "other/inner/test_other.py": "def test_other(base): pass\n",
        }
    )
    expected = {
        "test_x.py::test_top",
        "checks/extra.py::test_in_checks",
        "checks/sub/deeper.py::test_deeper",
        "skipdir/inner2/test_kept.py::test_kept",
        "other/inner/test_other.py::test_other",
    }
    assert _ids(_scan(root)) == expected
    assert _pytest_ids(root) == expected


def test_testpaths_are_globbed_as_pytest_does(write_tree: Tree) -> None:
    root = write_tree(
        {
            "pytest.ini": "[pytest]\ntestpaths = pkg/*/unit pkg/**/test_deep.py\n",
            "pkg/a/unit/test_a.py": "def test_a(): pass\n",
            "pkg/.hidden/unit/test_h.py": "def test_hidden(): pass\n",  # glob's * skips dot names
            "pkg/b/other/test_b.py": "def test_b(): pass\n",
            "pkg/c/d/test_deep.py": "def test_deep(): pass\n",  # ** also yields files
        }
    )
    expected = {"pkg/a/unit/test_a.py::test_a", "pkg/c/d/test_deep.py::test_deep"}
    assert _ids(_scan(root)) == expected
    assert _pytest_ids(root) == expected


def test_ignore_glob_from_addopts_is_relative_to_the_invocation_dir(write_tree: Tree) -> None:
    root = write_tree(
        {
            "pytest.ini": "[pytest]\naddopts = --ignore-glob=tests/legacy*/test_*.py\n",
            "tests/legacy/test_old.py": "def test_old(): pass\n",
            "tests/legacy_v2/test_old2.py": "def test_old2(): pass\n",
            "tests/current/test_new.py": "def test_new(): pass\n",
            "tests/current/legacy/test_kept.py": "def test_kept(): pass\n",
        }
    )
    # Near miss: the pattern is anchored at the invocation dir, so a nested legacy/ is collected.
    expected = {"tests/current/test_new.py::test_new", "tests/current/legacy/test_kept.py::test_kept"}
    assert _ids(_scan(root)) == expected
    assert _pytest_ids(root) == expected


def test_collect_ignore_comes_from_the_closest_conftest_defining_it(write_tree: Tree) -> None:
    root = write_tree(
        {
            "pytest.ini": "[pytest]\n",
            "conftest.py": 'collect_ignore_glob = ["*_skip.py"]\ncollect_ignore = ["tests/gone.py"]\n',
            "tests/test_a_skip.py": "def test_skipped(): pass\n",
            "tests/test_b.py": "def test_b(): pass\n",
            "tests/gone.py": "def test_gone(): pass\n",
            # Defines its own (empty) list: the root conftest's no longer applies below it.
            "tests/sub/conftest.py": "collect_ignore_glob = []\n",
            "tests/sub/test_c_skip.py": "def test_kept(): pass\n",
            # No definition here: the closest one above applies.
            "tests/other/test_d_skip.py": "def test_also_skipped(): pass\n",
        }
    )
    expected = {"tests/test_b.py::test_b", "tests/sub/test_c_skip.py::test_kept"}
    assert _ids(_scan(root, "tests")) == expected
    assert _pytest_ids(root, "tests") == expected


# -- the expression language ---------------------------------------------------------------------


def test_expression_grammar_and_three_valued_logic() -> None:
    expr = compile_expression("not slow and not internal")
    assert expr.evaluate(mark_matcher({"slow"})) is False
    assert expr.evaluate(mark_matcher(set())) is True
    assert expr.evaluate(mark_matcher(set(), open_ended=True)) is None
    # An unknown does not matter when another term decides.
    assert compile_expression("fast or slow").evaluate(mark_matcher({"fast"}, open_ended=True)) is True
    assert compile_expression("fast and slow").evaluate(mark_matcher(set())) is False
    assert compile_expression("(a or b) and not (c)").evaluate(mark_matcher({"b"})) is True
    assert compile_expression("").evaluate(mark_matcher({"a"})) is False
    # Keyword arguments: unknown when the mark is there (its arguments are not recorded).
    assert compile_expression("db(name='x', n=1)").evaluate(mark_matcher({"db"})) is None
    assert compile_expression("db(name='x')").evaluate(mark_matcher({"other"})) is False
    assert compile_expression("m(a=1)").has_kwargs()
    assert not compile_expression("m").has_kwargs()
    long_or = " or ".join(f"t{i}" for i in range(5000))  # no recursion per term
    assert compile_expression(long_or).evaluate(keyword_matcher(["T4999"])) is True


def test_keyword_matcher_is_a_case_insensitive_substring() -> None:
    names = ["tests", "test_m.py", "TestDB", "test_query"]
    assert compile_expression("db and query").evaluate(keyword_matcher(names)) is True
    assert compile_expression("m.py").evaluate(keyword_matcher(names)) is True
    assert compile_expression("nothing").evaluate(keyword_matcher(names)) is False
    assert compile_expression("nothing").evaluate(keyword_matcher(names, open_ended=True)) is None


@pytest.mark.parametrize(
    "text", ["a and", "(a", "a b", "m(a=x)", "a $", "m(1=2)", "m(if=1)", "'open", "m(a='x\\y')"]
)
def test_malformed_expressions_are_refused_like_pytest(text: str) -> None:
    from _pytest.mark.expression import Expression

    with pytest.raises(SyntaxError):
        Expression.compile(text)
    with pytest.raises(ExpressionError):
        compile_expression(text)


def test_addopts_mark_and_keyword_forms() -> None:
    assert _parse_addopts(("-m", "not slow"))["markexpr"] == "not slow"
    assert _parse_addopts(("-mslow",))["markexpr"] == "slow"
    assert _parse_addopts(("-m=slow",))["markexpr"] == "slow"
    assert _parse_addopts(("-k", "a", "-k", "b"))["keyword"] == "b"  # the last one wins
    assert "markexpr" not in _parse_addopts(("--maxfail", "1", "-p", "no:x"))


def test_split_nodeid() -> None:
    assert split_nodeid("tests/t.py::TestX::test_y") == ("tests/t.py", ("TestX", "test_y"))
    assert split_nodeid("tests/t.py::test_f[a::b]") == ("tests/t.py", ("test_f[a::b]",))
    assert split_nodeid("tests/t.py") == ("tests/t.py", ())
    assert split_nodeid("odd[dir]/t.py") == ("odd[dir]/t.py", ())


# -- -m and -k -------------------------------------------------------------------------------------

MARKED = {
    "pytest.ini": "[pytest]\nmarkers =\n    slow\n    db\n    fast\n",
    "tests/conftest.py": """
        import pytest
        @pytest.fixture
        def big(): return 1
        @pytest.fixture
        def small(): return 1
        @pytest.fixture
        def missing_when_deselected(not_installed_here): return 1
    """,
    "tests/test_m.py": """
        import pytest
        pytestmark = pytest.mark.db

        @pytest.mark.slow
        def test_slow(big): pass

        def test_fast(small): pass

        @pytest.mark.slow
        class Base:
            pass

        class TestInherits(Base):
            def test_method(self, missing_when_deselected): pass

        class TestOuter:
            pytestmark = [pytest.mark.fast]
            class TestInner:
                def test_inner(self, small): pass
    """,
    "tests/test_plain.py": "def test_plain(small): pass\n",
}


@pytest.mark.parametrize(
    ("expr", "expected"),
    [
        ("slow", {"tests/test_m.py::test_slow", "tests/test_m.py::TestInherits::test_method"}),
        (
            "not slow",
            {
                "tests/test_m.py::test_fast",
                "tests/test_m.py::TestOuter::TestInner::test_inner",
                "tests/test_plain.py::test_plain",
            },
        ),
        ("db and fast", {"tests/test_m.py::TestOuter::TestInner::test_inner"}),
        ("not db", {"tests/test_plain.py::test_plain"}),
        ("slo", set()),  # -m is not a substring match
    ],
)
def test_mark_expression_on_the_command_line(write_tree: Tree, expr: str, expected: set[str]) -> None:
    root = write_tree(MARKED)
    assert _ids(_scan(root, markexpr=expr)) == expected
    if expr == "not slow":  # the expected values were checked against pytest; one stays so
        assert _pytest_ids(root, args=("-m", expr)) == expected


@pytest.mark.parametrize(
    ("expr", "expected"),
    [
        ("inner", {"tests/test_m.py::TestOuter::TestInner::test_inner"}),
        ("TESTINHERITS", {"tests/test_m.py::TestInherits::test_method"}),
        ("plain.py", {"tests/test_plain.py::test_plain"}),
        ("tests and not test_m", {"tests/test_plain.py::test_plain"}),  # the folder's name
        ("tree", set()),  # the rootdir's name is not a keyword
        ("slow and not Inherits", {"tests/test_m.py::test_slow"}),  # mark names are keywords
    ],
)
def test_keyword_expression_on_the_command_line(write_tree: Tree, expr: str, expected: set[str]) -> None:
    root = write_tree(MARKED)
    assert _ids(_scan(root, keyword=expr)) == expected
    if expr == "tests and not test_m":  # checked against pytest; one stays so
        assert _pytest_ids(root, args=("-k", expr)) == expected


def test_command_line_expression_overrides_addopts(write_tree: Tree) -> None:
    root = write_tree({**MARKED, "pytest.ini": '[pytest]\naddopts = -m "not slow" -k plain\n'})
    assert _ids(_scan(root)) == {"tests/test_plain.py::test_plain"}
    assert _ids(_scan(root, markexpr="slow", keyword="")) == {
        "tests/test_m.py::test_slow",
        "tests/test_m.py::TestInherits::test_method",
    }


def test_deselected_tests_request_nothing(write_tree: Tree) -> None:
    root = write_tree(MARKED)
    report = build_report(_scan(root, markexpr="not slow"))
    codes = {(f.code, f.message) for f in report.analysis.findings}
    assert not any(code == "FG003" for code, _ in codes)
    assert any(code == "FG006" and "'big'" in message for code, message in codes)
    # Near miss: without the expression the same tree has the unknown fixture.
    report = build_report(_scan(root))
    assert any(f.code == "FG003" for f in report.analysis.findings)


def test_parametrized_names_leave_keyword_selection_open(write_tree: Tree) -> None:
    root = write_tree(
        {
            "conftest.py": """
                import pytest
                @pytest.fixture(params=["alpha", "beta"])
                def flavour(request): return request.param
                @pytest.fixture
                def via(flavour): return flavour
            """,
            "test_p.py": """
                import pytest
                @pytest.mark.parametrize("x", ["alpha", "gamma"])
                def test_marked(x): pass
                def test_fixture_param(via): pass
                def test_plain(): pass
            """,
        }
    )
    result = _scan(root, keyword="alpha")
    by_id = {t.nodeid: t for t in result.tests}
    # Both could have an "alpha" id: kept, and conditional with the reason.
    assert set(by_id) == {"test_p.py::test_marked", "test_p.py::test_fixture_param"}
    assert all(t.conditional and any("-k 'alpha'" in g for g in t.guards) for t in by_id.values())
    assert _pytest_ids(root, args=("-k", "alpha")) == set(by_id)
    # A name that matches statically is decided (not conditional); one that does not match a
    # test whose ids are unknown leaves it open.
    decided = {t.nodeid: t.conditional for t in _scan(root, keyword="test_marked or plain").tests}
    assert decided == {
        "test_p.py::test_marked": False,
        "test_p.py::test_plain": False,
        "test_p.py::test_fixture_param": True,
    }
    # Near miss: a test with no parametrization anywhere in reach is decided false.
    assert "test_p.py::test_plain" not in _ids(_scan(root, keyword="alpha"))


def test_marks_of_parametrized_cases_leave_mark_selection_open(write_tree: Tree) -> None:
    root = write_tree(
        {
            "test_p.py": """
                import pytest
                @pytest.mark.parametrize("x", [1, pytest.param(2, marks=pytest.mark.slow)])
                def test_cases(x): pass
                def test_not_parametrized(): pass
            """,
            "test_q.py": """
                import pytest
                @pytest.mark.parametrize("x", [1, 2])
                def test_no_case_marks(x): pass
            """,
            "pytest.ini": "[pytest]\nmarkers =\n    slow\n",
        }
    )
    result = _scan(root, markexpr="slow")
    assert [(t.nodeid, t.conditional) for t in result.tests] == [("test_p.py::test_cases", True)]
    assert _pytest_ids(root, args=("-m", "slow")) == {"test_p.py::test_cases"}


def test_a_malformed_expression_is_a_fatal_issue(write_tree: Tree) -> None:
    root = write_tree(
        {"pytest.ini": "[pytest]\naddopts = -m 'slow and'\n", "test_a.py": "def test_a(): pass\n"}
    )
    result = _scan(root)
    assert "bad-expression" in _codes(result)
    assert _ids(result) == {"test_a.py::test_a"}


def test_cli_options_and_usage_errors(write_tree: Tree) -> None:
    root = write_tree(MARKED)
    code, output = run(root, "-m", "not slow", "-k", "not inner", "--format", "json", "--no-cache")
    assert code in (0, 1), output
    assert "tests/test_m.py::test_fast" in {t["nodeid"] for t in v1_tests(json.loads(output))}
    assert "test_slow" not in output
    assert "test_inner" not in output
    code, output = run(root, "-m", "slow and", "--no-cache")
    assert code == 2
    assert "expected" in output
    code, output = run(root, "-k", "a(b=1)", "--no-cache")
    assert code == 2
    assert "call parameters" in output


# -- module-level skips ----------------------------------------------------------------------------


def test_module_level_skips(write_tree: Tree) -> None:
    root = write_tree(
        {
            "test_absent.py": """
                import pytest
                np = pytest.importorskip("surely_not_installed_pkg")
                @pytest.fixture
                def only_here(): return 1
                def test_absent(only_here): pass
            """,
            "test_present.py": """
                import pytest
                pytest.importorskip("json")
                def test_present(): pass
            """,
            "test_skip.py": """
                import pytest
                pytest.skip("not on this platform", allow_module_level=True)
                def test_skip(): pass
            """,
            "test_skip_not_module_level.py": """
                import pytest
                def helper():
                    pytest.skip("inside a function")
                def test_kept(): pass
            """,
            "test_try_probe.py": """
                import pytest
                try:
                    import surely_not_installed_pkg
                except ImportError:
                    pytest.skip("needs the package", allow_module_level=True)
                def test_probe(): pass
            """,
            "test_try_present.py": """
                import pytest
                try:
                    import json
                except ImportError:
                    pytest.skip("needs json", allow_module_level=True)
                def test_json(): pass
            """,
            "test_env.py": """
                import os, pytest
                if os.environ.get("SKIP_ME") == "1":
                    pytest.skip("asked to", allow_module_level=True)
                @pytest.fixture
                def env_fixture(): return 1
                def test_env(env_fixture): pass
            """,
            "test_computed.py": """
                import pytest
                NAME = "js" + "on"
                pytest.importorskip(NAME)
                def test_computed(): pass
            """,
        }
    )
    result = _scan(root)
    by_id = {t.nodeid: t for t in result.tests}
    assert set(by_id) == {
        "test_present.py::test_present",
        "test_skip_not_module_level.py::test_kept",
        "test_try_present.py::test_json",
        "test_env.py::test_env",
        "test_computed.py::test_computed",
    }
    assert _pytest_ids(root) == set(by_id)
    assert not any(f.name == "only_here" for f in result.fixtures)
    assert not by_id["test_present.py::test_present"].conditional
    assert by_id["test_env.py::test_env"].conditional
    assert any("pytest.skip(" in g for g in by_id["test_env.py::test_env"].guards)
    assert next(f for f in result.fixtures if f.name == "env_fixture").conditional
    assert any("importorskip(NAME)" in g for g in by_id["test_computed.py::test_computed"].guards)
    # --env decides the guard either way.
    assert "test_env.py::test_env" not in _ids(_scan(root, env=(("SKIP_ME", "1"),)))
    decided = {t.nodeid: t for t in _scan(root, env=(("SKIP_ME", "0"),)).tests}
    assert not decided["test_env.py::test_env"].conditional


# -- node ids and duplicates -----------------------------------------------------------------------

NODES = {
    "pytest.ini": "[pytest]\n",
    "tests/conftest.py": "import pytest\n@pytest.fixture\ndef shared(): return 1\n",
    "tests/test_a.py": """
        import pytest
        class TestX:
            @pytest.fixture
            def only_x(self): return 1
            def test_y(self, only_x): pass
            def test_z(self): pass
        class TestOther:
            @pytest.fixture
            def only_other(self): return 1
            def test_o(self, only_other): pass
        @pytest.mark.parametrize("a", [1, 2])
        def test_f(a, shared): pass
        def test_g(): pass
    """,
    "tests/sub/test_b.py": "def test_b(shared): pass\n",
}


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (("tests/test_a.py::TestX::test_y",), {"tests/test_a.py::TestX::test_y"}),
        (("tests/test_a.py::TestX",), {"tests/test_a.py::TestX::test_y", "tests/test_a.py::TestX::test_z"}),
        (("tests/test_a.py::test_f[1]",), {"tests/test_a.py::test_f"}),
        (
            ("tests/test_a.py::test_g", "tests/test_a.py::TestX::test_z"),
            {"tests/test_a.py::test_g", "tests/test_a.py::TestX::test_z"},
        ),
        (
            ("tests/test_a.py::test_g", "tests/test_a.py"),
            {
                "tests/test_a.py::TestX::test_y",
                "tests/test_a.py::TestX::test_z",
                "tests/test_a.py::TestOther::test_o",
                "tests/test_a.py::test_f",
                "tests/test_a.py::test_g",
            },
        ),
    ],
)
def test_node_id_arguments(write_tree: Tree, args: tuple[str, ...], expected: set[str]) -> None:
    root = write_tree(NODES)
    result = _scan(root, *args)
    assert _ids(result) == expected
    assert len(result.tests) == len(expected)
    if len(args) == 2:  # the expected values were checked against pytest; these stay so
        assert _pytest_ids(root, *args) == expected


def test_node_id_argument_collects_only_its_class(write_tree: Tree) -> None:
    root = write_tree(NODES)
    result = _scan(root, "tests/test_a.py::TestX")
    names = {f.name for f in result.fixtures}
    assert {"only_x", "shared"} <= names
    assert "only_other" not in names  # TestOther is never collected
    report = build_report(result)
    assert not any(f.code == "FG006" and "only_other" in f.message for f in report.analysis.findings)


def test_node_id_argument_that_names_nothing(write_tree: Tree) -> None:
    root = write_tree(NODES)
    result = _scan(root, "tests/test_a.py::nope")
    assert "not-found" in _codes(result)
    assert _ids(result) == set()
    assert "not-found" in _codes(_scan(root, "tests::test_a"))  # a directory takes no parts


def test_a_path_given_twice_is_collected_once(write_tree: Tree) -> None:
    root = write_tree(NODES)
    for args in (("tests", "tests/test_a.py"), ("tests/test_a.py", "tests"), ("tests", "tests")):
        result = _scan(root, *args)
        nodeids = [t.nodeid for t in result.tests]
        assert len(nodeids) == len(set(nodeids)) == 6, args
    assert set(nodeids) == _pytest_ids(root, "tests", "tests")


def test_verify_passes_the_expressions_on_to_pytest(write_tree: Tree) -> None:
    from fixture_graph.verify import verify_suite

    root = write_tree(MARKED)
    config = ScanConfig(cache=False, markexpr="not slow", keyword="not plain")
    result = verify_suite((), config, cwd=root)
    # test_fast and test_inner on both sides; without passing -m/-k on, pytest would list more.
    assert (result.total, result.agreeing, result.disagreements) == (2, 2, ())


def test_a_conftest_that_skips_itself_skips_its_folder(write_tree: Tree) -> None:
    root = write_tree(
        {
            "pytest.ini": "[pytest]\n",
            "tests/sub/conftest.py": """
                import pytest
                pytest.importorskip("surely_not_installed_pkg")
                @pytest.fixture
                def from_skipped(): return 1
            """,
            "tests/sub/test_s.py": "def test_s(from_skipped): pass\n",
            "tests/ok/conftest.py": 'import pytest\npytest.importorskip("json")\n',
            "tests/ok/test_ok.py": "def test_ok(): pass\n",
            "tests/test_t.py": "def test_t(): pass\n",
        }
    )
    result = _scan(root)
    assert _ids(result) == {"tests/test_t.py::test_t", "tests/ok/test_ok.py::test_ok"}
    assert not any(f.name == "from_skipped" for f in result.fixtures)
    assert "conftest-skipped" not in _codes(result)
    # Given as an argument, its conftest is an initial one: pytest stops with Skipped.
    assert "conftest-skipped" in _codes(_scan(root, "tests/sub"))


def test_module_skip_extraction_forms_and_near_misses() -> None:
    import textwrap

    from fixture_graph.config import ExtractOptions
    from fixture_graph.scan.extract import extract_module

    source = textwrap.dedent(
        """
        import pytest as pt
        from pytest import importorskip
        np = importorskip("numpy", minversion="1.20")
        pt.importorskip(modname="yaml")
        if pt.__version__ > "8":
            pt.skip("too new", allow_module_level=True)
        pt.skip("only a call, not module level")        # near miss: no allow_module_level
        pt.skip("flag false", allow_module_level=False)  # near miss
        def helper():
            pt.importorskip("inside_a_function")         # near miss: runs only when called
        class TestX:
            pt.importorskip("in_a_class_body")           # near miss: not module code
        params = [pt.param(1, marks=pt.mark.slow)]
        """
    )
    record = extract_module("test_x.py", source.encode(), ExtractOptions())
    skips = [(s.kind, s.module, s.minversion, len(s.guards)) for s in record.module_skips]
    assert skips == [
        ("importorskip", "numpy", True, 0),
        ("importorskip", "yaml", False, 0),
        ("skip", None, False, 1),
    ]
    assert record.param_marks
    assert not extract_module("t.py", b"import pytest\nx = pytest.param(1)\n", ExtractOptions()).param_marks
