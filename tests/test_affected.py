"""``affected``: each reason a test can be affected, on small git repositories in tmp_path.

The base commit is :data:`BASE`; each test edits the work tree and compares it with HEAD.
"""

from __future__ import annotations

import json
import os
import textwrap
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner
from helpers.revisions import commit_tree, git, write

from fixture_graph.cli import ExitCode, main

BASE: dict[str, str | None] = {
    "pytest.ini": "[pytest]\ntestpaths = tests\npythonpath = tests\n",
    "tests/conftest.py": """
        import pytest


        @pytest.fixture
        def client():
            return "root"


        @pytest.fixture
        def db():
            return "db"


        @pytest.fixture
        def token():
            return "root"
    """,
    "tests/api/conftest.py": """
        import pytest


        @pytest.fixture
        def token():
            return "api"
    """,
    "tests/api/test_api.py": """
        from helpers.data import ROWS


        def test_get(client):
            assert ROWS


        def test_token(token):
            pass
    """,
    "tests/helpers/__init__.py": "",
    "tests/helpers/data.py": "from helpers.rows import ROWS\n",
    "tests/helpers/rows.py": "ROWS = [1]\n",
    "tests/test_plain.py": "def test_plain():\n    pass\n",
}

API_CONFTEST = 'import pytest\n\n\n@pytest.fixture\ndef token():\n    return "api"\n'


@pytest.fixture
def repo(tmp_path: Path) -> Iterator[Path]:
    root = tmp_path / "repo"
    commit_tree(root, BASE)
    cwd = os.getcwd()
    os.chdir(root)
    try:
        yield root
    finally:
        os.chdir(cwd)


def affected(*args: str) -> dict[str, list[str]]:
    """Node id -> reasons, from ``affected HEAD --format json``."""
    result = CliRunner().invoke(main, ["affected", "HEAD", "--format", "json", *args, "--no-plugins"])
    assert result.exit_code == ExitCode.OK, result.output
    return {t["nodeid"]: t["reasons"] for t in json.loads(result.output)["tests"]}


def test_nothing_changed_affects_nothing(repo: Path) -> None:
    assert affected() == {}


def test_ini_usefixtures_reaches_every_test(repo: Path) -> None:
    write(repo, {"pytest.ini": "[pytest]\ntestpaths = tests\npythonpath = tests\nusefixtures = db\n"})
    gained = ["closure gained `db` (usefixtures in pytest.ini; tests/conftest.py:9)"]
    assert affected() == {
        "tests/api/test_api.py::test_get": gained,
        "tests/api/test_api.py::test_token": gained,
        "tests/test_plain.py::test_plain": gained,
    }


def test_new_autouse_fixture_and_what_it_requests(repo: Path) -> None:
    autouse = "\n\n@pytest.fixture(autouse=True)\ndef audit(db):\n    yield\n"
    write(repo, {"tests/api/conftest.py": API_CONFTEST + autouse})
    reasons = [
        "closure gained `audit` (autouse in tests/api/conftest.py:9)",
        "closure gained `db` (requested by `audit`; tests/conftest.py:9)",
        "tests/api/conftest.py changed",
    ]
    assert affected() == {
        "tests/api/test_api.py::test_get": reasons,
        "tests/api/test_api.py::test_token": reasons,
    }


def test_override_added_in_a_nearer_conftest(repo: Path) -> None:
    override = '\n\n@pytest.fixture\ndef client():\n    return "api"\n'
    write(repo, {"tests/api/conftest.py": API_CONFTEST + override})
    changed = "tests/api/conftest.py changed"
    assert affected() == {
        "tests/api/test_api.py::test_get": [
            "`client` now resolves to tests/api/conftest.py:9 (was tests/conftest.py:4)",
            changed,
        ],
        "tests/api/test_api.py::test_token": [changed],
    }


def test_override_chain_added_in_the_test_module(repo: Path) -> None:
    module = BASE["tests/api/test_api.py"]
    assert module is not None
    chained = "import pytest\n\n\n@pytest.fixture\ndef client(client):\n    return client\n\n\n"
    write(repo, {"tests/api/test_api.py": chained + module.replace("        ", "")})
    changed = "tests/api/test_api.py changed"
    assert affected() == {
        "tests/api/test_api.py::test_get": [
            "`client` now resolves to tests/api/test_api.py:4 (was tests/conftest.py:4)",
            changed,
        ],
        "tests/api/test_api.py::test_token": [changed],
    }


def test_removed_definition_lets_a_farther_one_win(repo: Path) -> None:
    write(repo, {"tests/api/conftest.py": "import pytest\n"})
    changed = "tests/api/conftest.py changed"
    assert affected() == {
        "tests/api/test_api.py::test_get": [changed],
        "tests/api/test_api.py::test_token": [
            "`token` now resolves to tests/conftest.py:14 (was tests/api/conftest.py:4)",
            changed,
        ],
    }


