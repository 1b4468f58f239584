"""Static routes pytest follows: marks bound to names, decorator order, decorators that fill
parameters. Every tree is checked twice: the closures we expect, and real pytest agreeing."""

from __future__ import annotations

import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from fixture_graph.config import ScanConfig
from fixture_graph.report import Report, build_report
from fixture_graph.scan.session import scan_paths
from fixture_graph.verify import PytestRun, compare, describe, observe

Tree = Callable[[dict[str, str]], Path]
PLUGINS = "[pytest]\naddopts = -p no:asyncio -p no:anyio -p no:hypothesispytest -p no:cacheprovider\n"


def scan(root: Path) -> Report:
    return build_report(scan_paths([], ScanConfig(), invocation_dir=root))


def closures(report: Report) -> dict[str, list[str]]:
    return {t.nodeid: sorted(t.closure) for t in report.resolution.tests}


def assert_pytest_agrees(root: Path, report: Report) -> None:
    view = observe(PytestRun(cwd=root))
    assert view.source == "probe"
    assert {t.nodeid for t in report.resolution.tests} == {t.nodeid.split("[")[0] for t in view.tests}
    assert [line for d in compare(report, view).disagreements for line in describe(d)] == []


# -- kind 2: marks bound to names ---------------------------------------------------------------


MARK_TREE = {
    "pytest.ini": PLUGINS,
    "conftest.py": """
        import pytest

        @pytest.fixture
        def db(): pass

        @pytest.fixture
        def cache(): pass

        @pytest.fixture
        def value(db): return 1

        @pytest.fixture
        def other(): pass
        """,
    "shared_marks.py": """
        import pytest
        needs_db = pytest.mark.usefixtures("db")
        common = [pytest.mark.usefixtures("cache"), pytest.mark.slow]
        """,
    "test_vars.py": """
        import functools
        import pytest
        from shared_marks import needs_db, common

        with_db = pytest.mark.usefixtures("db")
        five = pytest.mark.parametrize("value", [5])
        usefix = pytest.mark.usefixtures
        not_a_mark = functools.partial(print)

        def plain_decorator(func):
            return func

        @with_db
        def test_module_var(): pass

        @five
        def test_parametrize_var(value): pass

        @needs_db
        def test_imported_var(): pass

        @usefix("other")
        def test_aliased_mark_factory(): pass

        @plain_decorator
        def test_near_miss_plain_decorator(): pass

        class TestClassVar:
            class_marks = [pytest.mark.usefixtures("other")]
            pytestmark = class_marks

            def test_inherits(self): pass

        class TestBase:
            pytestmark = [*common, pytest.mark.usefixtures("other")]

        class TestChild(TestBase):
            def test_from_base(self): pass
        """,
    "test_module_mark.py": """
        from shared_marks import common
        pytestmark = common

        def test_module_pytestmark(): pass
        """,
    "test_helpers.py": """
        import functools
        import pytest

        def with_cache(func):
            return pytest.mark.usefixtures("cache")(func)

        def wrapped_with_db(func):
            @pytest.mark.usefixtures("db")
            @functools.wraps(func)
            def wrapper(*args, **kwargs):
                return func(*args, **kwargs)
            return wrapper

        def skip_never():
            return pytest.mark.usefixtures("other")

        def returns_func(func):
            return func

        @with_cache
        def test_helper_applies(): pass

        @wrapped_with_db
        def test_wrapper_applies(): pass

        @skip_never()
        def test_helper_called(): pass

        @returns_func
        def test_near_miss_helper(): pass
        """,
}


def test_marks_bound_to_names_reach_tests(write_tree: Tree) -> None:
    root = write_tree(MARK_TREE)
    report = scan(root)
    got = closures(report)
    assert got["test_vars.py::test_module_var"] == ["db"]
    assert got["test_vars.py::test_parametrize_var"] == ["value"]  # direct: `db` is not pulled in
    assert got["test_vars.py::test_imported_var"] == ["db"]
    assert got["test_vars.py::test_aliased_mark_factory"] == ["other"]
    assert got["test_vars.py::test_near_miss_plain_decorator"] == []
    assert got["test_vars.py::TestClassVar::test_inherits"] == ["other"]
    assert got["test_vars.py::TestChild::test_from_base"] == ["cache", "other"]
    assert got["test_module_mark.py::test_module_pytestmark"] == ["cache"]
    assert got["test_helpers.py::test_helper_applies"] == ["cache"]
    assert got["test_helpers.py::test_wrapper_applies"] == ["db"]
    assert got["test_helpers.py::test_helper_called"] == ["other"]
    assert got["test_helpers.py::test_near_miss_helper"] == []
    assert not [f for f in report.analysis.findings if f.code == "FG003"]
    assert_pytest_agrees(root, report)


