"""DOT views, escaping through the real ``dot``, the SVG, the missing-Graphviz path and exports."""

from __future__ import annotations

import json
import re
import shutil
import xml.etree.ElementTree as ET
from pathlib import Path

import networkx as nx
import pytest
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

from fixture_graph.render.dot import render_dot
from fixture_graph.render.escape import dot_string, md_code, md_text, mermaid_label
from fixture_graph.render.export import render_graphml, render_node_link
from fixture_graph.render.svg import INSTALL_HINT, GraphvizMissing, RenderError, dot_to_svg, render_svg
from fixture_graph.render.view import GraphOptions, ViewError, build_view
from fixture_graph.report import Report

needs_dot = pytest.mark.skipif(shutil.which("dot") is None, reason="Graphviz 'dot' is not installed")
SVG = "{http://www.w3.org/2000/svg}"
XLINK_TITLE = "{http://www.w3.org/1999/xlink}title"


@pytest.fixture
def sample(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Report:
    report = scan_tree(copy_sample(tmp_path))
    monkeypatch.chdir(report.scan.rootdir)  # labels and tooltips print paths from the working directory
    return report


def node_keys(dot: str) -> set[str]:
    """Fixture ids declared as nodes in a DOT text (legend entries left out)."""
    keys = set(re.findall(r'^\s+"((?:[^"\\]|\\.)*)" \[id="(?:fx|t|m)-', dot, flags=re.M))
    return {k.replace('\\"', '"').replace("\\\\", "\\") for k in keys}


def svg_nodes(svg: str) -> dict[str, ET.Element]:
    root = ET.fromstring(svg)
    return {g.get("id", ""): g for g in root.iter(f"{SVG}g") if g.get("class") == "node"}


# ---- views ----------------------------------------------------------------------------------


def test_default_view_draws_every_user_fixture_and_what_they_reach(sample: Report) -> None:
    dot = render_dot(sample)
    user = {f.id for f in sample.user_fixtures}
    keys = node_keys(dot)
    assert user <= keys
    assert keys - user == {"builtin::monkeypatch", "builtin::tmp_path_factory"}
    assert "builtin::capsys" not in keys  # a builtin nothing asks for stays out


def test_clusters_are_defining_modules_with_conftests_labelled_by_directory(sample: Report) -> None:
    dot = render_dot(sample)
    labels = re.findall(r'graph \[id="cluster-\d+", label="([^"]*)"', dot)
    assert "tests/unit/ (conftest)" in labels
    assert "tests/integration/ (conftest)" in labels
    assert "tests/conftest_services.py" in labels
    assert labels == sorted(labels, key=lambda label: labels.index(label))  # stable order
    assert "pytest builtins" in labels


def test_styles_follow_scope_impact_autouse_and_guards(sample: Report) -> None:
    dot = render_dot(sample)
    lines = {key: line for line in dot.splitlines() for key in node_keys(line + "\n")}
    settings = lines["tests/conftest.py::settings"]
    assert 'fillcolor="#f4a261"' in settings  # session
    engine = lines["tests/conftest.py::db_engine"]
    assert "penwidth=3" in engine
    assert "dashed" in engine
    assert "peripheries=2" in lines["tests/conftest.py::isolate_environment"]  # autouse
    dynamic = [ln for ln in dot.splitlines() if "getfixturevalue" in ln]
    assert dynamic
    assert all("style=dashed" in ln for ln in dynamic)


def test_focus_with_depth_keeps_only_neighbours(sample: Report) -> None:
    one = build_view(sample, GraphOptions(focus="db_engine", depth=1))
    assert one.shown_fixtures == {
        "tests/conftest.py::db_engine",
        "tests/conftest.py::database_url",
        "tests/conftest.py::db_connection",
        "tests/conftest.py::app_instance",
    }
    every = build_view(sample, GraphOptions(focus="db_engine"))
    assert one.shown_fixtures < every.shown_fixtures
    # db_engine -> database_url -> settings -> config
    assert "tests/conftest.py::config" in every.shown_fixtures
    assert "tests/conftest.py::mock_db" not in every.shown_fixtures


def test_focus_on_unknown_name_suggests(sample: Report) -> None:
    with pytest.raises(ViewError, match="did you mean settings"):
        build_view(sample, GraphOptions(focus="setings"))


def test_test_view_is_that_tests_closure(sample: Report) -> None:
    nodeid = "tests/e2e/test_checkout_e2e.py::test_checkout_page_renders"
    view = build_view(sample, GraphOptions(test="test_checkout_page_renders"))
    resolved = next(t for t in sample.resolution.tests if t.nodeid == nodeid)
    assert view.shown_fixtures == set(resolved.closure_defs)
    assert [n.key for n in view.nodes if n.kind == "test"] == [nodeid]
    assert any(e.source == nodeid for e in view.edges)
    with pytest.raises(ViewError, match="no test"):
        build_view(sample, GraphOptions(test="test_nothing_like_it"))


def test_scope_and_exclude_filters(sample: Report) -> None:
    session = build_view(sample, GraphOptions(scopes=("session",)))
    fixtures = {f.id: f for f in sample.scan.fixtures}
    assert session.shown_fixtures
    assert {fixtures[k].scope_label for k in session.shown_fixtures} == {"session"}
    no_mocks = build_view(sample, GraphOptions(exclude=("mock_*",)))
    assert not any(fixtures[k].name.startswith("mock_") for k in no_mocks.shown_fixtures)
    assert any("excluded" in note for note in no_mocks.notes)


def test_rankdir_and_collapse(sample: Report) -> None:
    assert "rankdir=TB" in render_dot(sample, GraphOptions(rankdir="TB"))
    collapsed = build_view(sample, GraphOptions(collapse="module"))
    assert collapsed.collapsed
    assert all(n.kind == "module" for n in collapsed.nodes)
    members = sorted(m for n in collapsed.nodes for m in n.members)
    assert members == sorted(collapsed.shown_fixtures)
    services = next(n for n in collapsed.nodes if n.name == "tests/conftest_services.py")
    assert services.scope == "session"  # the widest scope inside
    assert all(e.count >= 1 for e in collapsed.edges)
    with pytest.raises(ViewError):
        build_view(sample, GraphOptions(rankdir="diagonal"))


def test_auto_collapse_above_the_node_budget(tmp_path: Path) -> None:
    report = scan_tree(write_synthetic_suite(tmp_path / "big", fixtures=400, per_file=50))
    view = build_view(report, GraphOptions())
    assert view.collapsed
    assert len(view.nodes) == 8
    assert any("budget" in note for note in view.notes)
    assert not build_view(report, GraphOptions(collapse="none")).collapsed
    assert not build_view(report, GraphOptions(max_nodes=1000)).collapsed


def test_past_the_budget_even_collapsed_the_findings_subgraph_is_drawn_and_named(tmp_path: Path) -> None:
    from fixture_graph.analyze.findings import Analysis, Finding, Location, Severity

    report = scan_tree(write_synthetic_suite(tmp_path / "big", fixtures=400, per_file=2))
    by_id = {f.id: f for f in report.scan.fixtures}
    outer, inner = by_id["tests/pkg7/conftest.py::p7_f1"], by_id["tests/pkg7/conftest.py::p7_f0"]
    mismatch = Finding(
        "FG002",
        Severity.ERROR,
        "scope mismatch",
        outer.file,
        outer.line,
        outer.id,
        related=(Location(outer.file, outer.line, outer.name), Location(inner.file, inner.line, inner.name)),
    )
    report = with_analysis(report, Analysis(findings=(mismatch,)))
    view = build_view(report, GraphOptions(max_nodes=20))
    shown = {n.key for n in view.nodes}
    assert {outer.id, inner.id} <= shown  # the mismatch's two ends ...
    assert "tests/conftest.py::p0_f0" in shown  # ... and their neighbours
    assert len(shown) <= 20
    assert view.left_out is not None
    assert "400 fixtures in 200 modules" in view.left_out
    assert "are left out" in view.left_out
    dot = render_dot(report, GraphOptions(max_nodes=20))
    assert "labelloc=t" in dot
    assert "are left out" in dot
    # Without any finding, the most used fixtures are drawn, and the note says so.
    plain = build_view(with_analysis(report, Analysis()), GraphOptions(max_nodes=20))
    assert len(plain.nodes) == 20
    assert plain.left_out
    assert "most tests use" in plain.left_out


def test_cycle_edges_are_red_including_a_self_request(tmp_path: Path) -> None:
    report = scan_tree(write_cycle_suite(tmp_path / "c"))
    dot = render_dot(report)
    red = {ln.split(" [")[0].strip() for ln in dot.splitlines() if "->" in ln and "#d62828" in ln}
    assert red == {
        '"conftest.py::a" -> "conftest.py::b"',
        '"conftest.py::b" -> "conftest.py::c"',
        '"conftest.py::c" -> "conftest.py::a"',
        '"conftest.py::x" -> "conftest.py::x"',
    }
    assert '"conftest.py::c" -> "conftest.py::helper"' in dot


# ---- escaping -------------------------------------------------------------------------------


@needs_dot
@pytest.mark.parametrize(
    "text",
    [
        HOSTILE_DOC,
        HOSTILE_SCRIPT,
        'q"uote {brace} \\N \\l back\\slash &amp; &lt;',
        "two\nlines\r\nand\ttab",
        "ends with a backslash\\",
        "\x00control\x1fchars\ufffe",
    ],
)
def test_dot_strings_render_literally_through_graphviz(text: str) -> None:
    attrs = f"label={dot_string(text)}, tooltip={dot_string(text, tooltip=True)}"
    dot = f'digraph g {{ n [id="n", {attrs}]; }}'
    svg = dot_to_svg(dot, timeout=30)
    node = svg_nodes(svg)["n"]
    shown = "\n".join(t.text or "" for t in node.iter(f"{SVG}text"))
    tooltip = next(a.get(XLINK_TITLE) for a in node.iter(f"{SVG}a"))
    expected = text.replace("\r\n", "\n").replace("\t", "    ")
    expected = re.sub("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe]", "", expected)
    assert shown.replace("\xa0", " ") == expected  # graphviz keeps runs of spaces as nbsp
    assert tooltip.replace("\xa0", " ") == expected


def test_mermaid_and_markdown_escaping() -> None:
    label = mermaid_label('a"b<script>&\n]x[')
    assert label.startswith('"')
    assert label.endswith('"')
    inner = label[1:-1]
    assert '"' not in inner
    assert "<script" not in inner
    assert "&" not in inner.replace("#", "")
    assert "<br/>" in inner
    assert md_text("a|b <img> @team *x*") == "a\\|b \\<img> \\@team \\*x\\*"
    assert md_code("x|y") == "`x\\|y`"
    assert md_code("has `tick`") == "``has `tick` ``" or md_code("has `tick`").startswith("``")


@needs_dot
def test_hostile_suite_dot_and_svg_stay_well_formed(tmp_path: Path) -> None:
    report = scan_tree(write_hostile_suite(tmp_path / "h"), env=())
    dot = render_dot(report)
    assert "<script>" in dot  # kept as text: DOT strings are quoted, not markup
    svg = render_svg(report)
    nodes = svg_nodes(svg)
    shown = {"\n".join(t.text or "" for t in g.iter(f"{SVG}text")) for g in nodes.values()}
    assert any('q"uote{brace}<b>&amp;\\back' in s for s in shown)
    tooltips = " ".join(a.get(XLINK_TITLE) or "" for g in nodes.values() for a in g.iter(f"{SVG}a"))
    assert HOSTILE_DOC in tooltips
    assert HOSTILE_SCRIPT in tooltips
    assert "<script" not in svg.replace("&lt;script", "")  # only ever as escaped text


# ---- SVG ------------------------------------------------------------------------------------


@needs_dot
def test_svg_parses_and_has_a_node_for_every_fixture(sample: Report) -> None:
    svg = render_svg(sample)
    view = build_view(sample, GraphOptions())
    nodes = svg_nodes(svg)
    titles = {g.findtext(f"{SVG}title") for g in nodes.values()}
    assert view.shown_fixtures <= titles
    assert {f.id for f in sample.user_fixtures} <= titles
    assert "<!--" not in svg
    assert "DOCTYPE" not in svg


def test_missing_dot_names_the_package_and_dot_still_works(
    sample: Report, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PATH", "")
    with pytest.raises(GraphvizMissing) as caught:
        render_svg(sample)
    message = str(caught.value)
    assert message == INSTALL_HINT
    assert "apt: graphviz" in message
    assert "brew: graphviz" in message
    assert "choco: graphviz" in message
    assert render_dot(sample).startswith("digraph fixtures {")


@needs_dot
def test_dot_time_limit_and_failures_are_render_errors() -> None:
    with pytest.raises(RenderError, match="dot failed"):
        dot_to_svg("digraph { this is not dot ", timeout=30)
    big = "digraph g {" + " ".join(f"n{i} -> n{(i * 7919) % 3000};" for i in range(3000)) + "}"
    with pytest.raises(RenderError, match="longer than"):
        dot_to_svg(big, timeout=0.05)


# ---- exports --------------------------------------------------------------------------------


def test_graphml_and_node_link_read_back_into_networkx(tmp_path: Path) -> None:
    report = scan_tree(write_cycle_suite(tmp_path / "c"))
    graphml = tmp_path / "g.graphml"
    graphml.write_text(render_graphml(report), encoding="utf-8")
    from_xml = nx.read_graphml(graphml)
    from_json = nx.node_link_graph(json.loads(render_node_link(report)), edges="edges")
    ids = {f.id for f in report.scan.fixtures}
    for graph in (from_xml, from_json):
        assert set(graph.nodes) == ids
        assert graph.has_edge("conftest.py::c", "conftest.py::a")
        assert graph.edges["conftest.py::c", "conftest.py::a"]["cycle"] is True
        assert graph.edges["conftest.py::c", "conftest.py::helper"]["cycle"] is False
        assert graph.nodes["conftest.py::a"]["docstring"] == "First link."


def test_graphml_survives_hostile_text(tmp_path: Path) -> None:
    report = scan_tree(write_hostile_suite(tmp_path / "h"))
    graph = nx.parse_graphml(render_graphml(report))
    docs = {data.get("docstring") for _, data in graph.nodes(data=True)}
    assert HOSTILE_DOC in docs
    assert HOSTILE_SCRIPT in docs
