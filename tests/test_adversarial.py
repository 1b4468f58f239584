"""Adversarial corpus: huge, deep, broken and hostile input. Every case asserts its outcome.

Big inputs are generated here (never stored); the deepest and widest conftest trees are built as
in-memory ``ScanResult`` objects, and smaller ones as real files.
"""

from __future__ import annotations

import json
import os
import stat
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from helpers.cli import run_process_json
from helpers.defs import fixture_def
from helpers.fs import fail_listing
from helpers.jsondoc import v1_tests

import fixture_graph.scan.safe_read as safe_read
import fixture_graph.scan.walk as walk_mod
from fixture_graph.config import ScanConfig
from fixture_graph.model import FixtureDef, FixtureKind, ScanResult
from fixture_graph.model import TestItem as Item
from fixture_graph.render import RENDERERS
from fixture_graph.report import Report, build_report
from fixture_graph.resolve import holder_ancestors
from fixture_graph.scan.safe_read import SkippedFile, read_source
from fixture_graph.scan.session import scan_paths

Tree = Callable[[dict[str, str]], Path]
INI = {"pytest.ini": "[pytest]\n"}


def scan(root: Path, **config: object) -> Report:
    return build_report(scan_paths([], ScanConfig(scan_plugins=False, **config), invocation_dir=root))  # type: ignore[arg-type]


def issues(report: Report) -> set[tuple[str, str]]:
    return {(i.file, i.code) for i in report.scan.issues}


def closure(report: Report, nodeid: str) -> tuple[str, ...]:
    return next(t.closure for t in report.resolution.tests if t.nodeid == nodeid)


def codes(report: Report) -> list[str]:
    return [f.code for f in report.analysis.findings]


# -- size and depth -----------------------------------------------------------------------------


def test_100k_line_module_is_scanned_whole(write_tree: Tree) -> None:
    body = "".join(f"def test_{i}(db):\n    pass\n" for i in range(50_000))
    root = write_tree({**INI, "conftest.py": "import pytest\n@pytest.fixture\ndef db(): pass\n"})
    (root / "test_huge.py").write_text(body)
    assert body.count("\n") == 100_000
    report = scan(root)
    assert report.scan.issues == ()
    assert len(report.scan.tests) == 50_000
    assert {t.closure for t in report.resolution.tests} == {("db",)}
    assert report.scan.tests[-1].line == 99_999
    document = json.loads(RENDERERS["json"](report))
    assert document["summary"]["tests"] == 50_000
    assert next(f for f in document["fixtures"] if f["id"] == "conftest.py::db")["used_by"] == 50_000


DEEP = 5_000
DEEP_EXPRESSIONS = {
    "parentheses": "(" * DEEP + "1" + ")" * DEEP,
    "binary operators": "1" + " + 1" * DEEP,
    "unary minus": "-" * DEEP + "1",
    "not": "not " * DEEP + "x",
    "attributes": "a" + ".b" * DEEP,
    "subscripts": "a" + "[0]" * DEEP,
    "calls": "f" + "()" * DEEP,
    "lambdas": "lambda: " * DEEP + "1",
    "conditional expressions": "1 if x else " * DEEP + "1",
    "lists": "[" * DEEP + "]" * DEEP,
    "string concatenation": " + ".join(["'s'"] * DEEP),
}


@pytest.mark.parametrize("expression", DEEP_EXPRESSIONS.values(), ids=DEEP_EXPRESSIONS.keys())
def test_5000_deep_expression_is_a_too_deep_issue(write_tree: Tree, expression: str) -> None:
    root = write_tree({**INI, "test_ok.py": "def test_ok(tmp_path): pass\n"})
    (root / "test_deep.py").write_text(f"import pytest\nx = {expression}\ndef test_deep(): pass\n")
    report = scan(root)
    assert issues(report) == {("test_deep.py", "too-deep")}
    assert report.has_fatal_issues
    assert [t.nodeid for t in report.scan.tests] == ["test_ok.py::test_ok"]


def test_120_nested_blocks_are_too_deep(write_tree: Tree) -> None:
    source = "".join("    " * i + "if x:\n" for i in range(120)) + "    " * 120 + "pass\n"
    root = write_tree({**INI, "test_ok.py": "def test_ok(): pass\n"})
    (root / "test_nested.py").write_text(source)
    assert issues(scan(root)) == {("test_nested.py", "too-deep")}


