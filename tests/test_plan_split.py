"""``plan-split`` on small trees (exact text and module sources), its errors, and a golden run
on the sample suite, whose plan is also written out and checked against pytest ``--setup-plan``.

Regenerate the golden after an intended change with::

    FIXTURE_GRAPH_UPDATE_GOLDEN=1 .venv/bin/python -m pytest tests/test_plan_split.py
"""

from __future__ import annotations

import json
import os
import textwrap
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from helpers.setup_plan import ALL_ON, setup_plans, write_split

from fixture_graph.cli import main

Tree = Callable[[dict[str, str]], Path]
GOLDEN = Path(__file__).parent / "data" / "golden" / "plan_split.txt"
UPDATE_ENV = "FIXTURE_GRAPH_UPDATE_GOLDEN"

SMALL = {
    "pytest.ini": "[pytest]\n",
    "tests/__init__.py": "",
    "tests/conftest.py": '''
        """Shared fixtures."""
        import os
        import json

        import pytest

        TIMEOUT = 5


        @pytest.fixture(scope="session")
        def settings():
            return {"timeout": TIMEOUT}


        @pytest.fixture
        def mock_db(settings):
            return {}


        @pytest.fixture
        def mock_cache(mock_db):
            return json.dumps({})


        @pytest.fixture
        def mock_queue(mock_db):
            return []


        def pytest_configure(config):
            config.addinivalue_line("markers", "db: needs the database")


        class Connection:
            def __init__(self, timeout):
                self.timeout = timeout


        if os.environ.get("USE_DB") == "1":

            @pytest.fixture
            def db(settings):
                return Connection(TIMEOUT)
    ''',
    "tests/unit/test_a.py": "def test_a(mock_cache, mock_queue): pass\n",
    "tests/db/test_b.py": "def test_b(db): pass\n",
}


def _run(root: Path, *args: str) -> tuple[int, str, str]:
    cwd = os.getcwd()
    os.chdir(root)
    try:
        result = CliRunner().invoke(main, ["plan-split", *args, "--no-plugins", "--no-cache"])
    finally:
        os.chdir(cwd)
    return result.exit_code, result.stdout, result.stderr


def test_plan_split_text_on_a_small_conftest(write_tree: Tree) -> None:
    root = write_tree(SMALL)
    code, out, _ = _run(root, "tests/conftest.py")
    assert code == 0
    assert out == textwrap.dedent(
        """\
        plan-split tests/conftest.py: 5 fixtures in 43 lines -> 3 modules (no file is changed)

        tests/conftest_base.py (1 fixture, always loaded)
          fixtures: settings
          helpers:  TIMEOUT
          imports:  import pytest

        tests/conftest_mock.py (3 fixtures, always loaded)
          fixtures: mock_db, mock_cache, mock_queue
          imports:  import json; import pytest
          every test using it is under tests/unit/: tests/unit/conftest.py could import it instead

        tests/conftest_db.py (1 fixture, only when os.environ.get("USE_DB") == "1")
          fixtures: db
          helpers:  Connection
          from conftest_base: TIMEOUT
          imports:  import pytest
          every test using it is under tests/db/: tests/db/conftest.py could import it instead

        tests/conftest.py would become:
          | \"\"\"Shared fixtures.\"\"\"
          | import os
          |
          | from .conftest_base import *  # noqa: F401,F403
          | from .conftest_mock import *  # noqa: F401,F403
          |
          | if os.environ.get("USE_DB") == "1":
          |     from .conftest_db import *  # noqa: F401,F403
          |
          |
          | def pytest_configure(config):
          |     config.addinivalue_line("markers", "db: needs the database")
          (kept in it: pytest_configure)

        collection-time saving when the guards are off:
          3 lines that ran at every collection now run only under a guard
        """
    )


def test_plan_split_json_carries_each_module_text(write_tree: Tree) -> None:
    root = write_tree(SMALL)
    code, out, _ = _run(root, "tests/conftest.py", "--format", "json")
    assert code == 0
    plan: dict[str, Any] = json.loads(out)
    assert plan["schema"] == "fixture-graph-split/1"
    assert [m["name"] for m in plan["modules"]] == ["conftest_base", "conftest_mock", "conftest_db"]
    db = plan["modules"][2]
    assert db["guards"] == ['os.environ.get("USE_DB") == "1"']
    assert db["moved_from_collection"] == 3  # class Connection ran at every collection before
    assert db["text"] == textwrap.dedent(
        '''\
        """conftest_db: 1 fixture split out of tests/conftest.py by fixture-graph plan-split."""
        import pytest
        from .conftest_base import TIMEOUT


        class Connection:
            def __init__(self, timeout):
                self.timeout = timeout


        @pytest.fixture
        def db(settings):
            return Connection(TIMEOUT)
        '''
    )
    # The plan changes no file.
    assert sorted(p.name for p in (root / "tests").iterdir() if p.is_file()) == ["__init__.py", "conftest.py"]