def test_imported_helper_module_changed(repo: Path) -> None:
    write(repo, {"tests/helpers/rows.py": "ROWS = [1, 2]\n"})
    reasons = ["imports tests/helpers/rows.py (changed)"]  # through helpers/data.py
    assert affected() == {
        "tests/api/test_api.py::test_get": reasons,
        "tests/api/test_api.py::test_token": reasons,
    }


def test_parametrize_from_a_conftest_hook_shadows_the_fixture(repo: Path) -> None:
    hook = (
        "\n\ndef pytest_generate_tests(metafunc):\n"
        '    if "token" in metafunc.fixturenames:\n'
        '        metafunc.parametrize("token", ["a", "b"])\n'
    )
    write(repo, {"tests/api/conftest.py": API_CONFTEST + hook})
    changed = "tests/api/conftest.py changed"
    assert affected() == {
        "tests/api/test_api.py::test_get": [changed],
        "tests/api/test_api.py::test_token": [
            "`token` is now a direct parameter (was tests/api/conftest.py:4)",
            changed,
        ],
    }


def test_parametrize_mark_and_fixture_params(repo: Path) -> None:
    conftest = BASE["tests/conftest.py"]
    assert conftest is not None
    write(
        repo,
        {
            "tests/conftest.py": conftest.replace(
                "@pytest.fixture\n        def db", "@pytest.fixture(params=[1, 2])\n        def db"
            ),
            "tests/test_plain.py": (
                "import pytest\n\n\n"
                '@pytest.mark.parametrize("n", [1, 2, 3])\n'
                "def test_plain(n, db):\n    pass\n"
            ),
        },
    )
    assert affected() == {
        "tests/api/test_api.py::test_get": ["tests/conftest.py changed"],
        "tests/api/test_api.py::test_token": ["tests/conftest.py changed"],
        "tests/test_plain.py::test_plain": [
            "closure gained `db` (requested by the test; tests/conftest.py:9)",
            "closure gained `n` (a direct parameter)",
            "fixture `db` changed at tests/conftest.py:9 (body, params)",
            "parametrized: 3 cases (was 1)",
            "tests/conftest.py changed",
            "tests/test_plain.py changed",
        ],
    }


def test_new_test_and_lines_format(repo: Path) -> None:
    write(repo, {"tests/test_plain.py": "def test_plain():\n    pass\n\n\ndef test_more():\n    pass\n"})
    assert affected() == {
        "tests/test_plain.py::test_more": ["new test", "tests/test_plain.py changed"],
        "tests/test_plain.py::test_plain": ["tests/test_plain.py changed"],
    }
    result = CliRunner().invoke(main, ["affected", "HEAD", "--no-plugins"])
    assert result.output == "tests/test_plain.py::test_more\ntests/test_plain.py::test_plain\n"
    result = CliRunner().invoke(main, ["affected", "HEAD", "--format", "text", "--no-plugins"])
    assert result.output == (
        "tests/test_plain.py::test_more\n"
        "    new test\n"
        "    tests/test_plain.py changed\n"
        "tests/test_plain.py::test_plain\n"
        "    tests/test_plain.py changed\n"
    )


SAMPLE = Path(__file__).parent / "data" / "sample_suite"
GOLDEN = Path(__file__).parent / "data" / "golden" / "affected-sample.txt"
# The head revision: the integration conftest's `mock_db` override is gone and an autouse
# fixture takes its place; the unit conftest overrides `mock_payment_gateway`.
INTEGRATION_HEAD = '''
    """Integration conftest: every integration test is audited."""
    import pytest


    @pytest.fixture(autouse=True)
    def audit_log(settings):
        yield settings
'''
UNIT_OVERRIDE = """


@pytest.fixture
def mock_payment_gateway(mock_payment_gateway):
    mock_payment_gateway.charges.clear()
    return mock_payment_gateway
"""


README = Path(__file__).parent.parent / "README.md"


def _console(readme: str, command: str) -> list[str]:
    """The lines the README shows after ``command`` in its console block."""
    start = readme.index(command + "\n") + len(command) + 1
    return readme[start : readme.index("```", start)].splitlines()


def _by_test(lines: list[str]) -> dict[str, tuple[str, ...]]:
    """Node id -> reasons, from ``affected --format text`` lines."""
    out: dict[str, list[str]] = {}
    for line in lines:
        if line.startswith("    "):
            out[list(out)[-1]].append(line.strip())
        else:
            out[line] = []
    return {k: tuple(v) for k, v in out.items()}


