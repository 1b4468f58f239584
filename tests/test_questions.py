"""``why``, ``tree`` and ``uses`` on small trees: exact output, exit codes, pytest accepting the ids.

The golden run on the sample suite is ``tests/data/golden/questions.txt``; regenerate it after an
intended change with ``FIXTURE_GRAPH_UPDATE_GOLDEN=1 .venv/bin/python -m pytest
tests/test_questions.py -k golden`` and review the diff.

The main tree has every way a test can get a fixture: ini ``usefixtures``, autouse in a conftest,
a module and a class, ``usefixtures`` marks on the test, its class and its module, arguments, an
override chain (``def db(db)``), a direct ``parametrize`` and a ``getfixturevalue``.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import click
import pytest
from click.testing import CliRunner
from helpers.render import GOLDEN, UPDATE_ENV, copy_sample, scan_tree, write_files

from fixture_graph.cli import main
from fixture_graph.cli.help import OTHER, help_group
from fixture_graph.cli.query_cmd import tree, uses, why
from fixture_graph.questions.closure import Closures
from fixture_graph.questions.reasons import AUTOUSE, PARAMETRIZE, primary_kind
from fixture_graph.render.html_data import REASONS, report_data
from fixture_graph.render.view import build_index

FILES = {
    "pytest.ini": """
        [pytest]
        usefixtures = ini_fx
        """,
    "conftest.py": """
        import pytest


        @pytest.fixture
        def ini_fx():
            pass


        @pytest.fixture(scope="session")
        def engine():
            pass


        @pytest.fixture
        def db(engine):
            pass


        @pytest.fixture(autouse=True)
        def clean(db):
            pass


        @pytest.fixture
        def user(db, request):
            pass


        @pytest.fixture
        def lazy(request):
            request.getfixturevalue("fetched")


        @pytest.fixture
        def fetched(engine):
            pass


        @pytest.fixture
        def only_a():
            pass


        @pytest.fixture
        def unused():
            pass
        """,
    "sub/conftest.py": """
        import pytest


        @pytest.fixture
        def db(db):
            pass
        """,
    "sub/test_a.py": """
        import pytest

        pytestmark = pytest.mark.usefixtures("user")


        @pytest.fixture(autouse=True)
        def mod_auto():
            pass


        @pytest.mark.usefixtures("lazy")
        class TestC:
            @pytest.fixture(autouse=True)
            def cls_auto(self, user):
                pass

            @pytest.mark.usefixtures("engine")
            def test_m(self, db):
                pass


        @pytest.mark.parametrize("db", [1, 2])
        def test_param(db):
            pass


        def test_a(only_a):
            pass


        def test_ab(engine):
            pass
        """,
    "other/test_b.py": """
        def test_b(lazy):
            pass
        """,
}


@pytest.fixture
def suite(tmp_path: Path) -> Path:
    return write_files(tmp_path / "suite", FILES)


def ask(root: Path, *args: str) -> tuple[int, str, str]:
    """``fixture-graph ARGS --no-plugins`` run in ``root``: (exit code, stdout, stderr)."""
    cwd = os.getcwd()
    os.chdir(root)
    try:
        result = CliRunner().invoke(main, [*args, "--no-plugins", "--no-cache"])
    finally:
        os.chdir(cwd)
    return result.exit_code, result.stdout, result.stderr


def test_tree_nests_requests_labels_roots_and_marks_repeats(suite: Path) -> None:
    code, out, _ = ask(suite, "tree", "sub/test_a.py::TestC::test_m")
    assert code == 0
    assert out == (
        "sub/test_a.py::TestC::test_m (sub/test_a.py:17)\n"
        "├── ini_fx (function, untagged) conftest.py:4 [ini usefixtures]\n"
        "├── clean (function, untagged) conftest.py:19 [autouse: conftest.py]\n"
        "│   └── db (function, untagged) sub/conftest.py:4\n"
        "│       └── db (function, untagged) conftest.py:14\n"
        "│           └── engine (session, untagged) conftest.py:9\n"
        "├── mod_auto (function, untagged) sub/test_a.py:6 [autouse: module sub/test_a.py]\n"
        "├── cls_auto (function, untagged) sub/test_a.py:13 [autouse: class sub/test_a.py::TestC]\n"
        "│   └── user (function, untagged) conftest.py:24\n"
        "│       └── db (*)\n"
        "├── engine (*) [usefixtures: the test]\n"
        "├── lazy (function, untagged) conftest.py:29 [usefixtures: class sub/test_a.py::TestC]\n"
        "│   └── fetched (function, untagged) conftest.py:34 [getfixturevalue]\n"
        "│       └── engine (*)\n"
        "├── user (*) [usefixtures: module sub/test_a.py]\n"
        "└── db (*)\n"
        "(*) expanded above\n"
    )


def test_tree_of_a_directly_parametrized_name(suite: Path) -> None:
    code, out, _ = ask(suite, "tree", "sub/test_a.py::test_param[1]")
    assert code == 0
    assert out == (
        "sub/test_a.py::test_param (sub/test_a.py:22)\n"
        "├── ini_fx (function, untagged) conftest.py:4 [ini usefixtures]\n"
        "├── clean (function, untagged) conftest.py:19 [autouse: conftest.py]\n"
        "│   └── db [parametrized directly]\n"
        "├── mod_auto (function, untagged) sub/test_a.py:6 [autouse: module sub/test_a.py]\n"
        "├── user (function, untagged) conftest.py:24 [usefixtures: module sub/test_a.py]\n"
        "│   └── db [parametrized directly]\n"
        "└── db [parametrized directly]\n"
    )


def test_tree_names_an_unknown_request(tmp_path: Path) -> None:
    root = write_files(tmp_path / "s", {"test_x.py": "def test_x(missing):\n    pass\n"})
    code, out, _ = ask(root, "tree", "test_x.py::test_x")
    assert code == 0
    assert out == "test_x.py::test_x (test_x.py:1)\n└── missing (not found)\n"


def test_why_lists_every_route_with_each_requesting_definition(suite: Path) -> None:
    code, out, _ = ask(suite, "why", "sub/test_a.py::TestC::test_m", "db")
    assert code == 0
    assert out == (
        "sub/test_a.py::TestC::test_m gets db from sub/conftest.py::db "
        "(function, untagged, sub/conftest.py:4) by 4 routes:\n"
        "  1. autouse in conftest.py (conftest.py:19) -> clean\n"
        "       clean (conftest.py:19) -> db\n"
        "  2. autouse in class sub/test_a.py::TestC (sub/test_a.py:13) -> cls_auto\n"
        "       cls_auto (sub/test_a.py:13) -> user\n"
        "       user (conftest.py:24) -> db\n"
        "  3. a usefixtures mark on module sub/test_a.py -> user\n"
        "       user (conftest.py:24) -> db\n"
        "  4. the test's signature (sub/test_a.py:17) -> db\n"
    )


def test_why_follows_override_chains_and_getfixturevalue(suite: Path) -> None:
    code, out, _ = ask(suite, "why", "sub/test_a.py::TestC::test_m", "engine")
    assert code == 0
    lines = out.splitlines()
    assert lines[0] == (
        "sub/test_a.py::TestC::test_m gets engine from conftest.py::engine "
        "(session, untagged, conftest.py:9) by 6 routes:"
    )
    assert lines[1:6] == [
        "  1. autouse in conftest.py (conftest.py:19) -> clean",
        "       clean (conftest.py:19) -> db",
        "       db (sub/conftest.py:4) -> db (the definition it overrides)",
        "       db (conftest.py:14) -> engine",
        "  2. autouse in class sub/test_a.py::TestC (sub/test_a.py:13) -> cls_auto",
    ]
    assert "  3. a usefixtures mark on the test -> engine" in lines
    assert lines[lines.index("  4. a usefixtures mark on class sub/test_a.py::TestC -> lazy") + 1] == (
        "       lazy (conftest.py:29) -> fetched (getfixturevalue)"
    )


def test_why_takes_a_definition_id_up_an_override_chain(suite: Path) -> None:
    code, out, _ = ask(suite, "why", "sub/test_a.py::TestC::test_m", "conftest.py::db")
    assert code == 0
    assert out.splitlines()[:4] == [
        "sub/test_a.py::TestC::test_m gets db from conftest.py::db "
        "(function, untagged, conftest.py:14) by 4 routes:",
        "  1. autouse in conftest.py (conftest.py:19) -> clean",
        "       clean (conftest.py:19) -> db",
        "       db (sub/conftest.py:4) -> db (the definition it overrides)",
    ]


def test_why_a_directly_parametrized_name(suite: Path) -> None:
    code, out, _ = ask(suite, "why", "sub/test_a.py::test_param", "db")
    assert code == 0
    assert out == (
        "sub/test_a.py::test_param gets db from the test's parametrize "
        "(no definition of it runs) by 4 routes:\n"
        "  1. autouse in conftest.py (conftest.py:19) -> clean\n"
        "       clean (conftest.py:19) -> db\n"
        "  2. a usefixtures mark on module sub/test_a.py -> user\n"
        "       user (conftest.py:24) -> db\n"
        "  3. the test's signature (sub/test_a.py:22) -> db\n"
        "  4. a parametrize mark on the test (sub/test_a.py:22) -> db\n"
    )


def test_why_the_ini_route(suite: Path) -> None:
    code, out, _ = ask(suite, "why", "other/test_b.py::test_b", "ini_fx")
    assert (code, out) == (
        0,
        "other/test_b.py::test_b gets ini_fx from conftest.py::ini_fx (function, untagged, conftest.py:4) "
        "by 1 route:\n  1. ini usefixtures (pytest.ini) -> ini_fx\n",
    )


def test_why_from_a_subdirectory_with_a_param_id(suite: Path) -> None:
    """Paths are relative to the working directory as pytest's are; ids stay rootdir-relative."""
    code, out, _ = ask(suite / "sub", "why", "test_a.py::TestC::test_m[x-1]", "lazy")
    assert (code, out) == (
        0,
        f"sub/test_a.py::TestC::test_m gets lazy from conftest.py::lazy (function, untagged, "
        f"{suite.resolve().as_posix()}/conftest.py:29) by 1 route:\n"
        "  1. a usefixtures mark on class sub/test_a.py::TestC -> lazy\n",
    )


