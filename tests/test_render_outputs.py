"""The HTML file as text (self-contained, escaped), Markdown limits, and the CLI wiring."""

from __future__ import annotations

import json
import os
import re
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner
from helpers.render import (
    HOSTILE_DOC,
    HOSTILE_SCRIPT,
    copy_sample,
    scan_tree,
    with_analysis,
    write_cycle_suite,
    write_hostile_suite,
    write_synthetic_suite,
)

from fixture_graph.analyze.findings import Analysis, Finding, Severity
from fixture_graph.cli import ExitCode, main
from fixture_graph.render import GRAPH_RENDERERS, RENDERERS
from fixture_graph.render import html as html_module
from fixture_graph.render.html import render_html, templates_dir
from fixture_graph.render.markdown import COMMENT_LIMIT, render_markdown
from fixture_graph.render.svg import GraphvizMissing, RenderError
from fixture_graph.render.view import GraphOptions, GraphView

needs_dot = pytest.mark.skipif(shutil.which("dot") is None, reason="Graphviz 'dot' is not installed")


def island(html: str) -> dict[str, object]:
    match = re.search(r'<script type="application/json" id="fg-data">(.*?)</script>', html, re.S)
    assert match is not None
    return json.loads(match.group(1))  # type: ignore[no-any-return]


def no_dot(view: GraphView, timeout: float) -> str:
    raise GraphvizMissing()


# ---- HTML as text ---------------------------------------------------------------------------


def test_html_is_self_contained(tmp_path: Path) -> None:
    html = render_html(scan_tree(copy_sample(tmp_path)))
    assert "<link" not in html
    assert not re.search(r"\ssrc=", html)
    urls = set(re.findall(r"https?://[^\s\"'<>)]+", html))
    assert urls <= {"http://www.w3.org/2000/svg", "http://www.w3.org/1999/xlink"}  # XML namespaces
    assert "default-src 'none'" in html  # the CSP forbids every fetch, too
    assert html.count("<script") == 2


def test_html_escapes_hostile_text_everywhere(tmp_path: Path) -> None:
    html = render_html(scan_tree(write_hostile_suite(tmp_path / "h")))
    assert HOSTILE_DOC not in html
    assert "<b>" not in html
    assert html.count("</script>") == 2  # the island's and the script's own closing tags
    data = island(html)
    docs = {f["doc"] for f in data["fixtures"]}  # type: ignore[attr-defined,index]
    assert HOSTILE_DOC in docs
    assert HOSTILE_SCRIPT in docs
    assert "&lt;img src=x onerror=alert(1)&gt;" in html  # in the SVG tooltip, as text


def test_html_without_graphviz_has_a_notice_and_all_data(tmp_path: Path) -> None:
    report = scan_tree(copy_sample(tmp_path))
    html = render_html(report, make_svg=no_dot)
    assert "<svg" not in html
    assert 'id="fg-graph-notice"' in html
    assert "apt: graphviz" in html
    assert len(island(html)["fixtures"]) >= len(report.user_fixtures)  # type: ignore[arg-type]


def test_html_findings_tables_and_cards(tmp_path: Path) -> None:
    report = scan_tree(write_cycle_suite(tmp_path / "c"))
    finding = Finding("FG001", Severity.ERROR, "circular <dependency>", "conftest.py", 3, "conftest.py::a")
    report = with_analysis(report, Analysis(findings=(finding,), rules_run=("FG001",)))
    html = render_html(report, make_svg=no_dot)
    assert "circular &lt;dependency&gt;" in html
    assert re.search(r'id="card-cycles"><div class="num">2</div>', html)
    fixtures = island(html)["fixtures"]
    a = next(f for f in fixtures if f["id"] == "conftest.py::a")  # type: ignore[attr-defined,index]
    assert a["findings"] == ["FG001 error: circular <dependency>"]


