"""The HTML report in a real browser: headless Chromium opens it from a file URL (offline).

On the sample suite and on a generated suite of 5,000 fixtures: the overview is drawn, a
directory expands, the search filters the graph and the tables, a fixture opens its
neighbourhood, a test shows its closure with the reason for each fixture (checked against the
resolver's closure for every test), deep links, keyboard focus, the dark theme, and axe-core
finds no serious or critical violation. Hostile docstrings stay inert, and every Mermaid
diagram fixture-graph writes renders with the real mermaid. Screenshots are kept under
``out/browser/`` (their paths are printed). Skipped, with the reason, only where no Chromium can
be installed.
"""

from __future__ import annotations

import gzip
import os
import re
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from bench.synth import fixture_rich_spec, generate_suite
from helpers.browser import chromium, missing_reason
from helpers.render import (
    HOSTILE_DOC,
    HOSTILE_SCRIPT,
    copy_sample,
    cycle_findings,
    sample_analysis,
    scan_tree,
    with_analysis,
    write_cycle_suite,
    write_hostile_suite,
)

from fixture_graph.analyze.findings import Analysis, Finding, Severity
from fixture_graph.render.html import render_html
from fixture_graph.render.markdown import render_markdown
from fixture_graph.report import Report

ARTIFACTS = Path(__file__).resolve().parent.parent / "out" / "browser"
MERMAID = Path(__file__).resolve().parent / "vendor" / "mermaid" / "mermaid.min.js.gz"
WHY_NOT = missing_reason()
pytestmark = pytest.mark.skipif(WHY_NOT is not None, reason=f"NO BROWSER TEST: {WHY_NOT}")


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    with chromium() as launched:
        yield launched


@pytest.fixture
def page(browser: Any) -> Iterator[Any]:
    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    page = context.new_page()
    page.errors = []
    page.dialogs = []
    page.on("pageerror", lambda exc: page.errors.append(str(exc)))
    page.on("console", lambda msg: page.errors.append(msg.text) if msg.type in ("error", "warning") else None)
    page.on("dialog", lambda dialog: (page.dialogs.append(dialog.message), dialog.dismiss()))
    page.on(
        "request",
        lambda req: page.errors.append(f"network: {req.url}") if not req.url.startswith("file:") else None,
    )
    yield page
    context.close()


def open_report(page: Any, report: Report, path: Path, fragment: str = "") -> float:
    before = os.getcwd()
    os.chdir(report.scan.rootdir)  # the page prints paths from the working directory: the rootdir's
    try:
        path.write_text(render_html(report), encoding="utf-8")
    finally:
        os.chdir(before)
    started = time.perf_counter()
    page.goto(path.as_uri() + fragment)
    page.wait_for_function("window.fixtureGraph && window.fixtureGraph.ready")
    return time.perf_counter() - started


def screenshot(page: Any, name: str) -> Path:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    target = ARTIFACTS / f"{name}.png"
    page.screenshot(path=str(target))
    print(f"screenshot: {target}")
    return target


def state(page: Any) -> dict[str, Any]:
    return page.evaluate("window.fixtureGraph.state()")  # type: ignore[no-any-return]


def node_classes(page: Any, cls: str) -> set[str]:
    """Fixture ids of the drawn nodes carrying ``cls``."""
    return set(
        page.evaluate(
            "(cls) => window.fixtureGraph.cy.nodes('.' + cls).filter(n => n.data('fx') !== undefined)"
            ".map(n => window.fixtureGraph.ids[n.data('fx')])",
            cls,
        )
    )


def click_node(page: Any, node_id: str) -> None:
    """A real mouse click on a drawn node (its rendered position on the canvas)."""
    pos = page.evaluate(
        "(id) => { const n = window.fixtureGraph.cy.getElementById(id); const p = n.renderedPosition(); "
        "return [p.x, p.y]; }",
        node_id,
    )
    box = page.locator("#fg-graph").bounding_box()
    page.mouse.click(box["x"] + pos[0], box["y"] + pos[1])