def test_why_not_in_the_closure_is_exit_1_with_the_nearest_definitions(suite: Path) -> None:
    code, out, _ = ask(suite, "why", "other/test_b.py::test_b", "db")
    assert code == 0  # clean (autouse) requests db everywhere
    code, out, _ = ask(suite, "why", "other/test_b.py::test_b", "only_a")
    assert (code, out) == (
        1,
        "only_a is not in the closure of other/test_b.py::test_b; nearest definitions: "
        "conftest.py::only_a (conftest.py:39, visible, nothing requests it)\n",
    )
    code, out, _ = ask(suite, "why", "other/test_b.py::test_b", "sub/conftest.py::db")
    assert (code, out) == (
        1,
        "sub/conftest.py::db is not in the closure of other/test_b.py::test_b; nearest definitions: "
        "conftest.py::db (conftest.py:14, visible, nothing requests it), "
        "sub/conftest.py::db (sub/conftest.py:4, not visible from the test)\n",
    )


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (
            ("sub/test_a.py::test_aa", "db"),
            "no test sub/test_a.py::test_aa in the scan "
            "(did you mean sub/test_a.py::test_a, sub/test_a.py::test_ab, sub/test_a.py::test_param?)",
        ),
        (("sub/test_a.py::test_a", "dbb"), "no fixture named dbb is defined in the scan (did you mean db?)"),
        (
            ("sub/test_a.py", "db"),
            "sub/test_a.py names a module, not a test; give a test node id (FILE::TEST or FILE::CLASS::TEST)",
        ),
        (("nowhere.py::test_x", "db"), "file or directory not found: nowhere.py"),
    ],
)
def test_why_unknown_test_or_fixture_is_exit_2(suite: Path, args: tuple[str, str], message: str) -> None:
    code, out, err = ask(suite, "why", *args)
    assert (code, out, err) == (2, "", f"fixture-graph: error: {message}\n")


