"""The command line as a user meets it: paths, colour, quiet/statistics/concise, exit codes and
error lines, file modes, counts, help, progress, and the CI formats (JUnit, Code Quality, job
summary)."""

from __future__ import annotations

import io
import json
import os
import re
import stat
from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import CliRunner
from helpers.jsondoc import v1_tests

from fixture_graph.analyze import RULES
from fixture_graph.analyze.rule_docs import RULE_DOCS
from fixture_graph.cli import ExitCode, main
from fixture_graph.cli.color import should_color
from fixture_graph.cli.help import HELP_GROUPS, OTHER, help_group
from fixture_graph.cli.progress import Progress
from fixture_graph.cli.scan_cmd import scan
from fixture_graph.config import ScanConfig
from fixture_graph.items import count_items
from fixture_graph.render.html import decode_data
from fixture_graph.render.paths import path_display
from fixture_graph.report import build_report
from fixture_graph.scan.session import scan_paths
from fixture_graph.storage import write_atomic
from fixture_graph.verify import Cause
from fixture_graph.verify.findings import FindingCheck, Verdict
from fixture_graph.verify.output import render_verify_json, render_verify_text
from fixture_graph.verify.verdict import Disagreement, VerifyResult, WinnerDiff

Tree = Callable[[dict[str, str]], Path]
ANSI = re.compile(r"\x1b\[[0-9;]*m")

SUITE = {
    "pytest.ini": "[pytest]\n",
    "tests/conftest.py": (
        "import pytest\n\n@pytest.fixture\ndef a(b): ...\n\n@pytest.fixture\ndef b(a): ...\n\n"
        "@pytest.fixture\ndef spare(): ...\n"
    ),
    "tests/test_x.py": "def test_x(a): ...\n\ndef test_y(nope): ...\n",
}


def run(cwd: Path, *args: str, env: dict[str, str] | None = None) -> tuple[int, str, str]:
    """``fixture-graph --no-plugins --no-cache ARGS`` from ``cwd``: (exit code, stdout, stderr)."""
    before = os.getcwd()
    os.chdir(cwd)
    try:
        result = CliRunner().invoke(main, ["--no-plugins", *args], env=env)
    finally:
        os.chdir(before)
    return result.exit_code, result.stdout, result.stderr


# --- paths -------------------------------------------------------------------------------


def test_path_display_from_the_rootdir_a_parent_a_subfolder_and_outside(tmp_path: Path) -> None:
    root = str(tmp_path / "proj")
    assert path_display(root, root)("tests/conftest.py") == "tests/conftest.py"
    assert path_display(root, str(tmp_path))("tests/conftest.py") == "proj/tests/conftest.py"
    assert path_display(root, f"{root}/tests")("tests/conftest.py") == "conftest.py"
    assert path_display(root, f"{root}/docs")("tests/conftest.py") == f"{root}/tests/conftest.py"
    assert path_display(root, root)("/usr/lib/x.py") == "/usr/lib/x.py"
    assert path_display(root, str(tmp_path))(f"{root}/a.py") == "proj/a.py"
    assert path_display(root, root)("") == ""


@pytest.mark.parametrize("where", ["rootdir", "parent"])
def test_every_format_prints_paths_from_the_working_directory(write_tree: Tree, where: str) -> None:
    root = write_tree(SUITE)
    cwd, arg, prefix = (root, ".", "") if where == "rootdir" else (root.parent, root.name, f"{root.name}/")
    expected = f"{prefix}tests/conftest.py"
    _, text, _ = run(cwd, arg, "--no-cache")
    assert f"\n{expected}:3:1: FG001 [error]" in "\n" + text
    _, concise, _ = run(cwd, arg, "--no-cache", "--format", "concise")
    assert concise.startswith(f"{expected}:3:1: FG001")
    _, github, _ = run(cwd, arg, "--no-cache", "--format", "github")
    assert f"file={expected},line=3" in github
    _, out, _ = run(cwd, arg, "--no-cache", "--format", "json")
    data = json.loads(out)  # a data format: paths relative to its rootdir, wherever it is made
    assert {f["file"] for f in data["findings"]} == {"tests/conftest.py", "tests/test_x.py"}
    assert {t["file"] for t in v1_tests(data)} == {"tests/test_x.py"}
    assert "tests/conftest.py::a" in {f["id"] for f in data["fixtures"]}  # ids stay node ids
    _, out, _ = run(cwd, arg, "--no-cache", "--format", "sarif")
    sarif = json.loads(out)["runs"][0]
    assert sarif["originalUriBaseIds"]["SRCROOT"]["uri"] == cwd.as_uri() + "/"
    uris = {r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] for r in sarif["results"]}
    assert expected in uris
    _, out, _ = run(cwd, arg, "--no-cache", "--format", "gitlab")
    assert expected in {i["location"]["path"] for i in json.loads(out)}


