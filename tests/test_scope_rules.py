"""Fan-out figures and the scope rules (FG013 scope advice, FG016 autouse with params, FG019
xdist grouping) on small trees, with exact messages, plus a golden run on the sample suite."""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from helpers.cli import run
from helpers.render import GOLDEN, UPDATE_ENV

from fixture_graph.analyze.findings import FanOut, Finding, Severity
from fixture_graph.config import AnalyzeConfig, ScanConfig
from fixture_graph.items import count_items, items_per_test
from fixture_graph.report import Report, build_report
from fixture_graph.scan.session import scan_paths

Tree = Callable[[dict[str, str]], Path]
INI = {"pytest.ini": "[pytest]\n"}


def analyze(root: Path, **config: Any) -> Report:
    scan = scan_paths([], ScanConfig(scan_plugins=False), invocation_dir=root)
    return build_report(scan, AnalyzeConfig(**config))


def found(report: Report, code: str) -> list[Finding]:
    return [f for f in report.analysis.findings if f.code == code]


def fan(report: Report, fixture_id: str) -> FanOut:
    return next(f for f in report.analysis.fan_out if f.id == fixture_id)


# -- fan-out ----------------------------------------------------------------------------------

FAN_TREE = {
    **INI,
    "conftest.py": """
        import pytest
        @pytest.fixture(scope="module", params=[1, 2, 3])
        def backend(request): ...
        @pytest.fixture(scope="class")
        def client(backend): ...
        @pytest.fixture(scope="session")
        def config(): ...
        @pytest.fixture(autouse=True)
        def clean(): ...
    """,
    "test_a.py": """
        def test_one(backend, config): ...
        def test_two(client): ...
        class TestC:
            def test_three(self, client): ...
            def test_four(self, client): ...
    """,
    "test_b.py": """
        import pytest
        @pytest.mark.parametrize("backend", ["x"])
        def test_marked(backend): ...
        def test_plain(config): ...
    """,
}


def test_fan_out_counts_items_and_setups_per_scope(write_tree: Tree) -> None:
    report = analyze(write_tree(FAN_TREE))
    # backend's params multiply the four tests of test_a.py; the mark replaces them in test_b.py.
    assert fan(report, "conftest.py::backend") == FanOut(
        "conftest.py::backend", "backend", "module", False, 4, 12, 3, 3, params=3, multiplied=8
    )
    # class scope: one setup per class and params case (TestC), and one per item outside a class
    assert fan(report, "conftest.py::client") == FanOut(
        "conftest.py::client", "client", "class", False, 3, 9, 6, 6
    )
    assert fan(report, "conftest.py::config") == FanOut(
        "conftest.py::config", "config", "session", False, 2, 4, 1, 1
    )
    assert fan(report, "conftest.py::clean") == FanOut(
        "conftest.py::clean", "clean", "function", True, 6, 14, 14, 14
    )


def test_fan_out_with_xdist_workers(write_tree: Tree) -> None:
    report = analyze(write_tree(FAN_TREE), workers=4)
    # session: one setup per worker that gets one of its 4 items
    assert fan(report, "conftest.py::config").setups_workers == 4
    # module, 3 cases: each worker may set up each case, never more often than there are items
    assert fan(report, "conftest.py::backend").setups_workers == 12
    # function scope: the same with or without workers
    assert fan(report, "conftest.py::clean").setups_workers == 14


def test_items_per_test_add_up_to_the_item_count(copy_data: Callable[[str], Path]) -> None:
    root = copy_data("sample_suite")
    scan = scan_paths([], ScanConfig(), invocation_dir=root)
    report = build_report(scan, analyze=False)
    per_test = items_per_test(scan, report.resolution)
    assert sum(t.count for t in per_test.values()) == count_items(scan, report.resolution).items == 60
    assert per_test["tests/unit/test_payments.py::test_provider_is_known"].param_defs == (
        "tests/conftest.py::payment_provider",
    )


def test_summary_lists_the_top_multipliers(write_tree: Tree) -> None:
    code, out = run(write_tree(FAN_TREE), "--no-cache", "--workers", "4")
    assert code == 0, out
    block = out.split("top multipliers (parametrized and autouse fixtures):\n", 1)[1].split("found", 1)[0]
    assert block.splitlines() == [
        "    backend [3 params]: 12 items from 4 tests (+8 from its params), 3 setups at module scope "
        "(up to 12 with 4 xdist workers)",
        "    clean [autouse]: 14 items from 6 tests, 14 setups at function scope",
    ]


