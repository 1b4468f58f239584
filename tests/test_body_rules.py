"""FG014 (requested but never read) and FG015 (duplicate fixtures), from the AST facts the scan
records (``fixture_graph.scan.reads``) to the exact findings on small trees."""

from __future__ import annotations

import ast
import json
import textwrap
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from fixture_graph.analyze.findings import Severity
from fixture_graph.cli import main
from fixture_graph.config import AnalyzeConfig, ScanConfig
from fixture_graph.report import Report, build_report
from fixture_graph.scan import reads
from fixture_graph.scan.session import scan_paths

Tree = Callable[[dict[str, str]], Path]
INI = {"pytest.ini": "[pytest]\n"}
GOLDEN = Path(__file__).parent / "data" / "golden" / "body_rules.txt"
SAMPLE = Path(__file__).parent / "data" / "sample_suite"


def analyze(root: Path) -> Report:
    return build_report(scan_paths([], ScanConfig(scan_plugins=False), invocation_dir=root), AnalyzeConfig())


def rows(report: Report, code: str) -> list[tuple[str, int, Severity, str, str | None]]:
    return [
        (f.file, f.line, f.severity, f.message, f.fix) for f in report.analysis.findings if f.code == code
    ]


def codes(report: Report) -> list[str]:
    return [f.code for f in report.analysis.findings]


def func(source: str) -> ast.FunctionDef | ast.AsyncFunctionDef:
    node = ast.parse(textwrap.dedent(source)).body[-1]
    assert isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef)
    return node


def unread(source: str) -> tuple[str, ...]:
    node = func(source)
    return reads.unread_params(node, [a.arg for a in node.args.args])


def unread_by_text(source: str) -> tuple[str, ...]:
    """As the extractor asks: with the body's source text, from its first statement."""
    node = func(source)
    lines = textwrap.dedent(source).splitlines(keepends=True)
    first = node.body[0]
    text = lines[first.lineno - 1][first.col_offset :] + "".join(lines[first.lineno : node.end_lineno])
    return reads.unread_params(node, [a.arg for a in node.args.args], text)


# -- what counts as a read -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ("def f(a, b):\n    return a\n", ("b",)),
        ("def f(a):\n    a = 1\n    return 2\n", ("a",)),  # a store reads nothing
        ("def f(a):\n    return x.a\n", ("a",)),  # an attribute of the same name is not it
        ("def f(a):\n    return 'a'  # a\n", ("a",)),  # nor a string or a comment
        ("def f(a):\n    def g():\n        return a\n    return g\n", ()),
        ("def f(a):\n    return lambda: a\n", ()),
        ("def f(a):\n    return [x for x in a]\n", ()),
        ("def f(a):\n    class C:\n        v = a\n    return C\n", ()),
        ("def f(a):\n    del a\n", ()),
        ("def f(a):\n    def g():\n        nonlocal a\n    return g\n", ()),
        ("def f(a, request):\n    return request.getfixturevalue('a')\n", ()),
        ("def f(a):\n    yield\n", ("a",)),
        ("async def f(a):\n    await g()\n", ("a",)),
    ],
)
def test_reads_any_load_anywhere_in_the_body(source: str, expected: tuple[str, ...]) -> None:
    assert unread(source) == expected


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ("def f(a, b):\n    return a\n", ("b",)),
        ("def f(a, b): return a\n", ("b",)),  # the signature is not the body
        ("def f(a):\n    return x.a  # any mention is taken as a read\n", ()),
        ("def f(a):\n    return 'a'\n", ()),
        ("def f(a):\n    # locals() in a comment is no call\n    return 1\n", ("a",)),
        ("def f(a):\n    return locals()\n", ()),
        ("def f(a, b):\n    return request.getfixturevalue('b')\n", ("a",)),
        ("def f(a):\n    return 'é'\n", ("a",)),  # non-ASCII text: the walk decides
    ],
)
def test_with_the_body_text_absent_names_are_unread_and_mentions_are_reads(
    source: str, expected: tuple[str, ...]
) -> None:
    assert unread_by_text(source) == expected