@pytest.mark.parametrize("where", ["rootdir", "parent"])
def test_html_and_pictures_print_paths_from_the_working_directory(
    write_tree: Tree, tmp_path: Path, where: str
) -> None:
    root = write_tree(SUITE)
    cwd, arg, prefix = (root, ".", "") if where == "rootdir" else (root.parent, root.name, f"{root.name}/")
    conftest = f"{prefix}tests/conftest.py"
    page = tmp_path / "report.html"
    run(cwd, arg, "--no-cache", "--format", "concise", "--html", str(page))
    html = page.read_text(encoding="utf-8")
    assert f"<span>ini {prefix}pytest.ini</span>" in html
    encoded = re.search(r'id="fg-data" data-encoding="gzip\+base64">(.*?)</script>', html, re.S)
    assert encoded is not None
    data = decode_data(encoded.group(1))
    assert {f[3] for f in data["findings"]} == {conftest, f"{prefix}tests/test_x.py"}
    assert [i for i, name in enumerate(data["fx"]["name"]) if name == "a"]  # the page builds ids
    labels = {row[0] for row in data["groups"]}  # ... from the scan paths: node ids stay as pytest's
    assert {"tests/", "tests/conftest.py"} <= labels
    shown = {"tests/": f"{prefix}tests/", "tests/conftest.py": conftest} if prefix else {}
    assert data["shown"] == shown  # what the page prints for them, only where it differs
    _, dot, _ = run(cwd, arg, "--no-cache", "--format", "dot")
    assert f'label="{prefix}tests/ (conftest)", tooltip="{conftest}"' in dot
    assert f'tooltip="tests/conftest.py::a\\n{conftest}:3\\nscope: function"' in dot
    _, markdown, _ = run(cwd, arg, "--no-cache", "--format", "markdown")
    assert f"`{conftest}:3`" in markdown
    assert f'subgraph m0["{prefix}tests/ (conftest)"]' in markdown


def _verify_result(rootdir: Path) -> VerifyResult:
    check = FindingCheck(
        "FG001", "k", "circular dependency: a -> b -> a", "tests/conftest.py", 3, Verdict.CONFIRMED, "d"
    )
    winners = (
        WinnerDiff("db", "tests/conftest.py:4", "tests/sub/conftest.py:2"),
        WinnerDiff("tmp_path", "_pytest/tmpdir.py:250", None),
    )
    disagreement = Disagreement("tests/sub/test_a.py::test_a", Cause.SCANNER, "differs", winners=winners)
    return VerifyResult("probe", "9.2.0", False, 1, 0, (disagreement,), errors=(check,), rootdir=str(rootdir))


@pytest.mark.parametrize("where", ["rootdir", "parent"])
def test_verify_text_prints_paths_from_the_working_directory(tmp_path: Path, where: str) -> None:
    root = tmp_path / "proj"
    cwd, prefix = (root, "") if where == "rootdir" else (tmp_path, "proj/")
    text = render_verify_text(_verify_result(root), cwd=str(cwd))
    assert f"    confirmed: {prefix}tests/conftest.py:3: FG001 circular dependency" in text
    assert (
        f"    db: pytest uses {prefix}tests/conftest.py:4, we use {prefix}tests/sub/conftest.py:2\n" in text
    )
    assert "    tmp_path: pytest uses _pytest/tmpdir.py:250, we use nothing\n" in text  # pytest's own
    assert "tests/sub/test_a.py::test_a: " in text  # node ids stay pytest's
    data = json.loads(render_verify_json(_verify_result(root)))  # data: rootdir-relative + rootdir
    assert (data["rootdir"], data["error_findings"][0]["file"]) == (str(root), "tests/conftest.py")


