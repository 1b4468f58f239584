"""pytest's builtin plugins read from its source, and the plugin registry's entries.

Each entry has a case that must fire and near misses that must not. The plugins' behaviour was
read in their installed source (named in each registry entry's ``checked``).
"""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from fixture_graph.analyze.findings import Finding, Severity
from fixture_graph.config import AnalyzeConfig, ScanConfig
from fixture_graph.model import FixtureKind
from fixture_graph.report import Report, build_report
from fixture_graph.scan import plugins, session
from fixture_graph.scan.builtins import fallback_builtins
from fixture_graph.scan.ini import determine_setup
from fixture_graph.scan.session import scan_paths

Tree = Callable[[dict[str, str]], Path]
PYTEST_VERSION = "9.2.0"


def analyze(root: Path, *, scan_plugins: bool = True) -> Report:
    return build_report(
        scan_paths([], ScanConfig(scan_plugins=scan_plugins, cache=False), invocation_dir=root),
        AnalyzeConfig(),
    )


def closures(report: Report) -> dict[str, list[str]]:
    return {t.nodeid: sorted(t.closure) for t in report.resolution.tests}


def builtins(report: Report) -> set[tuple[str, str, tuple[str, ...], str, int]]:
    return {
        (f.name, f.scope.value, f.argnames, f.file, f.line)
        for f in report.scan.fixtures
        if f.kind is FixtureKind.BUILTIN
    }


def findings(report: Report, code: str) -> list[Finding]:
    return [f for f in report.analysis.findings if f.code == code]


def issue_codes(report: Report) -> set[str]:
    return {i.code for i in report.scan.issues}


# -- builtins from pytest's source -----------------------------------------------------------


def test_builtins_from_source_agree_with_the_hand_kept_fallback_on_pytest_9_2(
    write_tree: Tree, monkeypatch: pytest.MonkeyPatch
) -> None:
    import _pytest

    assert pytest.__version__ == PYTEST_VERSION, "the hand-kept table is read from pytest 9.2.0"
    assert Path(_pytest.__file__).is_file()
    root = write_tree(
        {"pytest.ini": "[pytest]\naddopts = -p pytester\n", "test_a.py": "def test_a(): pass\n"}
    )
    from_source = builtins(analyze(root, scan_plugins=False))
    hand = {
        (b.name, b.scope.value, b.argnames, b.file, b.line)
        for b in fallback_builtins(PYTEST_VERSION, None)
    }
    assert from_source == hand
    monkeypatch.setattr(session._Scan, "_read_builtin_table", lambda self: None)
    assert builtins(analyze(root, scan_plugins=False)) == hand


def test_private_pytester_fixtures_and_pytest_plugins_form(write_tree: Tree) -> None:
    root = write_tree(
        {
            "pytest.ini": "[pytest]\n",
            "conftest.py": 'pytest_plugins = ["pytester"]\n',
            "test_a.py": """
                def test_snap(_sys_snapshot, linecomp, LineMatcher, _config_for_test, _pytest): pass
                def test_testdir(testdir): pass
            """,
        }
    )
    report = analyze(root, scan_plugins=False)
    assert closures(report) == {
        "test_a.py::test_snap": [
            "LineMatcher",
            "_config_for_test",
            "_pytest",
            "_sys_snapshot",
            "linecomp",
            "request",
        ],
        "test_a.py::test_testdir": ["monkeypatch", "pytester", "request", "testdir", "tmp_path_factory"],
    }
    assert not findings(report, "FG003")
    assert "plugin-not-found" not in issue_codes(report)
    by_name = {f.name: f for f in report.scan.fixtures}
    assert (by_name["linecomp"].file, by_name["linecomp"].line) == ("_pytest/pytester.py", 460)
    assert (by_name["testdir"].file, by_name["testdir"].kind) == (
        "_pytest/legacypath.py",
        FixtureKind.BUILTIN,
    )


def test_pytester_is_opt_in(write_tree: Tree) -> None:
    root = write_tree({"pytest.ini": "[pytest]\n", "test_a.py": "def test_a(linecomp, tmpdir): pass\n"})
    report = analyze(root, scan_plugins=False)
    names = {f.name for f in report.scan.fixtures}
    assert {"tmpdir", "tmp_path", "cache", "pytestconfig"} <= names
    assert not names & {"pytester", "testdir", "linecomp", "_sys_snapshot"}
    assert [f.message for f in findings(report, "FG003")] == [
        "fixture 'linecomp' not found, requested by test"
    ]


