"""The acceptance test of ``plan-split``: split a generated 1,400-line conftest as planned, and
pytest sets up exactly the same fixtures, in the same order, for every test.

The monolith (``tests/helpers/monolith.py``) is planned with ``--format json``; the test writes
each proposed module and the orchestrating conftest from the plan alone, then runs real pytest
``--setup-plan`` on the original and on the split suite, with the env guards off and on, and
compares the plans test by test.
"""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path
from typing import Any

from click.testing import CliRunner
from helpers.monolith import SPECS, write_monolith
from helpers.setup_plan import ALL_ON, setup_plans, write_split

from fixture_graph.cli import main


def _plan(root: Path) -> dict[str, Any]:
    (root / "pyproject.toml").write_text('[tool.fixture_graph]\nextend-heavy-modules = ["sqlite3"]\n')
    cwd = os.getcwd()
    os.chdir(root)
    try:
        result = CliRunner().invoke(
            main, ["plan-split", "tests/conftest.py", "--no-plugins", "--no-cache", "--format", "json"]
        )
    finally:
        os.chdir(cwd)
    assert result.exit_code == 0, result.output
    plan: dict[str, Any] = json.loads(result.output)
    return plan


def test_the_split_suite_sets_up_what_the_monolith_did(tmp_path: Path) -> None:
    original = tmp_path / "original"
    conftest = write_monolith(original)
    assert 1300 <= len(conftest.read_text().splitlines()) <= 1500
    plan = _plan(original)

    planned = [f["name"] for m in plan["modules"] for f in m["fixtures"]]
    assert sorted(planned) == sorted(s.name for s in SPECS)  # every fixture, once
    by_name = {m["name"]: m for m in plan["modules"]}
    assert by_name["conftest_real_services"]["guards"] == [
        'os.environ.get("USE_REAL_SERVICES", "").lower() == "true"'
    ]
    assert by_name["conftest_e2e"]["guards"] == ['os.getenv("RUN_E2E_TESTS") == "true"']
    assert by_name["conftest_e2e"]["folder"] == "tests/e2e"
    assert plan["saved_heavy"] == ["sqlite3"]  # only the database helpers, now behind the guard
    assert "sqlite3" not in plan["orchestrator"]

    split = tmp_path / "split"
    shutil.copytree(original, split, ignore=shutil.ignore_patterns("__pycache__"))
    write_split(split, plan)
    assert len((split / "tests" / "conftest.py").read_text().splitlines()) < 40

    for env in ({}, ALL_ON):
        before = setup_plans(original, env)
        after = setup_plans(split, env)
        assert len(before) >= 29  # parametrized fixtures make more items with the guards on
        for nodeid, lines in before.items():
            assert after.get(nodeid) == lines, nodeid
        assert after.keys() == before.keys()
    # With the guards on, the guarded services really are set up (the comparison is not vacuous).
    assert any(line.startswith("SETUP    S db_engine") for lines in before.values() for line in lines)
    assert any(line.startswith("SETUP    S browser") for lines in before.values() for line in lines)