def group_node(page: Any, label: str) -> str:
    """The id of the collapsed box of the directory or file ``label``."""
    found = page.evaluate(
        "(label) => window.fixtureGraph.cy.nodes('.group')"
        ".filter(n => n.data('label').split('\\n')[0] === label).map(n => n.id())",
        label,
    )
    assert found, f"no collapsed box {label!r}"
    return str(found[0])


def neighbourhood(start: str, adjacency: dict[str, tuple[str, ...]], depth: int) -> set[str]:
    seen, frontier = {start}, [start]
    for _ in range(depth):
        frontier = [n for f in frontier for n in adjacency.get(f, ()) if n not in seen]
        seen.update(frontier)
    return seen - {start}


def axe_violations(page: Any) -> list[str]:
    """Serious and critical axe-core findings (axe-core from the axe-playwright-python wheel)."""
    from axe_playwright_python.sync_playwright import Axe

    results = Axe().run(page).response
    return [
        f"{v['id']} ({v['impact']}): {v['help']} x{len(v['nodes'])}"
        for v in results["violations"]
        if v["impact"] in ("serious", "critical")
    ]


def check_tree_against_resolution(page: Any, report: Report, limit: int | None = None) -> int:
    """The page's closure of each test is the resolver's ``closure_defs`` (sorted ids)."""
    tests = sorted(report.resolution.tests, key=lambda t: t.nodeid)[:limit]
    page_closures = page.evaluate(
        "(ids) => ids.map(id => window.fixtureGraph.closureOf(id))", [t.nodeid for t in tests]
    )
    from fixture_graph.render.view import build_index

    base = build_index(report).base
    for rt, got in zip(tests, page_closures, strict=True):
        assert got == sorted(set(rt.closure_defs) & base), rt.nodeid
    return len(tests)


# ---- the sample suite -------------------------------------------------------------------------