def test_verify_run_from_a_parent_directory(write_tree: Tree) -> None:
    root = write_tree(SUITE)
    before = os.getcwd()
    os.chdir(root.parent)
    try:
        result = CliRunner().invoke(main, ["verify", "--no-plugins", root.name])
    finally:
        os.chdir(before)
    assert f"    confirmed: {root.name}/tests/conftest.py:3: FG001 circular dependency" in result.stdout
    assert f"    confirmed: {root.name}/tests/test_x.py:3: FG003 fixture 'nope' not found" in result.stdout


def test_a_file_outside_the_working_directory_is_absolute(write_tree: Tree) -> None:
    root = write_tree(SUITE)
    (root / "docs").mkdir()
    _, text, _ = run(root / "docs", "..", "--no-cache", "--format", "concise")
    assert text.startswith(f"{root}/tests/conftest.py:3:1: FG001")


# --- colour ------------------------------------------------------------------------------


class Tty(io.StringIO):
    def isatty(self) -> bool:
        return True


@pytest.mark.parametrize(
    ("choice", "env", "tty", "expected"),
    [
        ("auto", {}, True, True),
        ("auto", {}, False, False),
        ("auto", {"TERM": "dumb"}, True, False),
        ("auto", {"NO_COLOR": "1"}, True, False),
        ("auto", {"NO_COLOR": ""}, True, True),  # empty means unset (no-color.org)
        ("auto", {"FORCE_COLOR": "1"}, False, True),
        ("auto", {"NO_COLOR": "1", "FORCE_COLOR": "1"}, False, False),  # pytest's order
        ("always", {"NO_COLOR": "1"}, False, True),
        ("never", {"FORCE_COLOR": "1"}, True, False),
    ],
)
def test_colour_decision(choice: str, env: dict[str, str], tty: bool, expected: bool) -> None:
    stream = Tty() if tty else io.StringIO()
    assert should_color(choice, stream, env) is expected


def test_colour_on_and_off_in_the_text_output(write_tree: Tree) -> None:
    root = write_tree(SUITE)
    _, plain, _ = run(root, "--no-cache")
    assert "\x1b[" not in plain  # CliRunner's stdout is no terminal
    _, always, _ = run(root, "--no-cache", "--color", "always")
    assert "\x1b[1mtests/conftest.py\x1b[0m:3:1: \x1b[31m\x1b[1mFG001\x1b[0m" in always
    assert ANSI.sub("", always) == plain  # colour adds styles, nothing else
    _, forced, _ = run(root, "--no-cache", env={"FORCE_COLOR": "1"})
    assert forced == always
    _, no_color, _ = run(root, "--no-cache", env={"FORCE_COLOR": "1", "NO_COLOR": "1"})
    assert no_color == plain
    _, never, _ = run(root, "--no-cache", "--color", "never", env={"FORCE_COLOR": "1"})
    assert never == plain
    _, out, _ = run(root, "--no-cache", "--color", "always", "--format", "json")
    assert "\x1b[" not in out  # machine formats never get colour
    _, out, _ = run(root, "--no-cache", "--color", "always", "-o", "report.txt")
    assert "\x1b[" not in (root / "report.txt").read_text()  # nor do files
    assert "\x1b[1m" in out  # the summary on the terminal does


def test_replay_keeps_colour_and_paths_apart(write_tree: Tree) -> None:
    root = write_tree(SUITE)
    # With the cache (and so the replay): the same options print differently when the colour
    # decision or the working directory differ.
    first = run(root, ".")[1]
    assert run(root, ".", "--color", "always")[1] != first
    assert run(root, ".")[1] == first
    from_parent = run(root.parent, root.name, "--format", "concise")[1]
    assert from_parent.startswith(f"{root.name}/tests/conftest.py")
    assert run(root, ".", "--format", "concise")[1].startswith("tests/conftest.py")


# --- statistics, quiet, concise, exit-zero -------------------------------------------------