# -- kind 3: decorators -------------------------------------------------------------------------


DECORATOR_TREE = {
    "pytest.ini": PLUGINS,
    "conftest.py": """
        import pytest

        @pytest.fixture
        def base(): return 1
        """,
    "test_order.py": """
        import pytest

        class TestThing:
            @pytest.fixture
            @classmethod
            def shared(cls, base):
                return base

            def test_shared(self, shared): pass
        """,
    "test_fillers.py": """
        from unittest import mock
        import unittest.mock as um
        from hypothesis import given, strategies as st

        @given(st.integers())
        def test_given_positional(base, x): pass

        @given(x=st.integers())
        def test_given_keyword(x, base): pass

        class TestGiven:
            @given(st.integers(), st.integers())
            def test_method(self, base, a, b): pass

        @mock.patch("os.getcwd")
        @um.patch.object(um, "sentinel", 3)
        def test_patch_leading(patched, base): pass

        @mock.patch("os.getcwd", new=3)
        def test_patch_with_new(base): pass
        """,
}


def test_decorator_order_and_parameter_fillers(write_tree: Tree) -> None:
    root = write_tree(DECORATOR_TREE)
    report = scan(root)
    got = closures(report)
    assert got["test_order.py::TestThing::test_shared"] == ["base", "shared"]
    for name in ("test_given_positional", "test_given_keyword", "TestGiven::test_method"):
        assert got[f"test_fillers.py::{name}"] == ["base"], name
    assert got["test_fillers.py::test_patch_leading"] == ["base"]
    assert got["test_fillers.py::test_patch_with_new"] == ["base"]
    assert not [f for f in report.analysis.findings if f.code == "FG003"]
    assert_pytest_agrees(root, report)


def test_classmethod_above_fixture_is_not_discovered(write_tree: Tree) -> None:
    root = write_tree(
        {
            "pytest.ini": "[pytest]\n",
            "test_x.py": """
                import pytest

                class TestThing:
                    @classmethod
                    @pytest.fixture
                    def hidden(cls):
                        return 1

                    def test_hidden(self, hidden): pass
                """,
        }
    )
    report = scan(root)
    assert [i.code for i in report.scan.issues] == ["classmethod-fixture"]
    assert [u.name for u in report.resolution.unknown] == ["hidden"]


@pytest.mark.parametrize(
    ("decorator", "requested"),
    [
        ("@given(st.integers())", ["a"]),  # the rightmost positional parameter
        ("@given(st.integers(), st.integers())", []),
        ("@given(b=st.integers())", ["a"]),
        ("@given(*strategies)", ["a", "b"]),  # unknown count: nothing is taken away
    ],
)
def test_given_fills_by_position_or_name(write_tree: Tree, decorator: str, requested: list[str]) -> None:
    root = write_tree(
        {
            "pytest.ini": "[pytest]\n",
            "test_x.py": f"""
                from hypothesis import given, strategies as st
                strategies = []

                {decorator}
                def test_f(a, b): pass
                """,
        }
    )
    (test,) = scan(root).scan.tests
    assert list(test.argnames) == requested


# -- kind 5: hooks that parametrize -------------------------------------------------------------


