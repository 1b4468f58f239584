"""Each rule on a tree that triggers it and on a near miss that must not, with exact locations."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from fixture_graph.analyze.findings import Finding, Severity
from fixture_graph.config import AnalyzeConfig, Contract, PluginFixture, ScanConfig
from fixture_graph.report import Report, build_report
from fixture_graph.scan.session import scan_paths
from fixture_graph.scope import Scope

Tree = Callable[[dict[str, str]], Path]
INI = {"pytest.ini": "[pytest]\n"}


def analyze(root: Path, scan: ScanConfig | None = None, **config: Any) -> Report:
    scan = scan or ScanConfig(scan_plugins=False)
    return build_report(scan_paths([], scan, invocation_dir=root), AnalyzeConfig(**config))


def found(report: Report, code: str) -> list[Finding]:
    return [f for f in report.analysis.findings if f.code == code]


def where(report: Report, code: str) -> list[tuple[str, int, Severity]]:
    return [(f.file, f.line, f.severity) for f in found(report, code)]


# -- FG001 circular dependency ---------------------------------------------------------------


def test_fg001_cycle_reported_once_with_every_link(write_tree: Tree) -> None:
    root = write_tree(
        {
            **INI,
            "conftest.py": """
                import pytest
                @pytest.fixture
                def a(b): pass
                @pytest.fixture
                def b(c): pass
                @pytest.fixture
                def c(a): pass
            """,
            "test_x.py": "def test_x(a): pass\n",
        }
    )
    report = analyze(root)
    (finding,) = found(report, "FG001")
    assert (finding.file, finding.line, finding.severity) == ("conftest.py", 2, Severity.ERROR)
    assert finding.message == "circular dependency: a -> b -> c -> a"
    assert [(r.file, r.line) for r in finding.related] == [
        ("conftest.py", 2),
        ("conftest.py", 4),
        ("conftest.py", 6),
    ]
    assert finding.fix is not None
    assert "remove the request of" in finding.fix


def test_fg001_two_cycles_sharing_an_edge_and_the_fewest_removals(write_tree: Tree) -> None:
    root = write_tree(
        {
            **INI,
            "conftest.py": """
                import pytest
                @pytest.fixture
                def a(b): pass
                @pytest.fixture
                def b(a, c): pass
                @pytest.fixture
                def c(b): pass
            """,
            "test_x.py": "def test_x(a): pass\n",
        }
    )
    report = analyze(root)
    messages = sorted(f.message for f in found(report, "FG001"))
    assert messages == ["circular dependency: a -> b -> a", "circular dependency: b -> c -> b"]
    fix = found(report, "FG001")[0].fix
    assert fix is not None
    assert "2 removal(s) break all 2 cycles" in fix


def test_fg001_self_request_without_outer_definition(write_tree: Tree) -> None:
    root = write_tree(
        {
            **INI,
            "conftest.py": "import pytest\n@pytest.fixture\ndef x(x): pass\n",
            "test_x.py": "def test_x(x): pass\n",
        }
    )
    assert where(analyze(root), "FG001") == [("conftest.py", 2, Severity.ERROR)]


def test_fg001_near_miss_override_chain_is_not_a_cycle(write_tree: Tree) -> None:
    root = write_tree(
        {
            **INI,
            "conftest.py": "import pytest\n@pytest.fixture\ndef db(): pass\n",
            "sub/conftest.py": "import pytest\n@pytest.fixture\ndef db(db): pass\n",
            "sub/test_x.py": "def test_x(db): pass\n",
        }
    )
    assert found(analyze(root), "FG001") == []


def test_fg001_error_only_when_a_collected_test_sets_the_cycle_up(write_tree: Tree) -> None:
    # pytest raises "recursive dependency" while setting up a link for a test: a cycle no test
    # reaches, or one closed by getfixturevalue or behind an undecided guard, is a warning.
    conftest = """
        import os
        import pytest
        @pytest.fixture
        def a(b): pass
        @pytest.fixture
        def b(a): pass
        @pytest.fixture
        def dyn_a(dyn_b): pass
        @pytest.fixture
        def dyn_b(request):
            request.getfixturevalue("dyn_a")
        if os.environ.get("LOOP"):
            @pytest.fixture
            def g(h): pass
        @pytest.fixture
        def h(g): pass
    """
    root = write_tree({**INI, "conftest.py": conftest, "test_x.py": "def test_x(dyn_a, h): pass\n"})
    report = analyze(root)
    by_first = {f.message.split(": ")[1].split(" ")[0]: f for f in found(report, "FG001")}
    assert {k: f.severity for k, f in by_first.items()} == {
        "a": Severity.WARNING,
        "dyn_a": Severity.WARNING,
        "g": Severity.WARNING,
    }
    assert (
        "(no collected test reaches it: pytest reports it only when a test sets it up)"
        in by_first["a"].message
    )
    assert "a link is a getfixturevalue call" in by_first["dyn_a"].message
    assert "a link is behind an undecided condition" in by_first["g"].message
    # Near miss: a test that requests a, and LOOP decided true, make both certain.
    (root / "test_y.py").write_text("def test_y(a): pass\n")
    decided = analyze(root, ScanConfig(scan_plugins=False, env=(("LOOP", "1"),)))
    assert sorted((f.message.split(": ")[1].split(" ")[0], f.severity) for f in found(decided, "FG001")) == [
        ("a", Severity.ERROR),
        ("dyn_a", Severity.WARNING),
        ("g", Severity.ERROR),
    ]


def test_fg001_bound_is_stated(write_tree: Tree) -> None:
    defs = "\n".join(
        f"@pytest.fixture\ndef f{i}({', '.join(f'f{j}' for j in range(6) if j != i)}): pass" for i in range(6)
    )
    root = write_tree({**INI, "conftest.py": "import pytest\n" + defs + "\n"})
    report = analyze(root, cycle_bound=10)
    cycles = found(report, "FG001")
    assert len(cycles) == 10
    assert all("raise cycle-bound to see more" in f.message for f in cycles)


# -- FG002 scope mismatch --------------------------------------------------------------------


def test_fg002_session_requests_function(write_tree: Tree) -> None:
    root = write_tree(
        {
            **INI,
            "conftest.py": """
                import pytest
                @pytest.fixture
                def item(): pass
                @pytest.fixture(scope="session")
                def pool(item, tmp_path): pass
            """,
            "test_x.py": "def test_x(pool): pass\n",
        }
    )
    report = analyze(root)
    assert where(report, "FG002") == [("conftest.py", 4, Severity.ERROR), ("conftest.py", 4, Severity.ERROR)]
    by_target = {f.message.split("'")[-2]: f for f in found(report, "FG002")}
    assert "session-scoped 'pool' requests function-scoped 'item'" in by_target["item"].message
    assert by_target["item"].fix == (
        "declare 'pool' with scope=\"function\" (the widest its requests allow), "
        "or 'item' with scope=\"session\""
    )
    assert (
        by_target["tmp_path"].fix == "declare 'pool' with scope=\"function\" (the widest its requests allow)"
    )


def test_fg002_dynamic_scope_is_a_warning_and_loop_scope_an_error(write_tree: Tree) -> None:
    root = write_tree(
        {
            **INI,
            "conftest.py": """
                import pytest
                import pytest_asyncio
                def pick(fixture_name, config): return "session"
                @pytest.fixture
                def item(): pass
                @pytest.fixture(scope=pick)
                def dyn(item): pass
                @pytest_asyncio.fixture(scope="session", loop_scope="function")
                async def client(): pass
            """,
            "test_x.py": "def test_x(dyn, client): pass\n",
        }
    )
    report = analyze(root)
    assert where(report, "FG002") == [
        ("conftest.py", 6, Severity.WARNING),
        ("conftest.py", 8, Severity.ERROR),
    ]
    assert "loop_scope is narrower than scope" in found(report, "FG002")[1].message


def test_fg002_error_only_when_a_collected_test_sets_it_up(write_tree: Tree) -> None:
    conftest = """
        import os
        import pytest
        @pytest.fixture
        def item(): pass
        @pytest.fixture(scope="session")
        def pool(item): pass
        if os.environ.get("GUARDED"):
            @pytest.fixture(scope="module")
            def guarded(item): pass
    """
    root = write_tree({**INI, "conftest.py": conftest, "test_x.py": "def test_x(guarded): pass\n"})
    report = analyze(root)
    assert where(report, "FG002") == [
        ("conftest.py", 5, Severity.WARNING),
        ("conftest.py", 8, Severity.WARNING),
    ]
    pool, guarded = found(report, "FG002")
    assert pool.message.endswith("; no collected test uses 'pool', so pytest has not raised it yet")
    assert guarded.message.endswith("; behind an undecided condition, so pytest has not raised it yet")
    # Near miss: once a test uses pool and the guard is decided true, pytest raises both.
    (root / "test_y.py").write_text("def test_y(pool): pass\n")
    decided = analyze(root, ScanConfig(scan_plugins=False, env=(("GUARDED", "1"),)))
    assert where(decided, "FG002") == [("conftest.py", 5, Severity.ERROR), ("conftest.py", 8, Severity.ERROR)]


def test_fg002_near_miss_narrow_requests_wide(write_tree: Tree) -> None:
    root = write_tree(
        {
            **INI,
            "conftest.py": """
                import pytest
                @pytest.fixture(scope="session")
                def engine(tmp_path_factory): pass
                @pytest.fixture(scope="module")
                def conn(engine): pass
                @pytest.fixture
                def row(conn, request): pass
            """,
        }
    )
    assert found(analyze(root), "FG002") == []


# -- FG003 unknown fixture -------------------------------------------------------------------


def test_fg003_unknown_with_did_you_mean_and_not_visible(write_tree: Tree) -> None:
    root = write_tree(
        {
            **INI,
            "a/conftest.py": "import pytest\n@pytest.fixture\ndef database(): pass\n",
            "b/test_b.py": "def test_typo(databse): pass\n\n\ndef test_other_dir(database): pass\n",
        }
    )
    report = analyze(root)
    assert where(report, "FG003") == [("b/test_b.py", 1, Severity.ERROR), ("b/test_b.py", 4, Severity.ERROR)]
    typo, hidden = found(report, "FG003")
    assert typo.message == "fixture 'databse' not found, requested by test; did you mean 'database'?"
    assert "'database' is defined in a/conftest.py but not visible here" in hidden.message


def test_fg003_near_miss_builtins_plugins_and_parametrize(write_tree: Tree) -> None:
    root = write_tree(
        {
            **INI,
            "test_x.py": """
                import pytest
                @pytest.mark.parametrize("n", [1, 2])
                def test_x(n, tmp_path, mocker): pass
            """,
        }
    )
    scan = ScanConfig(scan_plugins=False, plugin_fixtures=(PluginFixture("mocker", Scope.FUNCTION),))
    assert found(analyze(root, scan), "FG003") == []
    assert [f.message for f in found(analyze(root), "FG003")] == [
        "fixture 'mocker' not found, requested by test"
    ]


# -- FG004 heavy chain -----------------------------------------------------------------------

HEAVY = """
    import pytest
    @pytest.fixture
    @memory_profile("cluster", "{outer}")
    def cluster(db): pass
    @pytest.fixture
    @memory_profile("database", "{inner}")
    def db(): pass