@pytest.mark.parametrize(("env", "included"), [("1", True), (None, False)])
def test_900_nested_nots_in_an_env_guard_are_decided(
    write_tree: Tree, env: str | None, included: bool
) -> None:
    guard = "not " * 900 + 'os.environ.get("X")'
    root = write_tree(
        {
            **INI,
            "conftest.py": f"import os, pytest\nif {guard}:\n    @pytest.fixture\n    def a(): pass\n",
            "test_a.py": "def test_a(a): pass\n",
        }
    )
    report = scan(root, env=(("X", env),))
    assert report.scan.issues == ()
    assert ("a" in {f.name for f in report.user_fixtures}) is included
    assert ("FG003" in codes(report)) is not included


def _chain_conftest(n: int, *, reverse: bool = False) -> str:
    defs = [
        f"@memory_profile('link {i}', 'LOW')\n@pytest.fixture\ndef f{i}({f'f{i - 1}' if i else ''}): pass\n"
        for i in range(n)
    ]
    return "import pytest\n" + "".join(reversed(defs) if reverse else defs)


def test_10000_long_fixture_chain_resolves_and_renders(write_tree: Tree) -> None:
    root = write_tree(
        {**INI, "conftest.py": _chain_conftest(10_000), "test_a.py": "def test_a(f9999): pass\n"}
    )
    report = scan(root)
    assert report.scan.issues == ()
    assert len(closure(report, "test_a.py::test_a")) == 10_000
    assert len([e for e in report.resolution.edges if e.source.startswith("conftest.py::")]) == 9_999
    assert codes(report) == ["FG004"]
    (chain,) = report.analysis.heavy_chains[:1]
    assert len(chain.ids) == 10_000
    assert chain.weight == 20_000
    outputs = {name: render(report) for name, render in RENDERERS.items()}
    assert "    ... 9992 more" in outputs["text"]
    assert json.loads(outputs["json"])["heavy_chains"][0]["weight"] == 20_000
    assert len(json.loads(outputs["sarif"])["runs"][0]["results"][0]["relatedLocations"]) == 10_000


def test_1000_long_chain_defined_backwards_gives_the_same_graph(write_tree: Tree) -> None:
    """Definition order changes nothing but speed (shared walks need dependencies first)."""
    forward = scan(
        write_tree({**INI, "conftest.py": _chain_conftest(1_000), "test_a.py": "def test_a(f999): pass\n"})
    )
    backward = scan(
        write_tree(
            {
                **INI,
                "conftest.py": _chain_conftest(1_000, reverse=True),
                "test_a.py": "def test_a(f999): pass\n",
            }
        )
    )
    assert forward.resolution.edges == backward.resolution.edges
    assert codes(backward) == ["FG004"]


def test_1000_link_cycle_is_one_finding_with_every_link() -> None:
    n = 1_000
    fixtures = tuple(_fixture(f"f{i}", "", (f"f{(i - 1) % n}",), number=i) for i in range(n))
    tests = (_test("test_a.py::test_a", ("", "test_a.py"), ("f0",)),)
    report = build_report(ScanResult("/r", None, fixtures, tests, ()))
    (finding,) = report.analysis.findings
    assert finding.code == "FG001"
    assert finding.message.startswith("circular dependency: f0 -> f999 -> f998")
    assert len(finding.related) == n
    assert len(report.resolution.cycles) == 1
    assert len(report.resolution.cycles[0].links) == n + 1
    assert "    ... 992 more" in RENDERERS["text"](report)


@pytest.mark.parametrize(
    ("link", "n"), [("from m{next} import *", 2_000), ("pytest_plugins = ['m{next}']", 10_000)]
)
def test_long_module_import_chain_has_no_recursion_limit(tmp_path: Path, link: str, n: int) -> None:
    """Star imports or pytest_plugins naming the next module, past the recursion limit.

    (A star-import chain of n modules really has n²/2 names in its namespaces, hence 2,000.)
    """
    root = tmp_path / "tree"
    root.mkdir()
    (root / "pytest.ini").write_text("[pytest]\n")
    first = link.format(next=0)
    (root / "conftest.py").write_text(first + "\n")
    for i in range(n):
        head = link.format(next=i + 1) + "\n" if i < n - 1 else ""
        (root / f"m{i}.py").write_text(f"{head}import pytest\n@pytest.fixture\ndef f{i}(): pass\n")
    (root / "test_a.py").write_text(f"def test_a(f0, f{n - 1}): pass\n")
    report = scan(root)
    assert report.scan.issues == ()
    assert closure(report, "test_a.py::test_a") == ("f0", f"f{n - 1}")
    assert "FG003" not in codes(report)