def test_golden_affected_and_diff_on_the_sample_suite(tmp_path: Path) -> None:
    import shutil

    root = tmp_path / "suite"
    shutil.copytree(SAMPLE, root, ignore=shutil.ignore_patterns("__pycache__", ".fixture_graph_cache"))
    commit_tree(root, {})
    write(root, {"tests/integration/conftest.py": INTEGRATION_HEAD})
    unit = root / "tests" / "unit" / "conftest.py"
    unit.write_text(unit.read_text(encoding="utf-8") + UNIT_OVERRIDE, encoding="utf-8")
    cwd = os.getcwd()
    os.chdir(root)
    try:
        text = CliRunner().invoke(main, ["affected", "HEAD", "--format", "text", "--no-plugins"])
        diff = CliRunner().invoke(main, ["diff", "HEAD", "--format", "json", "--no-plugins"])
    finally:
        os.chdir(cwd)
    assert text.exit_code == ExitCode.OK, text.output
    if os.environ.get("FG_UPDATE_GOLDEN") == "1":
        GOLDEN.write_text(text.output, encoding="utf-8")
    assert text.output == GOLDEN.read_text(encoding="utf-8"), "FG_UPDATE_GOLDEN=1 rewrites the golden file"
    readme = README.read_text(encoding="utf-8")
    example = _console(readme, "$ fixture-graph affected HEAD --format text")
    assert example
    assert _by_test(example).items() <= _by_test(text.output.splitlines()).items()
    changes = [(c["change"], len(c["tests"])) for c in json.loads(diff.output)["closure_changes"]]
    listed = [f"~ {change}: {count} test{'s' if count > 1 else ''}" for change, count in changes]
    shown = [line for line in _console(readme, "$ fixture-graph diff HEAD") if line.startswith("~ ")]
    assert shown
    assert set(shown) <= set(listed)
    assert changes == [
        ("closure gained `audit_log` (autouse in tests/integration/conftest.py:5)", 13),
        ("closure gained `config` (requested by `settings`; tests/conftest_base.py:22)", 1),
        ("closure gained `settings` (requested by `audit_log`; tests/conftest_base.py:36)", 1),
        ("`mock_db` now resolves to tests/conftest_mocks.py:80 (was tests/integration/conftest.py:11)", 4),
        (
            "`mock_payment_gateway` now resolves to tests/unit/conftest.py:27"
            " (was tests/conftest_mocks.py:100)",
            5,
        ),
    ]


def test_diff_lists_closure_changes_in_full_and_the_comment_compactly(repo: Path) -> None:
    conftest = BASE["tests/conftest.py"]
    assert conftest is not None
    autouse = "\n\n@pytest.fixture(autouse=True)\ndef audit(db):\n    yield\n"
    write(repo, {"tests/conftest.py": textwrap.dedent(conftest) + autouse})
    text = CliRunner().invoke(main, ["diff", "HEAD", "--no-plugins"]).output
    section = text[text.index("tests whose closure changed") : text.index("fixed findings")]
    assert section == (
        "tests whose closure changed: 3\n"
        "~ closure gained `audit` (autouse in tests/conftest.py:19): 3 tests\n"
        "    tests/api/test_api.py::test_get\n"
        "    tests/api/test_api.py::test_token\n"
        "    tests/test_plain.py::test_plain\n"
        "~ closure gained `db` (requested by `audit`; tests/conftest.py:9): 3 tests\n"
        "    tests/api/test_api.py::test_get\n"
        "    tests/api/test_api.py::test_token\n"
        "    tests/test_plain.py::test_plain\n"
    )
    markdown = CliRunner().invoke(main, ["diff", "HEAD", "--format", "markdown", "--no-plugins"]).output
    assert "### Tests whose closure changed (3)\n" in markdown
    assert (
        "| closure gained `audit` (autouse in tests/conftest.py:19) | 3 | "
        "`tests/api/test_api.py::test_get`, `tests/api/test_api.py::test_token`, "
        "`tests/test_plain.py::test_plain` |\n"
    ) in markdown


def test_override_added_in_the_test_class(repo: Path) -> None:
    plain = "\n\ndef test_plain():\n    pass\n"
    head = "import pytest\n\n\nclass TestPlain:\n    @pytest.fixture\n    def db(self):\n        return 1\n\n"
    base = "class TestPlain:\n"
    commit_tree(
        repo, {"tests/test_plain.py": base + "    def test_db(self, db):\n        pass\n" + plain}, "a class"
    )
    write(repo, {"tests/test_plain.py": head + "    def test_db(self, db):\n        pass\n" + plain})
    changed = "tests/test_plain.py changed"
    assert affected() == {
        "tests/test_plain.py::TestPlain::test_db": [
            "`db` now resolves to tests/test_plain.py:5 (was tests/conftest.py:9)",
            changed,
        ],
        "tests/test_plain.py::test_plain": [changed],
    }


def test_changed_conftest_keeps_the_changed_module_it_loads_in_its_reasons(repo: Path) -> None:
    write(repo, {"tests/api/conftest.py": "from helpers.rows import ROWS\n\n" + API_CONFTEST})
    git(repo, "commit", "-q", "-am", "api conftest loads rows")
    write(
        repo,
        {
            "tests/api/conftest.py": "from helpers.rows import ROWS\n\n" + API_CONFTEST + "\n# edited\n",
            "tests/helpers/rows.py": "ROWS = [1, 2]\n",
        },
    )
    reasons = affected()["tests/api/test_api.py::test_token"]
    assert "tests/api/conftest.py changed" in reasons
    assert "tests/helpers/rows.py changed (loaded by tests/api/conftest.py)" in reasons