def test_statistics_quiet_concise_and_exit_zero(write_tree: Tree) -> None:
    root = write_tree(SUITE)
    code, out, _ = run(root, "--no-cache", "--statistics")
    assert code == ExitCode.FINDINGS
    assert out.splitlines()[:3] == [
        "1  FG001  [error]   circular-dependency",
        "1  FG003  [error]   unknown-fixture",
        "1  FG006  [info]    unused-fixture",
    ]
    assert out.rstrip().endswith("found 3 findings (2 errors, 0 warnings, 1 info)")
    code, out, _ = run(root, "--no-cache", "-q")
    assert code == ExitCode.FINDINGS
    assert "fixtures analyzed" not in out
    assert "found 3 findings" not in out
    assert out.count("FG00") == 3
    assert "fix:" in out
    _, out, _ = run(root, "--no-cache", "--format", "concise")
    assert len(out.splitlines()) == 4
    assert "fix:" not in out
    _, out, _ = run(root, "--no-cache", "--format", "concise", "-q", "--statistics")
    assert out.splitlines()[0] == "1  FG001  [error]   circular-dependency"
    assert len(out.splitlines()) == 3
    code, out, err = run(root, "--no-cache", "--exit-zero", "-q", "-o", "out.json", "--format", "json")
    assert (code, out, err) == (ExitCode.OK, "", "")
    code, _, err = run(root, "--no-cache", "--statistics", "--format", "json")
    assert code == ExitCode.USAGE
    assert err.count("\n") == 1
    assert "--statistics" in err


def test_exit_zero_covers_unreadable_input_but_not_usage_errors(write_tree: Tree) -> None:
    root = write_tree({"pytest.ini": "[pytest]\n", "test_bad.py": "def test_x(:\n"})
    assert run(root, "--no-cache")[0] == ExitCode.INPUT
    assert run(root, "--no-cache", "--exit-zero")[0] == ExitCode.OK
    assert run(root, "--no-cache", "--exit-zero", "missing/")[0] == ExitCode.USAGE


# --- errors: one line on stderr, the README's exit codes ------------------------------------


@pytest.mark.parametrize(
    ("args", "files", "message"),
    [
        (("tests/missing",), {}, "fixture-graph: error: file or directory not found: tests/missing"),
        (("tests/missing.py::test_x",), {}, "file or directory not found: tests/missing.py::test_x"),
        (("--format", "yaml"), {}, "Invalid value for '--format': 'yaml' is not one of"),
        (("--fail-on", "fatal"), {}, "Invalid value for '--fail-on'"),
        (("--jobs", "0"), {}, "Invalid value for '-j' / '--jobs'"),
        (("--no-such-option",), {}, "No such option '--no-such-option'"),
        (("--config", "nowhere.toml"), {}, "nowhere.toml"),
        (("--config", "bad.toml"), {"bad.toml": "[tool.fixture_graph\n"}, "bad.toml"),
        ((), {"pyproject.toml": "[tool.fixture_graph]\nfail-on = 'x'\n"}, "fail-on: expected one of"),
        (("--measurements", "m.json"), {"m.json": "{"}, "m.json"),
        (("--baseline", "b.json"), {"b.json": "{"}, "b.json"),
        (("--depth", "2", "--format", "dot"), {}, "--depth needs --focus"),
        (("-m", "a and"), {}, "Invalid value for '-m'"),
    ],
)
def test_each_user_error_is_one_line_on_stderr_and_exit_2(
    write_tree: Tree, args: tuple[str, ...], files: dict[str, str], message: str
) -> None:
    root = write_tree({**SUITE, **files})
    code, out, err = run(root, "--no-cache", *args)
    assert code == ExitCode.USAGE
    assert out == ""
    assert err.count("\n") == 1, err
    assert err.startswith("fixture-graph: error: ")
    assert message in err
    assert "Traceback" not in err