def test_class_nesting_an_enclosing_class_is_an_issue_not_a_crash(write_tree: Tree) -> None:
    root = write_tree(
        {
            **INI,
            "test_a.py": """
                class TestA:
                    def test_1(self): pass
                class TestA:
                    TestInner = TestA
                    def test_2(self): pass
            """,
        }
    )
    report = scan(root)
    assert [t.nodeid for t in report.scan.tests] == ["test_a.py::TestA::test_2"]
    assert issues(report) == {("test_a.py", "class-not-collected")}


# -- 50,000 definitions of one name -------------------------------------------------------------


def _fixture(name: str, holder: str, argnames: tuple[str, ...], number: int = 0) -> FixtureDef:
    file = f"{holder}/conftest.py" if holder else "conftest.py"
    return fixture_def(
        name, holder, id=f"{file}::{name}", file=file, line=number + 1, order=(0, number), argnames=argnames
    )


def _test(nodeid: str, ancestors: tuple[str, ...], argnames: tuple[str, ...]) -> Item:
    return Item(nodeid, nodeid.rsplit("::", 1)[-1], nodeid.split("::")[0], 1, ancestors, argnames)


def _tree(n: int, fan_out: int) -> Iterator[str]:
    """``n`` directory nodes, breadth first, ``fan_out`` children each."""
    holders = ["d"]
    yield "d"
    position = 0
    while len(holders) < n:
        parent = holders[position]
        position += 1
        for child in range(fan_out):
            if len(holders) == n:
                return
            holders.append(f"{parent}/{child}")
            yield holders[-1]


def test_50000_definitions_of_one_name_in_nested_conftests() -> None:
    holders = list(_tree(50_000, fan_out=10))
    fixtures = tuple(_fixture("db", h, ("db",) if i else (), i) for i, h in enumerate(holders))
    tested = holders[::97]
    tests = tuple(
        _test(f"{h}/test_x.py::test_x", (*holder_ancestors(h), f"{h}/test_x.py"), ("db",)) for h in tested
    )
    report = build_report(ScanResult("/r", None, fixtures, tests, ()))
    for holder, resolved in zip(tested, report.resolution.tests, strict=True):
        expected = sorted(f"{a}/conftest.py::db" for a in holder_ancestors(holder)[1:])
        assert list(resolved.closure_defs) == expected
    reached = {a for h in tested for a in holder_ancestors(h)[1:]}
    found = codes(report)
    assert found.count("FG007") == 49_999  # each one extends the one above it
    assert found.count("FG006") == 50_000 - len(reached)
    assert "FG001" not in found


def test_1000_deep_override_chain_in_memory() -> None:
    holders = ["/".join(f"d{j}" for j in range(i + 1)) for i in range(1_000)]
    fixtures = tuple(_fixture("db", h, ("db",) if i else (), i) for i, h in enumerate(holders))
    deepest = holders[-1]
    tests = (
        _test(f"{deepest}/test_x.py::test_x", (*holder_ancestors(deepest), f"{deepest}/test_x.py"), ("db",)),
    )
    report = build_report(ScanResult("/r", None, fixtures, tests, ()))
    assert len(report.resolution.tests[0].closure_defs) == 1_000
    assert codes(report).count("FG007") == 999
    assert len(report.resolution.cycles) == 0


def test_100_nested_conftests_on_disk_chain_the_override(tmp_path: Path) -> None:
    root = tmp_path / "tree"
    folder = root
    folder.mkdir()
    (root / "pytest.ini").write_text("[pytest]\n")
    for depth in range(100):
        folder = folder / "d"
        folder.mkdir()
        arg = "db" if depth else ""
        (folder / "conftest.py").write_text(f"import pytest\n@pytest.fixture\ndef db({arg}): pass\n")
    (folder / "test_x.py").write_text("def test_x(db): pass\n")
    report = scan(root)
    (test,) = report.resolution.tests
    assert test.closure == ("db",)
    assert len(test.closure_defs) == 100
    fixtures = json.loads(RENDERERS["json"](report))["fixtures"]
    deepest = next(f for f in fixtures if f["id"] == f"{'d/' * 100}conftest.py::db")
    assert deepest["deps"] == [f"{'d/' * 99}conftest.py::db"]