"""


def test_fg004_heavy_chain_over_threshold(write_tree: Tree) -> None:
    root = write_tree({**INI, "conftest.py": HEAVY.format(outer="HIGH", inner="VERY_HIGH"), "test_x.py": ""})
    report = analyze(root)
    (finding,) = found(report, "FG004")
    assert (finding.file, finding.line) == ("conftest.py", 2)
    assert finding.message == "heavy chain (24 points >= 24): cluster [HIGH] -> db [VERY_HIGH]"
    assert [r.line for r in finding.related] == [2, 5]
    assert report.analysis.heavy_chains[0].weight == 24


def test_fg004_near_miss_and_custom_weights(write_tree: Tree) -> None:
    root = write_tree({**INI, "conftest.py": HEAVY.format(outer="MEDIUM", inner="HIGH")})
    assert found(analyze(root), "FG004") == []
    weights = (("MINIMAL", 1.0), ("LOW", 10.0), ("MEDIUM", 100.0), ("HIGH", 500.0), ("VERY_HIGH", 2000.0))
    report = analyze(root, weights=weights, weight_unit="MB", heavy_chain_threshold=512)
    assert [f.message for f in found(report, "FG004")] == [
        "heavy chain (600 MB >= 512): cluster [MEDIUM] -> db [HIGH]"
    ]


# -- FG005 excess session fixtures -----------------------------------------------------------


def _sessions(n: int, impact: str | None = None) -> str:
    tag = f"@memory_profile('s', {impact!r})\n" if impact else ""
    return "import pytest\n" + "".join(
        f"@pytest.fixture(scope='session')\n{tag}def s{i}(): pass\n" for i in range(n)
    )


def test_fg005_one_budget_finding_naming_each_fixture_cheapest_first(write_tree: Tree) -> None:
    root = write_tree(
        {
            **INI,
            "conftest.py": _sessions(5, "HIGH"),
            "test_x.py": "def test_a(s0, s2): pass\ndef test_b(s0): pass\n",
        }
    )
    report = analyze(root, workers=3)
    (finding,) = found(report, "FG005")
    # Fewest tests first (s1, s3, s4 reach none; s2 one; s0 two), ids breaking ties.
    assert [(r.file, r.line) for r in finding.related] == [
        ("conftest.py", 5),
        ("conftest.py", 11),
        ("conftest.py", 14),
        ("conftest.py", 8),
        ("conftest.py", 2),
    ]
    assert (finding.file, finding.line, finding.symbol) == ("conftest.py", 5, "conftest.py::s1")
    assert finding.severity is Severity.WARNING
    assert finding.key == "FG005:budget"
    assert finding.message.startswith("5 session-scoped fixtures, 1 over the budget of 4")
    assert "with 3 xdist workers each is set up 3 times" in finding.message
    assert "s1 (0 tests, HIGH), s3 (0 tests, HIGH), s4 (0 tests, HIGH), s2 (1 test, HIGH), s0 (2 tests" in (
        finding.message
    )
    assert finding.related[4].label == "s0: reached by 2 tests, impact HIGH, weight 24 points over 3 workers"
    assert finding.fix is not None
    assert finding.fix.startswith("demote 's1' to module or function scope first (reached by 0 tests")
    assert "until 4 remain" in finding.fix
    assert "then" not in finding.fix.split(";")[0]


def test_fg005_key_is_stable_when_one_more_fixture_joins(write_tree: Tree) -> None:
    five = analyze(write_tree({**INI, "conftest.py": _sessions(5)}))
    seven = analyze(write_tree({**INI, "conftest.py": _sessions(7)}))
    (a,) = found(five, "FG005")
    (b,) = found(seven, "FG005")
    assert a.key == b.key == "FG005:budget"
    assert len(b.related) == 7
    assert b.fix is not None
    assert "then 's1', 's2'," in b.fix
    assert "weight" not in b.message + " ".join(r.label for r in b.related)  # untagged: no 0 points


def test_fg005_near_miss_at_budget_and_accepted_fixtures(write_tree: Tree) -> None:
    root = write_tree({**INI, "conftest.py": _sessions(4)})
    assert found(analyze(root), "FG005") == []
    (finding,) = found(analyze(root, max_session_fixtures=3), "FG005")
    assert len(finding.related) == 4
    # A fixture silenced with ignore[FG005] is accepted as session-scoped: not counted.
    accepted = _sessions(5).replace("def s3(): pass", "def s3(): pass  # fixture-graph: ignore[FG005]")
    root = write_tree({**INI, "conftest.py": accepted})
    assert found(analyze(root), "FG005") == []
    (finding,) = found(analyze(root, max_session_fixtures=3), "FG005")
    assert [r.label.split(":")[0] for r in finding.related] == ["s0", "s1", "s2", "s4"]
    # Dynamic scopes and plugin or builtin session fixtures do not count either.
    dynamic = _sessions(4) + "@pytest.fixture(scope=pick_scope)\ndef dyn(): pass\n"
    assert found(analyze(write_tree({**INI, "conftest.py": dynamic})), "FG005") == []


# -- FG006 unused ----------------------------------------------------------------------------


def test_fg006_unused_and_every_way_of_being_used(write_tree: Tree) -> None:
    root = write_tree(
        {
            **INI,
            "conftest.py": """
                import pytest
                @pytest.fixture
                def lonely(): pass
                @pytest.fixture(autouse=True)
                def auto(): pass
                @pytest.fixture
                def marked(): pass
                @pytest.fixture
                def dynamic(deep): pass
                @pytest.fixture
                def deep(): pass
                @pytest.fixture
                def direct(): pass
            """,
            "plugins/helpers.py": "",
            "test_x.py": """
                import pytest
                @pytest.mark.usefixtures("marked")
                def test_x(request, direct):
                    request.getfixturevalue("dynamic")
            """,
        }
    )
    report = analyze(root)
    assert where(report, "FG006") == [("conftest.py", 2, Severity.INFO)]
    assert analyze(root, unused_exclude=("conftest.py",)).analysis.findings == tuple(
        f for f in analyze(root).analysis.findings if f.code != "FG006"
    )


def test_fg006_overridden_everywhere_says_so(write_tree: Tree) -> None:
    root = write_tree(
        {
            **INI,
            "conftest.py": "import pytest\n@pytest.fixture\ndef db(): pass\n",
            "test_x.py": "import pytest\n@pytest.fixture\ndef db(): pass\ndef test_x(db): pass\n",
        }
    )
    (finding,) = found(analyze(root), "FG006")
    assert (finding.file, finding.line) == ("conftest.py", 2)
    assert finding.message.endswith("overridden by test_x.py::db")


# -- FG007 shadowed --------------------------------------------------------------------------


def test_fg007_extends_and_replaces(write_tree: Tree) -> None:
    root = write_tree(
        {
            **INI,
            "conftest.py": "import pytest\n@pytest.fixture\ndef db(): pass\n",
            "sub/conftest.py": (
                "import pytest\n@pytest.fixture\ndef db(db): pass\n@pytest.fixture\ndef tmp_path(): pass\n"
            ),
            "sub/test_x.py": "def test_x(db, tmp_path): pass\n",
        }
    )
    report = analyze(root)
    messages = {f.line: f.message for f in found(report, "FG007")}
    assert where(report, "FG007") == [
        ("sub/conftest.py", 2, Severity.INFO),
        ("sub/conftest.py", 4, Severity.INFO),
    ]
    assert (
        messages[2] == "'db' overrides the fixture conftest.py::db at conftest.py:2 "
        "and extends it (requests its own name)"
    )
    assert messages[4].startswith(
        "'tmp_path' overrides the builtin fixture builtin::tmp_path at _pytest/tmpdir.py:"
    )
    assert messages[4].endswith(" and replaces it")


def test_fg007_near_miss_same_name_in_sibling_dirs(write_tree: Tree) -> None:
    root = write_tree(
        {
            **INI,
            "a/conftest.py": "import pytest\n@pytest.fixture\ndef db(): pass\n",
            "b/conftest.py": "import pytest\n@pytest.fixture\ndef db(): pass\n",
        }
    )
    assert found(analyze(root), "FG007") == []


# -- FG008 costly autouse --------------------------------------------------------------------

AUTOUSE = """
    import pytest
    @pytest.fixture(autouse=True, scope="{scope}")
    @memory_profile("heavy reset", "HIGH")
    def reset(): pass