@pytest.mark.parametrize(
    "body",
    [
        "print(locals())",
        "print(vars())",
        "eval('a')",
        "exec('print(a)')",
        "sys._getframe()",
        "inspect.currentframe()",
        "request.getfixturevalue(name)",
        "...",
        "pass",
        "'''docstring only'''",
    ],
)
def test_claims_nothing_when_locals_may_be_read_or_the_body_is_a_stub(body: str) -> None:
    assert unread(f"def f(a, request, name):\n    {body}\n") == ()


def test_shape_ignores_docstring_comments_and_layout_but_not_name_code_or_decorators() -> None:
    plain = func("def db():\n    x = connect()\n    return x\n")
    documented = func(
        'def db():\n    """Connect."""\n\n    # a comment\n    x = connect(\n    )\n    return x\n'
    )
    renamed = func("def database():\n    x = connect()\n    return x\n")
    edited = func("def db():\n    x = connect(1)\n    return x\n")
    tagged = func('@memory_profile("a db", "HIGH")\n@fixture\ndef db():\n    x = connect()\n    return x\n')
    retagged = func(
        '@fixture()\n@memory_profile("a db", "LOW")\ndef db():\n    x = connect()\n    return x\n'
    )
    assert reads.shape_hash(plain, "spec", -1) == reads.shape_hash(documented, "spec", -1)
    assert reads.shape_hash(plain, "spec", -1) != reads.shape_hash(renamed, "spec", -1)
    assert reads.shape_hash(plain, "spec", -1) != reads.shape_hash(edited, "spec", -1)
    assert reads.shape_hash(plain, "spec", -1) != reads.shape_hash(plain, "other spec", -1)
    assert reads.shape_hash(tagged, "spec", 1) != reads.shape_hash(plain, "spec", -1)  # another impact
    assert reads.shape_hash(tagged, "spec", 1) != reads.shape_hash(retagged, "spec", 0)


def test_shape_of_a_huge_int_literal() -> None:
    huge = func("def f():\n    return 0x" + "f" * 5000 + "\n")  # repr() refuses it in decimal
    assert reads.shape_hash(huge, "spec", -1) != reads.shape_hash(
        func("def f():\n    return 1\n"), "spec", -1
    )


def test_shape_of_a_deeply_nested_body_needs_no_recursion() -> None:
    deep = func("def f():\n    return " + "+".join(["1"] * 1900) + "\n")  # ast.dump would recurse
    assert len(reads.shape_hash(deep, "spec", -1)) == 16


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ("def f():\n    return {'a': [1, -2.0, (NAME, None)]}\n", True),
        ("def f():\n    '''Doc.'''\n    return 'x' + 'y'\n", True),
        ("def f():\n    return make()\n", False),
        ("def f():\n    return obj.attr\n", False),
        ("def f(db):\n    return 1\n", False),
        ("def f():\n    x = 1\n    return x\n", False),
        ("def f():\n    yield 1\n", False),
        ("def f():\n    return\n", False),
    ],
)
def test_constant_value_only_for_a_bare_literal_return(source: str, expected: bool) -> None:
    assert reads.constant_value(func(source)) is expected


# -- FG014 requested but never read ----------------------------------------------------------

_CONFTEST = """
    import pytest

    @pytest.fixture
    def db():
        return connect()

    @pytest.fixture
    def user_data():
        return {"name": "ada"}

    @pytest.fixture(params=["sqlite", "postgres"])
    def backend(request):
        return request.param

    @pytest.fixture(autouse=True)
    def clean_env():
        yield
"""

USEFIXTURES_FIX = (
    "if the test needs 'db' only for its side effect, request it with "
    '@pytest.mark.usefixtures("db") instead; otherwise remove it'
)