def test_sample_report_explore_search_select_test_view_links_keys_and_axe(page: Any, tmp_path: Path) -> None:
    from fixture_graph.render.view import build_index, used_by

    report = scan_tree(copy_sample(tmp_path))
    report = with_analysis(report, sample_analysis(report))
    html = tmp_path / "report.html"
    open_report(page, report, html)
    index = build_index(report)
    total = len(index.base)
    tests = len(report.scan.tests)

    # the overview: directories and files, drawn
    assert page.inner_text("#fg-count") == f"{total} fixtures, {tests} tests"
    assert state(page)["mode"] == "overview"
    assert page.evaluate("window.fixtureGraph.cy.nodes().length") > 5
    assert page.locator("#fg-t-fixtures tbody tr").count() == min(total, 50)  # one page
    screenshot(page, "sample-overview")

    # collapse the tests/unit/ directory, then open it again with a click
    page.evaluate(
        "window.fixtureGraph.cy.getElementById(window.fixtureGraph.cy.nodes('.open')"
        ".filter(n => n.data('label') === 'tests/unit/')[0].id()).emit('tap') && null"
    )
    unit = group_node(page, "unit/")
    click_node(page, unit)
    assert "tests/unit/" in state(page)["expanded"]
    assert "tests/unit/" in page.evaluate("window.fixtureGraph.cy.nodes('.open').map(n => n.data('label'))")
    assert group_node(page, "conftest.py")  # its files show as boxes inside it

    # typing filters every table and marks the matching boxes
    page.fill("#fg-search", "mock_")
    expected = {
        fid
        for fid in index.base
        if "mock_" in f"{index.fixtures[fid].name}\n{fid}\n{index.fixtures[fid].file}".lower()
    }
    assert page.inner_text("#fg-fixture-count") == f"{len(expected)} of {total}"
    assert page.locator("#fg-t-fixtures tbody tr").count() == len(expected)
    drawn = {fid for fid in index.base if fid in node_classes(page, "fixture")}
    assert node_classes(page, "match") == expected & drawn
    assert page.evaluate("window.fixtureGraph.cy.nodes('.match').length") >= 1
    screenshot(page, "sample-search")
    page.fill("#fg-search", "")

    # a filter narrows the table and the graph
    page.select_option("#fg-f-scope", "session")
    session = {fid for fid in index.base if index.fixtures[fid].scope_label == "session"}
    assert page.locator("#fg-t-fixtures tbody tr").count() == len(session)
    page.click("#fg-f-reset")

    # selecting a fixture draws its neighbourhood to the chosen depth, zoomed, with a breadcrumb
    target = "tests/conftest.py::settings"
    page.evaluate("(id) => window.fixtureGraph.selectFixture(id)", target)
    assert state(page) == {**state(page), "mode": "fixture", "selected": target}
    assert node_classes(page, "sel") == {target}
    assert node_classes(page, "dep") == neighbourhood(target, index.deps, 2) & index.base
    assert node_classes(page, "rdep") == neighbourhood(target, index.dependents, 2) & index.base
    assert page.inner_text("#fg-crumbs").split("\n")[-1] == "settings"
    assert "Overview" in page.inner_text("#fg-crumbs")
    assert page.inner_text("#fg-d-id") == target
    assert page.inner_text("#fg-d-scope") == "session"
    assert "tests/unit/test_settings.py::TestSettingsOverrides::settings" in page.inner_text(
        "#fg-d-overrides"
    )
    assert page.url.endswith("#fixture=" + target.replace("/", "%2F").replace(":", "%3A"))
    page.select_option("#fg-depth", "1")
    assert node_classes(page, "rdep") == set(index.dependents[target]) & index.base
    screenshot(page, "sample-selected")

    # a click on a dependency's box moves there
    dep = sorted(node_classes(page, "dep"))[0]
    click_node(page, "f" + str(page.evaluate("(id) => window.fixtureGraph.ids.indexOf(id)", dep)))
    assert state(page)["selected"] == dep

    # the test view: the closure as a tree with the reason for each fixture
    nodeid = "tests/e2e/test_full_stack.py::test_search_results_page"
    page.locator("#fg-search").fill("test_search_results_page")
    page.locator("#fg-t-alltests button.fx").first.click()
    assert state(page)["test"] == nodeid
    tree = page.inner_text("#fg-t-tree")
    assert "requested by the test (argument)" in tree
    assert "autouse, from tests/conftest_base.py" in tree
    assert "requested by search_index" in tree
    screenshot(page, "sample-test-view")
    assert check_tree_against_resolution(page, report) == tests  # every test's closure
    page.fill("#fg-search", "")

    # deep links open a fixture or a test
    page.goto(html.as_uri() + "#test=" + nodeid)
    page.wait_for_function("window.fixtureGraph && window.fixtureGraph.ready")
    assert state(page)["test"] == nodeid
    page.goto(html.as_uri() + "#fixture=tests/conftest.py::db_engine")
    page.wait_for_function("window.fixtureGraph && window.fixtureGraph.ready")
    assert state(page)["selected"] == "tests/conftest.py::db_engine"
    assert "USE_REAL_SERVICES" in page.inner_text("#fg-d-guards")

    # the keyboard: Escape goes back, / searches, the graph takes focus, arrows move, Enter opens
    page.keyboard.press("Escape")
    assert state(page)["mode"] == "overview"
    page.keyboard.press("/")
    assert page.evaluate("document.activeElement.id") == "fg-search"
    page.focus("#fg-graph")
    assert page.evaluate("document.activeElement.id") == "fg-graph"
    page.keyboard.press("ArrowRight")
    focused = page.evaluate("window.fixtureGraph.cy.nodes('.kbd').map(n => n.id())")
    assert len(focused) == 1
    assert page.inner_text("#fg-status").startswith("focused: ")
    page.keyboard.press("ArrowDown")
    before = state(page)
    page.keyboard.press("Enter")  # opens or closes the focused box, or selects its fixture
    assert state(page) != before

    # sorting ("used by", most first) and paging
    page.keyboard.press("Escape")
    used = dict(report.analysis.fan_in) or used_by(report)
    page.locator("#fg-t-fixtures th", has_text="used by").click()
    first = page.locator("#fg-t-fixtures tbody tr td:nth-child(4)").first.inner_text()
    assert int(first) == max(used.get(fid, 0) for fid in index.base)
    assert page.locator("#fg-t-alltests tbody tr").count() == min(tests, 50)

    assert axe_violations(page) == []
    page.click("#fg-theme")
    page.click("#fg-theme")  # auto -> light -> dark
    assert page.evaluate("document.documentElement.dataset.theme") == "dark"
    assert axe_violations(page) == []
    screenshot(page, "sample-dark")
    assert page.errors == []