def test_json_carries_fan_out_per_fixture(write_tree: Tree) -> None:
    import json

    code, out = run(write_tree(FAN_TREE), "--no-cache", "--format", "json")
    assert code == 0, out
    document = json.loads(out)
    assert document["top_multipliers"] == ["conftest.py::backend", "conftest.py::clean"]
    by_id = {f["id"]: f for f in document["fixtures"]}
    assert by_id["conftest.py::backend"]["fan_out"] == {
        "tests": 4,
        "items": 12,
        "setups": 3,
        "setups_workers": 3,
        "multiplied": 8,
        "exact": True,
    }
    assert "fan_out" not in by_id["builtin::tmp_path"]  # reached by no test: left out


# -- FG016 autouse with params --------------------------------------------------------------


def test_fg016_autouse_with_params_multiplies_every_test(write_tree: Tree) -> None:
    root = write_tree(
        {
            **INI,
            "conftest.py": """
                import pytest
                @pytest.fixture(autouse=True, params=["sqlite", "postgres"])
                def backend(request): ...
            """,
            "test_x.py": "def test_a(): ...\ndef test_b(): ...\n",
        }
    )
    (finding,) = found(analyze(root), "FG016")
    assert (finding.file, finding.line, finding.severity) == ("conftest.py", 2, Severity.WARNING)
    assert finding.message == (
        "autouse fixture 'backend' has 2 params: each of the 2 tests it reaches runs once per param "
        "(4 items, 2 more than without them)"
    )
    assert finding.key == "FG016:conftest.py::backend"


def test_fg016_autouse_requesting_a_parametrized_fixture(write_tree: Tree) -> None:
    root = write_tree(
        {
            **INI,
            "conftest.py": """
                import pytest
                @pytest.fixture(params=[1, 2, 3])
                def level(request): ...
                @pytest.fixture(autouse=True)
                def logging_at(level): ...
            """,
            "test_x.py": "def test_a(): ...\ndef test_b(level): ...\n",
        }
    )
    (finding,) = found(analyze(root), "FG016")
    # test_b asks for 'level' itself: it runs three times with or without the autouse fixture
    assert finding.message == (
        "autouse fixture 'logging_at' requests parametrized 'level' (3 params): each of the 2 tests "
        "it reaches runs once per param (6 items, 2 more than without them)"
    )


def test_fg016_quiet_for_one_param_and_for_tests_that_parametrize_it_themselves(write_tree: Tree) -> None:
    root = write_tree(
        {
            **INI,
            "conftest.py": """
                import pytest
                @pytest.fixture(autouse=True, params=["only"])
                def single(request): ...
            """,
            "sub/conftest.py": """
                import pytest
                @pytest.fixture(autouse=True, params=[1, 2])
                def mode(request): ...
            """,
            "sub/test_x.py": """
                import pytest
                @pytest.mark.parametrize("mode", [0])
                def test_a(mode): ...
            """,
        }
    )
    assert found(analyze(root), "FG016") == []


# -- FG013 scope advice ---------------------------------------------------------------------

WIDEN = {
    **INI,
    "conftest.py": """
        import pytest
        from profiling import memory_profile
        @memory_profile("a migrated database", "HIGH")
        @pytest.fixture
        def db(db_dir): ...
        @pytest.fixture
        def db_dir(tmp_path): ...
        @memory_profile("a schema", "MEDIUM")
        @pytest.fixture
        def schema(): ...
        @memory_profile("a token", "LOW")
        @pytest.fixture
        def token(): ...
    """,
    "test_a.py": "".join(f"def test_{i}(db, schema, token): ...\n" for i in range(4)),
    "test_b.py": "".join(f"def test_b{i}(schema): ...\n" for i in range(4)),
}