def test_fg014_unread_fixture_parameters_of_tests(write_tree: Tree) -> None:
    root = write_tree(
        {
            **INI,
            "conftest.py": _CONFTEST,
            "test_app.py": """
                import pytest

                def test_reads(db):
                    assert db

                def test_side_effect(db):
                    assert True

                def test_literal(user_data):
                    assert True

                def test_backend(backend):
                    assert True

                def test_autouse(clean_env):
                    assert True

                @pytest.mark.usefixtures("db")
                def test_both(db):
                    assert True
            """,
        }
    )
    assert rows(analyze(root), "FG014") == [
        (
            "test_app.py",
            6,
            Severity.INFO,
            "test 'test_side_effect' requests fixture 'db' (conftest.py::db at conftest.py:3) "
            "but never reads it",
            USEFIXTURES_FIX,
        ),
        (
            "test_app.py",
            9,
            Severity.WARNING,
            "test 'test_literal' requests fixture 'user_data' (conftest.py::user_data at conftest.py:7) but "
            "never reads it; it only returns a literal, so requesting it does nothing",
            "remove 'user_data' from the parameters",
        ),
        (
            "test_app.py",
            12,
            Severity.INFO,
            "test 'test_backend' requests fixture 'backend' (conftest.py::backend at conftest.py:11) but "
            "never reads it",
            "if the test needs 'backend' only for its side effect, request it with "
            '@pytest.mark.usefixtures("backend") instead; otherwise remove it (it is parametrized: '
            "usefixtures keeps one run per param, removing it runs the test once)",
        ),
        (
            "test_app.py",
            15,
            Severity.INFO,
            "test 'test_autouse' requests fixture 'clean_env' (conftest.py::clean_env at conftest.py:15) but "
            "never reads it",
            "remove 'clean_env' from the parameters: it is autouse here, so the test gets it anyway",
        ),
        (
            "test_app.py",
            18,
            Severity.INFO,
            "test 'test_both' requests fixture 'db' (conftest.py::db at conftest.py:3) but never reads it",
            "remove 'db' from the parameters: a usefixtures mark already requests it",
        ),
    ]


def test_fg014_only_names_that_are_fixtures_for_the_item(write_tree: Tree) -> None:
    """Resolution decides: ``thing`` is a fixture under a/ only; parametrize arguments, request,
    _-prefixed names, unittest methods, stubs and locals() bodies are never reported."""
    root = write_tree(
        {
            **INI,
            "a/conftest.py": "import pytest\n\n@pytest.fixture\ndef thing():\n    return make()\n",
            "a/test_a.py": "def test_a(thing):\n    assert True\n",
            "b/test_b.py": "def test_b(thing):\n    assert True\n",
            "conftest.py": (
                "import pytest\n\n@pytest.fixture\ndef _setup():\n    yield\n\n"
                "@pytest.fixture\ndef value():\n    return make()\n"
            ),
            "test_skips.py": """
                import unittest
                import pytest

                @pytest.mark.parametrize("value", [1, 2])
                def test_direct(value):
                    assert True

                @pytest.mark.parametrize("value", [1], indirect=True)
                def test_indirect(value):
                    assert True

                def test_request(request, _setup):
                    assert True

                def test_stub(value):
                    ...

                def test_locals(value):
                    print(locals())

                class TestCase(unittest.TestCase):
                    def test_method(self):
                        assert True
            """,
        }
    )
    report = analyze(root)
    assert [(f.file, f.line, f.message) for f in report.analysis.findings if f.code == "FG014"] == [
        (
            "a/test_a.py",
            1,
            "test 'test_a' requests fixture 'thing' (a/conftest.py::thing at a/conftest.py:3) "
            "but never reads it",
        ),
    ]
    assert "FG003" in codes(report)  # b/test_b.py: 'thing' is not a fixture there