def test_plan_split_errors_are_one_line(write_tree: Tree) -> None:
    root = write_tree(
        {
            **SMALL,
            "tests/unit/conftest.py": "import os\n",
            "tests/db/conftest.py": "def broken(:\n",
        }
    )
    assert _run(root, "tests/missing/conftest.py")[0] == 2
    code, _, err = _run(root, "tests/unit/conftest.py")
    assert (code, err) == (
        2,
        "fixture-graph: error: tests/unit/conftest.py: no fixture of its own to split "
        "(is it a conftest.py of this scan?)\n",
    )
    code, _, err = _run(root, "tests/db/conftest.py")
    assert code == 2
    assert err.startswith("fixture-graph: error: tests/db/conftest.py:1: syntax error")


def test_plan_split_golden_on_the_sample_suite(copy_data: Callable[[str], Path]) -> None:
    root = copy_data("sample_suite")
    code, out, _ = _run(root, "tests/conftest.py")
    assert code == 0
    if os.environ.get(UPDATE_ENV):
        GOLDEN.write_text(out, encoding="utf-8")
        pytest.skip(f"regenerated {GOLDEN}")
    assert out == GOLDEN.read_text(encoding="utf-8")


def test_the_sample_suite_replanned_sets_up_the_same_fixtures(copy_data: Callable[[str], Path]) -> None:
    """The seed's own split, re-planned from its five files, still gives pytest the same plan."""
    root = copy_data("sample_suite")
    original = {name: setup_plans(root, env) for name, env in (("off", {}), ("on", ALL_ON))}
    code, out, _ = _run(root, "tests/conftest.py", "--format", "json")
    assert code == 0
    write_split(root, json.loads(out))
    for name, env in (("off", {}), ("on", ALL_ON)):
        assert setup_plans(root, env) == original[name], name


def test_plan_split_shows_the_measured_import_cost(write_tree: Tree) -> None:
    measured = {
        "schema": "fixture-graph-measure/1",
        "fixtures": [],
        "conftests": [
            {
                "path": "tests/conftest.py",
                "import_s": 0.5,
                "peak_alloc_bytes": 12 * 1024 * 1024,
                "rss_delta_bytes": 0,
            }
        ],
    }
    root = write_tree({**SMALL, "measure.json": json.dumps(measured)})
    code, out, _ = _run(root, "tests/conftest.py", "--measurements", "measure.json")
    assert code == 0
    assert "  measured import of tests/conftest.py: 0.500 s, 12.0 MB (the most any split can save)\n" in out
    code, out, _ = _run(root, "tests/conftest.py", "--measurements", "measure.json", "--format", "json")
    assert json.loads(out)["measured"] == [0.5, 12.0]


@pytest.mark.parametrize("package", [True, False])
def test_the_small_plan_written_out_sets_up_the_same_fixtures(write_tree: Tree, package: bool) -> None:
    files = dict(SMALL) if package else {k: v for k, v in SMALL.items() if k != "tests/__init__.py"}
    root = write_tree(files)
    on = {"USE_DB": "1"}
    before = setup_plans(root, on)
    code, out, _ = _run(root, "tests/conftest.py", "--format", "json")
    assert code == 0
    plan = json.loads(out)
    star = "from .conftest_base import *" if package else "from conftest_base import *"
    assert star in plan["orchestrator"]
    assert any("not a package" in note for note in plan["notes"]) is not package
    write_split(root, plan)
    assert setup_plans(root, on) == before
    assert "SETUP    F db (fixtures used: settings)" in before["tests/db/test_b.py::test_b"]


GUARDED_ONLY = {
    "pytest.ini": "[pytest]\n",
    "tests/__init__.py": "",
    "tests/conftest.py": """
        import os

        import pytest


        class Conn:
            pass


        def pytest_report_header(config):
            return f"conn: {Conn.__name__}"


        if os.environ.get("A") == "1":

            @pytest.fixture
            def a_fix():
                return Conn()


        if os.environ.get("B") == "1":

            @pytest.fixture
            def b_fix():
                return Conn()
    """,
    "tests/test_ab.py": """
        import os

        import pytest


        @pytest.mark.skipif(os.environ.get("A") != "1", reason="A")
        def test_a(a_fix):
            pass


        @pytest.mark.skipif(os.environ.get("B") != "1", reason="B")
        def test_b(b_fix):
            pass
    """,
}


def test_helpers_shared_by_guarded_modules_only_get_a_module_of_their_own(write_tree: Tree) -> None:
    root = write_tree(GUARDED_ONLY)
    plans = {name: setup_plans(root, env) for name, env in (("off", {}), ("on", {"A": "1", "B": "1"}))}
    code, out, _ = _run(root, "tests/conftest.py", "--format", "json")
    assert code == 0
    plan = json.loads(out)
    helpers, a, b = plan["modules"]
    assert (helpers["name"], helpers["fixtures"], helpers["helpers"]) == ("conftest_helpers", [], ["Conn"])
    assert (a["name"], a["shared"], b["name"], b["shared"]) == (
        "conftest_a",
        ["Conn"],
        "conftest_b",
        ["Conn"],
    )
    # The hook kept in the conftest imports the class from the always-loaded module, never
    # from a guarded one (which would load it outside its guard).
    assert "from .conftest_helpers import Conn\n" in plan["orchestrator"]
    write_split(root, plan)
    for name, env in (("off", {}), ("on", {"A": "1", "B": "1"})):
        assert setup_plans(root, env) == plans[name], name