def test_an_unreadable_config_file_is_one_line(write_tree: Tree, monkeypatch: pytest.MonkeyPatch) -> None:
    root = write_tree({**SUITE, "conf.toml": "[tool.fixture_graph]\n"})

    real = Path.read_text

    def refuse(self: Path, *args: object, **kwargs: object) -> str:
        if self.name == "conf.toml":
            raise PermissionError(13, "Permission denied", str(self))
        return real(self, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(Path, "read_text", refuse)
    code, _, err = run(root, "--no-cache", "--config", "conf.toml")
    assert code == ExitCode.USAGE
    assert err.count("\n") == 1
    assert "conf.toml" in err
    assert "Permission denied" in err


def test_graphviz_failures_exit_2_whichever_output_asked(tmp_path: Path, write_tree: Tree) -> None:
    root = write_tree(SUITE)
    no_dot = {"PATH": str(tmp_path / "empty")}
    for args in (["--svg", "g.svg"], ["--format", "svg"]):
        code, _, err = run(root, "--no-cache", "-q", *args, env=no_dot)
        assert code == ExitCode.USAGE, args
        assert err.startswith("fixture-graph: error: "), args
        assert err.count("\n") == 1, (args, err)
    assert not (root / "g.svg").exists()
    # The HTML report draws its graph in the page: it needs no Graphviz at all.
    for args in (["--html", "r.html"], ["--format", "html"]):
        code, _, err = run(root, "--no-cache", "-q", *args, env=no_dot)
        assert code == ExitCode.FINDINGS, (args, err)
    assert "cytoscape" in (root / "r.html").read_text()
    code, out, _ = run(root, "--no-cache", "--format", "dot", env=no_dot)
    assert code == ExitCode.FINDINGS
    assert out.startswith("digraph")


# --- file modes ----------------------------------------------------------------------------


def test_output_files_respect_the_umask_and_keep_a_replaced_mode(write_tree: Tree) -> None:
    root = write_tree(SUITE)
    old = os.umask(0o022)
    try:
        run(root, "--no-cache", "-o", "new.txt", "--html", "r.html")
        assert stat.S_IMODE((root / "new.txt").stat().st_mode) == 0o644
        assert stat.S_IMODE((root / "r.html").stat().st_mode) == 0o644
        os.umask(0o077)
        run(root, "--no-cache", "-o", "private.txt")
        assert stat.S_IMODE((root / "private.txt").stat().st_mode) == 0o600
        (root / "shared.txt").write_text("old")
        (root / "shared.txt").chmod(0o664)
        run(root, "--no-cache", "-o", "shared.txt", "--format", "json")
        assert stat.S_IMODE((root / "shared.txt").stat().st_mode) == 0o664
        assert json.loads((root / "shared.txt").read_text())["schema"]
    finally:
        os.umask(old)
    assert [p.name for p in root.iterdir() if p.name.endswith(".tmp")] == []


def test_writes_stay_atomic_through_symlinks_and_in_place_for_devices(tmp_path: Path) -> None:
    target = tmp_path / "real.txt"
    target.write_text("old")
    target.chmod(0o640)
    (tmp_path / "link.txt").symlink_to(target)
    write_atomic(tmp_path / "link.txt", b"new")
    assert (tmp_path / "link.txt").is_symlink()
    assert target.read_text() == "new"
    assert stat.S_IMODE(target.stat().st_mode) == 0o640
    write_atomic(Path(os.devnull), b"discarded")
    assert stat.S_ISCHR(os.stat(os.devnull).st_mode)  # /dev/null is still the device


# --- counts --------------------------------------------------------------------------------


def test_items_count_parametrizations_like_pytest(write_tree: Tree) -> None:
    root = write_tree(
        {
            "pytest.ini": "[pytest]\n",
            "conftest.py": (
                "import pytest\n\n@pytest.fixture(params=[1, 2, 3])\ndef three(request): ...\n\n"
                "@pytest.fixture(params=['a', 'b'])\ndef two(request): ...\n\n"
                "@pytest.fixture\ndef plain(): ...\n\n"
                "@pytest.fixture(params=VALUES)\ndef computed(request): ...\n"
            ),
            "sub/conftest.py": "import pytest\n\n@pytest.fixture\ndef two(two): ...\n",
            "test_a.py": (
                "import pytest\n\n"
                "def test_one(plain): ...\n\n"  # 1
                "def test_fixture(three): ...\n\n"  # 3
                "@pytest.mark.parametrize('x', [1, 2])\n@pytest.mark.parametrize('y', [1, 2, 3, 4])\n"
                "def test_marks(x, y, three): ...\n\n"  # 2 * 4 * 3
                "@pytest.mark.parametrize('three', [9])\ndef test_direct(three): ...\n\n"  # 1: mark wins
                "@pytest.mark.parametrize('three', [7, 8], indirect=True)\n"
                "def test_indirect(three): ...\n\n"  # 2
                "@pytest.mark.parametrize('x', [])\ndef test_empty(x): ...\n"  # 1 (skipped item)
            ),
            "sub/test_b.py": "def test_chain(two): ...\n",  # the outer params through the override: 2
        }
    )
    report = build_report(scan_paths([root], ScanConfig(scan_plugins=False, cache=False)), analyze=False)
    assert count_items(report.scan, report.resolution).items == 1 + 3 + 24 + 1 + 2 + 1 + 2
    assert count_items(report.scan, report.resolution).exact
    (root / "test_c.py").write_text(
        "import pytest\n\n@pytest.mark.parametrize('x', CASES)\ndef test_c(x): ...\n"
    )
    (root / "test_d.py").write_text("def test_d(computed): ...\n")
    report = build_report(scan_paths([root], ScanConfig(scan_plugins=False, cache=False)), analyze=False)
    count = count_items(report.scan, report.resolution)
    assert (count.functions, count.items, count.uncounted) == (9, 36, 2)
    _, out, _ = run(root, "--no-cache")
    assert "tests: at least 36 items in 9 test functions (2 with parametrizations not counted" in out


@pytest.mark.parametrize("schema", ["1", "2"])
def test_json_summary_counts_items_next_to_test_functions(write_tree: Tree, schema: str) -> None:
    root = write_tree(
        {
            "pytest.ini": "[pytest]\n",
            "test_a.py": (
                "import pytest\n\n@pytest.mark.parametrize('x', [1, 2, 3])\ndef test_three(x): ...\n\n"
                "def test_one(): ...\n"
            ),
        }
    )
    _, out, _ = run(root, "--no-cache", "--format", "json", "--json-schema", schema)
    summary = json.loads(out)["summary"]
    assert (summary["tests"], summary["items"], summary["items_exact"]) == (2, 4, True)
    (root / "test_b.py").write_text(
        "import pytest\n\n@pytest.mark.parametrize('x', CASES)\ndef test_c(x): ...\n"
    )
    _, out, _ = run(root, "--no-cache", "--format", "json", "--json-schema", schema)
    summary = json.loads(out)["summary"]
    assert (summary["tests"], summary["items"], summary["items_exact"]) == (3, 5, False)  # kept when false


def test_plurals(write_tree: Tree) -> None:
    root = write_tree(
        {
            "pytest.ini": "[pytest]\n",
            "conftest.py": "import pytest\n\n@pytest.fixture\ndef one(): ...\n",
            "test_a.py": "def test_a(one): ...\n",
        }
    )
    _, out, _ = run(root, "--no-cache")
    assert "1 fixture analyzed, 0 circular dependencies" in out
    assert "tests: 1 item in 1 test function, 2 files scanned" in out
    assert "found 0 findings (0 errors, 0 warnings, 0 info)" in out
    _, out, _ = run(root, "--no-cache", "--format", "github")
    assert "1 fixture analyzed, 0 circular dependencies, 0 findings" in out


# --- help and rules ------------------------------------------------------------------------


def test_help_is_grouped_and_short() -> None:
    ungrouped = [p.name for p in scan.params if help_group(p) == OTHER and p.name not in ("debug", "paths")]
    assert ungrouped == []
    result = CliRunner().invoke(main, ["scan", "--help"], terminal_width=80)
    lines = result.output.splitlines()
    for title in HELP_GROUPS:
        assert f"{title}:" in lines
    assert len(lines) <= 80
    assert max(len(line) for line in lines) <= 80


@pytest.mark.parametrize("code", sorted(RULES))
def test_rule_explains_with_an_example_that_triggers_it_and_a_fix_that_does_not(
    tmp_path: Path, code: str
) -> None:
    doc = RULE_DOCS[code]
    result = CliRunner().invoke(main, ["rule", code.lower()])
    assert result.exit_code == 0
    assert result.output.startswith(f"{code} {RULES[code].name} ({RULES[code].severity.label} by default)")
    assert doc.example[0][1].splitlines()[1] in result.output
    for name, files in (("example", doc.example), ("fixed", doc.fixed)):
        root = tmp_path / name
        for rel, text in files:
            (root / rel).parent.mkdir(parents=True, exist_ok=True)
            (root / rel).write_text(text)
        if not any(rel in ("pytest.ini", "pyproject.toml") for rel, _ in files):
            (root / "pytest.ini").write_text("[pytest]\n")
        _, out, err = run(root, "--no-cache", "--format", "json", *doc.args)
        codes = {f["code"] for f in json.loads(out)["findings"]}
        assert (code in codes) is (name == "example"), (name, codes, err)


def test_rule_with_an_unknown_code_suggests_one() -> None:
    result = CliRunner().invoke(main, ["rule", "FG02"])
    assert result.exit_code == ExitCode.USAGE
    assert result.stderr.count("\n") == 1
    assert "did you mean FG012?" in result.stderr


# --- progress ------------------------------------------------------------------------------


def test_progress_names_each_phase_and_erases_itself() -> None:
    now = [0.0]
    out = Tty()
    bar = Progress(out, delay=1.0, clock=lambda: now[0])
    bar(3, 10)
    bar.draw()
    assert out.getvalue() == ""  # nothing before the delay
    now[0] = 2.0
    bar.draw()
    assert "scanning [" in out.getvalue()
    assert "3/10 files" in out.getvalue()
    with bar.phase("resolving 2 tests"):
        now[0] = 3.5
        bar.draw()
        assert out.getvalue().endswith("resolving 2 tests  1.5s")
        bar.echo("fixture-graph: warning: something")
        assert out.getvalue().endswith("\r\x1b[Kfixture-graph: warning: something\n")
    with bar.phase("running dot on 3 nodes for g.svg"):
        bar.draw()
        assert "running dot on 3 nodes" in out.getvalue().rsplit("\r", 1)[-1]
    bar.close()
    assert out.getvalue().endswith("\r\x1b[K")


# --- CI formats ----------------------------------------------------------------------------


def test_junit_validates_against_the_jenkins_xsd(write_tree: Tree) -> None:
    xmlschema = pytest.importorskip("xmlschema")
    schema = xmlschema.XMLSchema(str(Path(__file__).parent / "data" / "junit" / "junit-10.xsd"))
    root = write_tree(SUITE)
    code, out, _ = run(root, "--no-cache", "--format", "junit")
    assert code == ExitCode.FINDINGS
    schema.validate(out)
    data = schema.to_dict(out)
    cases = [c for s in data["testsuite"] for c in s["testcase"]]
    assert len(cases) == 3
    assert {c["failure"][0]["@type"] for c in cases} == {"FG001 error", "FG003 error", "FG006 info"}
    clean = root.parent / "clean"
    clean.mkdir()
    (clean / "pytest.ini").write_text("[pytest]\n")
    (clean / "test_ok.py").write_text("def test_ok(): ...\n")
    _, out, _ = run(clean, "--no-cache", "--format", "junit")
    schema.validate(out)
    assert schema.to_dict(out)["@failures"] == "0"


def test_junit_escapes_hostile_text(tmp_path: Path) -> None:
    xmlschema = pytest.importorskip("xmlschema")
    from helpers.hostile import write_hostile_tree

    schema = xmlschema.XMLSchema(str(Path(__file__).parent / "data" / "junit" / "junit-10.xsd"))
    root = write_hostile_tree(tmp_path / "hostile")
    _, text, _ = run(root, "--no-cache", "--format", "junit")
    schema.validate(text)
    assert "\u202e" not in text
    assert "<script>" not in text
    assert len(schema.to_dict(text)["testsuite"]) >= 3


GITLAB_SEVERITIES = {"info", "minor", "major", "critical", "blocker"}


def test_gitlab_code_quality_has_gitlab_s_required_fields(write_tree: Tree) -> None:
    root = write_tree(SUITE)
    _, out, _ = run(root, "--no-cache", "--format", "gitlab")
    issues = json.loads(out)
    assert len(issues) == 3
    for issue in issues:
        assert isinstance(issue["description"], str)
        assert issue["description"]
        assert issue["check_name"] in RULES
        assert re.fullmatch(r"[0-9a-f]{32}", issue["fingerprint"])
        assert issue["severity"] in GITLAB_SEVERITIES
        assert isinstance(issue["location"]["path"], str)
        assert isinstance(issue["location"]["lines"]["begin"], int)
        assert issue["location"]["lines"]["begin"] >= 1
    assert len({i["fingerprint"] for i in issues}) == 3
    moved = dict(SUITE, **{"tests/conftest.py": "\n\n" + SUITE["tests/conftest.py"]})
    _, again, _ = run(write_tree(moved), "--no-cache", "--format", "gitlab")
    assert {i["fingerprint"] for i in json.loads(again)} == {i["fingerprint"] for i in issues}


def test_github_step_summary_is_appended(write_tree: Tree) -> None:
    root = write_tree(SUITE)
    summary = root / "summary.md"
    summary.write_text("earlier step\n")
    code, _, _ = run(root, "--format", "github", env={"GITHUB_STEP_SUMMARY": str(summary)})
    assert code == ExitCode.FINDINGS
    text = summary.read_text()
    assert text.startswith("earlier step\n## fixture-graph")
    assert "circular dependency" in text
    assert "`tests/conftest.py:3`" in text