"""
TESTS = "".join(f"def test_{i}(): pass\n" for i in range(10))


def test_fg008_function_scoped_autouse_over_many_tests(write_tree: Tree) -> None:
    root = write_tree({**INI, "conftest.py": AUTOUSE.format(scope="function"), "test_x.py": TESTS})
    (finding,) = found(analyze(root), "FG008")
    assert (finding.file, finding.line) == ("conftest.py", 2)
    assert "costs 80 (weight 8 x 10 function-scope setups over 10 tests) >= 64" in finding.message


def test_fg008_near_miss_module_scope_sets_up_once_per_module(write_tree: Tree) -> None:
    root = write_tree({**INI, "conftest.py": AUTOUSE.format(scope="module"), "test_x.py": TESTS})
    assert found(analyze(root), "FG008") == []


# -- FG009 collection-time import ------------------------------------------------------------


def test_fg009_heavy_import_in_conftest_and_where_to_move_it(write_tree: Tree) -> None:
    root = write_tree(
        {
            **INI,
            "conftest.py": """
                import json
                import pytest
                import pandas as pd
                from torch import nn
                from .heavy_fixtures import *
                LAYER = nn.Linear
                @pytest.fixture
                def frame():
                    return pd.DataFrame()
            """,
            "__init__.py": "",
            "heavy_fixtures.py": """
                import pytest
                @pytest.fixture
                @memory_profile("browser", "VERY_HIGH")
                def browser(): pass
            """,
            "test_x.py": "def test_x(frame, browser): pass\n",
        }
    )
    report = analyze(root)
    assert where(report, "FG009") == [
        ("conftest.py", 3, Severity.WARNING),
        ("conftest.py", 4, Severity.WARNING),
        ("conftest.py", 5, Severity.WARNING),
    ]
    pandas, torch, local = found(report, "FG009")
    assert pandas.fix == "move it inside frame, the only code that uses it"
    assert torch.fix is not None
    assert "used while the module is imported" in torch.fix
    assert "heavy_fixtures.py" in local.message
    assert "browser" in local.message


def test_fg009_follows_a_test_module_that_a_conftest_star_imports(write_tree: Tree) -> None:
    # Test modules are extracted without their imports' uses (a conftest rarely loads one);
    # when one does, the scan extracts it again, so the advice is as exact as for a conftest.
    root = write_tree(
        {
            **INI,
            "conftest.py": "from test_shared import *\n",
            "test_shared.py": """
                import pytest
                import pandas as pd
                import torch
                MODEL = torch.nn
                @pytest.fixture
                def frame():
                    return pd.DataFrame()
                def test_frame(frame): pass
            """,
        }
    )
    pandas, torch = found(analyze(root), "FG009")
    assert (pandas.file, pandas.line, torch.line) == ("test_shared.py", 2, 3)
    assert "loaded by conftest.py" in pandas.message
    assert pandas.fix == "move it inside frame, the only code that uses it"
    assert torch.fix is not None
    assert "used while the module is imported" in torch.fix


def test_fg009_near_miss_lazy_import_and_light_modules(write_tree: Tree) -> None:
    root = write_tree(
        {
            **INI,
            "conftest.py": """
                import json
                import pytest
                @pytest.fixture
                def frame():
                    import pandas
                    return pandas.DataFrame()
            """,
            "test_x.py": "import numpy\ndef test_x(frame): pass\n",
        }
    )
    assert found(analyze(root), "FG009") == []
    extended = analyze(root, heavy_modules=("json",))
    assert where(extended, "FG009") == [("conftest.py", 1, Severity.WARNING)]


def test_fg009_guarded_import_is_never_told_to_add_a_guard(write_tree: Tree) -> None:
    root = write_tree(
        {
            **INI,
            "conftest.py": """
                import os
                import pytest
                if os.environ.get("USE_ML"):
                    import torch
                try:
                    import json
                except ImportError:
                    json = None
                if wants_heavy_fixtures():
                    from heavy_fixtures import *
                @pytest.fixture
                def model():
                    return torch.nn
                @pytest.fixture
                def frame():
                    return json.loads("{}")
            """,
            "heavy_fixtures.py": """
                import pytest
                @pytest.fixture
                @memory_profile("browser", "VERY_HIGH")
                def browser(): pass
            """,
            "test_x.py": "def test_x(model, frame, browser): pass\n",
        }
    )
    scan = ScanConfig(scan_plugins=False, env=(("USE_ML", "1"),))
    torch, stdlib, local = found(analyze(root, scan, heavy_modules=("torch", "json")), "FG009")
    assert (torch.line, stdlib.line, local.line) == (4, 6, 10)
    for finding in (torch, stdlib, local):
        assert finding.fix is not None
        assert "guard" not in finding.fix.replace("already guarded", "")
        assert "already guarded" in finding.fix
    # Decided true by --env: still guarded, still runs whenever the condition holds.
    assert torch.message.startswith("collection-time import of heavy module 'torch' (guarded by os.environ")
    assert torch.fix == (
        'it is already guarded, but still runs at collection whenever os.environ.get("USE_ML") is true; '
        "move it inside model, the only code that uses it"
    )
    assert "whenever the import succeeds (the module is installed)" in (stdlib.fix or "")
    assert (stdlib.fix or "").endswith("move it inside frame, the only code that uses it")
    # Left undecided (a call the scan cannot decide): said so, and where it could load instead.
    assert "already guarded (undecided here)" in (local.fix or "")
    assert "a conftest.py in the directory of the tests that use it" in (local.fix or "")


def test_fg009_near_miss_unguarded_still_offers_a_guard_and_type_checking_never_runs(
    write_tree: Tree,
) -> None:
    root = write_tree(
        {
            **INI,
            "conftest.py": """
                from typing import TYPE_CHECKING
                import pytest
                from heavy_fixtures import *
                if TYPE_CHECKING:
                    import torch
            """,
            "heavy_fixtures.py": """
                import pytest
                @pytest.fixture
                @memory_profile("browser", "VERY_HIGH")
                def browser(): pass
            """,
            "test_x.py": "def test_x(browser): pass\n",
        }
    )
    (local,) = found(analyze(root), "FG009")
    assert local.line == 3
    assert "(guarded by" not in local.message
    assert local.fix is not None
    assert "already guarded" not in local.fix
    assert "or behind an env guard" in local.fix


# -- FG010 dynamic dependency ----------------------------------------------------------------


def test_fg010_computed_getfixturevalue_and_undecided_guard(write_tree: Tree) -> None:
    root = write_tree(
        {
            **INI,
            "conftest.py": """
                import os
                import pytest
                if os.environ.get("USE_REAL") == "true":
                    @pytest.fixture
                    def real_db(): pass
            """,
            "test_x.py": """
                def test_x(request):
                    name = "real_" + "db"
                    request.getfixturevalue(name)
            """,
        }
    )
    report = analyze(root)
    assert where(report, "FG010") == [("conftest.py", 4, Severity.INFO), ("test_x.py", 3, Severity.INFO)]
    decided = analyze(root, ScanConfig(scan_plugins=False, env=(("USE_REAL", "true"),)))
    assert where(decided, "FG010") == [("test_x.py", 3, Severity.INFO)]


# -- FG012 forbidden dependency --------------------------------------------------------------


def test_fg012_contract_reports_the_shortest_chain(write_tree: Tree) -> None:
    root = write_tree(
        {
            **INI,
            "conftest.py": """
                import pytest
                @pytest.fixture
                def real_db(): pass
                @pytest.fixture
                def repo(real_db): pass
                @pytest.fixture
                @memory_profile("b", "VERY_HIGH")
                def browser(): pass
            """,
            "unit/test_u.py": "def test_u(repo): pass\n\n\ndef test_ok(): pass\n",
            "integration/test_i.py": "def test_i(repo, browser): pass\n",
        }
    )
    contract = Contract(
        "unit stays light", tests=("unit/*",), forbid=("real_*",), forbid_impact=("VERY_HIGH",)
    )
    report = analyze(root, contracts=(contract,))
    (finding,) = found(report, "FG012")
    assert (finding.file, finding.line, finding.severity) == ("unit/test_u.py", 1, Severity.ERROR)
    assert finding.message == (
        "contract 'unit stays light' broken: unit/test_u.py::test_u reaches 'real_db' "
        "via unit/test_u.py::test_u -> repo -> real_db"
    )


def test_fg012_error_only_through_links_no_undecided_guard_holds(write_tree: Tree) -> None:
    conftest = """
        import os
        import pytest
        @pytest.fixture
        def real_db(): pass
        if os.environ.get("REAL"):
            @pytest.fixture
            def repo(real_db): pass
        @pytest.fixture
        def repo_again(real_db): pass
    """
    tests = "def test_guarded(repo): pass\n\n\ndef test_plain(repo_again, repo): pass\n"
    root = write_tree({**INI, "conftest.py": conftest, "unit/test_u.py": tests})
    contract = Contract("unit stays light", tests=("unit/*",), forbid=("real_*",))
    guarded, plain = found(analyze(root, contracts=(contract,)), "FG012")
    assert guarded.severity is Severity.WARNING
    assert guarded.message.endswith(
        "via unit/test_u.py::test_guarded -> repo -> real_db; only through repo, "
        "behind an undecided condition"
    )
    # Near miss: another route that no guard holds makes it certain, and names that route.
    assert plain.severity is Severity.ERROR
    assert plain.message.endswith("via unit/test_u.py::test_plain -> repo_again -> real_db")
    decided = analyze(root, ScanConfig(scan_plugins=False, env=(("REAL", "1"),)), contracts=(contract,))
    assert [f.severity for f in found(decided, "FG012")] == [Severity.ERROR, Severity.ERROR]


def test_fg012_near_miss_without_contract(write_tree: Tree) -> None:
    root = write_tree(
        {
            **INI,
            "conftest.py": "import pytest\n@pytest.fixture\ndef real_db(): pass\n",
            "unit/test_u.py": "def test_u(real_db): pass\n",
        }
    )
    assert found(analyze(root), "FG012") == []
    contract = Contract("integration only", tests=("integration/*",), forbid=("real_*",))
    assert found(analyze(root, contracts=(contract,)), "FG012") == []


# -- suppressions, per-test cost --------------------------------------------------------------


def test_inline_suppression_on_def_or_decorator_line(write_tree: Tree) -> None:
    root = write_tree(
        {
            **INI,
            "conftest.py": """
                import pytest
                @pytest.fixture  # fixture-graph: ignore[FG006]
                def a(): pass
                @pytest.fixture
                def b():  # fixture-graph: ignore
                    pass
                @pytest.fixture
                def c():  # fixture-graph: ignore[FG007]
                    pass
            """,
        }
    )
    report = analyze(root)
    assert where(report, "FG006") == [("conftest.py", 7, Severity.INFO)]
    assert report.analysis.suppressed == 2


def test_per_test_cost_counts_each_definition_once(write_tree: Tree) -> None:
    root = write_tree(
        {
            **INI,
            "conftest.py": HEAVY.format(outer="HIGH", inner="LOW"),
            "test_x.py": (
                "def test_heavy(cluster, db): pass\ndef test_light(db): pass\ndef test_none(): pass\n"
            ),
        }
    )
    costs = [(c.nodeid, c.weight, c.fixtures) for c in analyze(root).analysis.test_costs]
    assert costs == [
        ("test_x.py::test_heavy", 10.0, 2),
        ("test_x.py::test_light", 2.0, 1),
        ("test_x.py::test_none", 0.0, 0),
    ]


@pytest.mark.parametrize(
    ("select", "ignore", "codes"),
    [((), ("FG006",), {"FG007"}), (("FG006",), (), {"FG006"}), (("FG00",), ("FG007",), {"FG006"})],
)
def test_select_and_ignore(
    write_tree: Tree, select: tuple[str, ...], ignore: tuple[str, ...], codes: set[str]
) -> None:
    from fixture_graph.config import GateConfig

    root = write_tree(
        {
            **INI,
            "conftest.py": "import pytest\n@pytest.fixture\ndef db(): pass\n",
            "sub/conftest.py": "import pytest\n@pytest.fixture\ndef db(): pass\n",
        }
    )
    scan = scan_paths([], ScanConfig(scan_plugins=False), invocation_dir=root)
    report = build_report(scan, AnalyzeConfig(), GateConfig(select=select, ignore=ignore))
    assert {f.code for f in report.analysis.findings} == codes