def test_fg013_widening_allowed_saves_setups(write_tree: Tree) -> None:
    report = analyze(write_tree(WIDEN))
    (finding,) = [f for f in found(report, "FG013") if f.symbol == "conftest.py::schema"]
    assert (finding.file, finding.line, finding.severity) == ("conftest.py", 8, Severity.INFO)
    assert finding.message == (
        "'schema' (function, MEDIUM) is set up 8 times for 8 items; session scope would set it up "
        "1 time (7 fewer), and its dependencies allow up to session"
    )
    assert finding.fix == (
        'declare scope="session" if the tests of one session can share its value (none of them changes it)'
    )
    # LOW is below the advisor's bar: nothing about 'token'
    assert {f.symbol for f in found(report, "FG013")} == {"conftest.py::db", "conftest.py::schema"}
    # 'schema' saves 7 setups x weight 4 and 'db' 3 x 8: under a threshold of 30, neither is worth it
    assert found(analyze(write_tree(WIDEN), scope_advice_threshold=30), "FG013") == []


def test_fg013_names_the_dependency_that_blocks_widening_and_the_chain(write_tree: Tree) -> None:
    report = analyze(write_tree(WIDEN))
    (finding,) = [f for f in found(report, "FG013") if f.symbol == "conftest.py::db"]
    assert finding.message == (
        "widening 'db' (function, HIGH) to module would set it up 1 time instead of 4, but it is "
        "blocked by 'tmp_path' (function, builtin, _pytest/tmpdir.py:328) through 'db_dir'"
    )
    assert [(r.file, r.line, r.label) for r in finding.related] == [
        ("conftest.py", 3, "db (function)"),
        ("conftest.py", 6, "db_dir (function)"),
        ("_pytest/tmpdir.py", 328, "tmp_path (function)"),
    ]
    assert finding.fix == (
        "request tmp_path_factory (session scope: tmp_path_factory.mktemp(...)) instead of 'tmp_path' in "
        "'db_dir', and widen 'db_dir' with it, then declare scope=\"module\", if the tests of one module "
        "can share the value"
    )
    assert finding.key == "FG013:conftest.py::db:blocked"


def test_fg013_quiet_when_one_test_uses_it_or_tests_parametrize_it(write_tree: Tree) -> None:
    root = write_tree(
        {
            **INI,
            "conftest.py": """
                import pytest
                from profiling import memory_profile
                @memory_profile("a cluster", "HIGH")
                @pytest.fixture
                def cluster(request): ...
                @memory_profile("a model", "HIGH")
                @pytest.fixture
                def model(): ...
            """,
            "test_a.py": """
                import pytest
                @pytest.mark.parametrize("cluster", [1, 2], indirect=True)
                def test_one(cluster): ...
                def test_two(cluster): ...
                def test_model(model): ...
            """,
        }
    )
    assert found(analyze(root), "FG013") == []


NARROW = {
    **INI,
    "conftest.py": """
        import pytest
        from profiling import memory_profile
        @memory_profile("a search index", "VERY_HIGH")
        @pytest.fixture(scope="session")
        def index(): ...
        @memory_profile("a queue", "HIGH")
        @pytest.fixture(scope="session")
        def queue(): ...
        @memory_profile("a worker", "HIGH")
        @pytest.fixture(scope="session")
        def worker(queue): ...
        @pytest.fixture(scope="session")
        def settings(): ...
    """,
    "unit/test_u.py": "def test_u(settings): ...\n",
    "integration/__init__.py": "",
    "integration/test_search.py": "def test_query(index): ...\ndef test_worker(worker): ...\n",
    "integration/test_more.py": "def test_reindex(index): ...\n",
}


def test_fg013_narrows_a_session_fixture_to_the_package_its_tests_are_in(write_tree: Tree) -> None:
    report = analyze(write_tree(NARROW))
    by_symbol = {f.symbol: f for f in found(report, "FG013")}
    index = by_symbol["conftest.py::index"]
    assert index.message == (
        "session fixture 'index' (VERY_HIGH) is only used under integration/ (2 tests): package scope "
        "(in a conftest there; integration/__init__.py needed) still sets it up once and tears it down "
        "when they are done, not at the end of the run"
    )
    assert index.fix == 'declare scope="package" and move it to integration/conftest.py'
    worker = by_symbol["conftest.py::worker"]
    assert worker.message == (
        "session fixture 'worker' (HIGH) is only used in integration/test_search.py (1 test): module "
        "scope still sets it up once and tears it down when they are done, not at the end of the run"
    )
    assert worker.fix == 'declare scope="module"'
    # 'queue' is requested by the session fixture 'worker': narrowing it would be a ScopeMismatch.
    # 'settings' is untagged and the session budget (4) is not passed.
    assert set(by_symbol) == {"conftest.py::index", "conftest.py::worker"}