HOOK_TREE = {
    "pytest.ini": PLUGINS,
    "conftest.py": """
        import pytest

        def pytest_generate_tests(metafunc):
            if "word" in metafunc.fixturenames:
                metafunc.parametrize("word", ["a", "b"])
            for name in ("left", "right"):
                if name in metafunc.fixturenames:
                    metafunc.parametrize(name, [1])
            if "early" not in metafunc.fixturenames:
                return
            metafunc.parametrize("early", [1])
            if "through" in metafunc.fixturenames:
                metafunc.parametrize("through", [1], indirect=True)

        @pytest.fixture
        def word(dependency): return 1

        @pytest.fixture
        def dependency(): pass

        @pytest.fixture
        def through(request, dependency): return request.param
        """,
    "tests/test_hooks.py": """
        def pytest_generate_tests(metafunc):
            if "local" in metafunc.fixturenames:
                metafunc.parametrize("local,other", [(1, 2)])

        def test_word(word): pass

        def test_loop(left, right): pass

        def test_early_return(early): pass

        def test_indirect(through): pass

        def test_module_hook(local, other): pass

        class TestOwnHook:
            def pytest_generate_tests(self, metafunc):
                metafunc.parametrize("from_class", [1])

            def test_class(self, from_class): pass
        """,
    "tests/test_near_miss.py": """
        def test_plain(dependency): pass
        """,
}


def test_names_parametrized_by_generate_tests_hooks_are_direct(write_tree: Tree) -> None:
    root = write_tree(HOOK_TREE)
    report = scan(root)
    got = closures(report)
    # A direct parameter shadows the fixture of that name: its dependency is not pulled in.
    assert got["tests/test_hooks.py::test_word"] == ["word"]
    assert got["tests/test_hooks.py::test_loop"] == ["left", "right"]
    assert got["tests/test_hooks.py::test_early_return"] == ["early"]
    # indirect=True keeps the fixture, which receives the value through request.param.
    assert got["tests/test_hooks.py::test_indirect"] == ["dependency", "request", "through"]
    assert got["tests/test_hooks.py::test_module_hook"] == ["local", "other"]
    assert got["tests/test_hooks.py::TestOwnHook::test_class"] == ["from_class"]
    assert got["tests/test_near_miss.py::test_plain"] == ["dependency"]
    assert [f for f in report.analysis.findings if f.code == "FG003"] == []
    assert_pytest_agrees(root, report)


def test_a_hook_in_a_sibling_conftest_does_not_parametrize(write_tree: Tree) -> None:
    root = write_tree(
        {
            "pytest.ini": "[pytest]\n",
            "a/conftest.py": """
                def pytest_generate_tests(metafunc):
                    if "word" in metafunc.fixturenames:
                        metafunc.parametrize("word", ["a"])
                """,
            "b/test_b.py": "def test_b(word): pass\n",
        }
    )
    report = scan(root)
    assert [(u.name, u.test) for u in report.resolution.unknown] == [("word", "b/test_b.py::test_b")]


def test_a_computed_parametrize_makes_an_unknown_name_a_warning(write_tree: Tree) -> None:
    root = write_tree(
        {
            "pytest.ini": "[pytest]\n",
            "conftest.py": """
                NAMES = compute()

                def pytest_generate_tests(metafunc):
                    if metafunc.function.__name__ == "test_x":
                        metafunc.parametrize("maybe", [1])
                """,
            "test_x.py": "def test_x(maybe): pass\n",
        }
    )
    report = scan(root)
    # pytest may or may not parametrize `maybe`: a warning that says why, never an error.
    (finding,) = [f for f in report.analysis.findings if f.code == "FG003"]
    assert finding.severity.name == "WARNING"
    assert "may parametrize it" in finding.message
    (test,) = report.scan.tests
    (call,) = [c for c in test.generated if c.file == "conftest.py"]
    assert not call.certain
    assert call.condition == 'metafunc.function.__name__ == "test_x"'


# -- kinds 4 and 8: values given by expressions, guards on process state ------------------------


EXPRESSION_TREE = {
    "pytest.ini": PLUGINS,
    "conftest.py": """
        import os
        import platform
        import sys

        import pytest

        AUTO = False
        SCOPE = "module"
        NAME = "renamed"
        PARAMS = [1, 2, 3]

        @pytest.fixture
        def helper(): return 1

        @pytest.fixture(autouse=(os.name == "nt"))
        def windows_only(helper): yield

        @pytest.fixture(autouse=sys.platform.startswith("linux"))
        def linux_only(): yield

        @pytest.fixture(autouse=AUTO)
        def switched_off(): yield

        @pytest.fixture(autouse=sys.version_info >= (3, 8) and platform.system() == "Linux")
        def modern_linux(): yield

        @pytest.fixture(scope=SCOPE if sys.version_info[:2] >= (3, 0) else "function")
        def scoped(): pass

        @pytest.fixture(name=NAME, params=PARAMS)
        def named(request): return request.param

        if sys.gettrace():

            @pytest.fixture(autouse=True)
            def when_traced(): yield

        if "coverage" in sys.modules:

            @pytest.fixture(autouse=True)
            def under_coverage(): yield
        """,
    "test_a.py": """
        def test_a(scoped, renamed): pass
        """,
}