def _diamonds(root: Path, levels: int, test: str) -> Path:
    """A conftest of ``levels`` diamonds in a row (2**levels routes from f{levels} to f0)."""
    lines = ["import pytest", "", "@pytest.fixture", "def f0():", "    pass", ""]
    lines += ["@pytest.fixture", "def target():", "    pass", ""]
    for level in range(1, levels + 1):
        for side in "ab":
            lines += ["@pytest.fixture", f"def f{level}{side}(f{level - 1}):", "    pass", ""]
        lines += ["@pytest.fixture", f"def f{level}(f{level}a, f{level}b):", "    pass", ""]
    return write_files(root, {"conftest.py": "\n".join(lines), "test_x.py": test})


def test_why_lists_at_most_50_routes_and_counts_the_rest(tmp_path: Path) -> None:
    root = _diamonds(tmp_path / "s", 7, "def test_x(f7):\n    pass\n")
    code, out, _ = ask(root, "why", "test_x.py::test_x", "f0")
    assert code == 0
    assert out.splitlines()[0].endswith("by 128 routes:")
    assert sum(1 for line in out.splitlines() if line[:5].strip().rstrip(".").isdigit()) == 50
    assert out.splitlines()[-1] == "  ... and 78 more routes"


def test_uses_by_name_by_definition_and_none(suite: Path) -> None:
    assert ask(suite, "uses", "lazy") == (0, "other/test_b.py::test_b\nsub/test_a.py::TestC::test_m\n", "")
    # By name: the test's winning definition; test_param's db is its parametrize, not a fixture.
    assert ask(suite, "uses", "db") == (
        0,
        "other/test_b.py::test_b\nsub/test_a.py::TestC::test_m\nsub/test_a.py::test_a\nsub/test_a.py::test_ab\n",
        "",
    )
    # conftest.py::db is the outer definition of sub/'s override chain, still used there.
    assert ask(suite, "uses", "conftest.py::db")[1] == ask(suite, "uses", "db")[1]
    assert ask(suite, "uses", "sub/conftest.py::db")[1] == (
        "sub/test_a.py::TestC::test_m\nsub/test_a.py::test_a\nsub/test_a.py::test_ab\n"
    )
    assert ask(suite, "uses", "unused") == (1, "", "no test gets unused\n")
    assert ask(suite, "uses", "nothing")[0] == 2