def test_tree_deeper_than_path_max_is_an_issue_where_it_stops(tmp_path: Path) -> None:
    """Paths past PATH_MAX cannot even be stat'ed: the walk says so and keeps what it can read."""
    root = tmp_path / "root"
    root.mkdir()
    (root / "pytest.ini").write_text("[pytest]\n")
    name, levels = "d" * 200, 25
    fd = os.open(root, os.O_RDONLY)
    try:
        for level in range(1, levels + 1):
            os.mkdir(name, dir_fd=fd)
            inner = os.open(name, os.O_RDONLY, dir_fd=fd)
            os.close(fd)
            fd = inner
            if level % 5 == 0:
                with open(os.open("test_x.py", os.O_WRONLY | os.O_CREAT, dir_fd=fd), "w") as handle:
                    handle.write("def test_x(): pass\n")
    finally:
        os.close(fd)
    limit = os.pathconf(root, "PC_PATH_MAX")
    expected = [
        "/".join([name] * level) + "/test_x.py::test_x"
        for level in range(5, levels + 1, 5)
        if len(os.fsencode(root / "/".join([name] * level) / "test_x.py")) < limit
    ]
    assert 0 < len(expected) < levels // 5
    report = scan(root)
    assert sorted(t.nodeid for t in report.scan.tests) == sorted(expected)
    said = {(i.code, i.message) for i in report.scan.issues}
    assert ("unreadable", "cannot read directory: File name too long") in said
    assert said <= {  # a test file can be the first path too long, in a folder that is not
        ("unreadable", "cannot read directory: File name too long"),
        ("unreadable", "cannot read file: File name too long"),
    }


def test_import_names_longer_than_path_max_are_not_found(write_tree: Tree) -> None:
    long_module = ".".join(["abcdefghij"] * 500)
    root = write_tree(
        {
            **INI,
            "conftest.py": f"from {long_module} import *\nimport {'x' * 5000}\n",
            "test_a.py": "def test_a(): pass\n",
        }
    )
    report = scan(root)
    assert report.scan.issues == ()
    assert [t.nodeid for t in report.scan.tests] == ["test_a.py::test_a"]


# -- encodings and bytes ------------------------------------------------------------------------


def test_unicode_identifiers_and_right_to_left_names(write_tree: Tree) -> None:
    root = write_tree(
        {
            **INI,
            "conftest.py": """
                import pytest
                @pytest.fixture
                def données(名前): pass
                @pytest.fixture
                def 名前(): pass
                @pytest.fixture(name="\\u202eevil")
                def rtl(): pass
                @pytest.fixture
                def ﬁxture(): pass
            """,
            "test_ü.py": """
                import pytest
                @pytest.mark.usefixtures("\\u202eevil")
                def test_ü(données, fixture): pass
            """,
        }
    )
    report = scan(root)
    assert report.scan.issues == ()
    assert closure(report, "test_ü.py::test_ü") == ("données", "fixture", "\u202eevil", "名前")
    assert codes(report) == []
    names = {f["name"] for f in json.loads(RENDERERS["json"](report))["fixtures"] if f["kind"] == "conftest"}
    assert names == {"données", "名前", "\u202eevil", "fixture"}  # NFKC: the ligature is 'fixture'


CONFTEST_LINES = ["import pytest", "", "@pytest.fixture", "def db():", "    return 1", ""]


@pytest.mark.parametrize(
    ("encode", "line"),
    [
        (lambda s: s.replace("\n", "\r\n").encode(), 3),
        (lambda s: b"\xef\xbb\xbf" + s.encode(), 3),
        (lambda s: b"\xef\xbb\xbf" + s.replace("\n", "\r\n").encode(), 3),
        (lambda s: s.replace("\n", "\r").encode(), 3),
        (lambda s: s.replace("\n", "\r\n", 2).encode(), 3),
        (lambda s: b"# -*- coding: latin-1 -*-\n" + s.replace("1", "'\xe9'").encode("latin-1"), 4),
    ],
    ids=["crlf", "bom", "bom-crlf", "cr-only", "mixed", "latin-1 cookie"],
)
def test_line_endings_boms_and_cookies(write_tree: Tree, encode: Callable[[str], bytes], line: int) -> None:
    root = write_tree({**INI, "test_a.py": "def test_a(db): pass\n"})
    (root / "conftest.py").write_bytes(encode("\n".join(CONFTEST_LINES)))
    report = scan(root)
    assert report.scan.issues == ()
    (db,) = report.user_fixtures
    assert db.line == line
    assert closure(report, "test_a.py::test_a") == ("db",)