@pytest.mark.skipif(sys.platform != "linux", reason="the expected values are Linux's")
def test_expressions_are_decided_for_the_target(write_tree: Tree) -> None:
    root = write_tree(EXPRESSION_TREE)
    report = scan(root)
    assert closures(report)["test_a.py::test_a"] == [
        "linux_only",
        "modern_linux",
        "renamed",
        "request",
        "scoped",
    ]
    by_name = {f.name: f for f in report.scan.fixtures}
    assert by_name["scoped"].scope.value == "module"
    assert by_name["scoped"].scope_source is None
    assert by_name["renamed"].param_count == 3
    assert not any(f.conditional for f in report.user_fixtures)
    assert_pytest_agrees(root, report)


def test_process_state_is_a_plain_run_unless_traced(write_tree: Tree) -> None:
    root = write_tree(EXPRESSION_TREE)
    config = ScanConfig(traced=True)
    report = build_report(scan_paths([], config, invocation_dir=root))
    assert {"when_traced", "under_coverage"} <= set(closures(report)["test_a.py::test_a"])


def test_an_undecidable_autouse_is_conditional_and_so_is_each_test_it_reaches(write_tree: Tree) -> None:
    root = write_tree(
        {
            "pytest.ini": "[pytest]\n",
            "conftest.py": """
                import pytest
                from helpers import decide

                @pytest.fixture(autouse=decide())
                def maybe(): yield
                """,
            "test_a.py": "def test_a(): pass\n",
        }
    )
    report = scan(root)
    (fixture,) = report.user_fixtures
    assert fixture.autouse
    assert fixture.conditional
    assert fixture.guards == ("autouse=decide()",)
    assert report.test_guards() == {"test_a.py::test_a": ("maybe: autouse=decide()",)}


ENV_TREE = {
    "pytest.ini": PLUGINS,
    "conftest.py": """
        import os
        import pytest

        if os.environ.get("USE_REAL") == "1":

            @pytest.fixture(autouse=True)
            def real(): yield
        """,
    "test_a.py": "def test_a(): pass\n",
}


@pytest.mark.parametrize(
    ("env", "inherit", "expected", "conditional"),
    [
        ((), False, ["real"], True),  # no --env: undecided, kept and marked conditional
        ((("OTHER", "x"),), False, [], False),  # --env names the whole environment: unset
        ((("USE_REAL", "1"),), False, ["real"], False),
        ((("OTHER", "x"),), True, ["real"], False),  # --env-inherit: from this process
    ],
)
def test_env_describes_the_whole_environment(
    write_tree: Tree,
    monkeypatch: pytest.MonkeyPatch,
    env: tuple[tuple[str, str], ...],
    inherit: bool,
    expected: list[str],
    conditional: bool,
) -> None:
    monkeypatch.setenv("USE_REAL", "1")
    root = write_tree(ENV_TREE)
    report = build_report(scan_paths([], ScanConfig(env=env, env_inherit=inherit), invocation_dir=root))
    assert closures(report)["test_a.py::test_a"] == expected
    assert bool(report.test_guards()) is conditional


# -- collect_ignore built step by step ------------------------------------------------------------


def test_collect_ignore_append_extend_and_guards(write_tree: Tree) -> None:
    root = write_tree(
        {
            "pytest.ini": "[pytest]\n",
            "conftest.py": """
                import sys

                PY_OLD = sys.version_info < (3, 0)
                collect_ignore = []
                collect_ignore.append("test_appended.py")
                collect_ignore.extend(["test_extended.py"])
                if PY_OLD:
                    collect_ignore.append("test_kept.py")
                if not PY_OLD:
                    collect_ignore_glob = ["*_glob.py"]
                """,
            "test_appended.py": "def test_a(): pass\n",
            "test_extended.py": "def test_e(): pass\n",
            "test_kept.py": "def test_k(): pass\n",
            "test_by_glob.py": "def test_g(): pass\n",
            "test_ok.py": "def test_ok(): pass\n",
        }
    )
    report = scan(root)
    assert sorted(closures(report)) == ["test_kept.py::test_k", "test_ok.py::test_ok"]
    assert_pytest_agrees(root, report)