def test_templates_are_found_in_a_checkout_and_in_a_wheel_layout(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert templates_dir() == Path(__file__).resolve().parent.parent / "templates"
    wheel = tmp_path / "site-packages" / "fixture_graph"
    shutil.copytree(templates_dir(), wheel / "templates")
    (wheel / "render").mkdir()
    monkeypatch.setattr(html_module, "__file__", str(wheel / "render" / "html.py"))
    assert templates_dir() == wheel / "templates"
    shutil.rmtree(wheel / "templates")
    with pytest.raises(RenderError, match="templates are missing"):
        templates_dir()


# ---- Markdown -------------------------------------------------------------------------------


def test_markdown_stays_under_the_comment_limit_and_says_what_it_left_out(tmp_path: Path) -> None:
    report = scan_tree(write_synthetic_suite(tmp_path / "big", fixtures=600, per_file=50))
    findings = tuple(
        Finding(
            "FG006" if i % 3 else "FG002",
            Severity.INFO if i % 3 else Severity.ERROR,
            f"finding {i} about {f.name} " + "x" * 200,
            f.file,
            f.line,
            f.id,
        )
        for i, f in enumerate(report.user_fixtures)
    )
    report = with_analysis(report, Analysis(findings=findings))
    text = render_markdown(report)
    assert len(text) <= COMMENT_LIMIT
    assert "more findings not shown" in text
    assert "the diagram shows" in text
    rows = [ln for ln in text.splitlines() if ln.startswith("| ")]
    severities = [ln.split("|")[1].strip() for ln in rows[3:]]  # after the summary and the header
    assert severities[0].endswith("error")
    assert all(s.endswith("error") for s in severities[: len(findings) // 3])  # worst first


def test_markdown_escapes_hostile_names_in_mermaid_and_tables(tmp_path: Path) -> None:
    report = scan_tree(write_hostile_suite(tmp_path / "h"))
    symbol = next(f.id for f in report.user_fixtures if f.name.startswith('q"'))
    finding = Finding("FG006", Severity.INFO, "unused: <b>|</b> @team", "conftest.py", 12, symbol)
    text = render_markdown(with_analysis(report, Analysis(findings=(finding,))), GraphOptions())
    diagram = text.split("```mermaid", 1)[1].split("```", 1)[0]
    for line in diagram.splitlines():
        if '["' in line:
            label = line.split('["', 1)[1].rsplit('"]', 1)[0]
            assert '"' not in label
            assert "<b>" not in label
    assert "unused: \\<b>\\|\\</b> \\@team" in text


def test_markdown_svg_url_is_quoted(tmp_path: Path) -> None:
    report = scan_tree(write_cycle_suite(tmp_path / "c"))
    text = render_markdown(report, GraphOptions(svg_url="https://ci.example/a b)<x>.svg"))
    assert "[Full graph (SVG)](<https://ci.example/a%20b%29%3Cx%3E.svg>)" in text


# ---- CLI ------------------------------------------------------------------------------------


def run(root: Path, *args: str, env: dict[str, str] | None = None) -> tuple[int, str, str]:
    cwd = os.getcwd()
    os.chdir(root)
    try:
        result = CliRunner().invoke(main, ["--no-plugins", *args], env=env)
    finally:
        os.chdir(cwd)
    return result.exit_code, result.stdout, result.stderr


def test_every_graph_format_is_registered() -> None:
    assert set(GRAPH_RENDERERS) == {"dot", "svg", "html", "markdown", "graphml", "node-link"}
    assert set(GRAPH_RENDERERS) <= set(RENDERERS)


@needs_dot
def test_cli_writes_html_svg_and_dot_beside_the_main_output(tmp_path: Path) -> None:
    root = copy_sample(tmp_path)
    code, out, err = run(
        root, "--html", "out/r.html", "--svg", "out/g.svg", "--dot", "out/g.dot", "--format", "markdown"
    )
    assert code == ExitCode.OK
    assert out.startswith("## fixture-graph")
    for name in ("r.html", "g.svg", "g.dot"):
        assert (root / "out" / name).stat().st_size > 1000
        assert f"wrote out/{name}" in err
    assert "rankdir=LR" in (root / "out" / "g.dot").read_text()


def test_cli_view_options_and_their_errors(tmp_path: Path) -> None:
    root = copy_sample(tmp_path)
    code, out, _ = run(root, "--format", "dot", "--focus", "db_engine", "--depth", "1", "--rankdir", "TB")
    assert code == ExitCode.OK
    assert "rankdir=TB" in out
    assert '"tests/conftest.py::mock_db"' not in out
    code, out, _ = run(root, "--format", "dot", "--scope", "session", "--exclude-fixture", "db_*")
    assert code == ExitCode.OK
    assert '"tests/conftest.py::db_engine"' not in out
    assert '"tests/conftest.py::settings"' in out
    code, _, err = run(root, "--format", "dot", "--focus", "setings")
    assert code == ExitCode.USAGE
    assert "did you mean settings" in err
    code, _, err = run(root, "--format", "dot", "--depth", "2")
    assert code == ExitCode.USAGE
    assert "--depth needs --focus" in err


def test_cli_without_graphviz(tmp_path: Path) -> None:
    root = write_cycle_suite(tmp_path / "c")
    no_path = {"PATH": str(tmp_path / "empty")}
    code, out, err = run(root, "--format", "dot", "--html", "r.html", "--svg", "g.svg", env=no_path)
    assert code == ExitCode.USAGE  # the SVG was asked for and could not be made
    assert out.startswith("digraph fixtures {")  # DOT needs no Graphviz
    assert "choco: graphviz" in err
    assert "r.html is written without its graph" in err
    assert 'id="fg-graph-notice"' in (root / "r.html").read_text()
    assert not (root / "g.svg").exists()
    code, _, err = run(root, "--format", "svg", env=no_path)
    assert code != ExitCode.OK
    assert "apt: graphviz" in err


def test_cli_exports(tmp_path: Path) -> None:
    root = write_cycle_suite(tmp_path / "c")
    code, out, _ = run(root, "--format", "node-link")
    assert code == ExitCode.FINDINGS  # the cycle still sets the exit code
    assert {n["id"] for n in json.loads(out)["nodes"]} >= {"conftest.py::a", "conftest.py::b"}
    code, out, _ = run(root, "--format", "graphml")
    assert out.startswith("<graphml")