def test_uses_deselect_warns_where_a_prefix_drops_more(suite: Path) -> None:
    code, out, err = ask(suite, "uses", "only_a", "--deselect")
    assert (code, out) == (0, "--deselect sub/test_a.py::test_a\n")
    assert err == (
        "fixture-graph: warning: --deselect sub/test_a.py::test_a also deselects sub/test_a.py::test_ab "
        "(pytest matches node id prefixes)\n"
    )


def test_uses_json(suite: Path) -> None:
    code, out, _ = ask(suite, "uses", "fetched", "--format", "json")
    assert code == 0
    assert json.loads(out) == {
        "definition": None,
        "definitions": ["conftest.py::fetched"],
        "deselect_clashes": [],
        "fixture": "fetched",
        "tests": [
            {"definitions": ["conftest.py::fetched"], "how": ["getfixturevalue"], "nodeid": nodeid}
            for nodeid in ("other/test_b.py::test_b", "sub/test_a.py::TestC::test_m")
        ],
    }
    # Everything below what getfixturevalue fetches counts too; "how" says "closure" when the
    # static closure has it already.
    document = json.loads(ask(suite, "uses", "engine", "--format", "json")[1])
    assert [(t["nodeid"], t["how"]) for t in document["tests"]] == [
        ("other/test_b.py::test_b", ["closure"]),
        ("sub/test_a.py::TestC::test_m", ["closure"]),
        ("sub/test_a.py::test_a", ["closure"]),
        ("sub/test_a.py::test_ab", ["closure"]),
    ]