@pytest.mark.parametrize(
    ("addopts", "gone", "kept"),
    [
        ("-p no:cacheprovider", {"cache"}, {"tmpdir", "tmp_path"}),
        ("-p no:legacypath", {"tmpdir", "tmpdir_factory"}, {"tmp_path", "cache"}),
        # LegacyTmpdirPlugin is registered only when the tmpdir plugin is there.
        ("-p no:tmpdir", {"tmp_path", "tmp_path_factory", "tmpdir", "tmpdir_factory"}, {"cache"}),
        ("-p no:pytest_capture", set(), {"capsys"}),  # pytest_<name> is a different name
        ("-p no:capture", {"capsys", "capfd", "capteesys"}, {"caplog"}),
    ],
)
def test_p_no_blocks_builtin_plugins(
    write_tree: Tree, addopts: str, gone: set[str], kept: set[str]
) -> None:
    root = write_tree(
        {"pytest.ini": f"[pytest]\naddopts = {addopts}\n", "test_a.py": "def test_a(): pass\n"}
    )
    names = {f.name for f in analyze(root, scan_plugins=False).scan.fixtures}
    assert not names & gone
    assert kept <= names


def test_blocked_pytester_named_in_pytest_plugins_stays_out(write_tree: Tree) -> None:
    root = write_tree(
        {
            "pytest.ini": "[pytest]\naddopts = -p no:pytester\n",
            "conftest.py": 'pytest_plugins = "pytester"\n',
            "test_a.py": "def test_a(): pass\n",
        }
    )
    names = {f.name for f in analyze(root, scan_plugins=False).scan.fixtures}
    assert "pytester" not in names
    assert "linecomp" not in names