def test_fg014_fixture_parameters_only_when_what_they_get_does_nothing(write_tree: Tree) -> None:
    """A fixture can depend on another's side effect only by requesting it (pytest ignores marks
    on fixtures), so an unread parameter of a fixture is reported only for a literal-only one."""
    root = write_tree(
        {
            **INI,
            "conftest.py": """
                import pytest

                @pytest.fixture
                def db():
                    return connect()

                @pytest.fixture
                def defaults():
                    return {"retries": 3}

                @pytest.fixture
                def seeded(db):
                    yield

                @pytest.fixture
                def client(defaults, db):
                    return Client(db)
            """,
            "test_c.py": "def test_c(client, seeded):\n    assert client and seeded is None\n",
        }
    )
    assert rows(analyze(root), "FG014") == [
        (
            "conftest.py",
            15,
            Severity.WARNING,
            "fixture 'client' requests fixture 'defaults' (conftest.py::defaults at conftest.py:7) but never "
            "reads it; it only returns a literal, so requesting it does nothing",
            "remove 'defaults' from the parameters of 'client'",
        )
    ]


def test_fg014_one_finding_per_function_collected_twice(write_tree: Tree) -> None:
    root = write_tree(
        {
            **INI,
            "conftest.py": "import pytest\n\n@pytest.fixture\ndef db():\n    return connect()\n",
            "test_inherit.py": """
                class TestBase:
                    def test_x(self, db):
                        assert True

                class TestChild(TestBase):
                    pass
            """,
        }
    )
    found = [f for f in analyze(root).analysis.findings if f.code == "FG014"]
    assert [(f.file, f.line, f.symbol) for f in found] == [
        ("test_inherit.py", 2, "test_inherit.py::TestBase::test_x")
    ]
    assert found[0].message.startswith("test 'TestBase::test_x' requests fixture 'db'")


# -- FG015 duplicate fixtures ----------------------------------------------------------------


def test_fg015_a_def_rebound_in_the_same_module_is_dead(write_tree: Tree) -> None:
    root = write_tree(
        {
            **INI,
            "conftest.py": """
                import pytest

                @pytest.fixture
                def db():
                    return connect(1)

                @pytest.fixture
                def db():
                    return connect(2)

                @pytest.fixture
                def store():
                    return {}

                @pytest.fixture
                def store():
                    '''The same code, documented.'''
                    return {}

                if FAST:
                    @pytest.fixture
                    def mode():
                        return fast()
                else:
                    @pytest.fixture
                    def mode():
                        return slow()
            """,
            "test_x.py": "def test_x(db, store, mode):\n    assert db and store and mode\n",
        }
    )
    report = analyze(root)
    assert rows(report, "FG015") == [
        (
            "conftest.py",
            3,
            Severity.WARNING,
            "fixture 'db' is defined again at conftest.py:7 in the same module; pytest keeps only the last, "
            "so this one is dead (pytest uses the one at line 7, so edits to this one change nothing)",
            "delete this definition, or merge what it does into the one at line 7",
        ),
        (
            "conftest.py",
            11,
            Severity.WARNING,
            "fixture 'store' is defined again at conftest.py:15 in the same module; pytest keeps only the "
            "last, so this one is dead (an identical copy)",
            "delete this definition",
        ),
    ]
    assert "FG007" not in codes(report)  # the dead defs are no definitions; the if/else are alternatives


def test_fg015_copies_in_sibling_folders_hoist_to_their_common_conftest(write_tree: Tree) -> None:
    server = (
        'import pytest\n\n@pytest.fixture(scope="session")\ndef server():\n{doc}'
        "    s = start()  # {comment}\n    yield s\n    s.stop()\n"
    )
    root = write_tree(
        {
            **INI,
            "api/v1/conftest.py": server.format(doc="", comment="v1"),
            "api/v2/conftest.py": server.format(doc="    '''Start the server.'''\n\n", comment="v2"),
            "api/v1/test_a.py": "def test_a(server):\n    assert server\n",
            "api/v2/test_b.py": "def test_b(server):\n    assert server\n",
            "web/conftest.py": server.replace("session", "module").format(doc="", comment=""),
            "web/test_c.py": "def test_c(server):\n    assert server\n",
        }
    )
    assert rows(analyze(root), "FG015") == [
        (
            "api/v1/conftest.py",
            3,
            Severity.INFO,
            "fixture 'server' is defined 2 times with the same code: "
            "api/v1/conftest.py:3, api/v2/conftest.py:3",
            "hoist one copy to api/conftest.py and delete the others; "
            "the 2 session instances would become one",
        )
    ]