def _collected(root: Path, *args: str) -> list[str]:
    done = subprocess.run(
        [sys.executable, "-m", "pytest", "--collect-only", "-q", "-p", "no:cacheprovider", *args],
        cwd=root,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
        env={**os.environ, "PYTEST_DISABLE_PLUGIN_AUTOLOAD": "1"},
    )
    return [line for line in done.stdout.splitlines() if "::" in line]


def test_pytest_runs_what_uses_prints_and_the_complement_with_deselect(suite: Path) -> None:
    chosen = ask(suite, "uses", "user")[1].split()
    assert sorted(_collected(suite, *chosen)) == [
        "sub/test_a.py::TestC::test_m",
        "sub/test_a.py::test_a",
        "sub/test_a.py::test_ab",
        "sub/test_a.py::test_param[1]",
        "sub/test_a.py::test_param[2]",
    ]
    assert _collected(suite, *ask(suite, "uses", "user", "--deselect")[1].split()) == [
        "other/test_b.py::test_b"
    ]


def test_scan_records_where_each_usefixtures_mark_sits(suite: Path) -> None:
    item = next(t for t in scan_tree(suite).scan.tests if t.name == "test_m")
    assert item.usefixtures == ("engine", "lazy", "user")
    assert item.usefixtures_at == ("sub/test_a.py::TestC::test_m", "sub/test_a.py::TestC", "sub/test_a.py")


def test_every_option_is_in_a_help_group() -> None:
    for command in (why, tree, uses):
        options = [p for p in command.params if isinstance(p, click.Option)]
        assert [p.name for p in options if help_group(p) == OTHER and p.name != "debug"] == []


# The golden run: the sample suite, from inside it as ``make demo`` runs.
GOLDEN_COMMANDS = (
    ("tree", "tests/integration/test_repository_mocked.py::test_api_client_lists_users"),
    (
        "why",
        "tests/integration/test_repository_mocked.py::test_api_client_lists_users",
        "tests/conftest.py::mock_db",
    ),
    ("why", "tests/unit/test_payments.py::test_receipt_email_sent", "mock_email_sender"),
    ("why", "tests/unit/test_payments.py::test_receipt_email_sent", "db_session"),
    ("uses", "mock_cache"),
    ("uses", "tests/integration/conftest.py::mock_db", "--deselect"),
)


def test_golden_sample_suite(tmp_path: Path) -> None:
    root = copy_sample(tmp_path)
    parts = []
    for args in GOLDEN_COMMANDS:
        code, out, err = ask(root, *args)
        parts.append(f"$ fixture-graph {' '.join(args)}\n{out}{err}(exit {code})\n")
    text = "\n".join(parts)
    golden = GOLDEN / "questions.txt"
    if os.environ.get(UPDATE_ENV):
        golden.write_text(text, encoding="utf-8")
    assert text == golden.read_text(encoding="utf-8")


def test_readme_examples_are_the_golden_output() -> None:
    """Each console block of the README's why/tree/uses subsections is a command of the golden run."""
    readme = (Path(__file__).resolve().parent.parent / "README.md").read_text(encoding="utf-8")
    golden = (GOLDEN / "questions.txt").read_text(encoding="utf-8")
    runs = {part.splitlines()[0]: part for part in golden.split("\n\n")}
    blocks = []
    for heading in ("### `why TEST FIXTURE`", "### `tree TEST`", "### `uses FIXTURE`"):
        section = readme.split(heading, 1)[1].split("\n#", 1)[0]
        blocks += [b.split("\n```", 1)[0] for b in section.split("```console\n")[1:]]
    assert len(blocks) == 5
    for block in blocks:
        run = runs[block.splitlines()[0]]
        assert run.rsplit("\n(exit", 1)[0] == block