def test_verify_runs_the_interpreter_of_a_venv_directory(tmp_path: Path) -> None:
    from fixture_graph.verify.runner import _command

    venv = tmp_path / "venv"
    (venv / "bin").mkdir(parents=True)
    (venv / "bin" / "python").write_text("")
    assert _command(PytestRun(cwd=tmp_path, python=str(venv)), ())[0] == str(venv / "bin" / "python")


def test_a_plugin_given_with_its_option_in_one_toml_item_is_loaded(write_tree: Tree) -> None:
    root = write_tree(
        {
            "pyproject.toml": """
                [tool.pytest.ini_options]
                addopts = ["-p plugs.clocks", "-p", " plugs.more"]
                """,
            "plugs/__init__.py": "",
            "plugs/clocks.py": "import pytest\n\n@pytest.fixture\ndef mock_clock(): pass\n",
            "plugs/more.py": "import pytest\n\n@pytest.fixture\ndef more(): pass\n",
            "test_x.py": "def test_clock(mock_clock, more): pass\n",
        }
    )
    report = scan(root)
    assert report.resolution.unknown == ()
    assert [i.code for i in report.scan.issues if i.code == "plugin-not-found"] == []


def test_guards_on_constants_imported_from_another_module(write_tree: Tree) -> None:
    root = write_tree(
        {
            "pytest.ini": PLUGINS,
            "pkg/__init__.py": "",
            "pkg/_compat.py": """
                import sys

                PY_3_0_PLUS = sys.version_info[:2] >= (3, 0)
                PY_99_PLUS = sys.version_info[:2] >= (99, 0)
                UNKNOWN = compute()
                """,
            "conftest.py": """
                import pytest
                from pkg._compat import PY_3_0_PLUS, PY_99_PLUS, UNKNOWN

                collect_ignore = []
                if not PY_3_0_PLUS:
                    collect_ignore.append("test_new.py")
                if not PY_99_PLUS:
                    collect_ignore.append("test_future.py")

                if UNKNOWN:
                    @pytest.fixture(autouse=True)
                    def maybe(): pass
                """,
            "test_new.py": "def test_new(): pass\n",
            "test_future.py": "def test_future(): pass\n",
        }
    )
    report = scan(root)
    assert closures(report) == {"test_new.py::test_new": ["maybe"]}
    assert report.test_guards() == {"test_new.py::test_new": ("maybe: UNKNOWN",)}


def test_p_naming_an_entry_point_loads_nothing_more(write_tree: Tree) -> None:
    # anyio's pytest11 entry point is named "anyio" (installed with the test dependencies).
    root = write_tree({"pytest.ini": "[pytest]\naddopts = -p anyio\n", "test_x.py": "def test_x(): pass\n"})
    report = scan(root)
    assert [i for i in report.scan.issues if i.code == "plugin-not-found"] == []
    assert any(f.name == "anyio_backend" for f in report.scan.fixtures)


def test_doctest_text_files_are_items_with_the_visible_autouse_fixtures(write_tree: Tree) -> None:
    root = write_tree(
        {
            "pytest.ini": PLUGINS,
            "conftest.py": "import pytest\n\n@pytest.fixture(autouse=True)\ndef everywhere(): pass\n",
            "docs/test_guide.txt": "Some prose.\n\n    >>> 1 + 1\n    2\n",
            "docs/test_no_examples.txt": "Only prose.\n",
            "docs/notes.txt": ">>> 1\n1\n",
            "test_a.py": "def test_a(): pass\n",
        }
    )
    report = scan(root)
    assert closures(report) == {
        "docs/test_guide.txt::test_guide.txt": ["everywhere"],
        "test_a.py::test_a": ["everywhere"],
    }
    assert_pytest_agrees(root, report)


def test_doctest_globs_and_the_disabled_plugin(write_tree: Tree) -> None:
    root = write_tree(
        {
            "pytest.ini": "[pytest]\naddopts = -p no:doctest -p no:asyncio -p no:anyio\n",
            "test_guide.txt": ">>> 1\n1\n",
        }
    )
    assert closures(scan(root)) == {}