def test_hostile_docstrings_stay_text_and_run_no_script(page: Any, tmp_path: Path) -> None:
    report = scan_tree(write_hostile_suite(tmp_path / "hostile"))
    open_report(page, report, tmp_path / "hostile.html")
    page.locator("#fg-t-fixtures button.fx", has_text="evil_doc").click()
    assert page.inner_text("#fg-d-doc") == HOSTILE_DOC
    page.locator("#fg-t-fixtures button.fx", has_text="evil_script").click()
    assert page.inner_text("#fg-d-doc") == HOSTILE_SCRIPT
    page.fill("#fg-search", "evil")
    assert page.evaluate("window.fixtureGraph.cy.nodes().map(n => n.data('label')).join('\\n')").count("evil")
    body = page.inner_text("body")
    assert 'q"uote{brace}<b>&amp;\\back' in body
    assert "</script><b>" in body  # the env guard, shown as a badge
    page.evaluate("window.fixtureGraph.selectTest('test_evil.py::test_guarded')")
    assert "</script><b>" in page.inner_text("#fg-t-facts")
    assert page.locator("img").count() == 0
    assert page.locator("script").count() == 2  # the data island and the report's own script
    assert page.locator("b").count() == 0
    screenshot(page, "hostile")
    assert page.dialogs == []
    assert page.errors == []


# ---- a generated suite of 5,000 fixtures ------------------------------------------------------


@pytest.fixture(scope="module")
def rich(tmp_path_factory: pytest.TempPathFactory) -> tuple[Report, Path]:
    root = tmp_path_factory.mktemp("rich") / "suite"
    generate_suite(root, fixture_rich_spec(5000))
    return scan_tree(root), root


def test_5000_fixture_report_explores_at_scale(page: Any, tmp_path: Path, rich: tuple[Report, Path]) -> None:
    from fixture_graph.render.view import build_index

    report, _ = rich
    html = tmp_path / "big.html"
    opened = open_report(page, report, html)
    assert len(report.user_fixtures) == 5000
    size = html.stat().st_size
    index = build_index(report)
    boxes = page.evaluate("window.fixtureGraph.cy.nodes().not(':parent').length")
    assert 5 <= boxes <= 30  # the overview fits a screen: directories and files, collapsed
    screenshot(page, "rich-overview")

    # expand a directory: its subdirectories and conftest appear
    before = set(page.evaluate("window.fixtureGraph.visibleNodes()"))
    click_node(page, group_node(page, "d0_1/"))
    assert "tests/d0/d0_1/" in state(page)["expanded"]
    assert set(page.evaluate("window.fixtureGraph.visibleNodes()")) != before

    # search answers fast, marks boxes and filters the tables
    took = page.evaluate(
        "() => { const s = document.getElementById('fg-search'); const t = performance.now();"
        " s.value = 'd0_1_f3'; s.dispatchEvent(new Event('input')); return performance.now() - t; }"
    )
    expected = {fid for fid in index.base if "d0_1_f3" in f"{index.fixtures[fid].name}\n{fid}".lower()}
    assert page.inner_text("#fg-fixture-count").startswith(f"{len(expected)} of ")
    assert page.evaluate("window.fixtureGraph.cy.nodes('.match').length") >= 1
    page.keyboard.press("Escape")

    # select: the neighbourhood, zoomed, with a breadcrumb through the directories
    target = "tests/d0/d0_1/conftest.py::d0_1_f30"
    page.evaluate("(id) => window.fixtureGraph.selectFixture(id)", target)
    assert node_classes(page, "dep") == neighbourhood(target, index.deps, 2) & index.base
    assert node_classes(page, "rdep") == neighbourhood(target, index.dependents, 2) & index.base
    assert page.inner_text("#fg-crumbs").split("\n") == [
        "Overview",
        "tests/",
        "tests/d0/",
        "tests/d0/d0_1/",
        "tests/d0/d0_1/conftest.py",
        "d0_1_f30",
    ]
    assert page.evaluate("window.fixtureGraph.cy.zoom()") >= 0.7
    screenshot(page, "rich-neighbourhood")

    # the test view, deep linked, and its closures against the resolver's
    nodeid = sorted(t.nodeid for t in report.scan.tests)[123]
    page.goto(html.as_uri() + "#test=" + nodeid)
    page.wait_for_function("window.fixtureGraph && window.fixtureGraph.ready")
    assert state(page)["test"] == nodeid
    assert "autouse, from " in page.inner_text("#fg-t-tree")
    assert check_tree_against_resolution(page, report, limit=150) == 150
    screenshot(page, "rich-test-view")

    page.focus("#fg-graph")
    page.keyboard.press("ArrowRight")
    assert page.evaluate("window.fixtureGraph.cy.nodes('.kbd').length") == 1
    assert axe_violations(page) == []
    print(f"5,000 fixtures: {size // 1024} KiB, opened in {opened:.2f}s, search {took:.0f} ms")
    assert size < 3_000_000
    assert took < 300  # 100 ms is the target measured by make bench-render; CI machines vary
    assert page.errors == []


