"""The HTML report in a real browser: headless Chromium opens it from a file URL (offline).

Covers search, selection (highlighted dependencies and dependents, the detail panel), sorting,
the report without Graphviz, hostile docstrings that must run no script, and a generated
2,000-fixture suite. Screenshots are kept under ``out/browser/`` (their paths are printed), so a
failure can be looked at. Skipped, with the reason, only where no Chromium can be installed.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from helpers.browser import chromium, missing_reason
from helpers.render import (
    HOSTILE_DOC,
    HOSTILE_SCRIPT,
    copy_sample,
    sample_analysis,
    scan_tree,
    with_analysis,
    write_hostile_suite,
    write_synthetic_suite,
)

from fixture_graph.render.html import render_html
from fixture_graph.render.svg import GraphvizMissing
from fixture_graph.render.view import GraphOptions, build_index, used_by
from fixture_graph.report import Report

ARTIFACTS = Path(__file__).resolve().parent.parent / "out" / "browser"
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
    page.on("dialog", lambda dialog: (page.dialogs.append(dialog.message), dialog.dismiss()))
    page.on(
        "request",
        lambda req: page.errors.append(f"network: {req.url}") if not req.url.startswith("file:") else None,
    )
    yield page
    context.close()


def open_report(page: Any, report: Report, path: Path, **kwargs: Any) -> None:
    path.write_text(render_html(report, **kwargs), encoding="utf-8")
    page.goto(path.as_uri())
    page.wait_for_selector("#fg-count:not(:empty)")


def screenshot(page: Any, name: str) -> Path:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    target = ARTIFACTS / f"{name}.png"
    page.screenshot(path=str(target))
    print(f"screenshot: {target}")
    return target


def titles(page: Any, selector: str) -> set[str]:
    """The graphviz titles (fixture ids) of the boxes ``selector`` matches."""
    return set(
        page.eval_on_selector_all(selector, "els => els.map(e => e.querySelector('title').textContent)")
    )


def graph_node(page: Any, title: str) -> Any:
    return page.locator("#fg-graph g.node").filter(has=page.locator(f"title:text-is('{title}')"))


def closure(start: str, adjacency: dict[str, tuple[str, ...]], keep: frozenset[str]) -> set[str]:
    seen: set[str] = set()
    stack = [start]
    while stack:
        for nxt in adjacency.get(stack.pop(), ()):
            if nxt in keep and nxt not in seen and nxt != start:
                seen.add(nxt)
                stack.append(nxt)
    return seen


def test_sample_report_search_select_and_sort(page: Any, tmp_path: Path) -> None:
    report = scan_tree(copy_sample(tmp_path))
    report = with_analysis(report, sample_analysis(report))
    open_report(page, report, tmp_path / "report.html")
    index = build_index(report)
    total = len(index.base)
    assert page.inner_text("#fg-count") == f"{total} fixtures"
    assert page.locator("#fg-graph svg g.node").count() > total  # fixtures plus the legend

    # typing filters the fixture table and marks the matching boxes in the graph
    page.type("#fg-search", "mock_", delay=10)
    expected = {fid for fid in index.base if "mock_" in f"{fid}\n{index.fixtures[fid].file}".lower()}
    assert page.inner_text("#fg-count") == f"{len(expected)} of {total} fixtures"
    assert page.locator("#fg-t-fixtures tbody tr:visible").count() == len(expected)
    assert titles(page, "g.node.fg-match") == expected
    screenshot(page, "sample-search")
    page.fill("#fg-search", "")
    assert page.inner_text("#fg-count") == f"{total} fixtures"

    # clicking a box highlights its dependencies and dependents and fills the detail panel
    target = "tests/conftest.py::settings"
    graph_node(page, target).click()
    assert titles(page, "g.node.fg-sel") == {target}
    assert titles(page, "g.node.fg-dep") == closure(target, index.deps, index.base)
    assert titles(page, "g.node.fg-rdep") == closure(target, index.dependents, index.base)
    assert page.locator("g.edge.fg-dep").count() >= 1
    assert page.locator("g.edge.fg-rdep").count() >= len(index.dependents[target])
    fixture = index.fixtures[target]
    assert page.inner_text("#fg-d-name") == "settings"
    assert page.inner_text("#fg-d-id") == target
    assert page.inner_text("#fg-d-scope") == "session"
    assert page.inner_text("#fg-d-loc") == f"{fixture.file}:{fixture.line}"
    count = used_by(report)[target]
    assert page.inner_text("#fg-d-used") == f"{count} tests"
    overrides = page.inner_text("#fg-d-overrides")
    assert "tests/unit/test_settings.py::TestSettingsOverrides::settings" in overrides
    screenshot(page, "sample-selected")

    # a name in a table selects too; Escape clears
    page.locator("#fg-t-fixtures button.fx", has_text="db_engine").first.click()
    assert page.inner_text("#fg-d-name") == "db_engine"
    assert "only if" not in page.inner_text("#fg-d-guards")
    assert "USE_REAL_SERVICES" in page.inner_text("#fg-d-guards")
    page.keyboard.press("Escape")
    assert page.locator("g.node.fg-sel").count() == 0

    # sorting: "used by" descending puts the most used fixture first
    header = page.locator("#fg-t-fixtures th", has_text="used by")
    header.click()
    header.click()
    cells = page.eval_on_selector_all(
        "#fg-t-fixtures tbody tr td:nth-child(4)", "els => els.map(e => +e.dataset.v)"
    )
    assert cells == sorted(cells, reverse=True)
    assert cells[0] == max(used_by(report).get(fid, 0) for fid in index.base)

    # pan and zoom change the view box
    def view_box() -> list[float]:
        return [float(v) for v in page.get_attribute("#fg-graph svg", "viewBox").split()]

    before = view_box()
    page.click("#fg-zoom-in")
    assert view_box()[2] == pytest.approx(before[2] / 1.25)
    page.click("#fg-fit")
    assert view_box() == pytest.approx(before)
    assert page.errors == []


def test_hostile_docstrings_stay_text_and_run_no_script(page: Any, tmp_path: Path) -> None:
    report = scan_tree(write_hostile_suite(tmp_path / "hostile"))
    open_report(page, report, tmp_path / "hostile.html")
    page.locator("#fg-t-fixtures button.fx", has_text="evil_doc").click()
    assert page.inner_text("#fg-d-doc") == HOSTILE_DOC
    page.locator("#fg-t-fixtures button.fx", has_text="evil_script").click()
    assert page.inner_text("#fg-d-doc") == HOSTILE_SCRIPT
    page.locator("#fg-graph g.node").filter(
        has=page.locator("title:text-is('conftest.py::evil_doc')")
    ).click()
    assert page.inner_text("#fg-d-doc") == HOSTILE_DOC
    body = page.inner_text("body")
    assert 'q"uote{brace}<b>&amp;\\back' in body
    assert "</script><b>" in body  # the env guard, shown as a badge
    assert page.locator("img").count() == 0
    assert page.locator("script").count() == 2  # the data island and the report's own script
    assert page.locator("b").count() == 0
    screenshot(page, "hostile")
    assert page.dialogs == []
    assert page.errors == []


def test_report_without_graphviz_keeps_working(page: Any, tmp_path: Path) -> None:
    report = scan_tree(copy_sample(tmp_path))

    def no_dot(view: object, timeout: float) -> str:
        raise GraphvizMissing()

    open_report(page, report, tmp_path / "nodot.html", make_svg=no_dot)
    notice = page.inner_text("#fg-graph-notice")
    assert "apt: graphviz" in notice
    assert "brew: graphviz" in notice
    page.type("#fg-search", "db_", delay=5)
    assert " of " in page.inner_text("#fg-count")
    page.locator("#fg-t-fixtures button.fx:visible").first.click()
    assert page.inner_text("#fg-d-name").startswith("db_")
    assert page.errors == []


def test_2000_fixture_report_opens_and_search_responds(page: Any, tmp_path: Path) -> None:
    root = write_synthetic_suite(tmp_path / "big", fixtures=2000, per_file=50)
    started = time.perf_counter()
    report = scan_tree(root)
    scanned = time.perf_counter()
    html = tmp_path / "big.html"
    html.write_text(render_html(report, GraphOptions()), encoding="utf-8")
    rendered = time.perf_counter()
    page.goto(html.as_uri())
    page.wait_for_selector("#fg-count:not(:empty)")
    opened = time.perf_counter()
    assert len(report.user_fixtures) == 2000
    assert page.inner_text("#fg-count") == "2000 fixtures"
    assert page.locator("#fg-graph svg g.node").count() >= 40  # collapsed to one box per module

    query = "p17_f3"
    expected = sum(1 for f in report.user_fixtures if query in f.name)
    typed = time.perf_counter()
    page.fill("#fg-search", query)
    page.wait_for_function(
        "([n]) => document.getElementById('fg-count').textContent.startsWith(n + ' of')", arg=[expected]
    )
    answered = time.perf_counter()
    assert page.locator("#fg-t-fixtures tbody tr:visible").count() == expected
    page.locator("#fg-t-fixtures button.fx:visible").first.click()
    assert page.inner_text("#fg-d-name").startswith(query)
    assert page.locator("g.node.fg-sel").count() == 1  # its module's box
    screenshot(page, "synthetic-2000")
    print(
        f"2,000 fixtures: scan {scanned - started:.2f}s, render {rendered - scanned:.2f}s "
        f"({html.stat().st_size // 1024} KiB), open {opened - rendered:.2f}s, "
        f"search {1000 * (answered - typed):.0f} ms"
    )
    assert answered - typed < 2.0
    assert page.errors == []