def test_fallback_table_serves_pytest_plugins_too(
    write_tree: Tree, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(session._Scan, "_read_builtin_table", lambda self: None)
    root = write_tree(
        {
            "pytest.ini": "[pytest]\n",
            "conftest.py": 'pytest_plugins = ["pytester"]\n',
            "test_a.py": "def test_a(linecomp, pytester): pass\n",
        }
    )
    report = analyze(root, scan_plugins=False)
    assert closures(report) == {
        "test_a.py::test_a": ["linecomp", "monkeypatch", "pytester", "request", "tmp_path_factory"]
    }
    assert "plugin-not-found" not in issue_codes(report)


# -- anyio: the mark adds anyio_backend to coroutine tests -----------------------------------

ANYIO_TESTS = """
    import pytest

    @pytest.mark.anyio
    async def test_marked(): pass

    @pytest.mark.anyio
    def test_marked_sync(): pass

    async def test_unmarked(): pass

    @pytest.mark.anyio
    class TestClass:
        async def test_in_class(self): pass
        def test_sync_in_class(self): pass
"""


def test_anyio_mark_adds_anyio_backend_to_coroutines_only(write_tree: Tree) -> None:
    root = write_tree({"pytest.ini": "[pytest]\n", "test_a.py": ANYIO_TESTS})
    got = {k: [n for n in v if n != "event_loop_policy"] for k, v in closures(analyze(root)).items()}
    backend = ["anyio_backend", "request"]
    assert got == {
        "test_a.py::test_marked": backend,
        "test_a.py::test_marked_sync": [],
        "test_a.py::test_unmarked": [],
        "test_a.py::TestClass::test_in_class": backend,
        "test_a.py::TestClass::test_sync_in_class": [],
    }


def test_anyio_module_pytestmark(write_tree: Tree) -> None:
    root = write_tree(
        {
            "pytest.ini": "[pytest]\n",
            "test_a.py": """
                import pytest
                pytestmark = [pytest.mark.anyio]
                async def test_a(): pass
                def test_sync(): pass
            """,
        }
    )
    got = closures(analyze(root))
    assert "anyio_backend" in got["test_a.py::test_a"]
    assert "anyio_backend" not in got["test_a.py::test_sync"]


@pytest.mark.parametrize(
    "ini", ["anyio_mode = auto", "addopts = --anyio-mode=auto", "addopts = --anyio-mode auto"]
)
def test_anyio_auto_mode_covers_unmarked_coroutines(write_tree: Tree, ini: str) -> None:
    root = write_tree({"pytest.ini": f"[pytest]\n{ini}\n", "test_a.py": ANYIO_TESTS})
    got = closures(analyze(root))
    assert "anyio_backend" in got["test_a.py::test_unmarked"]
    assert "anyio_backend" not in got["test_a.py::test_marked_sync"]


def test_anyio_near_misses_plugin_blocked_or_not_scanned(write_tree: Tree) -> None:
    root = write_tree({"pytest.ini": "[pytest]\naddopts = -p no:anyio\n", "test_a.py": ANYIO_TESTS})
    assert all("anyio_backend" not in c for c in closures(analyze(root)).values())
    root = write_tree({"pytest.ini": "[pytest]\n", "test_a.py": ANYIO_TESTS})
    assert all("anyio_backend" not in c for c in closures(analyze(root, scan_plugins=False)).values())


def test_anyio_entry_is_true_to_the_installed_plugin() -> None:
    import anyio.pytest_plugin as plugin

    source = Path(plugin.__file__).read_text()
    rule = plugins.ANYIO.mark_fixtures[0]
    assert 'pytest.mark.usefixtures("anyio_backend")' in source
    assert f'get_closest_marker("{rule.mark}")' in source
    assert rule.auto is not None
    assert f'"{rule.auto.ini}"' in source
    assert f'"{rule.auto.option}"' in source


# -- pytest-asyncio: the default loop scope ---------------------------------------------------

ASYNCIO_CONFTEST = """
    import pytest
    import pytest_asyncio

    @pytest_asyncio.fixture(scope="module")
    async def default_loop(): pass

    @pytest_asyncio.fixture(scope="module", loop_scope="module")
    async def same_loop(): pass

    @pytest_asyncio.fixture(scope="module", loop_scope="session")
    async def wider_loop(): pass

    @pytest_asyncio.fixture(scope="session")
    def sync_via_decorator(): pass

    @pytest.fixture(scope="module")
    async def plain_async(): pass

    @pytest.fixture(scope="module")
    def plain_sync(): pass
"""
ASYNCIO_TEST = """
    def test_a(default_loop, same_loop, wider_loop, sync_via_decorator, plain_async, plain_sync): pass
"""


def loop_errors(root: Path) -> list[tuple[int, Severity]]:
    return [(f.line, f.severity) for f in findings(analyze(root), "FG002") if f.file == "conftest.py"]


@pytest.mark.parametrize(
    ("ini", "expected"),
    [
        # the ini default applies to pytest_asyncio.fixture without loop_scope=, sync ones too
        ("asyncio_default_fixture_loop_scope = function", [4, 13]),
        # auto mode: every async def fixture gets the default too, never a sync @pytest.fixture
        ("asyncio_mode = auto\nasyncio_default_fixture_loop_scope = function", [4, 13, 16]),
        ("addopts = --asyncio-mode=auto\nasyncio_default_fixture_loop_scope = class", [4, 13, 16]),
        # the fixture's own scope: no mismatch
        ("asyncio_default_fixture_loop_scope = fixture-scope", []),
        ("", []),  # unset: pytest-asyncio 1.x falls back to the fixture's scope (and warns)
        ("asyncio_default_fixture_loop_scope = session", []),
        # a loop as wide as the session fixture is fine, the module one too
        ("asyncio_default_fixture_loop_scope = module", [13]),
    ],
)
def test_asyncio_default_fixture_loop_scope(write_tree: Tree, ini: str, expected: list[int]) -> None:
    root = write_tree(
        {"pytest.ini": f"[pytest]\n{ini}\n", "conftest.py": ASYNCIO_CONFTEST, "test_a.py": ASYNCIO_TEST}
    )
    assert loop_errors(root) == [(line, Severity.ERROR) for line in expected]


def test_asyncio_message_names_the_ini_option(write_tree: Tree) -> None:
    root = write_tree(
        {
            "pytest.ini": "[pytest]\nasyncio_default_fixture_loop_scope = function\n",
            "conftest.py": ASYNCIO_CONFTEST,
            "test_a.py": ASYNCIO_TEST,
        }
    )
    (first, _) = [f for f in findings(analyze(root), "FG002") if f.file == "conftest.py"]
    assert first.message == (
        "scope mismatch: module-scoped fixture 'default_loop' runs in a function-scoped event loop "
        "(no loop_scope=, so asyncio_default_fixture_loop_scope = function applies, narrower than scope): "
        "pytest-asyncio raises ScopeMismatch on _function_scoped_runner"
    )


def test_asyncio_entry_is_true_to_the_installed_plugin() -> None:
    import pytest_asyncio.plugin as plugin

    source = Path(plugin.__file__).read_text()
    rule = plugins.PYTEST_ASYNCIO.loop_scope
    assert rule is not None
    assert f'"{rule.default_ini}"' in source
    assert f'_MATCH_FIXTURE_SCOPE = "{rule.match_fixture_scope}"' in source
    assert f'"{rule.auto.ini}"' in source
    assert f'"{rule.auto.option}"' in source
    assert 'getattr(fixturedef.func, "_loop_scope", None)' in source


def test_ini_passes_only_the_registry_keys(tmp_path: Path) -> None:
    (tmp_path / "pytest.ini").write_text(
        "[pytest]\nasyncio_mode = auto\nunrelated = 1\naddopts = --anyio-mode auto -p no:x\n"
    )
    settings = determine_setup([tmp_path], tmp_path)
    assert dict(settings.plugin_settings) == {"asyncio_mode": "auto", "--anyio-mode": "auto"}


# -- lazy fixtures: uses, not closure members -------------------------------------------------


def test_lazy_fixture_calls_are_uses_not_closure(write_tree: Tree) -> None:
    root = write_tree(
        {
            "pytest.ini": "[pytest]\n",
            "conftest.py": """
                import pytest
                from pytest_lazy_fixtures import lf
                from pytest_cases import fixture_ref
                from pytest_lazyfixture import lazy_fixture

                @pytest.fixture
                def one(): pass
                @pytest.fixture
                def two(): pass
                @pytest.fixture
                def three(): pass
                @pytest.fixture
                def four(): pass
                @pytest.fixture
                def five(): pass
                @pytest.fixture
                def unused(): pass
                @pytest.fixture(params=[lf("four.attr")])
                def via_params(request): pass
            """,
            "test_a.py": """
                import pytest
                from pytest_lazy_fixtures import lf
                from pytest_cases import fixture_ref
                from pytest_lazyfixture import lazy_fixture

                @pytest.mark.parametrize(
                    "x", [lf("one"), fixture_ref("two"), pytest.param(lazy_fixture(["three"]))]
                )
                def test_a(x): pass

                @pytest.mark.parametrize("y", [pytest.lazy_fixture("five")])
                def test_b(y, via_params): pass
            """,
        }
    )
    report = analyze(root, scan_plugins=False)
    assert closures(report) == {
        "test_a.py::test_a": ["x"],
        "test_a.py::test_b": ["request", "via_params", "y"],
    }
    tests = {t.nodeid: t for t in report.scan.tests}
    assert tests["test_a.py::test_a"].dynamic_deps == ("one", "two", "three")
    assert tests["test_a.py::test_b"].dynamic_deps == ("five",)
    unused = sorted(f.symbol for f in findings(report, "FG006"))
    assert unused == ["conftest.py::unused"]


def test_lazy_fixture_with_a_computed_name_is_an_issue(write_tree: Tree) -> None:
    root = write_tree(
        {
            "pytest.ini": "[pytest]\n",
            "test_a.py": """
                import pytest
                from pytest_lazy_fixtures import lf
                NAME = "one"
                @pytest.mark.parametrize("x", [lf(NAME)])
                def test_a(x): pass
            """,
        }
    )
    report = analyze(root, scan_plugins=False)
    assert [(i.file, i.line, i.code) for i in report.scan.issues] == [
        ("test_a.py", 4, "dynamic-lazy-fixture")
    ]


def test_a_function_named_lf_from_elsewhere_is_not_a_use(write_tree: Tree) -> None:
    root = write_tree(
        {
            "pytest.ini": "[pytest]\n",
            "test_a.py": """
                import pytest
                def lf(name): return name
                @pytest.mark.parametrize("x", [lf("one")])
                def test_a(x): pass
            """,
        }
    )
    (test,) = analyze(root, scan_plugins=False).scan.tests
    assert test.dynamic_deps == ()


# -- entry-point plugins: pytest-mock's fixtures resolve through the pytest11 entry point -----


def test_entry_point_plugin_fixtures_resolve(write_tree: Tree, tmp_path: Path) -> None:
    """A fake installed distribution (dist-info with a ``pytest11`` entry point) on the path."""
    site = tmp_path / "site"
    (site / "fakemock").mkdir(parents=True)
    (site / "fakemock" / "__init__.py").write_text("")
    (site / "fakemock" / "plugin.py").write_text(
        "import pytest\n@pytest.fixture\ndef mocker(): pass\n"
        "@pytest.fixture(scope='session')\ndef session_mocker(): pass\n"
    )
    dist = site / "fakemock-1.0.dist-info"
    dist.mkdir()
    (dist / "entry_points.txt").write_text("[pytest11]\nfakemock = fakemock.plugin\n")
    root = write_tree(
        {"pytest.ini": "[pytest]\n", "test_a.py": "def test_a(mocker, session_mocker): pass\n"}
    )
    script = (
        "import json, sys; from pathlib import Path; sys.path.insert(0, sys.argv[1]);"
        "from fixture_graph.config import ScanConfig; from fixture_graph.scan.session import scan_paths;"
        "r = scan_paths([], ScanConfig(cache=False), invocation_dir=Path(sys.argv[2]));"
        "print(json.dumps({f.name: f.id for f in r.fixtures if f.name in ('mocker', 'session_mocker')}))"
    )
    out = subprocess.run(
        [sys.executable, "-c", script, str(site), str(root)], capture_output=True, text=True, check=True
    )
    assert json.loads(out.stdout) == {
        "mocker": "plugin:fakemock.plugin::mocker",
        "session_mocker": "plugin:fakemock.plugin::session_mocker",
    }


# -- the repros' EXPECTED values ---------------------------------------------------------------

Copy = Callable[[str], Path]


def test_repro_05_pytester_fixtures_resolve(copy_data: Copy) -> None:
    report = analyze(copy_data("repros/05_pytester_plugin_fixtures"), scan_plugins=False)
    assert closures(report) == {
        "test_x.py::test_linecomp": ["linecomp"],
        "test_x.py::test_pytester": ["monkeypatch", "pytester", "request", "tmp_path_factory"],
        "test_x.py::test_snapshot": ["_sys_snapshot"],
    }
    winners = {name: fid for t in report.resolution.tests for name, fid in t.winners}
    assert winners["_sys_snapshot"] == "builtin::_sys_snapshot"
    by_id = {f.id: f for f in report.scan.fixtures}
    assert [
        (by_id[winners[n]].file, by_id[winners[n]].line)
        for n in ("pytester", "linecomp", "_sys_snapshot")
    ] == [
        ("_pytest/pytester.py", 477),
        ("_pytest/pytester.py", 460),
        ("_pytest/pytester.py", 494),
    ]
    assert not findings(report, "FG003")
    assert "plugin-not-found" not in issue_codes(report)


def test_repro_08_anyio_mark_adds_anyio_backend(copy_data: Copy) -> None:
    report = analyze(copy_data("repros/08_anyio_marker_adds_anyio_backend"))
    assert closures(report) == {
        "test_x.py::test_async": ["anyio_backend", "event_loop_policy", "request"],
        "test_x.py::test_unmarked_async": ["event_loop_policy"],
    }
    backend = next(f for f in report.scan.fixtures if f.name == "anyio_backend")
    assert (backend.id, backend.scope.value) == ("plugin:anyio.pytest_plugin::anyio_backend", "module")
    assert backend.params == "get_available_backends()"


def test_repro_11_default_loop_scope_mismatch(copy_data: Copy) -> None:
    report = analyze(copy_data("repros/11_asyncio_default_loop_scope_narrower_than_fixture_scope"))
    assert closures(report) == {
        "test_async_scopes.py::test_async_module": ["async_module_resource", "event_loop_policy"],
        "test_async_scopes.py::test_async_module_ok": ["async_module_resource_ok", "event_loop_policy"],
        "test_async_scopes.py::test_sync_session": ["event_loop_policy", "sync_session_resource"],
    }
    assert [(f.file, f.line, f.severity, f.symbol) for f in findings(report, "FG002")] == [
        ("conftest.py", 4, Severity.ERROR, "conftest.py::sync_session_resource"),
        ("conftest.py", 11, Severity.ERROR, "conftest.py::async_module_resource"),
    ]


# -- pytest-factoryboy: register() defines fixtures in the calling module -----------------------

# item.fixturenames printed by pytest 9.2.0 with pytest-factoryboy 2.8.1 on tests/data/plugins/factoryboy
# (less the plugins' autouse _session_faker and event_loop_policy).
FACTORYBOY_OBSERVED = {
    "test_f.py::test_author": ["author", "author__email", "author__name", "author_email", "request"],
    "test_f.py::test_second": [
        "author_email",
        "request",
        "second_author",
        "second_author__email",
        "second_author__name",
    ],
    "test_f.py::test_book": [
        *("author", "author__email", "author__name", "author_email", "book", "book__author"),
        *("book__lang", "book__pages", "book__title", "request"),
    ],
    "test_f.py::test_review": [
        *("author", "author__email", "author__name", "author_email", "book", "book__author"),
        *(
            "book__lang",
            "book__pages",
            "book__title",
            "my_review",
            "my_review__book",
            "my_review__stars",
        ),
        "request",
    ],
    "test_f.py::test_factories": ["author_factory", "book_factory", "request", "review_factory"],
}


def test_factoryboy_register_matches_the_plugin(copy_data: Copy) -> None:
    report = analyze(copy_data("plugins/factoryboy"), scan_plugins=False)
    assert closures(report) == FACTORYBOY_OBSERVED
    assert not report.scan.issues
    assert not findings(report, "FG003")
    book = next(f for f in report.scan.fixtures if f.name == "book__author")
    assert (book.file, book.line, book.kind) == ("conftest.py", 32, FixtureKind.CONFTEST)
    assert book.argnames == ("request", "author__name", "author__email", "author")


def test_factoryboy_decorator_forms_and_unknown_model(write_tree: Tree) -> None:
    root = write_tree(
        {
            "pytest.ini": "[pytest]\n",
            "conftest.py": """
                import factory
                import pytest_factoryboy
                from pytest_factoryboy import register
                from app import models

                @register
                class UserFactory(factory.Factory):
                    class Meta:
                        model = models.User
                    login = "x"

                @pytest_factoryboy.register(_name="admin")
                class AdminFactory(factory.Factory):
                    class Meta:
                        model = "Administrator"

                class ThingFactory(factory.Factory):
                    class Meta:
                        model = make_model()

                register(ThingFactory)
                register(ThingFactory, "named_thing")
            """,
            "test_a.py": "def test_a(user, user__login, admin, thing_factory, named_thing): pass\n",
        }
    )
    report = analyze(root, scan_plugins=False)
    assert closures(report) == {
        "test_a.py::test_a": ["admin", "named_thing", "request", "thing_factory", "user", "user__login"]
    }
    names = {f.name for f in report.scan.fixtures if f.kind is FixtureKind.CONFTEST}
    assert names == {
        "user",
        "user__login",
        "user_factory",
        "admin",
        "admin_factory",
        "thing_factory",
        "named_thing",
    }
    assert [(i.file, i.line, i.code) for i in report.scan.issues] == [
        ("conftest.py", 21, "registrar-names-unknown")
    ]
    assert "ThingFactory.Meta.model is computed" in report.scan.issues[0].message


def test_factoryboy_near_misses(write_tree: Tree) -> None:
    root = write_tree(
        {
            "pytest.ini": "[pytest]\n",
            "conftest.py": """
                import factory
                from myregistry import register
                from pytest_factoryboy import register as fb_register

                class UserFactory(factory.Factory):
                    class Meta:
                        model = dict
                    _private = 1

                register(UserFactory)  # another library's register
                def setup():
                    fb_register(UserFactory)  # not at module level: nothing at collection
            """,
            "test_a.py": "def test_a(): pass\n",
        }
    )
    report = analyze(root, scan_plugins=False)
    assert not [f for f in report.scan.fixtures if f.kind is FixtureKind.CONFTEST]
