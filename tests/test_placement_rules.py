"""FG017 (move a fixture to the conftest of the only folder using it) and FG018 (import a heavy
module inside the few fixtures using it): trees that trigger them and near misses that must not."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from fixture_graph.analyze.findings import Finding, Severity
from fixture_graph.config import AnalyzeConfig, ScanConfig
from fixture_graph.report import build_report
from fixture_graph.scan.session import scan_paths

Tree = Callable[[dict[str, str]], Path]
INI = {"pytest.ini": "[pytest]\n"}


def findings(root: Path, code: str) -> list[Finding]:
    scan = scan_paths([], ScanConfig(scan_plugins=False), invocation_dir=root)
    report = build_report(scan, AnalyzeConfig())
    return [f for f in report.analysis.findings if f.code == code]


# -- FG017 move-fixture ---------------------------------------------------------------------

CONFTEST = """
    import pytest

    @pytest.fixture
    def engine():
        return 1

    @pytest.fixture
    def session(engine):
        return engine

    @pytest.fixture
    def everywhere():
        return 2
"""


def test_fg017_a_chain_only_one_folder_uses_moves_there_together(write_tree: Tree) -> None:
    root = write_tree(
        {
            **INI,
            "tests/conftest.py": CONFTEST,
            "tests/integration/db/test_a.py": "def test_a(session, everywhere): pass\n",
            "tests/integration/db/test_b.py": "def test_b(engine): pass\n",
            "tests/integration/test_c.py": "def test_c(session): pass\n",
            "tests/unit/test_u.py": "def test_u(everywhere): pass\n",
        }
    )
    [finding] = findings(root, "FG017")
    assert (finding.file, finding.line, finding.severity) == ("tests/conftest.py", 3, Severity.INFO)
    assert finding.message == (
        "fixtures engine, session of tests/conftest.py are reached only by 3 tests under "
        "tests/integration/: move them to tests/integration/conftest.py"
    )
    assert [(r.file, r.line, r.label) for r in finding.related] == [("tests/conftest.py", 7, "session")]
    assert finding.fix == (
        "move engine, session to tests/integration/conftest.py: tests elsewhere stop seeing them, "
        "and pytest loads them only for the tests there"
    )
    assert finding.key == "FG017:tests/conftest.py:tests/integration"


def test_fg017_a_requester_that_stays_keeps_its_dependency(write_tree: Tree) -> None:
    root = write_tree(
        {
            **INI,
            "tests/conftest.py": CONFTEST,
            "tests/integration/test_a.py": "def test_a(engine, everywhere): pass\n",
            "tests/unit/test_u.py": "def test_u(session, everywhere): pass\n",
        }
    )
    # session is used under unit/ only, so it moves there; engine is needed by both folders.
    assert [f.message for f in findings(root, "FG017")] == [
        "fixture 'session' of tests/conftest.py is reached only by 1 test under tests/unit/: "
        "move it to tests/unit/conftest.py"
    ]


def test_fg017_near_misses(write_tree: Tree) -> None:
    root = write_tree(
        {
            **INI,
            "tests/conftest.py": """
                import pytest

                @pytest.fixture(autouse=True)
                def clean(): pass

                @pytest.fixture
                def spread(): pass

                @pytest.fixture
                def unused(): pass

                @pytest.fixture
                def overridden(): pass
            """,
            "tests/integration/conftest.py": """
                import pytest

                @pytest.fixture
                def overridden(overridden): pass
            """,
            "tests/integration/test_a.py": "def test_a(spread, overridden): pass\n",
            "tests/integration/test_b.py": "def test_b(): pass\n",
            "tests/test_top.py": "def test_top(spread): pass\n",
        }
    )
    # autouse (its place is its meaning), used in two places, unused (FG006), and a move onto
    # a definition of the same name that extends it.
    assert findings(root, "FG017") == []


def test_fg017_names_the_import_when_a_whole_star_imported_module_can_move(write_tree: Tree) -> None:
    root = write_tree(
        {
            **INI,
            "tests/__init__.py": "",
            "tests/conftest.py": "from .browser_fixtures import *\n",
            "tests/browser_fixtures.py": "import pytest\n\n@pytest.fixture\ndef page(): pass\n",
            "tests/e2e/__init__.py": "",
            "tests/e2e/test_ui.py": "def test_ui(page): pass\n",
            "tests/unit/__init__.py": "",
            "tests/unit/test_u.py": "def test_u(): pass\n",
        }
    )
    [finding] = findings(root, "FG017")
    assert finding.message == (
        "fixture 'page' of tests/browser_fixtures.py (registered by tests/conftest.py) is reached "
        "only by 1 test under tests/e2e/: move it to tests/e2e/conftest.py"
    )
    assert "(or move the import that registers tests/browser_fixtures.py there)" in (finding.fix or "")


# -- FG018 import-inside-fixtures -----------------------------------------------------------


def test_fg018_heavy_import_only_two_fixtures_read(write_tree: Tree) -> None:
    root = write_tree(
        {
            **INI,
            "conftest.py": """
                import numpy as np
                import pytest

                @pytest.fixture
                def matrix():
                    return np.eye(2)

                @pytest.fixture
                def vector():
                    return np.zeros(2)

                @pytest.fixture
                def plain():
                    return 1
            """,
            "test_a.py": "def test_m(matrix): pass\n\ndef test_v(vector): pass\n\ndef test_p(plain): pass\n",
        }
    )
    [finding] = findings(root, "FG018")
    assert (finding.file, finding.line, finding.severity) == ("conftest.py", 1, Severity.INFO)
    assert finding.message == (
        "'numpy' is imported at collection in conftest.py but only 2 fixtures use it (matrix, vector), "
        "reached by 2 of 3 tests: import it inside these fixtures: matrix, vector"
    )
    assert [(r.line, r.label) for r in finding.related] == [(4, "matrix"), (8, "vector")]
    assert finding.fix == (
        "move the import into the body of matrix, vector; then only a run that sets them up "
        "(for 2 tests) imports 'numpy'"
    )


def test_fg018_near_misses(write_tree: Tree) -> None:
    many = "".join(f"@pytest.fixture\ndef f{i}():\n    return pandas.DataFrame()\n\n" for i in range(4))
    root = write_tree(
        {
            **INI,
            "conftest.py": "import numpy\nimport pandas\nimport json\nimport torch\nimport pytest\n\n"
            + many
            + "def helper():\n    return numpy.ones(1)\n\n"
            + "@pytest.fixture\ndef uses_helper():\n    return helper()\n\n"
            + "@pytest.fixture\ndef config():\n    return json.dumps({})\n\n"
            + "DEVICE = torch.device('cpu')\n",
            "test_a.py": "def test_a(f0, f1, f2, f3, uses_helper, config): pass\n",
        }
    )
    # pandas: four fixtures; numpy: a helper function reads it; json: not heavy; torch: read
    # while the module is imported.
    assert findings(root, "FG018") == []


def test_fg017_not_when_the_move_hides_the_fixture_from_no_test(write_tree: Tree) -> None:
    # A rootdir conftest whose tests all live under tests/: moving there changes nothing.
    root = write_tree(
        {
            **INI,
            "conftest.py": "import pytest\n\n@pytest.fixture\ndef engine(): pass\n",
            "tests/test_a.py": "def test_a(engine): pass\n",
            "tests/sub/test_b.py": "def test_b(): pass\n",
        }
    )
    assert findings(root, "FG017") == []