@pytest.mark.parametrize(
    ("data", "code"),
    [
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "binary-file"),
        ("def test_x(): pass\n".encode("utf-16"), "binary-file"),
        (b"\x7fELF\x02\x01\x01" + bytes(range(256)), "binary-file"),
        (b"x = '\xff\xfe'\ndef test_x(): pass\n", "decode-error"),
        (b"# -*- coding: klingon -*-\ndef test_x(): pass\n", "decode-error"),
    ],
    ids=["png", "utf-16", "elf", "invalid utf-8", "unknown cookie"],
)
def test_binary_files_named_py(write_tree: Tree, data: bytes, code: str) -> None:
    root = write_tree({**INI, "test_ok.py": "def test_ok(): pass\n"})
    (root / "test_bin.py").write_bytes(data)
    report = scan(root)
    assert issues(report) == {("test_bin.py", code)}
    assert report.has_fatal_issues
    assert [t.nodeid for t in report.scan.tests] == ["test_ok.py::test_ok"]


# -- files that vanish, change or are denied --------------------------------------------------------


def _patch_open(monkeypatch: pytest.MonkeyPatch, name: str, error: OSError) -> None:
    real_open = os.open

    def fake_open(path: str | os.PathLike[str], flags: int, *args: int) -> int:
        if Path(path).name == name:
            raise error
        return real_open(path, flags, *args)

    monkeypatch.setattr(safe_read.os, "open", fake_open)