def test_fg015_hoisting_says_what_else_it_changes(write_tree: Tree) -> None:
    client = "import pytest\n\n@pytest.fixture(autouse=True)\ndef client():\n    return Client()\n"
    root = write_tree(
        {
            **INI,
            "conftest.py": "import pytest\n\n@pytest.fixture\ndef client():\n    return Other()\n",
            "test_root.py": "def test_root(client):\n    assert client\n",
            "a/test_a.py": client + "\ndef test_a(client):\n    assert client\n",
            "b/test_b.py": client + "\ndef test_b(client):\n    assert client\n",
            "c/test_c.py": "def test_c():\n    assert True\n",
        }
    )
    ((file, line, severity, message, fix),) = rows(analyze(root), "FG015")
    assert (file, line, severity) == ("a/test_a.py", 3, Severity.INFO)
    assert message == "fixture 'client' is defined 2 times with the same code: a/test_a.py:3, b/test_b.py:3"
    assert fix == (
        "hoist one copy to conftest.py and delete the others; conftest.py already defines another "
        "'client' (conftest.py:3): merge them first; 1 test under the rootdir now gets another 'client' "
        "and would get the hoisted one; it is autouse: 2 more tests under the rootdir would set it up"
    )


def test_fg015_an_override_identical_to_the_outer_one_replaces_fg007(write_tree: Tree) -> None:
    db = "import pytest\n\n@pytest.fixture\ndef db():\n    return connect()\n"
    root = write_tree(
        {
            **INI,
            "conftest.py": db,
            "sub/conftest.py": db.replace("connect()", "connect()  # the same"),
            "sub/test_x.py": "def test_x(db):\n    assert db\n",
            "other/conftest.py": db.replace("connect()", "connect('other')"),
            "other/test_y.py": "def test_y(db):\n    assert db\n",
        }
    )
    report = analyze(root)
    assert rows(report, "FG015") == [
        (
            "sub/conftest.py",
            3,
            Severity.INFO,
            "fixture 'db' is a copy of the one it overrides, conftest.py::db at conftest.py:3: "
            "the tests below get the same code from either",
            "delete it: the outer definition is visible here",
        )
    ]
    assert [(f.file, f.code) for f in report.analysis.findings if f.code == "FG007"] == [
        ("other/conftest.py", "FG007")
    ]


def test_fg015_near_misses_stubs_other_scopes_and_one_function_registered_twice(write_tree: Tree) -> None:
    root = write_tree(
        {
            **INI,
            "helpers.py": "import pytest\n\n@pytest.fixture\ndef shared():\n    return make()\n",
            "a/conftest.py": (
                "import pytest\nfrom helpers import shared\n\n@pytest.fixture\ndef noop():\n    pass\n\n"
                "@pytest.fixture\ndef conn():\n    return make()\n"
            ),
            "b/conftest.py": (
                "import pytest\nfrom helpers import shared\n\n@pytest.fixture\ndef noop():\n    pass\n\n"
                '@pytest.fixture(scope="module")\ndef conn():\n    return make()\n'
            ),
            "a/test_a.py": "def test_a(noop, conn, shared):\n    assert conn and shared\n",
            "b/test_b.py": "def test_b(noop, conn, shared):\n    assert conn and shared\n",
        }
    )
    assert rows(analyze(root), "FG015") == []


# -- the sample suite, and the CLI -----------------------------------------------------------