def test_fg013_and_fg005_name_the_scope_that_fits_over_the_session_budget(write_tree: Tree) -> None:
    report = analyze(write_tree(NARROW), max_session_fixtures=1)
    settings = next(f for f in found(report, "FG013") if f.symbol == "conftest.py::settings")
    assert settings.message == (
        "session fixture 'settings' is only used in unit/test_u.py (1 test): module scope still sets it "
        "up once and tears it down when they are done, not at the end of the run; it is one of the "
        "session fixtures over the budget of 1 (FG005)"
    )
    (budget,) = found(report, "FG005")
    assert budget.fix is not None
    assert budget.fix.startswith(
        "demote 'queue' to module or function scope first (reached by 1 test, impact HIGH), then "
        "'settings' (module scope fits), 'worker' (module scope fits), until 1 remain"
    )


# -- FG019 xdist grouping ---------------------------------------------------------------------

XDIST = {
    **INI,
    "conftest.py": """
        import pytest
        from profiling import memory_profile
        @memory_profile("a browser", "VERY_HIGH")
        @pytest.fixture(scope="session")
        def browser(): ...
        @memory_profile("a server", "HIGH")
        @pytest.fixture(scope="session")
        def server(): ...
        @memory_profile("a database", "HIGH")
        @pytest.fixture(scope="module")
        def db(): ...
    """,
    "ui/test_pages.py": "def test_home(browser, server): ...\ndef test_about(browser): ...\n",
    "ui/test_login.py": "def test_login(browser): ...\ndef test_static(): ...\n",
    "test_db.py": "def test_read(db): ...\ndef test_write(db): ...\ndef test_more(db): ...\n",
    "test_core.py": "".join(f"def test_{i}(): ...\n" for i in range(20)),
}


def test_fg019_silent_without_workers(write_tree: Tree) -> None:
    assert found(analyze(write_tree(XDIST)), "FG019") == []


def test_fg019_groups_the_tests_of_a_heavy_session_fixture(write_tree: Tree) -> None:
    report = analyze(write_tree(XDIST), workers=4)
    group, module = found(report, "FG019")
    assert (group.file, group.line, group.symbol) == ("conftest.py", 3, "conftest.py::browser")
    assert group.message == (
        "with 4 xdist workers, session fixture 'browser' (VERY_HIGH) is set up up to 3 times; mark the "
        '3 tests reaching it (3 items in 2 modules) @pytest.mark.xdist_group("browser") and run '
        "--dist loadgroup: 1 setup (2 saved)"
    )
    assert [(r.file, r.line, r.label) for r in group.related] == [
        ("ui/test_login.py", 1, "test ui/test_login.py::test_login"),
        ("ui/test_pages.py", 1, "module: all 2 tests"),
    ]
    # 'server' (one test) is set up once either way; 'db' is module-scoped: --dist loadfile
    assert module.message == (
        "with 4 xdist workers, module fixture 'db' (HIGH) is set up up to 3 times under --dist load, as "
        "its modules' tests spread over workers; --dist loadfile keeps each module on one worker: 1 setup "
        "(2 saved)"
    )


def test_fg019_leaves_tests_with_an_xdist_group_mark_and_groups_too_big_for_a_worker(
    write_tree: Tree,
) -> None:
    marked = {
        **XDIST,
        "ui/test_pages.py": 'import pytest\npytestmark = pytest.mark.xdist_group("ui")\n'
        + XDIST["ui/test_pages.py"],
        "ui/test_login.py": "import pytest\n@pytest.mark.xdist_group('ui')\ndef test_login(browser): ...\n",
        "test_db.py": "import pytest\npytestmark = [pytest.mark.xdist_group('db')]\n" + XDIST["test_db.py"],
    }
    assert found(analyze(write_tree(marked), workers=4), "FG019") == []