# ---- Mermaid, checked with the real mermaid ---------------------------------------------------


def unused_findings(report: Report) -> Analysis:
    """An FG006 finding on every user fixture (so the diagram draws them all, names and all)."""
    return Analysis(
        findings=tuple(
            Finding("FG006", Severity.INFO, f"{f.name} is unused", f.file, f.line, f.id)
            for f in report.user_fixtures
        )
    )


def mermaid_blocks(text: str) -> list[str]:
    return re.findall(r"```mermaid\n(.*?)```", text, re.S)


def test_every_mermaid_diagram_renders_with_mermaid(
    page: Any, tmp_path: Path, rich: tuple[Report, Path]
) -> None:
    sample = scan_tree(copy_sample(tmp_path))
    cycle = scan_tree(write_cycle_suite(tmp_path / "cycle"))
    hostile = scan_tree(write_hostile_suite(tmp_path / "hostile"))
    texts = {
        "sample": render_markdown(with_analysis(sample, sample_analysis(sample))),
        "cycle": render_markdown(with_analysis(cycle, cycle_findings(cycle))),
        "hostile": render_markdown(with_analysis(hostile, unused_findings(hostile))),
        "rich": render_markdown(rich[0]),
        "diff": (Path(__file__).parent / "data" / "golden" / "diff-comment.md").read_text(encoding="utf-8"),
    }
    diagrams = {name: mermaid_blocks(text) for name, text in texts.items()}
    assert all(diagrams[name] for name in ("sample", "cycle", "hostile", "diff"))
    page.set_content("<!DOCTYPE html><html><body></body></html>")
    page.add_script_tag(content=gzip.decompress(MERMAID.read_bytes()).decode("utf-8"))
    page.evaluate("mermaid.initialize({startOnLoad: false, securityLevel: 'strict'})")
    for name, blocks in diagrams.items():
        for k, source in enumerate(blocks):
            result = page.evaluate(
                "async ([id, text]) => { try { const r = await mermaid.render(id, text); return r.svg; }"
                " catch (e) { return 'ERROR ' + (e.message || e); } }",
                [f"d{name}{k}", source],
            )
            assert not result.startswith("ERROR"), (name, result, source[:400])
            assert "<svg" in result
            if name == "cycle":
                assert "stroke:#d62828" in result  # the cycle's red arrows survive
    assert page.dialogs == []