def test_file_vanishing_during_the_scan_is_an_issue(
    write_tree: Tree, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = write_tree({**INI, "test_ok.py": "def test_ok(): pass\n", "test_gone.py": "def test_g(): pass\n"})
    real_walk = walk_mod.walk

    def walk_then_delete(*args: object, **kwargs: object) -> Iterator[Path]:
        for path in real_walk(*args, **kwargs):  # type: ignore[arg-type]
            if path.name == "test_gone.py":
                path.unlink()  # gone between the directory listing and the read
            yield path

    monkeypatch.setattr("fixture_graph.scan.session.walk", walk_then_delete)
    report = scan(root)
    (issue,) = report.scan.issues
    assert (issue.file, issue.code, issue.fatal) == ("test_gone.py", "unreadable", True)
    assert issue.message == "cannot read file: No such file or directory"
    assert [t.nodeid for t in report.scan.tests] == ["test_ok.py::test_ok"]


def test_file_vanishing_between_stat_and_open(write_tree: Tree, monkeypatch: pytest.MonkeyPatch) -> None:
    root = write_tree({**INI, "test_ok.py": "def test_ok(): pass\n", "test_gone.py": "def test_g(): pass\n"})
    _patch_open(monkeypatch, "test_gone.py", FileNotFoundError(2, "No such file or directory"))
    assert issues(scan(root)) == {("test_gone.py", "unreadable")}


def test_permission_denied_file_is_an_issue_even_as_root(
    write_tree: Tree, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = write_tree({**INI, "test_ok.py": "def test_ok(): pass\n", "conftest.py": "import pytest\n"})
    _patch_open(monkeypatch, "conftest.py", PermissionError(13, "Permission denied"))
    report = scan(root)
    (issue,) = report.scan.issues
    assert (issue.file, issue.code, issue.message) == (
        "conftest.py",
        "unreadable",
        "cannot read file: Permission denied",
    )
    assert report.has_fatal_issues


def test_folder_vanishing_during_the_walk(write_tree: Tree, monkeypatch: pytest.MonkeyPatch) -> None:
    root = write_tree(
        {**INI, "test_ok.py": "def test_ok(): pass\n", "gone/test_g.py": "def test_g(): pass\n"}
    )
    fail_listing(monkeypatch, "gone", FileNotFoundError(2, "No such file or directory", "gone"))
    report = scan(root)
    assert issues(report) == {("gone", "unreadable")}
    assert [t.nodeid for t in report.scan.tests] == ["test_ok.py::test_ok"]


def _grow_while_read(monkeypatch: pytest.MonkeyPatch, path: Path, extra: bytes) -> None:
    """Append ``extra`` to ``path`` after the first read of every open, as a busy writer would."""
    real_read = os.read
    grown: set[int] = set()

    def read(fd: int, size: int) -> bytes:
        data = real_read(fd, size)
        if fd not in grown:
            grown.add(fd)
            with path.open("ab") as handle:
                handle.write(extra)
        return data

    def close(fd: int) -> None:
        grown.discard(fd)
        real_close(fd)

    real_close = os.close
    monkeypatch.setattr(safe_read.os, "close", close)

    monkeypatch.setattr(safe_read.os, "read", read)


def test_file_changing_while_read_is_skipped_and_said(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "test_busy.py"
    path.write_text("def test_a(): pass\n")
    _grow_while_read(monkeypatch, path, b"# more\n")
    with pytest.raises(SkippedFile) as caught:
        read_source(path, 1_000_000)
    assert caught.value.code == "changed-during-scan"


def test_file_growing_past_the_limit_while_read(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "test_busy.py"
    path.write_text("def test_a(): pass\n")
    _grow_while_read(monkeypatch, path, b"#" * 10_000)
    with pytest.raises(SkippedFile) as caught:
        read_source(path, 100)
    assert caught.value.code == "file-too-large"
    assert caught.value.message == "over the 100-byte limit (it grew while read); skipped"


# -- symlinks, FIFOs and devices ----------------------------------------------------------------


def test_symlink_loops_are_cut_and_said(write_tree: Tree) -> None:
    root = write_tree({**INI, "a/b/test_x.py": "def test_x(): pass\n"})
    (root / "a" / "b" / "up").symlink_to("../..")
    (root / "self").symlink_to("self")
    (root / "test_broken.py").symlink_to("nowhere.py")
    default = scan(root)
    broken = {("self", "symlink-loop"), ("test_broken.py", "symlink-loop")}
    assert issues(default) == {("a/b/up", "symlink-skipped"), *broken}
    followed = scan(root, follow_symlinks=True)
    assert issues(followed) == {("a/b/up", "symlink-loop"), *broken}
    assert [t.nodeid for t in followed.scan.tests] == ["a/b/test_x.py::test_x"]


def test_symlinks_pointing_outside_are_not_followed_by_default(tmp_path: Path) -> None:
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "test_out.py").write_text("def test_out(): pass\n")
    root = tmp_path / "root"
    root.mkdir()
    (root / "pytest.ini").write_text("[pytest]\n")
    (root / "ext").symlink_to(outside)
    (root / "test_link.py").symlink_to(outside / "test_out.py")
    default = scan(root)
    assert default.scan.tests == ()
    said = {(i.file, i.code, i.message) for i in default.scan.issues}
    message = "symlink pointing outside the scanned folder not followed (use --follow-symlinks)"
    assert said == {("ext", "symlink-skipped", message), ("test_link.py", "symlink-skipped", message)}
    followed = scan(root, follow_symlinks=True)
    assert sorted(t.nodeid for t in followed.scan.tests) == [
        "ext/test_out.py::test_out",
        "test_link.py::test_out",
    ]


def require_devices() -> None:
    """The devices are the machine's, not files left in their place (a rename onto ``/dev/null``
    as root replaces it: that, not the Python version, once made these tests read a file)."""
    for device in ("/dev/null", "/dev/zero"):
        assert stat.S_ISCHR(os.stat(device).st_mode), f"{device} is no longer a device on this machine"


def test_fifos_and_devices_are_never_opened(tmp_path: Path) -> None:
    """Run as a separate process with a timeout: opening a FIFO would block forever."""
    require_devices()
    root = tmp_path / "root"
    (root / "sub").mkdir(parents=True)
    (root / "pytest.ini").write_text("[pytest]\n")
    (root / "test_ok.py").write_text("def test_ok(): pass\n")
    os.mkfifo(root / "test_fifo.py")
    os.mkfifo(root / "sub" / "conftest.py")
    (root / "test_zero.py").symlink_to("/dev/zero")
    (root / "test_null.py").symlink_to("/dev/null")
    data = run_process_json(root, "--follow-symlinks")
    said = {(i["file"], i["code"]) for i in data["issues"]}
    assert said == {
        ("test_fifo.py", "not-a-file"),
        ("sub/conftest.py", "not-a-file"),
        ("test_zero.py", "not-a-file"),
        ("test_null.py", "not-a-file"),
    }
    assert [t["nodeid"] for t in v1_tests(data)] == ["test_ok.py::test_ok"]


def test_fifo_config_files_are_never_opened(tmp_path: Path) -> None:
    root = tmp_path / "root"
    root.mkdir()
    for name in ("pytest.ini", "pyproject.toml", "tox.ini", "setup.cfg", "pytest.toml"):
        os.mkfifo(root / name)
    (root / "test_ok.py").write_text("def test_ok(): pass\n")
    data = run_process_json(root)
    assert data["inifile"] is None
    assert [t["nodeid"] for t in v1_tests(data)] == ["test_ok.py::test_ok"]


@pytest.mark.parametrize("special", ["fifo", "/dev/zero", "/dev/null", "directory"])
def test_read_source_refuses_anything_but_a_regular_file(tmp_path: Path, special: str) -> None:
    require_devices()
    path = tmp_path / "m.py"
    if special == "fifo":
        os.mkfifo(path)
    elif special == "directory":
        path.mkdir()
    else:
        path = Path(special)
    with pytest.raises(SkippedFile) as caught:
        read_source(path, 1_000_000)
    assert caught.value.code == "not-a-file"


def test_a_file_swapped_for_a_fifo_after_the_check_does_not_block(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "m.py"
    os.mkfifo(path)
    regular = tmp_path / "real.py"
    regular.write_text("x = 1\n")
    real_stat = Path.stat

    def stat(self: Path, **kwargs: bool) -> os.stat_result:
        return real_stat(regular if self == path else self, **kwargs)

    monkeypatch.setattr(Path, "stat", stat)  # the check sees a regular file; open() gets the FIFO
    with pytest.raises(SkippedFile) as caught:
        read_source(path, 1_000_000)
    assert caught.value.code == "not-a-file"


# -- resource limits ----------------------------------------------------------------------------


def _many(write_tree: Tree) -> Path:
    return write_tree(
        {
            **INI,
            "conftest.py": "import pytest\n"
            + "".join(f"@pytest.fixture\ndef f{i}(): pass\n" for i in range(10)),
            **{f"test_{m}.py": "".join(f"def test_{t}(f{t}): pass\n" for t in range(10)) for m in range(3)},
        }
    )


def test_max_tests_stops_collection_and_says_so(write_tree: Tree) -> None:
    report = scan(_many(write_tree), max_tests=15)
    assert len(report.scan.tests) == 15
    (issue,) = report.scan.issues
    assert (issue.file, issue.code, issue.fatal) == ("test_1.py", "too-many-tests", True)
    assert issue.message == "more than 15 tests: the rest are not collected (raise max-tests)"


def test_max_fixtures_stops_registration_and_says_so(write_tree: Tree) -> None:
    root = _many(write_tree)
    builtins = sum(1 for f in scan(root).scan.fixtures if f.kind is FixtureKind.BUILTIN)
    report = scan(root, max_fixtures=builtins + 4)
    assert len(report.user_fixtures) == 4
    assert issues(report) == {("conftest.py", "too-many-fixtures")}
    assert report.has_fatal_issues


def test_limits_from_settings_and_flags_exit_3(write_tree: Tree) -> None:
    from click.testing import CliRunner

    from fixture_graph.cli import ExitCode, main

    root = _many(write_tree)
    (root / "pyproject.toml").write_text("[tool.fixture_graph]\nmax-tests = 5\nmax-file-bytes = 100000\n")
    cwd = os.getcwd()
    os.chdir(root)
    try:
        by_file = CliRunner().invoke(main, ["--no-plugins", "--format", "json"])
        by_flag = CliRunner().invoke(main, ["--no-plugins", "--format", "json", "--max-tests", "25"])
    finally:
        os.chdir(cwd)
    assert by_file.exit_code == by_flag.exit_code == ExitCode.INPUT
    assert json.loads(by_file.output)["summary"]["tests"] == 5
    assert json.loads(by_flag.output)["summary"]["tests"] == 25


def test_default_limits_are_documented() -> None:
    readme = (Path(__file__).parent.parent / "README.md").read_text(encoding="utf-8")
    config = ScanConfig()
    for key, value in (
        ("max-file-bytes", "4 MiB"),
        ("max-tests", f"{config.max_tests:,}"),
        ("max-fixtures", f"{config.max_fixtures:,}"),
    ):
        assert f"`{key}`" in readme
        assert value in readme