def test_why_does_not_walk_every_path_of_a_wide_closure(tmp_path: Path) -> None:
    """2**24 paths below f24: none leads to ``target``, and listing routes to f0 stops counting."""
    root = _diamonds(tmp_path / "s", 24, "def test_x(f24, target):\n    pass\n")
    code, out, _ = ask(root, "why", "test_x.py::test_x", "target")
    assert (code, out.splitlines()[1:]) == (0, ["  1. the test's signature (test_x.py:1) -> target"])
    code, out, _ = ask(root, "why", "test_x.py::test_x", "f0")
    assert code == 0
    assert out.splitlines()[0].endswith("by at least 10000 routes:")
    assert out.splitlines()[-1] == "  ... and at least 9950 more routes"


def test_why_names_the_usefixtures_a_plugin_adds(tmp_path: Path) -> None:
    """anyio's plugin adds ``usefixtures("anyio_backend")`` to coroutine tests marked ``anyio``."""
    root = write_files(
        tmp_path / "s",
        {
            "pytest.ini": "[pytest]\n",
            "test_a.py": "import pytest\n\n@pytest.mark.anyio\nasync def test_x():\n    pass\n",
        },
    )
    cwd = os.getcwd()
    os.chdir(root)
    try:
        result = CliRunner().invoke(main, ["why", "test_a.py::test_x", "anyio_backend", "--no-cache"])
    finally:
        os.chdir(cwd)
    assert result.exit_code == 0
    assert (
        result.stdout.splitlines()[1]
        == "  1. a usefixtures a plugin adds for one of the test's marks -> anyio_backend"
    )


def test_the_html_report_labels_roots_as_why_does(suite: Path) -> None:
    """One classification: the HTML test view's reason for each root is why's first origin."""
    report = scan_tree(suite)
    data = report_data(report, build_index(report))
    closures = Closures(report.scan, report.resolution)
    tests, names = data["tests"], data["fx"]["name"]
    assert len(tests["name"]) == 5
    for i, name in enumerate(tests["name"]):
        nodeid = f"{data['testFiles'][tests['file'][i]]}::{name}"
        html = {(names[root // 8], REASONS[root % 8]) for root in tests["roots"][i]}
        html |= {(names[p], AUTOUSE) for p in data["contexts"][tests["ctx"][i]][0]}
        why = {
            (root.name, primary_kind([o.kind for o in root.origins if o.kind != PARAMETRIZE]))
            for root in closures.of(nodeid).roots
            if root.target is not None
        }
        assert html == why, nodeid


OVERRIDE_AND_FETCH = {
    "pytest.ini": "[pytest]\n",
    "conftest.py": (
        "import pytest\n\n@pytest.fixture\ndef db():\n    return 1\n\n"
        "@pytest.fixture\ndef other():\n    return 2\n"
    ),
    "test_a.py": (
        "import pytest\n\n@pytest.fixture\ndef db(db):\n    return db\n\n"
        'def test_x(db, request):\n    request.getfixturevalue("other")\n\n'
        "def test_y(db):\n    pass\n"
    ),
}


def test_uses_by_name_counts_the_definition_a_fetching_test_gets_not_the_overridden_one(
    tmp_path: Path,
) -> None:
    root = write_files(tmp_path / "suite", OVERRIDE_AND_FETCH)
    document = json.loads(ask(root, "uses", "db", "--format", "json")[1])
    # test_x fetches another fixture: that adds nothing to how it gets db (the override).
    assert [(t["nodeid"], t["definitions"], t["how"]) for t in document["tests"]] == [
        ("test_a.py::test_x", ["test_a.py::db"], ["closure"]),
        ("test_a.py::test_y", ["test_a.py::db"], ["closure"]),
    ]


def test_tree_does_not_list_request_as_a_root(tmp_path: Path) -> None:
    root = write_files(tmp_path / "suite", OVERRIDE_AND_FETCH)
    code, out, _ = ask(root, "tree", "test_a.py::test_x")
    assert code == 0
    assert "request" not in out.replace("getfixturevalue", "")
    assert "other" in out