def test_fg019_no_group_bigger_than_one_workers_share(write_tree: Tree) -> None:
    small = {k: v for k, v in XDIST.items() if k not in ("test_core.py", "test_db.py")}
    # 4 items in all, 3 reach 'browser': more than half of one worker's share (4 / 4)
    assert found(analyze(write_tree(small), workers=4), "FG019") == []


# -- golden on the sample suite ---------------------------------------------------------------


def test_scope_rules_on_the_sample_suite_match_the_golden_file(
    copy_data: Callable[[str], Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    root = copy_data("sample_suite")
    args = ["--no-cache", "--select", "FG013", "--select", "FG016", "--select", "FG019", "--workers", "2"]
    code, out = run(root, *args)
    assert code == 0, out
    out = out.replace(f"rootdir: {root}", "rootdir: <rootdir>")
    golden = GOLDEN / "scope_rules.txt"
    if os.environ.get(UPDATE_ENV):
        golden.write_text(out, encoding="utf-8")
        pytest.skip(f"regenerated {golden}")
    assert out == golden.read_text(encoding="utf-8")


def test_fg013_one_finding_for_a_dependency_that_blocks_several(write_tree: Tree) -> None:
    root = write_tree(
        {
            **INI,
            "conftest.py": """
                import pytest
                from profiling import memory_profile
                @pytest.fixture
                def workdir(tmp_path): ...
                @memory_profile("a repository", "HIGH")
                @pytest.fixture
                def repo(workdir): ...
                @memory_profile("an index", "VERY_HIGH")
                @pytest.fixture
                def index(tmp_path): ...
            """,
            "test_a.py": "".join(f"def test_{i}(repo, index): ...\n" for i in range(4)),
        }
    )
    (finding,) = found(analyze(root), "FG013")
    assert (finding.file, finding.line, finding.symbol) == ("conftest.py", 5, "conftest.py::repo")
    assert finding.message == (
        "'tmp_path' (function, builtin, _pytest/tmpdir.py:328) blocks widening 2 costly fixtures "
        "(6 fewer setups in all): 'index' to module (4 -> 1 setups), 'repo' to module (4 -> 1 "
        "setups, through 'workdir')"
    )
    assert finding.fix == (
        "request tmp_path_factory (session scope: tmp_path_factory.mktemp(...)) instead of 'tmp_path' "
        "where these get it, then widen them"
    )
    assert finding.key == "FG013:blocked-by:builtin::tmp_path"


def test_scope_advice_threshold_is_a_setting(write_tree: Tree) -> None:
    tree = {k: v for k, v in WIDEN.items() if k != "pytest.ini"}
    tree["pyproject.toml"] = (
        "[tool.pytest.ini_options]\n\n[tool.fixture_graph]\nscope-advice-threshold = 30\n"
    )
    code, out = run(write_tree(tree), "--no-cache", "--select", "FG013")
    assert code == 0, out
    assert "FG013" not in out


def test_setups_per_run_equal_pytest_setup_plan_on_the_sample_suite(copy_data: Callable[[str], Path]) -> None:
    """Every fixture's setups per run, summed by name, as ``pytest --setup-plan`` prints them.

    Directly parametrized names are left out: pytest sets up a pseudo-fixture for each case,
    which is not a fixture definition.
    """
    import subprocess
    import sys
    from collections import Counter

    root = copy_data("sample_suite")
    env = {"USE_REAL_SERVICES": "true", "RUN_E2E_TESTS": "true"}
    done = subprocess.run(
        [sys.executable, "-m", "pytest", "--setup-plan", "-q", "-p", "no:cacheprovider"],
        cwd=root,
        env={**os.environ, **env},
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    planned: Counter[str] = Counter(
        line.split()[2].split("[", 1)[0]
        for line in done.stdout.splitlines()
        if line.strip().startswith("SETUP")
    )
    scan = scan_paths([], ScanConfig(env=tuple(sorted(env.items()))), invocation_dir=root)
    report = build_report(scan)
    ours: Counter[str] = Counter()
    for entry in report.analysis.fan_out:
        ours[entry.name] += entry.setups
    direct = {name for test in scan.tests for name in test.direct_params}
    assert len(planned) > 30
    assert {k: v for k, v in ours.items() if k not in direct} == {
        k: v for k, v in planned.items() if k not in direct
    }