def _sample_facts(env: tuple[tuple[str, str | None], ...]) -> str:
    """What the scan knows about the sample suite's bodies, and what the two rules say."""
    report = build_report(scan_paths([], ScanConfig(env=env), invocation_dir=SAMPLE))
    lines = [f"# env: {' '.join(f'{k}={v}' for k, v in env) or 'none'}"]
    for fixture in sorted(report.user_fixtures, key=lambda f: f.id):
        where = f"{fixture.id} ({fixture.file}:{fixture.line})"
        if fixture.unread:
            lines.append(f"unread parameters of fixture {where}: {', '.join(fixture.unread)}")
        if fixture.constant:
            lines.append(f"only returns a literal: {where}")
        if fixture.redefines:
            lines.append(f"rebinds an earlier def: {where}")
    for test in sorted(report.scan.tests, key=lambda t: t.nodeid):
        if test.unread:
            lines.append(f"unread parameters of test {test.nodeid}: {', '.join(test.unread)}")
    groups: dict[str, list[str]] = {}
    for fixture in report.user_fixtures:
        if fixture.shape_hash:
            groups.setdefault(f"{fixture.name}:{fixture.shape_hash}", []).append(fixture.id)
    copies = sorted(", ".join(sorted(ids)) for ids in groups.values() if len(ids) > 1)
    lines.extend(f"same code: {c}" for c in copies)
    findings = [f for f in report.analysis.findings if f.code in ("FG014", "FG015")]
    lines.extend(f"{f.file}:{f.line}: {f.code} {f.message}" for f in findings)
    lines.append(f"{len(findings)} FG014/FG015 findings")
    return "\n".join(lines) + "\n"


def test_golden_sample_suite() -> None:
    """The sample suite reads every parameter its tests request; the fixtures that do not read
    one (browser needs settings' side effect, live_server its data dir) are not findings."""
    text = "".join(
        _sample_facts(env) for env in ((), (("RUN_E2E_TESTS", "true"), ("USE_REAL_SERVICES", "true")))
    )
    assert text == GOLDEN.read_text()


def test_cli_rule_pages_and_json(write_tree: Tree, monkeypatch: pytest.MonkeyPatch) -> None:
    root = write_tree(
        {
            **INI,
            "conftest.py": "import pytest\n\n@pytest.fixture\ndef db():\n    return connect()\n",
            "test_x.py": "def test_x(db):\n    assert True\n",
        }
    )
    monkeypatch.chdir(root)
    result = CliRunner().invoke(main, ["--no-plugins", "--no-cache", "--format", "json", "--select", "FG014"])
    data: dict[str, Any] = json.loads(result.stdout)
    assert [(f["code"], f["severity"], f["file"], f["line"]) for f in data["findings"]] == [
        ("FG014", "info", "test_x.py", 1)
    ]
    for code, name in (("FG014", "requested-but-never-read"), ("FG015", "duplicate-fixture")):
        page = CliRunner().invoke(main, ["rule", code])
        assert page.exit_code == 0
        assert page.output.startswith(f"{code} {name} (info by default)")


def test_fg015_copies_that_see_each_other_are_overrides_not_siblings(write_tree: Tree) -> None:
    """root and deep hold the same code, but deep overrides mid's different one: no hoisting
    (FG007 reports both overrides); other overrides root's identical one: delete it."""
    a = "import pytest\n\n@pytest.fixture\ndef db():\n    return connect()\n"
    root = write_tree(
        {
            **INI,
            "conftest.py": a,
            "mid/conftest.py": a.replace("connect()", "connect('mid')"),
            "mid/deep/conftest.py": a,
            "mid/deep/test_d.py": "def test_d(db):\n    assert db\n",
            "other/conftest.py": a,
            "other/test_o.py": "def test_o(db):\n    assert db\n",
        }
    )
    report = analyze(root)
    assert [(f.file, f.message.split(",")[0]) for f in report.analysis.findings if f.code == "FG015"] == [
        ("other/conftest.py", "fixture 'db' is a copy of the one it overrides")
    ]
    assert [f.file for f in report.analysis.findings if f.code == "FG007"] == [
        "mid/conftest.py",
        "mid/deep/conftest.py",
    ]
